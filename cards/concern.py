"""Cards about a logged concern: where it stands and what to do next, its history, the list of
open concerns, and the forms that change it (a note, the resolution, a Re-think option, a
request for an independent facilitator).

Which buttons a concern's card offers is not decided here: `domain.decisions.actions_offered`
says what the concern allows now, and the card only words it. Every button carries the concern's
reference and the version the card showed, so a click on an out-of-date card can be recognised.
Dates are shown in words ("Thursday 26 November 2026"); instants in the practitioners' time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Container,
    ExecuteAction,
    Fact,
    FactSet,
)

from cards.forms import (
    NO_IDENTIFIERS_ADVICE,
    FormBody,
    FormView,
    attention,
    back_to_thread_action,
    card,
    heading,
    paragraph,
    small_print,
    subheading,
    submit_action,
    thread_data,
)
from cards.intake import (
    FACILITATOR_CHECKLIST_INTRO,
    HAVE_EMAIL_ADDRESSES,
    RETHINK_IN_PERSON,
    add_facilitator_checklist,
    strategy_options_card,
    template_card,
)
from cards.verbs import Verb
from domain.decisions import actions_offered, format_day
from domain.forms.fields import (
    AGREED_ACTION_SLOTS,
    AgreedActionPart,
    ThreadFormField,
    agreed_action_field,
)
from domain.model import (
    AgreedAction,
    AuditEvent,
    EscalationThread,
    EventKind,
    Route,
    Stage,
    Strategy,
    ThreadState,
)
from domain.procedure import (
    DOCUMENT_EVERY_STAGE,
    INDICATIVE_TIMESCALES_NOTE,
    STAGE_GUIDES,
    ActionKind,
    lscp_partnership_name,
    lscp_referral_instruction,
    refusal_message,
    state_label,
    target_state,
)
from domain.rethink import STRATEGY_GUIDES, RethinkOption, options_chosen
from domain.template import TEMPLATE_QUESTIONS, TEMPLATE_TITLE

EMPTY_CONCERNS = "You have no open concerns. Type new concern to start one."

ROUTE_LABELS: Mapping[Route, str] = {
    Route.HIPS: "HIPS procedure",
    Route.RETHINK: "Re-think (Portsmouth Safeguarding Children Partnership)",
}

EVENT_WORDS: Mapping[EventKind, str] = {
    EventKind.OPENED: "Concern logged",
    EventKind.STAGE_ESCALATED: "Escalated",
    EventKind.STRATEGY_OPTION_CHOSEN: "Re-think option and date recorded",
    EventKind.STRATEGY_MOVED_ON: "Still stuck: moved on to the next strategy",
    EventKind.HANDED_OVER_TO_HIPS: "Handed over to the HIPS procedure",
    EventKind.FACILITATOR_REQUESTED: "Independent facilitator requested",
    EventKind.RESOLVED: "Resolved",
    EventKind.WITHDRAWN: "Withdrawn",
    EventKind.REFERRED_TO_LSCP: "Email sent to the LSCP",
    EventKind.MARKED_URGENT: "Marked urgent",
    EventKind.DEADLINE_EXTENDED: "Deadline changed",
    EventKind.NOTE_ADDED: "Note added",
    EventKind.AGREED_ACTION_ADDED: "Agreed action added",
}

# Seed 004, stages 3 and 4 (to practitioners) and stage 5 (to Directors/Heads of Service).
FEED_BACK_AND_RECORD = (
    "“Any action agreed should be fed back immediately to the relevant practitioners and the "
    "detail of the escalation and resolution agreements reached should be recorded on the "
    "child's file.”"
)
FEED_BACK_AFTER_LSCP = (
    "“Any action agreed should be fed back immediately to the Directors/Heads of Service "
    "involved with details of the agreements reached.” Record the agreed actions on the child's "
    "file."
)
# Seed 004, stage 5.
WITH_THE_LSCP = (
    "The LSCP will “arrange a resolution meeting with relevant partnership members and the "
    "independent scrutineer or partnership chair”. “The learning from this resolution meeting "
    "or review will be disseminated to all parties within one month of the meeting or review.” "
    "When you know the outcome, press Resolved to record it."
)


# --- When things are due ----------------------------------------------------------------------


@dataclass(frozen=True)
class DueLine:
    """A concern's deadline in words, and whether it has gone by."""

    text: str
    overdue: bool

    def element(self) -> CardElement:
        if self.overdue:
            return paragraph(self.text, color="Attention", weight="Bolder")
        return paragraph(self.text, weight="Bolder")


