"""The monitoring room in a real browser on a real server: its numbers are the API's, a breach
shows up without a reload, the keyboard reaches everything, the public sees aggregates only,
and it fits a wall screen and a laptop."""

from __future__ import annotations

import os
import re
import struct
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from sp4n.persistence.records import ClockStatus
from sp4n.reports import Period, Stage, Unit, kpis
from sp4n.testing import FileClock
from sp4n.workflow import Actor, Engine

from .conftest import ROOM_AGENCY, Room

pytestmark = pytest.mark.slow

TILES = (
    "received_today",
    "received_this_week",
    "due_within_1_working_day",
    "breached_now",
    "escalated",
    "unverified_beyond_3_working_days",
)
SIZES = {"wall": (1920, 1080), "laptop": (1366, 768)}
WAIT_MS = 30_000
"""The longest a page may take to load and show its numbers."""
LIVE_MS = 20_000
"""The longest a change may take to show: the event stream polls the feed every second and the
SQLite worker sweeps every 5 s, while the stream's own tick comes only every 30 polls, so a page
that waited for the tick instead of the event would fail."""


def listed(engine: Engine, actor: Actor | None, **filters: Any) -> int:
    """How many complaints Engine.find lists over every page."""
    pages = [engine.find(actor, limit=100, **filters)]
    while pages[-1].next_cursor is not None:
        pages.append(engine.find(actor, cursor=pages[-1].next_cursor, limit=100, **filters))
    return sum(len(p.items) for p in pages)


def expected_tiles(engine: Engine, actor: Actor | None) -> dict[str, int]:
    """The tiles as docs/dashboard.md defines them, counted by paging through find."""
    scope = {"agency": actor.agency} if actor is not None and actor.agency else {}
    cal = engine.calendar_for(engine.default_zone)
    now = engine.now()
    today = now.astimezone(cal.tzinfo).date()

    def start(day: date) -> datetime:
        return datetime.combine(day, time(0), cal.tzinfo)

    def count(**filters: Any) -> int:
        return listed(engine, actor, **scope, **filters)

    tomorrow = start(today + timedelta(days=1))
    breached = count(due_before=now)
    return {
        "received_today": count(submitted_from=start(today), submitted_until=tomorrow),
        "received_this_week": count(
            submitted_from=start(today - timedelta(days=today.weekday())), submitted_until=tomorrow
        ),
        "due_within_1_working_day": count(due_within=1) - breached,
        "breached_now": breached,
        "escalated": count(state="escalated"),
        "unverified_beyond_3_working_days": count(
            state="received", submitted_until=start(cal.add_working_days(today, -3))
        ),
    }


def open_room(browser: Any, address: str, size: str = "wall") -> Any:
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(address)
    wait_refreshed(page)
    return page


