"""``sp4n serve`` (the HTTP service) and ``sp4n keys create | list | revoke`` (its API keys).

On the embedded SQLite default, ``serve`` also runs the deadline worker and the delivery of the
feed to webhook endpoints (the :class:`~sp4n.integration.DeliveryProcess` of ``sp4n deliver``) in
its own process, so a small site needs one command; on PostgreSQL run separate ``sp4n worker`` and
``sp4n deliver`` processes (and as many ``serve`` processes as needed: they keep nothing of their
own).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
from contextlib import ExitStack
from typing import Any

from sp4n.errors import InvalidArgumentError

_URL_HELP = "sqlite:///file.db or postgresql+psycopg://user@host/db"


def add_serve_commands(groups: Any) -> None:
    """Add ``serve`` and ``keys`` to the top-level parser's groups."""
    serve = groups.add_parser("serve", help="run the HTTP service (/v1 and Open311) on a database")
    serve.add_argument("--url", required=True, help=_URL_HELP)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--sop", action="append", default=[], metavar="FILE|ID", help="SOPs to run (default: national)")
    serve.add_argument("--max-body", type=int, default=256 * 1024, help="largest request body in bytes")
    serve.add_argument("--no-worker", action="store_true", help="on SQLite, do not run the deadline worker")
    serve.add_argument("--no-deliver", action="store_true", help="on SQLite, do not deliver to webhook endpoints")
    serve.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    serve.add_argument(
        "--clock-file",
        metavar="FILE",
        help="tests and demos only: run on the instant written in FILE instead of the system clock",
    )
    serve.set_defaults(handler=run_serve)

    keys = groups.add_parser("keys", help="API keys of the HTTP service: create, list, revoke")
    commands = keys.add_subparsers(dest="command", metavar="COMMAND", required=True)
    create = commands.add_parser("create", help="create a key; its token is printed once")
    create.add_argument("--url", required=True, help=_URL_HELP)
    create.add_argument("--name", required=True, help="who uses the key, such as the host's name")
    create.add_argument("--agency", action="append", default=[], help="an agency the key acts for (repeat)")
    create.add_argument("--role", action="append", default=[], required=True, help="a role the key may act in")
    create.set_defaults(handler=keys_create)
    listing = commands.add_parser("list", help="every key, revoked ones included")
    listing.add_argument("--url", required=True, help=_URL_HELP)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=keys_list)
    revoke = commands.add_parser("revoke", help="revoke a key for good")
    revoke.add_argument("--url", required=True, help=_URL_HELP)
    revoke.add_argument("key_id", help="the key's id (see `sp4n keys list`)")
    revoke.set_defaults(handler=keys_revoke)


def _keys(url: str) -> Any:
    from sp4n.clock import SystemClock
    from sp4n.persistence.sql import open_store
    from sp4n.service.keys import Keys, SqlKeyStore

    store = open_store(url)
    return store, Keys(SqlKeyStore(store.engine, url), SystemClock().now)


def keys_create(args: argparse.Namespace) -> int:
    """Print the new key's id and its token (shown this once)."""
    store, keys = _keys(args.url)
    try:
        key, token = keys.create(args.name, args.agency, args.role)
    finally:
        store.close()
    print(f"id: {key.id}")
    print(f"token: {token}")
    return 0


def keys_list(args: argparse.Namespace) -> int:
    """Print each key: id, name, roles, agencies, and when it was revoked."""
    store, keys = _keys(args.url)
    try:
        found = keys.list()
    finally:
        store.close()
    for key in found:
        if args.json:
            print(json.dumps(key.to_dict()))
            continue
        revoked = f" revoked {key.revoked_at.isoformat()}" if key.revoked_at else ""
        roles = ",".join(r.value for r in key.roles)
        print(f"{key.id} {key.name!r} roles={roles} agencies={','.join(key.agencies) or '-'}{revoked}")
    return 0


def keys_revoke(args: argparse.Namespace) -> int:
    """Revoke a key and say so."""
    store, keys = _keys(args.url)
    try:
        key = keys.revoke(args.key_id)
    finally:
        store.close()
    assert key.revoked_at is not None
    print(f"revoked {key.id} at {key.revoked_at.isoformat()}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT (uvicorn's own handling), then stop the delivery (after the
    delivery at hand) and close the engine, which stops the worker; exit 0."""
    import uvicorn

    from sp4n.cli_worker import setup_logging
    from sp4n.integration.delivery import DeliveryProcess
    from sp4n.service.app import create_app
    from sp4n.workflow.engine import Engine

    if not 0 < args.port < 65536:
        raise InvalidArgumentError("port", args.port, "a port number, 1 to 65535")
    if args.max_body < 1:
        raise InvalidArgumentError("max_body", args.max_body, "a positive number of bytes")
    setup_logging(args.log_level)
    clock = None
    if args.clock_file is not None:
        from sp4n.testing.file_clock import FileClock

        clock = FileClock(args.clock_file)
        logging.getLogger("sp4n.serve").warning(
            "running on the test clock of %s, not the system clock", args.clock_file
        )
    engine = Engine(sops=args.sop or ("national",), database_url=args.url, clock=clock)
    embedded = args.url.startswith("sqlite")
    with ExitStack() as stack:
        stack.callback(engine.close)  # last: it also stops the worker
        if embedded and not args.no_worker:
            engine.start_worker()
        if embedded and not args.no_deliver:
            logging.getLogger("httpx").setLevel(logging.WARNING)  # not a log line per event sent
            delivery = DeliveryProcess(engine)
            stack.callback(delivery.start().join)
            stack.callback(delivery.stop)
        for sig in (signal.SIGTERM, signal.SIGINT):
            stack.callback(signal.signal, sig, signal.signal(sig, _stopped))
        app = create_app(engine, max_body=args.max_body)
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower(), access_log=False)
    return 0


def _stopped(signum: int, _frame: object) -> None:
    """Take the signal uvicorn raises again once it has shut down on it, so that ``serve`` goes on
    to stop its delivery and worker (the default action would end the process first)."""
    logging.getLogger("sp4n.serve").info("signal %s: stopping the delivery and worker after the item at hand", signum)
