"""The state machine of both procedures: the transition table, the HIPS stages, refusals.

The HIPS five-stage procedure (seed 004) and Portsmouth's Re-think strategies (seeds 000-003)
are one machine, because Re-think hands a concern over to HIPS stage 1. The table below is the
single source of truth for which action is allowed in which state: the decision functions read
it, the cards can ask it which buttons to show, and the README's diagram is generated from it.
Anything not in the table is refused with a message a practitioner can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from types import MappingProxyType

from domain.errors import ActionNotAllowed
from domain.model import LscpArea, Stage, ThreadState


class ActionKind(StrEnum):
    """Everything a practitioner can ask to do to a concern, in either procedure."""

    OPEN = "open"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    WITHDRAW = "withdraw"
    MARK_URGENT = "mark_urgent"
    EXTEND_DEADLINE = "extend_deadline"
    ADD_NOTE = "add_note"
    ADD_AGREED_ACTION = "add_agreed_action"
    CHOOSE_OPTION = "choose_option"
    STILL_STUCK = "still_stuck"
    HAND_OVER_TO_HIPS = "hand_over_to_hips"
    REQUEST_FACILITATOR = "request_facilitator"


class Stays(Enum):
    """The table's marker for an action that records something but leaves the state as it is."""

    STAYS = "stays"


STAYS = Stays.STAYS
Target = ThreadState | Stays

_S = ThreadState
_A = ActionKind

# What every open HIPS stage allows besides moving on. Stage 5 differs only in where ESCALATE
# goes: completing stage 5 means the email to the LSCP was sent.
_HIPS_STAGE_ACTIONS: Mapping[ActionKind, Target] = {
    _A.RESOLVE: _S.RESOLVED,
    _A.WITHDRAW: _S.WITHDRAWN,
    _A.MARK_URGENT: STAYS,
    _A.EXTEND_DEADLINE: STAYS,
    _A.ADD_NOTE: STAYS,
    _A.ADD_AGREED_ACTION: STAYS,
}

# What every Re-think strategy allows besides moving on. Re-think has no published timescales,
# so there is nothing to mark urgent or extend: the "deadline" is the planned meeting's date,
# which changes by choosing the option again with a new date.
_RETHINK_STRATEGY_ACTIONS: Mapping[ActionKind, Target] = {
    _A.CHOOSE_OPTION: STAYS,
    _A.RESOLVE: _S.RESOLVED,
    _A.WITHDRAW: _S.WITHDRAWN,
    _A.ADD_NOTE: STAYS,
    _A.ADD_AGREED_ACTION: STAYS,
}


def _rows(
    state: ThreadState, actions: Mapping[ActionKind, Target]
) -> dict[tuple[ThreadState, ActionKind], Target]:
    return {(state, action): target for action, target in actions.items()}


TRANSITIONS: Mapping[tuple[ThreadState, ActionKind], Target] = MappingProxyType(
    {
        **_rows(_S.STAGE_1, {_A.ESCALATE: _S.STAGE_2, **_HIPS_STAGE_ACTIONS}),
        **_rows(_S.STAGE_2, {_A.ESCALATE: _S.STAGE_3, **_HIPS_STAGE_ACTIONS}),
        **_rows(_S.STAGE_3, {_A.ESCALATE: _S.STAGE_4, **_HIPS_STAGE_ACTIONS}),
        **_rows(_S.STAGE_4, {_A.ESCALATE: _S.STAGE_5, **_HIPS_STAGE_ACTIONS}),
        **_rows(_S.STAGE_5, {_A.ESCALATE: _S.REFERRED_TO_LSCP, **_HIPS_STAGE_ACTIONS}),
        # The LSCP now leads: what remains is to record its resolution meeting's outcome, notes
        # and the actions it agrees. Withdrawal is the LSCP's call, not the bot's.
        **_rows(
            _S.REFERRED_TO_LSCP,
            {_A.RESOLVE: _S.RESOLVED, _A.ADD_NOTE: STAYS, _A.ADD_AGREED_ACTION: STAYS},
        ),
        # Strategy 1 option 3 ("If the LP does not agree with concerns raised - consult the HIPS
        # escalation Policy") leads to HIPS; decisions also require that option to be chosen.
        **_rows(
            _S.STRATEGY_1,
            {
                _A.STILL_STUCK: _S.STRATEGY_2,
                _A.HAND_OVER_TO_HIPS: _S.STAGE_1,
                **_RETHINK_STRATEGY_ACTIONS,
            },
        ),
        **_rows(_S.STRATEGY_2, {_A.STILL_STUCK: _S.STRATEGY_3, **_RETHINK_STRATEGY_ACTIONS}),
        # Strategy 3 is the last strategy: "where professional disagreements cannot be resolved
        # through Re-think strategies the HIPS Escalation Protocol should be initiated".
        **_rows(
            _S.STRATEGY_3,
            {
                _A.REQUEST_FACILITATOR: STAYS,
                _A.HAND_OVER_TO_HIPS: _S.STAGE_1,
                **_RETHINK_STRATEGY_ACTIONS,
            },
        ),
        # Closed concerns keep an append-only record: a note can still confirm the outcome or the
        # follow-up ("Plan to follow-up"), but anything that needs doing means a new concern.
        **_rows(_S.RESOLVED, {_A.ADD_NOTE: STAYS}),
        **_rows(_S.WITHDRAWN, {_A.ADD_NOTE: STAYS}),
    }
)


