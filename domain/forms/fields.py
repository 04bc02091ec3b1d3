"""Every form's input ids and text limits: the one declaration that cards draw and checks read.

A card's `maxLength` is what Teams lets a practitioner type; a check's limit is what the bot
accepts; the decision that opens or changes a concern refuses anything longer again. All three
read the constants below, so a practitioner can never type an answer that is refused for its
length after they send it, and `tests/unit/test_form_fields.py` fails if a card or a check ever
uses another number.

The ids are stable: stored drafts, card submissions and (for the template) the answers kept on
a concern are keyed by them. The Re-think facilitator checklist's toggles are keyed by
`domain.rethink.FacilitatorCheck`, which owns the seed's wording of each point; toggles and
choices take no free text, so only text inputs have a limit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from domain.identifiers import MAX_EMAIL_LENGTH

# --- Limits on what people type -------------------------------------------------------------
# Long enough for real use, short enough to keep a card readable and a row bounded.

MIN_CASE_REFERENCE_LENGTH = 2
MAX_CASE_REFERENCE_LENGTH = 40  # agency references are short: "PCC-204518", "SCC/88213"
MAX_DETAIL_LENGTH = 120  # agencies, roles and names of professionals
MAX_EMAIL_FIELD_LENGTH = MAX_EMAIL_LENGTH  # RFC 5321: the email check refuses longer anyway
MAX_URGENT_REASON_LENGTH = 500
MAX_TEMPLATE_ANSWER_LENGTH = 2000  # a considered answer, still readable on a card
MAX_NOTE_LENGTH = 4000
MAX_OUTCOME_LENGTH = 4000
MAX_ACTION_WHAT_LENGTH = 1000
MAX_ACTION_WHO_LENGTH = 200


# --- The "new concern" forms ----------------------------------------------------------------


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


class TemplateField(StrEnum):
    """The input ids of "Structuring your concerns", one per question, in the seed's order.

    They are also the keys of the answers stored on a concern (`domain.template` words each
    question).
    """

    Q1 = "q1"
    Q2 = "q2"
    Q3 = "q3"
    Q4 = "q4"
    Q5 = "q5"
    Q6 = "q6"
    Q7 = "q7"


# --- The forms on a logged concern ----------------------------------------------------------


class ThreadFormField(StrEnum):
    """The input ids of the forms shown on a thread's card (besides the agreed actions)."""

    NOTE = "note"
    OUTCOME = "outcome"


class AgreedActionPart(StrEnum):
    """The three inputs of one agreed action on the resolution form."""

    WHAT = "what"
    WHO = "who"
    BY = "by"


AGREED_ACTION_SLOTS = 3  # how many agreed actions the resolution form has room for


def agreed_action_field(slot: int, part: AgreedActionPart) -> str:
    """Input id of `part` of agreed action `slot` (1-based), e.g. "action_2_who"."""
    if not 1 <= slot <= AGREED_ACTION_SLOTS:
        raise ValueError(f"the resolution form has agreed actions 1 to {AGREED_ACTION_SLOTS}")
    return f"action_{slot}_{part.value}"


# --- Which text input takes how much --------------------------------------------------------

_CASE_DETAILS_LIMITS: Mapping[CaseDetailsField, int] = {
    CaseDetailsField.CASE_REFERENCE: MAX_CASE_REFERENCE_LENGTH,
    CaseDetailsField.RAISER_AGENCY: MAX_DETAIL_LENGTH,
    CaseDetailsField.RAISER_ROLE: MAX_DETAIL_LENGTH,
    CaseDetailsField.OTHER_AGENCY: MAX_DETAIL_LENGTH,
    CaseDetailsField.OTHER_PRACTITIONER_NAME: MAX_DETAIL_LENGTH,
    CaseDetailsField.OTHER_PRACTITIONER_EMAIL: MAX_EMAIL_FIELD_LENGTH,
    CaseDetailsField.LINE_MANAGER_NAME: MAX_DETAIL_LENGTH,
    CaseDetailsField.LINE_MANAGER_EMAIL: MAX_EMAIL_FIELD_LENGTH,
    CaseDetailsField.URGENT_REASON: MAX_URGENT_REASON_LENGTH,
}
_AGREED_ACTION_LIMITS: Mapping[AgreedActionPart, int] = {
    AgreedActionPart.WHAT: MAX_ACTION_WHAT_LENGTH,
    AgreedActionPart.WHO: MAX_ACTION_WHO_LENGTH,
}

TEXT_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        **{field.value: limit for field, limit in _CASE_DETAILS_LIMITS.items()},
        **{field.value: MAX_TEMPLATE_ANSWER_LENGTH for field in TemplateField},
        ThreadFormField.NOTE.value: MAX_NOTE_LENGTH,
        ThreadFormField.OUTCOME.value: MAX_OUTCOME_LENGTH,
        **{
            agreed_action_field(slot, part): limit
            for slot in range(1, AGREED_ACTION_SLOTS + 1)
            for part, limit in _AGREED_ACTION_LIMITS.items()
        },
    }
)
"""Every free-text input of every form, by id, with the most characters it takes."""


def text_limit(field_id: str) -> int:
    """The most characters the text input `field_id` takes; KeyError for an id that is not a
    text input of any form, so a new input cannot be drawn without being declared here."""
    return TEXT_LIMITS[str(field_id)]
