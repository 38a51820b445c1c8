"""``sp4n feed status|retry|skip``, ``sp4n webhooks add|list|rotate|remove`` and ``sp4n deliver``.

``deliver`` runs a delivery process until SIGTERM or SIGINT: it finishes the delivery at hand,
gives the rest of its batch back, and exits 0. Webhook secrets are printed once, when they are
made (``add``, ``rotate``), and never listed again.
"""

from __future__ import annotations

import argparse
import logging
import signal
from contextlib import ExitStack
from typing import Any

from sp4n.cli_engine import URL_HELP, open_engine, opened
from sp4n.cli_national import add_national_options, national_sync


def add_feed_commands(groups: Any) -> None:
    """Add ``feed``, ``webhooks`` and ``deliver`` to the top-level parser's groups."""
    feed = groups.add_parser("feed", help="the event feed: consumers' state and parked events")
    sub = feed.add_subparsers(dest="command", metavar="COMMAND", required=True)
    status = sub.add_parser("status", help="cursor, head, queued and parked events of each consumer")
    status.add_argument("name", nargs="?")
    retry = sub.add_parser("retry", help="queue a consumer's parked events again")
    retry.add_argument("name")
    retry.add_argument("--position", type=int)
    skip = sub.add_parser("skip", help="give up on one event for a consumer")
    skip.add_argument("name")
    skip.add_argument("--position", type=int, required=True)
    for p, handler in ((status, feed_status), (retry, feed_retry), (skip, feed_skip)):
        p.add_argument("--url", required=True, help=URL_HELP)
        p.set_defaults(handler=handler)

    hooks = groups.add_parser("webhooks", help="webhook endpoints that receive the feed")
    sub = hooks.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add = sub.add_parser("add", help="add an endpoint (prints its signing secret)")
    add.add_argument("name")
    add.add_argument("--endpoint", required=True, help="the https URL events are POSTed to")
    add.add_argument("--audience", required=True, choices=["national", "agency", "public"])
    add.add_argument("--start", default="now", help="now, beginning, or a position")
    add.add_argument("--historical", action="store_true", help="also receive events of bulk imports")
    add.add_argument("--max-attempts", type=int, default=12)
    listing = sub.add_parser("list", help="the endpoints (never their secrets)")
    rotate = sub.add_parser("rotate", help="a new secret, signed beside the old ones until --drop-old")
    rotate.add_argument("name")
    rotate.add_argument("--drop-old", action="store_true", help="keep only the newest secret")
    remove = sub.add_parser("remove", help="remove an endpoint and its queue")
    remove.add_argument("name")
    for p, handler in ((add, hooks_add), (listing, hooks_list), (rotate, hooks_rotate), (remove, hooks_remove)):
        p.add_argument("--url", required=True, help=URL_HELP)
        p.set_defaults(handler=handler)

    deliver = groups.add_parser("deliver", help="deliver the feed to webhook endpoints, until stopped")
    deliver.add_argument("--url", required=True, help=URL_HELP)
    deliver.add_argument("--batch", type=int, default=500, help="events leased per claim (default 500)")
    deliver.add_argument("--interval", type=float, default=1.0, help="seconds between idle rounds")
    deliver.add_argument("--lease", type=float, default=120.0, help="seconds a claimed event stays leased")
    deliver.add_argument("--timeout", type=float, default=10.0, help="seconds an endpoint may take to answer")
    deliver.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    deliver.add_argument(
        "--national", action="store_true", help="also push to the national LAPOR! and pull the reports it forwards"
    )
    deliver.add_argument("--pull-interval", type=float, default=300.0, help="seconds between pulls from LAPOR!")
    add_national_options(deliver)
    deliver.set_defaults(handler=run_deliver)


def feed_status(args: argparse.Namespace) -> int:
    """Print one line per consumer, then its parked events."""
    with opened(args.url) as engine:
        names = [args.name] if args.name else [c.name for c in engine.feed.consumers()]
        for name in names:
            s = engine.feed.status(name)
            c = s.consumer
            print(
                f"{c.name}: {c.audience.value} {c.status.value} cursor {c.cursor} of {s.head}, "
                f"{s.queued} waiting, {s.parked} parked"
            )
            for d in engine.feed.parked(name):
                print(f"  parked {d.position} ({d.complaint_id}) after {d.attempts} attempts: {d.last_error}")
    return 0


