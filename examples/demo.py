"""sp4n demo (``make demo``): three months of complaints, March to May 2026, in a few seconds.

A ManualClock runs from Monday 2 March to Friday 29 May 2026. Every working day citizens file
reports, through the national SOP or, for COVID-19 reports, the 2020 fast track that routes them
straight to the authorized official; admins verify and distribute some of them, agencies follow
up on some, reporters reply to some. Everything else is left to the deadlines: reports nobody
verified escalate, follow-ups nobody answered close themselves.

It runs on an embedded SQLite file (``sp4n-demo.db`` in the working directory, created fresh;
``--reuse`` keeps an existing one, ``--database PATH`` picks another), which the demo names at the
end so it can be opened with any SQLite tool.

One report is followed closely: received Monday 16 March 2026 at 10:00 WIB, the week of Nyepi
and Idul Fitri. The demo prints its deadlines with the reasons for each date, its timeline, and
at the end a table of where every complaint ended up.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sp4n.calendars import WorkingCalendar
from sp4n.persistence import Complaint, Event
from sp4n.reports import kpis
from sp4n.reports.charts import league_svg, trend_svg
from sp4n.reports.page import report_page
from sp4n.testing import ManualClock, run_until
from sp4n.workflow import SYSTEM, Actor, Engine, Firing
from sp4n.workflow.worker import DeadlineWorker

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 3, 2, 8, 0, tzinfo=WIB)
END = datetime(2026, 5, 29, 17, 0, tzinfo=WIB)
FOLLOWED = datetime(2026, 3, 16, 10, 0, tzinfo=WIB)
AGENCIES = ("dinas_kesehatan", "dinas_pendidikan", "dinas_pu", "dinas_sosial")
CATEGORIES = ("kesehatan", "pendidikan", "infrastruktur", "bantuan_sosial")
CLASSIFICATIONS = ("pengaduan", "pengaduan", "aspirasi", "permintaan_informasi", "pengaduan_pengawasan")
COVID_TITLES = ("Bansos covid belum cair", "Vaksin covid di puskesmas habis", "Isolasi mandiri tanpa bantuan")


def section(title: str) -> None:
    """A heading."""
    print(f"\n{title}\n{'=' * len(title)}")


def local(instant: datetime) -> str:
    """An instant as local WIB time."""
    return f"{instant.astimezone(WIB):%a %d %b %H:%M}"


class Simulation:
    """The engine, its clock, the people, and a seeded random source so every run is the same."""

    def __init__(self, database_url: str, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.clock = ManualClock(START)
        self.calendar = WorkingCalendar.indonesia("WIB")
        counter = iter(range(1, 1_000_000))
        self.engine = Engine(
            sops=["national", "covid19_fasttrack"],
            calendar=self.calendar,
            clock=self.clock,
            database_url=database_url,
            id_factory=lambda: f"{next(counter):06d}",
        )
        self.admin = Actor.national_admin("admin-nasional")
        # deadlines are fired by a deadline worker, through its leases, as in production
        self.worker = DeadlineWorker(self.engine, batch=50)
        self.fired: list[Firing] = []
        self.open: list[str] = []
        self.followed = ""

    def staff(self, complaint: Complaint, trigger: str) -> Actor:
        """Someone who would fire ``trigger`` on the complaint."""
        if trigger in ("verify", "distribute", "hold", "resume", "archive", "reroute"):
            return self.admin
        if trigger == "reply":
            return Actor.reporter(complaint.reporter_id or "")
        return Actor.liaison_officer(f"penghubung-{complaint.agency}", complaint.agency or "")

    def submit_day(self) -> None:
        """A working day's new reports (about four), one of them perhaps about COVID-19."""
        for n in range(self.rng.randint(2, 6)):
            reporter = Actor.reporter(f"warga-{self.rng.randint(1, 5000)}")
            if self.rng.random() < 0.2:
                title = self.rng.choice(COVID_TITLES)
                view = self.engine.submit(reporter, title=title, sop="covid19_fasttrack", category="covid19")
            else:
                title = f"Laporan warga no. {n + 1}"
                view = self.engine.submit(reporter, title=title, anonymous=self.rng.random() < 0.3)
            self.open.append(view.id)

    def work_day(self) -> None:
        """Staff and reporters act on some open complaints; the rest waits for its deadlines."""
        plans = {
            "received": [("verify", 0.35), ("dispose", 0.5), ("archive", 0.02), ("hold", 0.03)],
            "on_hold": [("resume", 0.4)],
            "verified": [("distribute", 0.6)],
            "escalated": [("distribute", 0.3), ("verify", 0.3), ("follow_up", 0.3)],
            "distributed": [("follow_up", 0.12)],
            "followed_up": [("reply", 0.05)],
        }
        # one read of every open complaint a day; each command then loads its complaint itself
        for complaint in self.engine.store.complaints(self.open):
            if complaint.id == self.followed:
                continue
            if complaint.state in ("closed", "archived", "referred"):
                self.open.remove(complaint.id)
                continue
            for trigger, chance in plans.get(complaint.state, []):
                if self.rng.random() < chance:
                    self.act(complaint, trigger)
                    break

    def act(self, complaint: Complaint, trigger: str) -> None:
        """Fire one trigger with plausible data; commands the SOP refuses are simply not taken."""
        data = {
            "verify": {"classification": self.rng.choice(CLASSIFICATIONS), "category": self.rng.choice(CATEGORIES)},
            "distribute": {"agency": self.rng.choice(AGENCIES)},
            "dispose": {"unit": "bidang_pelayanan"},
            "follow_up": {"response": "Sudah ditindaklanjuti oleh unit terkait."},
            "reply": {"message": "Masalah belum selesai."},
            "archive": {"reason": "Bukan tentang pelayanan publik."},
            "hold": {"reason": "Menunggu keterangan tambahan."},
        }.get(trigger, {})
        if complaint.agency is None and trigger in ("follow_up", "dispose"):
            return  # nobody at an agency has it yet
        actor = self.staff(complaint, trigger)
        if trigger in self.engine.allowed_triggers(complaint.id, actor):
            self.engine.fire(complaint.id, trigger, actor, **data)

    def run_to(self, instant: datetime) -> None:
        """Let time pass to ``instant``, firing every deadline when it comes due."""
        self.fired.extend(run_until(self.engine, self.clock, instant, sweep=self.worker.sweep))

    def days(self) -> list[date]:
        """The working days of the simulation."""
        out, day = [], START.date()
        while day <= END.date():
            if self.calendar.is_working_day(day):
                out.append(day)
            day += timedelta(days=1)
        return out


