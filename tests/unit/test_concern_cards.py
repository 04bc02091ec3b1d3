"""A concern's cards offer only what its state allows, say when it is due in words, quote who
talks at each stage, and never show the stored Re-think record or enum values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from microsoft_teams.cards import AdaptiveCard

from cards.concern import (
    EVENT_WORDS,
    choose_option_form_card,
    facilitator_request_card,
    my_concerns_card,
    note_form_card,
    resolve_form_card,
    thread_card,
    thread_history_card,
)
from cards.forms import FormView
from cards.render import card_payload
from cards.verbs import Verb
from domain.decisions import format_day
from domain.forms.fields import MAX_NOTE_LENGTH, MAX_OUTCOME_LENGTH
from domain.forms.reading import IdentifierWarning
from domain.identifiers import IdentifierKind
from domain.model import (
    AgreedAction,
    AuditEvent,
    EscalationThread,
    EventKind,
    LscpArea,
    Person,
    Stage,
    Strategy,
    ThreadState,
)
from domain.procedure import (
    INDICATIVE_TIMESCALES_NOTE,
    STAGE_GUIDES,
    ActionKind,
    allowed_actions,
    lscp_partnership_name,
    lscp_referral_instruction,
    state_label,
)
from domain.rethink import STRATEGY_GUIDES, FacilitatorCheck, RethinkOption
from domain.template import TEMPLATE_QUESTIONS
from tests.support.card_schema import card_texts, inputs_without_labels, nodes, schema_errors

TODAY = date(2026, 11, 24)  # a Tuesday
LONDON = ZoneInfo("Europe/London")
RAISER = Person(name="Priya Shah", email="priya.shah@example.org.uk")
MANAGER = Person(name="Tom Hughes")

# Which button starts each action a state can allow; the rest (withdraw, urgency, deadline,
# agreed actions on their own) have no button on the thread card.
VERB_OF_ACTION: dict[ActionKind, Verb] = {
    ActionKind.CHOOSE_OPTION: Verb.START_CHOOSE_OPTION,
    ActionKind.ESCALATE: Verb.ESCALATE,
    ActionKind.STILL_STUCK: Verb.STILL_STUCK,
    ActionKind.HAND_OVER_TO_HIPS: Verb.HAND_OVER_TO_HIPS,
    ActionKind.REQUEST_FACILITATOR: Verb.START_FACILITATOR_REQUEST,
    ActionKind.RESOLVE: Verb.START_RESOLVE,
    ActionKind.ADD_NOTE: Verb.START_NOTE,
}


def make_thread(state: ThreadState, **changes: Any) -> EscalationThread:
    thread = EscalationThread(
        reference="ESC-2026-0007",
        state=state,
        case_reference="PCC-204518",
        lscp_area=LscpArea.PORTSMOUTH,
        raised_by=RAISER,
        raiser_agency="St Mary's Primary School",
        raiser_role="Designated Safeguarding Lead",
        other_agency="Solent NHS Trust health visiting",
        concern_arose_on=date(2026, 11, 19),
        stage_started_on=date(2026, 11, 23),
        deadline=date(2026, 11, 26) if state.stage is not None else None,
        opened_at=datetime(2026, 11, 19, 10, 5, tzinfo=UTC),
        line_manager=MANAGER,
        version=4,
    )
    return replace(thread, **changes)


def options_record(*chosen: RethinkOption) -> tuple[str, ...]:
    """The thread's record of the options `chosen`, as the domain writes it."""
    return tuple(option.value for option in chosen)


def card_of(thread: EscalationThread, **kwargs: Any) -> AdaptiveCard:
    return thread_card(thread, today=TODAY, **kwargs)


def actions_of(card: AdaptiveCard) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = card_payload(card).get("actions", [])
    return actions


def verbs_of(card: AdaptiveCard) -> set[str]:
    return {
        str(node["verb"])
        for node in nodes(card_payload(card))
        if node.get("type") == "Action.Execute"
    }


def text_of(card: AdaptiveCard) -> str:
    return card_texts(card_payload(card))


