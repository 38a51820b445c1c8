"""The engine's API: validation, errors and their messages, privacy, audit chain, idempotency, versions.

Every error is matched on its whole message, and every refused command is checked to have changed
nothing: not the complaint, its clocks, its history, its timers nor the feed.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from sp4n.errors import (
    ComplaintNotFound,
    ComplaintNotVisible,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidArgumentError,
    InvalidData,
    MissingData,
    NaiveDatetimeError,
    PermissionDenied,
    SopNotFoundError,
    TransitionNotAllowed,
    UnknownZoneError,
)
from sp4n.persistence import ChangeSet, MemoryStore, Snapshot, TimerStatus
from sp4n.states import build_sop, builtin_sop
from sp4n.testing import ManualClock, Scenario
from sp4n.workflow import SYSTEM, Actor, Engine, Firing, retry_on_conflict
from sp4n.workflow.views import HIDDEN, ComplaintView

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")
START = "2026-03-02T09:00:00+07:00"  # Monday 2 March 2026
AGENCY = "dinas_kesehatan"
CATEGORIES = (
    "administrasi_kependudukan, bantuan_sosial, dana_desa, infrastruktur, kesehatan, ketenagakerjaan, "
    "lingkungan_hidup, pendidikan, perizinan, lainnya"
)
CLASSIFICATIONS = "aspirasi, pengaduan, pengaduan_pengawasan, permintaan_informasi"


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"c{next(counter)}"


def scenario(**options: Any) -> Scenario:
    options.setdefault("start", START)
    return Scenario(sops=["national"], id_factory=ids(), **options)


def end_of(day: date, zone: ZoneInfo = WIB) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), zone)


def opening_of(day: date) -> datetime:
    """07:30 WIB on ``day``: when a warning "N working days before" comes."""
    return datetime.combine(day, time(7, 30), WIB)


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def stored(engine: Engine, cid: str) -> tuple[Any, ...]:
    """Everything the store holds about a complaint, to compare before and after a command."""
    snapshot = engine.store.load(cid)
    return (
        snapshot.complaint,
        snapshot.clocks,
        [(e.seq, e.hash) for e in engine.history(cid, SYSTEM)],
        [(t.id, t.status, t.due_at) for t in engine.store.timers(cid)],
        [(e.complaint_id, e.event_seq) for e in engine.feed.entries(0, 10_000)],
    )


def verified(s: Scenario) -> str:
    cid = s.submit()
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    return cid


def distributed(s: Scenario, agency: str = AGENCY) -> str:
    cid = verified(s)
    s.fire(cid, "distribute", agency=agency)
    return cid


# ---------------------------------------------------------------- submit


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"title": ""}, InvalidData, "title='' is invalid: a non-empty string"),
        ({"title": "   "}, InvalidData, "title='   ' is invalid: a non-empty string"),
        ({"title": None}, InvalidData, "title=None is invalid: a non-empty string"),
        (
            {"classification": "keluhan"},
            InvalidData,
            f"classification='keluhan' is invalid: one of {CLASSIFICATIONS}",
        ),
        ({"category": "covid19"}, InvalidData, f"category='covid19' is invalid: one of {CATEGORIES}"),
        ({"category": ""}, InvalidData, "category='' is invalid: a non-empty string"),
        (
            {"channel": ""},
            InvalidData,
            "channel='' is invalid: a non-empty string, such as web, sms or whatsapp",
        ),
        (
            {"channel": 1708},
            InvalidData,
            "channel=1708 is invalid: a non-empty string, such as web, sms or whatsapp",
        ),
        ({"anonymous": "ya"}, InvalidData, "anonymous='ya' is invalid: true or false"),
        ({"confidential": 1}, InvalidData, "confidential=1 is invalid: true or false"),
        ({"agency": " "}, InvalidData, "agency=' ' is invalid: a non-empty string"),
        ({"sop": "jateng"}, SopNotFoundError, "SOP 'jateng' is not known; known: national@"),
    ],
)
def test_submit_refuses_bad_fields_and_stores_nothing(
    fields: dict[str, Any], error: type[Exception], message: str
) -> None:
    s = scenario()
    values = {"title": "Jalan rusak", **fields}
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        s.engine.submit(s.reporter, **values)
    assert list(s.engine.store.complaint_ids()) == []
    assert s.engine.next_due_at() is None
    assert s.engine.feed.entries(0, 10) == []


@pytest.mark.parametrize("actor", [Actor.ombudsman("ombudsman-1"), SYSTEM], ids=["ombudsman", "system"])
def test_only_reporters_and_staff_submit(actor: Actor) -> None:
    s = scenario()
    message = f"complaint '(new)': {actor} may not fire 'submit': only reporters and agency or national staff submit"
    with pytest.raises(PermissionDenied, match=exactly(message)):
        s.engine.submit(actor, title="Jalan rusak")
    assert list(s.engine.store.complaint_ids()) == []


def test_submit_records_who_what_and_when() -> None:
    s = scenario()
    view = s.engine.submit(
        s.reporter,
        title="  Jalan rusak  ",
        description="Lubang besar di Jl. Merdeka",
        channel="sms",
        classification="pengaduan",
        category="infrastruktur",
    )
    assert (view.id, view.tracking_number, view.state, view.title, view.channel) == (
        "c1",
        "SP4N-20260302-000001",
        "received",
        "Jalan rusak",
        "sms",
    )
    assert (view.reporter_id, view.reporter_name, view.zone, view.version) == (
        "warga-1",
        "Warga Satu",
        "Asia/Jakarta",
        1,
    )
    assert view.submitted_at == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    event = s.engine.history("c1", SYSTEM)[0]
    assert (event.seq, event.kind, event.actor_id, event.source, event.dest) == (
        1,
        "submitted",
        "warga-1",
        None,
        "received",
    )
    assert event.payload == {
        "title": "  Jalan rusak  ",
        "description": "Lubang besar di Jl. Merdeka",
        "channel": "sms",
        "category": "infrastruktur",
        "classification": "pengaduan",
    }
    assert event.sop_version == builtin_sop("national").version


def test_agency_staff_submit_for_their_own_agency() -> None:
    s = scenario()
    view = s.engine.submit(s.agency_admin(), title="Pengaduan via WhatsApp", channel="whatsapp", reporter_id="wa-0812")
    assert (view.agency, view.reporter_id) == (AGENCY, "wa-0812")
    assert s.engine.allowed_triggers(view.id, s.agency_admin()) == ("verify", "hold", "archive")


# ---------------------------------------------------------------- fire: every error, nothing changed


def refused_commands(s: Scenario, cid: str) -> list[tuple[Callable[[], object], type[Exception], str]]:
    other_agency = s.agency_admin("dinas_pendidikan")
    return [
        (
            lambda: s.engine.fire(cid, "follow_up", s.national_admin, response="x"),
            TransitionNotAllowed,
            "complaint 'c1': trigger 'follow_up' is not allowed in state 'received'; allowed: verify, hold, archive",
        ),
        (
            lambda: s.engine.fire(cid, "teleport", s.national_admin),
            TransitionNotAllowed,
            "complaint 'c1': trigger 'teleport' is not allowed in state 'received'; allowed: verify, hold, archive",
        ),
        (
            lambda: s.engine.fire(cid, "verify", s.reporter, classification="pengaduan", category="kesehatan"),
            PermissionDenied,
            "complaint 'c1': reporter 'warga-1' may not fire 'verify': only national_admin, agency_admin may fire it",
        ),
        (
            lambda: s.engine.fire(cid, "verify", other_agency, classification="pengaduan", category="kesehatan"),
            PermissionDenied,
            "complaint 'c1': agency_admin 'admin-dinas_pendidikan'@dinas_pendidikan may not fire 'verify': "
            "the complaint is assigned to agency 'dinas_kesehatan', not 'dinas_pendidikan'",
        ),
        (
            lambda: s.engine.fire(cid, "archive", SYSTEM, reason="x"),
            PermissionDenied,
            "complaint 'c1': system 'system' may not fire 'archive': system acts only through deadlines",
        ),
        (
            lambda: s.engine.fire(cid, "verify", s.national_admin, classification="pengaduan"),
            MissingData,
            "complaint 'c1': trigger 'verify' requires category",
        ),
        (
            lambda: s.engine.fire(cid, "verify", s.national_admin, classification="", category=None),
            MissingData,
            "complaint 'c1': trigger 'verify' requires classification, category",
        ),
        (
            lambda: s.engine.fire(cid, "verify", s.national_admin, classification="keluhan", category="kesehatan"),
            InvalidData,
            f"classification='keluhan' is invalid: one of {CLASSIFICATIONS}",
        ),
        (
            lambda: s.engine.fire(
                cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan", anonymous="ya"
            ),
            InvalidData,
            "anonymous='ya' is invalid: true or false",
        ),
        (
            lambda: s.engine.fire(
                cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan", seen=date(2026, 3, 1)
            ),
            InvalidData,
            "seen=datetime.date(2026, 3, 1) is invalid: JSON data: text, numbers, booleans, null, lists and objects",
        ),
        (
            lambda: s.engine.fire(cid, "hold", s.national_admin, idempotency_key="  ", reason="x"),
            InvalidData,
            "idempotency_key='  ' is invalid: a non-empty string",
        ),
        (
            lambda: s.engine.get(cid),
            ComplaintNotVisible,
            "complaint 'c1' is confidential (rahasia) and not visible to the public",
        ),
        (
            lambda: s.engine.get(cid, other_agency),
            PermissionDenied,
            "complaint 'c1': agency_admin 'admin-dinas_pendidikan'@dinas_pendidikan may not fire 'view': "
            "the complaint is assigned to agency 'dinas_kesehatan', not 'dinas_pendidikan'",
        ),
    ]


def test_every_refused_command_names_the_reason_and_changes_nothing() -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY, confidential=True)
    before = stored(s.engine, cid)
    commands = refused_commands(s, cid)
    assert len(commands) == 13
    for command, error, message in commands:
        with pytest.raises(error, match=exactly(message)):
            command()
        assert stored(s.engine, cid) == before


def test_an_unassigned_complaint_is_not_yet_the_agencys() -> None:
    s = scenario()
    cid = s.submit()
    before = stored(s.engine, cid)
    message = (
        f"complaint 'c1': agency_admin 'admin-{AGENCY}'@{AGENCY} may not fire 'hold': "
        "the complaint is not assigned to an agency yet"
    )
    with pytest.raises(PermissionDenied, match=exactly(message)):
        s.fire(cid, "hold", s.agency_admin(), reason="x")
    assert stored(s.engine, cid) == before


@pytest.mark.parametrize(
    "call",
    [
        lambda e, a: e.fire("nope", "verify", a, classification="pengaduan", category="kesehatan"),
        lambda e, a: e.get("nope", a),
        lambda e, a: e.allowed_triggers("nope", a),
        lambda e, a: e.history("nope", SYSTEM),
        lambda e, a: e.deadlines("nope", SYSTEM),
    ],
    ids=["fire", "get", "allowed_triggers", "history", "deadlines"],
)
def test_an_unknown_complaint_is_not_found(call: Callable[[Engine, Actor], object]) -> None:
    s = scenario()
    with pytest.raises(ComplaintNotFound, match=exactly("complaint 'nope' does not exist")):
        call(s.engine, s.national_admin)


def test_refused_extension_changes_nothing() -> None:
    s = scenario()
    cid = distributed(s)
    before = stored(s.engine, cid)
    message = (
        "extend_by='15 working days' is invalid: extensions of 'completion' total at most 14 working days (0 used)"
    )
    with pytest.raises(InvalidData, match=exactly(message)):
        s.fire(cid, "extend", extend_by="15 working days", reason="x")
    assert stored(s.engine, cid) == before


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Actor("", "reporter"), InvalidData, "actor.id='' is invalid: a non-empty string"),
        (
            lambda: Actor("x", "mayor"),
            InvalidData,
            "actor.role='mayor' is invalid: one of reporter, national_admin, agency_admin, liaison_officer, "
            "ombudsman, system",
        ),
        (
            lambda: Actor("x", "liaison_officer"),
            InvalidData,
            "actor.agency=None is invalid: the agency this liaison_officer works for",
        ),
        (
            lambda: Engine(sops=["national"], store=MemoryStore(), agency_zones={"dinas_mars": "Mars/Olympus"}),
            UnknownZoneError,
            "agency_zones['dinas_mars']='Mars/Olympus' is not a known time zone",
        ),
        (lambda: Engine(sops=["jateng"], store=MemoryStore()), SopNotFoundError, "SOP 'jateng' is not known"),
        (lambda: retry_on_conflict(lambda: None, attempts=0), ValueError, "attempts=0 must be at least 1"),
        (
            lambda: Engine(sops=["national"], store=MemoryStore(), database_url="sqlite:///ignored.db"),
            InvalidData,
            "database_url='sqlite:///ignored.db' is invalid: either a store or a database_url, not both",
        ),
    ],
    ids=["actor-id", "actor-role", "actor-agency", "zone", "sop", "attempts", "store-and-url"],
)
def test_configuration_errors(make: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        make()


# ---------------------------------------------------------------- allowed triggers


def test_allowed_triggers_follow_role_state_and_agency() -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY)
    other = Actor.reporter("warga-2")
    admin, officer, foreign = s.agency_admin(), s.liaison_officer(), s.agency_admin("dinas_pendidikan")
    expected = {
        "received": {
            s.national_admin: ("verify", "hold", "archive"),
            admin: ("verify", "hold", "archive"),
            officer: (),
            foreign: (),
            s.reporter: (),
            other: (),
            s.ombudsman: (),
            SYSTEM: (),
        },
        "distributed": {
            s.national_admin: (),
            admin: ("not_authority", "follow_up", "extend"),
            officer: ("not_authority", "follow_up"),
            foreign: (),
            s.reporter: (),
        },
        "followed_up": {
            s.reporter: ("reply", "close"),
            other: (),
            admin: (),
            s.national_admin: (),
            SYSTEM: (),
        },
    }
    for state, by_actor in expected.items():
        if state == "distributed":
            s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
            s.fire(cid, "distribute", agency=AGENCY)
        if state == "followed_up":
            s.fire(cid, "follow_up", officer, response="Sudah diperbaiki")
        assert s.state(cid) == state
        for actor, triggers in by_actor.items():
            assert s.engine.allowed_triggers(cid, actor) == triggers, (state, str(actor))


def test_allowed_triggers_are_fireable_by_that_actor() -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY)
    for trigger in s.engine.allowed_triggers(cid, s.agency_admin()):
        probe = scenario()
        pid = probe.submit(agency=AGENCY)
        data = {"classification": "aspirasi", "category": "lainnya", "reason": "uji"}
        assert probe.fire(pid, trigger, probe.agency_admin(), **data).version == 2


# ---------------------------------------------------------------- privacy


def test_an_anonymous_reporter_is_hidden_from_the_agency_but_not_from_the_national_admin() -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY, anonymous=True)
    agency_view = s.engine.get(cid, s.agency_admin())
    assert (agency_view.reporter_id, agency_view.reporter_name, agency_view.anonymous) == (None, HIDDEN, True)
    officer_view = s.engine.get(cid, s.liaison_officer())
    assert (officer_view.reporter_id, officer_view.reporter_name) == (None, HIDDEN)
    for actor in (s.national_admin, s.ombudsman, s.reporter):
        view = s.engine.get(cid, actor)
        assert (view.reporter_id, view.reporter_name) == ("warga-1", "Warga Satu")
    public = s.engine.get(cid)
    assert (public.reporter_id, public.reporter_name, public.title) == (None, HIDDEN, "Jalan rusak di depan sekolah")


def test_the_public_never_sees_who_reported() -> None:
    s = scenario()
    cid = s.submit()
    public = s.engine.get(cid, None)
    assert (public.reporter_id, public.reporter_name) == (None, None)
    agency = scenario()
    aid = agency.submit(agency=AGENCY)
    view = agency.engine.get(aid, agency.agency_admin())
    assert (view.reporter_id, view.reporter_name) == ("warga-1", "Warga Satu")  # not anonymous


def test_a_confidential_report_is_hidden_from_the_public_only() -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY, confidential=True)
    with pytest.raises(
        ComplaintNotVisible, match=exactly("complaint 'c1' is confidential (rahasia) and not visible to the public")
    ):
        s.engine.get(cid, None)
    assert s.engine.get(cid, s.agency_admin()).confidential is True
    assert s.engine.get(cid, s.national_admin).reporter_id == "warga-1"


def test_the_admin_may_make_a_report_anonymous_when_verifying() -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY)
    s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan", anonymous=True)
    assert s.engine.get(cid, s.agency_admin()).reporter_name == HIDDEN


def test_another_citizen_or_agency_sees_a_report_as_the_public_does() -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY)
    public = s.engine.get(cid, None)
    assert s.engine.get(cid, Actor.reporter("warga-2")) == public
    assert s.engine.get(cid, Actor.agency_admin("admin-disdik", "dinas_pendidikan")) == public
    assert public.reporter_id is None
    assert s.engine.get(cid, s.reporter).reporter_id == "warga-1"  # their own report, in full


def test_another_citizen_cannot_see_a_confidential_report() -> None:
    s = scenario()
    cid = s.submit(confidential=True)
    message = "complaint 'c1': reporter 'warga-2' may not fire 'view': a reporter may act only on their own reports"
    with pytest.raises(PermissionDenied, match=exactly(message)):
        s.engine.get(cid, Actor.reporter("warga-2"))


# ---------------------------------------------------------------- history and its hash chain


def test_history_is_a_hash_chain() -> None:
    s = scenario()
    cid = distributed(s)
    s.advance_working_days(6)  # first_response overdue, completion warnings
    s.fire(cid, "follow_up", s.liaison_officer(), response="Sudah ditangani")
    s.advance_working_days(11)  # reminder, then auto-close
    history = s.engine.history(cid, SYSTEM)
    assert [e.kind for e in history] == [
        "submitted",
        "transition",
        "transition",
        "deadline",
        "transition",
        "deadline",
        "deadline_transition",
    ]
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert history[0].prev_hash == ""
    for previous, event in itertools.pairwise(history):
        assert event.prev_hash == previous.hash
    for event in history:
        assert event.compute_hash() == event.hash
        assert len(event.hash) == 64
    fed = {e.event_seq: e for e in s.engine.feed.entries(0, 100) if e.complaint_id == cid}
    assert [fed[e.seq].event for e in history] == history  # every event enters the feed, whole
    assert fed[7].kind == "deadline_transition"


def test_editing_a_stored_event_breaks_the_chain() -> None:
    s = scenario()
    cid = verified(s)
    event = s.engine.history(cid, SYSTEM)[1]
    original = event.hash
    event.payload["category"] = "lainnya"
    assert event.compute_hash() != original


# ---------------------------------------------------------------- subscribers


def test_subscribers_get_every_committed_event_until_they_unsubscribe() -> None:
    s = scenario()
    seen: list[tuple[str, int, str]] = []
    unsubscribe = s.engine.subscribe(lambda e: seen.append((e.complaint_id, e.seq, e.kind)))
    cid = s.submit()
    s.advance_working_days(4)  # warning, then the breach escalates
    assert seen == [("c1", 1, "submitted"), ("c1", 2, "deadline"), ("c1", 3, "deadline_transition")]
    unsubscribe()
    unsubscribe()  # twice is harmless
    s.fire(cid, "archive", s.national_admin, reason="duplikat")
    assert len(seen) == 3


def test_refused_commands_publish_nothing() -> None:
    s = scenario()
    cid = s.submit()
    seen: list[object] = []
    s.engine.subscribe(seen.append)
    with pytest.raises(MissingData):
        s.fire(cid, "archive", s.national_admin)
    assert seen == []


def test_a_failing_subscriber_does_not_break_the_command(caplog: pytest.LogCaptureFixture) -> None:
    s = scenario()
    seen: list[int] = []

    def broken(event: object) -> None:
        raise RuntimeError("SMS gateway down")

    s.engine.subscribe(broken)
    s.engine.subscribe(lambda e: seen.append(e.seq))
    with caplog.at_level(logging.ERROR, logger="sp4n.engine"):
        cid = s.submit()
        view = s.fire(cid, "hold", s.national_admin, reason="x")
    assert view.state == "on_hold"
    assert s.state(cid) == "on_hold"
    assert seen == [1, 2]
    failures = [r for r in caplog.records if r.name == "sp4n.engine"]
    assert len(failures) == 2
    assert "failed on event c1/1" in failures[0].getMessage()
    assert failures[0].exc_info is not None


# ---------------------------------------------------------------- idempotency


def test_submit_with_the_same_key_creates_one_complaint() -> None:
    s = scenario()
    first = s.engine.submit(s.reporter, title="Jalan rusak", channel="sms", idempotency_key="sms-0812-001")
    s.advance(minutes=5)
    again = s.engine.submit(s.reporter, title="Jalan rusak", channel="sms", idempotency_key="sms-0812-001")
    assert again == first
    assert list(s.engine.store.complaint_ids()) == ["c1"]
    assert len(s.engine.history("c1", SYSTEM)) == 1


def test_fire_with_the_same_key_returns_the_first_result_and_writes_nothing() -> None:
    s = scenario()
    cid = s.submit()
    first = s.engine.fire(cid, "hold", s.national_admin, reason="klarifikasi", idempotency_key="k-1")
    before = stored(s.engine, cid)
    seen: list[object] = []
    s.engine.subscribe(seen.append)
    s.advance(hours=1)
    again = s.engine.fire(cid, "hold", s.national_admin, reason="klarifikasi", idempotency_key="k-1")
    assert again == first
    assert stored(s.engine, cid) == before
    assert seen == []


@pytest.mark.parametrize(
    "retry",
    [
        lambda s, cid: s.engine.fire(cid, "hold", s.national_admin, reason="lain", idempotency_key="k-1"),
        lambda s, cid: s.engine.fire(cid, "archive", s.national_admin, reason="klarifikasi", idempotency_key="k-1"),
        lambda s, cid: s.engine.fire(
            cid, "hold", Actor.national_admin("admin-2"), reason="klarifikasi", idempotency_key="k-1"
        ),
        lambda s, cid: s.engine.submit(s.reporter, title="Lain", idempotency_key="k-1"),
    ],
    ids=["other-data", "other-trigger", "other-actor", "submit"],
)
def test_the_same_key_for_another_command_is_a_conflict(retry: Callable[[Scenario, str], object]) -> None:
    s = scenario()
    cid = s.submit()
    s.engine.fire(cid, "hold", s.national_admin, reason="klarifikasi", idempotency_key="k-1")
    before = stored(s.engine, cid)
    with pytest.raises(
        IdempotencyConflict, match=exactly("idempotency key 'k-1' was already used for a different command")
    ):
        retry(s, cid)
    assert stored(s.engine, cid) == before
    assert list(s.engine.store.complaint_ids()) == ["c1"]


def test_a_retried_routed_submission_returns_what_the_first_returned() -> None:
    # A routing rule with a trigger moves the complaint on right after it is filed; a channel
    # that retries the submission must get that same answer back, not the complaint before routing.
    flood = build_sop(
        {
            "id": "banjir",
            "extends": "national",
            "title": "Banjir: langsung eskalasi",
            "routing": [{"name": "banjir", "keywords": ["banjir"], "agency": "bpbd", "trigger": "escalate"}],
        }
    )
    s = Scenario(sops=[flood], start=START, id_factory=ids())
    first = s.engine.submit(s.reporter, title="Banjir di Jalan Sudirman", sop="banjir", idempotency_key="sms-77")
    assert (first.state, first.agency, first.version) == ("escalated", "bpbd", 2)
    again = s.engine.submit(s.reporter, title="Banjir di Jalan Sudirman", sop="banjir", idempotency_key="sms-77")
    assert len(s.engine.history(first.id, SYSTEM)) == 2
    assert again == first


class RetryingChannelStore(MemoryStore):
    """A MemoryStore where a channel's retry of the same command arrives while the first is in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.retry: Callable[[], object] | None = None
        self.retried: object = None

    def idempotency(self, key: str) -> Any:
        record = super().idempotency(key)
        retry, self.retry = self.retry, None
        if retry is not None:
            self.retried = retry()
        return record


