"""A dataset whose KPIs are known by construction: 100 complaints received on Monday 5 January
2026 at 09:00 WIB, driven through the national SOP by real commands and real deadlines, so that
83 end finished, 3 in process, 1 unverified and 13 not followed up (KemenPANRB's 2019 figures,
seed 001), with known working days to each step.

Working days of January 2026 (16 January is Isra Mi'raj): day 1 is Tue 6, day 2 Wed 7, day 3
Thu 8, day 4 Fri 9, day 5 Mon 12, day 6 Tue 13, ..., day 13 Fri 23, day 14 Mon 26.

=================  =====  ==========================================================================
group              count  path (day of each step)
=================  =====  ==========================================================================
closed             45     verify 1 or 2, distribute 2, follow up 3, reporter closes 4
replied            10     verify 1 or 2, distribute 2, follow up 3, reply 4, follow up 5, close 6
late follow-up     15     verify 1 or 2, distribute 2, follow up 5, reporter closes 6
no reply            5     verify 1 or 2, distribute 2, follow up 3, closed by the system (10 days)
in process          3     verify 1 or 2, distribute 2, follow up 5 (awaits the reporter)
not followed up    13     verify 1 or 2, distribute 2
archived            5     archived on day 1
referred            3     escalated by the deadline (after day 3), referred on day 4
unverified          1     escalated by the deadline, nothing since
=================  =====  ==========================================================================

Of the 91 verified, the first 50 are verified on day 1 by ``admin-a`` and the other 41 on day 2
by ``admin-b``. Distributed: the first 40 to dinkes_semarang, the next 30 to disdik_semarang
(both under kota_semarang, under prov_jateng, WIB), the last 21 to dinkes_kalsel (under
prov_kalsel, WITA). Channel: the first 60 of all 100 come by web, the rest by sms. The dataset
ends on day 14 at 10:00 WIB; one more complaint, confidential, is then received (in ISO week
2026-W05).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sp4n.agencies import build_agencies
from sp4n.persistence.sql import open_store
from sp4n.testing import Scenario
from sp4n.workflow import Actor

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 1, 5, 9, 0, tzinfo=WIB)
END = datetime(2026, 1, 26, 10, 0, tzinfo=WIB)

REGISTRY = {
    "agencies": [
        {"id": "prov_jateng", "name_id": "Pemprov Jawa Tengah", "kind": "pemprov", "zone": "WIB"},
        {"id": "kota_semarang", "name_id": "Pemkot Semarang", "kind": "pemkot", "parent": "prov_jateng"},
        {"id": "dinkes_semarang", "name_id": "Dinkes Semarang", "kind": "dinas", "parent": "kota_semarang"},
        {"id": "disdik_semarang", "name_id": "Disdik Semarang", "kind": "dinas", "parent": "kota_semarang"},
        {"id": "prov_kalsel", "name_id": "Pemprov Kalsel", "kind": "pemprov", "zone": "WITA"},
        {"id": "dinkes_kalsel", "name_id": "Dinkes Kalsel", "kind": "dinas", "parent": "prov_kalsel"},
    ]
}

COUNTS = {
    "closed": 45,
    "replied": 10,
    "late": 15,
    "no_reply": 5,
    "in_process": 3,
    "not_followed_up": 13,
    "archived": 5,
    "referred": 3,
    "unverified": 1,
}
VERIFY = {"classification": "pengaduan", "category": "kesehatan"}
ADMIN_A = Actor.national_admin("admin-a")
ADMIN_B = Actor.national_admin("admin-b")


def agency_of(index: int) -> str:
    """Where the ``index``-th verified complaint is distributed."""
    return "dinkes_semarang" if index < 40 else "disdik_semarang" if index < 70 else "dinkes_kalsel"


@contextmanager
def built(url: str) -> Iterator[Scenario]:
    """The dataset on the database at ``url``, its scenario left at :data:`END`."""
    store = open_store(url, upgrade=True)
    s = Scenario(start=START, store=store, agencies=build_agencies(REGISTRY))
    try:
        build(s)
        yield s
    finally:
        s.engine.close()
        store.close()


def build(s: Scenario) -> None:
    """Drive the 100 complaints (and the one after) as the module docstring says."""
    groups: dict[str, list[str]] = {}
    n = 0
    for group, count in COUNTS.items():
        for _ in range(count):
            channel = "web" if n < 60 else "sms"
            groups.setdefault(group, []).append(s.submit(f"Laporan {n}", channel=channel))
            n += 1
    verified = [
        cid for g in ("closed", "replied", "late", "no_reply", "in_process", "not_followed_up") for cid in groups[g]
    ]
    first, second = verified[:50], verified[50:]

    def liaison(cid: str) -> Actor:
        return s.liaison_officer(s.engine.store.load(cid).complaint.agency)

    s.advance_working_days(1)  # day 1
    for cid in first:
        s.fire(cid, "verify", ADMIN_A, **VERIFY)
    for cid in groups["archived"]:
        s.fire(cid, "archive", ADMIN_A, reason="bukan pelayanan publik")
    s.advance_working_days(1)  # day 2
    for cid in second:
        s.fire(cid, "verify", ADMIN_B, **VERIFY)
    for i, cid in enumerate(verified):
        s.fire(cid, "distribute", ADMIN_B, agency=agency_of(i))
    s.advance_working_days(1)  # day 3
    for cid in groups["closed"] + groups["replied"] + groups["no_reply"]:
        s.fire(cid, "follow_up", liaison(cid), response="sudah ditangani")
    s.advance_working_days(1)  # day 4: the unverified ones escalated overnight
    for cid in groups["closed"]:
        s.fire(cid, "close", Actor.reporter("warga-1"))
    for cid in groups["replied"]:
        s.fire(cid, "reply", Actor.reporter("warga-1"), message="belum selesai")
    for cid in groups["referred"]:
        s.fire(cid, "refer_to_ombudsman", Actor.reporter("warga-1"), reason="tidak ditanggapi")
    s.advance_working_days(1)  # day 5
    for cid in groups["replied"] + groups["late"] + groups["in_process"]:
        s.fire(cid, "follow_up", liaison(cid), response="sudah ditangani")
    s.advance_working_days(1)  # day 6
    for cid in groups["replied"] + groups["late"]:
        s.fire(cid, "close", Actor.reporter("warga-1"))
    s.advance_to(END)  # day 14: the no-reply ones closed themselves after day 13
    s.submit("Laporan sesudahnya", confidential=True)