def text_blocks(card: AdaptiveCard) -> list[dict[str, Any]]:
    return [node for node in nodes(card_payload(card)) if node.get("type") == "TextBlock"]


def inputs_of(card: AdaptiveCard) -> dict[str, dict[str, Any]]:
    return {
        str(node["id"]): node
        for node in nodes(card_payload(card))
        if str(node.get("type", "")).startswith("Input.")
    }


def form(values: dict[str, str] | None = None, **kwargs: Any) -> FormView:
    return FormView(form_id="ESC-2026-0007:4", values=values or {}, **kwargs)


# --- Buttons ------------------------------------------------------------------------------


def expected_verbs(thread: EscalationThread) -> set[str]:
    if not thread.is_open:
        return {Verb.VIEW_THREAD.value}
    verbs = {
        VERB_OF_ACTION[action].value
        for action in allowed_actions(thread.state)
        if action in VERB_OF_ACTION
    }
    if thread.state is ThreadState.STRATEGY_1:
        verbs.discard(Verb.HAND_OVER_TO_HIPS.value)  # not until option 3 has been chosen
    return verbs | {Verb.VIEW_THREAD.value}


@pytest.mark.parametrize("state", list(ThreadState))
def test_the_thread_card_offers_exactly_the_actions_its_state_allows(state: ThreadState) -> None:
    thread = make_thread(state)
    card = card_of(thread)
    assert verbs_of(card) == expected_verbs(thread)
    assert schema_errors(card_payload(card)) == []


@pytest.mark.parametrize("state", list(ThreadState))
def test_every_thread_button_names_the_thread_and_the_version_shown(state: ThreadState) -> None:
    for action in actions_of(card_of(make_thread(state, version=9))):
        assert action["data"] == {"reference": "ESC-2026-0007", "version": 9}
        assert action["associatedInputs"] == "none"


@pytest.mark.parametrize("state", [state for state in ThreadState if not state.is_open])
def test_a_closed_concern_offers_only_its_history(state: ThreadState) -> None:
    assert [action["verb"] for action in actions_of(card_of(make_thread(state)))] == [
        Verb.VIEW_THREAD.value
    ]


@pytest.mark.parametrize(
    "thread",
    [make_thread(state) for state in ThreadState]
    + [
        make_thread(
            ThreadState.STRATEGY_1, rethink_options=options_record(RethinkOption.S1_CONSULT_HIPS)
        )
    ],
    ids=lambda thread: thread.state.value,
)
def test_the_thread_card_keeps_to_the_six_buttons_teams_shows(thread: EscalationThread) -> None:
    assert len(actions_of(card_of(thread))) <= 6


def test_strategy_1_offers_the_hand_over_to_hips_once_option_3_is_chosen() -> None:
    thread = make_thread(
        ThreadState.STRATEGY_1,
        rethink_options=options_record(RethinkOption.S1_CONSULT_HIPS),
        deadline=date(2026, 11, 27),
    )
    hand_over = next(
        action for action in actions_of(card_of(thread)) if action["verb"] == Verb.HAND_OVER_TO_HIPS
    )
    assert hand_over["title"] == "The Lead Professional does not agree: start HIPS stage 1"


def test_strategy_1_with_another_option_does_not_offer_the_hand_over() -> None:
    thread = make_thread(
        ThreadState.STRATEGY_1,
        rethink_options=options_record(RethinkOption.S1_RESTORATIVE_CONVERSATION),
    )
    assert Verb.HAND_OVER_TO_HIPS.value not in verbs_of(card_of(thread))


def test_strategy_3_offers_the_hips_procedure_and_a_facilitator() -> None:
    titles = {
        action["verb"]: action["title"]
        for action in actions_of(card_of(make_thread(ThreadState.STRATEGY_3)))
    }
    assert titles[Verb.HAND_OVER_TO_HIPS.value] == "Use the HIPS procedure instead"
    assert titles[Verb.START_FACILITATOR_REQUEST.value] == "Request an independent facilitator"
    assert Verb.STILL_STUCK.value not in titles


