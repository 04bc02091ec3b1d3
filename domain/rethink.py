"""Portsmouth's Re-think: strategies 1-3, their options and the facilitator checklist.

Wording is quoted from the PSCP guidance (seeds 000-003). Re-think publishes no timescales, so
a strategy has no deadline of its own: once an option is chosen, the concern is "due" on the date
of the planned conversation or meeting, and the reminder is to record its outcome.

The options chosen are recorded on the thread as plain strings (`EscalationThread.rethink_options`,
since the model cannot depend on this module); `options_chosen` and `with_option_chosen` are the
way to read and extend that record as `RethinkOption`s. The hand-over to HIPS depends on it
(Strategy 1 option 3), and it stays on the thread after the hand-over as the record of what was
tried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.errors import ActionNotAllowed, InvalidInput
from domain.model import EscalationThread, Strategy, ThreadState
from domain.procedure import OPENINGS, Opening, describe_state

LEAD_PROFESSIONAL_QUESTION = "Are you the Lead Professional?"


class RethinkOption(StrEnum):
    """Each option of each strategy, with a stable id the cards and storage can rely on."""

    S1_RESTORATIVE_CONVERSATION = "s1_restorative_conversation"
    S1_LP_CALLS_MEETING_WITH_FAMILY = "s1_lp_calls_meeting_with_family"
    S1_CONSULT_HIPS = "s1_consult_hips"
    S2_MULTI_AGENCY_RETHINK = "s2_multi_agency_rethink"
    S2_SENIOR_AT_NEXT_REVIEW = "s2_senior_at_next_review"
    S3_INDEPENDENTLY_FACILITATED_RETHINK = "s3_independently_facilitated_rethink"

    @property
    def strategy(self) -> Strategy:
        return _OPTION_GUIDES[self].strategy

    @property
    def number(self) -> int:
        """The option's number within its strategy, as the guidance numbers them."""
        return _OPTION_GUIDES[self].number

    @property
    def wording(self) -> str:
        return _OPTION_GUIDES[self].wording


@dataclass(frozen=True)
class OptionGuide:
    strategy: Strategy
    number: int
    wording: str


# Seed 000 words options 1 and 2; seed 000 gives Strategy 3 only as a request for an
# independent facilitator, so its one option is worded from seed 003 ("Option: 1.").
_OPTION_GUIDES: Mapping[RethinkOption, OptionGuide] = MappingProxyType(
    {
        RethinkOption.S1_RESTORATIVE_CONVERSATION: OptionGuide(
            Strategy.ONE,
            1,
            "A restorative conversation with the Lead Professional to 'unpick' concerns - one to "
            "one 'RE-THINK'",
        ),
        RethinkOption.S1_LP_CALLS_MEETING_WITH_FAMILY: OptionGuide(
            Strategy.ONE,
            2,
            "LP to call a meeting of professionals with the family to discuss concerns. If you "
            "are following statutory processes those processes need to be followed, e.g. call an "
            "early review meeting.",
        ),
        RethinkOption.S1_CONSULT_HIPS: OptionGuide(
            Strategy.ONE,
            3,
            "If the LP does not agree with concerns raised - consult the HIPS escalation Policy",
        ),
        RethinkOption.S2_MULTI_AGENCY_RETHINK: OptionGuide(
            Strategy.TWO,
            1,
            "A multi-agency (professionals only) 'RE-THINK' reflection time is arranged, "
            "facilitated by the Lead professional or their line manager.",
        ),
        RethinkOption.S2_SENIOR_AT_NEXT_REVIEW: OptionGuide(
            Strategy.TWO,
            2,
            "A senior member of the team to attend the next review meeting to support different "
            "actions being agreed",
        ),
        RethinkOption.S3_INDEPENDENTLY_FACILITATED_RETHINK: OptionGuide(
            Strategy.THREE,
            1,
            "A multi-agency (professionals only) 'RE-THINK' is arranged, facilitated by an "
            "external facilitator",
        ),
    }
)


@dataclass(frozen=True)
class StrategyGuide:
    strategy: Strategy
    when_to_use: str
    options: tuple[RethinkOption, ...]


# Seed 000, each strategy's opening paragraph.
STRATEGY_GUIDES: Mapping[Strategy, StrategyGuide] = MappingProxyType(
    {
        Strategy.ONE: StrategyGuide(
            Strategy.ONE,
            "You have concerns and the desired progress is not being made. There may be some "
            "professional disagreement e.g. in terms of tier of need, step up / step across / "
            "step down. If you are the Lead Professional go to strategy 2.",
            (
                RethinkOption.S1_RESTORATIVE_CONVERSATION,
                RethinkOption.S1_LP_CALLS_MEETING_WITH_FAMILY,
                RethinkOption.S1_CONSULT_HIPS,
            ),
        ),
        Strategy.TWO: StrategyGuide(
            Strategy.TWO,
            "You have raised your concerns with the Lead Professional and a meeting with the "
            "family has not resolved the concerns / progress has not been made. Or you are the "
            "Lead Professional and there continues to be limited progress.",
            (RethinkOption.S2_MULTI_AGENCY_RETHINK, RethinkOption.S2_SENIOR_AT_NEXT_REVIEW),
        ),
        Strategy.THREE: StrategyGuide(
            Strategy.THREE,
            "You have undertaken strategy 1 and / or 2 and there are still concerns regarding "
            "progress, it feels stuck, there is limited progress and more help is needed.",
            (RethinkOption.S3_INDEPENDENTLY_FACILITATED_RETHINK,),
        ),
    }
)


