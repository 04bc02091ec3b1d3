"""Laws the working-day calendar obeys for every date from 2015 to 2027, checked with hypothesis.

The known-answer tables in test_working_days.py pin the calendar to the published bank holidays;
these properties check that adding and counting working days fit together for any start date and
any count a deadline could use, and that the computed jump agrees with the plain definition
(step one day at a time, skipping days that are not working days).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.working_days import (
    add_working_days,
    is_working_day,
    next_working_moment,
    working_days_between,
)

dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31))
counts = st.integers(min_value=0, max_value=60)
positive_counts = st.integers(min_value=1, max_value=60)

LONDON = ZoneInfo("Europe/London")


def add_by_walking(start: date, n: int) -> date:
    """The definition of adding working days, one day at a time: slow but obviously right."""
    current = start
    for _ in range(n):
        current += timedelta(days=1)
        while not is_working_day(current):
            current += timedelta(days=1)
    return current


def count_by_walking(a: date, b: date) -> int:
    """The definition of counting working days d with a < d <= b, one day at a time."""
    if b < a:
        return -count_by_walking(b, a)
    return sum(is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


@given(dates, positive_counts)
def test_adding_one_or_more_working_days_lands_on_a_working_day(start: date, n: int) -> None:
    assert is_working_day(add_working_days(start, n))


@given(dates, positive_counts)
def test_adding_one_or_more_working_days_moves_strictly_later(start: date, n: int) -> None:
    assert add_working_days(start, n) > start


@given(dates)
def test_adding_zero_working_days_returns_the_start_even_when_it_is_not_a_working_day(
    start: date,
) -> None:
    assert add_working_days(start, 0) == start


@given(dates, positive_counts, positive_counts)
def test_adding_in_two_steps_equals_adding_at_once(start: date, n: int, m: int) -> None:
    assert add_working_days(add_working_days(start, n), m) == add_working_days(start, n + m)


@given(dates, counts, counts)
def test_adding_in_two_steps_equals_adding_at_once_with_zero_steps_too(
    start: date, n: int, m: int
) -> None:
    """The law holds for every n, m >= 0, from any start, working day or not.

    Adding 0 returns the start unchanged rather than rolling it forward to a working day, so a
    zero step is the identity and composes with anything. (Had 0 meant "roll forward", then
    add(add(Saturday, 0), 1) would be Tuesday while add(Saturday, 1) is Monday.)
    """
    assert add_working_days(add_working_days(start, n), m) == add_working_days(start, n + m)


@given(dates, counts)
def test_adding_agrees_with_stepping_one_day_at_a_time(start: date, n: int) -> None:
    assert add_working_days(start, n) == add_by_walking(start, n)


@given(dates, counts)
def test_counting_the_working_days_added_gives_back_n(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@given(dates, dates)
def test_adding_the_count_reaches_the_end_exactly_when_the_end_is_a_working_day(
    a: date, b: date
) -> None:
    """add(a, between(a, b)) == b precisely when b == a or b is a working day (for b >= a).

    Otherwise it is the last working day before b, or a itself if there is none after a.
    """
    start, end = min(a, b), max(a, b)
    reached = add_working_days(start, working_days_between(start, end))
    if end == start or is_working_day(end):
        assert reached == end
    else:
        assert reached < end
        assert all(
            not is_working_day(reached + timedelta(days=i))
            for i in range(1, (end - reached).days + 1)
        )


@given(dates, dates)
def test_counting_agrees_with_stepping_one_day_at_a_time(a: date, b: date) -> None:
    assert working_days_between(a, b) == count_by_walking(a, b)


@given(dates, dates)
def test_counting_backwards_is_the_negative_of_counting_forwards(a: date, b: date) -> None:
    assert working_days_between(b, a) == -working_days_between(a, b)


@given(dates, dates, dates)
def test_counts_over_adjacent_spans_add_up(a: date, b: date, c: date) -> None:
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


@given(dates, dates, counts)
def test_a_later_start_never_gives_an_earlier_result(a: date, b: date, n: int) -> None:
    earlier, later = min(a, b), max(a, b)
    assert add_working_days(earlier, n) <= add_working_days(later, n)


@given(dates, counts, counts)
def test_adding_more_working_days_gives_a_strictly_later_date(start: date, n: int, m: int) -> None:
    fewer, more = min(n, m), max(n, m)
    if fewer == more:
        assert add_working_days(start, fewer) == add_working_days(start, more)
    else:
        assert add_working_days(start, fewer) < add_working_days(start, more)


@given(dates, dates, dates)
def test_a_later_end_never_counts_fewer_working_days(a: date, b: date, c: date) -> None:
    earlier_end, later_end = min(b, c), max(b, c)
    assert working_days_between(a, earlier_end) <= working_days_between(a, later_end)


@given(
    st.datetimes(
        min_value=datetime(2015, 1, 1),
        max_value=datetime(2027, 12, 20),
        timezones=st.just(LONDON),
        allow_imaginary=False,
    ),
    st.times(),
)
def test_next_working_moment_is_the_first_later_instant_showing_that_time_on_a_working_day(
    after: datetime, at: time
) -> None:
    """In London the clocks change on Sundays, so on working days every wall time is unique."""
    answer = next_working_moment(after, at, LONDON)
    local = answer.astimezone(LONDON)

    assert answer.tzinfo is UTC
    assert answer > after
    assert local.time() == at
    assert is_working_day(local.date())
    day = after.astimezone(LONDON).date()
    while day < local.date():
        if is_working_day(day):
            skipped = datetime.combine(day, at, tzinfo=LONDON)
            assert skipped <= after, f"{skipped} was on a working day and after {after}"
        day += timedelta(days=1)
