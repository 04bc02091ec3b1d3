"""Reading one card submission: answers field by field, and what is wrong with them.

A card submission arrives as a mapping of input id to value (strings: toggles as "true" /
"false", dates as "YYYY-MM-DD", a people picker as an Entra object id). Each form's check (in
`intake_checks` and `thread_checks`) reads it through a `Submission` and answers with a `Checked`
value: the parsed form when the submission is clean, otherwise each problem named against its
field so the dialog can re-show the card with the message next to the input. Nothing is saved
until a submission is clean.

Two kinds of feedback are kept apart. A `FieldProblem` is a rule broken (a required answer
missing, a date in the future); it must be fixed. An `IdentifierWarning` says an answer looks
like it identifies a child or family (see `domain.identifiers`); the practitioner either
removes what was found or ticks "This is not identifying", and the dialog passes the ids of the
fields so confirmed back in as `confirmed_not_identifying`. No message here ever quotes what was
typed: messages name the field and the kind of thing found, nothing more.

Values that are not strings where strings are expected are problems, not crashes, and so is
text holding a character that cannot be stored or shown (a NUL byte, half of a surrogate pair,
or a control character other than tab and line breaks): such an answer is refused with
`UNSTORABLE_CHARACTERS`, never silently changed. Input ids the form does not know are ignored.
Nothing here reads the clock: dates are judged by the checks, against a `today` passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from domain.forms.fields import CaseDetailsField
from domain.identifiers import IdentifierKind, describe_kinds, find_identifiers, is_plausible_email
from domain.template import TEMPLATE_QUESTIONS

T = TypeVar("T")

# The label of the toggle that confirms a flagged answer is not identifying; cards must use it,
# as the warning message tells the practitioner to tick it by this name.
NOT_IDENTIFYING_LABEL = "This is not identifying"

UNREADABLE = "This answer could not be read. Please enter it again."
UNSTORABLE_CHARACTERS = (
    "This answer had a character in it that cannot be saved, such as an invisible one copied "
    "from another document. We have taken it out: please check the answer and send it again."
)
DATE_UNREADABLE = "Please give the date as a day, month and year."
EMAIL_IMPLAUSIBLE = (
    "This does not look like an email address. "
    "Please check it (for example name@organisation.org.uk)."
)


def length_problem(length: int, max_length: int) -> str:
    """The message for an answer of `length` characters where `max_length` is allowed."""
    return f"This answer is {length:,} characters long; please keep it to {max_length:,}."


@dataclass(frozen=True)
class FieldProblem:
    """A rule the answer in `field_id` breaks, worded for the practitioner."""

    field_id: str
    message: str


@dataclass(frozen=True)
class IdentifierWarning:
    """The answer in `field_id` contains what looks like `kinds` of identifying detail.

    `confirmed` is True when the practitioner ticked "This is not identifying" for the field: the
    warning is then kept for the record but no longer stops the form.
    """

    field_id: str
    kinds: tuple[IdentifierKind, ...]
    confirmed: bool = False

    @property
    def message(self) -> str:
        subject = _WARNING_SUBJECTS.get(self.field_id, "This answer")
        return (
            f"{subject} contains {describe_kinds(self.kinds)}. Please remove anything that "
            f"could identify the child or family, or tick '{NOT_IDENTIFYING_LABEL}' if it is not."
        )


_WARNING_SUBJECTS: Mapping[str, str] = MappingProxyType(
    {
        **{
            question.id: f"Your answer to question {question.number}"
            for question in TEMPLATE_QUESTIONS
        },
        CaseDetailsField.CASE_REFERENCE.value: "The case reference",
        CaseDetailsField.URGENT_REASON.value: "Your reason for urgency",
    }
)


@dataclass(frozen=True)
class Checked(Generic[T]):
    """The outcome of checking one form: `value` is set exactly when the submission is clean.

    `warnings` holds every identifier warning, confirmed or not; `ok` means there are no
    problems and every warning has been confirmed.
    """

    value: T | None
    problems: tuple[FieldProblem, ...] = ()
    warnings: tuple[IdentifierWarning, ...] = ()

    def __post_init__(self) -> None:
        if (self.value is not None) != self.ok:
            raise ValueError("a checked form has a value exactly when it is clean")

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unconfirmed_warnings

    @property
    def unconfirmed_warnings(self) -> tuple[IdentifierWarning, ...]:
        """The warnings to show next to their fields."""
        return tuple(warning for warning in self.warnings if not warning.confirmed)

    def problem_for(self, field_id: str) -> FieldProblem | None:
        """The problem with one field, if any: at most one is reported per field."""
        return next((problem for problem in self.problems if problem.field_id == field_id), None)


# NUL (which PostgreSQL cannot store), the other control characters except tab, line feed and
# carriage return, C1 controls, and lone surrogates (which cannot be encoded as UTF-8).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_unstorable_characters(text: str) -> bool:
    """Whether `text` holds a character that cannot be stored or shown on a card."""
    return _UNSTORABLE.search(text) is not None


def without_unstorable_characters(text: str) -> str:
    """`text` with every character `has_unstorable_characters` looks for taken out."""
    return _UNSTORABLE.sub("", text)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOGGLE_VALUES = {"true": True, "false": False}


def one_year_before(day: date) -> date:
    """The same date a year earlier: how far back a form accepts a date that has gone by."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February: a year before is 28 February
        return day.replace(year=day.year - 1, day=28)