class FacilitatorCheck(StrEnum):
    """The three points to consider before requesting a neutrally facilitated Re-think."""

    RAISED_WITH_NETWORK = "raised_with_network"
    TALKED_ABOUT_STUCKNESS = "talked_about_stuckness"
    CONSIDERED_HIPS = "considered_hips"

    @property
    def question(self) -> str:
        return _FACILITATOR_QUESTIONS[self]


# Seed 002: "Prior to making a request, please consider the below points".
_FACILITATOR_QUESTIONS: Mapping[FacilitatorCheck, str] = MappingProxyType(
    {
        FacilitatorCheck.RAISED_WITH_NETWORK: (
            "Have you raised your concerns with the professional network already?"
        ),
        FacilitatorCheck.TALKED_ABOUT_STUCKNESS: (
            "Have you had a conversation with those involved regarding the ‘stuckness’ and / or "
            "professional disagreement?"
        ),
        FacilitatorCheck.CONSIDERED_HIPS: (
            "Have you considered the HIPS Escalation Policy for the Resolution of Professional "
            "Disagreement as a means to resolve what is happening?"
        ),
    }
)


def opening_state(*, is_lead_professional: bool) -> ThreadState:
    """Seed 000: "If you are the Lead Professional go to strategy 2."."""
    opening = (
        Opening.RETHINK_AS_LEAD_PROFESSIONAL
        if is_lead_professional
        else Opening.RETHINK_NOT_LEAD_PROFESSIONAL
    )
    return OPENINGS[opening]


def options_chosen(thread: EscalationThread) -> tuple[RethinkOption, ...]:
    """The options chosen so far on this concern, oldest first.

    Raises ValueError on a value that is not a RethinkOption: only the domain writes this
    record, so an unknown value means the stored data is corrupt, not something to skip.
    """
    return tuple(RethinkOption(value) for value in thread.rethink_options)


def with_option_chosen(thread: EscalationThread, option: RethinkOption) -> tuple[str, ...]:
    """The thread's record of options chosen with `option` appended, ready to store on it."""
    return (*(chosen.value for chosen in options_chosen(thread)), option.value)


def check_option_belongs_to_current_strategy(state: ThreadState, option: RethinkOption) -> None:
    """Refuse an option of another strategy: each strategy offers only its own options."""
    strategy = state.strategy
    if strategy is None or option.strategy is strategy:
        return
    offered = STRATEGY_GUIDES[strategy].options
    listed = "; ".join(f"option {choice.number}, “{choice.wording}”" for choice in offered)
    raise ActionNotAllowed(
        f"This concern is {describe_state(state)}, so an option of strategy "
        f"{int(option.strategy)} cannot be chosen. Strategy {int(strategy)} offers: {listed}."
    )


def hand_over_allowed(thread: EscalationThread) -> bool:
    """Whether this concern's own record lets it be handed over to HIPS, where its state does.

    From Strategy 1, only once option 3 (the LP does not agree) has been chosen. From Strategy 3
    no option is needed: it is the last strategy, and "where professional disagreements cannot
    be resolved through Re-think strategies the HIPS Escalation Protocol should be initiated".
    """
    return (
        thread.state is not ThreadState.STRATEGY_1
        or RethinkOption.S1_CONSULT_HIPS in options_chosen(thread)
    )


def check_hand_over_allowed(thread: EscalationThread) -> None:
    """Refuse a hand-over `hand_over_allowed` rules out, saying which option to record first."""
    if hand_over_allowed(thread):
        return
    raise ActionNotAllowed(
        f"This concern is {describe_state(thread.state)}, and option 3 has not been chosen, so "
        "it cannot be handed over to the HIPS procedure yet. First record option 3: "
        f"“{RethinkOption.S1_CONSULT_HIPS.wording}”."
    )


def check_facilitator_checklist(confirmed: frozenset[FacilitatorCheck]) -> None:
    """Refuse a facilitator request until every point of the seed 002 checklist is confirmed."""
    missing = [check for check in FacilitatorCheck if check not in confirmed]
    if not missing:
        return
    points = " ".join(f"“{check.question}”" for check in missing)
    raise InvalidInput(
        "Before requesting an independent facilitator, please consider and confirm: " + points
    )