@pytest.mark.parametrize("strategy", [Strategy.ONE, Strategy.TWO])
def test_still_stuck_names_the_next_strategy(strategy: Strategy) -> None:
    thread = make_thread(ThreadState.for_strategy(strategy))
    still_stuck = next(
        action for action in actions_of(card_of(thread)) if action["verb"] == Verb.STILL_STUCK
    )
    assert still_stuck["title"] == f"Still stuck - move to Strategy {int(strategy) + 1}"


@pytest.mark.parametrize("stage", list(Stage))
def test_the_escalate_button_names_the_next_step(stage: Stage) -> None:
    card = card_of(make_thread(ThreadState.for_stage(stage)))
    escalate = next(action for action in actions_of(card) if action["verb"] == Verb.ESCALATE)
    expected = "Email sent to the LSCP" if stage is Stage.FIVE else f"Escalate to stage {stage + 1}"
    assert escalate["title"] == expected


# --- Dates --------------------------------------------------------------------------------


def test_the_deadline_is_shown_in_words() -> None:
    text = text_of(card_of(make_thread(ThreadState.STAGE_2, deadline=date(2026, 11, 26))))
    assert "Due by the end of Thursday 26 November 2026" in text
    assert "Overdue" not in text


def test_a_deadline_of_today_says_today() -> None:
    text = text_of(card_of(make_thread(ThreadState.STAGE_2, deadline=TODAY)))
    assert "Due by the end of today, Tuesday 24 November 2026" in text


def test_a_past_deadline_is_shown_as_overdue_in_attention_colour() -> None:
    card = card_of(make_thread(ThreadState.STAGE_3, deadline=date(2026, 11, 20)))
    overdue = [block for block in text_blocks(card) if "Overdue" in block["text"]]
    assert [block["text"] for block in overdue] == [
        "Overdue since the end of Friday 20 November 2026"
    ]
    assert overdue[0]["color"] == "Attention"


def test_a_rethink_meeting_in_the_past_asks_for_its_outcome_in_attention_colour() -> None:
    thread = make_thread(
        ThreadState.STRATEGY_2,
        deadline=date(2026, 11, 18),
        rethink_options=options_record(RethinkOption.S2_MULTI_AGENCY_RETHINK),
    )
    overdue = [
        block for block in text_blocks(card_of(thread)) if block["text"].startswith("Overdue")
    ]
    assert len(overdue) == 1
    assert "Wednesday 18 November 2026" in overdue[0]["text"]
    assert overdue[0]["color"] == "Attention"


def test_a_rethink_meeting_to_come_is_shown_with_its_date() -> None:
    thread = make_thread(
        ThreadState.STRATEGY_1,
        deadline=date(2026, 12, 2),
        rethink_options=options_record(RethinkOption.S1_RESTORATIVE_CONVERSATION),
    )
    assert "Conversation or meeting planned for Wednesday 2 December 2026" in text_of(
        card_of(thread)
    )


def test_a_concern_with_the_lscp_has_no_deadline_line() -> None:
    text = text_of(card_of(make_thread(ThreadState.REFERRED_TO_LSCP)))
    assert "Due by" not in text
    assert "Overdue" not in text


# --- What to do next ----------------------------------------------------------------------


@pytest.mark.parametrize("stage", list(Stage))
def test_each_stage_quotes_its_title_and_who_talks(stage: Stage) -> None:
    text = text_of(card_of(make_thread(ThreadState.for_stage(stage))))
    guide = STAGE_GUIDES[stage]
    assert guide.title in text
    assert guide.who_talks in text
    assert guide.timescale in text
    assert INDICATIVE_TIMESCALES_NOTE in text


def test_stage_5_says_to_email_the_configured_lscp_address() -> None:
    thread = make_thread(ThreadState.STAGE_5)
    text = text_of(card_of(thread, lscp_contact_email="pscp@portsmouth.gov.uk"))
    assert lscp_referral_instruction(LscpArea.PORTSMOUTH, "pscp@portsmouth.gov.uk") in text