def feed_retry(args: argparse.Namespace) -> int:
    """Queue parked events again."""
    with opened(args.url) as engine:
        print(f"{engine.feed.retry(args.name, args.position)} parked event(s) queued again for {args.name}")
    return 0


def feed_skip(args: argparse.Namespace) -> int:
    """Give up on one event for one consumer."""
    with opened(args.url) as engine:
        engine.feed.skip(args.name, args.position)
        print(f"event {args.position} skipped for {args.name}")
    return 0


def hooks_add(args: argparse.Namespace) -> int:
    """Add a webhook consumer and print its secret once."""
    from sp4n.integration.endpoints import add_endpoint

    start: str | int = int(args.start) if args.start.isdigit() else args.start
    with opened(args.url) as engine:
        _, secret = add_endpoint(
            engine.feed,
            args.name,
            args.endpoint,
            args.audience,
            start=start,
            historical=args.historical,
            max_attempts=args.max_attempts,
        )
    print(f"{args.name}: {args.endpoint} ({args.audience}); signing secret (shown once): {secret}")
    return 0


def hooks_list(args: argparse.Namespace) -> int:
    """Print the webhook consumers, without secrets."""
    from sp4n.integration.endpoints import endpoints

    with opened(args.url) as engine:
        for c in endpoints(engine.feed):
            why = f" ({c.disabled_reason})" if c.disabled_reason else ""
            print(f"{c.name}: {c.url} {c.audience.value} {c.status.value}{why}, {len(c.secrets)} secret(s)")
    return 0


def hooks_rotate(args: argparse.Namespace) -> int:
    """Add a new secret (first), keeping the old ones unless ``--drop-old``."""
    from sp4n.integration.endpoints import rotate_secret

    with opened(args.url) as engine:
        consumer, secret = rotate_secret(engine.feed, args.name, drop_old=args.drop_old)
    print(f"{args.name}: new signing secret (shown once): {secret}; {len(consumer.secrets)} secret(s) in use")
    return 0


def hooks_remove(args: argparse.Namespace) -> int:
    """Remove a webhook consumer and its queue."""
    with opened(args.url) as engine:
        engine.feed.remove_consumer(args.name)
    print(f"{args.name} removed")
    return 0


def run_deliver(args: argparse.Namespace) -> int:
    """Run a delivery process until SIGTERM or SIGINT."""
    from datetime import timedelta

    from sp4n.errors import InvalidArgumentError
    from sp4n.integration.delivery import DeliveryProcess

    for name in ("lease", "interval", "timeout", "pull_interval"):
        if getattr(args, name) <= 0:
            raise InvalidArgumentError(name, getattr(args, name), "a positive number of seconds")
    if args.batch < 1:
        raise InvalidArgumentError("batch", args.batch, "a whole number of at least 1")
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    engine = open_engine(args.url)
    with ExitStack() as stack:
        stack.callback(engine.close)
        handlers: dict[str, Any] = {}
        tasks: list[tuple[timedelta, Any]] = []
        if args.national:
            from sp4n.cli_import import _with_sop

            _with_sop(engine, "national")  # forwarded reports are filed under it
            sync = stack.enter_context(national_sync(args, engine))
            sync.ensure_consumer()
            handlers[sync.consumer] = sync.send
            tasks.append((timedelta(seconds=args.pull_interval), sync.pull))
        process = DeliveryProcess(
            engine,
            batch=args.batch,
            interval=args.interval,
            lease=timedelta(seconds=args.lease),
            timeout=args.timeout,
            handlers=handlers,
            tasks=tasks,
        )
        _run_until_signal(process)
    return 0


def _run_until_signal(process: Any) -> None:
    """Run ``process`` in a thread until SIGTERM or SIGINT stops it."""

    def _on_signal(signum: int, _frame: Any) -> None:
        logging.getLogger("sp4n.delivery").info("signal %s: stopping after the delivery at hand", signum)
        process.stop()

    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    runner = process.start()
    try:
        while runner.is_alive():
            runner.join(0.5)
    finally:
        process.stop()
        runner.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
