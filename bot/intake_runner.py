"""Running the intake dialog: start, continue, resume a draft, cancel, with state saved once a turn.

Dialog state lives in the SQL store (storage.dialog_storage) keyed by conversation, so a
half-finished concern survives a restart of the bot. A stored state the storage refuses to decode
(planted, corrupted, or written by an incompatible version) is set aside: deleted, logged by its
key, and the practitioner told, so one bad row cannot make every later turn of the conversation
fail.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import ConversationState, Storage, TurnContext
from botbuilder.dialogs import DialogContext, DialogSet, DialogTurnStatus

from cards.intake import cancel_confirmation_card
from dialogs.intake import INTAKE_DIALOG, IntakeDialog
from dialogs.replies import card_message
from storage.dialog_storage import DialogStateConflictError, UnreadableDialogStateError

log = logging.getLogger(__name__)

DRAFT_SET_ASIDE = (
    "Sorry: I could not read the concern you had in progress, so I have set it aside. Type "
    "**new concern** to start again."
)


class IntakeRunner:
    """One practitioner's intake conversation at a time, per conversation."""

    def __init__(self, storage: Storage, dialog: IntakeDialog) -> None:
        self._storage = storage
        self._state = ConversationState(storage)
        self._dialog_state = self._state.create_property("DialogState")
        self._dialogs = DialogSet(self._dialog_state)
        self._dialogs.add(dialog)

    async def _context(self, turn_context: TurnContext) -> DialogContext:
        try:
            context: DialogContext = await self._dialogs.create_context(turn_context)
        except UnreadableDialogStateError as error:
            log.warning("set aside unreadable dialog state key=%s", error.key)
            await self._storage.delete([error.key])
            await turn_context.send_activity(DRAFT_SET_ASIDE)
            context = await self._dialogs.create_context(turn_context)
        return context

    async def save(self, turn_context: TurnContext) -> None:
        """Write this turn's dialog state; called once, at the end of every turn.

        If another turn of the same conversation saved first (another replica handling the
        same click, or a retry), its state stands: both answered the same form, and opening a
        concern is keyed by the form, so nothing is lost or opened twice.
        """
        try:
            await self._state.save_changes(turn_context)
        except DialogStateConflictError as conflict:
            log.info("dialog state saved by another turn first key=%s", conflict.key)

    async def in_progress(self, turn_context: TurnContext) -> bool:
        return (await self._context(turn_context)).active_dialog is not None

    async def start(self, turn_context: TurnContext) -> bool:
        """Begin a new concern; False (and nothing changes) if one is already in progress."""
        context = await self._context(turn_context)
        if context.active_dialog is not None:
            return False
        await context.begin_dialog(INTAKE_DIALOG)
        return True

    async def continue_with(self, turn_context: TurnContext) -> bool:
        """Hand this activity (a form click) to the dialog; False if there is no dialog."""
        context = await self._context(turn_context)
        result = await context.continue_dialog()
        return bool(result.status != DialogTurnStatus.Empty)

    async def resume(self, turn_context: TurnContext) -> bool:
        """Send the current form again with what was typed so far ("continue my draft")."""
        context = await self._context(turn_context)
        if context.active_dialog is None:
            return False
        await context.reprompt_dialog()
        return True

    async def ask_to_cancel(self, turn_context: TurnContext) -> bool:
        """Ask for confirmation before discarding the concern in progress ("cancel")."""
        form = _innermost_state(await self._context(turn_context))
        if form is None or "form_id" not in form:
            return False
        await turn_context.send_activity(card_message(cancel_confirmation_card(form["form_id"])))
        return True


def _innermost_state(context: DialogContext) -> dict[str, Any] | None:
    """The state of the form that is waiting, inside the intake's nested dialogs.

    botbuilder 4.17's ComponentDialog is not a DialogContainer, so `DialogContext.child` does
    not reach inside it: its inner stack is kept in its own state under "dialogs".
    """
    active = context.active_dialog
    state: dict[str, Any] | None = active.state if active is not None else None
    while state is not None and "dialogs" in state:
        stack = getattr(state["dialogs"], "dialog_stack", None) or []
        state = stack[0].state if stack else None
    return state