def due_line(thread: EscalationThread, today: date) -> DueLine | None:
    """When the current stage is due (HIPS) or the planned conversation or meeting (Re-think).

    Re-think has no published timescales: its date is the one the practitioner planned, and once
    it has gone by what is due is its outcome. A concern with the LSCP or closed has no date.
    """
    if thread.state.stage is not None and thread.deadline is not None:
        return _stage_due(thread.deadline, today)
    if thread.state.strategy is not None:
        return _meeting_due(thread.deadline, today)
    return None


def _stage_due(deadline: date, today: date) -> DueLine:
    if deadline < today:
        return DueLine(f"Overdue since the end of {format_day(deadline)}", overdue=True)
    if deadline == today:
        return DueLine(f"Due by the end of today, {format_day(deadline)}", overdue=False)
    return DueLine(f"Due by the end of {format_day(deadline)}", overdue=False)


def _meeting_due(planned_on: date | None, today: date) -> DueLine:
    if planned_on is None:
        return DueLine("No conversation or meeting planned yet", overdue=False)
    if planned_on < today:
        return DueLine(
            "Overdue: record the outcome of the conversation or meeting planned for "
            f"{format_day(planned_on)}",
            overdue=True,
        )
    return DueLine(f"Conversation or meeting planned for {format_day(planned_on)}", overdue=False)


# --- The concern's card -----------------------------------------------------------------------


def thread_card(
    thread: EscalationThread,
    *,
    today: date,
    notice: str | None = None,
    lscp_contact_email: str | None = None,
    rethink_contact: tuple[str, str] | None = None,
) -> AdaptiveCard:
    """Where a concern stands, what to do next and with whom, and the buttons its state allows.

    `notice` (e.g. "Escalated to stage 2.") is what just happened; `lscp_contact_email` and
    `rethink_contact` (name, email) come from configuration.
    """
    body: list[CardElement] = []
    if notice:
        body.append(Container(style="emphasis", items=[paragraph(notice, weight="Bolder")]))
    body.append(heading(thread.reference))
    body.append(paragraph(state_label(thread.state), size="Medium", weight="Bolder"))
    due = due_line(thread, today)
    if due is not None:
        body.append(due.element())
    if thread.urgent:
        reason = f" {thread.urgent_reason}" if thread.urgent_reason else ""
        body.append(
            paragraph(
                f"**Urgent:** the child's needs require faster resolution.{reason}",
                color="Warning",
            )
        )
    body.append(FactSet(facts=_facts(thread)))
    body.append(subheading("What to do now" if thread.is_open else "Outcome"))
    body.extend(_next_steps(thread, lscp_contact_email, rethink_contact))
    if thread.agreed_actions:
        body.append(subheading("Agreed actions"))
        body.extend(_agreed_action(action, today) for action in thread.agreed_actions)
    if thread.state.stage is not None:
        body.append(small_print(DOCUMENT_EVERY_STAGE))
        body.append(small_print(INDICATIVE_TIMESCALES_NOTE))
    return card(body, thread_actions(thread))


def _facts(thread: EscalationThread) -> list[Fact]:
    facts = [Fact(title="Case reference", value=thread.case_reference)]
    facts.append(Fact(title="LSCP area", value=thread.lscp_area.label))
    if thread.route is not None:
        facts.append(Fact(title="Procedure", value=ROUTE_LABELS[thread.route]))
    facts.append(Fact(title="Raised by", value=f"{thread.raised_by.name}, {thread.raiser_agency}"))
    if thread.other_practitioner is not None:
        other = f"{thread.other_practitioner.name}, {thread.other_agency}"
        facts.append(Fact(title="Other practitioner", value=other))
    else:
        facts.append(Fact(title="Other agency", value=thread.other_agency))
    if thread.line_manager is not None:
        facts.append(Fact(title="Line manager", value=thread.line_manager.name))
    if thread.route is Route.RETHINK:
        facts.append(
            Fact(title="Lead Professional", value="Yes" if thread.is_lead_professional else "No")
        )
    return facts


