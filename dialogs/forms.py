"""A dialog step that is one Adaptive Card form: send it, check each submission, end when clean.

Submissions arrive as Action.Execute invokes. The answer to each click replaces the clicked card
in place (DESIGN.md 4.1): the same form again, drawn from what was just submitted, with each
problem named next to its field (nothing typed is lost), or, once the submission is clean, a
read-only summary so it cannot be sent twice. A click on an older copy of the form (another form
id) answers "already submitted" and changes nothing.

The dialog's state is saved to the SQL `dialog_state` table after every turn, so what it keeps of
a submission (`state["values"]`, also what "Save draft" keeps) is only what is safe to store:
- only the form's own inputs, as its card draws them for this step (`form_inputs`), and the
  "This is not identifying" toggle of each text input; any other key a click carries is dropped;
- only text: a value that is not a string is named as unreadable on the card, never converted;
- only answers that passed the form's checks: an answer with a problem (too long, unreadable, a
  character that cannot be stored, not one of the choices) or with an identifier warning that
  was not confirmed as not identifying is shown again on the card but not kept. An answer
  confirmed as not identifying is clean, so it is kept;
- each no longer than its input takes; a value longer than `MAX_VALUE_LENGTH` is not even read
  or shown back, only named as too long.
A clean submission is kept whole, and it is also the dialog's result.
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

from cards.forms import (
    CARD_LEVEL,
    FORM_ID_KEY,
    NOT_IDENTIFYING_PREFIX,
    FormView,
    not_identifying_toggle_id,
)
from cards.intake import (
    already_submitted_card,
    cancel_confirmation_card,
    cancelled_card,
    submitted_summary_card,
)
from cards.render import card_nodes, card_payload
from cards.verbs import Verb
from dialogs.replies import card_invoke_response, card_message
from domain.forms.reading import (
    UNREADABLE,
    UNSTORABLE_CHARACTERS,
    Checked,
    FieldProblem,
    has_unstorable_characters,
    length_problem,
)
from teams.clicks import card_action_of


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


def submitted_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of a submission as they were sent, without the form id and without nulls.

    Values are not converted: one that is not text (a number, list, object or boolean) stays as
    it is, so the form's checks name it as unreadable instead of reading its Python repr, and
    cards draw only text (`FormView.value`).
    """
    return {
        str(key): value for key, value in data.items() if key != FORM_ID_KEY and value is not None
    }


def confirmed_not_identifying(values: Mapping[str, object]) -> frozenset[str]:
    """The field ids whose "This is not identifying" toggle was submitted ticked."""
    return frozenset(
        key.removeprefix(NOT_IDENTIFYING_PREFIX)
        for key, value in values.items()
        if key.startswith(NOT_IDENTIFYING_PREFIX)
        and isinstance(value, str)
        and value.lower() == "true"
    )


async def answer_click(turn_context: TurnContext, card: AdaptiveCard) -> None:
    """Set this turn's answer to the click: the card that replaces the clicked one."""
    await turn_context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=card_invoke_response(card))
    )


# --- What a form's card takes -----------------------------------------------------------------

MAX_VALUE_LENGTH = 10_000  # more than any input of any form takes; a longer value is not read
TOO_LONG_TO_READ = (
    "This answer was too long to be read, so it has not been kept. Please enter a shorter one."
)
NOT_ONE_OF_THE_CHOICES = "Please choose one of the options shown."
NOT_KEPT_IN_DRAFT = (
    "Answers with a message next to them were not saved in your draft. Please change them and "
    "save again."
)
_TOGGLE_VALUES = frozenset({"true", "false"})  # what FormBody's toggles submit
_DEFAULT_MAX_LENGTHS: Mapping[str, int] = {"Input.Date": len("YYYY-MM-DD")}


@dataclass(frozen=True)
class FormInput:
    """One input as a form's card draws it: the longest value it takes, and, for a toggle or a
    fixed list of choices, the only values it can send."""

    max_length: int
    choices: frozenset[str] | None = None
    text: bool = False


def _form_input(node: Mapping[str, Any]) -> FormInput:
    kind = str(node["type"])
    declared = node.get("maxLength")
    if isinstance(declared, int | float) and not isinstance(declared, bool):
        max_length = int(declared)
    else:
        max_length = _DEFAULT_MAX_LENGTHS.get(kind, MAX_VALUE_LENGTH)
    choices: frozenset[str] | None = None
    if kind == "Input.Toggle":
        choices = frozenset(
            str(node.get(key, default))
            for key, default in (("valueOn", "true"), ("valueOff", "false"))
        )
    elif (
        kind == "Input.ChoiceSet" and not node.get("choices.data") and not node.get("isMultiSelect")
    ):
        choices = frozenset(
            str(choice["value"]) for choice in node.get("choices") or () if "value" in choice
        )
    if choices:
        max_length = min(max_length, max(len(choice) for choice in choices))
    return FormInput(max_length=max_length, choices=choices, text=kind == "Input.Text")


def form_inputs(card: AdaptiveCard) -> dict[str, FormInput]:
    """The inputs `card` draws, by id, and the "This is not identifying" toggle each text input
    can show under it once its answer is flagged."""
    found: dict[str, FormInput] = {}
    for node in card_nodes(card_payload(card)):
        field_id = node.get("id")
        if isinstance(field_id, str) and str(node.get("type", "")).startswith("Input."):
            found[field_id] = _form_input(node)
    toggle = FormInput(max_length=max(map(len, _TOGGLE_VALUES)), choices=_TOGGLE_VALUES)
    for field_id, form_input in list(found.items()):
        if form_input.text:
            found.setdefault(not_identifying_toggle_id(field_id), toggle)
    return found


