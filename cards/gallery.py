"""Every card the bot can send, in each meaningfully different state, with fictional sample data.

`python -m cards.gallery OUT_DIR` writes one JSON file per card (paste any of them into the
Adaptive Cards designer, or Teams' Developer Portal card editor, to see it as Teams draws it).
`gallery()` gives the same cards to the tests, which check every one against the 1.5 schema.

The sample data is realistic but invented: agency case references such as "PCC-204518",
real kinds of agency, made-up professionals, and never a child's name.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from microsoft_teams.cards import AdaptiveCard

from cards.concern import (
    choose_option_form_card,
    facilitator_request_card,
    hand_over_form_card,
    my_concerns_card,
    note_form_card,
    resolve_form_card,
    thread_card,
    thread_history_card,
)
from cards.forms import FormView, not_identifying_toggle_id
from cards.intake import (
    already_submitted_card,
    cancel_confirmation_card,
    cancelled_card,
    case_details_card,
    lead_professional_card,
    route_card,
    safety_card,
    safety_exit_card,
    strategy_options_card,
    submitted_summary_card,
    template_card,
)
from cards.render import card_payload
from cards.welcome import welcome_card
from domain.forms.fields import (
    AgreedActionPart,
    CaseDetailsField,
    StepField,
    TemplateField,
    ThreadFormField,
    agreed_action_field,
)
from domain.forms.intake_checks import (
    ANSWER_REQUIRED,
    CASE_REFERENCE_CHARACTERS,
    DATE_IN_FUTURE,
    IMMEDIATE_RISK_REQUIRED,
)
from domain.forms.reading import FieldProblem, IdentifierWarning
from domain.identifiers import IdentifierKind
from domain.model import (
    AgreedAction,
    AuditEvent,
    EscalationThread,
    EventKind,
    LscpArea,
    Person,
    Route,
    Stage,
    Strategy,
    ThreadState,
)
from domain.rethink import FacilitatorCheck, RethinkOption

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 24)  # a Tuesday
FORM_ID = "3f9c2a7e1b5d4c8f9a0e6b2d7c1f4a53"
LSCP_EMAIL = "pscp@portsmouth.gov.uk"
RETHINK_CONTACT = ("Re-think coordinator, PSCP", "rethink@example.org.uk")
# Numbers from Ofcom's range kept for drama and examples: they reach no one.
CHILD_PROTECTION_CONTACTS = (
    ("Hampshire", "Children's services front door: 03069 990101 (sample number)"),
    ("Isle of Wight", "Children's services front door: 03069 990102 (sample number)"),
    ("Portsmouth", "Multi-Agency Safeguarding Hub: 03069 990103 (sample number)"),
    ("Southampton", "Children's services front door: 03069 990104 (sample number)"),
)

RAISER = Person(name="Priya Shah", email="priya.shah@example.org.uk", user_id="a1b2c3d4")
LINE_MANAGER = Person(name="Tom Hughes", email="tom.hughes@example.org.uk")
OTHER_PRACTITIONER = Person(name="Dana Okafor", email="dana.okafor@example.org.uk")

TEMPLATE_ANSWERS = {
    TemplateField.Q1.value: (
        "The referral for early help was closed after one home visit without a plan. I am "
        "concerned because attendance has dropped to 78% this term and the worries raised by "
        "school have not been addressed."
    ),
    TemplateField.Q2.value: (
        "Missed learning and no coordinated support at home. The family engage well with the "
        "school nurse, which may mitigate some of the risk."
    ),
    TemplateField.Q6.value: "A multi-agency early help assessment with a named Lead Professional.",
    TemplateField.Q7.value: "Discuss with my DSL today, then call the duty social worker.",
}


def _thread(
    state: ThreadState,
    *,
    reference: str = "ESC-2026-0007",
    case_reference: str = "PCC-204518",
    deadline: date | None = date(2026, 11, 25),
    urgent_reason: str | None = None,
    is_lead_professional: bool = False,
    template_answers: Mapping[str, str] = TEMPLATE_ANSWERS,
    agreed_actions: tuple[AgreedAction, ...] = (),
    rethink_options: Sequence[RethinkOption] = (),
) -> EscalationThread:
    """A sample concern in `state`; by default a HIPS one with the template answered."""
    return EscalationThread(
        reference=reference,
        state=state,
        case_reference=case_reference,
        lscp_area=LscpArea.PORTSMOUTH,
        raised_by=RAISER,
        raiser_agency="St Mary's Primary School",
        raiser_role="Designated Safeguarding Lead",
        other_agency="Portsmouth City Council Children's Social Care",
        concern_arose_on=date(2026, 11, 19),
        stage_started_on=date(2026, 11, 23),
        deadline=deadline,
        opened_at=datetime(2026, 11, 19, 10, 5, tzinfo=UTC),
        urgent=urgent_reason is not None,
        urgent_reason=urgent_reason,
        other_practitioner=OTHER_PRACTITIONER,
        line_manager=LINE_MANAGER,
        is_lead_professional=is_lead_professional,
        version=3,
        template_answers=dict(template_answers),
        agreed_actions=agreed_actions,
        rethink_options=tuple(option.value for option in rethink_options),
    )


def _events() -> list[AuditEvent]:
    def at(day: int, hour: int, minute: int) -> datetime:
        return datetime(2026, 11, day, hour, minute, tzinfo=UTC)

    return [
        AuditEvent(EventKind.OPENED, RAISER, at(19, 10, 5), None, ThreadState.STAGE_1),
        AuditEvent(
            EventKind.NOTE_ADDED,
            RAISER,
            at(20, 15, 30),
            ThreadState.STAGE_1,
            ThreadState.STAGE_1,
            "Talked it through with Tom: we agree the concern should go to the social worker.",
        ),
        AuditEvent(
            EventKind.STAGE_ESCALATED,
            RAISER,
            at(23, 9, 12),
            ThreadState.STAGE_1,
            ThreadState.STAGE_2,
        ),
        AuditEvent(
            EventKind.AGREED_ACTION_ADDED,
            LINE_MANAGER,
            at(23, 16, 40),
            ThreadState.STAGE_2,
            ThreadState.STAGE_2,
            "Share the attendance record with the duty team (who: Priya Shah; by Friday 27 "
            "November 2026)",
        ),
    ]


def _form(
    values: dict[str, str] | None = None,
    problems: Sequence[FieldProblem] = (),
    warnings: Sequence[IdentifierWarning] = (),
    confirmed: frozenset[str] = frozenset(),
) -> FormView:
    return FormView(
        form_id=FORM_ID,
        values=values or {},
        problems=problems,
        warnings=warnings,
        confirmed_not_identifying=confirmed,
    )


def _intake_cards() -> dict[str, Callable[[], AdaptiveCard]]:
    case_values = {
        CaseDetailsField.CASE_REFERENCE.value: "PCC 204518 (open)",
        CaseDetailsField.RAISER_AGENCY.value: "Solent NHS Trust health visiting",
        CaseDetailsField.RAISER_ROLE.value: "Health visitor",
        CaseDetailsField.OTHER_AGENCY.value: "Portsmouth City Council Children's Social Care",
        CaseDetailsField.LINE_MANAGER_NAME.value: "Tom Hughes",
        CaseDetailsField.URGENT.value: "true",
        CaseDetailsField.URGENT_REASON.value: "Discharge planned for Friday; ward on 01632 960123.",
        CaseDetailsField.CONCERN_AROSE_ON.value: "2026-12-01",
    }
    q1, q6, q7 = TemplateField.Q1.value, TemplateField.Q6.value, TemplateField.Q7.value
    template_values = {**TEMPLATE_ANSWERS, q1: TEMPLATE_ANSWERS[q1] + " DOB 03/04/2019."}
    template_values.pop(q7)
    return {
        "safety": lambda: safety_card(_form()),
        "safety-with-problem": lambda: safety_card(
            _form(problems=[FieldProblem(StepField.IMMEDIATE_RISK.value, IMMEDIATE_RISK_REQUIRED)])
        ),
        "safety-exit": lambda: safety_exit_card(CHILD_PROTECTION_CONTACTS),
        "safety-exit-no-contacts-configured": lambda: safety_exit_card(()),
        "route": lambda: route_card(_form()),
        "route-rethink-outside-portsmouth": lambda: route_card(
            _form(
                {
                    CaseDetailsField.LSCP_AREA.value: LscpArea.SOUTHAMPTON.value,
                    StepField.ROUTE.value: Route.RETHINK.value,
                },
                problems=[
                    FieldProblem(
                        StepField.ROUTE.value,
                        "Re-think is an approach of the Portsmouth Safeguarding Children "
                        "Partnership (PSCP), so it is offered for concerns in Portsmouth only.",
                    )
                ],
            )
        ),
        "case-details": lambda: case_details_card(
            _form(), route_label="HIPS procedure", area_label="Portsmouth"
        ),
        "case-details-with-problems-and-warnings": lambda: case_details_card(
            _form(
                case_values,
                problems=[
                    FieldProblem(CaseDetailsField.CASE_REFERENCE.value, CASE_REFERENCE_CHARACTERS),
                    FieldProblem(CaseDetailsField.CONCERN_AROSE_ON.value, DATE_IN_FUTURE),
                ],
                warnings=[
                    IdentifierWarning(
                        CaseDetailsField.URGENT_REASON.value,
                        (IdentifierKind.PHONE_NUMBER,),
                    )
                ],
            ),
            route_label="HIPS procedure",
            area_label="Portsmouth",
        ),
        "case-details-rethink": lambda: case_details_card(
            _form(),
            route_label="Re-think (Portsmouth Safeguarding Children Partnership)",
            area_label="Portsmouth",
            show_urgency=False,
        ),
        "template": lambda: template_card(_form()),
        "template-draft-saved": lambda: template_card(
            _form(dict(TEMPLATE_ANSWERS)), draft_saved_at="14:05"
        ),
        "template-with-problems-and-warnings": lambda: template_card(
            _form(
                template_values,
                problems=[FieldProblem(q7, ANSWER_REQUIRED)],
                warnings=[IdentifierWarning(q1, (IdentifierKind.DATE_OF_BIRTH,))],
            )
        ),
        "template-warning-confirmed": lambda: template_card(
            _form(
                {**template_values, not_identifying_toggle_id(q1): "true"},
                problems=[FieldProblem(q7, ANSWER_REQUIRED)],
                confirmed=frozenset({q1}),
            )
        ),
        "lead-professional": lambda: lead_professional_card(_form()),
        "strategy-1-options": lambda: strategy_options_card(_form(), strategy=Strategy.ONE),
        "strategy-2-options": lambda: strategy_options_card(_form(), strategy=Strategy.TWO),
        "strategy-3-options": lambda: strategy_options_card(_form(), strategy=Strategy.THREE),
        "strategy-options-with-problem": lambda: strategy_options_card(
            _form(
                {StepField.OPTION.value: RethinkOption.S1_RESTORATIVE_CONVERSATION.value},
                problems=[
                    FieldProblem(StepField.ON_DATE.value, "Please give the date of the meeting.")
                ],
            ),
            strategy=Strategy.ONE,
        ),
        "submitted-summary": lambda: submitted_summary_card(
            "Structuring your concerns",
            [
                (
                    "1. What is the decision or practice that is of concern and why?",
                    TEMPLATE_ANSWERS[q1],
                ),
                ("6. What are the outcomes you are seeking for the child?", TEMPLATE_ANSWERS[q6]),
            ],
        ),
        "already-submitted": already_submitted_card,
        "cancel-confirmation": lambda: cancel_confirmation_card(FORM_ID),
        "cancelled": cancelled_card,
    }


def _thread_card(thread: EscalationThread, *, notice: str | None = None) -> AdaptiveCard:
    return thread_card(
        thread,
        today=TODAY,
        notice=notice,
        lscp_contact_email=LSCP_EMAIL,
        rethink_contact=RETHINK_CONTACT,
    )


def _stage_card(state: ThreadState, deadline: date) -> Callable[[], AdaptiveCard]:
    return lambda: _thread_card(_thread(state, deadline=deadline))


def _thread_cards() -> dict[str, Callable[[], AdaptiveCard]]:
    stage_deadlines = {
        Stage.ONE: date(2026, 11, 23),
        Stage.TWO: date(2026, 11, 25),
        Stage.THREE: date(2026, 11, 26),
        Stage.FOUR: date(2026, 11, 24),
        Stage.FIVE: date(2026, 11, 27),
    }
    cards: dict[str, Callable[[], AdaptiveCard]] = {
        f"thread-card-stage-{int(stage)}": _stage_card(ThreadState.for_stage(stage), deadline)
        for stage, deadline in stage_deadlines.items()
    }
    cards |= {
        "thread-card-stage-2-overdue": lambda: _thread_card(
            _thread(ThreadState.STAGE_2, deadline=date(2026, 11, 20))
        ),
        "thread-card-stage-1-urgent": lambda: _thread_card(
            _thread(
                ThreadState.STAGE_1,
                deadline=TODAY,
                urgent_reason="The child is due to be discharged from hospital on Friday.",
            )
        ),
        "thread-card-stage-2-just-escalated": lambda: _thread_card(
            _thread(ThreadState.STAGE_2), notice="Escalated to stage 2."
        ),
        "thread-card-stage-5-no-lscp-address": lambda: thread_card(
            _thread(ThreadState.STAGE_5, deadline=date(2026, 11, 27)), today=TODAY
        ),
        "thread-card-referred-to-lscp": lambda: _thread_card(
            _thread(ThreadState.REFERRED_TO_LSCP, deadline=None)
        ),
        "thread-card-strategy-1": lambda: _thread_card(
            _thread(ThreadState.STRATEGY_1, deadline=None, template_answers={})
        ),
        "thread-card-strategy-1-option-3-chosen": lambda: _thread_card(
            _thread(
                ThreadState.STRATEGY_1,
                deadline=date(2026, 11, 27),
                template_answers={},
                rethink_options=(RethinkOption.S1_CONSULT_HIPS,),
            )
        ),
        "thread-card-strategy-2": lambda: _thread_card(
            _thread(
                ThreadState.STRATEGY_2,
                deadline=date(2026, 12, 2),
                is_lead_professional=True,
                template_answers={},
                rethink_options=(RethinkOption.S2_MULTI_AGENCY_RETHINK,),
            )
        ),
        "thread-card-strategy-2-meeting-passed": lambda: _thread_card(
            _thread(
                ThreadState.STRATEGY_2,
                deadline=date(2026, 11, 18),
                template_answers={},
                rethink_options=(RethinkOption.S2_SENIOR_AT_NEXT_REVIEW,),
            )
        ),
        "thread-card-strategy-3": lambda: _thread_card(
            _thread(ThreadState.STRATEGY_3, deadline=None, template_answers={})
        ),
        "thread-card-resolved": lambda: _thread_card(
            _thread(
                ThreadState.RESOLVED,
                deadline=None,
                agreed_actions=(
                    AgreedAction(
                        "Share the attendance record with the duty team",
                        "Priya Shah",
                        date(2026, 11, 27),
                    ),
                    AgreedAction(
                        "Early help assessment started",
                        "Dana Okafor",
                        date(2026, 11, 20),
                        done=True,
                    ),
                ),
            ),
            notice="Resolved. Feed the agreed actions back to the practitioners now.",
        ),
        "thread-card-withdrawn": lambda: _thread_card(
            _thread(ThreadState.WITHDRAWN, deadline=None)
        ),
        "thread-history": lambda: thread_history_card(
            _thread(
                ThreadState.STAGE_2,
                agreed_actions=(
                    AgreedAction(
                        "Share the attendance record with the duty team",
                        "Priya Shah",
                        date(2026, 11, 20),
                    ),
                ),
            ),
            _events(),
            today=TODAY,
            tz=LONDON,
        ),
        "thread-history-rethink": lambda: thread_history_card(
            _thread(
                ThreadState.STRATEGY_2,
                template_answers={},
                rethink_options=(
                    RethinkOption.S1_RESTORATIVE_CONVERSATION,
                    RethinkOption.S2_MULTI_AGENCY_RETHINK,
                ),
            ),
            [
                AuditEvent(
                    EventKind.OPENED,
                    RAISER,
                    datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
                    None,
                    ThreadState.STRATEGY_1,
                )
            ],
            today=TODAY,
            tz=LONDON,
        ),
        "thread-history-empty": lambda: thread_history_card(
            _thread(ThreadState.STAGE_1), [], today=TODAY, tz=LONDON
        ),
        "my-concerns": lambda: my_concerns_card(
            [
                _thread(
                    ThreadState.STAGE_2, reference="ESC-2026-0012", deadline=date(2026, 11, 20)
                ),
                _thread(
                    ThreadState.STRATEGY_1,
                    reference="ESC-2026-0009",
                    deadline=None,
                    template_answers={},
                ),
                _thread(
                    ThreadState.STAGE_1,
                    reference="ESC-2026-0007",
                    case_reference="SCC/88213",
                    deadline=TODAY,
                    urgent_reason="Discharge planned for Friday.",
                ),
            ],
            today=TODAY,
        ),
        "my-concerns-empty": lambda: my_concerns_card([], today=TODAY),
        "note-form": lambda: note_form_card(_thread(ThreadState.STAGE_2), _form()),
        "note-form-with-warning": lambda: note_form_card(
            _thread(ThreadState.STAGE_2),
            _form(
                {
                    ThreadFormField.NOTE.value: (
                        "Mum's mobile is 07700 900123 if the duty team need it."
                    )
                },
                warnings=[
                    IdentifierWarning(ThreadFormField.NOTE.value, (IdentifierKind.PHONE_NUMBER,))
                ],
            ),
        ),
        "resolve-form": lambda: resolve_form_card(_thread(ThreadState.STAGE_3), _form()),
        "resolve-form-with-problems": lambda: resolve_form_card(
            _thread(ThreadState.STAGE_3),
            _form(
                {
                    agreed_action_field(1, AgreedActionPart.WHAT): "Share the attendance record",
                    agreed_action_field(1, AgreedActionPart.BY): "2026-11-27",
                },
                problems=[
                    FieldProblem(ThreadFormField.OUTCOME.value, "Please say what was agreed."),
                    FieldProblem(
                        agreed_action_field(1, AgreedActionPart.WHO), "Please say who will do it."
                    ),
                ],
            ),
        ),
        "resolve-form-with-the-lscp": lambda: resolve_form_card(
            _thread(ThreadState.REFERRED_TO_LSCP, deadline=None), _form()
        ),
        "hand-over-to-hips-template": lambda: hand_over_form_card(
            _thread(ThreadState.STRATEGY_1, deadline=None, template_answers={}), _form()
        ),
        "choose-option-form-strategy-1": lambda: choose_option_form_card(
            _thread(ThreadState.STRATEGY_1, deadline=None, template_answers={}), _form()
        ),
        "choose-option-form-strategy-3": lambda: choose_option_form_card(
            _thread(ThreadState.STRATEGY_3, deadline=None, template_answers={}), _form()
        ),
        "choose-option-form-not-rethink": lambda: choose_option_form_card(
            _thread(ThreadState.STAGE_1), _form()
        ),
        "facilitator-request": lambda: facilitator_request_card(
            _thread(ThreadState.STRATEGY_3, deadline=None, template_answers={}),
            _form(),
            contact_name=RETHINK_CONTACT[0],
            contact_email=RETHINK_CONTACT[1],
        ),
        "facilitator-request-with-problem": lambda: facilitator_request_card(
            _thread(ThreadState.STRATEGY_3, deadline=None, template_answers={}),
            _form(
                {FacilitatorCheck.RAISED_WITH_NETWORK.value: "true"},
                problems=[
                    FieldProblem(
                        "",
                        "Before requesting an independent facilitator, please consider and "
                        f"confirm: “{FacilitatorCheck.CONSIDERED_HIPS.question}”",
                    )
                ],
            ),
            contact_name=RETHINK_CONTACT[0],
            contact_email=RETHINK_CONTACT[1],
        ),
    }
    return cards


def gallery() -> dict[str, AdaptiveCard]:
    """Every card, by the name of its file (without ".json")."""
    builders: dict[str, Callable[[], AdaptiveCard]] = {
        "welcome": welcome_card,
        "welcome-personalised": lambda: welcome_card(user_first_name="Priya"),
        **_intake_cards(),
        **_thread_cards(),
    }
    return {name: build() for name, build in builders.items()}


def write_gallery(out_dir: Path) -> list[Path]:
    """Write every card as `<name>.json` into `out_dir` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, adaptive_card in gallery().items():
        path = out_dir / f"{name}.json"
        path.write_text(
            json.dumps(card_payload(adaptive_card), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1:
        sys.stderr.write("usage: python -m cards.gallery OUT_DIR\n")
        return 2
    written = write_gallery(Path(arguments[0]))
    sys.stdout.write(f"Wrote {len(written)} cards to {arguments[0]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