def test_stage_5_without_a_configured_address_still_names_the_partnership() -> None:
    text = text_of(card_of(make_thread(ThreadState.STAGE_5)))
    assert f"E-mail the details through to the {lscp_partnership_name(LscpArea.PORTSMOUTH)}" in text


@pytest.mark.parametrize("strategy", list(Strategy))
def test_a_rethink_card_quotes_when_to_use_its_strategy_and_has_no_hips_timescales(
    strategy: Strategy,
) -> None:
    text = text_of(card_of(make_thread(ThreadState.for_strategy(strategy))))
    assert STRATEGY_GUIDES[strategy].when_to_use in text
    assert INDICATIVE_TIMESCALES_NOTE not in text


def test_a_rethink_card_shows_the_option_chosen_in_the_seeds_words() -> None:
    thread = make_thread(
        ThreadState.STRATEGY_2,
        deadline=date(2026, 12, 2),
        rethink_options=options_record(
            RethinkOption.S1_RESTORATIVE_CONVERSATION, RethinkOption.S2_SENIOR_AT_NEXT_REVIEW
        ),
    )
    text = text_of(card_of(thread))
    assert RethinkOption.S2_SENIOR_AT_NEXT_REVIEW.wording in text
    assert RethinkOption.S1_RESTORATIVE_CONVERSATION.wording not in text  # an earlier strategy's


def test_strategy_3_says_whom_to_contact_to_arrange_a_rethink() -> None:
    card = card_of(
        make_thread(ThreadState.STRATEGY_3),
        rethink_contact=("Sam Nesbit", "rethink@example.org.uk"),
    )
    assert "contact Sam Nesbit (rethink@example.org.uk)" in text_of(card)


def test_an_urgent_concern_is_marked_with_its_reason() -> None:
    thread = make_thread(ThreadState.STAGE_1, urgent=True, urgent_reason="Discharge is on Friday.")
    text = text_of(card_of(thread))
    assert "Urgent" in text
    assert "Discharge is on Friday." in text


def test_a_notice_comes_first() -> None:
    payload = card_payload(
        card_of(make_thread(ThreadState.STAGE_2), notice="Escalated to stage 2.")
    )
    assert payload["body"][0]["items"][0]["text"] == "Escalated to stage 2."
    assert payload["body"][1]["text"] == "ESC-2026-0007"


def test_a_resolved_concern_says_to_feed_back_and_record_the_actions_on_the_childs_file() -> None:
    thread = make_thread(
        ThreadState.RESOLVED,
        agreed_actions=(
            AgreedAction("Share the attendance record", "Priya Shah", date(2026, 11, 27)),
        ),
    )
    text = text_of(card_of(thread))
    assert "recorded on the child's file" in text
    assert "Share the attendance record" in text
    assert "By the end of Friday 27 November 2026" in text


# --- Never the stored record or enum values -----------------------------------------------

RAW_VALUES = (
    *(state.value for state in ThreadState if "_" in state.value),
    *(option.value for option in RethinkOption),
    *(kind.value for kind in EventKind if "_" in kind.value),
)


@pytest.mark.parametrize("state", list(ThreadState))
def test_no_thread_card_shows_the_options_record_or_an_enum_value(state: ThreadState) -> None:
    thread = make_thread(
        state, rethink_options=options_record(RethinkOption.S1_CONSULT_HIPS), urgent=True
    )
    texts = [
        text_of(card_of(thread)),
        text_of(thread_history_card(thread, history(), today=TODAY, tz=LONDON)),
        text_of(my_concerns_card([thread], today=TODAY)),
    ]
    for text in texts:
        for raw in RAW_VALUES:
            assert raw not in text


# --- History ------------------------------------------------------------------------------


def history() -> list[AuditEvent]:
    return [
        AuditEvent(
            EventKind.STAGE_ESCALATED,
            RAISER,
            datetime(2026, 11, 23, 9, 12, tzinfo=UTC),
            ThreadState.STAGE_1,
            ThreadState.STAGE_2,
        ),
        AuditEvent(
            EventKind.OPENED,
            RAISER,
            datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
            None,
            ThreadState.STAGE_1,
        ),
        AuditEvent(
            EventKind.NOTE_ADDED,
            MANAGER,
            datetime(2026, 11, 23, 16, 40, tzinfo=UTC),
            ThreadState.STAGE_2,
            ThreadState.STAGE_2,
            "Called the duty team; awaiting a reply.",
        ),
    ]