def follow_one(sim: Simulation) -> None:
    """The report of 16 March: its deadlines at receipt, explained."""
    reporter = Actor.reporter("warga-ibu-sari", name="Ibu Sari")
    view = sim.engine.submit(reporter, title="Puskesmas Kelurahan tutup saat jam pelayanan", category="kesehatan")
    sim.followed = view.id
    section(f"Report {view.tracking_number}, received {local(FOLLOWED)} WIB")
    for deadline in sim.engine.deadlines(view.id, SYSTEM):
        if deadline.clock == "verification":
            print(deadline.explain("en"))
            print()
            print(deadline.explain("id"))


def advance_followed(sim: Simulation, day: date) -> None:
    """What the admin, the agency and the reporter do with the followed report, by date."""
    cid = sim.followed
    if day == date(2026, 3, 25):
        sim.engine.fire(cid, "verify", sim.admin, classification="pengaduan", category="kesehatan")
    elif day == date(2026, 3, 26):
        sim.engine.fire(cid, "distribute", sim.admin, agency="dinas_kesehatan")
    elif day == date(2026, 4, 8):
        officer = Actor.liaison_officer("penghubung-dinkes", "dinas_kesehatan")
        sim.engine.fire(cid, "follow_up", officer, response="Jam layanan puskesmas sudah dipulihkan.")


def timeline(sim: Simulation) -> None:
    """Every event of the followed report."""
    section("Its timeline")
    for event in sim.engine.history(sim.followed, SYSTEM):
        what = event.trigger or event.payload.get("event") or event.kind
        moved = f"{event.source} -> {event.dest}" if event.source != event.dest and event.source else event.dest
        print(f"  {local(event.at)}  {event.actor_role:<16} {event.kind:<20} {what:<26} {moved}")


def outcome_table(sim: Simulation) -> None:
    """Where every complaint ended up, per SOP."""
    complaints = sim.engine.store.complaints()
    section(f"Where {len(complaints)} complaints stood on {local(END)} WIB")
    counts = Counter((c.sop_id, c.state) for c in complaints)
    states = sorted({state for _, state in counts})
    sops = ("national", "covid19_fasttrack")
    print(f"  {'state':<14}" + "".join(f"{s:>20}" for s in sops) + f"{'all':>8}")
    for state in states:
        row = [counts[(sop, state)] for sop in sops]
        print(f"  {state:<14}" + "".join(f"{n:>20}" for n in row) + f"{sum(row):>8}")
    escalated = {
        e.complaint_id for c in complaints for e in sim.engine.history(c.id, SYSTEM) if _by_deadline(e, "escalate")
    }
    closed = {e.complaint_id for c in complaints for e in sim.engine.history(c.id, SYSTEM) if _by_deadline(e, "close")}
    by_worker = Counter(f.trigger for f in sim.fired if f.outcome == "fired")
    print(f"\n  transitions fired by the deadline worker: {dict(sorted(by_worker.items()))}")
    print(f"  complaints escalated at least once by a deadline: {len(escalated)}")
    print(f"  complaints closed by the 10-working-day no-reply rule: {len(closed)}")


