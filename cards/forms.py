"""Building form cards that keep what was typed and say, next to each input, what needs fixing.

Every form the bot sends is re-sent after a submission that is not clean, so a practitioner who
has written several paragraphs must never lose them: each input is pre-filled from
`FormView.values`. Only text is drawn back, and without characters a card cannot carry (see
`FormView.value`). A rule broken (`FieldProblem`) is shown in red directly under its input; an
answer that looks identifying (`IdentifierWarning`) is shown under its input with the toggle that
lets the practitioner say it is not identifying. A problem or warning about a field the card does
not show is not dropped: it goes at the top of the card.

The small text helpers (`paragraph`, `heading`) live here too, so every card of the feature
speaks with the same type sizes and colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    DateInput,
    ExecuteAction,
    QueryData,
    TextBlock,
    TextInput,
    ToggleInput,
)

from cards.verbs import Verb
from domain.forms.fields import text_limit
from domain.forms.reading import (
    NOT_IDENTIFYING_LABEL,
    FieldProblem,
    IdentifierWarning,
    without_unstorable_characters,
)

CARD_VERSION = "1.5"
FORM_ID_KEY = "formId"
NOT_IDENTIFYING_PREFIX = "not_identifying__"
# The Teams people picker searches the organisation's directory through this dataset.
TEAMS_USERS_DATASET = "graph.microsoft.com/users"
# Shown on every form with free text about a concern. The identifier guard (domain.identifiers)
# finds numbers, dates of birth, postcodes, emails and labelled names, but not a bare name.
NO_IDENTIFIERS_ADVICE = (
    "Write about the concern, not the family: no names, dates of birth, addresses or NHS "
    "numbers. The bot checks for NHS and phone numbers, dates of birth, postcodes and email "
    "addresses, but it cannot recognise a name on its own, so please do not type any names."
)
CARD_LEVEL = ""  # the field id of a problem about the whole form rather than one input

Color = Literal["Default", "Attention", "Good", "Warning", "Accent"]
Weight = Literal["Default", "Bolder"]
Size = Literal["Small", "Default", "Medium", "Large"]
Spacing = Literal["None", "Small", "Default", "Medium", "Large"]


class YesNo(StrEnum):
    """The values of a yes / no question's two choices (e.g. "Are you the Lead Professional?")."""

    YES = "yes"
    NO = "no"

    @property
    def label(self) -> str:
        return "Yes" if self is YesNo.YES else "No"


@dataclass(frozen=True)
class FormView:
    """One form as it is to be drawn: its id, what was typed, and what to say about it.

    `values` maps input ids to what the practitioner submitted, as it was sent (nothing typed
    is lost on a re-render); `confirmed_not_identifying` holds the field ids whose "This is not
    identifying" toggle was ticked, so the toggle stays ticked.
    """

    form_id: str
    values: Mapping[str, object] = field(default_factory=dict)
    problems: Sequence[FieldProblem] = ()
    warnings: Sequence[IdentifierWarning] = ()
    confirmed_not_identifying: frozenset[str] = frozenset()

    def value(self, field_id: str) -> str | None:
        """What was typed in `field_id`, to pre-fill its input; None when nothing was.

        A value that is not text (a number, list, object or boolean) is not drawn: the form's
        checks name it as unreadable instead. Characters that cannot be stored or shown (a NUL
        byte, a lone surrogate, other control characters) are taken out, as the message the
        checks put next to the field says.
        """
        typed = self.values.get(field_id)
        if not isinstance(typed, str):
            return None
        return without_unstorable_characters(typed) or None

    def problems_for(self, field_id: str) -> list[FieldProblem]:
        return [problem for problem in self.problems if problem.field_id == field_id]

    def warnings_for(self, field_id: str) -> list[IdentifierWarning]:
        return [warning for warning in self.warnings if warning.field_id == field_id]


def not_identifying_toggle_id(field_id: str) -> str:
    """The id of the toggle that confirms the answer in `field_id` is not identifying."""
    return f"{NOT_IDENTIFYING_PREFIX}{field_id}"


