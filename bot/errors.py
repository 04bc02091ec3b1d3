"""What happens when a turn fails unexpectedly.

botbuilder's default handler sends the exception text (with internal URLs) to the user. Ours logs
the activity and conversation ids, the error's class and its stack, never the message text (which
may quote what a practitioner typed), and gives the user a short apology with a reference that
matches the log line.
"""

from __future__ import annotations

import logging
import secrets
import traceback

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes

from dialogs.actions import CARD_ACTION
from dialogs.replies import error_invoke_response

log = logging.getLogger(__name__)


def new_error_reference() -> str:
    """A short reference a practitioner can quote to their IT service desk."""
    return "ERR-" + secrets.token_hex(4).upper()


def apology(reference: str) -> str:
    return (
        "Sorry, something went wrong on my side and that was not saved. Please try again. "
        f"If it keeps happening, give your IT service desk this reference: {reference}."
    )


def stack_without_messages(error: BaseException) -> str:
    """The frames of a traceback and the exception types, without any exception message."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{frames}{type(error).__module__}.{type(error).__qualname__}"


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """Adapter error handler: log with ids, apologise with a reference, never leak details."""
    reference = new_error_reference()
    activity = context.activity
    log.error(
        "turn failed reference=%s activity_type=%s activity_id=%s conversation_id=%s error=%s\n%s",
        reference,
        activity.type,
        activity.id,
        activity.conversation.id if activity.conversation else None,
        type(error).__name__,
        stack_without_messages(error),
    )
    try:
        if activity.type == ActivityTypes.invoke and activity.name == CARD_ACTION:
            await context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=error_invoke_response(apology(reference)),
                )
            )
        else:
            await context.send_activity(apology(reference))
    except Exception as send_error:  # the connector itself may be what failed
        log.error(
            "could not send the apology reference=%s error=%s",
            reference,
            type(send_error).__name__,
        )
