"""Every form's cards, checks and decisions agree on how much each text input takes.

The limits are declared once (`domain.forms.fields`). These tests read them back from where a
practitioner meets them, every text input of every card in the gallery, and hold the form's
check and the domain's decisions to the same number: an answer as long as the card allows is
never refused for its length, and one character more always is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cards.gallery import gallery
from cards.render import card_payload
from domain.decisions import (
    AddAgreedAction,
    AddNote,
    AnyCommand,
    MarkUrgent,
    OpenHipsThread,
    Resolve,
    decide,
)
from domain.errors import InvalidInput
from domain.forms.fields import (
    TEXT_LIMITS,
    AgreedActionPart,
    CaseDetailsField,
    TemplateField,
    ThreadFormField,
    agreed_action_field,
    text_limit,
)
from domain.forms.intake_checks import check_case_details, check_template_answers
from domain.forms.reading import Checked
from domain.forms.thread_checks import check_note, check_resolution
from domain.model import EscalationThread, LscpArea, Person
from domain.policy import ProcedurePolicy
from domain.working_days import ENGLAND
from tests.support.card_schema import nodes

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
POLICY = ProcedurePolicy(calendar=ENGLAND)
PRACTITIONER = Person(name="Priya Shah", email="priya.shah@example.org.uk")


def drawn_text_inputs() -> dict[tuple[str, str], dict[str, Any]]:
    """Every text input of every gallery card, by (card name, input id)."""
    return {
        (name, str(node["id"])): node
        for name, card in gallery().items()
        for node in nodes(card_payload(card))
        if node.get("type") == "Input.Text"
    }


DRAWN = drawn_text_inputs()
# What each input lets a practitioner type, as the cards draw it: the same id must take the same
# on every card that shows it (checked below), so one number per id.
# (The card models serialise maxLength as a number, 120.0: it is compared as an int.)
CARD_LIMITS: Mapping[str, int] = {
    field_id: int(node["maxLength"]) for (_, field_id), node in DRAWN.items()
}


def typed(length: int) -> str:
    """An answer of exactly `length` characters that no other rule of any form refuses (it has a
    digit for the case reference, and is not a name, a phone number or an email address)."""
    return ("a1" * length)[:length]


def check_of(field_id: str) -> Callable[[Mapping[str, Any]], Checked[Any]]:
    """The check of the form `field_id` belongs to."""
    if field_id in set(CaseDetailsField):
        return lambda values: check_case_details(values, frozenset(), TODAY)
    if field_id in set(TemplateField):
        return lambda values: check_template_answers(values, frozenset())
    if field_id == ThreadFormField.NOTE.value:
        return lambda values: check_note(values, frozenset())
    return lambda values: check_resolution(values, frozenset(), TODAY)


# --- Cards and declarations ---------------------------------------------------------------


@pytest.mark.parametrize(("card", "field_id"), sorted(DRAWN))
def test_every_text_input_takes_what_the_domain_declares_for_its_field(
    card: str, field_id: str
) -> None:
    assert DRAWN[card, field_id]["maxLength"] == text_limit(field_id), (
        f"the {card!r} card lets {field_id!r} take {DRAWN[card, field_id]['maxLength']} "
        f"characters; domain.forms.fields declares {text_limit(field_id)}"
    )


def test_every_declared_text_field_is_drawn_on_a_card() -> None:
    assert set(TEXT_LIMITS) <= set(CARD_LIMITS)


# --- Cards and checks ---------------------------------------------------------------------


@pytest.mark.parametrize("field_id", sorted(CARD_LIMITS))
def test_the_check_accepts_as_much_as_the_card_takes_and_refuses_one_more(field_id: str) -> None:
    limit = CARD_LIMITS[field_id]
    check = check_of(field_id)
    named = f"{limit:,}"

    at_the_limit = check({field_id: typed(limit)}).problem_for(field_id)
    one_over = check({field_id: typed(limit + 1)}).problem_for(field_id)

    assert at_the_limit is None or named not in at_the_limit.message, (
        f"{field_id!r}: the card takes {limit} characters but the check refuses that many"
    )
    assert one_over is not None, f"{field_id!r}: the check accepts more than the card takes"
    assert named in one_over.message


# --- Cards and decisions ------------------------------------------------------------------


def open_hips(**typed_fields: str) -> OpenHipsThread:
    fields: dict[str, Any] = {
        "case_reference": "PCC-204518",
        "raiser_agency": "St Mary's Primary School",
        "raiser_role": "Designated Safeguarding Lead",
        "other_agency": "Children's Social Care",
        "urgent_reason": None,
        "template_answers": {},
    }
    fields.update(typed_fields)
    return OpenHipsThread(
        actor=PRACTITIONER,
        at=NOW,
        reference="ESC-2026-0007",
        lscp_area=LscpArea.PORTSMOUTH,
        concern_arose_on=TODAY,
        **fields,
    )


def opened() -> EscalationThread:
    return decide(None, open_hips(), POLICY).thread


def all_answers(length: int) -> dict[str, Any]:
    answers = {field.value: typed(length) for field in TemplateField}
    return {"template_answers": answers}


# Each decision that records a form's text, built with the text of one field at `length`.
DECISIONS: Mapping[str, Callable[[int], tuple[EscalationThread | None, AnyCommand]]] = {
    CaseDetailsField.CASE_REFERENCE.value: lambda n: (None, open_hips(case_reference=typed(n))),
    CaseDetailsField.RAISER_AGENCY.value: lambda n: (None, open_hips(raiser_agency=typed(n))),
    CaseDetailsField.RAISER_ROLE.value: lambda n: (None, open_hips(raiser_role=typed(n))),
    CaseDetailsField.OTHER_AGENCY.value: lambda n: (None, open_hips(other_agency=typed(n))),
    CaseDetailsField.URGENT_REASON.value: lambda n: (None, open_hips(urgent_reason=typed(n))),
    TemplateField.Q1.value: lambda n: (None, open_hips(**all_answers(n))),
    ThreadFormField.NOTE.value: lambda n: (
        opened(),
        AddNote(actor=PRACTITIONER, at=NOW, text=typed(n)),
    ),
    ThreadFormField.OUTCOME.value: lambda n: (
        opened(),
        Resolve(actor=PRACTITIONER, at=NOW, outcome=typed(n)),
    ),
    agreed_action_field(1, AgreedActionPart.WHAT): lambda n: (
        opened(),
        AddAgreedAction(actor=PRACTITIONER, at=NOW, what=typed(n), who="Tom", by_when=TODAY),
    ),
    agreed_action_field(1, AgreedActionPart.WHO): lambda n: (
        opened(),
        AddAgreedAction(actor=PRACTITIONER, at=NOW, what="Call", who=typed(n), by_when=TODAY),
    ),
}


@pytest.mark.parametrize("field_id", sorted(DECISIONS))
def test_the_decision_records_as_much_as_the_card_takes_and_refuses_one_more(
    field_id: str,
) -> None:
    limit = CARD_LIMITS[field_id]
    build = DECISIONS[field_id]

    decide(*build(limit), POLICY)
    with pytest.raises(InvalidInput, match=f"{limit}"):
        decide(*build(limit + 1), POLICY)


def test_marking_a_concern_urgent_later_takes_the_reason_the_case_details_card_takes() -> None:
    limit = CARD_LIMITS[CaseDetailsField.URGENT_REASON.value]
    urgent = decide(opened(), MarkUrgent(actor=PRACTITIONER, at=NOW, reason=typed(limit)), POLICY)
    assert urgent.thread.urgent
    with pytest.raises(InvalidInput, match=f"{limit}"):
        decide(opened(), MarkUrgent(actor=PRACTITIONER, at=NOW, reason=typed(limit + 1)), POLICY)


def test_every_template_answer_takes_the_same() -> None:
    assert {CARD_LIMITS[field.value] for field in TemplateField} == {CARD_LIMITS["q1"]}


# --- Ids -----------------------------------------------------------------------------------


def test_agreed_action_ids_name_their_slot_and_part() -> None:
    assert agreed_action_field(2, AgreedActionPart.WHO) == "action_2_who"
    with pytest.raises(ValueError, match="1 to 3"):
        agreed_action_field(4, AgreedActionPart.WHAT)


def test_an_id_no_form_declares_has_no_limit() -> None:
    with pytest.raises(KeyError):
        text_limit("child_name")