def _next_steps(
    thread: EscalationThread,
    lscp_contact_email: str | None,
    rethink_contact: tuple[str, str] | None,
) -> list[CardElement]:
    state = thread.state
    if state.stage is not None:
        return _stage_steps(thread, state.stage, lscp_contact_email)
    if state.strategy is not None:
        return _strategy_steps(thread, state.strategy, rethink_contact)
    if state is ThreadState.REFERRED_TO_LSCP:
        return [paragraph(WITH_THE_LSCP)]
    if state is ThreadState.RESOLVED:
        return [paragraph("This concern is resolved."), paragraph(FEED_BACK_AND_RECORD)]
    return [paragraph("This concern was withdrawn. Start a new concern if something new happens.")]


def _stage_steps(
    thread: EscalationThread, stage: Stage, lscp_contact_email: str | None
) -> list[CardElement]:
    guide = STAGE_GUIDES[stage]
    steps: list[CardElement] = [paragraph(guide.title, weight="Bolder"), paragraph(guide.who_talks)]
    if stage is Stage.FIVE:
        steps.append(paragraph(_lscp_instruction(thread, lscp_contact_email), weight="Bolder"))
        steps.append(
            paragraph("Once the email is sent, press “Email sent to the LSCP” to record it.")
        )
    else:
        steps.append(
            paragraph(
                "If this discussion does not resolve it, press “Escalate to stage "
                f"{int(stage) + 1}”. If it does, press Resolved and record what was agreed."
            )
        )
    steps.append(paragraph(guide.timescale, subtle=True))
    return steps


def _lscp_instruction(thread: EscalationThread, contact_email: str | None) -> str:
    if contact_email and contact_email.strip():
        return lscp_referral_instruction(thread.lscp_area, contact_email)
    return (
        f"E-mail the details through to the {lscp_partnership_name(thread.lscp_area)}, setting "
        "out the actions taken to date and the rationale for the involvement of the LSCP. Your "
        "safeguarding lead has the partnership team's address."
    )


def _current_option(thread: EscalationThread, strategy: Strategy) -> RethinkOption | None:
    """The option most recently chosen in the current strategy, if any."""
    chosen = [option for option in options_chosen(thread) if option.strategy is strategy]
    return chosen[-1] if chosen else None


def _strategy_steps(
    thread: EscalationThread, strategy: Strategy, rethink_contact: tuple[str, str] | None
) -> list[CardElement]:
    guide = STRATEGY_GUIDES[strategy]
    steps: list[CardElement] = [paragraph(f"“{guide.when_to_use}”")]
    option = _current_option(thread, strategy)
    if option is None:
        steps.append(
            paragraph(
                "Choose the option you will try and the date of the conversation or meeting: "
                "press “Record the option and date”."
            )
        )
    else:
        steps.append(paragraph(f"**Option {option.number}:** {option.wording}"))
    if option is RethinkOption.S1_CONSULT_HIPS:
        steps.append(
            paragraph(
                "If the Lead Professional does not agree with the concerns raised, start the "
                "HIPS procedure at stage 1 with the button below."
            )
        )
    if strategy is Strategy.THREE:
        if rethink_contact is not None:
            name, email = rethink_contact
            steps.append(paragraph(f"To discuss arranging a Re-think, contact {name} ({email})."))
        steps.append(paragraph(HAVE_EMAIL_ADDRESSES))
        steps.append(
            paragraph(
                "Where professional disagreements cannot be resolved through Re-think "
                "strategies, “the HIPS Escalation Protocol should be initiated”."
            )
        )
    else:
        steps.append(
            paragraph(f"If it is still stuck after that, move on to strategy {int(strategy) + 1}.")
        )
    return steps


def _agreed_action(action: AgreedAction, today: date) -> CardElement:
    status = "Done" if action.done else f"By the end of {format_day(action.by_when)}"
    overdue = not action.done and action.by_when < today
    items: list[CardElement] = [
        paragraph(action.what, weight="Bolder"),
        paragraph(f"Who: {action.who}. {status}."),
    ]
    if overdue:
        items.append(attention("Overdue"))
    return Container(items=items, spacing="Medium")


