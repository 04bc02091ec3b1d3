"""A thread's card and its buttons: view, escalate, resolve, notes, Re-think steps, my concerns.

Each click names the thread and the version its card showed. Handlers parse, ask ThreadService to
decide and persist, and answer with the updated card, so the card changes in place. A stale card
(the thread moved on) gets the current card back with a notice and nothing is changed twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microsoft_teams.cards import AdaptiveCard

from bot.commands import CommandRouter
from bot.concern_cards import ThreadCards, form_view
from bot.invoke_routes import ClickHandler, InvokeRouter, Shown
from cards.verbs import Verb
from cards.welcome import WelcomeCard
from dialogs.forms import confirmed_not_identifying, submitted_values
from domain.decisions import (
    AddAgreedAction,
    AddNote,
    ChangeCommand,
    ChooseOption,
    Escalate,
    HandOverToHips,
    RequestFacilitator,
    Resolve,
    StillStuck,
)
from domain.forms.intake_checks import check_strategy_choice, check_template_answers
from domain.forms.reading import Checked
from domain.forms.thread_checks import check_facilitator_request, check_note, check_resolution
from domain.model import EscalationThread, Person
from domain.policy import working_days_in_words
from domain.procedure import state_label
from services.concerns import (
    ChangeResult,
    FormRejected,
    ThreadNotFound,
    ThreadService,
    request_key,
)
from teams.clicks import Click, Refusal, Said

log = logging.getLogger(__name__)

REFERENCE_PATTERN = r"(?:view|show|open)\s+(esc-\d{4}-\d{4,})"
STALE_NOTICE = (
    "This concern changed since that card was shown, so nothing was changed. "
    "Here is where it stands now."
)
ALREADY_DONE = "Done: your first click made this change (it was made once). Here it is now."

FormCard = Callable[[EscalationThread, Any], AdaptiveCard]
Commands = Callable[[EscalationThread, datetime], Sequence[ChangeCommand]]


@dataclass(frozen=True)
class Target:
    """The thread a click is about and the version its card showed."""

    reference: str
    version: int


def target_of(click: Click) -> Target | None:
    """The thread a click names and the version its card showed; None when it names neither.

    Thread cards put the version into the button's data as a JSON number
    (`cards.forms.thread_data`), so only an integer is read: not a digit string, not a
    fraction, and not a boolean (which Python counts as an int, so `true` would read as 1).
    """
    reference = click.data.get("reference")
    version = click.data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        return None
    if not isinstance(reference, str) or not re.fullmatch(r"ESC-\d{4}-\d{4,}", reference):
        return None
    return Target(reference, version)


TargetedHandler = Callable[[Click, Target], Awaitable[AdaptiveCard]]


def actor_of(click: Click) -> Person:
    """The person acting, as the concern's history records them."""
    return Person(name=click.sender.name, user_id=click.sender.user_id)


def _form_id(target: Target) -> str:
    return f"{target.reference}:{target.version}"


