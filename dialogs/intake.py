"""Logging a concern: safety first, the route, the case, then the template or the Re-think path.

One card per step (see dialogs/forms.py). The waterfall keeps only what was submitted, as plain
strings, in the SQL-backed dialog state, so a half-finished concern survives a restart and
"continue my draft" resumes it. Nothing is written to the concern store until the last step is
clean; then `open_thread` (given by the bot) opens and persists it in one transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)

from cards.intake import (
    case_details_card,
    lead_professional_card,
    route_card,
    safety_card,
    safety_exit_card,
    strategy_options_card,
    template_card,
)
from dialogs.forms import CardFormDialog, FormContext, FormSpec, confirmed_not_identifying
from dialogs.replies import card_message
from domain.forms.fields import CaseDetailsField
from domain.forms.intake_checks import (
    CaseDetails,
    ImmediateRisk,
    IntakeOutcome,
    RouteAndArea,
    TemplateAnswers,
    check_case_details,
    check_lead_professional,
    check_route_and_area,
    check_safety_answer,
    check_strategy_choice,
    check_template_answers,
)
from domain.model import LscpArea, Route, Strategy
from domain.policy import DEFAULT_WORKING_DAYS_PER_STAGE
from domain.procedure import state_label
from domain.rethink import LEAD_PROFESSIONAL_QUESTION, opening_state
from domain.template import TEMPLATE_QUESTIONS

INTAKE_DIALOG = "intake"
_SAFETY_QUESTION = "Is a child at immediate risk of significant harm?"


OpenThread = Callable[[TurnContext, IntakeOutcome], Awaitable[None]]


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _case_facts(details: CaseDetails, context: FormContext) -> Sequence[tuple[str, str]]:
    other = details.other_practitioner
    manager = details.line_manager_name or ("Chosen in Teams" if details.line_manager_id else "")
    facts = [
        ("Case reference", details.case_reference),
        ("LSCP area", details.lscp_area.label),
        ("Your agency", details.raiser_agency),
        ("Your role", details.raiser_role),
        ("Other agency", details.other_agency),
        ("Other practitioner", other.name if other else "Not given"),
        ("Line manager or safeguarding lead", manager or "Not given"),
        ("Urgent", _yes_no(details.urgent)),
        ("Concern arose on", details.concern_arose_on.strftime("%d/%m/%Y")),
    ]
    if details.urgent and details.urgent_reason:
        facts.insert(8, ("Why it is urgent", details.urgent_reason))
    return facts


def _template_facts(answers: TemplateAnswers, context: FormContext) -> Sequence[tuple[str, str]]:
    return [
        (f"{question.number}. {question.text}", answers.answer(question.id) or "Not answered")
        for question in TEMPLATE_QUESTIONS
    ]


def _with_area(values: Mapping[str, Any], context: FormContext) -> dict[str, Any]:
    return {**values, CaseDetailsField.LSCP_AREA.value: context.params.get("area")}


FORMS: tuple[FormSpec, ...] = (
    FormSpec(
        name="safety",
        render=lambda form, context: safety_card(form),
        check=lambda values, confirmed, context: check_safety_answer(values),
        summary=lambda answer, context: (
            "Safety check",
            [(_SAFETY_QUESTION, "Yes" if answer is ImmediateRisk.YES else "No")],
        ),
    ),
    FormSpec(
        name="route",
        # A draft begun before the parameter existed falls back to the procedure's default.
        render=lambda form, context: route_card(
            form,
            working_days_per_stage=int(
                context.params.get("working_days_per_stage", DEFAULT_WORKING_DAYS_PER_STAGE)
            ),
        ),
        check=lambda values, confirmed, context: check_route_and_area(values),
        summary=lambda chosen, context: (
            "Where and which procedure",
            [("LSCP area", chosen.area.label), ("Procedure", chosen.route_label)],
        ),
    ),
    FormSpec(
        name="case_details",
        render=lambda form, context: case_details_card(
            form,
            route_label=str(context.params.get("route_label", "")),
            area_label=LscpArea(context.params["area"]).label,
            # Re-think has no timescales to shorten (domain.procedure), so no urgency question.
            show_urgency=context.params.get("route") == Route.HIPS.value,
        ),
        check=lambda values, confirmed, context: check_case_details(
            _with_area(values, context), confirmed, context.today
        ),
        summary=lambda details, context: ("About the case", _case_facts(details, context)),
    ),
    FormSpec(
        name="template",
        render=lambda form, context: template_card(form, draft_saved_at=context.draft_saved_at),
        check=lambda values, confirmed, context: check_template_answers(values, confirmed),
        summary=lambda answers, context: (
            "Structuring your concerns",
            _template_facts(answers, context),
        ),
        allows_draft=True,
    ),
    FormSpec(
        name="lead_professional",
        render=lambda form, context: lead_professional_card(form),
        check=lambda values, confirmed, context: check_lead_professional(values),
        summary=lambda is_lead, context: (
            "Lead Professional",
            [(LEAD_PROFESSIONAL_QUESTION, _yes_no(bool(is_lead)))],
        ),
    ),
    FormSpec(
        name="strategy",
        render=lambda form, context: strategy_options_card(
            form, strategy=Strategy(int(context.params["strategy"]))
        ),
        check=lambda values, confirmed, context: check_strategy_choice(
            values, Strategy(int(context.params["strategy"])), context.today
        ),
        summary=lambda choice, context: (
            state_label(opening_state(is_lead_professional=choice.option.strategy is Strategy.TWO)),
            [("Option", choice.option.wording), ("Date", choice.on_date.strftime("%d/%m/%Y"))],
        ),
    ),
)
FORMS_BY_NAME = {spec.name: spec for spec in FORMS}


class IntakeDialog(ComponentDialog):
    """The "new concern" conversation, from the safety question to the opened thread."""

    def __init__(
        self,
        *,
        local_now: Callable[[], datetime],
        child_protection_contacts: Sequence[tuple[str, str]],
        open_thread: OpenThread,
        working_days_per_stage: int = DEFAULT_WORKING_DAYS_PER_STAGE,
    ) -> None:
        super().__init__(INTAKE_DIALOG)
        self._working_days_per_stage = working_days_per_stage
        self._local_now = local_now
        self._contacts = tuple(child_protection_contacts)
        self._open_thread = open_thread
        for spec in FORMS:
            self.add_dialog(CardFormDialog(spec, local_now))
        self.add_dialog(
            WaterfallDialog(
                "intake.steps",
                [
                    self._ask_safety,
                    self._ask_route,
                    self._ask_case_details,
                    self._ask_template_or_lead_professional,
                    self._ask_strategy_option,
                    self._open,
                ],
            )
        )
        self.initial_dialog_id = "intake.steps"

    def _today(self) -> date:
        return self._local_now().date()

    def _check(self, name: str, values: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        """Re-read a submitted form (already clean) into its domain value."""
        spec = FORMS_BY_NAME[name]
        context = FormContext(today=self._today(), params=params)
        checked = spec.check(values, confirmed_not_identifying(values), context)
        return checked.value

    async def _ask_safety(self, step: WaterfallStepContext) -> DialogTurnResult:
        result: DialogTurnResult = await step.begin_dialog("form.safety")
        return result

    async def _ask_route(self, step: WaterfallStepContext) -> DialogTurnResult:
        if self._check("safety", step.result, {}) is ImmediateRisk.YES:
            await step.context.send_activity(card_message(safety_exit_card(self._contacts)))
            ended: DialogTurnResult = await step.end_dialog()
            return ended
        params = {"working_days_per_stage": self._working_days_per_stage}
        result: DialogTurnResult = await step.begin_dialog("form.route", {"params": params})
        return result

    async def _ask_case_details(self, step: WaterfallStepContext) -> DialogTurnResult:
        chosen: RouteAndArea = self._check("route", step.result, {})
        step.values["route"] = chosen.route.value
        step.values["area"] = chosen.area.value
        params = {
            "area": chosen.area.value,
            "route": chosen.route.value,
            "route_label": chosen.route_label,
        }
        step.values["case_params"] = params
        result: DialogTurnResult = await step.begin_dialog("form.case_details", {"params": params})
        return result

    async def _ask_template_or_lead_professional(
        self, step: WaterfallStepContext
    ) -> DialogTurnResult:
        step.values["case_details"] = step.result
        form = (
            "form.template"
            if step.values["route"] == Route.HIPS.value
            else ("form.lead_professional")
        )
        result: DialogTurnResult = await step.begin_dialog(form)
        return result

    async def _ask_strategy_option(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.values["route"] == Route.HIPS.value:
            step.values["template"] = step.result
            skipped: DialogTurnResult = await step.next(None)
            return skipped
        step.values["lead_professional"] = step.result
        is_lead = bool(self._check("lead_professional", step.result, {}))
        strategy = opening_state(is_lead_professional=is_lead).strategy
        assert strategy is not None  # noqa: S101 - Re-think always opens in a strategy
        params = {"strategy": int(strategy)}
        step.values["strategy_params"] = params
        result: DialogTurnResult = await step.begin_dialog("form.strategy", {"params": params})
        return result

    async def _open(self, step: WaterfallStepContext) -> DialogTurnResult:
        values = step.values
        route = Route(values["route"])
        details: CaseDetails = self._check(
            "case_details", values["case_details"], values["case_params"]
        )
        if route is Route.HIPS:
            outcome = IntakeOutcome(
                route=route,
                details=details,
                template=self._check("template", values["template"], {}),
                is_lead_professional=False,
                choice=None,
            )
        else:
            outcome = IntakeOutcome(
                route=route,
                details=details,
                template=None,
                is_lead_professional=bool(
                    self._check("lead_professional", values["lead_professional"], {})
                ),
                choice=self._check("strategy", step.result, values["strategy_params"]),
            )
        await self._open_thread(step.context, outcome)
        result: DialogTurnResult = await step.end_dialog()
        return result
