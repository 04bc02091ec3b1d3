"""The working-day calendar: which days count towards the procedure's "working days" timescales.

The HIPS procedure gives each stage "2 working days", so every deadline and reminder depends on
one answer: is this day a working day? A working day is Monday to Friday and not a bank holiday
of the configured region (England and Wales by default). Bank holidays come from the `holidays`
package, a pure-data dependency, expanded one year at a time the first time a year is asked
about and then kept, so that large jumps cost a few dictionary look-ups per year spanned rather
than one holiday look-up per day.

The module never reads the clock or the environment: every "now" is an argument.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from holidays import HolidayBase

_DAYS_PER_WEEK = 7
_WEEKDAYS_PER_WEEK = 5
_FIRST_WEEKEND_WEEKDAY = 5  # date.weekday(): Monday is 0, so Saturday is 5 and Sunday is 6


def _weekdays_up_to(day: date) -> int:
    """Count the Mondays to Fridays from 1 January of year 1 up to and including `day`.

    Ordinal 1 (1 January of year 1) was a Monday, so each run of seven ordinals starts on a
    Monday and holds five weekdays; this turns "how many weekdays lie between two dates" into a
    subtraction instead of a walk.
    """
    weeks, days_into_week = divmod(day.toordinal(), _DAYS_PER_WEEK)
    return weeks * _WEEKDAYS_PER_WEEK + min(days_into_week, _WEEKDAYS_PER_WEEK)


def _ordinal_of_weekday_number(weekday_number: int) -> int:
    """The ordinal of the earliest day whose `_weekdays_up_to` equals `weekday_number` (>= 1).

    That day is always a weekday: the inverse of `_weekdays_up_to` on weekdays.
    """
    weeks, position_in_week = divmod(weekday_number - 1, _WEEKDAYS_PER_WEEK)
    return weeks * _DAYS_PER_WEEK + position_in_week + 1


@dataclass(frozen=True, slots=True)
class _YearOfHolidays:
    """One year's holidays for a region, in the two shapes the calendar reads them."""

    names: Mapping[date, str]
    """Every holiday of the year, weekends included, with its name (for wording)."""
    on_weekdays: tuple[date, ...]
    """The holidays that fall Monday to Friday, sorted: the ones that remove a working day."""