def wait_refreshed(page: Any, after: int = 0) -> int:
    """Wait until the page has finished more than ``after`` refreshes; how many it has."""
    from playwright.sync_api import expect

    expect(page.locator("body")).to_have_attribute("data-refreshed", re.compile(r"^\d+$"), timeout=WAIT_MS)
    for _ in range(WAIT_MS // 100):
        done = int(page.locator("body").get_attribute("data-refreshed") or 0)
        if done > after:
            return done
        page.wait_for_timeout(100)
    raise AssertionError(f"the page did not refresh more than {after} times")


def shown_tiles(page: Any) -> dict[str, int]:
    return {name: int(page.locator(f'[data-tile="{name}"] .value').inner_text()) for name in TILES}


@pytest.mark.parametrize("viewer", ["national", "dinas", None])
def test_the_tiles_are_the_api_numbers(room: Room, browser: Any, viewer: str | None) -> None:
    engine = room.engine()
    try:
        page = open_room(browser, room.page_url(viewer))
        want = expected_tiles(engine, room.actor(viewer))
        assert shown_tiles(page) == want
        headers = room.headers(viewer) if viewer else {}
        status, _, served = room.server.request("GET", "/v1/dashboard/tiles", headers=headers)
        assert status == 200
        assert {k: served[k] for k in TILES} == want
        assert served["public"] is (viewer is None)
        assert served["agency"] == (ROOM_AGENCY if viewer == "dinas" else None)
        page.close()
    finally:
        engine.close()


def test_the_dinas_sees_its_tree_and_the_public_aggregates_only(room: Room, browser: Any) -> None:
    engine = room.engine()
    try:
        everything = expected_tiles(engine, room.actor("national"))
        public = expected_tiles(engine, None)
        # the seeded week holds confidential reports: the public's count leaves them out
        assert public["received_this_week"] < everything["received_this_week"]
    finally:
        engine.close()
    page = open_room(browser, room.page_url())
    text = page.locator("body").inner_text()
    assert page.locator("#queue-table").is_hidden()
    assert "hanya angka agregat" in page.locator("#scope").inner_text()
    assert "Antrean per laporan hanya untuk petugas" in page.locator("#queue-note").inner_text()
    assert [t for t in room.seeded.secret_titles if t in text] == []
    assert [n for n in room.seeded.reporter_names | room.seeded.anonymous_reporters if n in text] == []
    page.close()
    status, headers, body = room.server.request("GET", "/v1/dashboard/queue")
    assert (status, headers["content-type"], body["error"]) == (401, "application/problem+json", "Unauthenticated")
    assert body["detail"] == "the queue lists single complaints: it needs an API key"
    status, _, body = room.server.request(
        "GET", "/v1/dashboard/tiles?agency=dinkes_banyumas", headers=room.headers("dinas")
    )
    assert (status, body["field"], body["value"]) == (403, "agency", "dinkes_banyumas")
    assert body["detail"] == "'kota_semarang' sees only its own agency tree"
    status, _, body = room.server.request("GET", "/v1/dashboard/queue", headers=room.headers("dinas"))
    assert status == 200
    assert body["items"], "the seeded tree of Kota Semarang has complaints due"
    assert {i["agency"] for i in body["items"]} <= {"dinkes_semarang", "disdik_semarang", "dpu_semarang", ROOM_AGENCY}
    assert not any("reporter" in key for item in body["items"] for key in item)


def test_the_keyboard_reaches_the_queue_and_moves_through_it(room: Room, browser: Any) -> None:
    page = open_room(browser, room.page_url("national"))
    rows = page.locator("#queue-rows tr")
    assert rows.count() >= 3
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Langsung ke antrean"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = rows.nth(0).get_attribute("data-id")
    assert page.locator(":focus").get_attribute("data-id") == first
    page.keyboard.press("ArrowDown")
    assert page.locator(":focus").get_attribute("data-id") == rows.nth(1).get_attribute("data-id")
    page.keyboard.press("End")
    assert page.locator(":focus").get_attribute("data-id") == rows.nth(rows.count() - 1).get_attribute("data-id")
    page.keyboard.press("Home")
    assert page.locator(":focus").get_attribute("data-id") == first
    outline = page.locator(":focus").evaluate("row => getComputedStyle(row).outlineStyle")
    assert outline not in ("none", "")  # the focused row is visibly marked
    # the settings and the language switch are buttons in the tab order
    page.locator("#lang").focus()
    page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "SP4N-LAPOR! monitoring room"
    assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.locator("#settings").is_visible()
    page.keyboard.press("Escape")
    assert page.locator("#settings").is_hidden()
    page.close()


def test_the_league_table_drills_down_the_tree_and_the_trends_are_the_reports(room: Room, browser: Any) -> None:
    actor = room.actor("national")
    engine = room.engine()
    try:
        today = engine.now().astimezone(engine.calendar_for(engine.default_zone).tzinfo).date()
        quarter = Period.containing(today, Unit.QUARTER)
        report = kpis(engine, actor, period=quarter, by=["agency"])
        rows = {r.key["agency"]: r for r in report.rows}
        weekly = {r.key["week"]: r for r in kpis(engine, actor, period=quarter, by=["week"]).rows}
    finally:
        engine.close()
    page = open_room(browser, room.page_url("national"))
    assert page.locator("#league-period").inner_text() == quarter.label
    shown = page.locator("#league-rows tr")
    province = rows["prov_jateng"]
    first = [c.strip() for c in shown.nth(0).locator("td").all_inner_texts()]
    assert first[0] == "Pemerintah Provinsi Jawa Tengah"
    assert first[1] == str(province.received)
    assert first[2] == f"{100 * province.stage(Stage.COMPLETED) / province.received:.1f}%".replace(".", ",").replace(
        ",0%", "%"
    )
    # drill down with the keyboard: the province, then the city, then back up
    page.get_by_role("button", name="Lihat instansi di bawah Pemerintah Provinsi Jawa Tengah").focus()
    page.keyboard.press("Enter")
    from playwright.sync_api import expect

    expect(page.locator("#league-where")).to_have_text("prov_jateng")
    children = {tr.get_attribute("data-agency") for tr in shown.all()}
    assert children == {
        a
        for a in ("diskominfo_jateng", "dinkes_jateng", "disdik_jateng", "dpu_jateng", "kota_semarang", "kab_banyumas")
        if a in rows
    }
    city = page.locator('#league-rows tr[data-agency="kota_semarang"] td').all_inner_texts()
    assert city[1] == str(rows["kota_semarang"].received)
    assert page.locator(":focus").get_attribute("data-agency") is not None  # focus stays in the table
    page.locator("#league-up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#league-where")).to_have_text("Semua instansi")
    # the trend chart: two bars per week, titled with the reports' numbers
    bars = page.locator("#trend-chart svg rect")
    assert bars.count() == 2 * 12
    titles = [bars.nth(i).locator("title").text_content() for i in range(bars.count())]
    for label, row in weekly.items():
        if label.startswith(str(today.year)):
            assert f"{label}: Diterima {row.received}" in titles
            assert f"{label}: Selesai {row.stage(Stage.COMPLETED)}" in titles
    page.close()


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_screenshots_at_a_wall_screen_and_a_laptop(room: Room, browser: Any, tmp_path: Path) -> None:
    """Saved to SP4N_SCREENSHOT_DIR too when it is set (docs/img holds the ones docs show)."""
    out = os.environ.get("SP4N_SCREENSHOT_DIR")
    for size, (width, height) in SIZES.items():
        page = open_room(browser, room.page_url("national"), size)
        shot = tmp_path / f"dashboard-{size}.png"
        page.screenshot(path=str(shot))
        assert png_size(shot) == (width, height)
        document_width = int(page.locator("html").evaluate("html => html.scrollWidth"))
        assert document_width <= width  # no sideways scrolling
        if out and room.backend == "sqlite":
            Path(out).mkdir(parents=True, exist_ok=True)
            (Path(out) / shot.name).write_bytes(shot.read_bytes())
        page.close()