# --- Text -------------------------------------------------------------------------------------


def paragraph(
    text: str,
    *,
    weight: Weight | None = None,
    color: Color | None = None,
    subtle: bool | None = None,
    size: Size | None = None,
    spacing: Spacing | None = None,
    separator: bool | None = None,
) -> TextBlock:
    """A block of text that always wraps: cards are read on phones as well as desktops."""
    return TextBlock(
        text=text,
        wrap=True,
        weight=weight,
        color=color,
        is_subtle=subtle,
        size=size,
        spacing=spacing,
        separator=separator,
    )


def heading(text: str, *, size: Size = "Large") -> TextBlock:
    """A card's title, marked as a heading for screen readers."""
    return TextBlock(text=text, wrap=True, size=size, weight="Bolder", style="heading")


def subheading(text: str) -> TextBlock:
    return paragraph(text, weight="Bolder", spacing="Medium")


def attention(text: str) -> TextBlock:
    """Red text: something to fix, or something overdue."""
    return paragraph(text, color="Attention")


def small_print(text: str) -> TextBlock:
    return paragraph(text, size="Small", subtle=True)


# --- Buttons ----------------------------------------------------------------------------------


def submit_action(
    form_id: str,
    *,
    title: str = "Submit",
    verb: Verb = Verb.SUBMIT_FORM,
    extra_data: Mapping[str, Any] | None = None,
) -> ExecuteAction:
    """The button that sends the form; Teams checks required inputs before sending."""
    return ExecuteAction(
        title=title,
        verb=verb.value,
        data={FORM_ID_KEY: form_id, **(extra_data or {})},
        style="positive",
    )


def save_draft_action(form_id: str) -> ExecuteAction:
    return ExecuteAction(
        title="Save draft", verb=Verb.SAVE_DRAFT.value, data={FORM_ID_KEY: form_id}
    )


def cancel_action(form_id: str) -> ExecuteAction:
    """Cancel sends no inputs, so Teams does not insist on required answers first."""
    return ExecuteAction(
        title="Cancel",
        verb=Verb.CANCEL_FORM.value,
        data={FORM_ID_KEY: form_id},
        associated_inputs="none",
    )


def thread_data(reference: str, version: int) -> dict[str, Any]:
    """What a thread card's button sends: the thread, and the version the card showed."""
    return {"reference": reference, "version": version}


def back_to_thread_action(reference: str, version: int, *, title: str = "Back") -> ExecuteAction:
    """Back to the thread's card, sending nothing typed and validating nothing."""
    return ExecuteAction(
        title=title,
        verb=Verb.SHOW_THREAD_CARD.value,
        data=thread_data(reference, version),
        associated_inputs="none",
    )


def show_help_action() -> ExecuteAction:
    return ExecuteAction(
        title="Show help", verb=Verb.SHOW_HELP.value, data={}, associated_inputs="none"
    )


def card(body: Sequence[CardElement], actions: Sequence[ExecuteAction] = ()) -> AdaptiveCard:
    """An Adaptive Card at the version Teams renders."""
    return AdaptiveCard(
        version=CARD_VERSION, body=list(body), actions=list(actions) if actions else None
    )


# --- Inputs -----------------------------------------------------------------------------------


