"""``sp4n report`` and ``GET /v1/reports/kpis`` on the dataset known by construction (a SQLite
file): the same figures as :func:`sp4n.reports.kpis`, in every format, scoped by the caller."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from sp4n.cli import main
from sp4n.testing.server import ServeProcess, create_key

from .dataset import built


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / "sp4n.db"
    with built(f"sqlite:///{path}"):
        pass
    return f"sqlite:///{path}"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_json_and_table(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", "--url", url, "--period", "2026-W02", "--by", "agency", "--format", "csv")
    assert code == 0
    lines = list(csv.DictReader(io.StringIO(out)))
    total = lines[-1]
    assert (total["agency"], total["received"], total["selesai"], total["dalam_proses"]) == ("TOTAL", "100", "83", "3")
    assert (total["belum_terverifikasi"], total["belum_ditindaklanjuti"], total["completion_rate"]) == (
        "1",
        "13",
        "0.83",
    )
    assert {r["agency"]: r["received"] for r in lines}["kota_semarang"] == "70"
    code, out, _ = run(capsys, "report", "--url", url, "--period", "2026-W02", "--format", "json")
    assert json.loads(out)["total"]["to_follow_up"] == {"count": 78, "mean": 3.4615, "median": 3, "p90": 5}
    code, out, _ = run(capsys, "report", "--url", url, "--period", "2026-W02", "--by", "channel")
    assert code == 0
    assert "TOTAL" in out
    assert "sms" in out


def test_an_agency_sees_its_tree(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", "--url", url, "--period", "2026-W02", "--by", "agency", "--format", "json"]
    code, out, _ = run(capsys, *argv, "--agency", "kota_semarang")
    assert code == 0
    assert {r["key"]["agency"] for r in json.loads(out)["rows"]} == {
        "kota_semarang",
        "dinkes_semarang",
        "disdik_semarang",
    }


def test_xlsx_and_charts_go_to_files(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "kpi.xlsx"
    code, out, _ = run(capsys, "report", "--url", url, "--period", "2026-01", "--format", "xlsx", "--out", str(book))
    assert code == 0
    assert str(book) in out
    sheet = load_workbook(book).active
    assert sheet is not None
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][:2] == ["TOTAL", 101]
    for chart in ("trend", "league"):
        svg = tmp_path / f"{chart}.svg"
        code, out, _ = run(capsys, "report", "--url", url, "--period", "2026-01", "--chart", chart, "--out", str(svg))
        assert code == 0
        assert f"{chart} chart of 2026-01 written to" in out
        root = ElementTree.fromstring(svg.read_text(encoding="utf-8"))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "kota_semarang" in (tmp_path / "league.svg").read_text(encoding="utf-8")
    assert "2026-W05" in (tmp_path / "trend.svg").read_text(encoding="utf-8")


def test_mistakes_are_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "--url", url, "--period", "2026-13")
    assert (code, err) == (2, "sp4n: error: period='2026-13' is invalid: no such month (month 13 is not 1 to 12)\n")
    code, _, err = run(capsys, "report", "--url", url, "--period", "2026", "--by", "mood")
    assert code == 2
    assert "by='mood' is invalid: one of agency, category" in err
    code, _, err = run(capsys, "report", "--url", url, "--period", "2026", "--format", "xlsx")
    assert code == 2
    assert "--out=None is invalid: expected a file to write the chart or the workbook to" in err


def test_a_missing_database_or_folder_is_refused(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "typo.db"
    code, _, err = run(capsys, "report", "--url", f"sqlite:///{missing}", "--period", "2026-03")
    assert code == 2
    assert "typo.db' cannot be used: no such database file (a report reads an existing one)" in err
    assert not missing.exists()  # a mistyped path is not made into an empty database
    target = tmp_path / "no-folder" / "trend.svg"
    code, _, err = run(capsys, "report", "--url", url, "--period", "2026", "--chart", "trend", "--out", str(target))
    assert code == 2
    assert f"--out='{target}' is invalid: expected a file that can be written (No such file or directory)" in err


@pytest.fixture(scope="module")
def server(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, dict[str, str]]]:
    tokens = {
        "national": create_key(url, "nasional", ["national_admin"])[1],
        "semarang": create_key(url, "semarang", ["agency_admin"], ["kota_semarang"])[1],
    }
    with ServeProcess(url, tmp_path_factory.mktemp("serve") / "serve.log") as process:
        yield process, tokens


def headers(token: str, role: str, agency: str | None = None) -> dict[str, str]:
    found = {"Authorization": f"Bearer {token}", "Sp4n-Actor-Id": "kepala", "Sp4n-Actor-Role": role}
    return found | ({"Sp4n-Actor-Agency": agency} if agency else {})


@pytest.mark.slow  # a real server process and two keys made by the CLI
def test_the_route_answers_the_report_as_the_key_may_see_it(
    server: tuple[ServeProcess, dict[str, str]], url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    process, tokens = server
    status, _, body = process.request(
        "GET", "/v1/reports/kpis?period=2026-W02&by=agency", headers=headers(tokens["national"], "national_admin")
    )
    assert status == 200
    cli = json.loads(_cli_json(capsys, url))
    for mine, theirs in zip(body["rows"], cli["rows"], strict=True):
        assert [mine[k] for k in ("key", "stages", "to_follow_up")] == [
            theirs[k] for k in ("key", "stages", "to_follow_up")
        ]
    dinas = headers(tokens["semarang"], "agency_admin", "kota_semarang")
    status, _, body = process.request("GET", "/v1/reports/kpis?period=2026-W02&by=agency", headers=dinas)
    assert status == 200
    assert body["total"]["received"] == 70
    status, _, body = process.request("GET", "/v1/reports/kpis?period=2026-01")
    assert status == 200
    assert body["total"]["received"] == 100


def _cli_json(capsys: pytest.CaptureFixture[str], url: str) -> str:
    main(["report", "--url", url, "--period", "2026-W02", "--by", "agency", "--format", "json"])
    return capsys.readouterr().out


@pytest.mark.slow
def test_the_route_refuses_with_problem_details(server: tuple[ServeProcess, dict[str, str]]) -> None:
    process, _ = server
    status, head, body = process.request("GET", "/v1/reports/kpis?period=Q1-2026")
    assert status == 422
    assert head["content-type"] == "application/problem+json"
    assert (body["field"], body["value"]) == ("period", "Q1-2026")
    status, _, body = process.request("GET", "/v1/reports/kpis?period=0001")
    assert (status, body["field"], body["value"]) == (422, "period", "0001")
    status, _, body = process.request("GET", "/v1/reports/kpis?period=2026&by=admin")
    assert status == 422
    assert "a per-staff split is for the agency's own staff" in body["detail"]
