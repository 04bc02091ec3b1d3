"""A dialog step that is one Adaptive Card form: send it, check each submission, end when clean.

Submissions arrive as Action.Execute invokes. The answer to each click replaces the clicked card
in place (DESIGN.md 4.1): the same form again with each problem named next to its field (nothing
typed is lost), or, once the submission is clean, a read-only summary so it cannot be sent twice.
A click on an older copy of the form (another form id) answers "already submitted" and changes
nothing. The dialog keeps only plain data in its state: the submitted values, as strings.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    Dialog,
    DialogContext,
    DialogInstance,
    DialogReason,
    DialogTurnResult,
)
from botbuilder.schema import Activity, ActivityTypes
from microsoft_teams.cards import AdaptiveCard

from cards.forms import FormView
from cards.intake import (
    already_submitted_card,
    cancel_confirmation_card,
    cancelled_card,
    submitted_summary_card,
)
from cards.verbs import Verb
from dialogs.actions import card_action_of
from dialogs.replies import card_invoke_response, card_message
from domain.intake import Checked

NOT_IDENTIFYING_PREFIX = "not_identifying__"
FORM_ID_KEY = "formId"


@dataclass(frozen=True)
class FormContext:
    """What a form's checks and cards may depend on besides what was typed."""

    today: date
    params: Mapping[str, Any] = field(default_factory=dict)
    draft_saved_at: str | None = None


@dataclass(frozen=True)
class FormSpec:
    """One form: how to draw it, how to check it, and how to summarise a clean submission."""

    name: str
    render: Callable[[FormView, FormContext], AdaptiveCard]
    check: Callable[[Mapping[str, Any], frozenset[str], FormContext], Checked[Any]]
    summary: Callable[[Any, FormContext], tuple[str, Sequence[tuple[str, str]]]]
    allows_draft: bool = False


def submitted_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The inputs of a submission as strings, without the bot's own keys."""
    return {
        str(key): value if isinstance(value, str) else str(value)
        for key, value in data.items()
        if key != FORM_ID_KEY and value is not None
    }


def confirmed_not_identifying(values: Mapping[str, str]) -> frozenset[str]:
    return frozenset(
        key.removeprefix(NOT_IDENTIFYING_PREFIX)
        for key, value in values.items()
        if key.startswith(NOT_IDENTIFYING_PREFIX) and value.lower() == "true"
    )


async def answer_click(turn_context: TurnContext, card: AdaptiveCard) -> None:
    """Set this turn's answer to the click: the card that replaces the clicked one."""
    await turn_context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=card_invoke_response(card))
    )


_ClickHandler = Callable[
    [DialogContext, dict[str, Any], dict[str, Any]], Awaitable[DialogTurnResult]
]


