"""A Hypothesis state machine over the national SOP, checked against an independent model of its clocks.

Rules submit complaints, fire random allowed triggers as a fitting actor with plausible data, and
let time pass (by hours, by working days, or to one second before the next due timer and then one
second on). After every step the invariants compare the engine with a model kept in this file:

- replaying each complaint's history (the destination of each transition, from the initial state)
  reproduces its current state, and the events form a hash chain;
- every deadline event (``deadline`` or ``deadline_transition``) belongs to a clock generation that
  was running when it fired, at the instant the model derives for that rung; no timer fires twice;
- the stored clock ledgers equal the model's, and every running clock's due instant (and every
  pending timer's instant) equals ``calendar.due(...)`` recomputed here from the ledger.

The model re-derives the clock rules from the national SOP's text (budgets, runs_in, pauses_in,
rung offsets), not from ``sp4n.workflow.clocks``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sp4n.errors import InvalidData
from sp4n.persistence import ClockStatus, Event, TimerStatus
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM

WIB = ZoneInfo("Asia/Jakarta")
INITIAL = "received"
CLASSIFICATIONS = ("aspirasi", "pengaduan", "pengaduan_pengawasan", "permintaan_informasi")
CATEGORIES = ("infrastruktur", "kesehatan", "pendidikan", "perizinan", "lainnya")
AGENCIES = ("dinas_kesehatan", "dinas_pendidikan", "dinas_pekerjaan_umum")
EXTENSION_MAX = 14
TERMINAL_TRIGGERS = {"archive", "refer_to_ombudsman", "close"}

# The national SOP's clocks, copied from national.yaml: runs_in, pauses_in, budget (working days),
# and rungs as working days before the due instant (0: at it).
RUNS_IN = {
    "verification": {"received", "verified"},
    "first_response": {"distributed"},
    "completion": {"distributed", "rerouting"},
    "reporter_response": {"followed_up"},
    "ombudsman_eligibility": {"received", "verified", "distributed", "rerouting", "followed_up", "escalated"},
}
PAUSES_IN = {"verification": {"on_hold"}, "completion": {"followed_up"}, "ombudsman_eligibility": {"on_hold"}}
BUDGET = {"verification": 3, "first_response": 5, "reporter_response": 10, "ombudsman_eligibility": 60}
COMPLETION_BUDGET = {"aspirasi": 5, "permintaan_informasi": 5, "pengaduan": 14, "pengaduan_pengawasan": 60}
COMPLETION_FALLBACK = 14
RUNGS = {
    "verification": {"warning": 1, "breach": 0},
    "first_response": {"overdue": 0},
    "completion": {"warning": 2, "breach": 0},
    "reporter_response": {"reminder": 2, "auto_close": 0},
    "ombudsman_eligibility": {"eligible": 0},
}
DATA = {
    "verify": ("classification", "category"),
    "hold": ("reason",),
    "distribute": ("agency", "unit"),
    "not_authority": ("reason",),
    "reroute": ("agency",),
    "follow_up": ("response",),
    "reply": ("message",),
    "refer_to_ombudsman": ("reason",),
    "archive": ("reason",),
    "extend": ("extend_by", "reason"),
}


@dataclass
class Ledger:
    status: str
    generation: int
    budget: int
    consumed: int = 0
    running_since: datetime | None = None
    extended_by: int = 0


@dataclass
class Model:
    state: str | None = None
    classification: str | None = None
    ledgers: dict[str, Ledger] = field(default_factory=dict)
    seen: int = 0
    fired_timers: set[str] = field(default_factory=set)
    last_hash: str = ""


def status_in(clock: str, state: str | None) -> str:
    if state in RUNS_IN[clock]:
        return "running"
    if state in PAUSES_IN.get(clock, set()):
        return "paused"
    return "stopped"


class Days:
    """Day counting written out with nothing but ``is_working_day`` and ``due`` of the calendar."""

    def __init__(self, scenario: Scenario) -> None:
        self.cal = scenario.engine.calendar

    def used(self, since: datetime, until: datetime) -> int:
        """Working days in (local date of since, local date of until]."""
        day, last = since.astimezone(WIB).date(), until.astimezone(WIB).date()
        n = 0
        while day < last:
            day += timedelta(days=1)
            n += self.cal.is_working_day(day)
        return n

    def due(self, ledger: Ledger) -> tuple[datetime, date]:
        assert ledger.running_since is not None
        left = max(0, ledger.budget + ledger.extended_by - ledger.consumed)
        due = self.cal.due(ledger.running_since, f"{left} working days")
        return due.at, due.local_date

    def rung(self, ledger: Ledger, clock: str, rung: str) -> datetime:
        at, local = self.due(ledger)
        back = RUNGS[clock][rung]
        if back == 0:
            return at
        while back:
            local -= timedelta(days=1)
            back -= self.cal.is_working_day(local)
        return datetime.combine(local, time(7, 30), WIB)  # a warning comes when the office opens


class NationalSop(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        counter = itertools.count(1)
        self.s = Scenario(sops=["national"], id_factory=lambda: f"c{next(counter)}")
        self.days = Days(self.s)
        self.models: dict[str, Model] = {}

    # ------------------------------------------------------------ rules

    @precondition(lambda self: len(self.models) < 4)  # a few complaints, each taken far
    @rule(
        classification=st.sampled_from((None, *CLASSIFICATIONS)),
        agency=st.sampled_from((None, *AGENCIES)),
        anonymous=st.booleans(),
    )
    def submit(self, classification: str | None, agency: str | None, anonymous: bool) -> None:
        cid = self.s.submit(classification=classification, agency=agency, anonymous=anonymous)
        self.models[cid] = Model()

    @precondition(lambda self: bool(self.models))
    @rule(data=st.data(), steps=st.integers(min_value=1, max_value=3))
    def fire(self, data: st.DataObject, steps: int) -> None:
        """Work on one complaint: fire one to three allowed triggers in a row."""
        cid = data.draw(st.sampled_from(sorted(self.models)), label="complaint")
        for _ in range(steps):
            self.fire_one(cid, data)

    def fire_one(self, cid: str, data: st.DataObject) -> None:
        complaint = self.s.engine.store.load(cid).complaint
        compiled = self.s.engine.registry.get(complaint.sop_id, complaint.sop_version)
        # the triggers a fitting actor may fire (escalate, the system's, never is one)
        candidates = [
            t
            for t in compiled.triggers_from[complaint.state]
            if t in self.s.engine.allowed_triggers(cid, self.s.actor_for(cid, t))
        ]
        if not candidates:
            return
        # weighted so that complaints travel far before a terminal trigger ends them
        weighted = [t for t in candidates for _ in range(1 if t in TERMINAL_TRIGGERS else 4)]
        trigger = data.draw(st.sampled_from(weighted), label="trigger")
        values = {
            "classification": data.draw(st.sampled_from(CLASSIFICATIONS), label="classification"),
            "category": data.draw(st.sampled_from(CATEGORIES), label="category"),
            "agency": data.draw(st.sampled_from(AGENCIES), label="agency"),
            "unit": "bidang_pelayanan",
            "reason": "alasan tertulis",
            "response": "tindak lanjut instansi",
            "message": "tanggapan pelapor",
            "extend_by": "1 working days",
        }
        payload = {k: values[k] for k in DATA.get(trigger, ())}
        actor = self.s.actor_for(cid, trigger)
        completion = self.models[cid].ledgers.get("completion")
        if trigger == "extend" and completion is not None and completion.extended_by >= EXTENSION_MAX:
            with pytest.raises(InvalidData, match=re.escape("total at most 14 working days (14 used)")):
                self.s.fire(cid, trigger, actor, **payload)
            return
        view = self.s.fire(cid, trigger, actor, **payload)
        assert view.state == compiled.transitions[(trigger, complaint.state)].dest

    @rule(hours=st.integers(min_value=1, max_value=48))
    def advance_hours(self, hours: int) -> None:
        self.s.advance(hours=hours)

    @rule(days=st.integers(min_value=1, max_value=6))
    def advance_working_days(self, days: int) -> None:
        self.s.advance_working_days(days)

    @precondition(lambda self: self.s.engine.next_due_at() is not None)
    @rule()
    def advance_to_the_next_boundary(self) -> None:
        due = self.s.engine.next_due_at()
        assert due is not None
        before = len(self.s.firings)
        self.s.advance_to(max(due - timedelta(seconds=1), self.s.clock.now()))
        if self.s.clock.now() < due:
            assert len(self.s.firings) == before, "a timer fired before its due instant"
        self.s.advance(seconds=1)
        assert any(f.due_at == due for f in self.s.firings[before:])

    # ------------------------------------------------------------ invariants

    @invariant()
    def firings_do_not_fail(self) -> None:
        assert [f for f in self.s.firings if f.outcome in ("failed", "missed")] == []
        assert all(f.lateness_seconds == 0 for f in self.s.firings)

    @invariant()
    def engine_agrees_with_the_model(self) -> None:
        for cid, model in self.models.items():
            history = self.s.engine.history(cid, SYSTEM)
            for event in history[model.seen :]:
                self.apply(cid, model, event)
            model.seen = len(history)
            self.compare(cid, model)

    # ------------------------------------------------------------ the model

    def apply(self, cid: str, model: Model, event: Event) -> None:
        assert event.prev_hash == model.last_hash
        assert event.compute_hash() == event.hash
        model.last_hash = event.hash
        assert event.kind in ("submitted", "transition", "deadline", "deadline_transition"), event.kind
        if event.kind in ("deadline", "deadline_transition"):
            timer = event.payload["timer"]
            assert timer not in model.fired_timers, f"timer {timer} fired twice"
            model.fired_timers.add(timer)
            owner, clock, generation, rung = timer.split("/")
            assert (owner, clock, rung) == (cid, event.payload["clock"], event.payload["rung"])
            ledger = model.ledgers.get(clock)
            assert ledger is not None
            assert ledger.status == "running", f"{timer} fired while its clock was {ledger.status}"
            assert int(generation) == ledger.generation, f"{timer} fired for generation {ledger.generation}"
            expected = self.days.rung(ledger, clock, rung)
            assert datetime.fromisoformat(event.payload["due_at"]) == expected
            assert event.at == expected
        if event.kind == "deadline":
            assert event.source == event.dest == model.state
            return
        source = None if event.kind == "submitted" else event.source
        assert source == model.state
        if event.kind == "submitted":
            assert event.dest == INITIAL
        if event.kind in ("submitted", "transition") and "classification" in event.payload:
            model.classification = event.payload["classification"]
        extend = int(event.payload["extend_by"].split()[0]) if event.trigger == "extend" else 0
        for clock in RUNS_IN:
            self.move_clock(model, clock, source, event.dest, event.at, extend)
        model.state = event.dest

    def move_clock(
        self, model: Model, clock: str, source: str | None, dest: str | None, at: datetime, extend: int
    ) -> None:
        ledger = model.ledgers.get(clock)
        old = ledger.status if ledger else "stopped"
        new = status_in(clock, dest)
        if ledger is None:
            if new == "running":
                model.ledgers[clock] = Ledger("running", 1, self.budget(model, clock), running_since=at)
            return
        if old == new and not (clock == "completion" and extend and new == "running"):
            return
        ledger.generation += 1
        if old == "stopped" and new == "running":
            ledger.budget = self.budget(model, clock)
            ledger.consumed, ledger.extended_by, ledger.running_since = 0, 0, at
        elif old == "running" and new == "running":
            ledger.extended_by += extend
        elif new == "running":  # resumed
            ledger.running_since = at
        else:  # paused or stopped
            if old == "running":
                assert ledger.running_since is not None
                ledger.consumed += self.days.used(ledger.running_since, at)
            ledger.running_since = None
        ledger.status = new

    @staticmethod
    def budget(model: Model, clock: str) -> int:
        if clock == "completion":
            return COMPLETION_BUDGET.get(model.classification or "", COMPLETION_FALLBACK)
        return BUDGET[clock]

    def compare(self, cid: str, model: Model) -> None:
        engine = self.s.engine
        snapshot = engine.store.load(cid)
        assert snapshot.complaint.state == model.state, "replaying the history does not give the state"
        assert set(snapshot.clocks) == set(model.ledgers)
        for name, stored in snapshot.clocks.items():
            mine = model.ledgers[name]
            assert (
                stored.status.value,
                stored.generation,
                stored.budget.value,
                stored.consumed,
                stored.running_since,
                stored.extended_by,
            ) == (
                mine.status,
                mine.generation,
                mine.budget,
                mine.consumed,
                mine.running_since,
                mine.extended_by,
            ), name
        deadlines = {d.clock: d for d in engine.deadlines(cid, SYSTEM)}
        for name, mine in model.ledgers.items():
            if mine.status != "running":
                assert name not in deadlines or deadlines[name].due is None
                continue
            at, local = self.days.due(mine)
            due = deadlines[name].due
            assert due is not None
            assert (due.at, due.local_date) == (at, local), name
            breach = next(r for r, back in RUNGS[name].items() if back == 0)
            timer = engine.store.timer(f"{cid}/{name}/{mine.generation}/{breach}")
            assert timer is not None, f"{name} runs without its {breach} timer"
            assert timer.status in (TimerStatus.PENDING, TimerStatus.FIRED)
        fired = set()
        for timer in engine.store.timers(cid):
            if timer.status is TimerStatus.FIRED:
                fired.add(timer.id)
            if timer.status is not TimerStatus.PENDING:
                continue
            ledger = model.ledgers[timer.clock]
            assert (ledger.status, ledger.generation) == ("running", timer.generation), f"pending {timer.id}"
            assert timer.due_at == self.days.rung(ledger, timer.clock, timer.rung), timer.id
            assert timer.due_at > self.s.clock.now(), f"{timer.id} is overdue and still pending"
        assert fired == model.fired_timers


NationalSop.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, derandomize=True, database=None
)
TestNationalSop = NationalSop.TestCase


def test_the_model_counts_days_like_the_sop_says() -> None:
    """The model's own arithmetic, on the holiday cluster of March 2026."""
    days = Days(Scenario(sops=["national"]))
    monday = datetime(2026, 3, 16, 10, 0, tzinfo=WIB)
    assert days.used(monday, datetime(2026, 3, 25, 9, 0, tzinfo=WIB)) == 2  # Tue 17, Wed 25
    ledger = Ledger("running", 1, 3, running_since=monday)
    assert days.due(ledger) == (datetime(2026, 3, 27, 0, 0, tzinfo=WIB), date(2026, 3, 26))
    assert days.rung(ledger, "verification", "warning") == datetime(2026, 3, 25, 7, 30, tzinfo=WIB)
    assert status_in("verification", "on_hold") == "paused"
    assert ClockStatus("paused").value == "paused"