def test_the_history_lists_events_oldest_first_in_london_time() -> None:
    thread = make_thread(ThreadState.STAGE_2)
    text = text_of(thread_history_card(thread, history(), today=TODAY, tz=LONDON))
    opened = text.index("Wednesday 1 July 2026 at 09:30")  # 08:30 UTC is 09:30 in summer
    escalated = text.index("Monday 23 November 2026 at 09:12")  # GMT in winter
    noted = text.index("Monday 23 November 2026 at 16:40")
    assert opened < escalated < noted
    assert "**Concern logged** by Priya Shah" in text
    assert "Opened at HIPS stage 1" in text
    assert "HIPS stage 1 → HIPS stage 2" in text
    assert "**Note added** by Tom Hughes" in text
    assert "Called the duty team; awaiting a reply." in text


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_kind_of_event_is_told_in_words(kind: EventKind) -> None:
    event = AuditEvent(
        kind,
        RAISER,
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        ThreadState.STAGE_1,
        ThreadState.STAGE_1,
    )
    text = text_of(
        thread_history_card(make_thread(ThreadState.STAGE_1), [event], today=TODAY, tz=LONDON)
    )
    assert f"**{EVENT_WORDS[kind]}** by Priya Shah" in text


def test_the_history_shows_template_answers_under_their_questions_but_not_the_options_record() -> (
    None
):
    answers = {
        "q1": "The referral was closed without a plan.",
        "q6": "A multi-agency early help assessment.",
    }
    thread = make_thread(
        ThreadState.STRATEGY_1,
        template_answers=answers,
        rethink_options=options_record(RethinkOption.S1_CONSULT_HIPS),
    )
    blocks = [
        block["text"]
        for block in text_blocks(thread_history_card(thread, [], today=TODAY, tz=LONDON))
    ]
    for question_id in ("q1", "q6"):
        question = next(question for question in TEMPLATE_QUESTIONS if question.id == question_id)
        at = blocks.index(f"{question.number}. {question.text}")
        assert blocks[at + 1] == answers[question_id]
    assert RethinkOption.S1_CONSULT_HIPS.value not in blocks
    assert (
        f"Strategy 1, option 3: {RethinkOption.S1_CONSULT_HIPS.wording}" in blocks
    )  # told as an option


def test_the_history_shows_agreed_actions_and_marks_the_overdue_ones() -> None:
    thread = make_thread(
        ThreadState.STAGE_2,
        agreed_actions=(
            AgreedAction("Share the attendance record", "Priya Shah", date(2026, 11, 20)),
            AgreedAction("Book the review", "Tom Hughes", date(2026, 11, 20), done=True),
        ),
    )
    card = thread_history_card(thread, [], today=TODAY, tz=LONDON)
    text = text_of(card)
    assert "Who: Priya Shah. By the end of Friday 20 November 2026." in text
    assert "Who: Tom Hughes. Done." in text
    overdue = [block for block in text_blocks(card) if block["text"] == "Overdue"]
    assert len(overdue) == 1
    assert overdue[0]["color"] == "Attention"


def test_the_history_goes_back_to_the_thread_card() -> None:
    card = thread_history_card(make_thread(ThreadState.STAGE_2), history(), today=TODAY, tz=LONDON)
    assert [(action["verb"], action["data"]) for action in actions_of(card)] == [
        (Verb.SHOW_THREAD_CARD.value, {"reference": "ESC-2026-0007", "version": 4})
    ]


# --- My concerns --------------------------------------------------------------------------


