"""Benchmark one engine transition against the same trigger on a bare transitions Machine.

Run ``python benchmarks/bench_engine.py``. Both sides run the same lifecycle of the national SOP
(verify, distribute, follow_up, reply, follow_up, close) on many complaints:

* sp4n: ``engine.fire`` on an in-memory store, with guards, clock planning, timers, the
  hash-chained event, its feed row and the read model;
* baseline: one ``transitions.Machine`` built from the same SOP, and per trigger ``add_model``,
  the trigger, ``remove_model``: the cheapest way to use one Machine for many complaints.

It prints the cost per transition of each, their ratio (target: sp4n at most 2x the bare
Machine), the cost of one ``submit`` beside one ``fire`` (target: at most 1.5x), and how many
complaints per second go through a whole lifecycle, deadlines included. The exit code is 0
unless ``--check`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from transitions import Machine

from sp4n.states import builtin_sop
from sp4n.testing import Scenario

from lifecycle import STEPS, timed

TARGET = 2.0
SUBMIT_TARGET = 1.5


class _Subject:
    state: str


def _best(fn: Callable[[], None], repeats: int) -> float:
    return min(timed(fn) for _ in range(repeats))


def bare_machine_run(n: int) -> Callable[[], None]:
    """The baseline: the lifecycle's triggers on one Machine, add_model / trigger / remove_model."""
    sop = builtin_sop("national")
    machine = Machine(
        model=None,
        states=[s.id for s in sop.states],
        transitions=[{"trigger": t.trigger, "source": list(t.source), "dest": t.dest} for t in sop.transitions],
        initial=sop.initial_state.id,
        auto_transitions=False,
    )

    def run() -> None:
        for _ in range(n):
            state = "received"
            for trigger, _data in STEPS:
                subject = _Subject()
                machine.add_model(subject, initial=state)
                subject.trigger(trigger)  # type: ignore[attr-defined]
                state = subject.state
                machine.remove_model(subject)

    return run


def engine_run(n: int) -> tuple[Callable[[], None], Scenario]:
    """sp4n: the same triggers through ``engine.fire`` on fresh complaints, actors chosen by role."""
    scenario = Scenario(sops=["national"])
    ids = [scenario.submit(title=f"Laporan {i}") for i in range(n)]
    actors = {}
    probe = scenario.submit(title="probe")
    for trigger, data in STEPS:
        actors[trigger] = scenario.actor_for(probe, trigger)
        scenario.fire(probe, trigger, actors[trigger], **data)
    fire = scenario.engine.fire

    def run() -> None:
        for cid in ids:
            for trigger, data in STEPS:
                fire(cid, trigger, actors[trigger], **data)

    return run, scenario


def submit_run(n: int) -> Callable[[], None]:
    """``engine.submit`` of ``n`` complaints, as a reporter, with the lifecycle's description."""
    from lifecycle import DESCRIPTION

    scenario = Scenario(sops=["national"])
    scenario.submit(title="warm-up", description=DESCRIPTION)
    submit, reporter = scenario.engine.submit, scenario.reporter

    def run() -> None:
        for i in range(n):
            submit(reporter, title=f"Laporan {i}", description=DESCRIPTION)

    return run


def lifecycle_rate(n: int) -> float:
    """Complaints per second through submit, the lifecycle up to a follow-up, and auto-close."""
    scenario = Scenario(sops=["national"])
    start = time.perf_counter()
    for i in range(n):
        cid = scenario.submit(title=f"Laporan {i}")
        for trigger, data in STEPS[:3]:
            scenario.fire(cid, trigger, **data)
    scenario.advance(timedelta(days=20))  # reporter_response runs out: every complaint auto-closes
    elapsed = time.perf_counter() - start
    closed = sum(1 for c in scenario.engine.store.complaints() if c.state == "closed")
    if closed != n:
        raise RuntimeError(f"expected {n} auto-closed complaints, found {closed}")
    return n / elapsed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small run, for the test suite")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    n, repeats = (20, 1) if args.quick else (400, 9)
    transitions_per_run = n * len(STEPS)

    # the two sides alternate, run by run, so a busy moment of the machine hits both alike
    bare_run = bare_machine_run(n)
    bare = sp4n_total = submit_total = float("inf")
    for _ in range(repeats):
        bare = min(bare, _best(bare_run, 1))
        run, _scenario = engine_run(n)  # each engine run needs fresh complaints
        sp4n_total = min(sp4n_total, _best(run, 1))
        submit_total = min(submit_total, _best(submit_run(n), 1))
    ratio = sp4n_total / bare
    rate = lifecycle_rate(n)

    per_bare = bare / transitions_per_run * 1e6
    per_sp4n = sp4n_total / transitions_per_run * 1e6
    per_submit = submit_total / n * 1e6
    submit_ratio = per_submit / per_sp4n
    ok = ratio <= TARGET
    submit_ok = submit_ratio <= SUBMIT_TARGET
    print(f"sp4n engine benchmark, national SOP, {n} complaints x {len(STEPS)} transitions, best of {repeats}")
    print(f"{'case':44s} {'per call':>15s}")
    print(f"{'bare transitions Machine (add/trigger/remove)':44s} {per_bare:12.1f} us")
    print(f"{'sp4n Engine.fire (memory store)':44s} {per_sp4n:12.1f} us")
    print(f"{'sp4n Engine.submit (memory store)':44s} {per_submit:12.1f} us")
    print(f"ratio sp4n / bare: {ratio:.2f}x (target <= {TARGET:.0f}x) {'PASS' if ok else 'FAIL'}")
    print(f"ratio submit / fire: {submit_ratio:.2f}x (target <= {SUBMIT_TARGET}x) {'PASS' if submit_ok else 'FAIL'}")
    print(f"full lifecycles (submit, 3 commands, auto-close by deadline): {rate:,.0f} complaints/s")
    return 1 if args.check and not (ok and submit_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
