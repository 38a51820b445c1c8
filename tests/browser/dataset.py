"""A seeded monitoring room: three weeks of reports to Jawa Tengah's agencies, deadlines fired
on the way, ending on Wednesday 4 March 2026, 10:00 WIB (the time the served page starts at).

Deterministic (one seeded random generator, a ManualClock): the same database every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sp4n.errors import TransitionNotAllowed
from sp4n.testing import ManualClock, run_until
from sp4n.workflow import Actor, Engine

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 1, 19, 8, 0, tzinfo=WIB)
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=WIB)
REGISTRY = Path(__file__).resolve().parents[2] / "examples" / "agencies" / "registry.yaml"
AGENCIES = ("dinkes_semarang", "disdik_semarang", "dpu_semarang", "dinkes_banyumas", "dinkes_jateng")
CATEGORIES = {
    "dinkes_semarang": "kesehatan",
    "disdik_semarang": "pendidikan",
    "dpu_semarang": "infrastruktur",
    "dinkes_banyumas": "kesehatan",
    "dinkes_jateng": "kesehatan",
}
TITLES = (
    "Jalan berlubang di depan pasar",
    "Antrean puskesmas terlalu lama",
    "Pungutan seragam sekolah",
    "Lampu jalan mati sepekan",
    "Obat tidak tersedia di apotek puskesmas",
    "Saluran air tersumbat",
    "Guru sering tidak hadir",
    "Pelayanan KTP lambat",
)
NATIONAL = Actor.national_admin("admin-nasional")


@dataclass(frozen=True)
class Seeded:
    """What a test needs to know of the seeded data."""

    secret_titles: frozenset[str]
    """Titles only confidential reports carry (the public must never see them)."""
    reporter_names: frozenset[str]
    """Names of reporters (the public never sees them)."""
    anonymous_reporters: frozenset[str]
    """Ids and names of anonymous reporters."""


def seed(url: str) -> Seeded:
    """Fill the database at ``url`` (upgraded, empty) and leave its clock at NOW."""
    rng = random.Random(13)
    clock = ManualClock(START)
    engine = Engine(database_url=url, clock=clock, agencies=REGISTRY)
    secret: set[str] = set()
    names: set[str] = set()
    anonymous: set[str] = set()
    ids: list[str] = []
    try:
        n = 0
        while clock.now() < NOW:
            local = clock.now().astimezone(WIB)
            if local.weekday() < 5 and 8 <= local.hour < 16:
                for _ in range(rng.randint(1, 3)):
                    n += 1
                    person = Actor.reporter(f"warga-{n:03d}", name=f"Warga Nomor {n}")
                    anon, confidential = rng.random() < 0.2, rng.random() < 0.12
                    title = f"{TITLES[n % len(TITLES)]} ({n})"
                    if confidential:
                        title = f"Rahasia: {title}"
                        secret.add(title)
                    names.add(f"Warga Nomor {n}")
                    if anon:
                        anonymous.update({person.id, f"Warga Nomor {n}"})
                    view = engine.submit(person, title=title, anonymous=anon, confidential=confidential)
                    ids.append(view.id)
                for cid in ids:
                    _step(engine, rng, cid)
            run_until(engine, clock, min(clock.now() + timedelta(hours=2), NOW.astimezone(clock.now().tzinfo)))
        return Seeded(frozenset(secret), frozenset(names), frozenset(anonymous))
    finally:
        engine.close()


def _step(engine: Engine, rng: random.Random, cid: str) -> None:
    """Maybe move one complaint on, as staff would."""
    view = engine.get(cid, NATIONAL)
    try:
        if view.state == "received" and rng.random() < 0.3:
            category = rng.choice(sorted(set(CATEGORIES.values())))
            engine.fire(cid, "verify", NATIONAL, classification="pengaduan", category=category)
        elif rng.random() < {"verified": 0.4, "escalated": 0.05}.get(view.state, 0.0):
            engine.fire(cid, "distribute", NATIONAL, agency=rng.choice(AGENCIES))
        elif view.state == "distributed" and rng.random() < 0.08:
            staff = Actor.agency_admin(f"admin-{view.agency}", str(view.agency))
            engine.fire(cid, "follow_up", staff, response="Sudah ditindaklanjuti oleh petugas lapangan.")
        elif view.state == "followed_up" and rng.random() < 0.15:
            engine.fire(cid, "close", Actor.reporter(str(view.reporter_id)))
    except TransitionNotAllowed:
        pass
