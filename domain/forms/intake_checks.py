"""The checks of the "new concern" forms: safety, area and route, the case, the template, and
the Re-think start (Lead Professional, option and date).

Each `check_*` function reads one form's submission (see `domain.forms.reading`) and answers
with a `Checked` value: the parsed form when it is clean, otherwise each problem named against
its field. Field ids and text limits come from `domain.forms.fields`, the same constants the
cards draw with. Nothing here reads the clock: `today` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from domain.decisions import PLANNING_HORIZON
from domain.errors import InvalidInput
from domain.forms.fields import (
    MAX_CASE_REFERENCE_LENGTH,
    MAX_DETAIL_LENGTH,
    MAX_EMAIL_FIELD_LENGTH,
    MAX_URGENT_REASON_LENGTH,
    MIN_CASE_REFERENCE_LENGTH,
    CaseDetailsField,
    StepField,
)
from domain.forms.reading import Checked, Submission, one_year_before
from domain.model import LscpArea, Person, Route, Strategy
from domain.rethink import LEAD_PROFESSIONAL_QUESTION, STRATEGY_GUIDES, RethinkOption
from domain.template import TEMPLATE_QUESTIONS, TemplateQuestion


class ImmediateRisk(StrEnum):
    """The answer to "is a child at immediate risk of significant harm?".

    "yes" means the practitioner must follow child protection procedures at once: a child at
    immediate risk is never held in a disagreement procedure.
    """

    YES = "yes"
    NO = "no"


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


# --- Case details -------------------------------------------------------------------------

_NAME_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
_SEVERAL_NAME_WORDS = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})+")
_ONE_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)*")
_CASE_REFERENCE_CHARACTERS = re.compile(r"[A-Za-z0-9 ./_-]+")
_DIGIT = re.compile(r"[0-9]")
_ENTRA_OBJECT_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)

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
DATE_IN_FUTURE = "This date is in the future. Please give the date the disagreement arose."
DATE_TOO_LONG_AGO = (
    "This date is more than a year ago. Please check it: this procedure is for resolving "
    "current disagreements, and your line manager can advise on older ones."
)


def _case_reference(submission: Submission) -> str | None:
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


def _lscp_area(submission: Submission) -> LscpArea | None:
    field_id = CaseDetailsField.LSCP_AREA.value
    text = submission.raw_text(field_id)
    try:
        return LscpArea((text or "").lower())
    except ValueError:
        submission.problem(field_id, AREA_CHOICE)
        return None


def _line_manager_id(submission: Submission) -> str | None:
    field_id = CaseDetailsField.LINE_MANAGER_ID.value
    text = submission.raw_text(field_id)
    if text is not None and not _ENTRA_OBJECT_ID.fullmatch(text):
        submission.problem(field_id, LINE_MANAGER_UNREADABLE)
        return None
    return None if text is None else text.lower()


def _concern_arose_on(submission: Submission, today: date) -> date | None:
    """The date the disagreement arose, from which stage 1's two working days run: not in the
    future, and within the last year."""
    field_id = CaseDetailsField.CONCERN_AROSE_ON.value
    day = submission.day(field_id, required=DATE_REQUIRED)
    if day is None:
        return None
    if day > today:
        submission.problem(field_id, DATE_IN_FUTURE)
    elif day < one_year_before(today):
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
    submission = Submission(values, confirmed_not_identifying)
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
    other_email = submission.email(
        fields.OTHER_PRACTITIONER_EMAIL, max_length=MAX_EMAIL_FIELD_LENGTH
    )
    if other_email is not None and other_name is None:
        submission.problem(fields.OTHER_PRACTITIONER_NAME, OTHER_PRACTITIONER_NAME_NEEDED)
    line_manager_id = _line_manager_id(submission)
    line_manager_name = submission.text(fields.LINE_MANAGER_NAME, max_length=MAX_DETAIL_LENGTH)
    line_manager_email = submission.email(
        fields.LINE_MANAGER_EMAIL, max_length=MAX_EMAIL_FIELD_LENGTH
    )
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
    submission = Submission(values, confirmed_not_identifying)
    answers: dict[str, str] = {}
    for question in TEMPLATE_QUESTIONS:
        text = _template_answer(submission, question)
        if text is not None:
            answers[question.id] = text
            submission.guard(question.id, text)
    if not submission.clean:
        return submission.rejected()
    return submission.accepted(TemplateAnswers(MappingProxyType(answers)))


def _template_answer(submission: Submission, question: TemplateQuestion) -> str | None:
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
    submission = Submission(values, frozenset())
    field_id = StepField.IMMEDIATE_RISK.value
    text = submission.raw_text(field_id)
    try:
        answer = ImmediateRisk((text or "").lower())
    except ValueError:
        submission.problem(field_id, IMMEDIATE_RISK_REQUIRED)
        return submission.rejected()
    return submission.accepted(answer)


def _route(submission: Submission, lscp_area: LscpArea | None) -> Route | None:
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
    submission = Submission(values, frozenset())
    route = _route(submission, lscp_area)
    if route is None:
        return submission.rejected()
    return submission.accepted(route)


def check_route_and_area(values: Mapping[str, Any]) -> Checked[RouteAndArea]:
    """Read the area and the procedure chosen together on one card. Whether Re-think may be
    chosen depends on the area, so it is judged only once the area itself is readable."""
    submission = Submission(values, frozenset())
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
    submission = Submission(values, frozenset())
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
    submission = Submission(values, frozenset())
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


def _meeting_date(submission: Submission, today: date) -> date | None:
    field_id = StepField.ON_DATE.value
    day = submission.day(field_id, required=MEETING_DATE_REQUIRED)
    if day is None:
        return None
    if day > today + PLANNING_HORIZON:
        submission.problem(field_id, MEETING_DATE_TOO_FAR_AHEAD)
    elif day < one_year_before(today):
        submission.problem(field_id, MEETING_DATE_TOO_LONG_AGO)
    return day


@dataclass(frozen=True)
class IntakeOutcome:
    """Everything a clean intake gathered, ready to open a thread."""

    route: Route
    details: CaseDetails
    template: TemplateAnswers | None
    is_lead_professional: bool
    choice: StrategyChoice | None
