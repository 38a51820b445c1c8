"""What a forked child must not share with its parent: connections, reserved numbers, locks.

After ``os.fork`` (gunicorn ``--preload``, multiprocessing's ``fork`` start method) the child
holds copies of the parent's pooled connections: the same sockets and files. Two processes
talking on one connection interleave their messages (PostgreSQL answers one with the other's
results) and a SQLite handle must never cross a fork. So every holder of such state registers
here, and in the child, right after the fork, each one drops what it inherited, without closing
it (closing would end the parent's connection too), and starts afresh.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol


class ForkAware(Protocol):
    """An object that drops, in a forked child, what it must not share with its parent."""

    def after_fork_in_child(self) -> None:
        """Forget inherited connections (without closing them), numbers and locks."""
        ...


_holders: weakref.WeakSet[ForkAware] = weakref.WeakSet()


def reset_after_fork(holder: ForkAware) -> None:
    """Call ``holder.after_fork_in_child()`` in every child forked while ``holder`` lives
    (held weakly: registering keeps nothing alive)."""
    _holders.add(holder)


def _after_fork_in_child() -> None:
    for holder in list(_holders):
        holder.after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
