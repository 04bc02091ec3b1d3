"""`decide` for HIPS concerns and the timing policy: deadlines over bank holidays and clock
changes, urgent concerns, extensions, reminder instants checked by hand, immutability and the
validation of what people type."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from domain.decisions import (
    AddAgreedAction,
    AddNote,
    AnyCommand,
    ChooseOption,
    Decision,
    Escalate,
    ExtendDeadline,
    HandOverToHips,
    MarkUrgent,
    OpenHipsThread,
    OpenRethinkThread,
    Resolve,
    StillStuck,
    Withdraw,
    decide,
    format_day,
)
from domain.errors import ActionNotAllowed, InvalidInput
from domain.forms.fields import MAX_NOTE_LENGTH, MAX_OUTCOME_LENGTH
from domain.model import (
    AgreedAction,
    EscalationThread,
    EventKind,
    LscpArea,
    Person,
    ReminderKind,
    ThreadState,
)
from domain.policy import ProcedurePolicy
from domain.rethink import RethinkOption, options_chosen
from domain.working_days import ENGLAND

POLICY = ProcedurePolicy(calendar=ENGLAND)
TEACHER = Person(name="Tess Teacher", email="tess@school.example", user_id="aad-3")
MANAGER = Person(name="Morgan Manager", email="morgan@school.example", user_id="aad-4")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def open_hips(
    *,
    at: datetime,
    concern_arose_on: date,
    urgent_reason: str | None = None,
    template_answers: dict[str, str] | None = None,
    policy: ProcedurePolicy = POLICY,
) -> Decision:
    return decide(
        None,
        OpenHipsThread(
            actor=TEACHER,
            at=at,
            reference="ESC-2026-0007",
            case_reference="  SC-2026-118  ",
            lscp_area=LscpArea.HAMPSHIRE,
            raiser_agency="Secondary school",
            raiser_role="Designated safeguarding lead",
            other_agency="Children's social care",
            concern_arose_on=concern_arose_on,
            line_manager=MANAGER,
            urgent_reason=urgent_reason,
            template_answers=template_answers or {},
        ),
        policy,
    )


def escalate(thread: EscalationThread, at: datetime) -> Decision:
    return decide(thread, Escalate(actor=TEACHER, at=at), POLICY)


def reminders_of(decision: Decision) -> list[tuple[ReminderKind, datetime]]:
    return [(reminder.kind, reminder.due_at) for reminder in decision.reminders]


# --- Opening ----------------------------------------------------------------------------------


def test_opening_a_hips_concern_starts_stage_one_as_version_one_raised_by_the_actor() -> None:
    decision = open_hips(at=utc(2026, 7, 15, 10), concern_arose_on=date(2026, 7, 14))
    thread = decision.thread
    assert thread.state is ThreadState.STAGE_1
    assert thread.version == 1
    assert thread.raised_by == TEACHER
    assert thread.case_reference == "SC-2026-118"
    assert thread.stage_started_on == date(2026, 7, 14)
    assert thread.opened_at == utc(2026, 7, 15, 10)
    assert [(e.kind, e.from_state, e.to_state) for e in decision.events] == [
        (EventKind.OPENED, None, ThreadState.STAGE_1)
    ]
    assert decision.cancel_pending_reminders is False


def test_stage_one_deadline_skips_christmas_and_the_boxing_day_substitute() -> None:
    # Wednesday 23 December 2026: Thursday 24 is day 1; Friday 25 (Christmas), the weekend and
    # Monday 28 (Boxing Day, observed) do not count; Tuesday 29 is day 2.
    decision = open_hips(at=utc(2026, 12, 23, 15), concern_arose_on=date(2026, 12, 23))
    assert decision.thread.deadline == date(2026, 12, 29)


def test_stage_one_deadline_from_christmas_eve_is_the_second_working_day_after_it() -> None:
    # Thursday 24 December 2026 itself does not count: Tuesday 29 is day 1, Wednesday 30 day 2.
    decision = open_hips(at=utc(2026, 12, 24, 11), concern_arose_on=date(2026, 12, 24))
    assert decision.thread.deadline == date(2026, 12, 30)


def test_stage_one_counts_from_when_the_concern_arose_not_when_it_was_recorded() -> None:
    # Arose Monday 13 July, recorded Tuesday 14 July: due Wednesday 15 July.
    decision = open_hips(at=utc(2026, 7, 14, 9), concern_arose_on=date(2026, 7, 13))
    assert decision.thread.deadline == date(2026, 7, 15)


def test_stage_reminders_fall_at_nine_in_the_morning_london_time_in_winter() -> None:
    decision = open_hips(at=utc(2026, 12, 23, 15), concern_arose_on=date(2026, 12, 23))
    # Due Tuesday 29 December 09:00 GMT; overdue Wednesday 30 December 09:00 GMT.
    assert reminders_of(decision) == [
        (ReminderKind.STAGE_DUE, utc(2026, 12, 29, 9)),
        (ReminderKind.STAGE_OVERDUE, utc(2026, 12, 30, 9)),
    ]
    assert all(reminder.recipient == TEACHER for reminder in decision.reminders)
    assert all(reminder.state is ThreadState.STAGE_1 for reminder in decision.reminders)


def test_an_overdue_reminder_after_a_friday_deadline_waits_for_monday_morning_bst() -> None:
    # Arose Wednesday 15 July 2026: due Friday 17 July; overdue Monday 20 July 09:00 BST.
    decision = open_hips(at=utc(2026, 7, 15, 10), concern_arose_on=date(2026, 7, 15))
    assert reminders_of(decision) == [
        (ReminderKind.STAGE_DUE, utc(2026, 7, 17, 8)),
        (ReminderKind.STAGE_OVERDUE, utc(2026, 7, 20, 8)),
    ]


def test_an_overdue_reminder_across_the_october_clock_change_is_nine_gmt() -> None:
    # Arose Wednesday 21 October 2026: due Friday 23 (09:00 BST = 08:00 UTC); clocks go back on
    # Sunday 25 October, so Monday 26 at 09:00 is 09:00 UTC.
    decision = open_hips(at=utc(2026, 10, 21, 12), concern_arose_on=date(2026, 10, 21))
    assert reminders_of(decision) == [
        (ReminderKind.STAGE_DUE, utc(2026, 10, 23, 8)),
        (ReminderKind.STAGE_OVERDUE, utc(2026, 10, 26, 9)),
    ]


def test_a_concern_already_past_its_deadline_gets_only_an_overdue_reminder_now() -> None:
    at = utc(2026, 7, 22, 13)
    decision = open_hips(at=at, concern_arose_on=date(2026, 7, 13))
    assert decision.thread.deadline == date(2026, 7, 15)
    assert reminders_of(decision) == [(ReminderKind.STAGE_OVERDUE, at)]


def test_a_concern_cannot_have_arisen_in_the_future() -> None:
    # 23:30 UTC on Wednesday 15 July is already Thursday 16 July in London.
    open_hips(at=utc(2026, 7, 15, 23, 30), concern_arose_on=date(2026, 7, 16))
    with pytest.raises(InvalidInput, match="future"):
        open_hips(at=utc(2026, 7, 15, 22, 30), concern_arose_on=date(2026, 7, 17))


def test_template_answers_are_copied_trimmed_and_blanks_dropped() -> None:
    answers = {"decision_of_concern": "  Case closed at front door  ", "next_steps": "   "}
    before = dict(answers)
    decision = open_hips(
        at=utc(2026, 7, 15, 10), concern_arose_on=date(2026, 7, 15), template_answers=answers
    )
    assert decision.thread.template_answers == {"decision_of_concern": "Case closed at front door"}
    assert answers == before
    assert decision.thread.template_answers is not answers


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_a_blank_case_reference_is_refused(blank: str) -> None:
    with pytest.raises(InvalidInput, match="case reference"):
        decide(
            None,
            OpenHipsThread(
                actor=TEACHER,
                at=utc(2026, 7, 15, 10),
                reference="ESC-2026-0007",
                case_reference=blank,
                lscp_area=LscpArea.HAMPSHIRE,
                raiser_agency="School",
                raiser_role="DSL",
                other_agency="CSC",
                concern_arose_on=date(2026, 7, 15),
            ),
            POLICY,
        )


def test_opening_a_concern_that_already_exists_is_refused() -> None:
    thread = open_hips(at=utc(2026, 7, 15, 10), concern_arose_on=date(2026, 7, 15)).thread
    command = OpenHipsThread(
        actor=TEACHER,
        at=utc(2026, 7, 15, 11),
        reference="ESC-2026-0008",
        case_reference="SC-1",
        lscp_area=LscpArea.HAMPSHIRE,
        raiser_agency="School",
        raiser_role="DSL",
        other_agency="CSC",
        concern_arose_on=date(2026, 7, 15),
    )
    with pytest.raises(ActionNotAllowed, match="cannot be opened again"):
        decide(thread, command, POLICY)


def test_acting_on_a_concern_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ActionNotAllowed, match="start a new concern"):
        decide(None, Escalate(actor=TEACHER, at=utc(2026, 7, 15, 10)), POLICY)


# --- Escalating -------------------------------------------------------------------------------


def test_the_next_stage_counts_from_the_local_date_of_the_escalation_in_summer() -> None:
    thread = open_hips(at=utc(2026, 7, 13, 10), concern_arose_on=date(2026, 7, 13)).thread
    # 23:30 UTC on Wednesday 15 July is 00:30 BST on Thursday 16 July: day 1 is Friday 17,
    # day 2 is Monday 20. Counting from the UTC date would wrongly give Friday 17.
    decision = escalate(thread, utc(2026, 7, 15, 23, 30))
    assert decision.thread.state is ThreadState.STAGE_2
    assert decision.thread.stage_started_on == date(2026, 7, 16)
    assert decision.thread.deadline == date(2026, 7, 20)


def test_escalating_replans_reminders_and_voids_the_previous_stages() -> None:
    thread = open_hips(at=utc(2026, 7, 13, 10), concern_arose_on=date(2026, 7, 13)).thread
    decision = escalate(thread, utc(2026, 7, 15, 10))
    assert decision.cancel_pending_reminders is True
    assert reminders_of(decision) == [
        (ReminderKind.STAGE_DUE, utc(2026, 7, 17, 8)),
        (ReminderKind.STAGE_OVERDUE, utc(2026, 7, 20, 8)),
    ]
    assert all(reminder.state is ThreadState.STAGE_2 for reminder in decision.reminders)


def test_escalation_through_every_stage_ends_referred_to_the_lscp_with_no_deadline() -> None:
    decision = open_hips(at=utc(2026, 7, 13, 10), concern_arose_on=date(2026, 7, 13))
    states = []
    for day in (14, 15, 16, 17, 20):
        decision = escalate(decision.thread, utc(2026, 7, day, 10))
        states.append((decision.events[0].kind, decision.thread.state))
    assert states == [
        (EventKind.STAGE_ESCALATED, ThreadState.STAGE_2),
        (EventKind.STAGE_ESCALATED, ThreadState.STAGE_3),
        (EventKind.STAGE_ESCALATED, ThreadState.STAGE_4),
        (EventKind.STAGE_ESCALATED, ThreadState.STAGE_5),
        (EventKind.REFERRED_TO_LSCP, ThreadState.REFERRED_TO_LSCP),
    ]
    assert decision.thread.deadline is None
    assert decision.reminders == ()
    assert decision.cancel_pending_reminders is True
    assert decision.thread.version == 6


@pytest.mark.parametrize(
    ("command", "kind", "state", "note"),
    [
        (
            Resolve(actor=TEACHER, at=utc(2026, 7, 14, 10), outcome="  Step up agreed.  "),
            EventKind.RESOLVED,
            ThreadState.RESOLVED,
            "Step up agreed.",
        ),
        (
            Withdraw(actor=TEACHER, at=utc(2026, 7, 14, 10), reason="New information."),
            EventKind.WITHDRAWN,
            ThreadState.WITHDRAWN,
            "New information.",
        ),
    ],
)
def test_closing_records_the_text_cancels_reminders_and_plans_none(
    command: AnyCommand, kind: EventKind, state: ThreadState, note: str
) -> None:
    thread = open_hips(at=utc(2026, 7, 13, 10), concern_arose_on=date(2026, 7, 13)).thread
    decision = decide(thread, command, POLICY)
    assert decision.thread.state is state
    assert decision.thread.deadline is None
    assert decision.reminders == ()
    assert decision.cancel_pending_reminders is True
    assert [(e.kind, e.from_state, e.to_state, e.note) for e in decision.events] == [
        (kind, ThreadState.STAGE_1, state, note)
    ]


# --- Urgent concerns --------------------------------------------------------------------------


def test_an_urgent_concern_is_due_the_same_working_day() -> None:
    decision = open_hips(
        at=utc(2026, 7, 15, 7), concern_arose_on=date(2026, 7, 15), urgent_reason="Child at home"
    )
    assert decision.thread.deadline == date(2026, 7, 15)
    assert decision.thread.urgent is True
    assert decision.thread.urgent_reason == "Child at home"
    assert [(e.kind, e.note) for e in decision.events] == [
        (EventKind.OPENED, None),
        (EventKind.MARKED_URGENT, "Child at home"),
    ]


def test_an_urgent_concern_raised_on_a_saturday_is_due_on_monday() -> None:
    decision = open_hips(
        at=utc(2026, 7, 18, 10), concern_arose_on=date(2026, 7, 18), urgent_reason="Disclosure"
    )
    assert decision.thread.deadline == date(2026, 7, 20)


def test_an_urgent_concern_raised_after_nine_is_reminded_at_once() -> None:
    at = utc(2026, 7, 15, 13)
    decision = open_hips(at=at, concern_arose_on=date(2026, 7, 15), urgent_reason="Disclosure")
    assert reminders_of(decision) == [
        (ReminderKind.STAGE_DUE, at),
        (ReminderKind.STAGE_OVERDUE, utc(2026, 7, 16, 8)),
    ]


def test_an_urgent_concern_stays_urgent_at_the_next_stage() -> None:
    thread = open_hips(
        at=utc(2026, 7, 15, 7), concern_arose_on=date(2026, 7, 15), urgent_reason="Disclosure"
    ).thread
    decision = escalate(thread, utc(2026, 7, 15, 16))
    assert decision.thread.deadline == date(2026, 7, 15)


def test_marking_urgent_brings_the_deadline_forward_to_today_and_replans() -> None:
    thread = open_hips(at=utc(2026, 7, 13, 10), concern_arose_on=date(2026, 7, 13)).thread
    assert thread.deadline == date(2026, 7, 15)
    at = utc(2026, 7, 14, 7, 30)
    decision = decide(thread, MarkUrgent(actor=MANAGER, at=at, reason=" Child missing "), POLICY)
    assert decision.thread.urgent is True
    assert decision.thread.urgent_reason == "Child missing"
    assert decision.thread.deadline == date(2026, 7, 14)
    assert decision.thread.state is ThreadState.STAGE_1
    assert decision.cancel_pending_reminders is True
    assert reminders_of(decision) == [
        (ReminderKind.STAGE_DUE, utc(2026, 7, 14, 8)),
        (ReminderKind.STAGE_OVERDUE, utc(2026, 7, 15, 8)),
    ]
    assert decision.events[0].actor == MANAGER


def test_marking_urgent_never_moves_a_deadline_later() -> None:
    thread = open_hips(at=utc(2026, 7, 17, 10), concern_arose_on=date(2026, 7, 15)).thread
    assert thread.deadline == date(2026, 7, 17)
    # Saturday 18 July: "same working day" would be Monday 20, later than Friday 17.
    decision = decide(
        thread, MarkUrgent(actor=TEACHER, at=utc(2026, 7, 18, 10), reason="Disclosure"), POLICY
    )
    assert decision.thread.deadline == date(2026, 7, 17)


def test_marking_an_urgent_concern_urgent_again_is_refused() -> None:
    thread = open_hips(
        at=utc(2026, 7, 15, 7), concern_arose_on=date(2026, 7, 15), urgent_reason="Disclosure"
    ).thread
    with pytest.raises(ActionNotAllowed, match="already marked urgent"):
        decide(thread, MarkUrgent(actor=TEACHER, at=utc(2026, 7, 15, 9), reason="Again"), POLICY)


def test_marking_urgent_needs_a_reason() -> None:
    thread = open_hips(at=utc(2026, 7, 13, 10), concern_arose_on=date(2026, 7, 13)).thread
    with pytest.raises(InvalidInput, match="urgent"):
        decide(thread, MarkUrgent(actor=TEACHER, at=utc(2026, 7, 14, 9), reason="  "), POLICY)


# --- Extending a deadline ---------------------------------------------------------------------


def stage_one_due_friday() -> EscalationThread:
    thread = open_hips(at=utc(2026, 7, 15, 10), concern_arose_on=date(2026, 7, 15)).thread
    assert thread.deadline == date(2026, 7, 17)
    return thread


def extend(thread: EscalationThread, new_deadline: date, at: datetime | None = None) -> Decision:
    command = ExtendDeadline(
        actor=MANAGER,
        at=at or utc(2026, 7, 16, 10),
        new_deadline=new_deadline,
        reason="Head of service on leave",
    )
    return decide(thread, command, POLICY)


def test_extending_moves_the_deadline_records_why_and_replans_reminders() -> None:
    decision = extend(stage_one_due_friday(), date(2026, 7, 21))
    assert decision.thread.deadline == date(2026, 7, 21)
    assert decision.thread.state is ThreadState.STAGE_1
    assert decision.cancel_pending_reminders is True
    assert reminders_of(decision) == [
        (ReminderKind.STAGE_DUE, utc(2026, 7, 21, 8)),
        (ReminderKind.STAGE_OVERDUE, utc(2026, 7, 22, 8)),
    ]
    assert decision.events[0].kind is EventKind.DEADLINE_EXTENDED
    assert decision.events[0].note == (
        "Deadline moved from Friday 17 July 2026 to Tuesday 21 July 2026. "
        "Reason: Head of service on leave"
    )


@pytest.mark.parametrize(
    ("new_deadline", "why"),
    [
        (date(2026, 7, 18), "not a working day"),  # Saturday
        (date(2026, 8, 31), "not a working day"),  # Late Summer Bank Holiday
        (date(2026, 7, 17), "later than the current one"),  # the current deadline itself
        (date(2026, 7, 16), "later than the current one"),
        (date(2027, 8, 2), "within a year"),
    ],
)
def test_extending_to_an_unsuitable_date_is_refused(new_deadline: date, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        extend(stage_one_due_friday(), new_deadline)


def test_extending_a_long_past_deadline_to_a_date_still_in_the_past_is_refused() -> None:
    thread = stage_one_due_friday()
    with pytest.raises(InvalidInput, match="past"):
        extend(thread, date(2026, 7, 20), at=utc(2026, 7, 22, 10))


def test_extending_needs_a_reason() -> None:
    command = ExtendDeadline(
        actor=MANAGER, at=utc(2026, 7, 16, 10), new_deadline=date(2026, 7, 21), reason=""
    )
    with pytest.raises(InvalidInput, match="reason"):
        decide(stage_one_due_friday(), command, POLICY)


# --- Notes and agreed actions -----------------------------------------------------------------


def test_a_note_is_recorded_without_changing_state_or_reminders() -> None:
    thread = stage_one_due_friday()
    decision = decide(
        thread, AddNote(actor=TEACHER, at=utc(2026, 7, 16, 10), text="Called CSC duty"), POLICY
    )
    assert decision.thread.state is ThreadState.STAGE_1
    assert decision.thread.deadline == thread.deadline
    assert decision.reminders == ()
    assert decision.cancel_pending_reminders is False
    assert (decision.events[0].kind, decision.events[0].note) == (
        EventKind.NOTE_ADDED,
        "Called CSC duty",
    )


def test_a_note_can_still_be_added_once_resolved() -> None:
    resolved = decide(
        stage_one_due_friday(),
        Resolve(actor=TEACHER, at=utc(2026, 7, 16, 10), outcome="Agreed"),
        POLICY,
    ).thread
    decision = decide(
        resolved, AddNote(actor=TEACHER, at=utc(2026, 7, 30, 10), text="Checked in"), POLICY
    )
    assert decision.thread.state is ThreadState.RESOLVED
    assert decision.thread.version == resolved.version + 1


def test_an_agreed_action_is_appended_with_what_who_and_by_when() -> None:
    thread = stage_one_due_friday()
    decision = decide(
        thread,
        AddAgreedAction(
            actor=TEACHER,
            at=utc(2026, 7, 16, 10),
            what="Send the chronology",
            who="DSL",
            by_when=date(2026, 7, 20),
        ),
        POLICY,
    )
    assert decision.thread.agreed_actions == (
        AgreedAction(what="Send the chronology", who="DSL", by_when=date(2026, 7, 20)),
    )
    assert decision.events[0].note == "Send the chronology (who: DSL; by Monday 20 July 2026)"


def test_an_agreed_action_due_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidInput, match="past"):
        decide(
            stage_one_due_friday(),
            AddAgreedAction(
                actor=TEACHER,
                at=utc(2026, 7, 16, 10),
                what="Send the chronology",
                who="DSL",
                by_when=date(2026, 7, 15),
            ),
            POLICY,
        )


@pytest.mark.parametrize(
    "command",
    [
        AddNote(actor=TEACHER, at=utc(2026, 7, 16, 10), text="x" * (MAX_NOTE_LENGTH + 1)),
        Resolve(actor=TEACHER, at=utc(2026, 7, 16, 10), outcome="x" * (MAX_OUTCOME_LENGTH + 1)),
        Resolve(actor=TEACHER, at=utc(2026, 7, 16, 10), outcome=" \n "),
        Withdraw(actor=TEACHER, at=utc(2026, 7, 16, 10), reason=""),
        AddAgreedAction(
            actor=TEACHER, at=utc(2026, 7, 16, 10), what=" ", who="DSL", by_when=date(2026, 7, 20)
        ),
    ],
)
def test_blank_or_overlong_text_is_refused(command: AnyCommand) -> None:
    with pytest.raises(InvalidInput):
        decide(stage_one_due_friday(), command, POLICY)


def test_text_at_the_maximum_length_is_accepted() -> None:
    decision = decide(
        stage_one_due_friday(),
        AddNote(actor=TEACHER, at=utc(2026, 7, 16, 10), text="x" * MAX_NOTE_LENGTH),
        POLICY,
    )
    assert decision.events[0].note == "x" * MAX_NOTE_LENGTH


# --- Purity -----------------------------------------------------------------------------------


def test_decide_never_mutates_the_thread_it_is_given() -> None:
    thread = open_hips(
        at=utc(2026, 7, 15, 10),
        concern_arose_on=date(2026, 7, 15),
        template_answers={"outcomes_sought": "A CIN assessment"},
    ).thread
    snapshot = copy.deepcopy(thread)
    decision = escalate(thread, utc(2026, 7, 16, 10))
    assert thread == snapshot
    assert decision.thread.template_answers == thread.template_answers
    assert decision.thread.template_answers is not thread.template_answers
    assert decision.thread.version == thread.version + 1


def test_a_refused_action_changes_nothing() -> None:
    thread = stage_one_due_friday()
    snapshot = copy.deepcopy(thread)
    with pytest.raises(InvalidInput):
        extend(thread, date(2026, 7, 18))
    with pytest.raises(ActionNotAllowed):
        decide(thread, StillStuck(actor=TEACHER, at=utc(2026, 7, 16, 10)), POLICY)
    assert thread == snapshot


def test_deciding_twice_gives_the_same_answer() -> None:
    thread = stage_one_due_friday()
    command = Escalate(actor=TEACHER, at=utc(2026, 7, 16, 10))
    assert decide(thread, command, POLICY) == decide(thread, command, POLICY)


def test_a_naive_instant_is_a_programming_error() -> None:
    naive = datetime(2026, 7, 16, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        escalate(stage_one_due_friday(), naive)


def test_events_are_stamped_in_utc_whatever_offset_the_command_used() -> None:
    at = datetime(2026, 7, 16, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    decision = escalate(stage_one_due_friday(), at)
    assert decision.events[0].at == utc(2026, 7, 16, 10)
    assert decision.events[0].at.tzinfo is UTC


# --- The policy -------------------------------------------------------------------------------


def test_a_slower_policy_gives_each_stage_more_working_days() -> None:
    policy = ProcedurePolicy(calendar=ENGLAND, working_days_per_stage=5, urgent_working_days=1)
    assert policy.stage_deadline(date(2026, 7, 15), urgent=False) == date(2026, 7, 22)
    assert policy.stage_deadline(date(2026, 7, 17), urgent=True) == date(2026, 7, 20)


def test_the_reminder_time_and_timezone_come_from_the_policy() -> None:
    policy = ProcedurePolicy(
        calendar=ENGLAND, timezone=ZoneInfo("America/New_York"), reminder_time=time(8, 30)
    )
    # 08:30 EDT on Friday 17 July 2026 is 12:30 UTC.
    assert policy.at_reminder_time(date(2026, 7, 17)) == utc(2026, 7, 17, 12, 30)


@pytest.mark.parametrize(
    "settings",
    [
        {"working_days_per_stage": -1},
        {"urgent_working_days": 3},
        {"reminder_time": time(9, 0, tzinfo=UTC)},
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        ProcedurePolicy(calendar=ENGLAND, **settings)  # type: ignore[arg-type]


def test_local_date_of_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        POLICY.local_date(datetime(2026, 7, 16, 10, 0))


def test_days_are_written_out_in_full_english() -> None:
    assert format_day(date(2026, 12, 29)) == "Tuesday 29 December 2026"


RETHINK_ACTOR = Person(name="Alex Morgan", user_id="alex")
# Monday 23 November 2026, 10:00 in London.
RETHINK_AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def open_rethink(template_answers: dict[str, str] | None = None) -> EscalationThread:
    """A Re-think concern at Strategy 1 (the raiser is not the Lead Professional)."""
    return decide(
        None,
        OpenRethinkThread(
            actor=RETHINK_ACTOR,
            at=RETHINK_AT,
            reference="ESC-2026-0001",
            case_reference="PCC-1",
            lscp_area=LscpArea.PORTSMOUTH,
            raiser_agency="School",
            raiser_role="DSL",
            other_agency="Social care",
            concern_arose_on=date(2026, 11, 20),
            is_lead_professional=False,
            template_answers=template_answers or {},
        ),
        POLICY,
    ).thread


def choose_option(thread: EscalationThread, option: RethinkOption) -> EscalationThread:
    command = ChooseOption(
        actor=RETHINK_ACTOR, at=RETHINK_AT, option=option, on_date=RETHINK_AT.date()
    )
    return decide(thread, command, POLICY).thread


def test_choosing_options_appends_to_the_rethink_record_and_leaves_template_answers_alone() -> None:
    opened = open_rethink({"q1": "The referral was closed without a plan."})
    first = choose_option(opened, RethinkOption.S1_RESTORATIVE_CONVERSATION)
    second = choose_option(first, RethinkOption.S1_CONSULT_HIPS)

    assert opened.rethink_options == ()
    assert first.rethink_options == ("s1_restorative_conversation",)
    assert second.rethink_options == ("s1_restorative_conversation", "s1_consult_hips")
    for thread in (first, second):
        assert thread.template_answers == {"q1": "The referral was closed without a plan."}


def test_a_hand_over_to_hips_keeps_the_template_answers_and_the_re_think_record() -> None:
    chosen = choose_option(open_rethink(), RethinkOption.S1_CONSULT_HIPS)

    handed = decide(
        chosen,
        HandOverToHips(
            actor=RETHINK_ACTOR, at=RETHINK_AT, template_answers={"q1": "  The plan.  "}
        ),
        POLICY,
    ).thread

    assert handed.state is ThreadState.STAGE_1
    assert handed.template_answers == {"q1": "The plan."}
    assert handed.rethink_options == ("s1_consult_hips",)
    assert options_chosen(handed) == (RethinkOption.S1_CONSULT_HIPS,)
    assert chosen.template_answers.get("q1") is None  # the input was not changed
