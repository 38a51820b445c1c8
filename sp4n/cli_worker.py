"""The ``sp4n worker`` command: a deadline worker process on a database.

Run one per machine or more (they share the work through leases); stop it with SIGTERM or
SIGINT (Ctrl-C): it finishes the timer at hand, gives back the rest of its batch, and exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from sp4n.cli_audit import add_key_option, read_key
from sp4n.errors import Sp4nError


def add_worker_command(groups: Any) -> None:
    """Add ``worker`` to the top-level parser's groups."""
    worker = groups.add_parser("worker", help="fire due deadlines of a database, until stopped")
    worker.add_argument("--url", required=True, help="sqlite:///file.db or postgresql+psycopg://user@host/db")
    worker.add_argument("--batch", type=int, default=100, help="timers leased per claim (default 100)")
    worker.add_argument("--interval", type=float, default=5.0, help="seconds between sweeps (default 5)")
    worker.add_argument("--lease", type=float, default=60.0, help="seconds a claimed timer stays leased")
    worker.add_argument(
        "--overrides",
        action="append",
        default=[],
        metavar="FILE",
        help="calendar override files to apply at start (as `sp4n calendar apply`); without them the "
        "worker counts on the calendar active in the database, and takes up any applied later",
    )
    add_key_option(worker)
    worker.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    worker.set_defaults(handler=run_worker)


def setup_logging(level: str) -> None:
    """Log lines with time, level and logger at ``level``; the libraries' chatter only from WARNING."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_worker(args: argparse.Namespace) -> int:
    """Start a worker and block until SIGTERM or SIGINT."""
    from datetime import timedelta

    from sp4n.calendars import WorkingCalendar
    from sp4n.workflow.arguments import check_seconds
    from sp4n.workflow.engine import Engine

    check_seconds(args.lease, "lease", 86_400)  # before timedelta(), which overflows on inf
    setup_logging(args.log_level)
    engine = Engine(sops=(), database_url=args.url, audit_key=read_key(args))
    if args.overrides:
        calendar = WorkingCalendar.indonesia()
        for path in args.overrides:
            calendar = calendar.with_overrides(path)
        try:
            engine.apply_calendar(calendar)
        except BaseException:
            engine.close()
            raise
    stop = threading.Event()

    def _on_signal(signum: int, _frame: Any) -> None:
        logging.getLogger("sp4n.worker").info("signal %s: stopping after the timer at hand", signum)
        stop.set()

    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        engine.start_worker(batch=args.batch, interval=args.interval, lease=timedelta(seconds=args.lease))
        while not stop.wait(0.5):
            pass
    except Sp4nError:
        raise
    finally:
        engine.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