RECAP_BOOK = [  # a puskesmas' WhatsApp recap of the last days, typed in at once
    {"judul": "Antrean obat terlalu lama", "tanggal_diterima": "25/05/2026 09:10", "kanal": "whatsapp",
     "kategori": "kesehatan", "klasifikasi": "pengaduan", "instansi": "dinas_kesehatan", "id_eksternal": "WA-PKM-101"},
    {"judul": "Dokter tidak hadir", "tanggal_diterima": "26/05/2026", "kanal": "telepon",
     "kategori": "Kesehatan", "klasifikasi": "Aspirasi", "instansi": "dinas_kesehatan", "anonim": "ya"},
    {"judul": "Ambulans terlambat", "tanggal_diterima": "28/05/2026 16:40", "kanal": "tatap_muka",
     "kategori": "kesehatan", "instansi": "dinas_kesehatan", "nama_pelapor": "Pak Joko"},
]  # fmt: skip


def recap_book(sim: Simulation) -> None:
    """Take in a small recap book with backdated receipts, then list what is due by tomorrow."""
    admin = Actor.agency_admin("admin-kes", "dinas_kesehatan")
    result = sim.engine.import_book(RECAP_BOOK, admin)
    section(f"A recap book of {len(result.rows)} complaints, taken in on {local(END)} WIB")
    for row in result.rows:
        view = sim.engine.lookup(admin, tracking_number=row.tracking_number)
        print(f"  baris {row.row}: {row.tracking_number}  received {local(view.submitted_at)}  {row.title}")
    again = sim.engine.import_book(RECAP_BOOK, admin)
    print(f"  imported again: {again.count('known')} known, nothing written")
    page = sim.engine.find(admin, agency="dinas_kesehatan", due_within=1, order="due", limit=10)
    section("dinas_kesehatan: due by the end of the next working day")
    for view in page.items:
        assert view.next_due_at is not None
        print(f"  {view.tracking_number}  due {local(view.next_due_at)}  {view.state:<12} {view.title}")


def kpi_page(sim: Simulation, path: Path) -> None:
    """The KPI report of the three months (by agency, and per week) as one static HTML page."""
    admin = Actor.national_admin("admin-nasional")
    by_agency = kpis(sim.engine, admin, period="2026-H1", by=["agency"])
    spring = [kpis(sim.engine, admin, period=p, by=["agency"]) for p in ("2026-03", "2026-04", "2026-05")]
    weekly = kpis(sim.engine, admin, period="2026-H1", by=["week"])
    march = kpis(sim.engine, admin, period="2026-03", by=["channel"])
    section("KPIs of March to May 2026 (docs/reports.md defines them)")
    for report in spring:
        t = report.total
        follow = "-" if t.to_follow_up.mean is None else f"{t.to_follow_up.mean:.1f}"
        rate = "-" if t.completion_rate is None else f"{t.completion_rate:.0%}"
        print(
            f"  {report.period.label}: {t.received} received, {rate} selesai, {follow} working days to follow-up "
            f"on average, {t.escalated} escalated"
        )
    charts = [trend_svg(weekly), league_svg(by_agency)]
    page = report_page("sp4n demo: KPI SP4N-LAPOR! Maret - Mei 2026", [*spring, march], charts)
    path.write_text(page, encoding="utf-8")
    print(f"  the KPI report (tables and charts) is in {path}")


def _by_deadline(event: Event, trigger: str) -> bool:
    return event.kind == "deadline_transition" and event.trigger == trigger


def open_database(argv: list[str]) -> tuple[str, Path]:
    """The SQLite URL of the demo database, created fresh unless ``--reuse`` is given."""
    parser = argparse.ArgumentParser(description="sp4n demo: three months of complaints on SQLite")
    parser.add_argument("--database", type=Path, default=Path("sp4n-demo.db"), help="the SQLite file")
    parser.add_argument("--reuse", action="store_true", help="keep the complaints of an earlier run")
    args = parser.parse_args(argv)
    path: Path = args.database.resolve()
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", path


def main(argv: list[str] | None = None) -> int:
    """Run the simulation and print the followed report, its timeline and the outcome table."""
    url, path = open_database(argv or [])
    sim = Simulation(url)
    for day in sim.days():
        sim.run_to(datetime.combine(day, time(8, 0), WIB))
        if day == FOLLOWED.date():
            sim.run_to(FOLLOWED)
            follow_one(sim)
        if sim.followed:
            advance_followed(sim, day)
        sim.submit_day()
        sim.run_to(datetime.combine(day, time(14, 0), WIB))
        sim.work_day()
    sim.run_to(END)
    timeline(sim)
    outcome_table(sim)
    recap_book(sim)
    kpi_page(sim, path.with_name("sp4n-demo-kpi.html"))
    sim.engine.close()
    print(f"\nThe complaints, their events and timers are in the SQLite file {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
