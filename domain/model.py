"""The shared vocabulary of the domain: threads, people, events, reminders and their enums.

Everything here is immutable and free of I/O. `storage/` maps these to rows, `cards/` renders
them, and `domain.procedure` / `domain.rethink` decide how they change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum


class LscpArea(StrEnum):
    """The four Local Safeguarding Children Partnerships of the HIPS region."""

    HAMPSHIRE = "hampshire"
    ISLE_OF_WIGHT = "isle_of_wight"
    PORTSMOUTH = "portsmouth"
    SOUTHAMPTON = "southampton"

    @property
    def label(self) -> str:
        return _AREA_LABELS[self]


_AREA_LABELS = {
    LscpArea.HAMPSHIRE: "Hampshire",
    LscpArea.ISLE_OF_WIGHT: "Isle of Wight",
    LscpArea.PORTSMOUTH: "Portsmouth",
    LscpArea.SOUTHAMPTON: "Southampton",
}


class Route(StrEnum):
    """Which published procedure a thread follows."""

    HIPS = "hips"  # the five-stage HIPS escalation procedure (seed 004)
    RETHINK = "rethink"  # Portsmouth's Re-think strategies 1-3 (seeds 000-003)


class Stage(IntEnum):
    """The five stages of the HIPS procedure."""

    ONE = 1
    TWO = 2
    THREE = 3
    FOUR = 4
    FIVE = 5


class Strategy(IntEnum):
    """The three Re-think strategies."""

    ONE = 1
    TWO = 2
    THREE = 3


class ThreadState(StrEnum):
    """Where a thread stands. Open states name the stage or strategy under way."""

    STAGE_1 = "stage_1"
    STAGE_2 = "stage_2"
    STAGE_3 = "stage_3"
    STAGE_4 = "stage_4"
    STAGE_5 = "stage_5"
    STRATEGY_1 = "strategy_1"
    STRATEGY_2 = "strategy_2"
    STRATEGY_3 = "strategy_3"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"
    REFERRED_TO_LSCP = "referred_to_lscp"

    @property
    def is_open(self) -> bool:
        return self not in _CLOSED_STATES

    @property
    def stage(self) -> Stage | None:
        return _STAGE_OF_STATE.get(self)

    @property
    def strategy(self) -> Strategy | None:
        return _STRATEGY_OF_STATE.get(self)

    @property
    def route(self) -> Route | None:
        if self.stage is not None:
            return Route.HIPS
        if self.strategy is not None:
            return Route.RETHINK
        return None

    @staticmethod
    def for_stage(stage: Stage) -> ThreadState:
        return _STATE_OF_STAGE[stage]

    @staticmethod
    def for_strategy(strategy: Strategy) -> ThreadState:
        return _STATE_OF_STRATEGY[strategy]


_CLOSED_STATES = frozenset({ThreadState.RESOLVED, ThreadState.WITHDRAWN})
_STAGE_OF_STATE = {
    ThreadState.STAGE_1: Stage.ONE,
    ThreadState.STAGE_2: Stage.TWO,
    ThreadState.STAGE_3: Stage.THREE,
    ThreadState.STAGE_4: Stage.FOUR,
    ThreadState.STAGE_5: Stage.FIVE,
}
_STATE_OF_STAGE = {stage: state for state, stage in _STAGE_OF_STATE.items()}
_STRATEGY_OF_STATE = {
    ThreadState.STRATEGY_1: Strategy.ONE,
    ThreadState.STRATEGY_2: Strategy.TWO,
    ThreadState.STRATEGY_3: Strategy.THREE,
}
_STATE_OF_STRATEGY = {strategy: state for state, strategy in _STRATEGY_OF_STATE.items()}


@dataclass(frozen=True)
class Person:
    """Someone on a thread. `user_id` is the Teams (Entra ID) object id when known."""

    name: str
    email: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class AgreedAction:
    """An action agreed at any stage: what, who, by when, and whether it is done."""

    what: str
    who: str
    by_when: date
    done: bool = False


class EventKind(StrEnum):
    """What an audit event records. Every change to a thread is one of these."""

    OPENED = "opened"
    STAGE_ESCALATED = "stage_escalated"
    STRATEGY_OPTION_CHOSEN = "strategy_option_chosen"
    STRATEGY_MOVED_ON = "strategy_moved_on"
    HANDED_OVER_TO_HIPS = "handed_over_to_hips"
    FACILITATOR_REQUESTED = "facilitator_requested"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"
    REFERRED_TO_LSCP = "referred_to_lscp"
    MARKED_URGENT = "marked_urgent"
    DEADLINE_EXTENDED = "deadline_extended"
    NOTE_ADDED = "note_added"
    AGREED_ACTION_ADDED = "agreed_action_added"


@dataclass(frozen=True)
class AuditEvent:
    """One entry of a thread's append-only history: who did what, when, from and to."""

    kind: EventKind
    actor: Person
    at: datetime
    from_state: ThreadState | None
    to_state: ThreadState | None
    note: str | None = None


class ReminderKind(StrEnum):
    """Why a proactive reminder card is sent."""

    STAGE_DUE = "stage_due"  # the morning of the day the stage is due
    STAGE_OVERDUE = "stage_overdue"  # the next working morning after it was due
    OUTCOME_DUE = "outcome_due"  # Re-think: the working morning after the planned meeting


@dataclass(frozen=True)
class PlannedReminder:
    """A reminder the outbox should send at `due_at` (aware, UTC) while the thread is in `state`."""

    kind: ReminderKind
    due_at: datetime
    recipient: Person
    state: ThreadState


@dataclass(frozen=True)
class EscalationThread:
    """One concern followed through its procedure.

    `case_reference` is the agency's own case reference: never a child's name.
    `stage_started_on` is the local date the current stage or strategy began, from which its
    deadline runs; `deadline` is the local date by the end of which it is due (None once closed).
    """

    reference: str
    state: ThreadState
    case_reference: str
    lscp_area: LscpArea
    raised_by: Person
    raiser_agency: str
    raiser_role: str
    other_agency: str
    concern_arose_on: date
    stage_started_on: date
    deadline: date | None
    opened_at: datetime
    urgent: bool = False
    urgent_reason: str | None = None
    other_practitioner: Person | None = None
    line_manager: Person | None = None
    is_lead_professional: bool = False
    version: int = 1
    template_answers: Mapping[str, str] = field(default_factory=dict)
    agreed_actions: tuple[AgreedAction, ...] = ()
    # The Re-think options chosen, oldest first, as RethinkOption values (domain/rethink.py).
    rethink_options: tuple[str, ...] = ()

    @property
    def route(self) -> Route | None:
        return self.state.route

    @property
    def is_open(self) -> bool:
        return self.state.is_open


def format_thread_reference(year: int, number: int) -> str:
    """The short reference practitioners quote, e.g. ESC-2026-0007."""
    if number < 1:
        raise ValueError("thread numbers start at 1")
    return f"ESC-{year:04d}-{number:04d}"
