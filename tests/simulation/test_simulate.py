"""What-if on a recorded dataset whose answer is known: a 2-working-day verification turns
exactly the reports verified on day 3 into escalations, on SQLite and PostgreSQL; a variant
equal to the original changes nothing; a refused action is recorded and the replay goes on;
the source database is never written."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy

from sp4n.cli_simulate import table
from sp4n.errors import DatabaseUnavailable, InvalidArgumentError, InvalidData, NaiveDatetimeError, SopValidationError
from sp4n.simulation import Simulation, simulate
from sp4n.testing import Scenario

from .conftest import TWO_DAYS, variant
from .dataset import Dataset, record

ESCALATED_INSTEAD = re.compile(
    r"would have moved to Escalated \(escalate, by a deadline\) on working day 2 \(2026-03-0\d 24:00 WIB\) "
    r"instead of to Verified \(verify\) on working day 3 \(2026-03-0\d 10:30 WIB\)"
)


def check_two_days(result: Simulation, data: Dataset) -> None:
    day_3 = data.verified_on_day(3)
    assert len(day_3) == 3
    assert {c.tracking_number for c in result.changes} == day_3
    assert all(ESCALATED_INSTEAD.fullmatch(c.explanation) for c in result.changes), result.changes
    before, after = result.recorded.total, result.simulated.total
    # the two reports never verified in time escalated in the record too (a day later)
    assert (before.escalated, after.escalated) == (2, 5)
    assert (before.clocks["verification"].breached, after.clocks["verification"].breached) == (2, 5)
    assert before.received == after.received == 11  # Batam's and July's left out
    assert before.states == after.states == {"closed": 10, "archived": 1}
    assert before.closed_without_reply == after.closed_without_reply == 4
    assert before.to_verification == after.to_verification  # the same instants of verification
    assert result.refusals == ()
    assert result.not_replayable == ()


def test_a_two_day_verification_escalates_exactly_the_reports_verified_on_day_3(
    recorded: Dataset, tmp_path: Path
) -> None:
    result = simulate(recorded.url, variant(tmp_path), "2026-H1")
    check_two_days(result, recorded)
    first = next(c for c in result.changes if c.tracking_number == "SP4N-20260302-000003")
    assert first.explanation == (
        "would have moved to Escalated (escalate, by a deadline) on working day 2 (2026-03-04 24:00 WIB) "
        "instead of to Verified (verify) on working day 3 (2026-03-05 10:30 WIB)"
    )
    assert [s.trigger for s in first.variant] == ["submitted", "escalate", "verify", "distribute", "follow_up", "close"]
    assert result.replaces == "national"
    assert result.variant.startswith("verifikasi_2_hari@")


def test_a_variant_equal_to_the_original_changes_nothing(recorded: Dataset, tmp_path: Path) -> None:
    same = "id: national_salinan\nextends: national\ntitle: Salinan SOP nasional\n"
    result = simulate(recorded.url, variant(tmp_path, same), "2026-H1")
    assert result.changes == ()
    assert result.refusals == ()
    assert result.recorded.total == result.simulated.total
    assert result.recorded.total.received == 11


def test_an_action_the_variant_refuses_is_recorded_and_the_replay_goes_on(recorded: Dataset, tmp_path: Path) -> None:
    # verifying an escalated report is no longer allowed: distributing it still is
    strict = TWO_DAYS + "transitions:\n  verify: {source: [received]}\n"
    result = simulate(recorded.url, variant(tmp_path, strict), "2026-H1")
    day_3 = recorded.verified_on_day(3)
    never = {t for t, d in recorded.verified_on.items() if d is None}
    assert {r.tracking_number for r in result.refusals} == day_3 | never
    assert {(r.trigger, r.state) for r in result.refusals} == {("verify", "escalated")}
    assert all("verify" in r.reason and "escalated" in r.reason for r in result.refusals)
    assert {c.tracking_number for c in result.changes} == day_3 | never
    for change in result.changes:
        assert [s.trigger for s in change.variant][:3] == ["submitted", "escalate", "distribute"]
        assert change.variant[-1].dest == change.recorded[-1].dest == "closed"  # the rest went on
        assert change.explanation.endswith("; recorded verify refused")
    assert len(result.refusals) == 5
    assert result.refused_as_recorded == ()


def test_a_submission_the_variant_refuses_files_nothing(recorded: Dataset, tmp_path: Path) -> None:
    without = TWO_DAYS.replace(
        "clocks:\n  verification: {budget: 2 working days}\n", "remove: {categories: [kesehatan]}\n"
    )
    result = simulate(recorded.url, variant(tmp_path, without), "2026-H1")
    assert result.simulated.total.received == 0
    assert len(result.refusals) == 11  # the submissions; nothing after them
    assert {(r.trigger, r.state) for r in result.refusals} == {("submit", None)}
    assert all("category='kesehatan' is invalid" in r.reason for r in result.refusals)
    assert {c.explanation for c in result.changes} == {"would not have been filed; recorded submit refused"}


def test_a_refusal_does_not_name_the_reporter(recorded: Dataset, tmp_path: Path) -> None:
    # only the no-reply rule closes: each reporter's own close is refused, then the deadline closes
    result = simulate(
        recorded.url, variant(tmp_path, TWO_DAYS + "transitions:\n  close: {roles: [system]}\n"), "2026-H1"
    )
    closes = [r for r in result.refusals if r.trigger == "close"]
    assert len(closes) == 6
    assert {r.reason.split(": ", 1)[1] for r in closes} == {
        "the reporter may not fire 'close': only system may fire it"
    }
    assert "warga-1" not in str(result.to_dict())
    assert result.simulated.total.closed_without_reply == 10


def test_the_source_database_is_not_written(recorded: Dataset, tmp_path: Path) -> None:
    path = Path(recorded.url.removeprefix("sqlite:///"))
    before_bytes, before_rows = path.read_bytes(), row_counts(recorded.url)
    assert before_rows["sp4n_complaints"] == 13
    assert before_rows["sp4n_events"] > 13
    simulate(recorded.url, variant(tmp_path), "2026-H1")
    assert path.read_bytes() == before_bytes
    assert row_counts(recorded.url) == before_rows


def test_the_output_names_no_reporter_and_no_text(recorded: Dataset, tmp_path: Path) -> None:
    shown = str(simulate(recorded.url, variant(tmp_path), "2026-H1").to_dict())
    assert "warga-1" not in shown
    assert "Warga Satu" not in shown
    assert "Laporan" not in shown


def test_a_narrower_period_replays_only_its_reports(recorded: Dataset, tmp_path: Path) -> None:
    result = simulate(recorded.url, variant(tmp_path), "2026-03-02")
    assert result.recorded.total.received == 4
    assert {c.tracking_number for c in result.changes} == {"SP4N-20260302-000003"}
    assert simulate(recorded.url, variant(tmp_path), "2026-Q2").recorded.total.received == 0


def test_an_engine_is_a_source_too(tmp_path: Path) -> None:
    s = Scenario(sops=["national"])
    cid = s.submit()
    s.advance_working_days(3)
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    result = simulate(s.engine, variant(tmp_path), "2026-03", until=s.clock.now())
    assert [c.explanation.split(" on ")[0] for c in result.changes] == [
        "would have moved to Escalated (escalate, by a deadline)"
    ]


def test_a_complaint_whose_record_its_own_sop_does_not_replay_is_named(tmp_path: Path) -> None:
    s = Scenario(sops=["national"])
    on_time = s.submit()
    unswept = s.submit("Lampu jalan mati")
    s.fire(on_time, "verify", classification="pengaduan", category="kesehatan")
    s.fire(on_time, "distribute", agency="dinas_kesehatan")
    s.clock.advance_working_days(5)  # no worker ran: the verification deadline did not fire
    s.fire(unswept, "verify", classification="pengaduan", category="kesehatan")
    same = variant(tmp_path, "id: national_salinan\nextends: national\ntitle: Salinan\n")
    result = simulate(s.engine, same, "2026-03", until=s.clock.now())
    assert result.not_replayable == (s.engine.get(unswept).tracking_number,)
    assert result.changes == ()  # replayed the same way on both sides: not the variant's doing
    assert result.recorded.total.escalated == result.simulated.total.escalated == 1
    assert table(result)[-1] == (
        "1 complaint(s) not replayable as recorded under their own SOP (a difference of theirs may not be "
        f"the variant's): {result.not_replayable[0]}"
    )


def test_another_sop_is_replaced_when_named(recorded: Dataset, tmp_path: Path) -> None:
    result = simulate(recorded.url, variant(tmp_path), "2026-H1", replaces="batam_24h")
    assert result.replaces == "batam_24h"
    assert result.recorded.total.received == 1  # the Batam report, escalated after 24 hours or 2 working days
    assert result.recorded.total.escalated == result.simulated.total.escalated == 1
    assert result.changes == ()


def test_a_bad_variant_file_is_a_located_error(recorded: Dataset, tmp_path: Path) -> None:
    bad = variant(tmp_path, TWO_DAYS.replace("2 working days", "2 hari"))
    with pytest.raises(SopValidationError, match=r"variant\.yaml: line 5, column 18: clocks\[0\]\.budget: '2 hari'"):
        simulate(recorded.url, bad, "2026-H1")
    with pytest.raises(SopValidationError, match=r"missing\.yaml: no such file"):
        simulate(recorded.url, tmp_path / "missing.yaml", "2026-H1")


def test_a_bad_period_source_or_until_is_a_clear_error(recorded: Dataset, tmp_path: Path) -> None:
    path = variant(tmp_path)
    with pytest.raises(InvalidData, match=r"period='2026-Q5' is invalid: no such quarter \(quarter 5 is not 1 to 4\)"):
        simulate(recorded.url, path, "2026-Q5")
    with pytest.raises(InvalidData, match=r"period=42 is invalid: a period such as '2026-11-29' \(day\)"):
        simulate(recorded.url, path, 42)  # type: ignore[arg-type]
    missing = tmp_path / "nothing.db"
    with pytest.raises(DatabaseUnavailable, match=r"nothing\.db' cannot be used: no such database file"):
        simulate(f"sqlite:///{missing}", path, "2026-H1")
    assert not missing.exists()
    with pytest.raises(NaiveDatetimeError, match=r"until"):
        simulate(recorded.url, path, "2026-H1", until=datetime(2026, 6, 30))
    far = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-7)))
    with pytest.raises(
        InvalidArgumentError,
        match=r"^until='9999-12-31T23:00:00-07:00' is invalid: expected an instant of a year from 1900 to 2199$",
    ):
        simulate(recorded.url, path, "2026-H1", until=far)
    with pytest.raises(
        InvalidArgumentError, match=r"source=3 is invalid: expected an Engine, a Store or a database URL"
    ):
        simulate(3, path, "2026-H1")  # type: ignore[arg-type]


@pytest.fixture
def postgres_recorded(postgres_schema_url: str) -> Dataset:
    return record(postgres_schema_url)


def test_a_postgres_source_gives_the_same_answer_and_is_not_written(postgres_recorded: Dataset, tmp_path: Path) -> None:
    before = row_counts(postgres_recorded.url)
    assert before["sp4n_complaints"] == 13
    check_two_days(simulate(postgres_recorded.url, variant(tmp_path), "2026-H1"), postgres_recorded)
    assert row_counts(postgres_recorded.url) == before


def row_counts(url: str) -> dict[str, int]:
    """Rows of every table of the database (its search path's schema on PostgreSQL)."""
    from sp4n.persistence.connect import create_sql_engine

    engine = create_sql_engine(url)
    try:
        with engine.connect() as conn:
            names = sqlalchemy.inspect(conn).get_table_names()
            return {n: conn.execute(sqlalchemy.text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}
    finally:
        engine.dispose()
