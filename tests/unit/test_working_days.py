"""Known answers for the working-day calendar, written by hand from the GOV.UK bank holiday list.

This file is meant to be read by the partnership's IT team: the tables below are the calendar's
specification. Every expected date was written by hand from the published England and Wales
bank holidays (https://www.gov.uk/bank-holidays), never computed with the `holidays` package,
so a wrong or missing bank holiday in the package makes these tests fail.

Dates are written as "Thu 2015-04-02": the weekday is checked when the table is loaded, so a
typo in a date cannot slip through unnoticed.

The rule under test: a working day is Monday to Friday and not a bank holiday. Adding n working
days to a date never counts the start day itself: Friday + 1 is Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from domain.working_days import (
    ENGLAND,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    next_working_moment,
    working_days_between,
)

_WEEKDAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day(text: str) -> date:
    """Read "Thu 2015-04-02" as a date, refusing it if the weekday does not match the date."""
    weekday, iso_date = text.split()
    parsed = date.fromisoformat(iso_date)
    actual = _WEEKDAY_ABBREVIATIONS[parsed.weekday()]
    if weekday != actual:
        raise ValueError(f"{text!r} is written as a {weekday} but {iso_date} is a {actual}")
    return parsed


# ---------------------------------------------------------------------------------------------
# Every England and Wales bank holiday, 2015 to 2027, as published on GOV.UK.
# "Substitute day" means the holiday fell at a weekend and the next weekday is the bank holiday.
# ---------------------------------------------------------------------------------------------
ENGLAND_AND_WALES_BANK_HOLIDAYS: dict[int, list[tuple[str, str]]] = {
    2015: [
        ("Thu 2015-01-01", "New Year's Day"),
        ("Fri 2015-04-03", "Good Friday"),
        ("Mon 2015-04-06", "Easter Monday"),
        ("Mon 2015-05-04", "Early May bank holiday"),
        ("Mon 2015-05-25", "Spring bank holiday"),
        ("Mon 2015-08-31", "Summer bank holiday"),
        ("Fri 2015-12-25", "Christmas Day"),
        ("Mon 2015-12-28", "Boxing Day (substitute day)"),
    ],
    2016: [
        ("Fri 2016-01-01", "New Year's Day"),
        ("Fri 2016-03-25", "Good Friday"),
        ("Mon 2016-03-28", "Easter Monday"),
        ("Mon 2016-05-02", "Early May bank holiday"),
        ("Mon 2016-05-30", "Spring bank holiday"),
        ("Mon 2016-08-29", "Summer bank holiday"),
        ("Mon 2016-12-26", "Boxing Day"),
        ("Tue 2016-12-27", "Christmas Day (substitute day)"),
    ],
    2017: [
        ("Mon 2017-01-02", "New Year's Day (substitute day)"),
        ("Fri 2017-04-14", "Good Friday"),
        ("Mon 2017-04-17", "Easter Monday"),
        ("Mon 2017-05-01", "Early May bank holiday"),
        ("Mon 2017-05-29", "Spring bank holiday"),
        ("Mon 2017-08-28", "Summer bank holiday"),
        ("Mon 2017-12-25", "Christmas Day"),
        ("Tue 2017-12-26", "Boxing Day"),
    ],
    2018: [
        ("Mon 2018-01-01", "New Year's Day"),
        ("Fri 2018-03-30", "Good Friday"),
        ("Mon 2018-04-02", "Easter Monday"),
        ("Mon 2018-05-07", "Early May bank holiday"),
        ("Mon 2018-05-28", "Spring bank holiday"),
        ("Mon 2018-08-27", "Summer bank holiday"),
        ("Tue 2018-12-25", "Christmas Day"),
        ("Wed 2018-12-26", "Boxing Day"),
    ],
    2019: [
        ("Tue 2019-01-01", "New Year's Day"),
        ("Fri 2019-04-19", "Good Friday"),
        ("Mon 2019-04-22", "Easter Monday"),
        ("Mon 2019-05-06", "Early May bank holiday"),
        ("Mon 2019-05-27", "Spring bank holiday"),
        ("Mon 2019-08-26", "Summer bank holiday"),
        ("Wed 2019-12-25", "Christmas Day"),
        ("Thu 2019-12-26", "Boxing Day"),
    ],
    2020: [
        ("Wed 2020-01-01", "New Year's Day"),
        ("Fri 2020-04-10", "Good Friday"),
        ("Mon 2020-04-13", "Easter Monday"),
        ("Fri 2020-05-08", "Early May bank holiday (VE Day)"),
        ("Mon 2020-05-25", "Spring bank holiday"),
        ("Mon 2020-08-31", "Summer bank holiday"),
        ("Fri 2020-12-25", "Christmas Day"),
        ("Mon 2020-12-28", "Boxing Day (substitute day)"),
    ],
    2021: [
        ("Fri 2021-01-01", "New Year's Day"),
        ("Fri 2021-04-02", "Good Friday"),
        ("Mon 2021-04-05", "Easter Monday"),
        ("Mon 2021-05-03", "Early May bank holiday"),
        ("Mon 2021-05-31", "Spring bank holiday"),
        ("Mon 2021-08-30", "Summer bank holiday"),
        ("Mon 2021-12-27", "Christmas Day (substitute day)"),
        ("Tue 2021-12-28", "Boxing Day (substitute day)"),
    ],
    2022: [
        ("Mon 2022-01-03", "New Year's Day (substitute day)"),
        ("Fri 2022-04-15", "Good Friday"),
        ("Mon 2022-04-18", "Easter Monday"),
        ("Mon 2022-05-02", "Early May bank holiday"),
        ("Thu 2022-06-02", "Spring bank holiday"),
        ("Fri 2022-06-03", "Platinum Jubilee bank holiday"),
        ("Mon 2022-08-29", "Summer bank holiday"),
        ("Mon 2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"),
        ("Mon 2022-12-26", "Boxing Day"),
        ("Tue 2022-12-27", "Christmas Day (substitute day)"),
    ],
    2023: [
        ("Mon 2023-01-02", "New Year's Day (substitute day)"),
        ("Fri 2023-04-07", "Good Friday"),
        ("Mon 2023-04-10", "Easter Monday"),
        ("Mon 2023-05-01", "Early May bank holiday"),
        ("Mon 2023-05-08", "Bank holiday for the coronation of King Charles III"),
        ("Mon 2023-05-29", "Spring bank holiday"),
        ("Mon 2023-08-28", "Summer bank holiday"),
        ("Mon 2023-12-25", "Christmas Day"),
        ("Tue 2023-12-26", "Boxing Day"),
    ],
    2024: [
        ("Mon 2024-01-01", "New Year's Day"),
        ("Fri 2024-03-29", "Good Friday"),
        ("Mon 2024-04-01", "Easter Monday"),
        ("Mon 2024-05-06", "Early May bank holiday"),
        ("Mon 2024-05-27", "Spring bank holiday"),
        ("Mon 2024-08-26", "Summer bank holiday"),
        ("Wed 2024-12-25", "Christmas Day"),
        ("Thu 2024-12-26", "Boxing Day"),
    ],
    2025: [
        ("Wed 2025-01-01", "New Year's Day"),
        ("Fri 2025-04-18", "Good Friday"),
        ("Mon 2025-04-21", "Easter Monday"),
        ("Mon 2025-05-05", "Early May bank holiday"),
        ("Mon 2025-05-26", "Spring bank holiday"),
        ("Mon 2025-08-25", "Summer bank holiday"),
        ("Thu 2025-12-25", "Christmas Day"),
        ("Fri 2025-12-26", "Boxing Day"),
    ],
    2026: [
        ("Thu 2026-01-01", "New Year's Day"),
        ("Fri 2026-04-03", "Good Friday"),
        ("Mon 2026-04-06", "Easter Monday"),
        ("Mon 2026-05-04", "Early May bank holiday"),
        ("Mon 2026-05-25", "Spring bank holiday"),
        ("Mon 2026-08-31", "Summer bank holiday"),
        ("Fri 2026-12-25", "Christmas Day"),
        ("Mon 2026-12-28", "Boxing Day (substitute day)"),
    ],
    2027: [
        ("Fri 2027-01-01", "New Year's Day"),
        ("Fri 2027-03-26", "Good Friday"),
        ("Mon 2027-03-29", "Easter Monday"),
        ("Mon 2027-05-03", "Early May bank holiday"),
        ("Mon 2027-05-31", "Spring bank holiday"),
        ("Mon 2027-08-30", "Summer bank holiday"),
        ("Mon 2027-12-27", "Christmas Day (substitute day)"),
        ("Tue 2027-12-28", "Boxing Day (substitute day)"),
    ],
}


# ---------------------------------------------------------------------------------------------
# Known answers: start day + n working days = expected day, and why.
# ---------------------------------------------------------------------------------------------
KNOWN_ANSWERS: list[tuple[str, int, str, str]] = [
    # 2015
    ("Wed 2014-12-31", 1, "Fri 2015-01-02", "New Year's Day, Thu 1 Jan"),
    ("Thu 2015-04-02", 1, "Tue 2015-04-07", "Good Friday 3 Apr, Easter Monday 6 Apr"),
    ("Fri 2015-05-01", 1, "Tue 2015-05-05", "early May bank holiday 4 May"),
    ("Fri 2015-05-22", 1, "Tue 2015-05-26", "spring bank holiday 25 May"),
    ("Fri 2015-08-28", 1, "Tue 2015-09-01", "summer bank holiday 31 Aug"),
    ("Thu 2015-12-24", 1, "Tue 2015-12-29", "Christmas Fri 25, Boxing Day substitute Mon 28"),
    ("Thu 2015-12-24", 2, "Wed 2015-12-30", "Christmas Fri 25, Boxing Day substitute Mon 28"),
    # 2016
    ("Thu 2015-12-31", 1, "Mon 2016-01-04", "New Year's Day, Fri 1 Jan"),
    ("Thu 2016-03-24", 1, "Tue 2016-03-29", "Good Friday 25 Mar, Easter Monday 28 Mar"),
    ("Fri 2016-04-29", 1, "Tue 2016-05-03", "early May bank holiday 2 May"),
    ("Fri 2016-05-27", 1, "Tue 2016-05-31", "spring bank holiday 30 May"),
    ("Fri 2016-08-26", 1, "Tue 2016-08-30", "summer bank holiday 29 Aug"),
    ("Fri 2016-12-23", 1, "Wed 2016-12-28", "Boxing Day Mon 26, Christmas substitute Tue 27"),
    ("Fri 2016-12-23", 4, "Tue 2017-01-03", "Christmas, then New Year's substitute Mon 2 Jan"),
    # 2017
    ("Fri 2016-12-30", 1, "Tue 2017-01-03", "New Year's Day substitute, Mon 2 Jan"),
    ("Thu 2017-04-13", 1, "Tue 2017-04-18", "Good Friday 14 Apr, Easter Monday 17 Apr"),
    ("Fri 2017-04-28", 1, "Tue 2017-05-02", "early May bank holiday 1 May"),
    ("Fri 2017-05-26", 1, "Tue 2017-05-30", "spring bank holiday 29 May"),
    ("Fri 2017-08-25", 1, "Tue 2017-08-29", "summer bank holiday 28 Aug"),
    ("Fri 2017-12-22", 1, "Wed 2017-12-27", "Christmas Mon 25, Boxing Day Tue 26"),
    ("Thu 2017-12-21", 2, "Wed 2017-12-27", "Christmas Mon 25, Boxing Day Tue 26"),
    # 2018
    ("Fri 2017-12-29", 1, "Tue 2018-01-02", "New Year's Day, Mon 1 Jan"),
    ("Thu 2018-03-29", 1, "Tue 2018-04-03", "Good Friday 30 Mar, Easter Monday 2 Apr"),
    ("Fri 2018-05-04", 1, "Tue 2018-05-08", "early May bank holiday 7 May"),
    ("Fri 2018-05-25", 1, "Tue 2018-05-29", "spring bank holiday 28 May"),
    ("Fri 2018-08-24", 1, "Tue 2018-08-28", "summer bank holiday 27 Aug"),
    ("Mon 2018-12-24", 1, "Thu 2018-12-27", "Christmas Tue 25, Boxing Day Wed 26"),
    # 2019
    ("Mon 2018-12-31", 1, "Wed 2019-01-02", "New Year's Day, Tue 1 Jan"),
    ("Thu 2019-04-18", 1, "Tue 2019-04-23", "Good Friday 19 Apr, Easter Monday 22 Apr"),
    ("Fri 2019-05-03", 1, "Tue 2019-05-07", "early May bank holiday 6 May"),
    ("Fri 2019-05-24", 1, "Tue 2019-05-28", "spring bank holiday 27 May"),
    ("Fri 2019-08-23", 1, "Tue 2019-08-27", "summer bank holiday 26 Aug"),
    ("Tue 2019-12-24", 1, "Fri 2019-12-27", "Christmas Wed 25, Boxing Day Thu 26"),
    # 2020
    ("Tue 2019-12-31", 1, "Thu 2020-01-02", "New Year's Day, Wed 1 Jan"),
    ("Thu 2020-04-09", 1, "Tue 2020-04-14", "Good Friday 10 Apr, Easter Monday 13 Apr"),
    ("Fri 2020-05-01", 1, "Mon 2020-05-04", "Mon 4 May was a working day: May Day moved"),
    ("Thu 2020-05-07", 1, "Mon 2020-05-11", "early May bank holiday moved to Fri 8 May, VE Day"),
    ("Thu 2020-05-07", 2, "Tue 2020-05-12", "early May bank holiday moved to Fri 8 May, VE Day"),
    ("Fri 2020-05-22", 1, "Tue 2020-05-26", "spring bank holiday 25 May"),
    ("Fri 2020-08-28", 1, "Tue 2020-09-01", "summer bank holiday 31 Aug"),
    ("Thu 2020-12-24", 1, "Tue 2020-12-29", "Christmas Fri 25, Boxing Day substitute Mon 28"),
    ("Wed 2020-12-23", 2, "Tue 2020-12-29", "Christmas Fri 25, Boxing Day substitute Mon 28"),
    # 2021
    ("Thu 2020-12-31", 1, "Mon 2021-01-04", "New Year's Day, Fri 1 Jan"),
    ("Thu 2021-04-01", 1, "Tue 2021-04-06", "Good Friday 2 Apr, Easter Monday 5 Apr"),
    ("Fri 2021-04-30", 1, "Tue 2021-05-04", "early May bank holiday 3 May"),
    ("Fri 2021-05-28", 1, "Tue 2021-06-01", "spring bank holiday 31 May"),
    ("Fri 2021-08-27", 1, "Tue 2021-08-31", "summer bank holiday 30 Aug"),
    ("Fri 2021-12-24", 1, "Wed 2021-12-29", "substitutes Mon 27 and Tue 28 for Christmas"),
    ("Mon 2021-12-20", 5, "Wed 2021-12-29", "substitutes Mon 27 and Tue 28 for Christmas"),
    ("Fri 2021-12-24", 3, "Fri 2021-12-31", "substitutes Mon 27 and Tue 28 for Christmas"),
    # 2022
    ("Fri 2021-12-24", 4, "Tue 2022-01-04", "Christmas, then New Year's substitute Mon 3 Jan"),
    ("Fri 2021-12-31", 1, "Tue 2022-01-04", "New Year's Day substitute, Mon 3 Jan"),
    ("Thu 2022-04-14", 1, "Tue 2022-04-19", "Good Friday 15 Apr, Easter Monday 18 Apr"),
    ("Fri 2022-04-29", 1, "Tue 2022-05-03", "early May bank holiday 2 May"),
    ("Fri 2022-05-27", 1, "Mon 2022-05-30", "Mon 30 May was a working day: spring bank moved"),
    ("Wed 2022-06-01", 1, "Mon 2022-06-06", "spring bank Thu 2 Jun, Platinum Jubilee Fri 3 Jun"),
    ("Wed 2022-06-01", 2, "Tue 2022-06-07", "spring bank Thu 2 Jun, Platinum Jubilee Fri 3 Jun"),
    ("Sat 2022-06-04", 1, "Mon 2022-06-06", "a Saturday start counts from Monday"),
    ("Fri 2022-08-26", 1, "Tue 2022-08-30", "summer bank holiday 29 Aug"),
    ("Fri 2022-09-16", 1, "Tue 2022-09-20", "State Funeral of Queen Elizabeth II, Mon 19 Sep"),
    ("Wed 2022-09-14", 3, "Tue 2022-09-20", "State Funeral of Queen Elizabeth II, Mon 19 Sep"),
    ("Mon 2022-09-19", 1, "Tue 2022-09-20", "a bank holiday start counts from the next day"),
    ("Fri 2022-12-23", 1, "Wed 2022-12-28", "Boxing Day Mon 26, Christmas substitute Tue 27"),
    # 2023
    ("Fri 2022-12-30", 1, "Tue 2023-01-03", "New Year's Day substitute, Mon 2 Jan"),
    ("Thu 2023-04-06", 1, "Tue 2023-04-11", "Good Friday 7 Apr, Easter Monday 10 Apr"),
    ("Fri 2023-04-28", 1, "Tue 2023-05-02", "early May bank holiday 1 May"),
    ("Fri 2023-05-05", 1, "Tue 2023-05-09", "coronation of King Charles III, Mon 8 May"),
    ("Fri 2023-04-28", 5, "Tue 2023-05-09", "May Day Mon 1 May and coronation Mon 8 May"),
    ("Fri 2023-05-26", 1, "Tue 2023-05-30", "spring bank holiday 29 May"),
    ("Fri 2023-08-25", 1, "Tue 2023-08-29", "summer bank holiday 28 Aug"),
    ("Fri 2023-12-22", 1, "Wed 2023-12-27", "Christmas Mon 25, Boxing Day Tue 26"),
    ("Thu 2023-12-21", 2, "Wed 2023-12-27", "Christmas Mon 25, Boxing Day Tue 26"),
    # 2024
    ("Fri 2023-12-29", 1, "Tue 2024-01-02", "New Year's Day, Mon 1 Jan"),
    ("Thu 2024-03-28", 1, "Tue 2024-04-02", "Good Friday 29 Mar, Easter Monday 1 Apr"),
    ("Fri 2024-05-03", 1, "Tue 2024-05-07", "early May bank holiday 6 May"),
    ("Fri 2024-05-24", 1, "Tue 2024-05-28", "spring bank holiday 27 May"),
    ("Fri 2024-08-23", 1, "Tue 2024-08-27", "summer bank holiday 26 Aug"),
    ("Tue 2024-12-24", 1, "Fri 2024-12-27", "Christmas Wed 25, Boxing Day Thu 26"),
    # 2025
    ("Tue 2024-12-31", 1, "Thu 2025-01-02", "New Year's Day, Wed 1 Jan"),
    ("Thu 2025-04-17", 1, "Tue 2025-04-22", "Good Friday 18 Apr, Easter Monday 21 Apr"),
    ("Fri 2025-04-18", 1, "Tue 2025-04-22", "a Good Friday start counts from Tuesday"),
    ("Fri 2025-05-02", 1, "Tue 2025-05-06", "early May bank holiday 5 May"),
    ("Fri 2025-05-23", 1, "Tue 2025-05-27", "spring bank holiday 26 May"),
    ("Fri 2025-08-22", 1, "Tue 2025-08-26", "summer bank holiday 25 Aug"),
    ("Wed 2025-12-24", 1, "Mon 2025-12-29", "Christmas Thu 25, Boxing Day Fri 26"),
    # 2026
    ("Wed 2025-12-31", 1, "Fri 2026-01-02", "New Year's Day, Thu 1 Jan"),
    ("Thu 2026-04-02", 1, "Tue 2026-04-07", "Good Friday 3 Apr, Easter Monday 6 Apr"),
    ("Fri 2026-05-01", 1, "Tue 2026-05-05", "early May bank holiday 4 May"),
    ("Fri 2026-05-22", 1, "Tue 2026-05-26", "spring bank holiday 25 May"),
    ("Fri 2026-08-28", 1, "Tue 2026-09-01", "summer bank holiday 31 Aug"),
    ("Thu 2026-12-24", 1, "Tue 2026-12-29", "Christmas Fri 25, Boxing Day substitute Mon 28"),
    # 2027
    ("Thu 2026-12-31", 1, "Mon 2027-01-04", "New Year's Day, Fri 1 Jan"),
    ("Thu 2027-03-25", 1, "Tue 2027-03-30", "Good Friday 26 Mar, Easter Monday 29 Mar"),
    ("Fri 2027-04-30", 1, "Tue 2027-05-04", "early May bank holiday 3 May"),
    ("Fri 2027-05-28", 1, "Tue 2027-06-01", "spring bank holiday 31 May"),
    ("Fri 2027-08-27", 1, "Tue 2027-08-31", "summer bank holiday 30 Aug"),
    ("Fri 2027-12-24", 1, "Wed 2027-12-29", "substitutes Mon 27 and Tue 28 for Christmas"),
    ("Fri 2027-12-24", 2, "Thu 2027-12-30", "substitutes Mon 27 and Tue 28 for Christmas"),
]

# Counting working days: how many working days d satisfy start < d <= end.
KNOWN_COUNTS: list[tuple[str, str, int, str]] = [
    ("Wed 2022-06-01", "Mon 2022-06-06", 1, "Jubilee weekend: only Mon 6 Jun counts"),
    ("Mon 2022-06-06", "Wed 2022-06-01", -1, "the same span counted backwards"),
    ("Fri 2021-12-31", "Fri 2021-12-31", 0, "a day to itself"),
    ("Fri 2021-12-24", "Fri 2021-12-31", 3, "Wed 29, Thu 30, Fri 31 Dec"),
    ("Tue 2019-12-31", "Thu 2020-12-31", 254, "all of 2020: 262 weekdays less 8 bank holidays"),
    ("Sat 2022-01-01", "Sat 2022-12-31", 250, "2022: 260 weekdays less 10 bank holidays"),
    ("Sat 2022-12-31", "Sun 2023-12-31", 251, "all of 2023: 260 weekdays less 9 bank holidays"),
    ("Sun 2023-12-31", "Tue 2024-12-31", 254, "all of 2024: 262 weekdays less 8 bank holidays"),
]


def _readable(start: str, n: int, expected: str, why: str) -> str:
    return f"{start} + {n} = {expected} ({why})"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(day(start), n, day(expected), id=_readable(start, n, expected, why))
        for start, n, expected, why in KNOWN_ANSWERS
    ],
)
def test_adding_working_days_gives_the_hand_checked_date(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(day(start), n, day(expected), id=_readable(start, n, expected, why))
        for start, n, expected, why in KNOWN_ANSWERS
    ],
)
def test_counting_back_from_a_known_answer_gives_n(start: date, n: int, expected: date) -> None:
    assert working_days_between(start, expected) == n


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        pytest.param(day(start), day(end), count, id=f"{start} to {end} = {count} ({why})")
        for start, end, count, why in KNOWN_COUNTS
    ],
)
def test_working_days_between_gives_the_hand_checked_count(
    start: date, end: date, count: int
) -> None:
    assert working_days_between(start, end) == count


def test_the_known_answers_cover_every_year_from_2015_to_2027() -> None:
    years = {day(expected).year for _, _, expected, _ in KNOWN_ANSWERS}
    assert set(range(2015, 2028)) <= years


@pytest.mark.parametrize("year", sorted(ENGLAND_AND_WALES_BANK_HOLIDAYS))
def test_non_working_weekdays_are_exactly_the_published_bank_holidays(year: int) -> None:
    published = {day(text) for text, _ in ENGLAND_AND_WALES_BANK_HOLIDAYS[year]}
    every_day = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    weekdays = [d for d in every_day if d.year == year and d.weekday() < 5]
    non_working_weekdays = {d for d in weekdays if not is_working_day(d)}

    assert all(d.weekday() < 5 for d in published), "a published bank holiday is a weekday"
    assert sorted(non_working_weekdays - published) == [], "non-working days not published"
    assert sorted(published - non_working_weekdays) == [], "published days treated as working"


@pytest.mark.parametrize(
    "bank_holiday",
    [
        day(text)
        for year in sorted(ENGLAND_AND_WALES_BANK_HOLIDAYS)
        for text, _ in ENGLAND_AND_WALES_BANK_HOLIDAYS[year]
    ],
    ids=str,
)
def test_every_published_bank_holiday_has_a_name_for_wording(bank_holiday: date) -> None:
    assert ENGLAND.holiday_name(bank_holiday)


@pytest.mark.parametrize(
    ("moved_from", "why"),
    [
        (day("Mon 2020-05-04"), "2020 early May bank holiday moved to Fri 8 May for VE Day"),
        (day("Mon 2022-05-30"), "2022 spring bank holiday moved to Thu 2 Jun for the Jubilee"),
    ],
)
def test_the_usual_monday_of_a_moved_bank_holiday_is_a_working_day(
    moved_from: date, why: str
) -> None:
    assert is_working_day(moved_from), why


@pytest.mark.parametrize(
    ("holiday", "name"),
    [
        (day("Mon 2020-12-28"), "Boxing Day (observed)"),
        (day("Tue 2022-12-27"), "Christmas Day (observed)"),
        (day("Sat 2020-12-26"), "Boxing Day"),
        (day("Mon 2022-09-19"), "State Funeral of Queen Elizabeth II"),
        (day("Mon 2023-05-08"), "Coronation of Charles III"),
    ],
)
def test_holiday_name_gives_the_wording_for_a_bank_holiday(holiday: date, name: str) -> None:
    assert ENGLAND.holiday_name(holiday) == name


def test_holiday_name_is_none_on_an_ordinary_day() -> None:
    assert ENGLAND.holiday_name(day("Wed 2024-06-05")) is None


# ---------------------------------------------------------------------------------------------
# Edge cases of adding working days.
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(day("Fri 2024-06-07"), day("Mon 2024-06-10"), id="Friday + 1 is Monday"),
        pytest.param(day("Sat 2024-06-08"), day("Mon 2024-06-10"), id="Saturday + 1 is Monday"),
        pytest.param(day("Sun 2024-06-09"), day("Mon 2024-06-10"), id="Sunday + 1 is Monday"),
        pytest.param(day("Mon 2024-06-10"), day("Tue 2024-06-11"), id="Monday + 1 is Tuesday"),
        pytest.param(
            day("Mon 2024-08-26"), day("Tue 2024-08-27"), id="bank holiday Monday + 1 is Tuesday"
        ),
    ],
)
def test_adding_one_working_day_never_counts_the_start_day(start: date, expected: date) -> None:
    assert add_working_days(start, 1) == expected


def test_adding_zero_working_days_to_a_saturday_returns_that_saturday() -> None:
    saturday = day("Sat 2024-06-08")
    assert add_working_days(saturday, 0) == saturday


def test_adding_zero_working_days_to_a_bank_holiday_returns_that_bank_holiday() -> None:
    good_friday = day("Fri 2024-03-29")
    assert add_working_days(good_friday, 0) == good_friday


def test_adding_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(day("Mon 2024-06-10"), -1)


def test_ten_thousand_working_days_agree_with_a_day_by_day_walk() -> None:
    start = day("Mon 2024-01-01")
    walked = start
    for _ in range(10_000):
        walked += timedelta(days=1)
        while not is_working_day(walked):
            walked += timedelta(days=1)

    assert add_working_days(start, 10_000) == walked
    assert working_days_between(start, walked) == 10_000


def test_a_year_the_holidays_package_does_not_cover_is_refused() -> None:
    with pytest.raises(ValueError, match="2101 is outside"):
        is_working_day(date(2101, 1, 3))


def test_adding_past_the_last_covered_year_is_refused() -> None:
    with pytest.raises(ValueError, match="known up to 2100"):
        add_working_days(date(2100, 12, 30), 5)


# ---------------------------------------------------------------------------------------------
# The region is configuration: Scotland has other bank holidays.
# ---------------------------------------------------------------------------------------------
SCOTLAND = WorkingCalendar("GB", "SCT")


@pytest.mark.parametrize(
    ("holiday", "why"),
    [
        (day("Tue 2024-01-02"), "2 January is a bank holiday in Scotland"),
        (day("Thu 2025-01-02"), "2 January is a bank holiday in Scotland"),
        (day("Mon 2024-12-02"), "St Andrew's Day, Sat 30 Nov 2024, substitute Monday"),
        (day("Mon 2025-12-01"), "St Andrew's Day, Sun 30 Nov 2025, substitute Monday"),
        (day("Mon 2024-08-05"), "Scotland's summer bank holiday is the first Monday of August"),
    ],
)
def test_scottish_bank_holidays_are_not_working_days_in_scotland_only(
    holiday: date, why: str
) -> None:
    assert not SCOTLAND.is_working_day(holiday), why
    assert ENGLAND.is_working_day(holiday), why


@pytest.mark.parametrize(
    ("ordinary_day", "why"),
    [
        (day("Mon 2024-04-01"), "Easter Monday is not a bank holiday in Scotland"),
        (day("Mon 2024-08-26"), "England's late summer bank holiday is not Scotland's"),
    ],
)
def test_english_only_bank_holidays_are_working_days_in_scotland(
    ordinary_day: date, why: str
) -> None:
    assert SCOTLAND.is_working_day(ordinary_day), why
    assert not ENGLAND.is_working_day(ordinary_day), why


def test_the_module_functions_use_the_calendar_they_are_given() -> None:
    new_year_friday = day("Fri 2023-12-29")
    assert add_working_days(new_year_friday, 2) == day("Wed 2024-01-03")
    assert add_working_days(new_year_friday, 2, SCOTLAND) == day("Thu 2024-01-04")
    assert working_days_between(new_year_friday, day("Thu 2024-01-04"), SCOTLAND) == 2
    assert not is_working_day(day("Tue 2024-01-02"), SCOTLAND)


def test_the_default_calendar_is_england_and_wales() -> None:
    assert (ENGLAND.country, ENGLAND.subdivision) == ("GB", "ENG")
    assert (WorkingCalendar().country, WorkingCalendar().subdivision) == ("GB", "ENG")


@pytest.mark.parametrize(
    ("country", "subdivision", "message"),
    [
        ("XX", None, "no country 'XX'"),
        ("JAN", None, "no country 'JAN'"),
        ("GB", "XYZ", "no region GB-XYZ"),
    ],
)
def test_an_unknown_region_is_refused_when_the_calendar_is_built(
    country: str, subdivision: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(country, subdivision)


# ---------------------------------------------------------------------------------------------
# The next working moment: e.g. "09:00 London time on the next working day", always in UTC.
# UK clocks go forward on the last Sunday of March and back on the last Sunday of October.
# ---------------------------------------------------------------------------------------------
LONDON = ZoneInfo("Europe/London")
NINE_AM = time(9, 0)


def london(year: int, month: int, day_of_month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day_of_month, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day_of_month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day_of_month, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param(
            london(2024, 6, 7, 10), utc(2024, 6, 10, 8), id="after Fri 10:00 BST -> Mon 09:00 BST"
        ),
        pytest.param(
            london(2024, 6, 7, 8), utc(2024, 6, 7, 8), id="after Fri 08:00 BST -> same Fri 09:00"
        ),
        pytest.param(
            london(2024, 6, 5, 9), utc(2024, 6, 6, 8), id="exactly Wed 09:00 -> Thu 09:00"
        ),
        pytest.param(
            london(2024, 6, 5, 8, 59), utc(2024, 6, 5, 8), id="Wed 08:59 -> same Wed 09:00"
        ),
        pytest.param(
            london(2024, 8, 23, 17),
            utc(2024, 8, 27, 8),
            id="Fri before summer bank holiday -> Tue 27 Aug 09:00 BST",
        ),
        pytest.param(
            london(2024, 12, 24, 12),
            utc(2024, 12, 27, 9),
            id="Christmas Eve -> Fri 27 Dec 09:00 GMT",
        ),
        pytest.param(
            london(2025, 3, 28, 10),
            utc(2025, 3, 31, 8),
            id="Fri 09:00 GMT passed, clocks go forward Sun 30 Mar -> Mon 09:00 BST = 08:00 UTC",
        ),
        pytest.param(
            london(2024, 3, 28, 10),
            utc(2024, 4, 2, 8),
            id="Thu before Easter 2024, clocks go forward Sun 31 Mar -> Tue 2 Apr 08:00 UTC",
        ),
        pytest.param(
            london(2025, 10, 24, 10),
            utc(2025, 10, 27, 9),
            id="Fri 10:00 BST, clocks go back Sun 26 Oct -> Mon 09:00 GMT = 09:00 UTC",
        ),
        pytest.param(
            utc(2025, 10, 24, 9, 30),
            utc(2025, 10, 27, 9),
            id="after given in UTC, clocks go back -> Mon 09:00 UTC",
        ),
        pytest.param(
            utc(2025, 6, 1, 23, 30),
            utc(2025, 6, 2, 8),
            id="Sun 23:30 UTC is already Mon 00:30 BST -> Mon 09:00 BST",
        ),
        pytest.param(
            utc(2025, 6, 6, 23, 30),
            utc(2025, 6, 9, 8),
            id="Fri 23:30 UTC is already Sat 00:30 BST -> Mon 09:00 BST",
        ),
        pytest.param(
            datetime(2025, 1, 6, 3, 30, tzinfo=timezone(timedelta(hours=-5))),
            utc(2025, 1, 6, 9),
            id="Mon 03:30 at UTC-5 is 08:30 GMT -> same Mon 09:00 GMT",
        ),
    ],
)
def test_next_working_moment_at_nine_in_london(after: datetime, expected: datetime) -> None:
    answer = next_working_moment(after, NINE_AM, LONDON)

    assert answer == expected
    assert answer.tzinfo is UTC


def test_next_working_moment_judges_the_day_by_its_date_in_the_given_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    tuesday_3am_utc_is_monday_11pm_in_new_york = utc(2025, 6, 10, 3)

    answer = next_working_moment(tuesday_3am_utc_is_monday_11pm_in_new_york, time(23, 30), new_york)

    assert answer == utc(2025, 6, 10, 3, 30)
    assert answer.astimezone(new_york) == datetime(2025, 6, 9, 23, 30, tzinfo=new_york)


def test_next_working_moment_uses_the_calendar_it_is_given() -> None:
    friday_before_st_andrews_substitute = london(2024, 11, 29, 10)

    assert next_working_moment(friday_before_st_andrews_substitute, NINE_AM, LONDON) == utc(
        2024, 12, 2, 9
    )
    assert next_working_moment(
        friday_before_st_andrews_substitute, NINE_AM, LONDON, SCOTLAND
    ) == utc(2024, 12, 3, 9)


def test_next_working_moment_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_working_moment(datetime(2024, 6, 7, 10, 0), NINE_AM, LONDON)


def test_next_working_moment_refuses_a_time_of_day_that_carries_its_own_zone() -> None:
    with pytest.raises(ValueError, match="without a tzinfo"):
        next_working_moment(london(2024, 6, 7, 10), time(9, 0, tzinfo=UTC), LONDON)


# UK clocks change on Sundays, which are never working days, so the wall-clock gap and the
# repeated hour are shown with Cairo, whose clocks changed on weekdays in 2023: forward at
# 00:00 on Friday 28 April (00:00-00:59 never happened) and back at 24:00 on Thursday
# 26 October (23:00-23:59 happened twice, first at UTC+3 and then at UTC+2).
CAIRO = ZoneInfo("Africa/Cairo")


def test_a_time_skipped_by_the_clocks_is_read_with_the_offset_before_the_change() -> None:
    answer = next_working_moment(utc(2023, 4, 27, 10), time(0, 30), CAIRO)

    # 00:30 at the old offset (UTC+2) is 22:30 UTC, which Cairo's clocks showed as 01:30.
    assert answer == utc(2023, 4, 27, 22, 30)
    assert answer.astimezone(CAIRO).time() == time(1, 30)


def test_a_time_shown_twice_first_gives_its_earlier_occurrence() -> None:
    answer = next_working_moment(utc(2023, 10, 26, 10), time(23, 30), CAIRO)

    assert answer == utc(2023, 10, 26, 20, 30)


def test_a_time_shown_twice_gives_its_repeat_once_the_first_has_passed() -> None:
    answer = next_working_moment(utc(2023, 10, 26, 20, 30), time(23, 30), CAIRO)

    assert answer == utc(2023, 10, 26, 21, 30)


def test_after_both_occurrences_of_a_repeated_time_the_next_working_day_follows() -> None:
    answer = next_working_moment(utc(2023, 10, 26, 21, 30), time(23, 30), CAIRO)

    assert answer == utc(2023, 10, 27, 21, 30)
