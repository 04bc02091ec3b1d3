"""The single entry point of the domain: `decide(thread, command, policy) -> Decision`.

A handler parses a card click into a command, loads the thread, and asks `decide` what happens.
The answer is everything to persist in one transaction: the new thread, the audit events, the
reminders to plan and whether earlier reminders are void. `decide` is pure: it reads no clock
(the instant is the command's `at`), performs no I/O and never mutates what it is given, so a
refused action changes nothing and a retried click can be decided again safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar, assert_never

from domain.errors import ActionNotAllowed, InvalidInput
from domain.forms.fields import (
    MAX_ACTION_WHAT_LENGTH,
    MAX_ACTION_WHO_LENGTH,
    MAX_CASE_REFERENCE_LENGTH,
    MAX_DETAIL_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_OUTCOME_LENGTH,
    MAX_TEMPLATE_ANSWER_LENGTH,
    MAX_URGENT_REASON_LENGTH,
)
from domain.model import (
    AgreedAction,
    AuditEvent,
    EscalationThread,
    EventKind,
    LscpArea,
    Person,
    PlannedReminder,
    ReminderKind,
    ThreadState,
)
from domain.policy import ProcedurePolicy, require_aware
from domain.procedure import (
    OPENINGS,
    ActionKind,
    Opening,
    allowed_actions,
    describe_state,
    refusal_message,
    target_state,
)
from domain.rethink import (
    FacilitatorCheck,
    RethinkOption,
    check_facilitator_checklist,
    check_hand_over_allowed,
    check_option_belongs_to_current_strategy,
    hand_over_allowed,
    opening_state,
    with_option_chosen,
)

# What people type into a form is refused here by the same limits its card and its check use
# (`domain.forms.fields`), so nothing a card lets through is refused on the way in. These two
# have no form: the reference is the bot's own ("ESC-2026-0007"), and no card asks yet for a
# reason to withdraw or to move a deadline (when one does, declare its field there).
MAX_REFERENCE_LENGTH = 32
MAX_REASON_LENGTH = 2000
# How far ahead a date (meeting, agreed action, extended deadline) may be set.
PLANNING_HORIZON = timedelta(days=366)

NO_CONCERN_YET = "There is no concern to update yet: start a new concern first."


# --- Commands ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Command:
    """Who asks for a change and when (aware): every command carries both."""

    action: ClassVar[ActionKind]
    actor: Person
    at: datetime


@dataclass(frozen=True, kw_only=True)
class OpenHipsThread(Command):
    """Start a concern at HIPS stage 1. The actor is the practitioner raising it, whom the
    procedure keeps informed. A reason for urgency, when given, opens it as urgent."""

    action: ClassVar[ActionKind] = ActionKind.OPEN
    reference: str
    case_reference: str
    lscp_area: LscpArea
    raiser_agency: str
    raiser_role: str
    other_agency: str
    concern_arose_on: date
    other_practitioner: Person | None = None
    line_manager: Person | None = None
    urgent_reason: str | None = None
    template_answers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OpenRethinkThread(Command):
    """Start a Re-think concern; the answer to "Are you the Lead Professional?" picks the
    first strategy."""

    action: ClassVar[ActionKind] = ActionKind.OPEN
    reference: str
    case_reference: str
    lscp_area: LscpArea
    raiser_agency: str
    raiser_role: str
    other_agency: str
    concern_arose_on: date
    is_lead_professional: bool
    other_practitioner: Person | None = None
    line_manager: Person | None = None
    template_answers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Escalate(Command):
    """The current stage is complete and unresolved: go to the next (after stage 5, the email
    to the LSCP has been sent)."""

    action: ClassVar[ActionKind] = ActionKind.ESCALATE


@dataclass(frozen=True, kw_only=True)
class Resolve(Command):
    action: ClassVar[ActionKind] = ActionKind.RESOLVE
    outcome: str


@dataclass(frozen=True, kw_only=True)
class Withdraw(Command):
    action: ClassVar[ActionKind] = ActionKind.WITHDRAW
    reason: str


@dataclass(frozen=True, kw_only=True)
class MarkUrgent(Command):
    """The needs of the child call for more immediate resolution than the indicative timescale."""

    action: ClassVar[ActionKind] = ActionKind.MARK_URGENT
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExtendDeadline(Command):
    action: ClassVar[ActionKind] = ActionKind.EXTEND_DEADLINE
    new_deadline: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class AddNote(Command):
    action: ClassVar[ActionKind] = ActionKind.ADD_NOTE
    text: str


@dataclass(frozen=True, kw_only=True)
class AddAgreedAction(Command):
    action: ClassVar[ActionKind] = ActionKind.ADD_AGREED_ACTION
    what: str
    who: str
    by_when: date


@dataclass(frozen=True, kw_only=True)
class ChooseOption(Command):
    """Record the option of the current strategy being tried and the date of its conversation
    or meeting."""

    action: ClassVar[ActionKind] = ActionKind.CHOOSE_OPTION
    option: RethinkOption
    on_date: date


@dataclass(frozen=True, kw_only=True)
class StillStuck(Command):
    action: ClassVar[ActionKind] = ActionKind.STILL_STUCK
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class HandOverToHips(Command):
    """Move to HIPS stage 1, with the "Structuring your concerns" answers that stage starts from
    (seed 004: "A template is available to help structure/consider your concerns")."""

    action: ClassVar[ActionKind] = ActionKind.HAND_OVER_TO_HIPS
    template_answers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RequestFacilitator(Command):
    """Ask the PSCP for an independent facilitator, having confirmed the seed 002 checklist."""

    action: ClassVar[ActionKind] = ActionKind.REQUEST_FACILITATOR
    confirmed: frozenset[FacilitatorCheck] = frozenset()


OpeningCommand = OpenHipsThread | OpenRethinkThread
ChangeCommand = (
    Escalate
    | Resolve
    | Withdraw
    | MarkUrgent
    | ExtendDeadline
    | AddNote
    | AddAgreedAction
    | ChooseOption
    | StillStuck
    | HandOverToHips
    | RequestFacilitator
)
AnyCommand = OpeningCommand | ChangeCommand


@dataclass(frozen=True)
class Decision:
    """Everything one command changes, to be persisted together."""

    thread: EscalationThread
    events: tuple[AuditEvent, ...]
    reminders: tuple[PlannedReminder, ...] = ()
    cancel_pending_reminders: bool = False


# --- The entry point --------------------------------------------------------------------------


def decide(
    thread: EscalationThread | None, command: AnyCommand, policy: ProcedurePolicy
) -> Decision:
    """What `command` does to `thread` under `policy`.

    Raises ActionNotAllowed when the procedure does not allow it in the thread's state,
    InvalidInput when what was typed breaks a rule, and ValueError for a naive `at`.
    """
    require_aware(command.at)
    if isinstance(command, OpenHipsThread | OpenRethinkThread):
        if thread is not None:
            raise ActionNotAllowed(refusal_message(thread.state, ActionKind.OPEN))
        return _open(command, policy)
    if thread is None:
        raise ActionNotAllowed(NO_CONCERN_YET)
    change = _Change(
        thread=thread,
        command=command,
        policy=policy,
        target=target_state(thread.state, command.action),
    )
    return _apply(change, command)


def actions_offered(thread: EscalationThread) -> frozenset[ActionKind]:
    """What a concern's card offers to do to it now, so no card repeats the procedure's rules.

    An open concern is offered what its state's row of the transition table allows, less what
    its own record rules out and `decide` would refuse: the hand-over from strategy 1 before
    option 3 is chosen, and marking urgent a concern that already is. A closed concern is
    offered nothing: its card is the record of the outcome. (The table still accepts a note on
    a closed concern, which no card offers yet.)
    """
    if not thread.is_open:
        return frozenset()
    ruled_out: set[ActionKind] = set()
    if not hand_over_allowed(thread):
        ruled_out.add(ActionKind.HAND_OVER_TO_HIPS)
    if thread.urgent:
        ruled_out.add(ActionKind.MARK_URGENT)
    return allowed_actions(thread.state) - ruled_out


@dataclass(frozen=True)
class _Change:
    """The facts every change needs, worked out once."""

    thread: EscalationThread
    command: ChangeCommand
    policy: ProcedurePolicy
    target: ThreadState

    @property
    def at(self) -> datetime:
        return self.command.at.astimezone(UTC)

    @property
    def today(self) -> date:
        return self.policy.local_date(self.command.at)

    def event(self, kind: EventKind, note: str | None = None) -> AuditEvent:
        return AuditEvent(
            kind=kind,
            actor=self.command.actor,
            at=self.at,
            from_state=self.thread.state,
            to_state=self.target,
            note=note,
        )

    def next_thread(self) -> EscalationThread:
        """The next version of the thread, in the target state, with its own answers mapping.

        Callers `replace` what else their change sets; the input thread is never touched.
        """
        started_on = self.thread.stage_started_on
        if self.target is not self.thread.state:
            started_on = self.today
        return replace(
            self.thread,
            state=self.target,
            stage_started_on=started_on,
            version=self.thread.version + 1,
            template_answers=dict(self.thread.template_answers),
        )


def _apply(change: _Change, command: ChangeCommand) -> Decision:
    decision: Decision
    match command:
        case Escalate():
            decision = _escalate(change)
        case Resolve(outcome=outcome):
            text = _required_text(outcome, "the outcome", MAX_OUTCOME_LENGTH)
            decision = _close(change, EventKind.RESOLVED, text)
        case Withdraw(reason=reason):
            text = _required_text(reason, "the reason for withdrawing", MAX_REASON_LENGTH)
            decision = _close(change, EventKind.WITHDRAWN, text)
        case MarkUrgent(reason=reason):
            decision = _mark_urgent(change, reason)
        case ExtendDeadline(new_deadline=new_deadline, reason=reason):
            decision = _extend_deadline(change, new_deadline, reason)
        case AddNote(text=text):
            note = _required_text(text, "the note", MAX_NOTE_LENGTH)
            decision = Decision(change.next_thread(), (change.event(EventKind.NOTE_ADDED, note),))
        case AddAgreedAction(what=what, who=who, by_when=by_when):
            decision = _add_agreed_action(change, what, who, by_when)
        case ChooseOption(option=option, on_date=on_date):
            decision = _choose_option(change, option, on_date)
        case StillStuck(note=note):
            decision = _still_stuck(change, note)
        case HandOverToHips(template_answers=answers):
            decision = _hand_over_to_hips(change, answers)
        case RequestFacilitator(confirmed=confirmed):
            check_facilitator_checklist(confirmed)
            event = change.event(EventKind.FACILITATOR_REQUESTED)
            decision = Decision(change.next_thread(), (event,))
        case _:
            assert_never(command)
    return decision


# --- Opening ----------------------------------------------------------------------------------


def _open(command: OpeningCommand, policy: ProcedurePolicy) -> Decision:
    at = command.at.astimezone(UTC)
    today = policy.local_date(at)
    if command.concern_arose_on > today:
        raise InvalidInput("The date the concern arose cannot be in the future.")
    urgent_reason: str | None = None
    if isinstance(command, OpenHipsThread):
        state = OPENINGS[Opening.HIPS_CONCERN]
        if command.urgent_reason is not None:
            urgent_reason = _required_text(
                command.urgent_reason, "why this concern is urgent", MAX_URGENT_REASON_LENGTH
            )
        started_on = command.concern_arose_on
        deadline: date | None = policy.stage_deadline(started_on, urgent=urgent_reason is not None)
        is_lead_professional = False
    else:
        state = opening_state(is_lead_professional=command.is_lead_professional)
        started_on = today
        deadline = None
        is_lead_professional = command.is_lead_professional
    thread = EscalationThread(
        reference=_required_text(command.reference, "the reference", MAX_REFERENCE_LENGTH),
        state=state,
        case_reference=_required_text(
            command.case_reference, "the case reference", MAX_CASE_REFERENCE_LENGTH
        ),
        lscp_area=command.lscp_area,
        raised_by=command.actor,
        raiser_agency=_required_text(command.raiser_agency, "your agency", MAX_DETAIL_LENGTH),
        raiser_role=_required_text(command.raiser_role, "your role", MAX_DETAIL_LENGTH),
        other_agency=_required_text(command.other_agency, "the other agency", MAX_DETAIL_LENGTH),
        concern_arose_on=command.concern_arose_on,
        stage_started_on=started_on,
        deadline=deadline,
        opened_at=at,
        urgent=urgent_reason is not None,
        urgent_reason=urgent_reason,
        other_practitioner=command.other_practitioner,
        line_manager=command.line_manager,
        is_lead_professional=is_lead_professional,
        version=1,
        template_answers=_clean_template_answers(command.template_answers),
    )
    events = [AuditEvent(EventKind.OPENED, command.actor, at, None, state)]
    if urgent_reason is not None:
        events.append(
            AuditEvent(EventKind.MARKED_URGENT, command.actor, at, state, state, urgent_reason)
        )
    reminders = _stage_reminders(thread, policy, at) if deadline is not None else ()
    return Decision(thread, tuple(events), reminders)


def _clean_template_answers(answers: Mapping[str, str]) -> dict[str, str]:
    """A copy of the answers given, trimmed, without blanks."""
    cleaned: dict[str, str] = {}
    for question, answer in answers.items():
        text = answer.strip()
        if not text:
            continue
        if len(text) > MAX_TEMPLATE_ANSWER_LENGTH:
            raise InvalidInput(
                f"One of the template answers is too long: please keep each answer under "
                f"{MAX_TEMPLATE_ANSWER_LENGTH} characters."
            )
        cleaned[question] = text
    return cleaned


# --- HIPS changes -----------------------------------------------------------------------------


def _escalate(change: _Change) -> Decision:
    if change.target is ThreadState.REFERRED_TO_LSCP:
        return _close(change, EventKind.REFERRED_TO_LSCP, None)
    return _start_hips_stage(change, EventKind.STAGE_ESCALATED)


def _hand_over_to_hips(change: _Change, answers: Mapping[str, str]) -> Decision:
    """Re-think to HIPS stage 1, keeping the template answers stage 1 starts from."""
    check_hand_over_allowed(change.thread)
    decision = _start_hips_stage(change, EventKind.HANDED_OVER_TO_HIPS)
    if not answers:
        return decision
    merged = {**decision.thread.template_answers, **_clean_template_answers(answers)}
    return replace(decision, thread=replace(decision.thread, template_answers=merged))


def _start_hips_stage(change: _Change, kind: EventKind) -> Decision:
    """Enter a HIPS stage: its two working days run from the local date of this change."""
    deadline = change.policy.stage_deadline(change.today, urgent=change.thread.urgent)
    thread = replace(change.next_thread(), deadline=deadline)
    return Decision(
        thread,
        (change.event(kind),),
        _stage_reminders(thread, change.policy, change.at),
        cancel_pending_reminders=True,
    )


def _close(change: _Change, kind: EventKind, note: str | None) -> Decision:
    """Resolved, withdrawn or with the LSCP: no stage deadline, nothing left to remind about."""
    return Decision(
        replace(change.next_thread(), deadline=None),
        (change.event(kind, note),),
        cancel_pending_reminders=True,
    )


def _mark_urgent(change: _Change, reason: str) -> Decision:
    """Urgent from now on: the current stage is due no later than the urgent allowance from
    today, and later stages get the urgent allowance too."""
    if change.thread.urgent:
        raise ActionNotAllowed(
            f"This concern is {describe_state(change.thread.state)} and already marked urgent, "
            "so it cannot be marked urgent again. Add a note if there is more to record."
        )
    text = _required_text(reason, "why this concern is urgent", MAX_URGENT_REASON_LENGTH)
    urgent_deadline = change.policy.stage_deadline(change.today, urgent=True)
    current = change.thread.deadline
    deadline = urgent_deadline if current is None else min(current, urgent_deadline)
    thread = replace(change.next_thread(), urgent=True, urgent_reason=text, deadline=deadline)
    return Decision(
        thread,
        (change.event(EventKind.MARKED_URGENT, text),),
        _stage_reminders(thread, change.policy, change.at),
        cancel_pending_reminders=True,
    )


def _extend_deadline(change: _Change, new_deadline: date, reason: str) -> Decision:
    text = _required_text(reason, "the reason for the new deadline", MAX_REASON_LENGTH)
    current = change.thread.deadline
    if not change.policy.calendar.is_working_day(new_deadline):
        raise InvalidInput(
            f"{format_day(new_deadline)} is not a working day: please choose a working day."
        )
    if current is not None and new_deadline <= current:
        raise InvalidInput(
            f"The new deadline must be later than the current one, {format_day(current)}."
        )
    _check_within_planning_horizon(new_deadline, change.today, "The new deadline")
    thread = replace(change.next_thread(), deadline=new_deadline)
    moved = "Deadline set" if current is None else f"Deadline moved from {format_day(current)}"
    note = f"{moved} to {format_day(new_deadline)}. Reason: {text}"
    return Decision(
        thread,
        (change.event(EventKind.DEADLINE_EXTENDED, note),),
        _stage_reminders(thread, change.policy, change.at),
        cancel_pending_reminders=True,
    )


def _add_agreed_action(change: _Change, what: str, who: str, by_when: date) -> Decision:
    action = AgreedAction(
        what=_required_text(what, "what was agreed", MAX_ACTION_WHAT_LENGTH),
        who=_required_text(who, "who will do it", MAX_ACTION_WHO_LENGTH),
        by_when=by_when,
    )
    _check_within_planning_horizon(by_when, change.today, "The date it is due by")
    thread = replace(change.next_thread(), agreed_actions=(*change.thread.agreed_actions, action))
    note = f"{action.what} (who: {action.who}; by {format_day(by_when)})"
    return Decision(thread, (change.event(EventKind.AGREED_ACTION_ADDED, note),))


def _stage_reminders(
    thread: EscalationThread, policy: ProcedurePolicy, now: datetime
) -> tuple[PlannedReminder, ...]:
    """A stage-due reminder on the deadline morning and an overdue one the next working
    morning; a deadline that has already gone by gets only the overdue reminder, now."""
    deadline = thread.deadline
    if deadline is None:
        return ()
    overdue = PlannedReminder(
        kind=ReminderKind.STAGE_OVERDUE,
        due_at=policy.overdue_reminder_at(deadline, now),
        recipient=thread.raised_by,
        state=thread.state,
    )
    if policy.is_past_deadline(deadline, now):
        return (overdue,)
    due = PlannedReminder(
        kind=ReminderKind.STAGE_DUE,
        due_at=policy.due_reminder_at(deadline, now),
        recipient=thread.raised_by,
        state=thread.state,
    )
    return (due, overdue)


# --- Re-think changes -------------------------------------------------------------------------


def _choose_option(change: _Change, option: RethinkOption, on_date: date) -> Decision:
    """Record the option and its date; that date becomes the strategy's "deadline" and the
    reminder asks for the outcome the next working morning. A newly chosen option supersedes
    the previous option's reminder."""
    check_option_belongs_to_current_strategy(change.thread.state, option)
    if on_date < change.thread.concern_arose_on:
        raise InvalidInput(
            "The date of the conversation or meeting cannot be before the concern arose, "
            f"{format_day(change.thread.concern_arose_on)}."
        )
    # A conversation already held may be recorded afterwards, so a past date is fine.
    _check_not_too_far_ahead(on_date, change.today, "The date of the conversation or meeting")
    thread = replace(
        change.next_thread(),
        deadline=on_date,
        rethink_options=with_option_chosen(change.thread, option),
    )
    note = (
        f"Strategy {int(option.strategy)}, option {option.number}: “{option.wording}”. "
        f"Date: {format_day(on_date)}."
    )
    reminder = PlannedReminder(
        kind=ReminderKind.OUTCOME_DUE,
        due_at=max(change.policy.first_working_moment_after_day(on_date), change.at),
        recipient=thread.raised_by,
        state=thread.state,
    )
    return Decision(
        thread,
        (change.event(EventKind.STRATEGY_OPTION_CHOSEN, note),),
        (reminder,),
        cancel_pending_reminders=True,
    )