@dataclass(frozen=True)
class _Reading:
    """One submission read against its form.

    `checked` is what the card says about it (the form's checks and the dialog's own); `shown`
    is what its inputs are pre-filled with; `kept` is what may be stored; `answered` the fields
    given something other than a blank.
    """

    checked: Checked[Any]
    shown: dict[str, str]
    kept: dict[str, str]
    answered: frozenset[str]


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

    def render(
        self,
        state: Mapping[str, Any],
        checked: Checked[Any] | None = None,
        shown: Mapping[str, str] | None = None,
    ) -> AdaptiveCard:
        """The form, pre-filled with `shown` (what was just submitted) or else with what the
        state keeps, and with what `checked` says next to each field."""
        values = dict(state.get("values") or {}) if shown is None else dict(shown)
        view = FormView(
            form_id=str(state["form_id"]),
            values=values,
            problems=checked.problems if checked else (),
            warnings=checked.unconfirmed_warnings if checked else (),
            confirmed_not_identifying=confirmed_not_identifying(values),
        )
        return self._spec.render(view, self._context(state))

    def _inputs(self, state: Mapping[str, Any]) -> dict[str, FormInput]:
        """The inputs of this form as its card draws them for this step (e.g. the case details
        card asks about urgency only for HIPS)."""
        return form_inputs(self._spec.render(FormView(form_id=""), self._context(state)))

    def _read(self, state: Mapping[str, Any], data: Mapping[str, Any]) -> _Reading:
        """Check a submission against the form, and sort what may be kept from what may not."""
        inputs = self._inputs(state)
        given = {key: value for key, value in submitted_values(data).items() if key in inputs}
        too_long = {
            key
            for key, value in given.items()
            if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH
        }
        values = {
            key: value
            for key, value in given.items()
            if key not in too_long and not _unticked_toggle(key, value)
        }
        checked = self._spec.check(values, confirmed_not_identifying(values), self._context(state))
        flagged = {problem.field_id for problem in checked.problems} | {
            warning.field_id for warning in checked.unconfirmed_warnings
        }
        kept: dict[str, str] = {}
        not_kept: list[FieldProblem] = []  # values the checks let through but the card does not
        for key, value in values.items():
            if key in flagged:
                continue
            problem = _problem_with(value, inputs[key])
            if problem is None:
                kept[key] = value
            else:
                not_kept.append(FieldProblem(key, problem))
        if too_long or not_kept:
            checked = Checked(
                None,
                (
                    *(FieldProblem(key, TOO_LONG_TO_READ) for key in sorted(too_long)),
                    *(problem for problem in checked.problems if problem.field_id not in too_long),
                    *not_kept,
                ),
                checked.warnings,
            )
        return _Reading(
            checked=checked,
            shown={key: value for key, value in values.items() if isinstance(value, str)},
            kept=kept,
            answered=frozenset(
                key
                for key, value in given.items()
                if not (isinstance(value, str) and not value.strip())
            ),
        )

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
        """Send the form again as a new message, with what was kept so far ("continue")."""
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
        """Ask before discarding. Cancel sends no inputs; any it carries anyway are kept only
        as a submission's would be, so "Keep going" can show them."""
        merged = {**state.get("values", {}), **submitted_values(data)}
        state["values"] = self._read(state, merged).kept
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
        """Keep the answers that passed; show the others again with what is wrong with them.

        A draft is unfinished on purpose, so questions not yet answered are not problems here.
        """
        reading = self._read(state, data)
        state["values"] = reading.kept
        if self._spec.allows_draft:
            state["draft_saved_at"] = self._local_now().strftime("%H:%M")
        problems = [
            problem for problem in reading.checked.problems if problem.field_id in reading.answered
        ]
        warnings = [
            warning
            for warning in reading.checked.unconfirmed_warnings
            if warning.field_id in reading.answered
        ]
        said: Checked[Any] | None = None
        if problems or warnings:
            problems.insert(0, FieldProblem(CARD_LEVEL, NOT_KEPT_IN_DRAFT))
            said = Checked(None, tuple(problems), tuple(warnings))
        await answer_click(dialog_context.context, self.render(state, said, reading.shown))
        return Dialog.end_of_turn

    async def _submit(
        self, dialog_context: DialogContext, state: dict[str, Any], data: dict[str, Any]
    ) -> DialogTurnResult:
        reading = self._read(state, data)
        state["values"] = reading.kept
        checked = reading.checked
        if not checked.ok:
            await answer_click(dialog_context.context, self.render(state, checked, reading.shown))
            return Dialog.end_of_turn
        title, facts = self._spec.summary(checked.value, self._context(state))
        await answer_click(dialog_context.context, submitted_summary_card(title, facts))
        result: DialogTurnResult = await dialog_context.end_dialog(reading.kept)
        return result

    async def end_dialog(
        self, context: TurnContext, instance: DialogInstance, reason: DialogReason
    ) -> None:
        instance.state.clear()  # nothing typed outlives the dialog in its state


def _unticked_toggle(key: str, value: object) -> bool:
    """A "This is not identifying" toggle that sent anything but on or off counts as unticked."""
    return key.startswith(NOT_IDENTIFYING_PREFIX) and value not in _TOGGLE_VALUES


def _problem_with(value: object, form_input: FormInput) -> str | None:
    """Why a value the form's checks let through still may not be kept, if it may not."""
    if not isinstance(value, str):
        return UNREADABLE
    if has_unstorable_characters(value):
        return UNSTORABLE_CHARACTERS
    if not value.strip():
        return None  # a blank is nothing typed
    if form_input.choices is not None and value not in form_input.choices:
        return NOT_ONE_OF_THE_CHOICES
    if len(value) > form_input.max_length:
        return length_problem(len(value), form_input.max_length)
    return None