def _escalate_title(thread: EscalationThread) -> str:
    """The next stage by name, or, from stage 5, that the email to the LSCP was sent."""
    stage = target_state(thread.state, ActionKind.ESCALATE).stage
    return "Email sent to the LSCP" if stage is None else f"Escalate to stage {int(stage)}"


def _still_stuck_title(thread: EscalationThread) -> str:
    strategy = target_state(thread.state, ActionKind.STILL_STUCK).strategy
    where = "the next strategy" if strategy is None else f"Strategy {int(strategy)}"
    return f"Still stuck - move to {where}"


def _hand_over_title(thread: EscalationThread) -> str:
    """From strategy 3 HIPS is the way on; from strategy 1 it follows option 3, the Lead
    Professional not agreeing."""
    if thread.state.strategy is Strategy.THREE:
        return "Use the HIPS procedure instead"
    return "The Lead Professional does not agree: start HIPS stage 1"


def _fixed(title: str) -> Callable[[EscalationThread], str]:
    return lambda _thread: title


# Each action a thread card has a button for, in the order a practitioner reads them: the
# button's title (worded for the concern) and its verb. Withdrawing, urgency, deadlines and
# agreed actions on their own have no button yet.
_BUTTONS: Mapping[ActionKind, tuple[Callable[[EscalationThread], str], Verb]] = {
    ActionKind.CHOOSE_OPTION: (_fixed("Record the option and date"), Verb.START_CHOOSE_OPTION),
    ActionKind.ESCALATE: (_escalate_title, Verb.ESCALATE),
    ActionKind.STILL_STUCK: (_still_stuck_title, Verb.STILL_STUCK),
    ActionKind.HAND_OVER_TO_HIPS: (_hand_over_title, Verb.HAND_OVER_TO_HIPS),
    ActionKind.REQUEST_FACILITATOR: (
        _fixed("Request an independent facilitator"),
        Verb.START_FACILITATOR_REQUEST,
    ),
    ActionKind.RESOLVE: (_fixed("Resolved"), Verb.START_RESOLVE),
    ActionKind.ADD_NOTE: (_fixed("Add a note"), Verb.START_NOTE),
}


def thread_actions(thread: EscalationThread) -> list[ExecuteAction]:
    """A button for each action the domain offers on this concern (`actions_offered`), then its
    history. Which actions appear is the domain's to say (a closed concern is offered none; the
    hand-over from strategy 1 waits for option 3): the card only words and orders them.
    """
    offered = actions_offered(thread)
    buttons = [
        _thread_button(thread, title(thread), verb)
        for action, (title, verb) in _BUTTONS.items()
        if action in offered
    ]
    buttons.append(_thread_button(thread, "View history", Verb.VIEW_THREAD))
    return buttons


def _thread_button(thread: EscalationThread, title: str, verb: Verb) -> ExecuteAction:
    """A button about this concern; it sends no inputs, so nothing on the card is validated."""
    return ExecuteAction(
        title=title,
        verb=verb.value,
        data=thread_data(thread.reference, thread.version),
        associated_inputs="none",
    )


# --- History ----------------------------------------------------------------------------------


def format_instant(instant: datetime, tz: ZoneInfo) -> str:
    """An aware instant as a local date and time in words, e.g. "Tuesday 24 November 2026 at
    09:15"."""
    local = instant.astimezone(tz)
    return f"{format_day(local.date())} at {local:%H:%M}"


def _change_words(event: AuditEvent) -> str | None:
    """ "HIPS stage 1 → HIPS stage 2" when the event moved the concern on, else None."""
    before, after = event.from_state, event.to_state
    if after is None or after is before:
        return None
    if before is None:
        return f"Opened at {state_label(after)}"
    return f"{state_label(before)} → {state_label(after)}"


def _event(event: AuditEvent, tz: ZoneInfo) -> CardElement:
    items: list[CardElement] = [
        paragraph(f"**{EVENT_WORDS[event.kind]}** by {event.actor.name}"),
        paragraph(format_instant(event.at, tz), subtle=True, spacing="None"),
    ]
    change = _change_words(event)
    if change is not None:
        items.append(paragraph(change, spacing="None"))
    if event.note:
        items.append(paragraph(event.note))
    return Container(items=items, separator=True, spacing="Medium")


