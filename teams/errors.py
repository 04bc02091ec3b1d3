"""What can go wrong sending to the Bot Connector, as our own exceptions.

Messages hold ids, statuses and Bot Connector error codes only, never a response body or anything
from the activity (which may quote what a practitioner typed).
"""

from __future__ import annotations


class SendError(Exception):
    """An activity could not be sent, updated or deleted."""

    def __init__(self, message: str, *, conversation_id: str, status: int | None = None) -> None:
        super().__init__(message)
        self.conversation_id = conversation_id
        self.status = status


class ConversationGone(SendError):
    """The bot may no longer post in this conversation (403 BotNotInConversationRoster or
    ConversationBlockedByUser, or 404): stop sending to it, do not retry."""

    def __init__(self, *, conversation_id: str, status: int, code: str | None) -> None:
        super().__init__(
            f"conversation gone status={status} code={code}",
            conversation_id=conversation_id,
            status=status,
        )
        self.code = code


class SendRejected(SendError):
    """The connector refused the request (a 4xx other than the above): retrying cannot help."""

    def __init__(self, *, conversation_id: str, status: int, code: str | None) -> None:
        super().__init__(
            f"send rejected status={status} code={code}",
            conversation_id=conversation_id,
            status=status,
        )
        self.code = code


class SendFailed(SendError):
    """No success within the attempts and the deadline (or a failure not worth retrying, such
    as a 500, or no token). If any attempt's answer was lost after it was sent (a 502, a 504, a
    timeout, a dropped connection), the activity may nevertheless have been delivered."""

    def __init__(
        self,
        *,
        conversation_id: str,
        attempts: int,
        status: int | None,
        reason: str,
        maybe_delivered: bool,
    ) -> None:
        super().__init__(
            f"send failed reason={reason} status={status} attempts={attempts} "
            f"maybe_delivered={maybe_delivered}",
            conversation_id=conversation_id,
            status=status,
        )
        self.attempts = attempts
        self.reason = reason
        self.maybe_delivered = maybe_delivered