class WorkingCalendar:
    """Working days of one region: Monday to Friday, less that region's bank holidays.

    The region is configuration (a `holidays` country code and optional subdivision, such as
    "GB" and "ENG" for England and Wales), so a partnership in another nation of the UK gets
    its own bank holidays without code changes. Years are expanded on first use and cached;
    two threads expanding the same year at once do the same work and store equal values, so
    the cache needs no lock.

    Dates outside the years the `holidays` package covers for the region raise ValueError
    rather than being silently treated as having no bank holidays.
    """

    def __init__(self, country: str = "GB", subdivision: str | None = "ENG") -> None:
        self._country = country
        self._subdivision = subdivision
        # Names are asked for in the region's own default language: left unset, the package
        # would choose a language from the process's locale variables, and the domain does not
        # let the environment change its answers.
        self._language = _default_language(country)
        try:
            region = self._holidays_of(())
        except NotImplementedError as error:
            raise ValueError(
                f"The holidays package has no region {self._region_label()}: {error}"
            ) from error
        self._first_year = int(region.start_year)
        self._last_year = int(region.end_year)
        self._years: dict[int, _YearOfHolidays] = {}

    @property
    def country(self) -> str:
        """The `holidays` country code this calendar was configured with."""
        return self._country

    @property
    def subdivision(self) -> str | None:
        """The `holidays` subdivision code, or None for the country's nationwide holidays."""
        return self._subdivision

    @property
    def first_year(self) -> int:
        """The earliest year whose bank holidays this calendar knows."""
        return self._first_year

    @property
    def last_year(self) -> int:
        """The latest year whose bank holidays this calendar knows."""
        return self._last_year

    def __repr__(self) -> str:
        return f"WorkingCalendar(country={self._country!r}, subdivision={self._subdivision!r})"

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is Monday to Friday and not one of the region's bank holidays."""
        if day.weekday() >= _FIRST_WEEKEND_WEEKDAY:
            self._require_covered(day.year)
            return False
        return day not in self._year(day.year).names

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday's name on `day` (e.g. "Boxing Day (observed)"), or None.

        Holidays that fall at a weekend are named too ("Boxing Day" on a Saturday), so wording
        can explain why a substitute Monday is not a working day.
        """
        return self._year(day.year).names.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The `n`th working day after `start`; the start day itself never counts.

        So Friday + 1 is Monday, and Saturday + 1 and Sunday + 1 are Monday too. `n` = 0 returns
        `start` unchanged, even when it is not a working day, which keeps
        `add_working_days(add_working_days(d, n), m) == add_working_days(d, n + m)` true for
        every n, m >= 0.

        The jump is computed, not walked: step `n` weekdays at once, count the bank holidays
        that step passed over, and step again by that many until a step passes over none.
        """
        if n < 0:
            raise ValueError(
                f"A number of working days to add must be zero or more; {n} was given."
            )
        current = start
        still_to_add = n
        while still_to_add > 0:
            target_ordinal = _ordinal_of_weekday_number(_weekdays_up_to(current) + still_to_add)
            self._require_covered_ordinal(target_ordinal)
            candidate = date.fromordinal(target_ordinal)
            still_to_add = self._weekday_holidays_after_until(current, candidate)
            current = candidate
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days d satisfy a < d <= b; the negative of the reverse when b < a.

        This is the inverse of `add_working_days`: for every a and n >= 0,
        `working_days_between(a, add_working_days(a, n)) == n`.
        """
        if b < a:
            return -self._working_days_after_until(b, a)
        return self._working_days_after_until(a, b)

    def next_working_moment(self, after: datetime, at: time, tz: ZoneInfo) -> datetime:
        """The first instant after `after` at which the clock in `tz` shows `at` on a working day.

        `after` itself never qualifies, so asking again with the answer moves on to the next
        working day (or, in an hour the clocks repeat, to the repeat; see below). `after` must
        be timezone-aware; the answer is an aware datetime in UTC. Whether a day is a working
        day is judged by its date in `tz`. `at` is a wall-clock time (a `tzinfo` on it is
        refused; its `fold` is ignored), resolved on each day by PEP 495's rules:

        - an ordinary time has one instant;
        - a time the clocks skip when they go forward (e.g. 01:30 in London on the last Sunday
          of March) is read with the offset in force before the change (fold=0), which lands
          it the length of the gap later: 01:30 becomes 02:30 BST, i.e. 01:30 UTC;
        - a time shown twice when the clocks go back has two instants, and both count: the
          answer is whichever comes first after `after`, so once the first has passed the
          second one, the same day, is the answer.

        Comparisons are made in UTC, because Python compares two datetimes that share a tzinfo
        by wall-clock time alone and would get the repeated hour wrong.
        """
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError("next_working_moment needs a timezone-aware 'after' datetime.")
        if at.tzinfo is not None:
            raise ValueError(
                "next_working_moment needs 'at' as a wall-clock time without a tzinfo; "
                "the time zone is given separately."
            )
        after_utc = after.astimezone(UTC)
        day = after.astimezone(tz).date()
        while True:
            if self.is_working_day(day):
                for instant in _instants_showing(day, at, tz):
                    if instant > after_utc:
                        return instant
            day += timedelta(days=1)

    def _working_days_after_until(self, after: date, through: date) -> int:
        """Working days d with after < d <= through, for after <= through."""
        if through <= after:
            return 0
        weekdays = _weekdays_up_to(through) - _weekdays_up_to(after)
        return weekdays - self._weekday_holidays_after_until(after, through)

    def _weekday_holidays_after_until(self, after: date, through: date) -> int:
        """Bank holidays falling Monday to Friday on a day d with after < d <= through."""
        if through <= after:
            return 0
        first_counted_year = (after + timedelta(days=1)).year
        count = 0
        for year in range(first_counted_year, through.year + 1):
            on_weekdays = self._year(year).on_weekdays
            count += bisect_right(on_weekdays, through) - bisect_right(on_weekdays, after)
        return count

    def _year(self, year: int) -> _YearOfHolidays:
        """The cached holidays of `year`, expanding it on first use."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        self._require_covered(year)
        return self._expand_year(year)

    def _expand_year(self, year: int) -> _YearOfHolidays:
        """Ask the `holidays` package for one year and keep the answer."""
        names = {day: str(name) for day, name in self._holidays_of((year,)).items()}
        on_weekdays = tuple(sorted(day for day in names if day.weekday() < _FIRST_WEEKEND_WEEKDAY))
        expanded = _YearOfHolidays(names=names, on_weekdays=on_weekdays)
        self._years[year] = expanded
        return expanded

    def _holidays_of(self, years: tuple[int, ...]) -> HolidayBase:
        """The region's holidays for `years` only, never expanded behind the calendar's back."""
        return holidays.country_holidays(
            self._country,
            subdiv=self._subdivision,
            years=years,
            expand=False,
            language=self._language,
        )

    def _require_covered(self, year: int) -> None:
        if not self.first_year <= year <= self.last_year:
            raise ValueError(
                f"The bank holidays of {self._region_label()} are known for "
                f"{self.first_year} to {self.last_year}; {year} is outside that range."
            )

    def _require_covered_ordinal(self, ordinal: int) -> None:
        if ordinal > date(self.last_year, 12, 31).toordinal():
            raise ValueError(
                f"The bank holidays of {self._region_label()} are known up to "
                f"{self.last_year}; that many working days ends later."
            )

    def _region_label(self) -> str:
        if self._subdivision is None:
            return self._country
        return f"{self._country}-{self._subdivision}"