def thread_history_card(
    thread: EscalationThread,
    events: Sequence[AuditEvent],
    *,
    today: date,
    tz: ZoneInfo,
) -> AdaptiveCard:
    """Everything that happened to a concern, oldest first, then its agreed actions and the
    answers to the template. The Re-think record of options is shown as options, never as a
    stored answer."""
    body: list[CardElement] = [
        heading(f"{thread.reference}: history"),
        paragraph(f"Case reference {thread.case_reference}. Now: {state_label(thread.state)}."),
    ]
    body.append(subheading("What happened"))
    ordered = sorted(events, key=lambda event: event.at)
    if ordered:
        body.extend(_event(event, tz) for event in ordered)
    else:
        body.append(paragraph("Nothing has been recorded yet."))
    tried = options_chosen(thread)
    if tried:
        body.append(subheading("Re-think options chosen"))
        body.extend(
            paragraph(f"Strategy {int(option.strategy)}, option {option.number}: {option.wording}")
            for option in tried
        )
    if thread.agreed_actions:
        body.append(subheading("Agreed actions"))
        body.extend(_agreed_action(action, today) for action in thread.agreed_actions)
    answered = [
        (question, thread.template_answers[question.id])
        for question in TEMPLATE_QUESTIONS
        if thread.template_answers.get(question.id)
    ]
    if answered:
        body.append(subheading(TEMPLATE_TITLE))
        for question, answer in answered:
            body.append(paragraph(f"{question.number}. {question.text}", weight="Bolder"))
            body.append(paragraph(answer))
    return card(body, [back_to_thread_action(thread.reference, thread.version)])


# --- The list of open concerns ----------------------------------------------------------------


def my_concerns_card(threads: Sequence[EscalationThread], *, today: date) -> AdaptiveCard:
    """The practitioner's open concerns, in the order given (the caller puts the newest first)."""
    body: list[CardElement] = [heading("Your open concerns")]
    if not threads:
        body.append(paragraph(EMPTY_CONCERNS))
        return card(
            body,
            [
                ExecuteAction(
                    title="Start a new concern",
                    verb=Verb.NEW_CONCERN.value,
                    data={},
                    associated_inputs="none",
                )
            ],
        )
    body.extend(_concern_row(thread, today) for thread in threads)
    return card(body)


def _concern_row(thread: EscalationThread, today: date) -> CardElement:
    items: list[CardElement] = [
        paragraph(thread.reference, weight="Bolder", size="Medium"),
        FactSet(
            facts=[
                Fact(title="Case reference", value=thread.case_reference),
                Fact(title="Now", value=state_label(thread.state)),
            ]
        ),
    ]
    due = due_line(thread, today)
    if due is not None:
        items.append(due.element())
    if thread.urgent:
        items.append(paragraph("Urgent", color="Warning", weight="Bolder"))
    items.append(
        ActionSet(actions=[_thread_button(thread, f"View {thread.reference}", Verb.VIEW_THREAD)])
    )
    return Container(items=items, separator=True, spacing="Medium")


# --- Forms that change a concern --------------------------------------------------------------


def _thread_submit(
    thread: EscalationThread, form: FormView, title: str, verb: Verb
) -> ExecuteAction:
    return submit_action(
        form.form_id,
        title=title,
        verb=verb,
        extra_data=thread_data(thread.reference, thread.version),
    )


def _about(thread: EscalationThread) -> CardElement:
    return paragraph(
        f"Case reference {thread.case_reference}. Now: {state_label(thread.state)}.", subtle=True
    )


def note_form_card(thread: EscalationThread, form: FormView) -> AdaptiveCard:
    """A note on the concern's record: a conversation held, a call not returned, a follow-up."""
    body = FormBody(form, title=f"Add a note to {thread.reference}")
    body.add(
        _about(thread),
        small_print(NO_IDENTIFIERS_ADVICE),
    )
    body.text_input(
        ThreadFormField.NOTE.value,
        "Your note",
        required_message="Please write your note.",
        multiline=True,
    )
    return card(
        body.elements(),
        [
            _thread_submit(thread, form, "Add the note", Verb.SUBMIT_NOTE),
            back_to_thread_action(thread.reference, thread.version),
        ],
    )