def test_my_concerns_lists_each_concern_in_the_order_given_with_a_view_button() -> None:
    threads = [
        make_thread(ThreadState.STAGE_2, reference="ESC-2026-0012", deadline=date(2026, 11, 26)),
        make_thread(ThreadState.STRATEGY_1, reference="ESC-2026-0009", case_reference="SCC/88213"),
    ]
    card = my_concerns_card(threads, today=TODAY)
    payload = card_payload(card)
    text = text_of(card)
    assert text.index("ESC-2026-0012") < text.index("ESC-2026-0009")
    assert "SCC/88213" in text
    assert state_label(ThreadState.STAGE_2) in text
    assert state_label(ThreadState.STRATEGY_1) in text
    assert "Due by the end of Thursday 26 November 2026" in text
    views = [node for node in nodes(payload) if node.get("verb") == Verb.VIEW_THREAD]
    assert [view["data"] for view in views] == [
        {"reference": "ESC-2026-0012", "version": 4},
        {"reference": "ESC-2026-0009", "version": 4},
    ]
    assert schema_errors(payload) == []


def test_my_concerns_marks_an_overdue_concern_in_attention_colour() -> None:
    card = my_concerns_card(
        [make_thread(ThreadState.STAGE_1, deadline=date(2026, 11, 23))], today=TODAY
    )
    overdue = [block for block in text_blocks(card) if "Overdue" in block["text"]]
    assert len(overdue) == 1
    assert overdue[0]["color"] == "Attention"
    assert format_day(date(2026, 11, 23)) in overdue[0]["text"]


def test_my_concerns_with_none_open_says_how_to_start_one() -> None:
    card = my_concerns_card([], today=TODAY)
    assert "You have no open concerns. Type new concern to start one." in text_of(card)
    assert verbs_of(card) == {Verb.NEW_CONCERN.value}


# --- Forms on a concern -------------------------------------------------------------------


def submit_and_back(card: AdaptiveCard) -> tuple[dict[str, Any], dict[str, Any]]:
    submit, back = actions_of(card)
    return submit, back


def assert_back_to_the_thread(back: dict[str, Any]) -> None:
    assert back["verb"] == Verb.SHOW_THREAD_CARD.value
    assert back["data"] == {"reference": "ESC-2026-0007", "version": 4}
    assert back["associatedInputs"] == "none"


def test_the_note_form_asks_for_one_required_note_and_sends_it_with_the_thread() -> None:
    card = note_form_card(make_thread(ThreadState.STAGE_2), form())
    note = inputs_of(card)["note"]
    assert note["isRequired"] is True
    assert note["errorMessage"]
    assert note["maxLength"] == MAX_NOTE_LENGTH == 4000
    assert note["isMultiline"] is True
    assert "Add a note to ESC-2026-0007" in text_of(card)
    submit, back = submit_and_back(card)
    assert submit["verb"] == Verb.SUBMIT_NOTE.value
    assert submit["data"] == {
        "formId": "ESC-2026-0007:4",
        "reference": "ESC-2026-0007",
        "version": 4,
    }
    assert_back_to_the_thread(back)


def test_the_note_form_keeps_the_note_and_shows_an_identifier_warning_under_it() -> None:
    warning = IdentifierWarning("note", (IdentifierKind.PHONE_NUMBER,))
    typed = "The ward number is 01632 960123."
    card = note_form_card(
        make_thread(ThreadState.STAGE_2), form({"note": typed}, warnings=(warning,))
    )
    inputs = inputs_of(card)
    assert inputs["note"]["value"] == typed
    assert inputs["not_identifying__note"]["type"] == "Input.Toggle"
    assert warning.message in text_of(card)


@pytest.mark.parametrize(
    "submitted", [["Spoke", "to", "them"], True, 7, {"text": "Spoke to them"}], ids=repr
)
def test_a_form_value_that_is_not_text_is_not_drawn(submitted: object) -> None:
    view = FormView(form_id="ESC-2026-0007:4", values={"note": submitted})
    card = note_form_card(make_thread(ThreadState.STAGE_2), view)
    assert "value" not in inputs_of(card)["note"]


