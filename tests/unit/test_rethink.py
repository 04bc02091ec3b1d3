"""Re-think through `decide`: the Lead Professional shortcut, moving on between strategies,
options and their dates, the hand-over to HIPS, and the facilitator checklist."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.decisions import (
    ChooseOption,
    Decision,
    HandOverToHips,
    OpenRethinkThread,
    RequestFacilitator,
    StillStuck,
    decide,
)
from domain.errors import ActionNotAllowed, InvalidInput
from domain.model import (
    EscalationThread,
    EventKind,
    LscpArea,
    Person,
    ReminderKind,
    Strategy,
    ThreadState,
)
from domain.policy import ProcedurePolicy
from domain.rethink import (
    LEAD_PROFESSIONAL_QUESTION,
    STRATEGY_GUIDES,
    FacilitatorCheck,
    RethinkOption,
    options_chosen,
    with_option_chosen,
)
from domain.working_days import ENGLAND
from scripts.extract_seed_fixtures import passage

POLICY = ProcedurePolicy(calendar=ENGLAND)
HEALTH_VISITOR = Person(name="Hana Visitor", email="hana@nhs.example", user_id="aad-7")
# Monday 13 July 2026, 10:00 in London (BST).
OPENED_AT = datetime(2026, 7, 13, 9, 0, tzinfo=UTC)
# Wednesday 15 July 2026, 15:00 in London.
LATER = datetime(2026, 7, 15, 14, 0, tzinfo=UTC)


def open_rethink(*, is_lead_professional: bool = False) -> Decision:
    return decide(
        None,
        OpenRethinkThread(
            actor=HEALTH_VISITOR,
            at=OPENED_AT,
            reference="ESC-2026-0101",
            case_reference="NHS-CASE-77",
            lscp_area=LscpArea.PORTSMOUTH,
            raiser_agency="Health visiting",
            raiser_role="Health visitor",
            other_agency="Early help",
            concern_arose_on=date(2026, 7, 10),
            is_lead_professional=is_lead_professional,
        ),
        POLICY,
    )


def choose(
    thread: EscalationThread, option: RethinkOption, on_date: date, at: datetime = LATER
) -> EscalationThread:
    decision = decide(
        thread, ChooseOption(actor=HEALTH_VISITOR, at=at, option=option, on_date=on_date), POLICY
    )
    return decision.thread


def still_stuck(thread: EscalationThread, at: datetime = LATER) -> Decision:
    return decide(thread, StillStuck(actor=HEALTH_VISITOR, at=at), POLICY)


def test_the_opening_question_is_whether_you_are_the_lead_professional() -> None:
    assert LEAD_PROFESSIONAL_QUESTION == "Are you the Lead Professional?"


def test_a_practitioner_who_is_not_the_lead_professional_starts_at_strategy_one() -> None:
    decision = open_rethink(is_lead_professional=False)
    assert decision.thread.state is ThreadState.STRATEGY_1
    assert decision.thread.is_lead_professional is False


def test_the_lead_professional_goes_straight_to_strategy_two() -> None:
    decision = open_rethink(is_lead_professional=True)
    assert decision.thread.state is ThreadState.STRATEGY_2
    assert decision.thread.is_lead_professional is True
    assert decision.events[0].kind is EventKind.OPENED
    assert decision.events[0].to_state is ThreadState.STRATEGY_2


def test_opening_rethink_sets_no_deadline_and_plans_no_reminder() -> None:
    decision = open_rethink()
    assert decision.thread.deadline is None
    assert decision.thread.stage_started_on == date(2026, 7, 13)
    assert decision.reminders == ()
    assert decision.thread.version == 1


def test_still_stuck_moves_from_strategy_one_to_two_to_three() -> None:
    first = open_rethink().thread
    second = still_stuck(first)
    third = still_stuck(second.thread, at=datetime(2026, 7, 20, 9, 0, tzinfo=UTC))
    assert second.thread.state is ThreadState.STRATEGY_2
    assert third.thread.state is ThreadState.STRATEGY_3
    assert [(e.kind, e.from_state, e.to_state) for e in (*second.events, *third.events)] == [
        (EventKind.STRATEGY_MOVED_ON, ThreadState.STRATEGY_1, ThreadState.STRATEGY_2),
        (EventKind.STRATEGY_MOVED_ON, ThreadState.STRATEGY_2, ThreadState.STRATEGY_3),
    ]
    assert third.thread.stage_started_on == date(2026, 7, 20)
    assert third.thread.version == 3


def test_moving_on_clears_the_planned_date_and_voids_the_outcome_reminder() -> None:
    with_option = choose(
        open_rethink().thread, RethinkOption.S1_RESTORATIVE_CONVERSATION, date(2026, 7, 16)
    )
    decision = still_stuck(with_option)
    assert decision.thread.deadline is None
    assert decision.cancel_pending_reminders is True
    assert decision.reminders == ()


def test_still_stuck_keeps_an_optional_note_trimmed() -> None:
    decision = decide(
        open_rethink().thread,
        StillStuck(actor=HEALTH_VISITOR, at=LATER, note="  LP unavailable until September  "),
        POLICY,
    )
    assert decision.events[0].note == "LP unavailable until September"


def test_still_stuck_in_strategy_three_is_refused_and_points_to_the_hips_procedure() -> None:
    lead = open_rethink(is_lead_professional=True).thread
    strategy_three = still_stuck(lead).thread
    with pytest.raises(ActionNotAllowed, match="HIPS"):
        still_stuck(strategy_three)


def test_choosing_an_option_makes_its_date_the_deadline_and_asks_for_the_outcome_next() -> None:
    thread = open_rethink().thread
    decision = decide(
        thread,
        ChooseOption(
            actor=HEALTH_VISITOR,
            at=LATER,
            option=RethinkOption.S1_LP_CALLS_MEETING_WITH_FAMILY,
            on_date=date(2026, 7, 17),  # Friday
        ),
        POLICY,
    )
    assert decision.thread.state is ThreadState.STRATEGY_1
    assert decision.thread.deadline == date(2026, 7, 17)
    assert options_chosen(decision.thread) == (RethinkOption.S1_LP_CALLS_MEETING_WITH_FAMILY,)
    # The next working morning after Friday 17 July is Monday 20 July, 09:00 BST = 08:00 UTC.
    assert [(r.kind, r.due_at, r.recipient) for r in decision.reminders] == [
        (ReminderKind.OUTCOME_DUE, datetime(2026, 7, 20, 8, 0, tzinfo=UTC), HEALTH_VISITOR)
    ]
    assert decision.cancel_pending_reminders is True
    event = decision.events[0]
    assert event.kind is EventKind.STRATEGY_OPTION_CHOSEN
    assert event.note is not None
    assert "Strategy 1, option 2" in event.note
    assert "Friday 17 July 2026" in event.note


def test_a_conversation_already_held_can_be_recorded_and_its_outcome_is_due_now() -> None:
    decision = decide(
        open_rethink().thread,
        ChooseOption(
            actor=HEALTH_VISITOR,
            at=LATER,
            option=RethinkOption.S1_RESTORATIVE_CONVERSATION,
            on_date=date(2026, 7, 13),
        ),
        POLICY,
    )
    assert decision.reminders[0].due_at == LATER


def test_a_meeting_date_before_the_concern_arose_is_refused() -> None:
    with pytest.raises(InvalidInput, match="before the concern arose"):
        choose(open_rethink().thread, RethinkOption.S1_RESTORATIVE_CONVERSATION, date(2026, 7, 9))


def test_options_chosen_accumulate_in_the_order_chosen() -> None:
    thread = open_rethink().thread
    thread = choose(thread, RethinkOption.S1_RESTORATIVE_CONVERSATION, date(2026, 7, 16))
    thread = choose(thread, RethinkOption.S1_CONSULT_HIPS, date(2026, 7, 17))
    assert options_chosen(thread) == (
        RethinkOption.S1_RESTORATIVE_CONVERSATION,
        RethinkOption.S1_CONSULT_HIPS,
    )


def test_with_option_chosen_appends_to_a_copy_of_the_record() -> None:
    thread = replace(
        open_rethink().thread,
        rethink_options=(RethinkOption.S1_RESTORATIVE_CONVERSATION.value,),
    )
    assert with_option_chosen(thread, RethinkOption.S1_CONSULT_HIPS) == (
        "s1_restorative_conversation",
        "s1_consult_hips",
    )
    assert thread.rethink_options == ("s1_restorative_conversation",)


def test_an_unknown_value_in_the_options_record_is_an_error_not_skipped() -> None:
    thread = replace(open_rethink().thread, rethink_options=("s9_not_an_option",))
    with pytest.raises(ValueError, match="s9_not_an_option"):
        options_chosen(thread)


@pytest.mark.parametrize(
    ("strategy_state", "foreign_option"),
    [
        (ThreadState.STRATEGY_1, RethinkOption.S2_MULTI_AGENCY_RETHINK),
        (ThreadState.STRATEGY_2, RethinkOption.S1_CONSULT_HIPS),
        (ThreadState.STRATEGY_3, RethinkOption.S2_SENIOR_AT_NEXT_REVIEW),
    ],
)
def test_choosing_an_option_of_another_strategy_is_refused(
    strategy_state: ThreadState, foreign_option: RethinkOption
) -> None:
    thread = open_rethink().thread
    while thread.state is not strategy_state:
        thread = still_stuck(thread).thread
    with pytest.raises(ActionNotAllowed) as refused:
        choose(thread, foreign_option, date(2026, 7, 20))
    assert f"option of strategy {int(foreign_option.strategy)} cannot be chosen" in (
        refused.value.message
    )
    assert f"Re-think strategy {int(thread.state.strategy or 0)}" in refused.value.message


def test_hand_over_from_strategy_one_after_option_three_starts_hips_stage_one() -> None:
    thread = choose(open_rethink().thread, RethinkOption.S1_CONSULT_HIPS, date(2026, 7, 15))
    # Handed over on Thursday 16 July 2026 at 16:00 BST.
    at = datetime(2026, 7, 16, 15, 0, tzinfo=UTC)
    decision = decide(thread, HandOverToHips(actor=HEALTH_VISITOR, at=at), POLICY)
    assert decision.thread.state is ThreadState.STAGE_1
    assert decision.thread.stage_started_on == date(2026, 7, 16)
    # Two working days from Thursday 16 July: Friday 17, Monday 20.
    assert decision.thread.deadline == date(2026, 7, 20)
    assert [(r.kind, r.due_at) for r in decision.reminders] == [
        (ReminderKind.STAGE_DUE, datetime(2026, 7, 20, 8, 0, tzinfo=UTC)),
        (ReminderKind.STAGE_OVERDUE, datetime(2026, 7, 21, 8, 0, tzinfo=UTC)),
    ]
    assert decision.cancel_pending_reminders is True
    event = decision.events[0]
    assert (event.kind, event.from_state, event.to_state) == (
        EventKind.HANDED_OVER_TO_HIPS,
        ThreadState.STRATEGY_1,
        ThreadState.STAGE_1,
    )


def test_hand_over_from_strategy_one_is_refused_until_option_three_is_chosen() -> None:
    thread = choose(
        open_rethink().thread, RethinkOption.S1_RESTORATIVE_CONVERSATION, date(2026, 7, 15)
    )
    with pytest.raises(ActionNotAllowed) as refused:
        decide(thread, HandOverToHips(actor=HEALTH_VISITOR, at=LATER), POLICY)
    assert "option 3" in refused.value.message
    assert RethinkOption.S1_CONSULT_HIPS.wording in refused.value.message


def test_hand_over_from_strategy_three_needs_no_particular_option() -> None:
    strategy_three = still_stuck(open_rethink(is_lead_professional=True).thread).thread
    decision = decide(strategy_three, HandOverToHips(actor=HEALTH_VISITOR, at=LATER), POLICY)
    assert decision.thread.state is ThreadState.STAGE_1
    assert decision.thread.deadline == date(2026, 7, 17)


def strategy_three() -> EscalationThread:
    return still_stuck(open_rethink(is_lead_professional=True).thread).thread


def request(thread: EscalationThread, confirmed: frozenset[FacilitatorCheck]) -> Decision:
    return decide(
        thread, RequestFacilitator(actor=HEALTH_VISITOR, at=LATER, confirmed=confirmed), POLICY
    )


@pytest.mark.parametrize("unconfirmed", list(FacilitatorCheck), ids=lambda check: check.name)
def test_a_facilitator_request_with_one_point_unconfirmed_is_refused_naming_it(
    unconfirmed: FacilitatorCheck,
) -> None:
    confirmed = frozenset(FacilitatorCheck) - {unconfirmed}
    with pytest.raises(InvalidInput) as refused:
        request(strategy_three(), confirmed)
    assert unconfirmed.question in refused.value.message
    assert all(check.question not in refused.value.message for check in confirmed)


def test_a_facilitator_request_with_every_point_confirmed_is_recorded_in_strategy_three() -> None:
    thread = strategy_three()
    decision = request(thread, frozenset(FacilitatorCheck))
    assert decision.thread.state is ThreadState.STRATEGY_3
    assert decision.events[0].kind is EventKind.FACILITATOR_REQUESTED
    assert decision.cancel_pending_reminders is False


@pytest.mark.parametrize("is_lead_professional", [False, True])
def test_a_facilitator_cannot_be_requested_before_strategy_three(
    is_lead_professional: bool,
) -> None:
    thread = open_rethink(is_lead_professional=is_lead_professional).thread
    with pytest.raises(ActionNotAllowed, match="requested in strategy 3"):
        request(thread, frozenset(FacilitatorCheck))


def test_the_checklist_questions_quote_seed_002() -> None:
    assert [check.question for check in FacilitatorCheck] == [
        "Have you raised your concerns with the professional network already?",
        "Have you had a conversation with those involved regarding the ‘stuckness’ and / or "
        "professional disagreement?",
        "Have you considered the HIPS Escalation Policy for the Resolution of Professional "
        "Disagreement as a means to resolve what is happening?",
    ]


def test_each_strategy_offers_only_its_own_options_numbered_from_one() -> None:
    for strategy, guide in STRATEGY_GUIDES.items():
        assert all(option.strategy is strategy for option in guide.options)
        assert [option.number for option in guide.options] == list(range(1, len(guide.options) + 1))
    assert set(RethinkOption) == {
        option for guide in STRATEGY_GUIDES.values() for option in guide.options
    }
    assert STRATEGY_GUIDES[Strategy.ONE].options[2] is RethinkOption.S1_CONSULT_HIPS


def normalised(text: str) -> str:
    return " ".join(text.split())


# The Re-think seeds' passages on the strategies, their options and the facilitator checklist, as
# copied into tests/fixtures/seeds by scripts/extract_seed_fixtures.py.
RETHINK_PASSAGES = (
    ("000", "strategies"),
    ("002", "before requesting a facilitator"),
    ("003", "strategies"),
)


def rethink_seeds() -> str:
    return normalised(" ".join(passage(seed, name) for seed, name in RETHINK_PASSAGES))


def test_options_strategies_and_checklist_are_quoted_from_the_rethink_seeds() -> None:
    seeds = rethink_seeds()
    quoted = [
        *(option.wording for option in RethinkOption),
        *(guide.when_to_use for guide in STRATEGY_GUIDES.values()),
        *(check.question for check in FacilitatorCheck),
    ]
    assert [text for text in quoted if normalised(text) not in seeds] == []