def _next_first_response(engine: Engine, actor: Actor) -> tuple[str, datetime]:
    """The tracking number and due instant of the next first-response deadline to pass."""
    now = engine.now()
    page = engine.find(actor, order="due", due_before=now + timedelta(days=30), limit=200)
    for view in page.items:
        for deadline in engine.deadlines(view.id, actor):
            due = deadline.due
            if deadline.clock == "first_response" and deadline.status is ClockStatus.RUNNING and due and due.at > now:
                return view.tracking_number, due.at
    raise AssertionError("the seeded data has no first-response deadline to come")


def test_a_complaint_breaching_while_the_page_is_open_appears_without_a_reload(room: Room, browser: Any) -> None:
    """Runs last in this module: it moves the room's clock."""
    actor = room.actor("national")
    assert actor is not None
    engine = room.engine()
    try:
        tracking, due = _next_first_response(engine, actor)
        page = open_room(browser, room.page_url("national"))
        loads: list[str] = []
        page.on("load", lambda _: loads.append("load"))
        before = int(page.locator("body").get_attribute("data-refreshed") or 0)
        assert page.locator(f'tr:has(td:text-is("{tracking}")).breached').count() == 0
        FileClock.write(room.clock_path, due + timedelta(minutes=1))
        if room.backend == "postgres":
            engine.run_due()  # what `sp4n worker` does; on SQLite the serve process's worker does it
        row = page.locator(f'tr:has(td:text-is("{tracking}"))')
        from playwright.sync_api import expect

        expect(row).to_have_class("breached", timeout=LIVE_MS)
        wait_refreshed(page, before)
        for _ in range(LIVE_MS // 200):  # the worker may still be firing other deadlines of that instant
            if shown_tiles(page) == expected_tiles(engine, actor):
                break
            page.wait_for_timeout(200)
        assert shown_tiles(page) == expected_tiles(engine, actor)
        assert loads == []
        page.close()
    finally:
        engine.close()