def _iso_date(text: str) -> date | None:
    """A date written exactly as YYYY-MM-DD (what an Adaptive Card date input submits)."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # e.g. 2026-02-30
        return None


class Submission:
    """One card submission being read: collects problems and warnings field by field.

    At most one problem is recorded per field (the first rule broken), so the card shows one
    clear message next to each input.
    """

    def __init__(self, values: Mapping[str, Any], confirmed: frozenset[str]) -> None:
        self._values = values
        self._confirmed = confirmed
        self._problems: dict[str, FieldProblem] = {}
        self._warnings: list[IdentifierWarning] = []

    def has_problem(self, field_id: str) -> bool:
        return str(field_id) in self._problems

    def problem(self, field_id: str, message: str) -> None:
        # str() turns a field enum into its plain id, so problems compare and print as ids.
        self._problems.setdefault(str(field_id), FieldProblem(str(field_id), message))

    def raw_text(self, field_id: str) -> str | None:
        """The trimmed string submitted for `field_id`; None when absent, blank, unreadable or
        holding a character that cannot be stored (those two are recorded as a problem)."""
        value = self._values.get(field_id)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(field_id, UNREADABLE)
            return None
        if has_unstorable_characters(value):
            self.problem(field_id, UNSTORABLE_CHARACTERS)
            return None
        return value.strip() or None

    def text(self, field_id: str, *, max_length: int, required: str | None = None) -> str | None:
        """A trimmed free-text answer. `required` is the message when it is missing."""
        text = self.raw_text(field_id)
        if text is None:
            if required is not None and not self.has_problem(field_id):
                self.problem(field_id, required)
            return None
        if len(text) > max_length:
            self.problem(field_id, length_problem(len(text), max_length))
        return text

    def email(self, field_id: str, *, max_length: int) -> str | None:
        """An optional email address; emails are expected here, so the guard is not run.

        One longer than its input takes is named as too long, as any other answer is, before
        it is judged as an address.
        """
        text = self.raw_text(field_id)
        if text is None:
            return None
        if len(text) > max_length:
            self.problem(field_id, length_problem(len(text), max_length))
        elif not is_plausible_email(text):
            self.problem(field_id, EMAIL_IMPLAUSIBLE)
        return text

    def toggle(self, field_id: str) -> bool:
        """An Adaptive Card toggle: "true" or "false"; absent means off."""
        text = self.raw_text(field_id)
        if text is None:
            return False
        value = _TOGGLE_VALUES.get(text.lower())
        if value is None:
            self.problem(field_id, UNREADABLE)
            return False
        return value

    def day(self, field_id: str, *, required: str) -> date | None:
        """A date input ("YYYY-MM-DD"); `required` is the message when it is missing."""
        text = self.raw_text(field_id)
        if text is None:
            if not self.has_problem(field_id):
                self.problem(field_id, required)
            return None
        day = _iso_date(text)
        if day is None:
            self.problem(field_id, DATE_UNREADABLE)
        return day

    def guard(self, field_id: str, text: str | None) -> None:
        """Run the identifier guard on an answer and record a warning if anything is found.

        Email addresses count here: the fields guarded are never meant to hold one.
        """
        if text is None:
            return
        findings = find_identifiers(text)
        if findings:
            kinds = tuple(dict.fromkeys(finding.kind for finding in findings))
            self._warnings.append(
                IdentifierWarning(str(field_id), kinds, confirmed=field_id in self._confirmed)
            )

    @property
    def clean(self) -> bool:
        """No problems, and every identifier warning confirmed: the form may be built."""
        return not self._problems and all(warning.confirmed for warning in self._warnings)

    def rejected(self) -> Checked[T]:
        """The outcome when the submission is not clean: what to fix, and no value."""
        return Checked(None, tuple(self._problems.values()), tuple(self._warnings))

    def accepted(self, value: T) -> Checked[T]:
        """The outcome of a clean submission (warnings kept: they were all confirmed)."""
        return Checked(value, (), tuple(self._warnings))