class ThreadFeature:
    """Registers the thread commands and buttons."""

    def __init__(self, threads: ThreadService, cards: ThreadCards, welcome: WelcomeCard) -> None:
        self._threads = threads
        self._cards = cards
        self._welcome = welcome

    def register(self, commands: CommandRouter, invokes: InvokeRouter) -> None:
        # Registered without `anywhere`: each answers only in a one-to-one chat.
        commands.register_said(
            "my concerns", r"my concerns|my threads|list|concerns", self._my_concerns_command
        )
        commands.register_said("view", REFERENCE_PATTERN, self._view_command)
        invokes.register_click(Verb.MY_CONCERNS, self._my_concerns_button)
        handlers: dict[Verb, TargetedHandler] = {
            Verb.VIEW_THREAD: self._view,
            Verb.SHOW_THREAD_CARD: self._show,
            Verb.ESCALATE: self._one_click(
                lambda actor, now: Escalate(actor=actor, at=now), "Moved on: now at {state}."
            ),
            Verb.STILL_STUCK: self._one_click(
                lambda actor, now: StillStuck(actor=actor, at=now),
                "Still stuck: now at {state}. Record the option you will try and its date.",
            ),
            Verb.HAND_OVER_TO_HIPS: self._hand_over,
            Verb.START_NOTE: self._opens(self._cards.note_form),
            Verb.SUBMIT_NOTE: self._submit_note,
            Verb.START_RESOLVE: self._opens(self._cards.resolve_form),
            Verb.SUBMIT_RESOLVE: self._submit_resolve,
            Verb.START_CHOOSE_OPTION: self._opens(self._cards.choose_option_form),
            Verb.SUBMIT_CHOOSE_OPTION: self._submit_choose_option,
            Verb.START_FACILITATOR_REQUEST: self._opens(self._cards.facilitator_form),
            Verb.SUBMIT_FACILITATOR_REQUEST: self._submit_facilitator,
        }
        for verb, handler in handlers.items():
            invokes.register_click(verb, self._targeted(handler))

    def _targeted(self, handler: TargetedHandler) -> ClickHandler:
        async def run(click: Click) -> AdaptiveCard | Refusal:
            target = target_of(click)
            if target is None:
                return Refusal(
                    "That button did not say which concern it is about. Type my concerns to "
                    "find it."
                )
            try:
                return await handler(click, target)
            except ThreadNotFound as error:
                return Refusal(error.message)

        return run

    # --- commands -------------------------------------------------------------------------

    async def _my_concerns_command(self, said: Said, _match: re.Match[str]) -> AdaptiveCard:
        return await self._my_concerns(said.sender.user_id)

    async def _my_concerns(self, user_id: str | None) -> AdaptiveCard:
        threads = await self._threads.open_threads_of(user_id) if user_id else []
        return self._cards.my_concerns_card(threads)

    async def _my_concerns_button(self, click: Click) -> Shown:
        return Shown(
            card=self._welcome(), messages=(await self._my_concerns(click.sender.user_id),)
        )

    async def _view_command(self, said: Said, match: re.Match[str]) -> AdaptiveCard | str:
        reference = match.group(1).upper()
        try:
            thread, events = await self._threads.history(reference, user_id=said.sender.user_id)
        except ThreadNotFound as error:
            return error.message
        return self._cards.history_card(thread, events)

    # --- reading --------------------------------------------------------------------------

    async def _view(self, click: Click, target: Target) -> AdaptiveCard:
        thread, events = await self._threads.history(target.reference, user_id=click.sender.user_id)
        return self._cards.history_card(thread, events)

    async def _show(self, click: Click, target: Target) -> AdaptiveCard:
        thread = await self._threads.get(target.reference, user_id=click.sender.user_id)
        return self._cards.thread_card(thread)

    # --- changing -------------------------------------------------------------------------

    async def _change(self, click: Click, target: Target, commands: Commands) -> ChangeResult:
        """Apply the click's change in one transaction (services/concerns.py)."""
        user_id = click.sender.user_id
        request = request_key("click", target.reference, str(target.version), click.verb, user_id)
        return await self._threads.change(
            target.reference,
            expected_version=target.version,
            user_id=user_id,
            commands=commands,
            request=request,
        )

    def _answer(self, result: ChangeResult, done: str) -> AdaptiveCard:
        """The concern's card as the change left it, with a notice of what happened or why not."""
        if result.refused is not None:
            return self._cards.thread_card(result.thread, notice=result.refused)
        if result.already_made:
            # A second click of the same button on the same card: the first made the change.
            return self._cards.thread_card(result.thread, notice=ALREADY_DONE)
        if not result.applied:
            return self._cards.thread_card(result.thread, notice=STALE_NOTICE)
        log.info(
            "thread changed reference=%s version=%s", result.thread.reference, result.thread.version
        )
        return self._cards.thread_card(
            result.thread, notice=done.format(state=state_label(result.thread.state))
        )

    async def _hand_over(self, click: Click, target: Target) -> AdaptiveCard:
        """First click: the template to start stage 1 with; its submit: the hand-over itself."""
        if "formId" not in click.data:
            return await self._form(click, target, self._cards.hand_over_form)
        actor = actor_of(click)
        return await self._submit(
            click,
            target,
            check=lambda values, confirmed, thread: check_template_answers(values, confirmed),
            render=self._cards.hand_over_form,
            commands=lambda answers, now: [
                HandOverToHips(actor=actor, at=now, template_answers=dict(answers.answers))
            ],
            done="This concern now follows the HIPS procedure: {state}. Talk it through with "
            "your line manager or safeguarding lead within "
            f"{working_days_in_words(self._threads.policy.working_days_per_stage)}.",
        )

    def _one_click(
        self, build: Callable[[Person, datetime], ChangeCommand], done: str
    ) -> TargetedHandler:
        """A button that changes the thread at once (no form), e.g. Escalate."""

        async def handle(click: Click, target: Target) -> AdaptiveCard:
            actor = actor_of(click)
            result = await self._change(click, target, lambda thread, now: [build(actor, now)])
            return self._answer(result, done)

        return handle

    def _opens(self, render: Callable[[EscalationThread, Any], AdaptiveCard]) -> TargetedHandler:
        """A button that shows a form on the thread's card, in place, e.g. Add a note."""

        async def handle(click: Click, target: Target) -> AdaptiveCard:
            return await self._form(click, target, render)

        return handle

    # --- forms on a thread ----------------------------------------------------------------

    async def _form(
        self,
        click: Click,
        target: Target,
        render: Callable[[EscalationThread, Any], AdaptiveCard],
    ) -> AdaptiveCard:
        thread = await self._threads.get(target.reference, user_id=click.sender.user_id)
        if thread.version != target.version:
            return self._cards.thread_card(thread, notice=STALE_NOTICE)
        return render(thread, form_view(_form_id(target), {}))

    async def _submit(
        self,
        click: Click,
        target: Target,
        *,
        check: Callable[[dict[str, str], frozenset[str], EscalationThread], Checked[Any]],
        render: Callable[[EscalationThread, Any], AdaptiveCard],
        commands: Callable[[Any, datetime], Sequence[ChangeCommand]],
        done: str,
    ) -> AdaptiveCard:
        values = submitted_values(click.data)
        for key in ("reference", "version", "formId"):
            values.pop(key, None)

        def checked_commands(thread: EscalationThread, now: datetime) -> Sequence[ChangeCommand]:
            checked = check(values, confirmed_not_identifying(values), thread)
            if not checked.ok:
                raise FormRejected(checked)
            return commands(checked.value, now)

        result = await self._change(click, target, checked_commands)
        if result.rejected is not None:
            return render(result.thread, form_view(_form_id(target), values, result.rejected))
        return self._answer(result, done)

    async def _submit_note(self, click: Click, target: Target) -> AdaptiveCard:
        actor = actor_of(click)
        return await self._submit(
            click,
            target,
            check=lambda values, confirmed, thread: check_note(values, confirmed),
            render=self._cards.note_form,
            commands=lambda text, now: [AddNote(actor=actor, at=now, text=text)],
            done="Note added.",
        )

    async def _submit_resolve(self, click: Click, target: Target) -> AdaptiveCard:
        actor = actor_of(click)
        today = self._cards.today()

        def commands(resolution: Any, now: datetime) -> list[ChangeCommand]:
            agreed: list[ChangeCommand] = [
                AddAgreedAction(
                    actor=actor, at=now, what=item.what, who=item.who, by_when=item.by_when
                )
                for item in resolution.actions
            ]
            return [*agreed, Resolve(actor=actor, at=now, outcome=resolution.outcome)]

        return await self._submit(
            click,
            target,
            check=lambda values, confirmed, thread: check_resolution(values, confirmed, today),
            render=self._cards.resolve_form,
            commands=commands,
            done="Resolved. Feed the agreed actions back to the practitioners now and record "
            "them on the child's file.",
        )

    async def _submit_choose_option(self, click: Click, target: Target) -> AdaptiveCard:
        actor = actor_of(click)
        today = self._cards.today()

        def check(
            values: dict[str, str], confirmed: frozenset[str], thread: EscalationThread
        ) -> Checked[Any]:
            strategy = thread.state.strategy
            if strategy is None:
                raise ThreadNotFound(
                    f"{thread.reference} is not following Re-think, so it has no options to record."
                )
            return check_strategy_choice(values, strategy, today)

        return await self._submit(
            click,
            target,
            check=check,
            render=self._cards.choose_option_form,
            commands=lambda choice, now: [
                ChooseOption(actor=actor, at=now, option=choice.option, on_date=choice.on_date)
            ],
            done="Recorded: {state}, with the option you chose and its date.",
        )

    async def _submit_facilitator(self, click: Click, target: Target) -> AdaptiveCard:
        actor = actor_of(click)
        return await self._submit(
            click,
            target,
            check=lambda values, confirmed, thread: check_facilitator_request(values),
            render=self._cards.facilitator_form,
            commands=lambda confirmed, now: [
                RequestFacilitator(actor=actor, at=now, confirmed=confirmed)
            ],
            done="Your request for an independent facilitator is recorded. Contact the PSCP "
            "as shown below to arrange the Re-think.",
        )
