"""What a replay came to, in a few counts that both sides of a simulation are compared on.

Counted the same way on both replays (the one under the complaints' own SOP and the variant's),
from each in-memory engine's store: the path of each complaint and its clock runs (read model).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sp4n.persistence.base import Store
from sp4n.persistence.records import RunOutcome
from sp4n.simulation.paths import Step


@dataclass(frozen=True)
class Outcome:
    """Counts of one replay: complaints, where they ended, what deadlines did, what was refused."""

    complaints: int
    final_states: Mapping[str, int] = field(default_factory=dict)
    """Complaints by the state they ended in."""
    by_deadline: Mapping[str, int] = field(default_factory=dict)
    """Complaints a deadline moved at least once, by the trigger it fired (``escalate``: the
    escalations; ``close``: the closures by the no-reply rule of the national SOP)."""
    breached: int = 0
    """Complaints with a clock run that ended, or still runs, past its due instant."""
    refused: int = 0
    """Recorded actions the SOP did not allow where the complaint stood."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {
            "complaints": self.complaints,
            "final_states": dict(self.final_states),
            "by_deadline": dict(self.by_deadline),
            "breached": self.breached,
            "refused": self.refused,
        }

    def rows(self) -> dict[str, int]:
        """Every count under one flat name, as a table shows them."""
        rows = {"complaints": self.complaints}
        rows.update({f"ended {state}": n for state, n in sorted(self.final_states.items())})
        rows.update({f"{trigger} by a deadline": n for trigger, n in sorted(self.by_deadline.items())})
        rows["breached"] = self.breached
        rows["refused actions"] = self.refused
        return rows


def outcome_of(store: Store, paths: Mapping[str, tuple[Step, ...]], refused: int, until: datetime) -> Outcome:
    """The outcome of the complaints of ``paths`` (by id) as ``store`` holds them at ``until``."""
    final = Counter(path[-1].dest for path in paths.values() if path)
    moved: Counter[str] = Counter()
    for path in paths.values():
        moved.update({s.trigger for s in path if s.by_deadline})
    breached = sum(1 for cid in paths if _breached(store, cid, until))
    return Outcome(len(paths), dict(final), dict(moved), breached, refused)


def _breached(store: Store, complaint_id: str, until: datetime) -> bool:
    return any(
        run.outcome is RunOutcome.BREACHED
        or (run.outcome is RunOutcome.RUNNING and run.due_at is not None and run.due_at <= until)
        for run in store.clock_runs(complaint_id)
    )
