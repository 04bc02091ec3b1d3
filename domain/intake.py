"""Validation of the intake forms: what a practitioner submits before a concern is logged.

A card submission arrives as a mapping of input id to value (strings: toggles as "true" /
"false", dates as "YYYY-MM-DD", a people picker as an Entra object id). Each `check_*` function
reads one form and answers with a `Checked` value: the parsed form when the submission is clean,
otherwise each problem named against its field so the dialog can re-show the card with the
message next to the input. Nothing is saved until a submission is clean.

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
The module never reads the clock: `today` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from domain.decisions import PLANNING_HORIZON
from domain.errors import InvalidInput
from domain.identifiers import IdentifierKind, describe_kinds, find_identifiers, is_plausible_email
from domain.model import LscpArea, Person, Route, Strategy
from domain.rethink import (
    LEAD_PROFESSIONAL_QUESTION,
    STRATEGY_GUIDES,
    FacilitatorCheck,
    RethinkOption,
)
from domain.template import TEMPLATE_QUESTIONS, TemplateQuestion

T = TypeVar("T")

# The label of the toggle that confirms a flagged answer is not identifying; cards must use it,
# as the warning message tells the practitioner to tick it by this name.
NOT_IDENTIFYING_LABEL = "This is not identifying"

MIN_CASE_REFERENCE_LENGTH = 2
MAX_CASE_REFERENCE_LENGTH = 40
MAX_DETAIL_LENGTH = 120  # agencies, roles and names of professionals
MAX_URGENT_REASON_LENGTH = 500


class CaseDetailsField(StrEnum):
    """The input ids of the case details form."""

    CASE_REFERENCE = "case_reference"
    LSCP_AREA = "lscp_area"
    RAISER_AGENCY = "raiser_agency"
    RAISER_ROLE = "raiser_role"
    OTHER_AGENCY = "other_agency"
    OTHER_PRACTITIONER_NAME = "other_practitioner_name"
    OTHER_PRACTITIONER_EMAIL = "other_practitioner_email"
    LINE_MANAGER_ID = "line_manager_id"
    LINE_MANAGER_NAME = "line_manager_name"
    LINE_MANAGER_EMAIL = "line_manager_email"
    URGENT = "urgent"
    URGENT_REASON = "urgent_reason"
    CONCERN_AROSE_ON = "concern_arose_on"


class StepField(StrEnum):
    """The input ids of the short steps around the case details (the area chosen with the
    route is `CaseDetailsField.LSCP_AREA`)."""

    IMMEDIATE_RISK = "immediate_risk"
    ROUTE = "route"
    IS_LEAD_PROFESSIONAL = "is_lead_professional"
    OPTION = "option"
    ON_DATE = "on_date"


class ImmediateRisk(StrEnum):
    """The answer to "is a child at immediate risk of significant harm?".

    "yes" means the practitioner must follow child protection procedures at once: a child at
    immediate risk is never held in a disagreement procedure.
    """

    YES = "yes"
    NO = "no"


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


# --- The forms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDetails:
    """Who, where and when: the details a concern is opened with.

    `line_manager_id` is the Entra object id from the people picker; the picker submits no name,
    so `line_manager()` builds the `Person` once the caller has looked the name up.
    """

    case_reference: str
    lscp_area: LscpArea
    raiser_agency: str
    raiser_role: str
    other_agency: str
    other_practitioner: Person | None
    line_manager_name: str | None
    line_manager_email: str | None
    line_manager_id: str | None
    urgent: bool
    urgent_reason: str | None
    concern_arose_on: date

    def line_manager(self, directory_name: str | None = None) -> Person:
        """The line manager or safeguarding lead as a `Person`.

        `directory_name` is the display name Teams holds for the picked `line_manager_id`, when
        the caller could find it; it names the picked person, so it wins over a typed name.
        Raises `InvalidInput` when neither a typed name nor a directory name is available.
        """
        found = directory_name.strip() if directory_name else ""
        name = found or self.line_manager_name
        if not name:
            raise InvalidInput(
                "We could not find the name of the line manager you chose. "
                "Please type their name as well."
            )
        return Person(name=name, email=self.line_manager_email, user_id=self.line_manager_id)


@dataclass(frozen=True)
class TemplateAnswers:
    """The answers to "Structuring your concerns", keyed by question id; blanks left out."""

    answers: Mapping[str, str]

    def answer(self, question_id: str) -> str | None:
        return self.answers.get(question_id)


# --- Reading one submission ---------------------------------------------------------------


def length_problem(length: int, max_length: int) -> str:
    """The message for an answer of `length` characters where `max_length` is allowed."""
    return f"This answer is {length:,} characters long; please keep it to {max_length:,}."


UNREADABLE = "This answer could not be read. Please enter it again."
UNSTORABLE_CHARACTERS = (
    "This answer had a character in it that cannot be saved, such as an invisible one copied "
    "from another document. We have taken it out: please check the answer and send it again."
)
# NUL (which PostgreSQL cannot store), the other control characters except tab, line feed and
# carriage return, C1 controls, and lone surrogates (which cannot be encoded as UTF-8).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_unstorable_characters(text: str) -> bool:
    """Whether `text` holds a character that cannot be stored or shown on a card."""
    return _UNSTORABLE.search(text) is not None


def without_unstorable_characters(text: str) -> str:
    """`text` with every character `has_unstorable_characters` looks for taken out."""
    return _UNSTORABLE.sub("", text)


_ENTRA_OBJECT_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TOGGLE_VALUES = {"true": True, "false": False}


class _Submission:
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

    def email(self, field_id: str) -> str | None:
        """An optional email address; emails are expected here, so the guard is not run."""
        text = self.raw_text(field_id)
        if text is not None and not is_plausible_email(text):
            self.problem(
                field_id,
                "This does not look like an email address. "
                "Please check it (for example name@organisation.org.uk).",
            )
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


# --- Case details -------------------------------------------------------------------------

_NAME_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
_SEVERAL_NAME_WORDS = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})+")
_ONE_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)*")
_CASE_REFERENCE_CHARACTERS = re.compile(r"[A-Za-z0-9 ./_-]+")
_DIGIT = re.compile(r"[0-9]")

CASE_REFERENCE_REQUIRED = "Please give your agency's case reference for this child."
CASE_REFERENCE_LOOKS_LIKE_A_NAME = (
    "This looks like a name. Please use your agency's case reference instead of the child's "
    "name: names are never recorded here."
)
CASE_REFERENCE_CHARACTERS = (
    "Please use only letters, digits, spaces and - / . _ in the case reference."
)
CASE_REFERENCE_NEEDS_A_DIGIT = (
    "A case reference has at least one digit. Please use your agency's case reference, not a name."
)
AREA_CHOICE = "Choose one of Hampshire, Isle of Wight, Portsmouth or Southampton."
LINE_MANAGER_REQUIRED = (
    "Please type the name of your line manager or safeguarding lead: stage 1 is a "
    "conversation with them."
)
LINE_MANAGER_UNREADABLE = "Please choose your line manager again: the choice could not be read."
OTHER_PRACTITIONER_NAME_NEEDED = "Please add their name as well as their email address."
URGENT_REASON_REQUIRED = (
    "Please say why this is urgent: the needs of the child decide how quickly it must be "
    "resolved, and the reason is recorded."
)
DATE_REQUIRED = "Please give the date the disagreement or concern arose."
DATE_UNREADABLE = "Please give the date as a day, month and year."
DATE_IN_FUTURE = "This date is in the future. Please give the date the disagreement arose."
DATE_TOO_LONG_AGO = (
    "This date is more than a year ago. Please check it: this procedure is for resolving "
    "current disagreements, and your line manager can advise on older ones."
)


def _case_reference(submission: _Submission) -> str | None:
    """The agency's case reference: never a name, so a digit is required and names are caught
    with a message that says so."""
    field_id = CaseDetailsField.CASE_REFERENCE.value
    text = submission.raw_text(field_id)
    if text is None:
        if not submission.has_problem(field_id):
            submission.problem(field_id, CASE_REFERENCE_REQUIRED)
        return None
    submission.guard(field_id, text)
    has_digit = _DIGIT.search(text) is not None
    if not has_digit and (
        _SEVERAL_NAME_WORDS.fullmatch(text) or _ONE_CAPITALISED_WORD.fullmatch(text)
    ):
        submission.problem(field_id, CASE_REFERENCE_LOOKS_LIKE_A_NAME)
    elif not _CASE_REFERENCE_CHARACTERS.fullmatch(text):
        submission.problem(field_id, CASE_REFERENCE_CHARACTERS)
    elif not MIN_CASE_REFERENCE_LENGTH <= len(text) <= MAX_CASE_REFERENCE_LENGTH:
        submission.problem(
            field_id,
            f"A case reference is {MIN_CASE_REFERENCE_LENGTH} to {MAX_CASE_REFERENCE_LENGTH} "
            f"characters long; this one is {len(text):,}.",
        )
    elif not has_digit:
        submission.problem(field_id, CASE_REFERENCE_NEEDS_A_DIGIT)
    return text


def _lscp_area(submission: _Submission) -> LscpArea | None:
    field_id = CaseDetailsField.LSCP_AREA.value
    text = submission.raw_text(field_id)
    try:
        return LscpArea((text or "").lower())
    except ValueError:
        submission.problem(field_id, AREA_CHOICE)
        return None


def _line_manager_id(submission: _Submission) -> str | None:
    field_id = CaseDetailsField.LINE_MANAGER_ID.value
    text = submission.raw_text(field_id)
    if text is not None and not _ENTRA_OBJECT_ID.fullmatch(text):
        submission.problem(field_id, LINE_MANAGER_UNREADABLE)
        return None
    return None if text is None else text.lower()


def _one_year_before(day: date) -> date:
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


def _date(submission: _Submission, field_id: str, *, required: str) -> date | None:
    """A date input ("YYYY-MM-DD"); `required` is the message when it is missing."""
    text = submission.raw_text(field_id)
    if text is None:
        if not submission.has_problem(field_id):
            submission.problem(field_id, required)
        return None
    day = _iso_date(text)
    if day is None:
        submission.problem(field_id, DATE_UNREADABLE)
    return day


def _concern_arose_on(submission: _Submission, today: date) -> date | None:
    """The date the disagreement arose, from which stage 1's two working days run: not in the
    future, and within the last year."""
    field_id = CaseDetailsField.CONCERN_AROSE_ON.value
    day = _date(submission, field_id, required=DATE_REQUIRED)
    if day is None:
        return None
    if day > today:
        submission.problem(field_id, DATE_IN_FUTURE)
    elif day < _one_year_before(today):
        submission.problem(field_id, DATE_TOO_LONG_AGO)
    return day


def check_case_details(
    values: Mapping[str, Any], confirmed_not_identifying: frozenset[str], today: date
) -> Checked[CaseDetails]:
    """Check the case details form.

    The identifier guard runs on the case reference and the reason for urgency, where a child's
    details could slip in; on a typed reason even when "urgent" is not ticked, because the form
    keeps what was typed until the concern is logged (the reason itself is then not recorded).
    Agencies, roles, and the names and email addresses of professionals are people's own work
    details, asked for on purpose, so they are not guarded.
    """
    fields = CaseDetailsField
    submission = _Submission(values, confirmed_not_identifying)
    case_reference = _case_reference(submission)
    lscp_area = _lscp_area(submission)
    raiser_agency = submission.text(
        fields.RAISER_AGENCY, max_length=MAX_DETAIL_LENGTH, required="Please give your agency."
    )
    raiser_role = submission.text(
        fields.RAISER_ROLE, max_length=MAX_DETAIL_LENGTH, required="Please give your role."
    )
    other_agency = submission.text(
        fields.OTHER_AGENCY,
        max_length=MAX_DETAIL_LENGTH,
        required="Please give the agency of the practitioner you disagree with.",
    )
    other_name = submission.text(fields.OTHER_PRACTITIONER_NAME, max_length=MAX_DETAIL_LENGTH)
    other_email = submission.email(fields.OTHER_PRACTITIONER_EMAIL)
    if other_email is not None and other_name is None:
        submission.problem(fields.OTHER_PRACTITIONER_NAME, OTHER_PRACTITIONER_NAME_NEEDED)
    line_manager_id = _line_manager_id(submission)
    line_manager_name = submission.text(fields.LINE_MANAGER_NAME, max_length=MAX_DETAIL_LENGTH)
    line_manager_email = submission.email(fields.LINE_MANAGER_EMAIL)
    # The name is always asked for: the people picker submits only an Entra object id, and the
    # bot cannot look names up without Microsoft Graph. A picked person adds their Teams identity.
    if line_manager_name is None and not submission.has_problem(fields.LINE_MANAGER_NAME):
        submission.problem(fields.LINE_MANAGER_NAME, LINE_MANAGER_REQUIRED)
    urgent = submission.toggle(fields.URGENT)
    urgent_reason = submission.text(
        fields.URGENT_REASON,
        max_length=MAX_URGENT_REASON_LENGTH,
        required=URGENT_REASON_REQUIRED if urgent else None,
    )
    submission.guard(fields.URGENT_REASON, urgent_reason)
    concern_arose_on = _concern_arose_on(submission, today)

    if (
        not submission.clean
        or case_reference is None
        or lscp_area is None
        or raiser_agency is None
        or raiser_role is None
        or other_agency is None
        or concern_arose_on is None
    ):
        return submission.rejected()
    other_practitioner = None if other_name is None else Person(name=other_name, email=other_email)
    return submission.accepted(
        CaseDetails(
            case_reference=case_reference,
            lscp_area=lscp_area,
            raiser_agency=raiser_agency,
            raiser_role=raiser_role,
            other_agency=other_agency,
            other_practitioner=other_practitioner,
            line_manager_name=line_manager_name,
            line_manager_email=line_manager_email,
            line_manager_id=line_manager_id,
            urgent=urgent,
            urgent_reason=urgent_reason if urgent else None,
            concern_arose_on=concern_arose_on,
        )
    )


# --- The template -------------------------------------------------------------------------

ANSWER_REQUIRED = "Please answer this question - it is needed before you talk to your line manager."


def check_template_answers(
    values: Mapping[str, Any], confirmed_not_identifying: frozenset[str]
) -> Checked[TemplateAnswers]:
    """Check the "Structuring your concerns" answers against each question's rules, with the
    identifier guard on every answer (email addresses included: a family's email identifies it).
    """
    submission = _Submission(values, confirmed_not_identifying)
    answers: dict[str, str] = {}
    for question in TEMPLATE_QUESTIONS:
        text = _template_answer(submission, question)
        if text is not None:
            answers[question.id] = text
            submission.guard(question.id, text)
    if not submission.clean:
        return submission.rejected()
    return submission.accepted(TemplateAnswers(MappingProxyType(answers)))


def _template_answer(submission: _Submission, question: TemplateQuestion) -> str | None:
    return submission.text(
        question.id,
        max_length=question.max_length,
        required=ANSWER_REQUIRED if question.required else None,
    )


# --- The short steps: safety, route and area, Lead Professional, Re-think option ------------

IMMEDIATE_RISK_REQUIRED = (
    "Please choose yes or no. If a child is at immediate risk of significant harm, follow your "
    "child protection procedures now."
)
ROUTE_REQUIRED = "Choose how to take this forward: the HIPS escalation procedure or Re-think."


def _rethink_not_offered(lscp_area: LscpArea | None) -> str:
    where = "this area" if lscp_area is None else lscp_area.label
    return (
        "Re-think is an approach of the Portsmouth Safeguarding Children Partnership (PSCP), "
        f"so it is offered for concerns in Portsmouth only. For {where}, the HIPS procedure "
        "applies: please choose it instead."
    )


def routes_offered(lscp_area: LscpArea | None) -> tuple[Route, ...]:
    """The procedures a concern in `lscp_area` can follow: Re-think only in Portsmouth."""
    if lscp_area is LscpArea.PORTSMOUTH:
        return (Route.HIPS, Route.RETHINK)
    return (Route.HIPS,)


ROUTE_LABELS: Mapping[Route, str] = MappingProxyType(
    {Route.HIPS: "HIPS escalation procedure", Route.RETHINK: "Re-think (Portsmouth)"}
)


@dataclass(frozen=True)
class RouteAndArea:
    """The child's LSCP area and the procedure chosen for the concern, from one card."""

    route: Route
    area: LscpArea

    @property
    def route_label(self) -> str:
        return ROUTE_LABELS[self.route]


@dataclass(frozen=True)
class StrategyChoice:
    """The Re-think option being tried and the date of its conversation or meeting."""

    option: RethinkOption
    on_date: date


def check_safety_answer(values: Mapping[str, Any]) -> Checked[ImmediateRisk]:
    """Read the answer to the safety question that comes before anything else."""
    submission = _Submission(values, frozenset())
    field_id = StepField.IMMEDIATE_RISK.value
    text = submission.raw_text(field_id)
    try:
        answer = ImmediateRisk((text or "").lower())
    except ValueError:
        submission.problem(field_id, IMMEDIATE_RISK_REQUIRED)
        return submission.rejected()
    return submission.accepted(answer)


def _route(submission: _Submission, lscp_area: LscpArea | None) -> Route | None:
    field_id = StepField.ROUTE.value
    text = submission.raw_text(field_id)
    try:
        route = Route((text or "").lower())
    except ValueError:
        submission.problem(field_id, ROUTE_REQUIRED)
        return None
    if route not in routes_offered(lscp_area):
        submission.problem(field_id, _rethink_not_offered(lscp_area))
        return None
    return route


def check_route(values: Mapping[str, Any], lscp_area: LscpArea | None) -> Checked[Route]:
    """Read the procedure chosen. Re-think is refused outside Portsmouth, and while the area is
    not yet known, because it is a Portsmouth (PSCP) approach."""
    submission = _Submission(values, frozenset())
    route = _route(submission, lscp_area)
    if route is None:
        return submission.rejected()
    return submission.accepted(route)


def check_route_and_area(values: Mapping[str, Any]) -> Checked[RouteAndArea]:
    """Read the area and the procedure chosen together on one card. Whether Re-think may be
    chosen depends on the area, so it is judged only once the area itself is readable."""
    submission = _Submission(values, frozenset())
    area = _lscp_area(submission)
    if area is None:
        submission.raw_text(StepField.ROUTE.value)  # an unreadable route is still reported
        return submission.rejected()
    route = _route(submission, area)
    if route is None:
        return submission.rejected()
    return submission.accepted(RouteAndArea(route=route, area=area))


LEAD_PROFESSIONAL_REQUIRED = f"Please choose yes or no: {LEAD_PROFESSIONAL_QUESTION}"
_YES_NO = {"yes": True, "no": False}


def check_lead_professional(values: Mapping[str, Any]) -> Checked[bool]:
    """Read the answer to "Are you the Lead Professional?", which picks the first strategy."""
    submission = _Submission(values, frozenset())
    field_id = StepField.IS_LEAD_PROFESSIONAL.value
    answer = _YES_NO.get((submission.raw_text(field_id) or "").lower())
    if answer is None:
        submission.problem(field_id, LEAD_PROFESSIONAL_REQUIRED)
        return submission.rejected()
    return submission.accepted(answer)


MEETING_DATE_REQUIRED = "Please give the date of the conversation or meeting."
MEETING_DATE_TOO_FAR_AHEAD = (
    "The date of the conversation or meeting must be within a year from today."
)
MEETING_DATE_TOO_LONG_AGO = (
    "This date is more than a year ago. Please check the date of the conversation or meeting."
)


def _option_required(strategy: Strategy) -> str:
    return f"Choose one of the options of Strategy {int(strategy)}."


def check_strategy_choice(
    values: Mapping[str, Any], strategy: Strategy, today: date
) -> Checked[StrategyChoice]:
    """Read the option chosen from `strategy` and the date of its conversation or meeting.

    A conversation already held may be recorded afterwards, so the date may be in the past (up
    to a year); it may not be further ahead than the procedure's planning horizon, the same
    limit `domain.decisions` applies when the option is recorded.
    """
    submission = _Submission(values, frozenset())
    option_id = StepField.OPTION.value
    try:
        option: RethinkOption | None = RethinkOption(submission.raw_text(option_id) or "")
    except ValueError:
        option = None
    if option is None or option not in STRATEGY_GUIDES[strategy].options:
        submission.problem(option_id, _option_required(strategy))
    on_date = _meeting_date(submission, today)
    if not submission.clean or option is None or on_date is None:
        return submission.rejected()
    return submission.accepted(StrategyChoice(option=option, on_date=on_date))


def _meeting_date(submission: _Submission, today: date) -> date | None:
    field_id = StepField.ON_DATE.value
    day = _date(submission, field_id, required=MEETING_DATE_REQUIRED)
    if day is None:
        return None
    if day > today + PLANNING_HORIZON:
        submission.problem(field_id, MEETING_DATE_TOO_FAR_AHEAD)
    elif day < _one_year_before(today):
        submission.problem(field_id, MEETING_DATE_TOO_LONG_AGO)
    return day


# --- Forms on an open thread: a note, the resolution, the facilitator request --------------

MAX_NOTE_LENGTH = 4000
MAX_OUTCOME_LENGTH = 4000
MAX_ACTION_WHAT_LENGTH = 1000
MAX_ACTION_WHO_LENGTH = 200
AGREED_ACTION_SLOTS = 3
NOTE_REQUIRED = "Please write the note before adding it."
OUTCOME_REQUIRED = "Please say what was agreed: it is the record of how this was resolved."
ACTION_INCOMPLETE = "Give what, who and by when for each agreed action (or leave all three empty)."
ACTION_DATE_PAST = "An agreed action cannot be due before today."
ACTION_DATE_TOO_FAR = "An agreed action must be due within a year from today."


class ThreadFormField(StrEnum):
    """The input ids of the forms shown on a thread's card."""

    NOTE = "note"
    OUTCOME = "outcome"


def agreed_action_field(slot: int, part: str) -> str:
    """Input id of part ("what", "who" or "by") of agreed action `slot` (1-based)."""
    return f"action_{slot}_{part}"


@dataclass(frozen=True)
class AgreedActionDraft:
    """An agreed action as typed on the resolution form, before the domain records it."""

    what: str
    who: str
    by_when: date


@dataclass(frozen=True)
class Resolution:
    """What was agreed, and the actions agreed with it."""

    outcome: str
    actions: tuple[AgreedActionDraft, ...] = ()


def check_note(
    values: Mapping[str, Any], confirmed_not_identifying: frozenset[str]
) -> Checked[str]:
    """A note added to a thread: required, bounded, and checked for identifying details."""
    submission = _Submission(values, confirmed_not_identifying)
    field_id = ThreadFormField.NOTE.value
    text = submission.text(field_id, max_length=MAX_NOTE_LENGTH, required=NOTE_REQUIRED)
    submission.guard(field_id, text)
    if not submission.clean or text is None:
        return submission.rejected()
    return submission.accepted(text)


def check_resolution(
    values: Mapping[str, Any], confirmed_not_identifying: frozenset[str], today: date
) -> Checked[Resolution]:
    """The resolution form: what was agreed, and up to three agreed actions (what, who, by)."""
    submission = _Submission(values, confirmed_not_identifying)
    outcome_id = ThreadFormField.OUTCOME.value
    outcome = submission.text(outcome_id, max_length=MAX_OUTCOME_LENGTH, required=OUTCOME_REQUIRED)
    submission.guard(outcome_id, outcome)
    actions = [
        _agreed_action(submission, slot, today) for slot in range(1, AGREED_ACTION_SLOTS + 1)
    ]
    if not submission.clean or outcome is None:
        return submission.rejected()
    return submission.accepted(
        Resolution(outcome=outcome, actions=tuple(action for action in actions if action))
    )


def _agreed_action(submission: _Submission, slot: int, today: date) -> AgreedActionDraft | None:
    what_id, who_id, by_id = (agreed_action_field(slot, part) for part in ("what", "who", "by"))
    what = submission.text(what_id, max_length=MAX_ACTION_WHAT_LENGTH)
    who = submission.text(who_id, max_length=MAX_ACTION_WHO_LENGTH)
    by_text = submission.raw_text(by_id)
    if what is None and who is None and by_text is None:
        return None
    submission.guard(what_id, what)
    if what is None or who is None or by_text is None:
        missing = what_id if what is None else who_id if who is None else by_id
        submission.problem(missing, ACTION_INCOMPLETE)
        return None
    by_when = _date(submission, by_id, required=ACTION_INCOMPLETE)
    if by_when is None:
        return None
    if by_when < today:
        submission.problem(by_id, ACTION_DATE_PAST)
        return None
    if by_when > today + PLANNING_HORIZON:
        submission.problem(by_id, ACTION_DATE_TOO_FAR)
        return None
    return AgreedActionDraft(what=what, who=who, by_when=by_when)


def check_facilitator_request(values: Mapping[str, Any]) -> Checked[frozenset[FacilitatorCheck]]:
    """The seed 002 pre-request checklist: every point must be ticked before requesting."""
    submission = _Submission(values, frozenset())
    confirmed = frozenset(check for check in FacilitatorCheck if submission.toggle(check.value))
    for check in FacilitatorCheck:
        if check not in confirmed:
            submission.problem(
                check.value, f"Please consider this before requesting: {check.question}"
            )
    if not submission.clean:
        return submission.rejected()
    return submission.accepted(confirmed)
