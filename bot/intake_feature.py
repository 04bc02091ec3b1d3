"""Logging a concern: the commands and buttons that start, resume and cancel the intake dialog,
and what happens when it completes (the thread is opened and its card sent)."""

from __future__ import annotations

import logging
import re

from botbuilder.core import TurnContext
from microsoft_teams.cards import AdaptiveCard

from bot.commands import CommandRouter
from bot.intake_runner import IntakeRunner
from bot.invoke_routes import InvokeRouter
from bot.teams_data import user_key
from bot.thread_cards import ThreadCards
from bot.threads import ThreadService
from cards.intake import already_submitted_card
from cards.verbs import Verb
from cards.welcome import welcome_card
from dialogs.actions import CardAction
from dialogs.forms import answer_click
from dialogs.intake import IntakeOutcome
from dialogs.replies import card_message
from domain.model import Person

log = logging.getLogger(__name__)

ALREADY_IN_PROGRESS = (
    "You have a concern in progress. Type **continue my draft** to pick it up, or **cancel** "
    "to discard it and start again."
)
NO_DRAFT = "You have no concern in progress. Type **new concern** to start one."
FORM_VERBS = (
    Verb.SUBMIT_FORM,
    Verb.SAVE_DRAFT,
    Verb.CANCEL_FORM,
    Verb.CONFIRM_CANCEL,
    Verb.KEEP_GOING,
)


def actor_of(turn_context: TurnContext) -> Person:
    """The person acting in this turn, as the thread records them."""
    sender = turn_context.activity.from_property
    name = (sender.name or "").strip() if sender else ""
    return Person(name=name or "Teams user", user_id=user_key(sender))


class IntakeFeature:
    """Wires the intake dialog into commands, buttons and the thread store."""

    def __init__(self, runner: IntakeRunner) -> None:
        self._runner = runner

    def register(self, commands: CommandRouter, invokes: InvokeRouter) -> None:
        # Registered without `anywhere`: each answers only in a one-to-one chat.
        commands.register(
            "new concern",
            r"new concern|new|start a concern|log a concern",
            self._new_concern_command,
        )
        commands.register(
            "continue my draft", r"continue( my draft)?|resume|my draft", self._continue_command
        )
        commands.register("cancel", r"cancel|discard|stop", self._cancel_command)
        invokes.register(Verb.NEW_CONCERN, self._new_concern_button)
        invokes.register(Verb.CONTINUE_DRAFT, self._continue_button)
        for verb in FORM_VERBS:
            invokes.register(verb, self._form_click)

    async def _start(self, turn_context: TurnContext) -> None:
        if not await self._runner.start(turn_context):
            await turn_context.send_activity(ALREADY_IN_PROGRESS)

    async def _new_concern_command(self, turn_context: TurnContext, _match: re.Match[str]) -> None:
        await self._start(turn_context)

    async def _continue_command(self, turn_context: TurnContext, _match: re.Match[str]) -> None:
        if not await self._runner.resume(turn_context):
            await turn_context.send_activity(NO_DRAFT)

    async def _cancel_command(self, turn_context: TurnContext, _match: re.Match[str]) -> None:
        if not await self._runner.ask_to_cancel(turn_context):
            await turn_context.send_activity(NO_DRAFT)

    async def _new_concern_button(
        self, turn_context: TurnContext, _action: CardAction
    ) -> AdaptiveCard:
        await self._start(turn_context)
        return welcome_card()

    async def _continue_button(
        self, turn_context: TurnContext, _action: CardAction
    ) -> AdaptiveCard:
        if not await self._runner.resume(turn_context):
            await turn_context.send_activity(NO_DRAFT)
        return welcome_card()

    async def _form_click(self, turn_context: TurnContext, _action: CardAction) -> None:
        """A form of the intake: the dialog answers the click itself (dialogs/forms.py)."""
        if not await self._runner.continue_with(turn_context):
            # No intake in progress: the form belongs to a concern already submitted or
            # cancelled. Answer without changing anything.
            await answer_click(turn_context, already_submitted_card())


class ThreadOpener:
    """The intake's last step: open the thread, then send its card (the confirmation)."""

    def __init__(self, threads: ThreadService, cards: ThreadCards) -> None:
        self._threads = threads
        self._cards = cards

    async def __call__(self, turn_context: TurnContext, outcome: IntakeOutcome) -> None:
        thread = await self._threads.open(outcome, actor_of(turn_context))
        log.info(
            "thread opened reference=%s activity_id=%s", thread.reference, turn_context.activity.id
        )
        await turn_context.send_activity(
            card_message(
                self._cards.thread_card(thread, notice="Your concern has been logged."),
                summary=f"{thread.reference} logged",
            )
        )
