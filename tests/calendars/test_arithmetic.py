"""Working-day arithmetic agrees with numpy's business-day functions, everywhere it is defined.

The reference is ``numpy.busday_offset`` / ``numpy.busday_count`` / ``numpy.is_busday`` on the
calendar's own weekmask and holidays (``cal.busdaycalendar()``):

* ``add_working_days(d, n)`` == ``busday_offset(d, n, roll='backward')`` for n > 0 and
  ``busday_offset(d, n, roll='forward')`` for n <= 0;
* ``working_days_between(a, b)`` == ``busday_count(a + 1 day, b + 1 day)`` for b >= a, and
  ``-working_days_between(b, a)`` for b < a. (numpy's ``busday_count(begin, end)`` with end < begin
  counts the days of (end, begin], not [end, begin), so ``busday_count(a + 1, b + 1)`` would count
  (b + 1, a + 1] there: not the (b, a] that "the working days in (a, b], negative when b < a"
  means, and not antisymmetric. See ``test_numpy_counts_backwards_spans_differently``.)
* where numpy's answer falls outside the covered range, sp4n raises ``DateOutOfRangeError``.

Hypothesis explores dates and offsets; an exhaustive vectorized pass checks every covered date for a
few offsets. Hypothesis runs derandomized and without a database, so the suite is deterministic.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sp4n.calendars import WorkingCalendar
from sp4n.errors import DateOutOfRangeError

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)

DEFAULT = WorkingCalendar.indonesia()
# WITA, Saturday a working day, joint leave counted as working days.
ALTERNATIVE = WorkingCalendar.indonesia("WITA", weekmask="1111110", joint_leave=False)
CALENDARS = {"default": DEFAULT, "wita-saturday-no-joint-leave": ALTERNATIVE}
BUSDAYCALS = {key: cal.busdaycalendar() for key, cal in CALENDARS.items()}

FIRST = date(2019, 1, 1)
OFFSETS = st.integers(min_value=-80, max_value=80)
EXHAUSTIVE_OFFSETS = (-80, -21, -5, -1, 0, 1, 2, 5, 21, 80)


def covered_dates(cal: WorkingCalendar) -> st.SearchStrategy[date]:
    return st.dates(min_value=FIRST, max_value=cal.last_date)


def np_day(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def numpy_add(busdaycal: np.busdaycalendar, d: date, n: int) -> date:
    roll = "backward" if n > 0 else "forward"
    result: date = np.busday_offset(np_day(d), n, roll=roll, busdaycal=busdaycal).item()
    return result


def numpy_between(busdaycal: np.busdaycalendar, a: date, b: date) -> int:
    """Working days in (a, b], negated (b, a] when b < a."""
    one = timedelta(days=1)
    if b < a:
        return -numpy_between(busdaycal, b, a)
    return int(np.busday_count(np_day(a + one), np_day(b + one), busdaycal=busdaycal))


def numpy_between_array(busdaycal: np.busdaycalendar, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    forward = np.busday_count(a + 1, b + 1, busdaycal=busdaycal)
    backward = -np.busday_count(b + 1, a + 1, busdaycal=busdaycal)
    return np.where(b < a, backward, forward)


def all_covered_dates(cal: WorkingCalendar) -> np.ndarray:
    return np.arange(np_day(FIRST), np_day(cal.last_date) + 1, dtype="datetime64[D]")


def test_default_calendar_covers_2019_to_a_year_after_the_last_joint_leave_data() -> None:
    assert DEFAULT.first_date == FIRST
    assert DEFAULT.last_date == date(DEFAULT.years[1], 12, 31)
    assert DEFAULT.years[1] >= 2027


def test_alternative_calendar_is_what_the_properties_claim() -> None:
    assert ALTERNATIVE.zone == "Asia/Makassar"
    assert ALTERNATIVE.weekmask == (True, True, True, True, True, True, False)
    assert ALTERNATIVE.is_working_day(date(2026, 3, 14))  # a Saturday
    assert ALTERNATIVE.is_working_day(date(2026, 3, 18))  # Cuti Bersama Nyepi
    assert not ALTERNATIVE.is_working_day(date(2026, 3, 19))  # Nyepi itself


# ---------------------------------------------------------------------------- scalar properties


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(data=st.data(), n=OFFSETS)
def test_add_working_days_matches_numpy(key: str, data: st.DataObject, n: int) -> None:
    cal = CALENDARS[key]
    d = data.draw(covered_dates(cal), label="d")
    expected = numpy_add(BUSDAYCALS[key], d, n)
    if cal.first_date <= expected <= cal.last_date:
        assert cal.add_working_days(d, n) == expected
    else:
        with pytest.raises(DateOutOfRangeError, match=r"^result='-?\d+ working days from \d{4}-\d\d-\d\d' is outside"):
            cal.add_working_days(d, n)


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(data=st.data())
def test_working_days_between_matches_numpy(key: str, data: st.DataObject) -> None:
    cal = CALENDARS[key]
    a = data.draw(covered_dates(cal), label="a")
    b = data.draw(covered_dates(cal), label="b")
    expected = numpy_between(BUSDAYCALS[key], a, b)
    assert cal.working_days_between(a, b) == expected
    assert cal.working_days_between(b, a) == -expected


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(data=st.data(), n=st.integers(min_value=1, max_value=80))
def test_working_days_between_undoes_add_working_days(key: str, data: st.DataObject, n: int) -> None:
    cal = CALENDARS[key]
    d = data.draw(st.dates(min_value=FIRST, max_value=cal.last_date - timedelta(days=200)), label="d")
    later = cal.add_working_days(d, n)
    assert later > d
    assert cal.is_working_day(later)
    assert cal.working_days_between(d, later) == n


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(data=st.data(), n=OFFSETS)
def test_add_working_days_lands_on_a_working_day_on_the_right_side(key: str, data: st.DataObject, n: int) -> None:
    cal = CALENDARS[key]
    d = data.draw(st.dates(min_value=date(2019, 6, 1), max_value=cal.last_date - timedelta(days=200)), label="d")
    result = cal.add_working_days(d, n)
    assert cal.is_working_day(result)
    if n > 0:
        assert result > d
    elif n < 0:
        assert result < d
    else:
        assert result == d if cal.is_working_day(d) else result > d


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(data=st.data())
def test_is_working_day_matches_numpy(key: str, data: st.DataObject) -> None:
    cal = CALENDARS[key]
    d = data.draw(covered_dates(cal), label="d")
    assert cal.is_working_day(d) == bool(np.is_busday(np_day(d), busdaycal=BUSDAYCALS[key]))


# ---------------------------------------------------------------------------- bulk properties

DATE_LISTS = st.lists(st.dates(min_value=FIRST, max_value=date(2027, 12, 31)), min_size=0, max_size=40)


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(dates=DATE_LISTS, n=st.integers(min_value=-80, max_value=80))
def test_bulk_add_with_scalar_n_agrees_with_scalar_and_numpy(key: str, dates: list[date], n: int) -> None:
    cal = CALENDARS[key]
    arr = np.array(dates, dtype="datetime64[D]")
    roll = "backward" if n > 0 else "forward"
    expected = np.busday_offset(arr, n, roll=roll, busdaycal=BUSDAYCALS[key])
    in_range = (expected >= np_day(cal.first_date)) & (expected <= np_day(cal.last_date))
    if in_range.all():
        got = cal.add_working_days_array(arr, n)
        assert got.dtype == np.dtype("datetime64[D]")
        assert got.shape == arr.shape
        np.testing.assert_array_equal(got, expected)
        assert [x.item() for x in got] == [cal.add_working_days(d, n) for d in dates]
    else:
        with pytest.raises(DateOutOfRangeError, match=r"^result='some dates \+ n' is outside"):
            cal.add_working_days_array(arr, n)


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(pairs=st.lists(st.tuples(st.dates(min_value=date(2019, 6, 1), max_value=date(2027, 12, 31)), OFFSETS)))
def test_bulk_add_with_array_n_agrees_with_scalar_and_numpy(key: str, pairs: list[tuple[date, int]]) -> None:
    cal = CALENDARS[key]
    arr = np.array([d for d, _ in pairs], dtype="datetime64[D]")
    ns = np.array([n for _, n in pairs], dtype=np.int64)
    got = cal.add_working_days_array(arr, ns)
    assert got.shape == arr.shape
    assert [x.item() for x in got] == [cal.add_working_days(d, n) for d, n in pairs]
    assert [x.item() for x in got] == [numpy_add(BUSDAYCALS[key], d, n) for d, n in pairs]


@pytest.mark.parametrize("key", CALENDARS)
@PROPERTY
@given(steps=st.lists(st.tuples(st.dates(min_value=FIRST, max_value=date(2028, 12, 31)), st.integers(-400, 400))))
def test_bulk_between_and_is_working_day_agree_with_scalar_and_numpy(key: str, steps: list[tuple[date, int]]) -> None:
    cal = CALENDARS[key]
    pairs = [(a, min(max(a + timedelta(days=k), FIRST), cal.last_date)) for a, k in steps]
    a = np.array([p[0] for p in pairs], dtype="datetime64[D]")
    b = np.array([p[1] for p in pairs], dtype="datetime64[D]")
    between = cal.working_days_between_array(a, b)
    assert between.tolist() == [cal.working_days_between(x, y) for x, y in pairs]
    np.testing.assert_array_equal(between, numpy_between_array(BUSDAYCALS[key], a, b))
    working = cal.is_working_day_array(a)
    assert working.dtype == np.bool_
    assert working.tolist() == [cal.is_working_day(x) for x, _ in pairs]


def test_bulk_variants_keep_the_shape_of_their_input() -> None:
    grid = np.array([["2026-03-16", "2026-03-18"], ["2026-03-21", "2026-03-25"]], dtype="datetime64[D]")
    assert DEFAULT.is_working_day_array(grid).tolist() == [[True, False], [False, True]]
    np.testing.assert_array_equal(
        DEFAULT.add_working_days_array(grid, 1),
        np.array([["2026-03-17", "2026-03-25"], ["2026-03-25", "2026-03-26"]], dtype="datetime64[D]"),
    )
    assert DEFAULT.working_days_between_array(grid[:, 0], grid[:, 1]).tolist() == [1, 1]  # (16, 18], (21, 25]


def test_bulk_variants_accept_other_datetime64_units() -> None:
    seconds = np.array(["2026-03-16T10:00:00", "2026-03-18T23:59:59"], dtype="datetime64[s]")
    assert DEFAULT.is_working_day_array(seconds).tolist() == [True, False]
    assert DEFAULT.add_working_days_array(seconds, 1).tolist() == [date(2026, 3, 17), date(2026, 3, 25)]


def test_bulk_variants_accept_empty_arrays() -> None:
    empty = np.array([], dtype="datetime64[D]")
    assert DEFAULT.is_working_day_array(empty).shape == (0,)
    assert DEFAULT.add_working_days_array(empty, 5).shape == (0,)
    assert DEFAULT.working_days_between_array(empty, empty).shape == (0,)


# ---------------------------------------------------------------------------- a calendar with uncovered years


UNCOVERED = WorkingCalendar.indonesia(years=(2024, 2026), allow_uncovered=True)
UNCOVERED_BUSDAYCAL = UNCOVERED.busdaycalendar()


@PROPERTY
@given(d=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31)), n=OFFSETS)
def test_allow_uncovered_matches_numpy_with_the_weekmask_outside_the_years(d: date, n: int) -> None:
    assert UNCOVERED.add_working_days(d, n) == numpy_add(UNCOVERED_BUSDAYCAL, d, n)
    assert UNCOVERED.working_days_between(d, d + timedelta(days=n)) == numpy_between(
        UNCOVERED_BUSDAYCAL, d, d + timedelta(days=n)
    )


# ---------------------------------------------------------------------------- exhaustive, vectorized


@pytest.mark.parametrize("key", CALENDARS)
def test_is_working_day_on_every_covered_date(key: str) -> None:
    cal = CALENDARS[key]
    dates = all_covered_dates(cal)
    expected = np.is_busday(dates, busdaycal=BUSDAYCALS[key])
    np.testing.assert_array_equal(cal.is_working_day_array(dates), expected)
    assert [cal.is_working_day(d) for d in dates.tolist()] == expected.tolist()


@pytest.mark.parametrize("n", EXHAUSTIVE_OFFSETS)
@pytest.mark.parametrize("key", CALENDARS)
def test_add_working_days_on_every_covered_date(key: str, n: int) -> None:
    cal = CALENDARS[key]
    dates = all_covered_dates(cal)
    expected = np.busday_offset(dates, n, roll="backward" if n > 0 else "forward", busdaycal=BUSDAYCALS[key])
    in_range = (expected >= np_day(cal.first_date)) & (expected <= np_day(cal.last_date))
    # Only the first or last few weeks of the span can fall outside it.
    assert in_range.sum() >= len(dates) - abs(n) * 2 - 14

    np.testing.assert_array_equal(cal.add_working_days_array(dates[in_range], n), expected[in_range])
    for d in dates[~in_range].tolist():
        with pytest.raises(DateOutOfRangeError, match=r"^result="):
            cal.add_working_days(d, n)
    if not in_range.all():
        with pytest.raises(DateOutOfRangeError, match=r"^result="):
            cal.add_working_days_array(dates, n)

    scalar = [cal.add_working_days(d, n) for d in dates[in_range].tolist()]
    assert scalar == expected[in_range].tolist()
    if n > 0:
        np.testing.assert_array_equal(cal.working_days_between_array(dates[in_range], expected[in_range]), n)


@pytest.mark.parametrize("k", [-400, -30, -7, -1, 0, 1, 7, 30, 400])
@pytest.mark.parametrize("key", CALENDARS)
def test_working_days_between_on_every_covered_date(key: str, k: int) -> None:
    cal = CALENDARS[key]
    dates = all_covered_dates(cal)
    a = dates[max(0, -k) : len(dates) - max(0, k)]
    b = a + k
    expected = numpy_between_array(BUSDAYCALS[key], a, b)
    np.testing.assert_array_equal(cal.working_days_between_array(a, b), expected)
    if k >= 0:
        np.testing.assert_array_equal(expected, np.busday_count(a + 1, b + 1, busdaycal=BUSDAYCALS[key]))
    np.testing.assert_array_equal(cal.working_days_between_array(b, a), -expected)
    scalar = [cal.working_days_between(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    assert scalar == expected.tolist()


def test_numpy_counts_backwards_spans_differently() -> None:
    """Mon 16 March 2026 is a working day, Sun 15 March is not.

    sp4n: working_days_between(Mon 16, Sun 15) = -(working days in (15, 16]) = -1, and it is
    antisymmetric. numpy.busday_count(17, 16) counts (16, 17] = {Tue 17}: also -1 here, but
    busday_count(16, 15) = -1 although [15, 16) holds only a Sunday, so the spec's formula
    ``busday_count(a + 1, b + 1)`` only describes sp4n (and the spec's own words) for b >= a.
    """
    mon, sun, wed = date(2026, 3, 16), date(2026, 3, 15), date(2026, 3, 18)
    assert DEFAULT.working_days_between(sun, mon) == 1
    assert DEFAULT.working_days_between(mon, sun) == -1
    assert DEFAULT.working_days_between(date(2026, 3, 26), mon) == -3  # 17, 25, 26 in (16, 26]
    assert DEFAULT.working_days_between(wed, mon) == -1  # (16, 18] = {17, 18 joint leave}
    assert int(np.busday_count(np_day(mon), np_day(sun))) == -1  # numpy: (15, 16] = {16}
    assert int(np.busday_count(np_day(sun), np_day(mon))) == 0  # numpy: [15, 16) = {15}


# ---------------------------------------------------------------------------- the edges of the span


def test_edges_of_the_default_span() -> None:
    last = DEFAULT.last_date
    assert DEFAULT.add_working_days(FIRST, 0) == date(2019, 1, 2)  # 1 January is a holiday
    assert DEFAULT.add_working_days(date(2019, 1, 2), 0) == date(2019, 1, 2)
    assert DEFAULT.working_days_between(FIRST, last) == int(
        np.busday_count(np_day(FIRST) + 1, np_day(last) + 1, busdaycal=BUSDAYCALS["default"])
    )
    assert DEFAULT.working_days_between(FIRST, FIRST) == 0
    assert DEFAULT.working_days_between(last, last) == 0
    with pytest.raises(DateOutOfRangeError, match=r"^result='-1 working days from 2019-01-02' is outside"):
        DEFAULT.add_working_days(date(2019, 1, 2), -1)
    with pytest.raises(DateOutOfRangeError, match=r"^result='1 working days from "):
        DEFAULT.add_working_days(last, 1)
