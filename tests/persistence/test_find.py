"""Engine.find, lookups, history and deadlines: filters, keyset pages, and the privacy of `get`,
on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from sp4n.errors import (
    ComplaintNotFound,
    ComplaintNotVisible,
    DuplicateComplaint,
    InvalidArgumentError,
    InvalidData,
    PermissionDenied,
)
from sp4n.persistence import Store
from sp4n.testing import Scenario
from sp4n.workflow import Actor
from sp4n.workflow.views import HIDDEN

from .backends import AGENCY, VERIFY, scenario, store_fixture  # noqa: F401

OTHER = "dinas_pendidikan"
ADMIN = Actor.national_admin("admin-nasional")
STAFF = Actor.agency_admin("admin-kes", AGENCY)
OTHER_STAFF = Actor.agency_admin("admin-pend", OTHER)
SITI = Actor.reporter("warga-siti", name="Siti")
BUDI = Actor.reporter("warga-budi", name="Budi")


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def ids(page: object) -> list[str]:
    return [v.title for v in page.items]  # type: ignore[attr-defined]


@pytest.fixture
def world(store: Store) -> Scenario:
    """Six reports over three days: two agencies, one confidential, one anonymous."""
    s = scenario(store)
    e = s.engine
    e.submit(SITI, title="a-kes", category="kesehatan", channel="sms", attributes={"rt": "003"})
    s.advance(hours=1)
    e.submit(BUDI, title="b-pend", category="pendidikan", confidential=True)
    s.advance(hours=1)
    anon = e.submit(SITI, title="c-anon", anonymous=True, attributes={"hp": "0812"}, external_id="LAPOR-77")
    s.advance(days=1)
    secret = e.submit(SITI, title="d-rahasia", confidential=True)
    s.advance(hours=1)
    e.submit(BUDI, title="e-budi", channel="whatsapp")
    for view, agency in ((anon, AGENCY), (secret, AGENCY)):
        e.fire(view.id, "verify", ADMIN, **VERIFY)
        e.fire(view.id, "distribute", ADMIN, agency=agency)
    b = e.find(ADMIN, state="received", channel="web", limit=10).items
    pend = next(v for v in b if v.title == "b-pend")
    e.fire(pend.id, "verify", ADMIN, **VERIFY)
    e.fire(pend.id, "distribute", ADMIN, agency=OTHER)
    s.advance(days=1)
    e.submit(SITI, title="f-lama", received_at=s.clock.now() - timedelta(days=6))  # backdated: overdue
    return s


def test_filters(world: Scenario) -> None:
    e = world.engine
    assert ids(e.find(ADMIN)) == ["f-lama", "a-kes", "b-pend", "c-anon", "d-rahasia", "e-budi"]
    assert ids(e.find(ADMIN, state="distributed")) == ["b-pend", "c-anon", "d-rahasia"]
    assert ids(e.find(ADMIN, state=["received", "distributed"], channel="sms")) == ["a-kes"]
    assert ids(e.find(ADMIN, agency=AGENCY)) == ["c-anon", "d-rahasia"]
    assert ids(e.find(ADMIN, category="pendidikan")) == []  # verified as kesehatan
    assert ids(e.find(ADMIN, category="kesehatan")) == ["a-kes", "b-pend", "c-anon", "d-rahasia"]
    assert ids(e.find(ADMIN, classification="pengaduan", agency=OTHER)) == ["b-pend"]
    assert ids(e.find(ADMIN, sop="national", reporter=BUDI.id)) == ["b-pend", "e-budi"]
    start = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert ids(e.find(ADMIN, submitted_from=start, submitted_until=start + timedelta(days=1))) == [
        "d-rahasia",
        "e-budi",
    ]
    assert ids(e.find(ADMIN, breached=True)) == ["f-lama"]
    assert ids(e.find(ADMIN, unit="bidang_x")) == []
    assert ids(e.find(ADMIN, external_id="LAPOR-77")) == ["c-anon"]
    tuesday_noon = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)  # when three were verified and distributed
    changed = e.find(ADMIN, updated_from=tuesday_noon, updated_until=tuesday_noon + timedelta(hours=1))
    assert ids(changed) == ["b-pend", "c-anon", "d-rahasia", "e-budi"]
    assert ids(e.find(ADMIN, updated_until=tuesday_noon)) == ["a-kes"]


def test_due_order_and_due_within(world: Scenario) -> None:
    e = world.engine
    by_due = e.find(ADMIN, order="due")
    dues = [v.next_due_at for v in by_due.items]
    assert dues == sorted(dues)
    assert None not in dues
    assert by_due.items[0].title == "f-lama"
    soon = e.find(ADMIN, due_within=1, order="due")
    horizon = datetime(2026, 3, 6, 0, 0, tzinfo=world.calendar.tzinfo)  # end of Thursday 5 March (WIB)
    assert [v.title for v in soon.items] == [v.title for v in by_due.items if v.next_due_at <= horizon]
    assert ids(e.find(ADMIN, due_before=horizon, order="due")) == ids(soon)
    assert "f-lama" in ids(soon)
    assert len(soon.items) < len(by_due.items)


def test_pages_follow_each_other_by_cursor(world: Scenario) -> None:
    e = world.engine
    for order in ("submitted", "due"):
        everything = ids(e.find(ADMIN, order=order, limit=500))
        seen, cursor = [], None
        while True:
            page = e.find(ADMIN, order=order, limit=2, cursor=cursor)
            seen += ids(page)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == everything


def test_bad_queries_are_refused(world: Scenario) -> None:
    e = world.engine
    page = e.find(ADMIN, limit=2)
    assert page.next_cursor is not None
    expected = "the next_cursor of a page of this same query (same filters, order and viewer)"
    with pytest.raises(InvalidData, match=exactly(f"cursor={page.next_cursor!r} is invalid: {expected}")):
        e.find(ADMIN, limit=2, cursor=page.next_cursor, channel="sms")
    with pytest.raises(InvalidData, match=exactly(f"cursor={page.next_cursor!r} is invalid: {expected}")):
        e.find(STAFF, limit=2, cursor=page.next_cursor)
    with pytest.raises(InvalidData, match=exactly(f"cursor='xyz' is invalid: {expected}")):
        e.find(ADMIN, cursor="xyz")
    with pytest.raises(InvalidData, match=exactly("limit=0 is invalid: a whole number from 1 to 500")):
        e.find(ADMIN, limit=0)
    with pytest.raises(InvalidData, match=exactly("order='latest' is invalid: 'due' or 'submitted'")):
        e.find(ADMIN, order="latest")
    with pytest.raises(InvalidData, match=r"^colour='red' is invalid: a filter of find\(\); not one of "):
        e.find(ADMIN, colour="red")
    with pytest.raises(
        InvalidData, match=exactly("due_within=-1 is invalid: a whole number of working days, 0 or more")
    ):
        e.find(ADMIN, due_within=-1)
    with pytest.raises(InvalidData, match=exactly("agency='' is invalid: a non-empty string")):
        e.find(ADMIN, agency="")
    naive = "updated_from='2026-03-03' is invalid: expected a timezone-aware datetime"
    with pytest.raises(InvalidArgumentError, match=exactly(naive)):
        e.find(ADMIN, updated_from="2026-03-03")


def test_lists_show_what_get_shows(world: Scenario) -> None:
    e = world.engine
    public = e.find(None, limit=500).items
    assert [v.title for v in public] == ["f-lama", "a-kes", "c-anon", "e-budi"]  # no confidential report
    assert all(v.reporter_id is None and v.attributes == {} and v.external_id is None for v in public)
    assert [v.title for v in e.find(STAFF).items] == ["f-lama", "a-kes", "c-anon", "d-rahasia", "e-budi"]
    assert [v.title for v in e.find(OTHER_STAFF).items] == ["f-lama", "a-kes", "b-pend", "c-anon", "e-budi"]
    assert [v.title for v in e.find(SITI, reporter=SITI.id).items] == ["f-lama", "a-kes", "c-anon", "d-rahasia"]
    assert [v.title for v in e.find(BUDI).items] == ["f-lama", "a-kes", "b-pend", "c-anon", "e-budi"]
    for actor in (None, STAFF, OTHER_STAFF, SITI, BUDI, ADMIN):
        for view in e.find(actor, limit=500).items:
            assert view == e.get(view.id, actor)
    anon = next(v for v in e.find(STAFF).items if v.title == "c-anon")
    assert (anon.reporter_id, anon.reporter_name, anon.attributes) == (None, HIDDEN, {})
    assert anon.external_id == "LAPOR-77"
    own = next(v for v in e.find(SITI).items if v.title == "a-kes")
    assert (own.reporter_id, own.attributes) == (SITI.id, {"rt": "003"})
    assert next(v for v in e.find(ADMIN).items if v.title == "c-anon").attributes == {"hp": "0812"}


def test_a_list_by_reporter_never_tells_who_filed_what_the_viewer_may_not_see(world: Scenario) -> None:
    e = world.engine
    assert ids(e.find(ADMIN, reporter=SITI.id)) == ["f-lama", "a-kes", "c-anon", "d-rahasia"]
    assert ids(e.find(SITI, reporter=SITI.id)) == ["f-lama", "a-kes", "c-anon", "d-rahasia"]
    # agency staff see the reporter of their agency's reports unless anonymous: c-anon is left out
    assert ids(e.find(STAFF, reporter=SITI.id)) == ["d-rahasia"]
    assert ids(e.find(OTHER_STAFF, reporter=SITI.id)) == []
    assert ids(e.find(OTHER_STAFF, reporter=BUDI.id)) == ["b-pend"]
    public = "reporter='warga-siti' is invalid: a filter the public may not use (it sees no reporter)"
    with pytest.raises(InvalidData, match=exactly(public)):
        e.find(None, reporter=SITI.id)
    other = "reporter='warga-siti' is invalid: a reporter lists by reporter only their own reports"
    with pytest.raises(InvalidData, match=exactly(other)):
        e.find(BUDI, reporter=SITI.id)


def test_lookups(world: Scenario) -> None:
    e = world.engine
    anon = e.lookup(ADMIN, external_id="LAPOR-77")
    prefix, day, serial = anon.tracking_number.split("-")
    typed = f" {prefix.lower()}-{day}-{serial.replace('0', 'o').lower()} "  # as read out on the phone
    assert e.lookup(STAFF, tracking_number=typed) == e.get(anon.id, STAFF)
    secret = next(v for v in e.find(ADMIN).items if v.title == "d-rahasia")
    with pytest.raises(ComplaintNotVisible):
        e.lookup(None, tracking_number=secret.tracking_number)
    with pytest.raises(PermissionDenied, match=f"agency {AGENCY!r}, not {OTHER!r}"):
        e.lookup(OTHER_STAFF, tracking_number=secret.tracking_number)
    with pytest.raises(ComplaintNotFound, match="LAPOR-78"):
        e.lookup(ADMIN, external_id="LAPOR-78")
    with pytest.raises(InvalidData, match="either a tracking number or an external id"):
        e.lookup(ADMIN)
    with pytest.raises(
        DuplicateComplaint,
        match=exactly("a complaint with external_id='LAPOR-77' is already stored; external_id must be unique"),
    ):
        e.submit(SITI, title="again", external_id="LAPOR-77")


def test_history_and_deadlines_keep_the_privacy_of_get(world: Scenario) -> None:
    e = world.engine
    secret = next(v for v in e.find(ADMIN).items if v.title == "d-rahasia")
    for read in (e.history, e.deadlines):
        with pytest.raises(ComplaintNotVisible):
            read(secret.id, None)
        with pytest.raises(PermissionDenied):
            read(secret.id, OTHER_STAFF)
        with pytest.raises(PermissionDenied):
            read(secret.id, BUDI)
        assert read(secret.id, STAFF) == read(secret.id, ADMIN)
    anon = e.lookup(ADMIN, external_id="LAPOR-77")
    e.fire(anon.id, "follow_up", Actor.liaison_officer("p", AGENCY), response="sudah")
    e.fire(anon.id, "reply", SITI, message="belum")
    full = e.history(anon.id, ADMIN)
    assert full[0].payload["attributes"] == {"hp": "0812"}
    assert full[-1].actor_id == SITI.id
    for viewer in (STAFF, None, BUDI):
        seen = e.history(anon.id, viewer)
        assert SITI.id not in repr(seen)
        assert "0812" not in repr(seen)
        assert "Siti" not in repr(seen)
        assert seen[-1].actor_id == HIDDEN
        assert [x.seq for x in seen] == [x.seq for x in full]
    assert e.history(anon.id, ADMIN) == full  # the store is untouched


def test_a_liaison_officer_with_units_lists_only_their_units_confidential_reports(store: Store) -> None:
    # Before, find let a liaison officer list a confidential report of another unit of their
    # agency, which get refuses them.
    s = scenario(store)
    e = s.engine
    for title, unit in (("rahasia-a", "puskesmas_a"), ("rahasia-b", "puskesmas_b")):
        cid = e.submit(SITI, title=title, category="kesehatan", confidential=True).id
        e.fire(cid, "verify", ADMIN, **VERIFY)
        e.fire(cid, "distribute", ADMIN, agency=AGENCY, unit=unit)
    officer_a = Actor.liaison_officer("penghubung-a", AGENCY, units=("puskesmas_a",))
    assert ids(e.find(officer_a)) == ["rahasia-a"]
    assert ids(e.find(Actor.liaison_officer("penghubung-all", AGENCY))) == ["rahasia-a", "rahasia-b"]
    other = e.find(STAFF).items[1]
    with pytest.raises(PermissionDenied, match="assigned to unit 'puskesmas_b', not to puskesmas_a"):
        e.get(other.id, officer_a)
