"""The domain says which actions a concern offers; `decide` accepts exactly those, and the
concern's card shows a button for each of them and for nothing else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cards.concern import thread_card
from cards.render import card_payload
from cards.verbs import Verb
from domain.decisions import (
    AddAgreedAction,
    AddNote,
    ChangeCommand,
    ChooseOption,
    Escalate,
    ExtendDeadline,
    HandOverToHips,
    MarkUrgent,
    RequestFacilitator,
    Resolve,
    StillStuck,
    Withdraw,
    actions_offered,
    decide,
)
from domain.errors import ActionNotAllowed, InvalidInput
from domain.model import EscalationThread, LscpArea, Person, ThreadState
from domain.policy import ProcedurePolicy
from domain.procedure import ActionKind, allowed_actions
from domain.rethink import STRATEGY_GUIDES, FacilitatorCheck, RethinkOption
from domain.working_days import ENGLAND
from tests.support.card_schema import nodes

TODAY = date(2026, 11, 24)  # a Tuesday
NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
POLICY = ProcedurePolicy(calendar=ENGLAND)
RAISER = Person(name="Priya Shah", email="priya.shah@example.org.uk")

# The button that starts each action, where the thread card has one (written out here rather
# than read from the card, so the test does not take the card's word for it).
VERB_OF_ACTION: Mapping[ActionKind, Verb] = {
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
        other_agency="Children's Social Care",
        concern_arose_on=date(2026, 11, 19),
        stage_started_on=date(2026, 11, 23),
        deadline=date(2026, 11, 26) if state.stage is not None else None,
        opened_at=datetime(2026, 11, 19, 10, 5, tzinfo=UTC),
        version=4,
    )
    return replace(thread, **changes)


# Every state, and the variants whose own record changes what is offered.
THREADS = [
    *(make_thread(state) for state in ThreadState),
    make_thread(ThreadState.STRATEGY_1, rethink_options=(RethinkOption.S1_CONSULT_HIPS.value,)),
    make_thread(
        ThreadState.STRATEGY_1,
        rethink_options=(RethinkOption.S1_RESTORATIVE_CONVERSATION.value,),
    ),
    make_thread(ThreadState.STAGE_2, urgent=True, urgent_reason="Discharge on Friday"),
]


def thread_id(thread: EscalationThread) -> str:
    extra = "-urgent" if thread.urgent else ""
    extra += "".join(f"-{option}" for option in thread.rethink_options)
    return f"{thread.state.value}{extra}"


def command_for(action: ActionKind, thread: EscalationThread) -> ChangeCommand:
    """A well-formed command for `action` on `thread`: refused, if at all, for permission."""
    strategy = thread.state.strategy
    option = (
        STRATEGY_GUIDES[strategy].options[0]
        if strategy is not None
        else RethinkOption.S1_RESTORATIVE_CONVERSATION
    )
    commands: Mapping[ActionKind, Callable[[], ChangeCommand]] = {
        ActionKind.ESCALATE: lambda: Escalate(actor=RAISER, at=NOW),
        ActionKind.RESOLVE: lambda: Resolve(actor=RAISER, at=NOW, outcome="Agreed a joint visit."),
        ActionKind.WITHDRAW: lambda: Withdraw(actor=RAISER, at=NOW, reason="Resolved informally."),
        ActionKind.MARK_URGENT: lambda: MarkUrgent(
            actor=RAISER, at=NOW, reason="Discharge on Friday."
        ),
        ActionKind.EXTEND_DEADLINE: lambda: ExtendDeadline(
            actor=RAISER, at=NOW, new_deadline=date(2026, 12, 4), reason="Manager on leave."
        ),
        ActionKind.ADD_NOTE: lambda: AddNote(actor=RAISER, at=NOW, text="Called the duty team."),
        ActionKind.ADD_AGREED_ACTION: lambda: AddAgreedAction(
            actor=RAISER, at=NOW, what="Share the plan", who="Tom", by_when=date(2026, 11, 27)
        ),
        ActionKind.CHOOSE_OPTION: lambda: ChooseOption(
            actor=RAISER, at=NOW, option=option, on_date=date(2026, 11, 26)
        ),
        ActionKind.STILL_STUCK: lambda: StillStuck(actor=RAISER, at=NOW),
        ActionKind.HAND_OVER_TO_HIPS: lambda: HandOverToHips(actor=RAISER, at=NOW),
        ActionKind.REQUEST_FACILITATOR: lambda: RequestFacilitator(
            actor=RAISER, at=NOW, confirmed=frozenset(FacilitatorCheck)
        ),
    }
    return commands[action]()


def accepted(thread: EscalationThread, action: ActionKind) -> bool:
    """Whether `decide` lets `action` happen to `thread` (a rule about what was typed aside)."""
    try:
        decide(thread, command_for(action, thread), POLICY)
    except ActionNotAllowed:
        return False
    except InvalidInput:
        return True
    return True


@pytest.mark.parametrize("thread", [t for t in THREADS if t.is_open], ids=thread_id)
def test_an_open_concern_offers_exactly_what_decide_accepts(thread: EscalationThread) -> None:
    changes = [action for action in ActionKind if action is not ActionKind.OPEN]
    assert actions_offered(thread) == {action for action in changes if accepted(thread, action)}


@pytest.mark.parametrize("thread", [t for t in THREADS if not t.is_open], ids=thread_id)
def test_a_closed_concern_offers_nothing(thread: EscalationThread) -> None:
    assert actions_offered(thread) == frozenset()


def test_strategy_1_offers_the_hand_over_only_once_option_3_is_chosen() -> None:
    plain = make_thread(ThreadState.STRATEGY_1)
    chosen = make_thread(
        ThreadState.STRATEGY_1, rethink_options=(RethinkOption.S1_CONSULT_HIPS.value,)
    )
    assert ActionKind.HAND_OVER_TO_HIPS in allowed_actions(ThreadState.STRATEGY_1)
    assert ActionKind.HAND_OVER_TO_HIPS not in actions_offered(plain)
    assert ActionKind.HAND_OVER_TO_HIPS in actions_offered(chosen)


def test_an_urgent_concern_is_not_offered_marking_urgent_again() -> None:
    assert ActionKind.MARK_URGENT in actions_offered(make_thread(ThreadState.STAGE_2))
    urgent = make_thread(ThreadState.STAGE_2, urgent=True, urgent_reason="Discharge on Friday")
    assert ActionKind.MARK_URGENT not in actions_offered(urgent)


@pytest.mark.parametrize("thread", THREADS, ids=thread_id)
def test_the_card_has_a_button_for_each_action_the_domain_offers_and_no_other(
    thread: EscalationThread,
) -> None:
    shown = [
        node["verb"]
        for node in nodes(card_payload(thread_card(thread, today=TODAY)))
        if node.get("type") == "Action.Execute"
    ]
    offered = {
        VERB_OF_ACTION[action] for action in actions_offered(thread) if action in VERB_OF_ACTION
    }
    assert sorted(shown) == sorted({*offered, Verb.VIEW_THREAD})
