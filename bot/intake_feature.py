"""Logging a concern: the commands and buttons that start, resume and cancel the intake dialog,
and what happens when it completes (the thread is opened and its card sent)."""

from __future__ import annotations

import logging
import re

from botbuilder.core import TurnContext
from microsoft_teams.cards import AdaptiveCard

from bot.commands import CommandRouter
from bot.concern_cards import ThreadCards
from bot.intake_runner import IntakeRunner
from bot.invoke_routes import InvokeRouter
from cards.intake import already_submitted_card
from cards.verbs import Verb
from cards.welcome import WelcomeCard
from dialogs.forms import answer_click
from dialogs.replies import card_message
from domain.forms.intake_checks import IntakeOutcome
from domain.model import Person
from services.concerns import ThreadService, request_key
from teams.clicks import CardAction, card_action_of, click_of

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


def raiser_of(turn_context: TurnContext) -> Person:
    """Who is logging the concern, as its history records them (read at the seam)."""
    click = click_of(turn_context)
    if click is None:  # the handler refuses a click from nobody before the dialog runs
        raise ValueError("a concern is opened by a click from a known person")
    return Person(name=click.sender.name, user_id=click.sender.user_id)


class IntakeFeature:
    """Wires the intake dialog into commands, buttons and the thread store."""

    def __init__(self, runner: IntakeRunner, welcome: WelcomeCard) -> None:
        self._runner = runner
        self._welcome = welcome

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
        return self._welcome()

    async def _continue_button(
        self, turn_context: TurnContext, _action: CardAction
    ) -> AdaptiveCard:
        if not await self._runner.resume(turn_context):
            await turn_context.send_activity(NO_DRAFT)
        return self._welcome()

    async def _form_click(self, turn_context: TurnContext, _action: CardAction) -> None:
        """A form of the intake: the dialog answers the click itself (dialogs/forms.py)."""
        if not await self._runner.continue_with(turn_context):
            # No intake in progress: the form belongs to a concern already submitted or
            # cancelled. Answer without changing anything.
            await answer_click(turn_context, already_submitted_card())


LOGGED = "Your concern has been logged."
ALREADY_LOGGED = "This concern was logged when you first pressed Submit: here it is."


def intake_key_of(turn_context: TurnContext) -> str | None:
    """The key of the intake this click completes: its conversation and the form submitted."""
    action = card_action_of(turn_context)
    form_id = action.data.get("formId") if action is not None else None
    conversation = turn_context.activity.conversation
    if not isinstance(form_id, str) or conversation is None or not conversation.id:
        return None
    return request_key("intake", str(conversation.id), form_id)


class ThreadOpener:
    """The intake's last step: open the thread (once per intake), then show its card.

    The card goes out as a message (the confirmation). A second Submit of the same form (a
    double click, Teams retrying, a second replica) finds the thread already opened and shows
    it in place of the clicked form instead. If the confirmation cannot be sent, the thread is
    saved all the same, so the practitioner is shown it in place rather than told "not saved".
    """

    def __init__(self, threads: ThreadService, cards: ThreadCards) -> None:
        self._threads = threads
        self._cards = cards

    async def __call__(self, turn_context: TurnContext, outcome: IntakeOutcome) -> None:
        opened = await self._threads.open(
            outcome, raiser_of(turn_context), intake_key=intake_key_of(turn_context)
        )
        thread = opened.thread
        if not opened.newly_opened:
            log.info(
                "intake already opened reference=%s activity_id=%s",
                thread.reference,
                turn_context.activity.id,
            )
            await answer_click(turn_context, self._cards.thread_card(thread, notice=ALREADY_LOGGED))
            return
        log.info(
            "thread opened reference=%s activity_id=%s", thread.reference, turn_context.activity.id
        )
        card = self._cards.thread_card(thread, notice=LOGGED)
        try:
            await turn_context.send_activity(
                card_message(card, summary=f"{thread.reference} logged")
            )
        except Exception as error:  # the connector is down: the thread is saved all the same
            log.warning(
                "confirmation not sent, shown in place reference=%s error=%s",
                thread.reference,
                type(error).__name__,
            )
            await answer_click(turn_context, card)