def _still_stuck(change: _Change, note: str | None) -> Decision:
    """On to the next strategy: nothing is planned there yet, so there is no date to remind."""
    text = None if note is None else _required_text(note, "the note", MAX_NOTE_LENGTH)
    return Decision(
        replace(change.next_thread(), deadline=None),
        (change.event(EventKind.STRATEGY_MOVED_ON, text),),
        cancel_pending_reminders=True,
    )


# --- Validation helpers -----------------------------------------------------------------------


def _required_text(value: str, what: str, max_length: int) -> str:
    """`value` trimmed, refusing blanks and anything longer than `max_length`."""
    text = value.strip()
    if not text:
        raise InvalidInput(f"Please enter {what}.")
    if len(text) > max_length:
        raise InvalidInput(
            f"That is too long for {what}: please keep it under {max_length} characters."
        )
    return text


def _check_within_planning_horizon(day: date, today: date, what: str) -> None:
    """A date still to come: not in the past, and not absurdly far ahead."""
    if day < today:
        raise InvalidInput(f"{what} cannot be in the past.")
    _check_not_too_far_ahead(day, today, what)


def _check_not_too_far_ahead(day: date, today: date, what: str) -> None:
    if day > today + PLANNING_HORIZON:
        raise InvalidInput(f"{what} must be within a year from today.")


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_day(day: date) -> str:
    """A date as practitioners write it, e.g. "Tuesday 29 December 2026".

    Spelt out here rather than with strftime, whose names follow the process locale.
    """
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"