def _default_language(country: str) -> str | None:
    """The language the `holidays` package names a country's holidays in by default.

    Read from the country's entry in the package (the same attribute look-up that
    `holidays.country_holidays` makes), so that a calendar's names never depend on the locale
    of the process. The entry must be a country's (it has a `country` code): the package's
    namespace also holds constants and helpers, which are not regions. (A country with no
    default language leaves the choice of language to the package; GB names in en_GB.)
    """
    entry = getattr(holidays, country, None)
    names_a_country = isinstance(getattr(entry, "country", None), str)
    if not names_a_country:
        raise ValueError(f"The holidays package has no country {country!r}.")
    language = getattr(entry, "default_language", None)
    return language if isinstance(language, str) else None


def _instants_showing(day: date, at: time, tz: ZoneInfo) -> list[datetime]:
    """The UTC instants, earliest first, at which the clock in `tz` reads `at` on `day`.

    One instant normally; two when the clocks go back over `at`; and for a time the clocks
    skip, the single instant that the pre-change offset gives (see `next_working_moment`).
    """
    wall_clock = datetime.combine(day, at.replace(fold=0))
    earlier_reading = wall_clock.replace(tzinfo=tz).astimezone(UTC)
    later_reading = wall_clock.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if earlier_reading == later_reading:
        return [earlier_reading]
    shown_twice = earlier_reading.astimezone(tz).replace(tzinfo=None) == wall_clock
    if shown_twice:
        return sorted([earlier_reading, later_reading])
    return [earlier_reading]


ENGLAND = WorkingCalendar("GB", "ENG")
"""England and Wales bank holidays: the calendar the HIPS procedure's timescales use."""


def is_working_day(day: date, calendar: WorkingCalendar = ENGLAND) -> bool:
    """Whether `day` is a working day of `calendar` (England and Wales unless told otherwise)."""
    return calendar.is_working_day(day)


def add_working_days(start: date, n: int, calendar: WorkingCalendar = ENGLAND) -> date:
    """The `n`th working day after `start` in `calendar`; see WorkingCalendar.add_working_days."""
    return calendar.add_working_days(start, n)


def working_days_between(a: date, b: date, calendar: WorkingCalendar = ENGLAND) -> int:
    """Working days d with a < d <= b in `calendar`; see WorkingCalendar.working_days_between."""
    return calendar.working_days_between(a, b)


def next_working_moment(
    after: datetime, at: time, tz: ZoneInfo, calendar: WorkingCalendar = ENGLAND
) -> datetime:
    """The next `at` in `tz` on a working day, strictly after `after`, as UTC.

    See WorkingCalendar.next_working_moment for how clock changes are handled.
    """
    return calendar.next_working_moment(after, at, tz)