def resolve_form_card(thread: EscalationThread, form: FormView) -> AdaptiveCard:
    """What was agreed, and up to three agreed actions with who and by when."""
    body = FormBody(form, title=f"Resolve {thread.reference}")
    feed_back = (
        FEED_BACK_AFTER_LSCP
        if thread.state is ThreadState.REFERRED_TO_LSCP
        else FEED_BACK_AND_RECORD
    )
    body.add(_about(thread), paragraph(feed_back), small_print(NO_IDENTIFIERS_ADVICE))
    body.text_input(
        ThreadFormField.OUTCOME.value,
        "What was agreed?",
        required_message="Please say what was agreed.",
        multiline=True,
    )
    body.add(
        subheading("Agreed actions"),
        small_print("Up to three, if there are any: what, who, and by when."),
    )
    for number in range(1, AGREED_ACTION_SLOTS + 1):
        body.text_input(
            agreed_action_field(number, AgreedActionPart.WHAT),
            f"Action {number}: what",
            multiline=True,
        )
        body.text_input(agreed_action_field(number, AgreedActionPart.WHO), f"Action {number}: who")
        body.date_input(
            agreed_action_field(number, AgreedActionPart.BY), f"Action {number}: by when"
        )
    return card(
        body.elements(),
        [
            _thread_submit(thread, form, "Resolve", Verb.SUBMIT_RESOLVE),
            back_to_thread_action(thread.reference, thread.version),
        ],
    )


def choose_option_form_card(thread: EscalationThread, form: FormView) -> AdaptiveCard:
    """The current strategy's options and date, sent back with the concern's reference."""
    strategy = thread.state.strategy
    back = back_to_thread_action(thread.reference, thread.version)
    if strategy is None:
        return card(
            [
                heading(thread.reference),
                paragraph(refusal_message(thread.state, ActionKind.CHOOSE_OPTION)),
            ],
            [back],
        )
    return strategy_options_card(
        form,
        strategy=strategy,
        submit_verb=Verb.SUBMIT_CHOOSE_OPTION,
        extra_data=thread_data(thread.reference, thread.version),
        back_action=back,
        about=f"{thread.reference}, case reference {thread.case_reference}",
    )


def hand_over_form_card(thread: EscalationThread, form: FormView) -> AdaptiveCard:
    """Moving from Re-think to HIPS stage 1 starts with "Structuring your concerns"."""
    return template_card(
        form,
        actions=[
            submit_action(
                form.form_id,
                title="Start HIPS stage 1",
                verb=Verb.HAND_OVER_TO_HIPS,
                extra_data=thread_data(thread.reference, thread.version),
            ),
            back_to_thread_action(thread.reference, thread.version),
        ],
    )


def facilitator_request_card(
    thread: EscalationThread, form: FormView, *, contact_name: str, contact_email: str
) -> AdaptiveCard:
    """Seed 002's checklist before requesting a neutrally facilitated Re-think, and whom to
    contact to arrange it. Submitting records the request on the concern."""
    body = FormBody(form, title=f"Request an independent facilitator for {thread.reference}")
    body.add(_about(thread), paragraph(FACILITATOR_CHECKLIST_INTRO))
    add_facilitator_checklist(body)
    body.add(
        subheading("Arranging the Re-think"),
        paragraph(
            "Booking from this chat is not available yet. Until then, after considering the "
            f"above please contact {contact_name} ({contact_email}) to discuss arranging a "
            "Re-think."
        ),
        paragraph(HAVE_EMAIL_ADDRESSES),
        paragraph(RETHINK_IN_PERSON),
        small_print(
            "Recording your request here keeps this concern's history complete. It does not "
            "contact the PSCP for you."
        ),
    )
    return card(
        body.elements(),
        [
            _thread_submit(thread, form, "Record my request", Verb.SUBMIT_FACILITATOR_REQUEST),
            back_to_thread_action(thread.reference, thread.version),
        ],
    )