def test_a_retry_racing_the_first_submission_does_not_create_a_second_complaint() -> None:
    # Both commands look the key up before either has saved; the store must keep the key unique
    # (as the SQL store's unique constraint does) and the engine must answer the retry with the
    # first result.
    store = RetryingChannelStore()
    s = scenario(store=store)
    store.retry = lambda: s.engine.submit(s.reporter, title="Jalan rusak", channel="sms", idempotency_key="sms-9")
    second = s.engine.submit(s.reporter, title="Jalan rusak", channel="sms", idempotency_key="sms-9")
    assert list(store.complaint_ids()) == ["c1"]
    assert second == store.retried


def test_a_refused_command_does_not_use_up_its_key() -> None:
    s = scenario()
    cid = s.submit()
    with pytest.raises(MissingData):
        s.engine.fire(cid, "hold", s.national_admin, idempotency_key="k-2")
    assert s.engine.store.idempotency("k-2") is None
    assert s.engine.fire(cid, "hold", s.national_admin, idempotency_key="k-2", reason="x").state == "on_hold"


# ---------------------------------------------------------------- SOP versions are pinned


def national_with_verification(budget: str) -> Any:
    text = resources.files("sp4n.states").joinpath("builtin/national.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    clock = next(c for c in data["clocks"] if c["name"] == "verification")
    clock["budget"] = budget
    return build_sop(data, source="national-5wd")


def test_a_complaint_stays_on_the_sop_version_it_was_submitted_under() -> None:
    s = scenario()
    old = s.submit()
    old_version = builtin_sop("national").version
    newer = national_with_verification("5 working days")
    assert newer.version != old_version
    s.engine.register(newer)
    new = s.submit()
    assert s.engine.get(old, s.national_admin).sop_version == old_version
    assert s.engine.get(new, s.national_admin).sop_version == newer.version
    old_due = next(d for d in s.engine.deadlines(old, SYSTEM) if d.clock == "verification")
    new_due = next(d for d in s.engine.deadlines(new, SYSTEM) if d.clock == "verification")
    assert (str(old_due.budget), old_due.due.local_date) == ("3 working days", date(2026, 3, 5))  # type: ignore[union-attr]
    assert (str(new_due.budget), new_due.due.local_date) == ("5 working days", date(2026, 3, 9))  # type: ignore[union-attr]
    s.advance_to(end_of(date(2026, 3, 5)))
    assert (s.state(old), s.state(new)) == ("escalated", "received")
    s.fire(old, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    assert {e.sop_version for e in s.engine.history(old, SYSTEM)} == {old_version}
    assert {e.sop_version for e in s.engine.history(new, SYSTEM)} == {newer.version}
    assert sorted(s.engine.registry.versions()) == sorted([("national", old_version), ("national", newer.version)])


# ---------------------------------------------------------------- optimistic locking


def test_two_snapshots_saved_against_one_version_conflict() -> None:
    s = scenario()
    cid = s.submit()
    first, second = s.engine.store.load(cid), s.engine.store.load(cid)

    def change(snapshot: Snapshot, title: str) -> ChangeSet:
        complaint = snapshot.complaint.copy()
        complaint.title = title
        complaint.version += 1
        return ChangeSet(complaint=complaint, expected_version=snapshot.complaint.version)

    s.engine.store.save(change(first, "Judul pertama"))
    message = "complaint 'c1' changed concurrently: expected version 1, found 2; reload it and retry"
    with pytest.raises(ConcurrencyConflict, match=exactly(message)) as caught:
        s.engine.store.save(change(second, "Judul kedua"))
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert s.engine.store.load(cid).complaint.title == "Judul pertama"


class RacingStore(MemoryStore):
    """A MemoryStore that lets another command in right after the next load, once."""

    def __init__(self) -> None:
        super().__init__()
        self.race: Callable[[], object] | None = None
        self.conflicts = 0

    def load(self, complaint_id: str) -> Snapshot:
        snapshot = super().load(complaint_id)
        race, self.race = self.race, None
        if race is not None:
            race()
        return snapshot

    def save(self, change: ChangeSet) -> None:
        try:
            super().save(change)
        except ConcurrencyConflict:
            self.conflicts += 1
            raise


def test_a_command_that_loses_the_race_raises_and_changes_nothing() -> None:
    store = RacingStore()
    s = scenario(store=store)
    cid = s.submit()
    store.race = lambda: s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    message = "complaint 'c1' changed concurrently: expected version 1, found 2; reload it and retry"
    with pytest.raises(ConcurrencyConflict, match=exactly(message)):
        s.fire(cid, "archive", s.national_admin, reason="duplikat")
    assert s.state(cid) == "verified"
    assert [e.trigger for e in s.engine.history(cid, SYSTEM)] == [None, "verify"]


def test_a_fire_at_an_expected_version_refuses_once_the_complaint_moved_on() -> None:
    s = scenario()
    cid = s.submit()
    before = stored(s.engine, cid)
    data = {"classification": "pengaduan", "category": "kesehatan"}
    message = "complaint 'c1' changed concurrently: expected version 2, found 1; reload it and retry"
    with pytest.raises(ConcurrencyConflict, match=exactly(message)):
        s.engine.fire(cid, "verify", s.national_admin, expected_version=2, **data)
    for wrong in (0, "1", True):
        with pytest.raises(InvalidArgumentError, match=f"^expected_version={wrong!r} is invalid: expected a whole"):
            s.engine.fire(cid, "verify", s.national_admin, expected_version=wrong, **data)
    assert stored(s.engine, cid) == before
    assert s.engine.fire(cid, "verify", s.national_admin, expected_version=1, **data).version == 2


def test_retry_on_conflict_reloads_and_applies_the_command() -> None:
    store = RacingStore()
    s = scenario(store=store)
    cid = s.submit()
    store.race = lambda: s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    view = retry_on_conflict(lambda: s.fire(cid, "archive", s.national_admin, reason="duplikat"))
    assert store.conflicts == 1
    assert (view.state, view.version) == ("archived", 3)
    assert [(e.trigger, e.source) for e in s.engine.history(cid, SYSTEM)[1:]] == [
        ("verify", "received"),
        ("archive", "verified"),
    ]


def test_retry_on_conflict_reports_the_reason_a_command_no_longer_applies() -> None:
    store = RacingStore()
    s = scenario(store=store)
    cid = s.submit()
    store.race = lambda: s.fire(cid, "archive", s.national_admin, reason="duplikat")
    message = "complaint 'c1': trigger 'hold' is not allowed in state 'archived'; allowed: none"
    with pytest.raises(TransitionNotAllowed, match=exactly(message)):
        retry_on_conflict(lambda: s.fire(cid, "hold", s.national_admin, reason="x"))


def test_retry_on_conflict_gives_up_after_its_attempts() -> None:
    calls: list[int] = []

    def always() -> None:
        calls.append(1)
        raise ConcurrencyConflict("c1", 1, 2)

    with pytest.raises(ConcurrencyConflict):
        retry_on_conflict(always, attempts=2)
    assert len(calls) == 2


# ---------------------------------------------------------------- zones


def test_an_agency_in_papua_counts_its_deadlines_in_wit() -> None:
    s = scenario(agency_zones={"dinas_papua": "WIT"}, start="2026-03-16T10:00:00+07:00")
    cid = s.submit(agency="dinas_papua")
    view = s.engine.get(cid, s.national_admin)
    assert view.zone == "Asia/Jayapura"
    due = next(d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == "verification").due
    assert due is not None
    assert (due.zone, due.local_date) == ("Asia/Jayapura", date(2026, 3, 26))
    assert due.at == end_of(date(2026, 3, 26), WIT) == datetime(2026, 3, 26, 15, 0, tzinfo=UTC)
    assert "(WIT)" in next(d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == "verification").explain()
    s.advance_to(due.at - timedelta(seconds=1))
    assert s.state(cid) == "received"
    s.advance(seconds=1)
    assert s.state(cid) == "escalated"


def test_a_late_evening_report_in_jakarta_is_already_tomorrow_in_papua() -> None:
    s = scenario(agency_zones={"dinas_papua": "Asia/Jayapura"}, start="2026-03-02T23:30:00+07:00")
    jakarta = s.submit()
    papua = s.submit(agency="dinas_papua")
    assert s.engine.get(papua, s.national_admin).tracking_number.startswith("SP4N-20260303-")
    assert s.engine.get(jakarta, s.national_admin).tracking_number.startswith("SP4N-20260302-")
    # Mon 23:30 WIB is Tue 01:30 WIT: day 1 is Tue 3 March in Jakarta but Wed 4 March in Papua.
    assert s.due(jakarta, "verification").at == end_of(date(2026, 3, 5))
    assert s.due(papua, "verification").at == end_of(date(2026, 3, 6), WIT)


def test_distributing_to_an_agency_in_another_zone_rearms_the_running_clocks() -> None:
    s = scenario(agency_zones={"dinas_papua": "WIT"}, start="2026-03-02T23:30:00+07:00")
    cid = verified(s)
    before = next(d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == "ombudsman_eligibility")
    s.fire(cid, "distribute", agency="dinas_papua")
    after = next(d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == "ombudsman_eligibility")
    assert s.engine.get(cid, s.national_admin).zone == "Asia/Jayapura"
    assert (after.generation, after.consumed) == (before.generation + 1, 0)
    assert before.due.local_date == date(2026, 6, 10)  # type: ignore[union-attr]
    assert after.due.local_date == date(2026, 6, 11)  # type: ignore[union-attr]
    assert after.due.at == end_of(date(2026, 6, 11), WIT)  # type: ignore[union-attr]
    stale = s.engine.store.timer(f"{cid}/ombudsman_eligibility/{before.generation}/eligible")
    assert stale is not None
    assert stale.status is TimerStatus.STALE


def test_a_complaint_rerouted_to_an_agency_without_a_zone_counts_in_the_default_zone() -> None:
    # An agency missing from agency_zones is in default_zone when a complaint is submitted to it;
    # it must be the same when the complaint is re-routed to it from an agency in Papua.
    s = scenario(agency_zones={"dinas_papua": "WIT"})
    cid = s.submit(agency="dinas_papua")
    s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    s.fire(cid, "distribute", s.national_admin, agency="dinas_papua")
    s.fire(cid, "not_authority", s.liaison_officer("dinas_papua"), reason="kewenangan kementerian")
    s.fire(cid, "reroute", s.national_admin, agency="kemenkes")
    fresh = s.submit(agency="kemenkes")
    assert s.engine.get(fresh, s.national_admin).zone == "Asia/Jakarta"
    assert s.engine.get(cid, s.national_admin).zone == "Asia/Jakarta"


# ---------------------------------------------------------------- timers: stale, once, late


def test_a_stopped_clock_never_fires() -> None:
    s = scenario()
    cid = verified(s)
    pending = {t.id: t for t in s.engine.store.timers(cid) if t.clock == "verification"}
    assert set(pending) == {"c1/verification/1/warning", "c1/verification/1/breach"}
    s.fire(cid, "distribute", agency=AGENCY)
    s.clock.set(end_of(date(2026, 3, 6)))  # well past the verification breach
    firings = s.engine.run_due()
    assert [f for f in firings if f.clock == "verification"] == []
    assert all(s.engine.store.timer(t).status is TimerStatus.STALE for t in pending)  # type: ignore[union-attr]
    assert "verification" not in " ".join(s.events(cid))
    # Even a worker holding an old copy of the pending timer closes it as stale.
    late = s.engine.deadlines_runner.fire_timer(pending["c1/verification/1/breach"], s.clock.now())
    assert (late.outcome, late.trigger) == ("stale", None)
    assert s.state(cid) == "distributed"
    assert [e.kind for e in s.engine.history(cid, SYSTEM)] == ["submitted", "transition", "transition"]


def test_nothing_fires_twice() -> None:
    s = scenario()
    cid = s.submit()
    s.clock.set(end_of(date(2026, 3, 4)))
    first = s.engine.run_due()
    assert [(f.timer_id, f.outcome) for f in first] == [("c1/verification/1/warning", "emitted")]
    assert s.engine.run_due() == []
    assert s.engine.run_due() == []
    # A second worker with a stale copy of the same timer finds it already fired.
    timer = s.engine.store.timer("c1/verification/1/warning")
    assert timer is not None
    assert timer.status is TimerStatus.FIRED
    timer.status = TimerStatus.PENDING
    again = s.engine.deadlines_runner.fire_timer(timer, s.clock.now())
    assert (again.outcome, again.error) == ("stale", "timer already fired by another process")
    assert s.events(cid) == ["submitted:received", "deadline:verification.warning"]


def test_a_worker_that_was_down_catches_up_in_due_order() -> None:
    s = scenario()
    cid = distributed(s)
    s.fire(cid, "follow_up", s.liaison_officer(), response="Sudah ditangani")
    # Followed up Mon 2 March: auto-close at the end of Mon 16 March (day 10), reminder 2 working days
    # before it, on Thu 12 March at opening.
    s.clock.set(datetime(2026, 3, 17, 9, 0, tzinfo=WIB))
    firings = s.engine.run_due()
    assert [(f.rung, f.outcome) for f in firings] == [("reminder", "missed"), ("auto_close", "fired")]
    assert [f.due_at for f in firings] == [opening_of(date(2026, 3, 12)), end_of(date(2026, 3, 16))]
    assert firings[1].lateness_seconds == 9 * 3600
    assert s.state(cid) == "closed"
    assert s.events(cid)[-2:] == ["deadline_missed:followed_up", "deadline_transition:close"]


def test_late_grace_is_15_minutes_by_default() -> None:
    reminder = opening_of(date(2026, 3, 12))  # reporter_response reminder (late: miss)
    for lateness, outcome in ((timedelta(minutes=15), "emitted"), (timedelta(minutes=15, seconds=1), "missed")):
        s = scenario()
        cid = distributed(s)
        s.fire(cid, "follow_up", s.liaison_officer(), response="Sudah ditangani")
        s.clock.set(reminder + lateness)
        assert [(f.rung, f.outcome, f.lateness_seconds) for f in s.engine.run_due()] == [
            ("reminder", outcome, lateness.total_seconds())
        ]


def test_run_due_returns_firings() -> None:
    s = scenario()
    s.submit()
    s.clock.set(end_of(date(2026, 3, 5)))
    firings = s.engine.run_due()
    assert all(isinstance(f, Firing) for f in firings)
    assert [(f.clock, f.rung, f.outcome, f.trigger) for f in firings] == [
        ("verification", "warning", "emitted", None),
        ("verification", "breach", "fired", "escalate"),
    ]
    assert firings[0].lateness_seconds == (end_of(date(2026, 3, 5)) - opening_of(date(2026, 3, 4))).total_seconds()


# ---------------------------------------------------------------- time is always aware


def test_manual_clock_rejects_naive_datetimes() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    message = (
        "start=datetime.datetime(2026, 3, 2, 9, 0) is a naive datetime; give a timezone-aware one "
        "(e.g. with tzinfo=ZoneInfo('Asia/Jakarta') or a '+07:00' offset)"
    )
    with pytest.raises(NaiveDatetimeError, match=exactly(message)):
        ManualClock(naive)
    clock = ManualClock(START)
    with pytest.raises(
        NaiveDatetimeError, match=r"^instant=datetime\.datetime\(2026, 3, 3, 9, 0\) is a naive datetime"
    ):
        clock.set(datetime(2026, 3, 3, 9, 0))
    with pytest.raises(NaiveDatetimeError, match=r"^instant=datetime\.datetime\(2026, 3, 3, 9, 0\) is a naive"):
        clock.set("2026-03-03T09:00:00")
    assert clock.now() == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_manual_clock_never_goes_back() -> None:
    clock = ManualClock(START)
    message = (
        "instant=datetime.datetime(2026, 3, 1, 2, 0, tzinfo=datetime.timezone.utc) is invalid: "
        "expected an instant not before now (2026-03-02T02:00:00+00:00)"
    )
    with pytest.raises(InvalidArgumentError, match=exactly(message)):
        clock.set("2026-03-01T09:00:00+07:00")
    with pytest.raises(InvalidArgumentError, match=r"^delta=datetime\.timedelta\(days=-1, seconds=86399\) is invalid"):
        clock.advance(seconds=-1)
    with pytest.raises(
        InvalidArgumentError, match=exactly("start='kemarin' is invalid: expected an ISO 8601 instant with an offset")
    ):
        ManualClock("kemarin")


def test_scenario_rejects_a_naive_target_with_a_clear_message() -> None:
    s = scenario()
    s.submit()  # so that a timer is pending
    with pytest.raises(NaiveDatetimeError, match=r"is a naive datetime; give a timezone-aware one"):
        s.advance_to(datetime(2026, 3, 10, 9, 0))
    with pytest.raises(NaiveDatetimeError, match=r"is a naive datetime; give a timezone-aware one"):
        s.advance_to("2026-03-10T09:00")


def test_an_engine_clock_that_returns_naive_datetimes_is_refused() -> None:
    class NaiveClock:
        def now(self) -> datetime:
            return datetime(2026, 3, 2, 9, 0)

    store = MemoryStore()
    message = r"^clock\.now\(\)=datetime\.datetime\(2026, 3, 2, 9, 0\) is a naive datetime"
    with pytest.raises(NaiveDatetimeError, match=message):
        Engine(sops=["national"], clock=NaiveClock(), store=store).submit(
            Actor.reporter("warga-1"), title="Jalan rusak"
        )
    assert list(store.complaint_ids()) == []


def test_every_view_a_command_returns_has_every_field() -> None:
    """make_view fills a view's fields at once (not through __init__): none may be missing."""
    s = scenario()
    view = s.engine.submit(s.reporter, title="Jalan rusak", attributes={"rt": "04"})
    names = {f.name for f in fields(ComplaintView)}
    assert set(vars(view)) == names
    assert view == ComplaintView(**{name: getattr(view, name) for name in names})
    assert ComplaintView.from_dict(view.to_dict()) == view
