"""The cards of "log a concern": safety first, the area and route, the case, the template or the
Re-think path, and the small cards that confirm, refuse a second send, or discard.

Each form card takes a `FormView`, so a card re-sent after a submission that was not clean shows
everything already typed, with each problem under its input (see cards/forms.py). Procedure
wording is quoted from the seeds: the HIPS procedure (seed 004) and the PSCP's Re-think guidance
(seeds 000-002). No card ever shows a child's name: the case reference is the agency's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from microsoft_teams.cards import AdaptiveCard, CardElement, ExecuteAction, Fact, FactSet

from cards.forms import (
    FORM_ID_KEY,
    NO_IDENTIFIERS_ADVICE,
    FormBody,
    FormView,
    YesNo,
    attention,
    cancel_action,
    card,
    heading,
    paragraph,
    save_draft_action,
    show_help_action,
    small_print,
    subheading,
    submit_action,
)
from cards.verbs import Verb
from domain.forms.fields import CaseDetailsField, StepField
from domain.forms.intake_checks import (
    AREA_CHOICE,
    CASE_REFERENCE_REQUIRED,
    DATE_REQUIRED,
    IMMEDIATE_RISK_REQUIRED,
    LINE_MANAGER_REQUIRED,
    ROUTE_REQUIRED,
    ImmediateRisk,
)
from domain.model import LscpArea, Route, Strategy
from domain.policy import DEFAULT_WORKING_DAYS_PER_STAGE, working_days_in_words
from domain.procedure import INDICATIVE_TIMESCALES_NOTE
from domain.rethink import (
    LEAD_PROFESSIONAL_QUESTION,
    STRATEGY_GUIDES,
    FacilitatorCheck,
)
from domain.template import TEMPLATE_QUESTIONS, TEMPLATE_TITLE

SAFETY_QUESTION = "Is a child at immediate risk of significant harm?"

ANSWER_REQUIRED_MESSAGE = "Please answer this question."
CHOOSE_YES_OR_NO = "Please choose yes or no."
CHOOSE_AN_OPTION = "Please choose the option you will try."
ON_DATE_REQUIRED = "Please give the date of the conversation or meeting."
OTHER_AGENCY_REQUIRED = "Please give the agency of the practitioner you disagree with."

ROUTE_CHOICE_TITLES: Mapping[Route, str] = {
    Route.HIPS: "HIPS procedure: a disagreement about another practitioner's decision or practice",
    Route.RETHINK: "Re-think (Portsmouth only): work that is stuck and not progressing",
}

# Seed 004, section 1 and Appendix 1.
NOT_FOR_SYSTEMIC_OR_COMPLAINTS = (
    "**Systemic issues and complaints:** the HIPS procedure “is not for use where there are "
    "systemic issues nor as a replacement for agencies complaints processes”. Raise a complaint "
    "through your agency's complaints process. Raise a systemic issue with your line manager, "
    "who can take it to the LSCP."
)
NOT_FOR_CONFERENCES = (
    "**Challenge within a child protection conference:** “professional challenge within child "
    "protection conferences is part of HIPS procedures regarding child protection conferences”. "
    "Raise it with the conference chair."
)
# Seed 002.
RETHINK_IN_PERSON = (
    "PSCP facilitates Re-think meetings whereby professionals come together for an in person "
    "reflective meeting."
)
HAVE_EMAIL_ADDRESSES = (
    "Have available the email addresses for all those who you would like to be invited to the "
    "Re-think."
)
FACILITATOR_CHECKLIST_INTRO = (
    "Any professional from across the network is entitled to request a neutrally facilitated "
    "Re-think. Prior to making a request, please consider the below points:"
)
CASE_REFERENCE_WHY = (
    "Use your agency's case reference, never the child's name: this chat is not the child's record."
)


# --- 1-2. Safety ------------------------------------------------------------------------------


def safety_card(form: FormView) -> AdaptiveCard:
    """The first question of every concern: a child at immediate risk is never held here."""
    body = FormBody(form, title="Before we start")
    body.add(
        paragraph(
            "“The safety and wellbeing of the child is always our shared primary concern and "
            "professional disagreements must not get in the way of this.”"
        )
    )
    body.choice_input(
        StepField.IMMEDIATE_RISK.value,
        SAFETY_QUESTION,
        [(ImmediateRisk.YES.value, "Yes"), (ImmediateRisk.NO.value, "No")],
        required_message=IMMEDIATE_RISK_REQUIRED,
        expanded=True,
    )
    return card(
        body.elements(),
        [submit_action(form.form_id, title="Continue"), cancel_action(form.form_id)],
    )


def safety_exit_card(contacts: Sequence[tuple[str, str]]) -> AdaptiveCard:
    """Stop: follow child protection procedures now. `contacts` are (area, what to do) lines
    from configuration."""
    body: list[CardElement] = [
        heading("Follow your child protection procedures now"),
        attention(
            "A child at immediate risk of significant harm must not wait for a disagreement to "
            "be resolved. Follow your agency's child protection procedures now. If a child is in "
            "immediate danger, call 999."
        ),
        paragraph("Nothing about this child has been stored."),
    ]
    if contacts:
        body.append(subheading("Who to contact"))
        body.extend(paragraph(f"**{area}:** {what_to_do}") for area, what_to_do in contacts)
    else:
        body.append(
            paragraph(
                "Contact your safeguarding lead, or children's social care for the area where "
                "the child lives."
            )
        )
    body.append(
        small_print(
            "Once the child is safe, you can still log a professional disagreement: type new "
            "concern."
        )
    )
    return card(body, [show_help_action()])


# --- 3. Area and route ------------------------------------------------------------------------


def route_card(
    form: FormView, *, working_days_per_stage: int = DEFAULT_WORKING_DAYS_PER_STAGE
) -> AdaptiveCard:
    """Where the child lives (it decides the LSCP) and which procedure fits the concern.

    `working_days_per_stage` is the policy's (`ProcedurePolicy.working_days_per_stage`): the
    card's own summary of the stages says the timescale the deadlines are worked out with.
    """
    timescale = working_days_in_words(working_days_per_stage)
    body = FormBody(form, title="Where and which procedure")
    body.choice_input(
        CaseDetailsField.LSCP_AREA.value,
        "The child's Local Safeguarding Children Partnership (LSCP) area",
        [(area.value, area.label) for area in LscpArea],
        required_message=AREA_CHOICE,
        placeholder="Choose the area",
    )
    body.add(
        subheading("Which procedure?"),
        paragraph(
            "**HIPS procedure**, “Working Together to Resolve Professional Differences”: you "
            "disagree with another practitioner's decision or practice about a child. It has five "
            f"stages, each to be completed within {timescale}."
        ),
        paragraph(
            "**Re-think**, an approach of the Portsmouth Safeguarding Children Partnership "
            "(PSCP): the work is stuck and the desired progress is not being made. It is offered "
            "when the child's LSCP area is Portsmouth. Where Re-think strategies cannot resolve "
            "a disagreement, “the HIPS Escalation Protocol should be initiated”."
        ),
    )
    body.choice_input(
        StepField.ROUTE.value,
        "How do you want to take this forward?",
        [(route.value, ROUTE_CHOICE_TITLES[route]) for route in Route],
        required_message=ROUTE_REQUIRED,
        expanded=True,
    )
    body.add(
        subheading("What neither is for"),
        paragraph(NOT_FOR_SYSTEMIC_OR_COMPLAINTS),
        paragraph(NOT_FOR_CONFERENCES),
    )
    return card(
        body.elements(),
        [submit_action(form.form_id, title="Continue"), cancel_action(form.form_id)],
    )


# --- 4. The case ------------------------------------------------------------------------------


def case_details_card(
    form: FormView, *, route_label: str, area_label: str, show_urgency: bool = True
) -> AdaptiveCard:
    """Who, where and when. The area was chosen on the previous card, so it is shown as a fact.

    `show_urgency` is False for Re-think, which has no published timescales to shorten: asking
    would collect a reason nothing uses.
    """
    fields = CaseDetailsField
    body = FormBody(form, title="About the case")
    body.add(
        FactSet(
            facts=[
                Fact(title="LSCP area", value=area_label),
                Fact(title="Procedure", value=route_label),
            ]
        ),
        small_print(f"{CASE_REFERENCE_WHY} {NO_IDENTIFIERS_ADVICE}"),
    )
    body.text_input(
        fields.CASE_REFERENCE.value,
        "Your agency's case reference",
        required_message=CASE_REFERENCE_REQUIRED,
        placeholder="For example PCC-204518",
    )
    body.add(subheading("You"))
    body.text_input(
        fields.RAISER_AGENCY.value,
        "Your agency",
        required_message="Please give your agency.",
        placeholder="For example St Mary's Primary School",
    )
    body.text_input(
        fields.RAISER_ROLE.value,
        "Your role",
        required_message="Please give your role.",
        placeholder="For example Designated Safeguarding Lead",
    )
    body.add(subheading("The other practitioner"))
    body.text_input(
        fields.OTHER_AGENCY.value,
        "Their agency",
        required_message=OTHER_AGENCY_REQUIRED,
        placeholder="For example Portsmouth City Council Children's Social Care",
    )
    body.text_input(
        fields.OTHER_PRACTITIONER_NAME.value,
        "Their name (if you wish)",
    )
    body.text_input(
        fields.OTHER_PRACTITIONER_EMAIL.value,
        "Their work email address (if you wish)",
        email=True,
    )
    body.add(
        subheading("Your line manager or safeguarding lead"),
        paragraph(
            "You will talk this through with them. Type their name; find them in Teams too if "
            "they are listed, so the bot can keep them informed."
        ),
    )
    body.text_input(
        fields.LINE_MANAGER_NAME.value,
        "Their name",
        required_message=LINE_MANAGER_REQUIRED,
    )
    body.people_picker(
        fields.LINE_MANAGER_ID.value,
        "Find them in Teams (optional)",
        placeholder="Start typing their name",
    )
    body.text_input(
        fields.LINE_MANAGER_EMAIL.value,
        "Their work email address (optional)",
        email=True,
    )
    if show_urgency:
        body.add(subheading("Urgency"), small_print(INDICATIVE_TIMESCALES_NOTE))
        body.toggle_input(
            fields.URGENT.value,
            "Is this urgent?",
            title="Yes: the child's needs require faster resolution",
        )
        body.text_input(
            fields.URGENT_REASON.value,
            "If urgent: why do the child's needs require faster resolution?",
            multiline=True,
        )
    body.add(subheading("When"))
    body.date_input(
        fields.CONCERN_AROSE_ON.value,
        "When did the disagreement or concern arise?",
        required_message=DATE_REQUIRED,
    )
    return card(
        body.elements(),
        [submit_action(form.form_id, title="Continue"), cancel_action(form.form_id)],
    )


# --- 5. The template --------------------------------------------------------------------------


def _numbers_in_words(numbers: Sequence[int]) -> str:
    """1, 2, 6 and 7."""
    if len(numbers) == 1:
        return str(numbers[0])
    return ", ".join(str(number) for number in numbers[:-1]) + f" and {numbers[-1]}"


def template_card(
    form: FormView,
    *,
    draft_saved_at: str | None = None,
    actions: Sequence[ExecuteAction] | None = None,
) -> AdaptiveCard:
    """ "Structuring your concerns" (seed 004 section 3), to prepare for the stage 1 discussion.

    `draft_saved_at` is the local time ("14:05") the draft was last saved, when it was.
    """
    required = [question.number for question in TEMPLATE_QUESTIONS if question.required]
    optional = [question.number for question in TEMPLATE_QUESTIONS if not question.required]
    body = FormBody(form, title=TEMPLATE_TITLE)
    if draft_saved_at:
        body.add(paragraph(f"Draft saved at {draft_saved_at}", color="Good", weight="Bolder"))
    body.add(
        paragraph(
            "Stage 1 “is to clarify your thinking and access support regarding any need to "
            "escalate a concern. A template is available to help structure/consider your "
            "concerns.”"
        ),
        paragraph(
            f"Questions {_numbers_in_words(required)} are needed now. Questions "
            f"{_numbers_in_words(optional)} can wait: they are often what the discussion with "
            "your line manager or safeguarding lead works out."
        ),
        small_print(
            f"{NO_IDENTIFIERS_ADVICE} Your answers are kept as a draft when you press Save "
            "draft: type continue my draft to pick up where you left off."
        ),
    )
    # Required questions are marked in their labels and checked by the bot, not by Teams:
    # Teams would refuse to send "Save draft" until every required answer was filled in, and a
    # draft is exactly a template that is not finished yet.
    for question in TEMPLATE_QUESTIONS:
        marker = " (required)" if question.required else " (optional)"
        body.text_input(
            question.id,
            f"{question.number}. {question.text}{marker}",
            multiline=True,
        )
    if actions is None:
        actions = [
            submit_action(form.form_id),
            save_draft_action(form.form_id),
            cancel_action(form.form_id),
        ]
    return card(body.elements(), list(actions))


# --- 6-7. Re-think ----------------------------------------------------------------------------


def lead_professional_card(form: FormView) -> AdaptiveCard:
    """Re-think starts at strategy 2 for the Lead Professional (seed 000)."""
    body = FormBody(form, title="Re-think: where to start")
    body.add(
        paragraph(
            "Strategy 1 is for when “you have concerns and the desired progress is not being "
            "made”. “If you are the Lead Professional go to strategy 2”: it is for when “you are "
            "the Lead Professional and there continues to be limited progress.”"
        )
    )
    body.choice_input(
        StepField.IS_LEAD_PROFESSIONAL.value,
        LEAD_PROFESSIONAL_QUESTION,
        [(answer.value, answer.label) for answer in YesNo],
        required_message=CHOOSE_YES_OR_NO,
        expanded=True,
    )
    return card(
        body.elements(),
        [submit_action(form.form_id, title="Continue"), cancel_action(form.form_id)],
    )


def strategy_options_card(
    form: FormView,
    *,
    strategy: Strategy,
    submit_verb: Verb = Verb.SUBMIT_FORM,
    extra_data: Mapping[str, Any] | None = None,
    back_action: ExecuteAction | None = None,
    about: str | None = None,
) -> AdaptiveCard:
    """A Re-think strategy's options in the seeds' words, and the date of the conversation or
    meeting. When the card belongs to a logged concern rather than the intake, `back_action`
    replaces Cancel and `about` says which concern it is."""
    guide = STRATEGY_GUIDES[strategy]
    body = FormBody(form, title=f"Re-think strategy {int(strategy)}")
    if about:
        body.add(paragraph(about, subtle=True))
    body.add(paragraph(f"“{guide.when_to_use}”"))
    if len(guide.options) > 1:
        body.add(small_print("Choose the option you will try first. You can record another later."))
    body.choice_input(
        StepField.OPTION.value,
        "Which option will you try?" if len(guide.options) > 1 else "The option",
        [(option.value, f"Option {option.number}: {option.wording}") for option in guide.options],
        required_message=CHOOSE_AN_OPTION,
        expanded=True,
    )
    if strategy is Strategy.THREE:
        body.add(subheading("Before requesting an independent facilitator"))
        body.add(paragraph(FACILITATOR_CHECKLIST_INTRO))
        add_facilitator_checklist(body)
        body.add(paragraph(HAVE_EMAIL_ADDRESSES), paragraph(RETHINK_IN_PERSON))
    body.date_input(
        StepField.ON_DATE.value,
        "Date of the conversation or meeting",
        required_message=ON_DATE_REQUIRED,
    )
    secondary = back_action if back_action is not None else cancel_action(form.form_id)
    return card(
        body.elements(),
        [
            submit_action(form.form_id, verb=submit_verb, extra_data=extra_data),
            secondary,
        ],
    )


def add_facilitator_checklist(body: FormBody) -> None:
    """Seed 002's three points, one toggle each."""
    total = len(FacilitatorCheck)
    for number, check in enumerate(FacilitatorCheck, start=1):
        body.toggle_input(check.value, f"Point {number} of {total}", title=check.question)


