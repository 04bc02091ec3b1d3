"""The intake cards keep what was typed, say what to fix next to it, and word the procedures as
the seeds do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from microsoft_teams.cards import AdaptiveCard

from cards.forms import FormView, not_identifying_toggle_id
from cards.intake import (
    already_submitted_card,
    cancel_confirmation_card,
    cancelled_card,
    case_details_card,
    lead_professional_card,
    route_card,
    safety_card,
    safety_exit_card,
    strategy_options_card,
    submitted_summary_card,
    template_card,
)
from cards.render import card_payload
from cards.verbs import Verb
from domain.forms.fields import CaseDetailsField, StepField
from domain.forms.intake_checks import ImmediateRisk
from domain.forms.reading import NOT_IDENTIFYING_LABEL, FieldProblem, IdentifierWarning
from domain.identifiers import IdentifierKind
from domain.model import LscpArea, Route, Strategy
from domain.rethink import LEAD_PROFESSIONAL_QUESTION, STRATEGY_GUIDES, FacilitatorCheck
from domain.template import TEMPLATE_QUESTIONS
from tests.support.card_schema import card_texts, inputs_without_labels, nodes, schema_errors

FORM_ID = "form-1"
FormCard = Callable[[FormView], AdaptiveCard]

FORM_CARDS: dict[str, FormCard] = {
    "safety": safety_card,
    "route": route_card,
    "case details": lambda form: case_details_card(
        form, route_label="HIPS procedure", area_label="Portsmouth"
    ),
    "template": template_card,
    "lead professional": lead_professional_card,
    "strategy 1": lambda form: strategy_options_card(form, strategy=Strategy.ONE),
    "strategy 3": lambda form: strategy_options_card(form, strategy=Strategy.THREE),
}

# A field of each form card, and a value as a practitioner would submit it.
A_FIELD_OF: dict[str, tuple[str, str]] = {
    "safety": (StepField.IMMEDIATE_RISK.value, ImmediateRisk.NO.value),
    "route": (StepField.ROUTE.value, Route.HIPS.value),
    "case details": (CaseDetailsField.RAISER_ROLE.value, "Health visitor"),
    "template": ("q2", "Missed learning and no coordinated support at home."),
    "lead professional": ("is_lead_professional", "yes"),
    "strategy 1": ("on_date", "2026-11-27"),
    "strategy 3": ("option", "s3_independently_facilitated_rethink"),
}


def form(
    values: dict[str, str] | None = None,
    problems: tuple[FieldProblem, ...] = (),
    warnings: tuple[IdentifierWarning, ...] = (),
    confirmed: frozenset[str] = frozenset(),
) -> FormView:
    return FormView(
        form_id=FORM_ID,
        values=values or {},
        problems=problems,
        warnings=warnings,
        confirmed_not_identifying=confirmed,
    )


def body_of(card: AdaptiveCard) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = card_payload(card)["body"]
    return body


def inputs_of(card: AdaptiveCard) -> dict[str, dict[str, Any]]:
    return {
        str(node["id"]): node
        for node in nodes(card_payload(card))
        if str(node.get("type", "")).startswith("Input.")
    }


def index_of_input(body: list[dict[str, Any]], field_id: str) -> int:
    return next(index for index, element in enumerate(body) if element.get("id") == field_id)


def actions_of(card: AdaptiveCard) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = card_payload(card).get("actions", [])
    return actions


def action_with_verb(card: AdaptiveCard, verb: Verb) -> dict[str, Any]:
    return next(action for action in actions_of(card) if action["verb"] == verb.value)


# --- Every form ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORM_CARDS))
def test_every_form_card_is_valid_and_labels_its_inputs(name: str) -> None:
    payload = card_payload(FORM_CARDS[name](form()))
    assert schema_errors(payload) == []
    assert inputs_without_labels(payload) == []


@pytest.mark.parametrize("name", sorted(FORM_CARDS))
def test_a_form_card_re_renders_what_was_typed(name: str) -> None:
    field_id, typed = A_FIELD_OF[name]
    card = FORM_CARDS[name](form({field_id: typed}))
    assert inputs_of(card)[field_id]["value"] == typed


@pytest.mark.parametrize("name", sorted(FORM_CARDS))
def test_a_problem_is_shown_in_red_directly_under_its_input(name: str) -> None:
    field_id, _ = A_FIELD_OF[name]
    problem = FieldProblem(field_id, "Please look at this answer again.")
    body = body_of(FORM_CARDS[name](form(problems=(problem,))))
    under = body[index_of_input(body, field_id) + 1]
    assert under["type"] == "TextBlock"
    assert under["text"] == problem.message
    assert under["color"] == "Attention"


@pytest.mark.parametrize("name", sorted(FORM_CARDS))
def test_a_card_level_problem_is_shown_at_the_top(name: str) -> None:
    problem = FieldProblem("", "Something about the whole form needs a look.")
    body = body_of(FORM_CARDS[name](form(problems=(problem,))))
    assert body[1]["text"] == problem.message
    assert body[1]["color"] == "Attention"


def test_a_problem_about_a_field_the_card_does_not_show_is_shown_at_the_top() -> None:
    problem = FieldProblem(CaseDetailsField.LSCP_AREA.value, "Choose one of the four areas.")
    card = case_details_card(
        form(problems=(problem,)), route_label="HIPS procedure", area_label="Portsmouth"
    )
    assert body_of(card)[1]["text"] == problem.message


@pytest.mark.parametrize("name", sorted(FORM_CARDS))
def test_each_form_sends_its_form_id_and_cancel_sends_no_inputs(name: str) -> None:
    card = FORM_CARDS[name](form())
    submit = action_with_verb(card, Verb.SUBMIT_FORM)
    cancel = action_with_verb(card, Verb.CANCEL_FORM)
    assert submit["data"] == {"formId": FORM_ID}
    assert submit.get("associatedInputs", "auto") == "auto"
    assert cancel["data"] == {"formId": FORM_ID}
    assert cancel["associatedInputs"] == "none"


# The template marks its required questions in their labels and leaves the check to the bot, so
# that "Save draft" works on an unfinished template (cards/intake.py).
CLIENT_CHECKED_FORMS = sorted(name for name in FORM_CARDS if name != "template")


def test_the_template_marks_required_questions_in_their_labels() -> None:
    inputs = inputs_of(template_card(form()))
    for question in TEMPLATE_QUESTIONS:
        label = inputs[question.id]["label"]
        assert label.endswith("(required)" if question.required else "(optional)")
        assert not inputs[question.id].get("isRequired")


@pytest.mark.parametrize("name", CLIENT_CHECKED_FORMS)
def test_every_required_input_says_what_is_missing(name: str) -> None:
    required = [
        node for node in inputs_of(FORM_CARDS[name](form())).values() if node.get("isRequired")
    ]
    assert required, "each form asks at least one required question"
    assert all(node.get("errorMessage") for node in required)


def test_an_identifier_warning_is_shown_under_its_input_with_the_not_identifying_toggle() -> None:
    warning = IdentifierWarning("q1", (IdentifierKind.DATE_OF_BIRTH,))
    body = body_of(template_card(form({"q1": "DOB 03/04/2019"}, warnings=(warning,))))
    at = index_of_input(body, "q1")
    message, toggle = body[at + 1], body[at + 2]
    assert message["text"] == warning.message
    assert message["color"] == "Attention"
    assert toggle["type"] == "Input.Toggle"
    assert toggle["id"] == not_identifying_toggle_id("q1") == "not_identifying__q1"
    assert toggle["title"] == NOT_IDENTIFYING_LABEL
    assert toggle["label"] == NOT_IDENTIFYING_LABEL
    assert toggle["value"] == "false"


def test_a_ticked_not_identifying_toggle_stays_ticked_when_the_form_comes_back() -> None:
    values = {
        "urgent_reason": "Ward on 01632 960123",
        not_identifying_toggle_id("urgent_reason"): "true",
    }
    card = case_details_card(
        form(values, confirmed=frozenset({"urgent_reason"})),
        route_label="HIPS procedure",
        area_label="Portsmouth",
    )
    assert inputs_of(card)["not_identifying__urgent_reason"]["value"] == "true"
    assert "looks like" not in card_texts(card_payload(card))


def test_a_form_without_warnings_has_no_not_identifying_toggle() -> None:
    assert not any(
        field.startswith("not_identifying__") for field in inputs_of(template_card(form()))
    )


# --- Safety -------------------------------------------------------------------------------


def test_the_safety_card_asks_about_immediate_risk_with_yes_and_no() -> None:
    question = inputs_of(safety_card(form()))[StepField.IMMEDIATE_RISK.value]
    assert question["label"] == "Is a child at immediate risk of significant harm?"
    assert question["style"] == "expanded"
    assert [choice["value"] for choice in question["choices"]] == [
        ImmediateRisk.YES.value,
        ImmediateRisk.NO.value,
    ]
    assert question["isRequired"] is True


def test_the_safety_exit_card_stops_stores_nothing_and_lists_each_configured_contact() -> None:
    contacts = [("Portsmouth", "MASH: 03069 990103"), ("Hampshire", "Front door: 03069 990101")]
    payload = card_payload(safety_exit_card(contacts))
    text = card_texts(payload)
    assert "Follow your child protection procedures now" in text
    assert "Nothing about this child has been stored." in text
    for area, what_to_do in contacts:
        assert f"**{area}:** {what_to_do}" in text
    assert inputs_of(safety_exit_card(contacts)) == {}
    assert [action["verb"] for action in payload["actions"]] == [Verb.SHOW_HELP.value]


def test_the_safety_exit_card_still_says_what_to_do_without_configured_contacts() -> None:
    text = card_texts(card_payload(safety_exit_card(())))
    assert "safeguarding lead" in text
    assert "999" in text


# --- Area and route -----------------------------------------------------------------------


def test_the_route_card_offers_every_area_by_name_and_both_procedures() -> None:
    inputs = inputs_of(route_card(form()))
    area = inputs[CaseDetailsField.LSCP_AREA.value]
    assert [(choice["value"], choice["title"]) for choice in area["choices"]] == [
        (member.value, member.label) for member in LscpArea
    ]
    route = inputs[StepField.ROUTE.value]
    assert route["style"] == "expanded"
    assert [choice["value"] for choice in route["choices"]] == ["hips", "rethink"]
    assert "another practitioner's decision or practice" in route["choices"][0]["title"]
    assert "stuck" in route["choices"][1]["title"]


def test_the_route_card_says_what_neither_procedure_is_for_and_where_to_go_instead() -> None:
    text = card_texts(card_payload(route_card(form())))
    assert (
        "is not for use where there are systemic issues nor as a replacement for agencies "
        "complaints processes" in text
    )
    assert "your agency's complaints process" in text
    assert "child protection conferences is part of HIPS procedures" in text
    assert "conference chair" in text
    assert "Portsmouth" in text


# --- Case details -------------------------------------------------------------------------


def test_the_case_details_card_shows_the_area_as_a_fact_and_asks_everything_else() -> None:
    card = case_details_card(form(), route_label="Re-think (PSCP)", area_label="Portsmouth")
    inputs = inputs_of(card)
    expected = {field.value for field in CaseDetailsField} - {CaseDetailsField.LSCP_AREA.value}
    assert set(inputs) == expected
    facts = {
        fact["title"]: fact["value"]
        for node in nodes(card_payload(card))
        if node.get("type") == "FactSet"
        for fact in node["facts"]
    }
    assert facts == {"LSCP area": "Portsmouth", "Procedure": "Re-think (PSCP)"}


def test_the_case_details_card_requires_only_what_the_rules_require() -> None:
    inputs = inputs_of(case_details_card(form(), route_label="HIPS", area_label="Hampshire"))
    required = {field_id for field_id, node in inputs.items() if node.get("isRequired")}
    assert required == {
        CaseDetailsField.CASE_REFERENCE.value,
        CaseDetailsField.RAISER_AGENCY.value,
        CaseDetailsField.RAISER_ROLE.value,
        CaseDetailsField.OTHER_AGENCY.value,
        CaseDetailsField.CONCERN_AROSE_ON.value,
        CaseDetailsField.LINE_MANAGER_NAME.value,
    }
    assert "if you wish" in inputs[CaseDetailsField.OTHER_PRACTITIONER_NAME.value]["label"]
    assert inputs[CaseDetailsField.CONCERN_AROSE_ON.value]["type"] == "Input.Date"
    assert inputs[CaseDetailsField.URGENT.value]["type"] == "Input.Toggle"


def test_the_case_details_card_explains_why_a_case_reference_and_never_a_name() -> None:
    text = card_texts(
        card_payload(case_details_card(form(), route_label="HIPS", area_label="Portsmouth"))
    )
    assert "never the child's name" in text
    assert "this chat is not the child's record" in text


def test_the_line_manager_is_picked_from_the_teams_directory_with_a_typed_fallback() -> None:
    inputs = inputs_of(case_details_card(form(), route_label="HIPS", area_label="Portsmouth"))
    picker = inputs[CaseDetailsField.LINE_MANAGER_ID.value]
    assert picker["type"] == "Input.ChoiceSet"
    assert picker["style"] == "filtered"
    assert picker["choices.data"] == {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
    assert CaseDetailsField.LINE_MANAGER_NAME.value in inputs
    assert CaseDetailsField.LINE_MANAGER_EMAIL.value in inputs


def test_the_urgent_reason_says_the_childs_needs_require_faster_resolution() -> None:
    inputs = inputs_of(case_details_card(form(), route_label="HIPS", area_label="Portsmouth"))
    reason = inputs[CaseDetailsField.URGENT_REASON.value]
    assert "faster resolution" in reason["label"]
    assert reason["isMultiline"] is True
    assert reason["maxLength"] > 0


def test_the_case_details_card_can_leave_out_urgency_for_rethink() -> None:
    card = case_details_card(
        form(), route_label="Re-think", area_label="Portsmouth", show_urgency=False
    )
    inputs = inputs_of(card)
    assert CaseDetailsField.URGENT.value not in inputs
    assert CaseDetailsField.URGENT_REASON.value not in inputs


# --- The template -------------------------------------------------------------------------


def test_the_template_card_asks_the_seven_questions_worded_exactly_as_published() -> None:
    card = template_card(form())
    inputs = inputs_of(card)
    assert body_of(card)[0]["text"] == "Structuring your concerns"
    assert [field_id for field_id in inputs if field_id.startswith("q")] == [
        question.id for question in TEMPLATE_QUESTIONS
    ]
    for question in TEMPLATE_QUESTIONS:
        node = inputs[question.id]
        assert node["label"].startswith(f"{question.number}. {question.text} (")
        assert node["isMultiline"] is True
        assert node["maxLength"] == question.max_length


def test_the_template_card_keeps_a_draft_and_says_how_to_resume_it() -> None:
    card = template_card(form())
    assert action_with_verb(card, Verb.SAVE_DRAFT)["data"] == {"formId": FORM_ID}
    text = card_texts(card_payload(card))
    assert "continue my draft" in text
    assert "Draft saved at" not in text


def test_the_template_card_says_when_the_draft_was_saved() -> None:
    text = card_texts(card_payload(template_card(form(), draft_saved_at="14:05")))
    assert "Draft saved at 14:05" in text


# --- Re-think -----------------------------------------------------------------------------


def test_the_lead_professional_card_asks_yes_or_no_and_explains_strategy_2() -> None:
    card = lead_professional_card(form())
    question = inputs_of(card)["is_lead_professional"]
    assert question["label"] == LEAD_PROFESSIONAL_QUESTION
    assert [choice["value"] for choice in question["choices"]] == ["yes", "no"]
    assert "If you are the Lead Professional go to strategy 2" in card_texts(card_payload(card))


@pytest.mark.parametrize("strategy", list(Strategy))
def test_a_strategy_card_offers_its_options_in_the_seeds_words_and_asks_the_date(
    strategy: Strategy,
) -> None:
    guide = STRATEGY_GUIDES[strategy]
    card = strategy_options_card(form(), strategy=strategy)
    inputs = inputs_of(card)
    option = inputs["option"]
    assert option["style"] == "expanded"
    assert [choice["value"] for choice in option["choices"]] == [
        choice.value for choice in guide.options
    ]
    for choice, offered in zip(option["choices"], guide.options, strict=True):
        assert offered.wording in choice["title"]
    assert inputs["on_date"]["type"] == "Input.Date"
    assert inputs["on_date"]["isRequired"] is True
    assert guide.when_to_use in card_texts(card_payload(card))


def test_strategy_3_lists_the_checks_before_requesting_a_facilitator() -> None:
    card = strategy_options_card(form(), strategy=Strategy.THREE)
    inputs = inputs_of(card)
    for check in FacilitatorCheck:
        assert inputs[check.value]["type"] == "Input.Toggle"
        assert inputs[check.value]["title"] == check.question
    text = card_texts(card_payload(card))
    assert (
        "Have available the email addresses for all those who you would like to be invited" in text
    )
    assert "in person" in text


def test_strategies_1_and_2_have_no_facilitator_checklist() -> None:
    for strategy in (Strategy.ONE, Strategy.TWO):
        inputs = inputs_of(strategy_options_card(form(), strategy=strategy))
        assert not {check.value for check in FacilitatorCheck} & set(inputs)


def test_a_strategy_card_can_send_another_verb_with_extra_data() -> None:
    card = strategy_options_card(
        form(),
        strategy=Strategy.TWO,
        submit_verb=Verb.SUBMIT_CHOOSE_OPTION,
        extra_data={"reference": "ESC-2026-0007", "version": 4},
    )
    submit = action_with_verb(card, Verb.SUBMIT_CHOOSE_OPTION)
    assert submit["data"] == {"formId": FORM_ID, "reference": "ESC-2026-0007", "version": 4}


# --- After a submission -------------------------------------------------------------------


def test_the_submitted_summary_is_read_only_and_wraps_long_answers() -> None:
    long_answer = "The referral was closed after one visit. " * 40
    payload = card_payload(
        submitted_summary_card(
            "Structuring your concerns", [("1. What is the concern?", long_answer)]
        )
    )
    assert not any(str(node.get("type", "")).startswith("Input.") for node in nodes(payload))
    assert "actions" not in payload
    answer = next(node for node in nodes(payload) if node.get("text") == long_answer)
    assert answer["wrap"] is True
    assert "1. What is the concern?" in card_texts(payload)


def test_a_click_on_an_old_form_says_nothing_changed() -> None:
    payload = card_payload(already_submitted_card())
    assert "This form was already submitted - nothing has changed." in card_texts(payload)
    assert not any(str(node.get("type", "")).startswith("Input.") for node in nodes(payload))


def test_cancelling_asks_before_discarding() -> None:
    card = cancel_confirmation_card(FORM_ID)
    text = card_texts(card_payload(card))
    assert "Discard this concern?" in text
    assert "What you entered will be deleted." in text
    assert action_with_verb(card, Verb.CONFIRM_CANCEL)["data"] == {"formId": FORM_ID}
    assert action_with_verb(card, Verb.KEEP_GOING)["data"] == {"formId": FORM_ID}


def test_the_cancelled_card_confirms_the_deletion_and_has_no_inputs() -> None:
    payload = card_payload(cancelled_card())
    assert "deleted" in card_texts(payload)
    assert inputs_without_labels(payload) == []
    assert not any(str(node.get("type", "")).startswith("Input.") for node in nodes(payload))
