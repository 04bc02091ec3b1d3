"""The "new concern" conversation, every branch, through botbuilder's TestAdapter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cards.verbs import Verb
from domain.model import EventKind, ThreadState
from settings import Settings
from storage.db import Database
from storage.repositories import OutboxRepository, ThreadRepository
from tests.support.card_schema import card_texts, nodes
from tests.support.dialog_driver import BotDriver, FixedClock, Turn
from tests.support.teams_activities import ALEX, SAM

CASE_DETAILS = {
    "case_reference": "PCC-204518",
    "raiser_agency": "St Mary's Primary School",
    "raiser_role": "Designated safeguarding lead",
    "other_agency": "Children's social care",
    "line_manager_name": "Jo Bloggs",
    "line_manager_email": "jo.bloggs@school.example.org",
    "urgent": "false",
    "concern_arose_on": "2026-11-20",
}
TEMPLATE = {
    "q1": "The referral was closed with no further action although attendance keeps falling.",
    "q2": "Needs may go unmet over the winter; the school nurse is involved, which helps.",
    "q6": "A multi-agency early help assessment.",
    "q7": "Talk to my line manager, then call the duty social worker.",
}


def thread_card_data(turn: Turn) -> dict[str, Any]:
    """The reference and version the first thread button of the turn carries."""
    cards = [*turn.cards, *([turn.answer_card] if turn.answer else [])]
    for card in cards:
        for node in nodes(card):
            data = node.get("data") if node.get("type") == "Action.Execute" else None
            if isinstance(data, dict) and "reference" in data:
                return {"reference": data["reference"], "version": data["version"]}
    raise AssertionError("no thread card in this turn")


async def start_hips(driver: BotDriver, area: str = "hampshire") -> Turn:
    """new concern -> not at immediate risk -> HIPS in `area`: returns the case-details turn."""
    await driver.say("new concern")
    await driver.submit({"immediate_risk": "no"})
    return await driver.submit({"lscp_area": area, "route": "hips"})


async def test_a_hips_concern_is_logged_end_to_end(driver: BotDriver, database: Database) -> None:
    first = await driver.say("new concern")
    assert first.said("immediate risk of significant harm")

    safety = await driver.submit({"immediate_risk": "no"})
    assert safety.said("Safety check")  # the form was replaced by its summary
    assert safety.said("Which procedure") or safety.said("LSCP area")

    route = await driver.submit({"lscp_area": "hampshire", "route": "hips"})
    assert "Hampshire" in card_texts(route.answer_card)
    assert route.said("case reference")

    details = await driver.submit(CASE_DETAILS)
    assert "PCC-204518" in card_texts(details.answer_card)
    assert details.said("Structuring your concerns")

    done = await driver.submit(TEMPLATE)
    assert "Structuring your concerns" in card_texts(done.answer_card)
    assert not [
        node for node in nodes(done.answer_card) if str(node.get("type")).startswith("Input.")
    ]
    [confirmation] = done.cards
    text = card_texts(confirmation)
    assert "ESC-2026-0001" in text
    assert "Stage 1" in text
    # Concern arose Friday 20 November: two working days on is Tuesday 24 November.
    assert "Tuesday 24 November 2026" in text

    async with database.session(read_only=True) as session:
        threads = ThreadRepository(session)
        thread = await threads.get("ESC-2026-0001")
        events = await threads.events("ESC-2026-0001")
    assert thread is not None
    assert thread.state is ThreadState.STAGE_1
    assert thread.case_reference == "PCC-204518"
    assert thread.raised_by.user_id == ALEX.aad_object_id
    assert thread.template_answers["q1"] == TEMPLATE["q1"]
    assert thread.deadline == date(2026, 11, 24)
    assert [event.kind for event in events] == [EventKind.OPENED]
    assert events[0].actor.user_id == ALEX.aad_object_id


async def test_a_child_at_immediate_risk_stops_the_conversation_and_stores_nothing(
    driver: BotDriver, database: Database
) -> None:
    await driver.say("new concern")

    exit_turn = await driver.submit({"immediate_risk": "yes"})

    [card] = exit_turn.cards
    text = card_texts(card)
    assert "child protection procedures" in text
    assert "Portsmouth" in text
    assert "Southampton" in text
    assert (await driver.say("continue my draft")).said("no concern in progress")
    async with database.session(read_only=True) as session:
        assert await ThreadRepository(session).list_for_user(ALEX.aad_object_id) == []


async def test_re_think_is_only_offered_in_portsmouth(driver: BotDriver) -> None:
    await driver.say("new concern")
    await driver.submit({"immediate_risk": "no"})

    refused = await driver.submit({"lscp_area": "southampton", "route": "rethink"})

    assert "Portsmouth" in card_texts(refused.answer_card)
    assert "route" in {node.get("id") for node in nodes(refused.answer_card)}  # same form back
    assert refused.cards == []  # no next step


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("case_reference", "", "case reference"),
        ("case_reference", "Jamie Smith", "name"),
        ("raiser_agency", "", "agency"),
        ("other_agency", "x" * 121, "120"),
        ("concern_arose_on", "2026-13-40", "date"),
        ("concern_arose_on", "2026-12-25", "future"),
        ("other_practitioner_email", "not-an-email", "email"),
        ("urgent", "true", "urgent"),
    ],
    ids=[
        "missing reference",
        "reference that is a name",
        "missing agency",
        "agency too long",
        "invalid date",
        "date in the future",
        "invalid email",
        "urgent without a reason",
    ],
)
async def test_invalid_case_details_come_back_with_the_problem_named(
    driver: BotDriver, database: Database, field: str, value: str, expected: str
) -> None:
    await start_hips(driver)

    turn = await driver.submit({**CASE_DETAILS, field: value})

    card = turn.answer_card
    problems = [
        node["text"] for node in nodes(card) if node.get("color") == "Attention" and "text" in node
    ]
    assert any(expected.lower() in problem.lower() for problem in problems), problems
    assert turn.cards == []  # nothing moved on
    values = {node.get("id"): node.get("value") for node in nodes(card) if node.get("id")}
    if field != "case_reference":
        assert values.get("case_reference") == "PCC-204518"  # nothing typed is lost


async def test_an_unknown_lscp_area_is_refused(driver: BotDriver) -> None:
    await driver.say("new concern")
    await driver.submit({"immediate_risk": "no"})

    turn = await driver.submit({"lscp_area": "narnia", "route": "hips"})

    assert "Hampshire" in card_texts(turn.answer_card)
    assert turn.cards == []


async def test_a_template_answer_that_looks_identifying_needs_editing_or_confirming(
    driver: BotDriver, database: Database
) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)
    risky = {**TEMPLATE, "q2": "Mum said the child (DOB 03/04/2019) is often late."}

    warned = await driver.submit(risky)

    text = card_texts(warned.answer_card)
    assert "date of birth" in text
    assert "03/04/2019" in text  # the practitioner's own text is kept in the input to edit...
    toggle_ids = {node.get("id") for node in nodes(warned.answer_card)}
    assert "not_identifying__q2" in toggle_ids
    assert warned.cards == []
    async with database.session(read_only=True) as session:
        assert await ThreadRepository(session).get("ESC-2026-0001") is None

    confirmed = await driver.submit({**risky, "not_identifying__q2": "true"})

    assert "ESC-2026-0001" in card_texts(confirmed.cards[0])


async def test_required_template_answers_and_lengths_are_checked_by_the_bot(
    driver: BotDriver,
) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)

    turn = await driver.submit({**TEMPLATE, "q1": "", "q6": "x" * 2001})

    problems = {
        node["text"] for node in nodes(turn.answer_card) if node.get("color") == "Attention"
    }
    assert any("answer" in problem.lower() for problem in problems)
    assert any("2,001" in problem for problem in problems)
    assert turn.cards == []


async def test_a_saved_draft_survives_a_restart_and_resumes(
    settings: Settings, database: Database, clock: FixedClock, driver: BotDriver
) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)
    saved = await driver.submit({"q1": TEMPLATE["q1"]}, verb=Verb.SAVE_DRAFT)
    assert "Draft saved at 10:00" in card_texts(saved.answer_card)

    restarted = BotDriver(settings, database, clock)  # a new bot and adapter, same database
    resumed = await restarted.say("continue my draft")

    [form] = resumed.cards
    values = {node.get("id"): node.get("value") for node in nodes(form) if node.get("id")}
    assert values["q1"] == TEMPLATE["q1"]
    done = await restarted.submit(TEMPLATE)
    assert "ESC-2026-0001" in card_texts(done.cards[0])


async def test_an_old_copy_of_a_form_answers_already_submitted_and_changes_nothing(
    driver: BotDriver,
) -> None:
    await driver.say("new concern")
    old_form = driver.form_id
    await driver.submit({"immediate_risk": "no"})

    again = await driver.click(Verb.SUBMIT_FORM, {"formId": old_form, "immediate_risk": "yes"})

    assert "already submitted" in card_texts(again.answer_card)
    assert again.cards == []


async def test_cancel_asks_first_then_discards_the_draft(driver: BotDriver) -> None:
    await start_hips(driver)

    asked = await driver.say("cancel")
    assert "Discard" in card_texts(asked.cards[0])
    kept = await driver.click(Verb.KEEP_GOING, {"formId": driver.form_id})
    assert "case reference" in card_texts(kept.answer_card).lower()

    await driver.say("cancel")
    discarded = await driver.click(Verb.CONFIRM_CANCEL, {"formId": driver.form_id})

    assert (
        "discarded" in card_texts(discarded.answer_card).lower()
        or "cancel" in card_texts(discarded.answer_card).lower()
    )
    assert (await driver.say("continue my draft")).said("no concern in progress")


async def test_a_second_new_concern_while_one_is_in_progress_points_to_the_draft(
    driver: BotDriver,
) -> None:
    await start_hips(driver)

    again = await driver.say("new concern")

    assert again.said("continue my draft")
    assert again.cards == []


async def test_re_think_strategy_1_then_2_then_3_with_the_facilitator_checklist(
    driver: BotDriver, database: Database
) -> None:
    await driver.say("new concern")
    await driver.submit({"immediate_risk": "no"})
    await driver.submit({"lscp_area": "portsmouth", "route": "rethink"})
    details = await driver.submit({k: v for k, v in CASE_DETAILS.items() if k != "urgent"})
    assert details.said("Are you the Lead Professional?")
    strategy = await driver.submit({"is_lead_professional": "no"})
    assert strategy.said("Strategy 1")
    assert strategy.said("restorative conversation with the Lead Professional")

    opened = await driver.submit({"option": "s1_restorative_conversation", "on_date": "2026-11-25"})
    card = opened.cards[0]
    assert "strategy 1" in card_texts(card).lower()
    target = thread_card_data(opened)

    moved = await driver.click(Verb.STILL_STUCK, target)
    assert "strategy 2" in card_texts(moved.answer_card).lower()
    target = thread_card_data(moved)
    chosen = await driver.click(
        Verb.SUBMIT_CHOOSE_OPTION,
        {**target, "formId": "x", "option": "s2_multi_agency_rethink", "on_date": "2026-11-30"},
    )
    assert "strategy 2" in card_texts(chosen.answer_card).lower()
    moved_again = await driver.click(Verb.STILL_STUCK, thread_card_data(chosen))
    assert "strategy 3" in card_texts(moved_again.answer_card).lower()
    target = thread_card_data(moved_again)

    form = await driver.click(Verb.START_FACILITATOR_REQUEST, target)
    assert "professional network" in card_texts(form.answer_card)
    refused = await driver.click(
        Verb.SUBMIT_FACILITATOR_REQUEST,
        {**target, "raised_with_network": "true", "talked_about_stuckness": "true"},
    )
    assert "HIPS Escalation Policy" in card_texts(refused.answer_card)
    accepted = await driver.click(
        Verb.SUBMIT_FACILITATOR_REQUEST,
        {
            **target,
            "raised_with_network": "true",
            "talked_about_stuckness": "true",
            "considered_hips": "true",
        },
    )
    assert "sam.nesbit@portsmouthcc.gov.uk" in card_texts(accepted.answer_card)

    async with database.session(read_only=True) as session:
        events = await ThreadRepository(session).events("ESC-2026-0001")
    assert [event.kind for event in events] == [
        EventKind.OPENED,
        EventKind.STRATEGY_OPTION_CHOSEN,
        EventKind.STRATEGY_MOVED_ON,
        EventKind.STRATEGY_OPTION_CHOSEN,
        EventKind.STRATEGY_MOVED_ON,
        EventKind.FACILITATOR_REQUESTED,
    ]


async def test_a_lead_professional_goes_straight_to_strategy_2(driver: BotDriver) -> None:
    await driver.say("new concern")
    await driver.submit({"immediate_risk": "no"})
    await driver.submit({"lscp_area": "portsmouth", "route": "rethink"})
    await driver.submit({k: v for k, v in CASE_DETAILS.items() if k != "urgent"})

    strategy = await driver.submit({"is_lead_professional": "yes"})

    assert strategy.said("Strategy 2")
    assert not strategy.said("Strategy 1")


async def test_strategy_1_option_3_hands_over_to_hips_stage_1(
    driver: BotDriver, database: Database
) -> None:
    await driver.say("new concern")
    await driver.submit({"immediate_risk": "no"})
    await driver.submit({"lscp_area": "portsmouth", "route": "rethink"})
    await driver.submit({k: v for k, v in CASE_DETAILS.items() if k != "urgent"})
    await driver.submit({"is_lead_professional": "no"})
    opened = await driver.submit({"option": "s1_consult_hips", "on_date": "2026-11-23"})
    assert "does not agree" in card_texts(opened.cards[0])

    template = await driver.click(Verb.HAND_OVER_TO_HIPS, thread_card_data(opened))
    assert "Structuring your concerns" in card_texts(template.answer_card)
    handed = await driver.click(
        Verb.HAND_OVER_TO_HIPS, {**thread_card_data(opened), "formId": "x", **TEMPLATE}
    )

    text = card_texts(handed.answer_card)
    assert "Stage 1" in text
    assert "line manager" in text
    async with database.session() as session:
        thread = await ThreadRepository(session).get("ESC-2026-0001")
        pending = await OutboxRepository(session).claim_due(
            now=datetime(2027, 6, 1, tzinfo=UTC), owner="test", lease=timedelta(minutes=5), limit=10
        )
    assert thread is not None
    assert thread.state is ThreadState.STAGE_1
    assert {item.state for item in pending} == {ThreadState.STAGE_1}


async def test_escalate_updates_the_card_in_place_and_a_double_click_changes_it_once(
    driver: BotDriver, database: Database
) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)
    opened = await driver.submit(TEMPLATE)
    target = thread_card_data(opened)

    escalated = await driver.click(Verb.ESCALATE, target)
    again = await driver.click(Verb.ESCALATE, target)  # the same, stale, card clicked twice

    assert "Stage 2" in card_texts(escalated.answer_card)
    assert escalated.cards == []  # updated in place, no new message
    # The first click made the change: the second says so, and shows where it stands.
    assert "your first click made this change" in card_texts(again.answer_card)
    assert "nothing was changed" not in card_texts(again.answer_card)
    assert "Stage 2" in card_texts(again.answer_card)
    async with database.session(read_only=True) as session:
        thread = await ThreadRepository(session).get("ESC-2026-0001")
    assert thread is not None
    assert thread.state is ThreadState.STAGE_2


async def test_a_stale_card_whose_change_was_not_this_click_changes_nothing_and_says_so(
    driver: BotDriver, database: Database
) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)
    opened = await driver.submit(TEMPLATE)
    target = thread_card_data(opened)
    await driver.click(Verb.ESCALATE, target)

    withdrawn = await driver.click(Verb.STILL_STUCK, target)  # another button on the old card

    assert "nothing was changed" in card_texts(withdrawn.answer_card)
    async with database.session(read_only=True) as session:
        thread = await ThreadRepository(session).get("ESC-2026-0001")
    assert thread is not None
    assert thread.state is ThreadState.STAGE_2


async def test_someone_who_is_not_on_the_thread_cannot_act_on_it(
    settings: Settings, database: Database, clock: FixedClock, driver: BotDriver
) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)
    opened = await driver.submit(TEMPLATE)
    target = thread_card_data(opened)

    stranger = BotDriver(settings, database, clock, user=SAM)
    refused = await stranger.click(Verb.ESCALATE, target)
    viewing = await stranger.say("view ESC-2026-0001")

    assert "that you are part of" in refused.answer_error
    assert viewing.said("that you are part of")
    async with database.session(read_only=True) as session:
        thread = await ThreadRepository(session).get("ESC-2026-0001")
    assert thread is not None
    assert thread.state is ThreadState.STAGE_1


async def test_my_concerns_lists_open_threads_and_view_shows_the_history(
    driver: BotDriver,
) -> None:
    await start_hips(driver)
    await driver.submit(CASE_DETAILS)
    opened = await driver.submit(TEMPLATE)
    await driver.click(Verb.START_NOTE, thread_card_data(opened))
    noted = await driver.click(
        Verb.SUBMIT_NOTE, {**thread_card_data(opened), "note": "Spoke to my line manager."}
    )
    assert "Note added" in card_texts(noted.answer_card)

    listed = await driver.say("my concerns")
    history = await driver.say("view esc-2026-0001")

    listing = card_texts(listed.cards[0])
    assert "ESC-2026-0001" in listing
    assert "HIPS stage 1" in listing
    text = card_texts(history.cards[0])
    assert "Spoke to my line manager." in text
    assert TEMPLATE["q1"] in text