def test_a_form_value_is_drawn_without_characters_a_card_cannot_carry() -> None:
    typed = "Called\x00 them\ud800 back:\tno answer.\r\nTry again\x1b tomorrow."
    card = note_form_card(make_thread(ThreadState.STAGE_2), form({"note": typed}))
    assert (
        inputs_of(card)["note"]["value"] == "Called them back:\tno answer.\r\nTry again tomorrow."
    )


def test_the_resolve_form_asks_what_was_agreed_and_up_to_three_actions() -> None:
    card = resolve_form_card(make_thread(ThreadState.STAGE_3), form())
    inputs = inputs_of(card)
    assert inputs["outcome"]["isRequired"] is True
    assert inputs["outcome"]["maxLength"] == MAX_OUTCOME_LENGTH
    for number in (1, 2, 3):
        assert inputs[f"action_{number}_what"]["type"] == "Input.Text"
        assert inputs[f"action_{number}_who"]["type"] == "Input.Text"
        assert inputs[f"action_{number}_by"]["type"] == "Input.Date"
        for part in ("what", "who", "by"):
            assert not inputs[f"action_{number}_{part}"].get("isRequired")
    assert "action_4_what" not in inputs
    assert "fed back immediately to the relevant practitioners" in text_of(card)
    assert "recorded on the child's file" in text_of(card)
    submit, back = submit_and_back(card)
    assert submit["verb"] == Verb.SUBMIT_RESOLVE.value
    assert_back_to_the_thread(back)


def test_resolving_after_the_lscp_says_to_feed_back_to_directors_and_heads_of_service() -> None:
    card = resolve_form_card(make_thread(ThreadState.REFERRED_TO_LSCP), form())
    assert "Directors/Heads of Service" in text_of(card)


@pytest.mark.parametrize("strategy", list(Strategy))
def test_the_choose_option_form_offers_the_current_strategys_options_for_the_thread(
    strategy: Strategy,
) -> None:
    card = choose_option_form_card(make_thread(ThreadState.for_strategy(strategy)), form())
    choices = inputs_of(card)["option"]["choices"]
    assert [choice["value"] for choice in choices] == [
        option.value for option in STRATEGY_GUIDES[strategy].options
    ]
    submit, back = submit_and_back(card)
    assert submit["verb"] == Verb.SUBMIT_CHOOSE_OPTION.value
    assert submit["data"] == {
        "formId": "ESC-2026-0007:4",
        "reference": "ESC-2026-0007",
        "version": 4,
    }
    assert_back_to_the_thread(back)


def test_the_choose_option_form_for_a_hips_concern_explains_why_not() -> None:
    card = choose_option_form_card(make_thread(ThreadState.STAGE_1), form())
    assert inputs_of(card) == {}
    assert "a Re-think option cannot be chosen" in text_of(card)
    assert [action["verb"] for action in actions_of(card)] == [Verb.SHOW_THREAD_CARD.value]


def test_the_facilitator_request_lists_the_three_checks_and_whom_to_contact() -> None:
    card = facilitator_request_card(
        make_thread(ThreadState.STRATEGY_3),
        form({FacilitatorCheck.RAISED_WITH_NETWORK.value: "true"}),
        contact_name="Sam Nesbit",
        contact_email="rethink@example.org.uk",
    )
    inputs = inputs_of(card)
    for check in FacilitatorCheck:
        assert inputs[check.value]["type"] == "Input.Toggle"
        assert inputs[check.value]["title"] == check.question
    assert inputs[FacilitatorCheck.RAISED_WITH_NETWORK.value]["value"] == "true"
    assert inputs[FacilitatorCheck.CONSIDERED_HIPS.value]["value"] == "false"
    text = text_of(card)
    assert "contact Sam Nesbit (rethink@example.org.uk) to discuss arranging a Re-think" in text
    assert (
        "Have available the email addresses for all those who you would like to be invited" in text
    )
    assert "in person" in text
    submit, back = submit_and_back(card)
    assert submit["verb"] == Verb.SUBMIT_FACILITATOR_REQUEST.value
    assert submit["data"]["reference"] == "ESC-2026-0007"
    assert_back_to_the_thread(back)
    assert inputs_without_labels(card_payload(card)) == []