# --- 8-11. After a submission, and cancelling -------------------------------------------------


def submitted_summary_card(title: str, facts: Sequence[tuple[str, str]]) -> AdaptiveCard:
    """What was sent, read-only: it replaces the form so the same form cannot be sent twice."""
    body: list[CardElement] = [heading(title, size="Medium"), small_print("Sent.")]
    for name, value in facts:
        body.append(paragraph(name, weight="Bolder", spacing="Medium"))
        body.append(paragraph(value))
    return card(body)


def already_submitted_card() -> AdaptiveCard:
    """The answer to a click on an old copy of a form: nothing happens twice."""
    return card(
        [
            heading("Already sent", size="Medium"),
            paragraph("This form was already submitted - nothing has changed."),
        ],
        [show_help_action()],
    )


def cancel_confirmation_card(form_id: str) -> AdaptiveCard:
    """Ask before discarding: a concern half-written can be a lot of careful work."""
    return card(
        [
            heading("Discard this concern?", size="Medium"),
            paragraph("What you entered will be deleted."),
        ],
        [
            ExecuteAction(
                title="Yes, discard it",
                verb=Verb.CONFIRM_CANCEL.value,
                data={FORM_ID_KEY: form_id},
                style="destructive",
                associated_inputs="none",
            ),
            ExecuteAction(
                title="No, keep going",
                verb=Verb.KEEP_GOING.value,
                data={FORM_ID_KEY: form_id},
                style="positive",
                associated_inputs="none",
            ),
        ],
    )


def cancelled_card() -> AdaptiveCard:
    return card(
        [
            heading("Concern discarded", size="Medium"),
            paragraph("What you entered has been deleted."),
            paragraph("Type new concern whenever you want to start again."),
        ],
        [
            ExecuteAction(
                title="Start a new concern",
                verb=Verb.NEW_CONCERN.value,
                data={},
                associated_inputs="none",
            )
        ],
    )