class Opening(StrEnum):
    """The ways a concern can start; each has exactly one first state."""

    HIPS_CONCERN = "hips_concern"
    RETHINK_NOT_LEAD_PROFESSIONAL = "rethink_not_lead_professional"
    RETHINK_AS_LEAD_PROFESSIONAL = "rethink_as_lead_professional"


# Seed 000, Strategy 1: "If you are the Lead Professional go to strategy 2."
OPENINGS: Mapping[Opening, ThreadState] = MappingProxyType(
    {
        Opening.HIPS_CONCERN: _S.STAGE_1,
        Opening.RETHINK_NOT_LEAD_PROFESSIONAL: _S.STRATEGY_1,
        Opening.RETHINK_AS_LEAD_PROFESSIONAL: _S.STRATEGY_2,
    }
)


def target_state(state: ThreadState, action: ActionKind) -> ThreadState:
    """The state `action` leads to from `state`; refuses what the table does not allow."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise ActionNotAllowed(refusal_message(state, action))
    return state if target is STAYS else target


def is_allowed(state: ThreadState, action: ActionKind) -> bool:
    return (state, action) in TRANSITIONS


def allowed_actions(state: ThreadState) -> frozenset[ActionKind]:
    """What a card may offer for a concern in `state`."""
    return frozenset(action for (source, action) in TRANSITIONS if source is state)


# --- Plain words for states and refusals -----------------------------------------------------

_STATE_DESCRIPTIONS: Mapping[ThreadState, str] = {
    _S.STAGE_1: "at stage 1 of the HIPS procedure",
    _S.STAGE_2: "at stage 2 of the HIPS procedure",
    _S.STAGE_3: "at stage 3 of the HIPS procedure",
    _S.STAGE_4: "at stage 4 of the HIPS procedure",
    _S.STAGE_5: "at stage 5 of the HIPS procedure",
    _S.STRATEGY_1: "in Re-think strategy 1",
    _S.STRATEGY_2: "in Re-think strategy 2",
    _S.STRATEGY_3: "in Re-think strategy 3",
    _S.RESOLVED: "already resolved",
    _S.WITHDRAWN: "already withdrawn",
    _S.REFERRED_TO_LSCP: "with the LSCP",
}

_STATE_LABELS: Mapping[ThreadState, str] = {
    _S.STAGE_1: "HIPS stage 1",
    _S.STAGE_2: "HIPS stage 2",
    _S.STAGE_3: "HIPS stage 3",
    _S.STAGE_4: "HIPS stage 4",
    _S.STAGE_5: "HIPS stage 5",
    _S.STRATEGY_1: "Re-think strategy 1",
    _S.STRATEGY_2: "Re-think strategy 2",
    _S.STRATEGY_3: "Re-think strategy 3",
    _S.RESOLVED: "Resolved",
    _S.WITHDRAWN: "Withdrawn",
    _S.REFERRED_TO_LSCP: "Referred to the LSCP",
}

_ACTION_LABELS: Mapping[ActionKind, str] = {
    _A.OPEN: "open",
    _A.ESCALATE: "escalate",
    _A.RESOLVE: "resolve",
    _A.WITHDRAW: "withdraw",
    _A.MARK_URGENT: "mark urgent",
    _A.EXTEND_DEADLINE: "extend deadline",
    _A.ADD_NOTE: "add note",
    _A.ADD_AGREED_ACTION: "add agreed action",
    _A.CHOOSE_OPTION: "choose option",
    _A.STILL_STUCK: "still stuck",
    _A.HAND_OVER_TO_HIPS: "hand over to HIPS",
    _A.REQUEST_FACILITATOR: "request facilitator",
}

_OPENING_LABELS: Mapping[Opening, str] = {
    Opening.HIPS_CONCERN: "open a HIPS concern",
    Opening.RETHINK_NOT_LEAD_PROFESSIONAL: "open Re-think when not the Lead Professional",
    Opening.RETHINK_AS_LEAD_PROFESSIONAL: "open Re-think as the Lead Professional",
}

# Where one transition deserves a more precise label than its action's.
_TRANSITION_LABELS: Mapping[tuple[ThreadState, ActionKind], str] = {
    (_S.STAGE_5, _A.ESCALATE): "email sent to the LSCP",
}

# What cannot happen, phrased to follow "This concern is <state>, so ...".
_CANNOT: Mapping[ActionKind, str] = {
    _A.OPEN: "it cannot be opened again",
    _A.ESCALATE: "it cannot be escalated",
    _A.RESOLVE: "it cannot be resolved",
    _A.WITHDRAW: "it cannot be withdrawn",
    _A.MARK_URGENT: "it cannot be marked urgent",
    _A.EXTEND_DEADLINE: "its deadline cannot be extended",
    _A.ADD_NOTE: "a note cannot be added",
    _A.ADD_AGREED_ACTION: "an agreed action cannot be added",
    _A.CHOOSE_OPTION: "a Re-think option cannot be chosen for it",
    _A.STILL_STUCK: "it cannot move on to another Re-think strategy",
    _A.HAND_OVER_TO_HIPS: "it cannot be handed over to the HIPS procedure",
    _A.REQUEST_FACILITATOR: "an independent facilitator cannot be requested for it",
}

_START_AGAIN = "Start a new concern if something new has happened."
_RETHINK_ONLY = "Re-think strategies and options apply only to concerns following Re-think."
_RETHINK_HAS_NO_TIMESCALES = (
    "Re-think has no published timescales: to change the date of the planned conversation or "
    "meeting, choose the option again with the new date."
)
_RETHINK_HAS_NO_STAGES = (
    "Re-think has strategies rather than stages: if things are still stuck, move on to the next "
    "strategy."
)
_WITH_THE_LSCP = (
    "The LSCP partnership team now leads the resolution meeting: record its outcome when it is "
    "known."
)

_SPECIFIC_ADVICE: Mapping[tuple[ThreadState, ActionKind], str] = {
    (_S.STRATEGY_3, _A.STILL_STUCK): (
        "Strategy 3 is the last Re-think strategy. In circumstances where professional "
        "disagreements cannot be resolved through Re-think strategies the HIPS Escalation "
        "Protocol should be initiated: hand this concern over to the HIPS procedure."
    ),
    (_S.STRATEGY_3, _A.ESCALATE): (
        "Strategy 3 is the last Re-think strategy: hand this concern over to the HIPS procedure "
        "to escalate it."
    ),
    (_S.STRATEGY_2, _A.HAND_OVER_TO_HIPS): (
        "Re-think hands a concern over to the HIPS procedure from strategy 1, when the Lead "
        "Professional does not agree with the concerns raised, or from strategy 3. If things are "
        "still stuck, move on to strategy 3."
    ),
    (_S.STRATEGY_1, _A.REQUEST_FACILITATOR): (
        "An independent facilitator is requested in strategy 3, once strategies 1 and 2 have "
        "been tried."
    ),
    (_S.STRATEGY_2, _A.REQUEST_FACILITATOR): (
        "An independent facilitator is requested in strategy 3, once strategies 1 and 2 have "
        "been tried."
    ),
    **{
        (stage_state, _A.HAND_OVER_TO_HIPS): "It is already following the HIPS procedure."
        for stage_state in ThreadState
        if stage_state.stage is not None
    },
    (_S.REFERRED_TO_LSCP, _A.ESCALATE): (
        "Stage 5 is the last stage of the HIPS procedure. " + _WITH_THE_LSCP
    ),
    (_S.REFERRED_TO_LSCP, _A.WITHDRAW): (
        "Contact the LSCP partnership team about withdrawing. " + _WITH_THE_LSCP
    ),
    (_S.REFERRED_TO_LSCP, _A.MARK_URGENT): (
        "If the needs of the child indicate more immediate resolution is required, contact the "
        "LSCP partnership team directly."
    ),
    (_S.REFERRED_TO_LSCP, _A.EXTEND_DEADLINE): (
        "There is no stage deadline once the LSCP is involved. " + _WITH_THE_LSCP
    ),
}

_RETHINK_ACTIONS = frozenset(
    {_A.CHOOSE_OPTION, _A.STILL_STUCK, _A.HAND_OVER_TO_HIPS, _A.REQUEST_FACILITATOR}
)


def describe_state(state: ThreadState) -> str:
    """Where a concern stands, in words that complete "This concern is ..."."""
    return _STATE_DESCRIPTIONS[state]


def state_label(state: ThreadState) -> str:
    """A short title for a state, e.g. "HIPS stage 2"."""
    return _STATE_LABELS[state]


def action_label(action: ActionKind) -> str:
    return _ACTION_LABELS[action]


def refusal_message(state: ThreadState, action: ActionKind) -> str:
    """Why `action` is not possible in `state`, and what to do instead, in plain words."""
    return (
        f"This concern is {describe_state(state)}, so {_CANNOT[action]}. {_advice(state, action)}"
    )


def _advice(state: ThreadState, action: ActionKind) -> str:
    specific = _SPECIFIC_ADVICE.get((state, action))
    if specific is not None:
        return specific
    if action is _A.OPEN or not state.is_open:
        return _START_AGAIN
    if state.stage is not None and action in _RETHINK_ACTIONS:
        return _RETHINK_ONLY
    if state.strategy is not None and action in {_A.MARK_URGENT, _A.EXTEND_DEADLINE}:
        return _RETHINK_HAS_NO_TIMESCALES
    if state.strategy is not None and action is _A.ESCALATE:
        return _RETHINK_HAS_NO_STAGES
    return _WITH_THE_LSCP


# --- The HIPS stages, in the words of seed 004 ------------------------------------------------


class DeadlineRunsFrom(StrEnum):
    """Which date a stage's two working days count from."""

    CONCERN_AROSE = "concern_arose"
    PREVIOUS_STAGE_COMPLETED = "previous_stage_completed"


