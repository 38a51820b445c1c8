"""The ``sp4n audit`` commands: verify the histories, and write signed checkpoints of their heads.

The audit key (for a keyed chain and for checkpoints) is configuration kept outside the database:
``--key-file FILE`` or the ``SP4N_AUDIT_KEY`` environment variable. Every process that writes
events (hosts, ``sp4n worker``) must be given the same key.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from sp4n.errors import InvalidArgumentError

EXIT_PROBLEMS = 1
KEY_ENV = "SP4N_AUDIT_KEY"


def add_key_option(parser: argparse.ArgumentParser) -> None:
    """``--key-file``: where the audit key is (else the SP4N_AUDIT_KEY environment variable)."""
    parser.add_argument(
        "--key-file", type=Path, metavar="FILE", help=f"the audit key (default: the {KEY_ENV} environment variable)"
    )


def require_key(args: argparse.Namespace) -> bytes:
    """The audit key from ``--key-file`` or SP4N_AUDIT_KEY, which must be given."""
    key = read_key(args)
    if key is None:
        raise InvalidArgumentError("key_file", None, f"--key-file FILE or the {KEY_ENV} environment variable")
    return key


def read_key(args: argparse.Namespace) -> bytes | None:
    """The audit key from ``--key-file`` or SP4N_AUDIT_KEY; None when neither is given."""
    from sp4n.persistence.audit import audit_key_bytes

    path: Path | None = args.key_file
    if path is not None:
        try:
            raw: bytes | None = path.read_bytes().strip()
        except OSError as exc:
            raise InvalidArgumentError("key_file", str(path), f"a readable file ({exc.strerror})") from None
    else:
        value = os.environ.get(KEY_ENV)
        raw = value.encode() if value else None
    return audit_key_bytes(raw, "key_file" if path is not None else KEY_ENV)


def add_audit_commands(groups: Any) -> None:
    """``audit verify`` and ``audit checkpoint``."""
    audit = groups.add_parser("audit", help="tamper evidence: verify histories, write signed checkpoints")
    commands = audit.add_subparsers(dest="command", metavar="COMMAND", required=True)
    verify = commands.add_parser("verify", help="re-check every history, row, clock, timer and feed row")
    verify.add_argument("--url", required=True)
    verify.add_argument("--complaint", action="append", help="only these complaint ids (repeatable)")
    verify.add_argument("--checkpoint", type=Path, metavar="FILE", help="also compare with a signed checkpoint")
    add_key_option(verify)
    verify.set_defaults(handler=_verify)
    checkpoint = commands.add_parser("checkpoint", help="write the signed heads of every history, to keep elsewhere")
    checkpoint.add_argument("--url", required=True)
    checkpoint.add_argument("--output", "-o", type=Path, metavar="FILE", required=True)
    add_key_option(checkpoint)
    checkpoint.set_defaults(handler=_checkpoint)


def _verify(args: argparse.Namespace) -> int:
    from sp4n.persistence.audit import verify_checkpoint, verify_history
    from sp4n.persistence.sql import SqlStore
    from sp4n.states.loader import restore_sop
    from sp4n.workflow.audit import verify_complaints
    from sp4n.workflow.compiled import SopRegistry

    key = require_key(args) if args.checkpoint is not None else read_key(args)
    checkpoint = _read_checkpoint(args.checkpoint) if args.checkpoint is not None else None
    store = SqlStore(args.url)
    try:
        registry = SopRegistry(fallback=lambda i, v: _stored(store, restore_sop, i, v))
        ids = args.complaint if args.complaint else list(store.complaint_ids())
        problems = verify_history(store, args.complaint or None, key=key)
        problems += verify_complaints(store, registry.get, ids)
        if checkpoint is not None and key is not None:
            problems += verify_checkpoint(store, checkpoint, key, str(args.checkpoint))
    finally:
        store.close()
    for problem in problems:
        print(f"TAMPERED {problem}")
    mode = "keyed chain" if key is not None else "unkeyed chain"
    print(f"{len(ids)} complaint(s) checked ({mode}), {len(problems)} problem(s)")
    return EXIT_PROBLEMS if problems else 0


def _stored(store: Any, restore: Any, sop_id: str, version: str) -> Any:
    content = store.load_definition("sop", (sop_id, version))
    return restore(content, sop_id, version) if content is not None else None


def _read_checkpoint(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidArgumentError("checkpoint", str(path), f"a readable checkpoint file ({exc})") from None


def _checkpoint(args: argparse.Namespace) -> int:
    from sp4n.clock import SystemClock
    from sp4n.persistence.audit import make_checkpoint
    from sp4n.persistence.sql import SqlStore

    key = require_key(args)
    store = SqlStore(args.url)
    try:
        checkpoint = make_checkpoint(store, key, SystemClock().now())
    finally:
        store.close()
    try:
        args.output.write_text(json.dumps(checkpoint, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidArgumentError("output", str(args.output), f"a writable file ({exc.strerror})") from None
    print(f"{len(checkpoint['heads'])} complaint(s) checkpointed at {checkpoint['at']} in {args.output}")
    return 0
