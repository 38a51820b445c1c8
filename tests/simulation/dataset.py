"""A recorded dataset whose answer under a 2-working-day verification is known by construction.

Eleven reports received in the first week of March 2026 (WIB) under the national SOP, each
verified and distributed on a chosen working day (day 1 is the first working day after
receipt), followed up two working days later and closed by the reporter (or left to the 10-day
no-reply rule); two are never verified and escalate when the 3-day verification passes, and
one is archived. With verification shortened to 2 working days, exactly the reports verified
on day 3 would have escalated first; those verified after day 3 escalated anyway.
Beside them, one report under another SOP and one received after the period, never replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from sp4n.persistence.sql import open_store
from sp4n.testing import Scenario

RECEIVED = [  # (receipt, working day of verification or None, how it ends)
    ("2026-03-02T09:00:00+07:00", 1, "closed"),
    ("2026-03-02T09:30:00+07:00", 2, "closed"),
    ("2026-03-02T10:00:00+07:00", 3, "closed"),
    ("2026-03-02T11:00:00+07:00", 2, "no_reply"),
    ("2026-03-03T08:15:00+07:00", 3, "closed"),
    ("2026-03-03T13:00:00+07:00", 1, "no_reply"),
    ("2026-03-03T14:00:00+07:00", 3, "no_reply"),
    ("2026-03-04T10:00:00+07:00", None, "closed"),  # never verified in time: escalated on day 3
    ("2026-03-04T11:00:00+07:00", 2, "closed"),
    ("2026-03-05T09:00:00+07:00", None, "no_reply"),
    ("2026-03-05T10:00:00+07:00", 1, "archived"),
]
VERIFY_AT = time(10, 30)
END = "2026-05-29T12:00:00+07:00"


@dataclass
class Dataset:
    """The database's URL and what is known of its reports, by tracking number."""

    url: str
    verified_on: dict[str, int | None] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)

    def verified_on_day(self, day: int) -> set[str]:
        """The tracking numbers of the reports verified on working day ``day``."""
        return {t for t, d in self.verified_on.items() if d == day}


def record(url: str) -> Dataset:
    """Record the dataset into the empty database at ``url``."""
    s = Scenario(sops=["national", "batam_24h"], start="2026-03-02T08:00:00+07:00", store=open_store(url, upgrade=True))
    data = Dataset(url)
    admin, agency = s.national_admin, "dinas_kesehatan"
    officer = s.liaison_officer(agency)
    steps: list[tuple[datetime, int, str]] = []  # (instant, report, what happens), in time order
    for i, (received, day, end) in enumerate(RECEIVED):
        receipt = datetime.fromisoformat(received)
        verified = _on(s, receipt, day if day is not None else 5, VERIFY_AT)
        steps += [(receipt, i, "submit"), (verified, i, "archive" if end == "archived" else "verify")]
        if end != "archived":
            followed = _on(s, verified, 2, time(9))
            steps.append((followed, i, "follow_up"))
            if end == "closed":
                steps.append((_on(s, followed, 1, time(8)), i, "close"))
    ids: dict[int, str] = {}
    try:
        for at, i, what in sorted(steps):
            s.advance_to(at)
            if what == "submit":
                ids[i] = s.submit(f"Laporan {i + 1}", category="kesehatan")
                data.verified_on[s.engine.store.load(ids[i]).complaint.tracking_number] = RECEIVED[i][1]
            elif what == "archive":
                s.fire(ids[i], "archive", admin, reason="bukan pengaduan")
            elif what == "verify":
                s.fire(ids[i], "verify", admin, classification="pengaduan", category="kesehatan")
                s.fire(ids[i], "distribute", admin, agency=agency)
            elif what == "follow_up":
                s.fire(ids[i], "follow_up", officer, response="sudah ditangani")
            else:
                s.fire(ids[i], "close")
            if at.date().isoformat() == "2026-03-05" and "Batam" not in str(data.others):
                data.others.append("Batam")
                s.submit("Laporan Batam", sop="batam_24h")  # another SOP: never replayed under the variant
        s.advance_to("2026-07-01T09:00:00+07:00")  # the 10-day no-reply rule closes the rest
        s.submit("Laporan Juli")  # after the period 2026-H1: never replayed
    finally:
        s.engine.close()
    return data


def _on(s: Scenario, start: datetime, days: int, at: time) -> datetime:
    """``at`` (local) on the working day ``days`` after ``start``'s local date."""
    return datetime.combine(s.calendar.add_working_days(start.date(), days), at, start.tzinfo)