@dataclass(frozen=True)
class StageGuide:
    """What a HIPS stage is, who talks to whom, and its timescale, quoted from seed 004."""

    stage: Stage
    title: str
    who_talks: str
    timescale: str
    deadline_runs_from: DeadlineRunsFrom


INDICATIVE_TIMESCALES_NOTE = (
    "Please note timescales are indicative and it is recognised that this is dependent on the "
    "timescales dictated by the needs of the child. Practitioners should consider with their line "
    "manager/safeguarding leads if the needs of the child indicate more immediate resolution is "
    "required."
)

DOCUMENT_EVERY_STAGE = "Discussion and communication should be documented at this and every stage."

STAGE_GUIDES: Mapping[Stage, StageGuide] = MappingProxyType(
    {
        Stage.ONE: StageGuide(
            stage=Stage.ONE,
            title="Stage 1. Discussion with line manager/safeguarding lead",
            who_talks=(
                "Any practitioner who disagrees with a decision should initially discuss the "
                "issue with their line manager/safeguarding lead to clarify their thinking, to "
                "identify the problem, the potential impact on the child and be able to specify "
                "what the disagreement is about."
            ),
            timescale=(
                "The discussion should take place within two working days from when the "
                "disagreement or concern arose."
            ),
            deadline_runs_from=DeadlineRunsFrom.CONCERN_AROSE,
        ),
        Stage.TWO: StageGuide(
            stage=Stage.TWO,
            title="Stage 2. Inter-agency discussion",
            who_talks=(
                "This is a discussion between the two people who disagree to resolve the issue. "
                "This should take place as soon as possible and could be a telephone "
                "conversation, video call or face to face meeting."
            ),
            timescale=(
                "Every effort should be made for this discussion to take place within two "
                "working days of the completion of stage 1."
            ),
            deadline_runs_from=DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
        ),
        Stage.THREE: StageGuide(
            stage=Stage.THREE,
            title="Stage 3. Line manager/safeguarding lead Inter-agency discussion",
            who_talks=(
                "If the issue is not resolved the practitioner should advise their line "
                "manager/safeguarding lead who will then have a discussion with their "
                "equivalent in the other agency."
            ),
            timescale=(
                "Every effort should be made for this discussion to take place within two "
                "working days of the completion of stage 2."
            ),
            deadline_runs_from=DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
        ),
        Stage.FOUR: StageGuide(
            stage=Stage.FOUR,
            title="Stage 4. Head/Director of Service Inter-agency discussion",
            who_talks=(
                "Where it is not possible to resolve the disagreement at earlier stages the "
                "matter should be referred without delay to Heads/Directors of Service."
            ),
            timescale=(
                "Every effort should be made for this discussion to take place within two "
                "working days of the completion of stage 3."
            ),
            deadline_runs_from=DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
        ),
        Stage.FIVE: StageGuide(
            stage=Stage.FIVE,
            title="Stage 5. Partnership member inter-agency discussion",
            who_talks=(
                "If it has not been possible to resolve the professional differences within the "
                "agencies concerned then this should be referred by the concerned agency to the "
                "local safeguarding children partnership (LSCP), who will arrange a resolution "
                "meeting with relevant partnership members and the independent scrutineer or "
                "partnership chair."
            ),
            timescale=(
                "Every effort should be made for the email to be sent to the LSCP within two "
                "working days of the completion of stage 4."
            ),
            deadline_runs_from=DeadlineRunsFrom.PREVIOUS_STAGE_COMPLETED,
        ),
    }
)


