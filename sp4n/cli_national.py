"""``sp4n national push|pull|institutions``: staying in step with the national LAPOR! by hand.

The national server's URL comes from ``--national-url`` or ``SP4N_LAPOR_URL``; its token and
key only from ``SP4N_LAPOR_TOKEN`` and ``SP4N_LAPOR_KEY`` (never options: a command line is seen
by every user of the machine). ``sp4n deliver --national-url ...`` does both all along.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sp4n.cli_engine import URL_HELP, opened

NATIONAL_URL_HELP = "the national LAPOR! base URL (default: $SP4N_LAPOR_URL); token and key from the environment"


def add_national_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """The options of every command that reaches the national LAPOR!."""
    parser.add_argument("--national-url", help=NATIONAL_URL_HELP)
    parser.add_argument("--national-timeout", type=float, default=10.0, help="seconds LAPOR! may take to answer")
    parser.add_argument(
        "--institution", help="this region's LAPOR! institution id: pull takes reports forwarded to it "
        "(default: $SP4N_LAPOR_INSTITUTION, else every report the key may see)",
    )  # fmt: skip
    parser.add_argument("--consumer", default="lapor", help="the name of the national feed consumer (default lapor)")


def add_national_commands(groups: Any) -> None:
    """Add ``national`` to the top-level parser's groups."""
    national = groups.add_parser("national", help="stay in step with the national SP4N-LAPOR!")
    sub = national.add_subparsers(dest="command", metavar="COMMAND", required=True)
    push = sub.add_parser("push", help="send waiting events to LAPOR! (complaints filed here, their statuses)")
    push.add_argument("--start", default="now", help="where a new national consumer starts: now, beginning, a position")
    push.add_argument("--limit", type=int, default=100, help="events sent per batch")
    pull = sub.add_parser("pull", help="take in the reports LAPOR! forwarded to this region")
    pull.add_argument("--after", help="a cursor printed by an earlier pull: only newer reports")
    pull.add_argument("--sop", default="national", help="the SOP forwarded reports follow (default national)")
    institutions = sub.add_parser("institutions", help="print LAPOR!'s list of institutions")
    for p, handler in ((push, national_push), (pull, national_pull)):
        p.add_argument("--url", required=True, help=URL_HELP)
        add_national_options(p)
        p.set_defaults(handler=handler)
    add_national_options(institutions)
    institutions.set_defaults(handler=national_institutions)


def national_config(args: argparse.Namespace) -> Any:
    """The :class:`~sp4n.integration.NationalConfig` of the options and the environment."""
    from sp4n.integration.national import NationalConfig

    return NationalConfig.from_env(base_url=args.national_url, timeout=args.national_timeout)


def institution_of(args: argparse.Namespace) -> str | None:
    """``--institution``, else ``SP4N_LAPOR_INSTITUTION``, else None."""
    import os

    return str(args.institution or os.environ.get("SP4N_LAPOR_INSTITUTION") or "") or None


@contextmanager
def national_sync(args: argparse.Namespace, engine: Any) -> Iterator[Any]:
    """A :class:`~sp4n.integration.NationalSync` of ``engine`` for the options, closed afterwards."""
    from sp4n.integration.national import HttpNationalGateway
    from sp4n.integration.national_sync import NationalSync

    gateway = HttpNationalGateway(national_config(args), now=engine.now)
    try:
        yield NationalSync(engine, gateway, consumer=args.consumer, institution=institution_of(args))
    finally:
        gateway.close()


def national_push(args: argparse.Namespace) -> int:
    """Deliver the national consumer's waiting events, batch after batch, until none is left."""
    from sp4n.errors import InvalidArgumentError

    if args.limit < 1:
        raise InvalidArgumentError("limit", args.limit, "a whole number of at least 1")
    start: str | int = int(args.start) if args.start.isdigit() else args.start
    total = failed = parked = 0
    with opened(args.url) as engine, national_sync(args, engine) as sync:
        sync.ensure_consumer(start)
        while True:
            result = sync.push(args.limit)
            total, failed, parked = total + result.delivered, failed + result.failed, parked + result.parked
            if result.delivered == 0:
                break
    print(f"{args.consumer}: {total} event(s) sent, {failed} failed, {parked} parked")
    return 0 if failed == 0 else 1


def national_pull(args: argparse.Namespace) -> int:
    """Take in forwarded reports; print what was filed, known and refused, and the cursor."""
    from sp4n.cli_import import _with_sop

    with opened(args.url) as engine, national_sync(args, engine) as sync:
        _with_sop(engine, args.sop)
        sync.sop = args.sop
        result = sync.pull(after=args.after)
    for national_id, reason in result.refused:
        print(f"refused {national_id}: {reason}")
    print(f"filed: {len(result.filed)}, known: {len(result.known)}, refused: {len(result.refused)}")
    if result.cursor:
        print(f"cursor: {result.cursor}")
    return 0 if not result.refused else 1


def national_institutions(args: argparse.Namespace) -> int:
    """Print the national institution list, one per line."""
    from sp4n.integration.national import HttpNationalGateway

    with HttpNationalGateway(national_config(args)) as gateway:
        for institution in gateway.institutions():
            parent = f" (under {institution.parent_id})" if institution.parent_id else ""
            print(f"{institution.id}: {institution.name}{parent}")
    return 0