class CardFormDialog(Dialog):
    """Waits for a clean submission of one form; its result is the submitted values."""

    def __init__(self, spec: FormSpec, local_now: Callable[[], datetime]) -> None:
        super().__init__(f"form.{spec.name}")
        self._spec = spec
        self._local_now = local_now

    def _context(self, state: Mapping[str, Any]) -> FormContext:
        return FormContext(
            today=self._local_now().date(),
            params=dict(state.get("params") or {}),
            draft_saved_at=state.get("draft_saved_at"),
        )

    def _view(
        self,
        state: Mapping[str, Any],
        checked: Checked[Any] | None = None,
    ) -> FormView:
        values: dict[str, str] = dict(state.get("values") or {})
        return FormView(
            form_id=str(state["form_id"]),
            values=values,
            problems=checked.problems if checked else (),
            warnings=checked.unconfirmed_warnings if checked else (),
            confirmed_not_identifying=confirmed_not_identifying(values),
        )

    def render(self, state: Mapping[str, Any], checked: Checked[Any] | None = None) -> AdaptiveCard:
        return self._spec.render(self._view(state, checked), self._context(state))

    async def _send_form(self, turn_context: TurnContext, state: dict[str, Any]) -> None:
        state["form_id"] = uuid.uuid4().hex
        await turn_context.send_activity(card_message(self.render(state)))

    async def begin_dialog(
        self, dialog_context: DialogContext, options: object = None
    ) -> DialogTurnResult:
        state: dict[str, Any] = dialog_context.active_dialog.state
        given = options if isinstance(options, Mapping) else {}
        state["params"] = dict(given.get("params") or {})
        state["values"] = dict(given.get("values") or {})
        await self._send_form(dialog_context.context, state)
        return Dialog.end_of_turn

    async def reprompt_dialog(self, context: TurnContext, instance: DialogInstance) -> None:
        """Send the form again as a new message, with what was typed so far ("continue")."""
        await self._send_form(context, instance.state)

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        turn_context = dialog_context.context
        state: dict[str, Any] = dialog_context.active_dialog.state
        action = card_action_of(turn_context)
        if action is None:
            return Dialog.end_of_turn  # text while a form is open: the bot's commands handle it
        try:
            verb: Verb | None = Verb(action.verb)
        except ValueError:
            verb = None
        handler = self._handlers.get(verb) if verb else None
        if action.data.get(FORM_ID_KEY) != state.get("form_id") or handler is None:
            await answer_click(turn_context, already_submitted_card())
            return Dialog.end_of_turn
        return await handler(dialog_context, state, action.data)

    @property
    def _handlers(self) -> dict[Verb, _ClickHandler]:
        return {
            Verb.SUBMIT_FORM: self._submit,
            Verb.SAVE_DRAFT: self._save_draft,
            Verb.CANCEL_FORM: self._ask_to_cancel,
            Verb.KEEP_GOING: self._keep_going,
            Verb.CONFIRM_CANCEL: self._cancel,
        }

    async def _cancel(
        self, dialog_context: DialogContext, state: dict[str, Any], data: dict[str, Any]
    ) -> DialogTurnResult:
        await answer_click(dialog_context.context, cancelled_card())
        result: DialogTurnResult = await dialog_context.cancel_all_dialogs()
        return result

    async def _ask_to_cancel(
        self, dialog_context: DialogContext, state: dict[str, Any], data: dict[str, Any]
    ) -> DialogTurnResult:
        state["values"] = {**state.get("values", {}), **submitted_values(data)}
        await answer_click(dialog_context.context, cancel_confirmation_card(str(state["form_id"])))
        return Dialog.end_of_turn

    async def _keep_going(
        self, dialog_context: DialogContext, state: dict[str, Any], data: dict[str, Any]
    ) -> DialogTurnResult:
        await answer_click(dialog_context.context, self.render(state))
        return Dialog.end_of_turn

    async def _save_draft(
        self, dialog_context: DialogContext, state: dict[str, Any], data: dict[str, Any]
    ) -> DialogTurnResult:
        state["values"] = submitted_values(data)
        if self._spec.allows_draft:
            state["draft_saved_at"] = self._local_now().strftime("%H:%M")
        await answer_click(dialog_context.context, self.render(state))
        return Dialog.end_of_turn

    async def _submit(
        self, dialog_context: DialogContext, state: dict[str, Any], data: dict[str, Any]
    ) -> DialogTurnResult:
        state["values"] = values = submitted_values(data)
        context = self._context(state)
        checked = self._spec.check(values, confirmed_not_identifying(values), context)
        if not checked.ok:
            await answer_click(dialog_context.context, self.render(state, checked))
            return Dialog.end_of_turn
        title, facts = self._spec.summary(checked.value, context)
        await answer_click(dialog_context.context, submitted_summary_card(title, facts))
        result: DialogTurnResult = await dialog_context.end_dialog(values)
        return result

    async def end_dialog(
        self, context: TurnContext, instance: DialogInstance, reason: DialogReason
    ) -> None:
        instance.state.clear()  # nothing typed outlives the dialog in its state