def lscp_partnership_name(area: LscpArea) -> str:
    """The partnership's name as seed 004 lists it, e.g. "Portsmouth Safeguarding Children
    Partnership"."""
    return f"{area.label} Safeguarding Children Partnership"


def lscp_referral_instruction(area: LscpArea, contact_email: str) -> str:
    """What to do at stage 5, worded from seed 004, addressed to the area's partnership team.

    The contact address is configuration (teams change their mailboxes), so it is an argument:
    the domain owns the wording, settings own the address, and no card has to stitch either.
    """
    address = contact_email.strip()
    if not address:
        raise ValueError(f"no LSCP contact address is configured for {area.label}")
    return (
        f"E-mail the details through to the {lscp_partnership_name(area)} ({address}), "
        "setting out the actions taken to date and the rationale for the involvement of the LSCP."
    )


# --- The diagram the README embeds ----------------------------------------------------------


def mermaid_state_diagram() -> str:
    """The transition table drawn as a Mermaid `stateDiagram-v2`.

    Generated from TRANSITIONS and OPENINGS so the README cannot drift from the rules. Only
    transitions that change state are drawn; actions that stay (notes, agreed actions, options,
    urgency, deadline extensions, facilitator requests) would only clutter it.
    """
    lines = ["stateDiagram-v2"]
    lines.extend(f'    state "{state_label(state)}" as {state.name}' for state in ThreadState)
    lines.extend(
        f"    [*] --> {state.name} : {_OPENING_LABELS[opening]}"
        for opening, state in OPENINGS.items()
    )
    for (source, action), target in TRANSITIONS.items():
        if target is STAYS or target is source:
            continue
        label = _TRANSITION_LABELS.get((source, action), action_label(action))
        lines.append(f"    {source.name} --> {target.name} : {label}")
    return "\n".join(lines) + "\n"
