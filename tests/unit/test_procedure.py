"""The transition table: every (state, action) pair, the refusals' wording, the stages' wording
quoted from seed 004, and the Mermaid diagram generated from the table."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from domain.decisions import (
    AddAgreedAction,
    AddNote,
    AnyCommand,
    ChooseOption,
    Escalate,
    ExtendDeadline,
    HandOverToHips,
    MarkUrgent,
    OpenHipsThread,
    RequestFacilitator,
    Resolve,
    StillStuck,
    Withdraw,
    decide,
)
from domain.errors import ActionNotAllowed
from domain.model import EscalationThread, LscpArea, Person, Stage, ThreadState
from domain.policy import ProcedurePolicy
from domain.procedure import (
    OPENINGS,
    STAGE_GUIDES,
    STAYS,
    TRANSITIONS,
    ActionKind,
    DeadlineRunsFrom,
    Opening,
    allowed_actions,
    lscp_referral_instruction,
    mermaid_state_diagram,
)
from domain.rethink import FacilitatorCheck, RethinkOption
from domain.working_days import ENGLAND
from scripts.extract_seed_fixtures import passage

S = ThreadState
A = ActionKind

# The rules as the brief states them, written out independently of the implementation.
_HIPS_COMMON = {A.RESOLVE: S.RESOLVED, A.WITHDRAW: S.WITHDRAWN}
_HIPS_STAYS = {A.MARK_URGENT, A.EXTEND_DEADLINE, A.ADD_NOTE, A.ADD_AGREED_ACTION}
_RETHINK_COMMON = {A.RESOLVE: S.RESOLVED, A.WITHDRAW: S.WITHDRAWN}
_RETHINK_STAYS = {A.CHOOSE_OPTION, A.ADD_NOTE, A.ADD_AGREED_ACTION}


def _row(
    state: ThreadState, moves: dict[ActionKind, ThreadState], stays: set[ActionKind]
) -> dict[tuple[ThreadState, ActionKind], ThreadState]:
    row = {(state, action): target for action, target in moves.items()}
    row.update({(state, action): state for action in stays})
    return row


EXPECTED_TARGETS: dict[tuple[ThreadState, ActionKind], ThreadState] = {
    **_row(S.STAGE_1, {A.ESCALATE: S.STAGE_2, **_HIPS_COMMON}, _HIPS_STAYS),
    **_row(S.STAGE_2, {A.ESCALATE: S.STAGE_3, **_HIPS_COMMON}, _HIPS_STAYS),
    **_row(S.STAGE_3, {A.ESCALATE: S.STAGE_4, **_HIPS_COMMON}, _HIPS_STAYS),
    **_row(S.STAGE_4, {A.ESCALATE: S.STAGE_5, **_HIPS_COMMON}, _HIPS_STAYS),
    **_row(S.STAGE_5, {A.ESCALATE: S.REFERRED_TO_LSCP, **_HIPS_COMMON}, _HIPS_STAYS),
    **_row(S.REFERRED_TO_LSCP, {A.RESOLVE: S.RESOLVED}, {A.ADD_NOTE, A.ADD_AGREED_ACTION}),
    **_row(
        S.STRATEGY_1,
        {A.STILL_STUCK: S.STRATEGY_2, A.HAND_OVER_TO_HIPS: S.STAGE_1, **_RETHINK_COMMON},
        _RETHINK_STAYS,
    ),
    **_row(S.STRATEGY_2, {A.STILL_STUCK: S.STRATEGY_3, **_RETHINK_COMMON}, _RETHINK_STAYS),
    **_row(
        S.STRATEGY_3,
        {A.HAND_OVER_TO_HIPS: S.STAGE_1, **_RETHINK_COMMON},
        {*_RETHINK_STAYS, A.REQUEST_FACILITATOR},
    ),
    **_row(S.RESOLVED, {}, {A.ADD_NOTE}),
    **_row(S.WITHDRAWN, {}, {A.ADD_NOTE}),
}

PLAIN_WORDS = {
    S.STAGE_1: "stage 1 of the HIPS procedure",
    S.STAGE_2: "stage 2 of the HIPS procedure",
    S.STAGE_3: "stage 3 of the HIPS procedure",
    S.STAGE_4: "stage 4 of the HIPS procedure",
    S.STAGE_5: "stage 5 of the HIPS procedure",
    S.STRATEGY_1: "Re-think strategy 1",
    S.STRATEGY_2: "Re-think strategy 2",
    S.STRATEGY_3: "Re-think strategy 3",
    S.RESOLVED: "resolved",
    S.WITHDRAWN: "withdrawn",
    S.REFERRED_TO_LSCP: "with the LSCP",
}

POLICY = ProcedurePolicy(calendar=ENGLAND)
PRACTITIONER = Person(name="Sam Practitioner", email="sam@example.org", user_id="aad-1")
# Wednesday 15 July 2026, 11:00 in London.
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
TODAY = date(2026, 7, 15)
CURRENT_DEADLINE = date(2026, 7, 17)  # Friday
LATER_WORKING_DAY = date(2026, 7, 20)  # Monday


def thread_in(state: ThreadState) -> EscalationThread:
    """A thread in `state` that meets every extra rule, so only the table can refuse."""
    # From Strategy 1 the hand-over to HIPS needs option 3 to have been chosen.
    options = (RethinkOption.S1_CONSULT_HIPS.value,) if state is S.STRATEGY_1 else ()
    return EscalationThread(
        reference="ESC-2026-0042",
        state=state,
        case_reference="CASE-981",
        lscp_area=LscpArea.SOUTHAMPTON,
        raised_by=PRACTITIONER,
        raiser_agency="Primary school",
        raiser_role="Designated safeguarding lead",
        other_agency="Children's social care",
        concern_arose_on=date(2026, 7, 13),
        stage_started_on=date(2026, 7, 13),
        deadline=CURRENT_DEADLINE if state.stage is not None else None,
        opened_at=datetime(2026, 7, 13, 9, 0, tzinfo=UTC),
        version=3,
        template_answers={"concern": "Decision not to step up"},
        rethink_options=options,
    )


def option_for(state: ThreadState) -> RethinkOption:
    if state is S.STRATEGY_2:
        return RethinkOption.S2_MULTI_AGENCY_RETHINK
    if state is S.STRATEGY_3:
        return RethinkOption.S3_INDEPENDENTLY_FACILITATED_RETHINK
    return RethinkOption.S1_RESTORATIVE_CONVERSATION


def valid_command(state: ThreadState, action: ActionKind) -> AnyCommand:
    """A command for `action` whose inputs are all valid for a thread in `state`."""
    commands: dict[ActionKind, AnyCommand] = {
        A.OPEN: OpenHipsThread(
            actor=PRACTITIONER,
            at=NOW,
            reference="ESC-2026-0043",
            case_reference="CASE-981",
            lscp_area=LscpArea.SOUTHAMPTON,
            raiser_agency="Primary school",
            raiser_role="Designated safeguarding lead",
            other_agency="Children's social care",
            concern_arose_on=TODAY,
        ),
        A.ESCALATE: Escalate(actor=PRACTITIONER, at=NOW),
        A.RESOLVE: Resolve(
            actor=PRACTITIONER, at=NOW, outcome="Agreed to hold a strategy discussion."
        ),
        A.WITHDRAW: Withdraw(
            actor=PRACTITIONER, at=NOW, reason="New information answered the concern."
        ),
        A.MARK_URGENT: MarkUrgent(
            actor=PRACTITIONER, at=NOW, reason="The child is due home on Friday."
        ),
        A.EXTEND_DEADLINE: ExtendDeadline(
            actor=PRACTITIONER,
            at=NOW,
            new_deadline=LATER_WORKING_DAY,
            reason="Manager on leave until Monday.",
        ),
        A.ADD_NOTE: AddNote(actor=PRACTITIONER, at=NOW, text="Spoke to the duty manager."),
        A.ADD_AGREED_ACTION: AddAgreedAction(
            actor=PRACTITIONER,
            at=NOW,
            what="Share the school's chronology",
            who="DSL",
            by_when=LATER_WORKING_DAY,
        ),
        A.CHOOSE_OPTION: ChooseOption(
            actor=PRACTITIONER, at=NOW, option=option_for(state), on_date=LATER_WORKING_DAY
        ),
        A.STILL_STUCK: StillStuck(actor=PRACTITIONER, at=NOW),
        A.HAND_OVER_TO_HIPS: HandOverToHips(actor=PRACTITIONER, at=NOW),
        A.REQUEST_FACILITATOR: RequestFacilitator(
            actor=PRACTITIONER, at=NOW, confirmed=frozenset(FacilitatorCheck)
        ),
    }
    return commands[action]


def test_every_action_kind_has_a_command_in_these_tests() -> None:
    for action in ActionKind:
        assert valid_command(S.STAGE_1, action).action is action


def test_the_table_holds_exactly_the_published_rules() -> None:
    resolved = {
        pair: (pair[0] if target is STAYS else target) for pair, target in TRANSITIONS.items()
    }
    assert resolved == EXPECTED_TARGETS


def test_no_state_allows_opening_a_concern_that_already_exists() -> None:
    assert all(action is not A.OPEN for (_, action) in TRANSITIONS)


@pytest.mark.parametrize("action", list(ActionKind), ids=lambda action: action.name)
@pytest.mark.parametrize("state", list(ThreadState), ids=lambda state: state.name)
def test_decide_follows_the_table_for_every_state_and_action(
    state: ThreadState, action: ActionKind
) -> None:
    thread = thread_in(state)
    command = valid_command(state, action)
    expected = EXPECTED_TARGETS.get((state, action))
    if expected is None:
        with pytest.raises(ActionNotAllowed) as refused:
            decide(thread, command, POLICY)
        message = refused.value.message
        assert message.strip()
        assert PLAIN_WORDS[state] in message
        assert "_" not in message
        assert all(value.value not in message for value in ThreadState if "_" in value.value)
    else:
        decision = decide(thread, command, POLICY)
        assert decision.thread.state is expected
        assert decision.events[0].from_state is state
        assert decision.events[0].to_state is expected


def test_allowed_actions_lists_what_a_card_may_offer() -> None:
    assert allowed_actions(S.RESOLVED) == {A.ADD_NOTE}
    assert allowed_actions(S.REFERRED_TO_LSCP) == {A.RESOLVE, A.ADD_NOTE, A.ADD_AGREED_ACTION}
    assert A.REQUEST_FACILITATOR in allowed_actions(S.STRATEGY_3)
    assert A.REQUEST_FACILITATOR not in allowed_actions(S.STRATEGY_2)


def test_refusing_to_escalate_a_resolved_concern_says_to_start_a_new_one() -> None:
    with pytest.raises(ActionNotAllowed) as refused:
        decide(thread_in(S.RESOLVED), Escalate(actor=PRACTITIONER, at=NOW), POLICY)
    assert refused.value.message == (
        "This concern is already resolved, so it cannot be escalated. "
        "Start a new concern if something new has happened."
    )


def test_being_still_stuck_in_strategy_three_points_to_the_hips_procedure() -> None:
    with pytest.raises(ActionNotAllowed) as refused:
        decide(thread_in(S.STRATEGY_3), StillStuck(actor=PRACTITIONER, at=NOW), POLICY)
    assert "HIPS Escalation Protocol should be initiated" in refused.value.message
    assert "hand this concern over to the HIPS procedure" in refused.value.message


def test_openings_start_hips_at_stage_one_and_rethink_by_lead_professional_answer() -> None:
    assert OPENINGS == {
        Opening.HIPS_CONCERN: S.STAGE_1,
        Opening.RETHINK_NOT_LEAD_PROFESSIONAL: S.STRATEGY_1,
        Opening.RETHINK_AS_LEAD_PROFESSIONAL: S.STRATEGY_2,
    }


# --- Stages, in seed 004's words ------------------------------------------------------------


def normalised(text: str) -> str:
    return " ".join(text.split())


def seed_004_on_the_stages() -> str:
    """Seed 004's passages on the stages ("2.2 The Stages" and the stages flowchart), as copied
    into tests/fixtures/seeds by scripts/extract_seed_fixtures.py."""
    return normalised(" ".join(passage("004", name) for name in ("the stages", "stages flowchart")))


def test_stage_titles_are_numbered_and_quote_seed_004() -> None:
    seed = seed_004_on_the_stages()
    for stage, guide in STAGE_GUIDES.items():
        prefix = f"Stage {int(stage)}. "
        assert guide.title.startswith(prefix)
        assert guide.title.removeprefix(prefix) in seed


def test_stage_one_title_matches_the_procedure() -> None:
    assert (
        STAGE_GUIDES[Stage.ONE].title == "Stage 1. Discussion with line manager/safeguarding lead"
    )


def test_who_talks_and_timescales_are_quoted_from_seed_004() -> None:
    seed = seed_004_on_the_stages()
    for guide in STAGE_GUIDES.values():
        assert normalised(guide.who_talks) in seed
        assert normalised(guide.timescale) in seed


def test_only_stage_one_counts_from_when_the_concern_arose() -> None:
    runs_from = {stage: guide.deadline_runs_from for stage, guide in STAGE_GUIDES.items()}
    assert runs_from == {
        Stage.ONE: DeadlineRunsFrom.CONCERN_AROSE,
        Stage.TWO: DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
        Stage.THREE: DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
        Stage.FOUR: DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
        Stage.FIVE: DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
    }


def test_lscp_referral_names_the_partnership_and_the_configured_address() -> None:
    wording = lscp_referral_instruction(LscpArea.ISLE_OF_WIGHT, " scp@iow.gov.uk ")
    assert "Isle of Wight Safeguarding Children Partnership (scp@iow.gov.uk)" in wording
    assert "the actions taken to date and the rationale for the involvement of the LSCP" in wording


def test_lscp_referral_without_a_configured_address_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="Hampshire"):
        lscp_referral_instruction(LscpArea.HAMPSHIRE, "  ")


# --- The diagram ------------------------------------------------------------------------------

ARROW = re.compile(r"^\s+(\[\*\]|\w+) --> (\w+) : (.+)$")


def arrows(diagram: str) -> list[tuple[str, str, str]]:
    found = []
    for line in diagram.splitlines():
        match = ARROW.match(line)
        if match:
            found.append((match.group(1), match.group(2), match.group(3)))
    return found


def test_the_diagram_draws_every_state_change_in_the_table_and_nothing_else() -> None:
    diagram = mermaid_state_diagram()
    drawn = {(source, target) for source, target, _ in arrows(diagram) if source != "[*]"}
    expected = {
        (source.name, target.name)
        for (source, _), target in EXPECTED_TARGETS.items()
        if target is not source
    }
    assert drawn == expected
    assert len([arrow for arrow in arrows(diagram) if arrow[0] != "[*]"]) == len(expected)


def test_the_diagram_starts_each_opening_in_its_first_state() -> None:
    starts = {target for source, target, _ in arrows(mermaid_state_diagram()) if source == "[*]"}
    assert starts == {"STAGE_1", "STRATEGY_1", "STRATEGY_2"}


def test_the_diagram_is_mermaid_and_names_every_state_in_plain_words() -> None:
    diagram = mermaid_state_diagram()
    assert diagram.startswith("stateDiagram-v2\n")
    assert '    state "HIPS stage 3" as STAGE_3' in diagram
    assert '    state "Referred to the LSCP" as REFERRED_TO_LSCP' in diagram
    assert "STAGE_5 --> REFERRED_TO_LSCP : email sent to the LSCP" in diagram
    assert mermaid_state_diagram() == diagram
