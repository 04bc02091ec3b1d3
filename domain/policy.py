"""The timing policy of the procedures: stage deadlines and when reminders fall due.

The published HIPS timescales are indicative ("two working days"), and the needs of a child may
call for faster resolution, so the numbers live here as data that settings build from
configuration. The domain never reads the clock or the environment: every function takes the
instant it reasons about as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.working_days import WorkingCalendar

LONDON = ZoneInfo("Europe/London")
DEFAULT_REMINDER_TIME = time(9, 0)
# The published HIPS timescale: "within two working days" for each stage (seed 004).
DEFAULT_WORKING_DAYS_PER_STAGE = 2
DEFAULT_URGENT_WORKING_DAYS = 0

_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)


def working_days_in_words(count: int) -> str:
    """A number of working days as the procedure writes it: "two working days".

    The bot's own sentences about timescales are built from the configured numbers with this,
    so they say what the deadlines are worked out with; quotations of the seeds keep the seeds'
    words. Zero reads "the same working day", as `ProcedurePolicy.stage_deadline` treats it.
    """
    if count < 0:
        raise ValueError("a number of working days cannot be negative")
    if count == 0:
        return "the same working day"
    number = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else f"{count:,}"
    return f"{number} working day" if count == 1 else f"{number} working days"


def require_aware(instant: datetime) -> None:
    """Refuse a naive datetime: without an offset the local date of an instant is a guess."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {instant.isoformat()}")


@dataclass(frozen=True)
class ProcedurePolicy:
    """How many working days each stage gets, in which timezone days are counted, and when
    reminders are sent.

    `urgent_working_days = 0` means "the same working day": the deadline is the start day when
    that is a working day, else the next working day. `reminder_time` is a local wall-clock time.
    """

    calendar: WorkingCalendar
    timezone: ZoneInfo = LONDON
    working_days_per_stage: int = DEFAULT_WORKING_DAYS_PER_STAGE
    urgent_working_days: int = DEFAULT_URGENT_WORKING_DAYS
    reminder_time: time = DEFAULT_REMINDER_TIME

    def __post_init__(self) -> None:
        if self.working_days_per_stage < 0 or self.urgent_working_days < 0:
            raise ValueError("working-day allowances cannot be negative")
        if self.urgent_working_days > self.working_days_per_stage:
            raise ValueError("an urgent concern cannot be given longer than a normal one")
        if self.reminder_time.tzinfo is not None:
            raise ValueError("reminder_time is a local wall-clock time: give it without tzinfo")

    def local_date(self, instant: datetime) -> date:
        """The calendar date of `instant` where the practitioners are (e.g. BST in summer)."""
        require_aware(instant)
        return instant.astimezone(self.timezone).date()

    def stage_deadline(self, start: date, *, urgent: bool) -> date:
        """The local date by the end of which a stage that started on `start` is due.

        The start day itself never counts ("within two working days from when the concern
        arose"), except for an allowance of zero working days, which means the same working day.
        """
        allowance = self.urgent_working_days if urgent else self.working_days_per_stage
        if allowance == 0:
            return self.same_or_next_working_day(start)
        return self.calendar.add_working_days(start, allowance)

    def same_or_next_working_day(self, day: date) -> date:
        """`day` when it is a working day, otherwise the first working day after it."""
        if self.calendar.is_working_day(day):
            return day
        return self.calendar.add_working_days(day, 1)

    def at_reminder_time(self, day: date) -> datetime:
        """The instant (aware, UTC) of `reminder_time` on the local date `day`."""
        local = datetime.combine(day, self.reminder_time, tzinfo=self.timezone)
        return local.astimezone(UTC)

    def first_working_moment_after_day(self, day: date) -> datetime:
        """The first working-day `reminder_time` strictly after the end of the local date `day`.

        This is when something due on `day` becomes overdue, or when the outcome of a meeting
        held on `day` should have been recorded.
        """
        end_of_day = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=self.timezone)
        return self.calendar.next_working_moment(end_of_day, self.reminder_time, self.timezone)

    def due_reminder_at(self, deadline: date, now: datetime) -> datetime:
        """When to say a stage is due: `reminder_time` on the deadline day, or `now` if that
        moment has already passed (an urgent concern raised in the afternoon is due at once)."""
        require_aware(now)
        return max(self.at_reminder_time(deadline), now.astimezone(UTC))

    def overdue_reminder_at(self, deadline: date, now: datetime) -> datetime:
        """When to say a stage is overdue: the first working morning after the deadline day, or
        `now` if the deadline has already gone by."""
        require_aware(now)
        return max(self.first_working_moment_after_day(deadline), now.astimezone(UTC))

    def is_past_deadline(self, deadline: date, now: datetime) -> bool:
        """True once the whole of the local deadline day is over at `now`."""
        return self.local_date(now) > deadline