class FormBody:
    """The body of one form card, built input by input, each followed by what to say about it.

    It remembers which fields it drew, so that `elements()` can put any problem or warning
    about a field the card does not show at the top instead of losing it.
    """

    def __init__(self, form: FormView, *, title: str) -> None:
        self._form = form
        self._title = title
        self._items: list[CardElement] = []
        self._fields: list[str] = []

    @property
    def form(self) -> FormView:
        return self._form

    def add(self, *elements: CardElement) -> None:
        """Text or other content that is not an input."""
        self._items.extend(elements)

    def text_input(
        self,
        field_id: str,
        label: str,
        *,
        required_message: str | None = None,
        multiline: bool = False,
        placeholder: str | None = None,
        email: bool = False,
    ) -> None:
        """A text input; `required_message` marks it required and is what Teams says if empty.

        It takes as many characters as `domain.forms.fields` declares for `field_id`, the limit
        the form's check applies, so Teams never lets through an answer the bot would refuse for
        its length; an id declared nowhere is a KeyError, not an input without a limit.
        """
        self._input(
            field_id,
            TextInput(
                id=field_id,
                label=label,
                value=self._form.value(field_id),
                max_length=text_limit(field_id),
                is_multiline=True if multiline else None,
                placeholder=placeholder,
                style="Email" if email else None,
                is_required=True if required_message else None,
                error_message=required_message,
            ),
        )

    def choice_input(
        self,
        field_id: str,
        label: str,
        choices: Sequence[tuple[str, str]],
        *,
        required_message: str | None = None,
        expanded: bool = False,
        placeholder: str | None = None,
    ) -> None:
        """One choice among `choices` (value, title): radio buttons when `expanded`."""
        self._input(
            field_id,
            ChoiceSetInput(
                id=field_id,
                label=label,
                value=self._form.value(field_id),
                choices=[Choice(title=title, value=value) for value, title in choices],
                style="expanded" if expanded else "compact",
                placeholder=None if expanded else placeholder,
                wrap=True,
                is_required=True if required_message else None,
                error_message=required_message,
            ),
        )

    def people_picker(self, field_id: str, label: str, *, placeholder: str) -> None:
        """Teams' people picker: a type-ahead over the organisation's directory.

        It submits the chosen person's Entra object id. `choices.data` and the "filtered" style
        are Teams-only; the card schema check allows exactly these two by name.
        """
        self._input(
            field_id,
            ChoiceSetInput(
                id=field_id,
                label=label,
                value=self._form.value(field_id),
                choices=[],
                choices_data=QueryData(dataset=TEAMS_USERS_DATASET),
                style="filtered",
                placeholder=placeholder,
            ),
        )

    def date_input(self, field_id: str, label: str, *, required_message: str | None = None) -> None:
        self._input(
            field_id,
            DateInput(
                id=field_id,
                label=label,
                value=self._form.value(field_id),
                is_required=True if required_message else None,
                error_message=required_message,
            ),
        )

    def toggle_input(self, field_id: str, label: str, *, title: str) -> None:
        """An on / off input; it submits "true" or "false"."""
        self._input(
            field_id,
            ToggleInput(
                id=field_id,
                label=label,
                title=title,
                value="true" if self._form.value(field_id) == "true" else "false",
                value_on="true",
                value_off="false",
                wrap=True,
            ),
        )

    def elements(self) -> list[CardElement]:
        """The title, then anything not tied to an input on this card, then the form."""
        drawn = set(self._fields)
        loose_problems = [
            problem for problem in self._form.problems if problem.field_id not in drawn
        ]
        loose_warnings = [
            warning for warning in self._form.warnings if warning.field_id not in drawn
        ]
        top: list[CardElement] = [attention(problem.message) for problem in loose_problems]
        for warning in loose_warnings:
            top.extend(self._warning(warning.field_id, [warning]))
        return [heading(self._title), *top, *self._items]

    def _input(self, field_id: str, element: CardElement) -> None:
        self._fields.append(field_id)
        self._items.append(element)
        self._items.extend(
            attention(problem.message) for problem in self._form.problems_for(field_id)
        )
        self._items.extend(self._warning(field_id, self._form.warnings_for(field_id)))

    def _warning(self, field_id: str, warnings: Sequence[IdentifierWarning]) -> list[CardElement]:
        """The warning's message and the toggle to confirm; the toggle alone once ticked, so a
        confirmation survives a re-render caused by another field."""
        confirmed = field_id in self._form.confirmed_not_identifying
        if not warnings and not confirmed:
            return []
        elements: list[CardElement] = [attention(warning.message) for warning in warnings]
        elements.append(
            ToggleInput(
                id=not_identifying_toggle_id(field_id),
                label=NOT_IDENTIFYING_LABEL,
                title=NOT_IDENTIFYING_LABEL,
                value="true" if confirmed else "false",
                value_on="true",
                value_off="false",
                wrap=True,
            )
        )
        return elements
