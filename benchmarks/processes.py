"""Timing work done by several spawned processes from one starting signal."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from typing import Any


def timed_processes(
    target: Callable[..., None], args: Sequence[tuple[Any, ...]], timeout: float = 900
) -> tuple[list[Any], float]:
    """Start one spawned process per ``args`` running ``target(*args, start, done)``; once every
    one has imported and connected (2 s), set ``start`` and time until each has put its result
    on ``done``. Returns the results and the seconds elapsed."""
    ctx = mp.get_context("spawn")
    start, done = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, start, done)) for a in args]
    for p in procs:
        p.start()
    time.sleep(2.0)  # let every process import sp4n and connect before the clock starts
    began = time.perf_counter()
    start.set()
    results = [done.get(timeout=timeout) for _ in procs]
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join(timeout=60)
    return results, elapsed
