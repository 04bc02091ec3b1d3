"""What happens when a turn fails unexpectedly.

botbuilder's default handler sends the exception text (with internal URLs) to the user. Ours logs
the activity and conversation ids, the error's class and its stack, never the message text (which
may quote what a practitioner typed), and gives the user a short apology with a reference that
matches the log line.

When the turn failed because the database went away (`StoreUnavailable`):
- if the turn had done nothing yet (nothing sent, nothing sent to commit), the error is raised
  again, so that the HTTP edge answers 503 with Retry-After and the channel may deliver the
  activity again (bot/http.py);
- otherwise something may have been saved, so the user is not told "not saved": they are told
  that it may or may not have been, and to check before trying again.
"""

from __future__ import annotations

import logging
import secrets
import traceback

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs.replies import error_invoke_response
from storage.db import StoreUnavailable, current_write_record
from teams.clicks import CARD_ACTION
from teams.errors import ConversationGone

log = logging.getLogger(__name__)


def new_error_reference() -> str:
    """A short reference a practitioner can quote to their IT service desk."""
    return "ERR-" + secrets.token_hex(4).upper()


def apology(reference: str) -> str:
    return (
        "Sorry, something went wrong on my side and that was not saved. Please try again. "
        f"If it keeps happening, give your IT service desk this reference: {reference}."
    )


def uncertain_apology(reference: str) -> str:
    return (
        "Sorry, I lost contact with my records part way through, so I cannot tell whether that "
        "was saved. Please check before you try again. If it keeps happening, give your IT "
        f"service desk this reference: {reference}."
    )


def store_unavailability(error: BaseException) -> StoreUnavailable | None:
    """The `StoreUnavailable` behind `error` (itself, its cause or its context), if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, StoreUnavailable):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _turn_did_nothing(context: TurnContext) -> bool:
    """Nothing sent to the user and nothing sent to commit (unknown counts as something)."""
    writes = current_write_record()
    return not context.responded and writes is not None and not writes.attempted


def stack_without_messages(error: BaseException) -> str:
    """The frames of a traceback and the exception types, without any exception message."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{frames}{type(error).__module__}.{type(error).__qualname__}"


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """Adapter error handler: log with ids, apologise with a reference, never leak details."""
    activity = context.activity
    unavailable = store_unavailability(error)
    if unavailable is not None and _turn_did_nothing(context):
        log.warning(
            "turn stopped before doing anything: the database is unavailable "
            "activity_type=%s activity_id=%s conversation_id=%s",
            activity.type,
            activity.id,
            activity.conversation.id if activity.conversation else None,
        )
        raise unavailable
    if isinstance(error, ConversationGone):
        # The bot was removed from the chat or blocked: nobody is there to apologise to.
        log.warning(
            "turn stopped: the conversation is gone activity_id=%s conversation_id=%s",
            activity.id,
            activity.conversation.id if activity.conversation else None,
        )
        return
    reference = new_error_reference()
    log.error(
        "turn failed reference=%s activity_type=%s activity_id=%s conversation_id=%s error=%s\n%s",
        reference,
        activity.type,
        activity.id,
        activity.conversation.id if activity.conversation else None,
        type(error).__name__,
        stack_without_messages(error),
    )
    text = uncertain_apology(reference) if unavailable is not None else apology(reference)
    try:
        if activity.type == ActivityTypes.invoke and activity.name == CARD_ACTION:
            await context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=error_invoke_response(text),
                )
            )
        else:
            await context.send_activity(text)
    except Exception as send_error:  # the connector itself may be what failed
        log.error(
            "could not send the apology reference=%s error=%s",
            reference,
            type(send_error).__name__,
        )
