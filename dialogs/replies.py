"""Wrapping cards for the Bot Connector: message attachments and Action.Execute answers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse, MessageFactory
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, Attachment
from microsoft_teams.cards import AdaptiveCard

from cards.render import ADAPTIVE_CARD_CONTENT_TYPE, card_payload
from teams.clicks import ErrorCode

ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"


def card_attachment(card: AdaptiveCard) -> Attachment:
    return Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=card_payload(card))


def card_message(card: AdaptiveCard, *, summary: str | None = None) -> Activity:
    """A message carrying one card; `summary` is the notification text Teams shows."""
    activity: Activity = MessageFactory.attachment(card_attachment(card))
    if summary:
        activity.summary = summary
    return activity


def card_invoke_response(card: AdaptiveCard) -> InvokeResponse:
    """The answer to an Action.Execute: HTTP 200 and the card that replaces the clicked one.

    The body is an msrest model, not a dict: botbuilder serialises invoke bodies itself, and a
    dict makes it fail with HTTP 500 (DESIGN.md 4.1).
    """
    return InvokeResponse(
        status=HTTPStatus.OK,
        body=AdaptiveCardInvokeResponse(
            status_code=HTTPStatus.OK,
            type=ADAPTIVE_CARD_CONTENT_TYPE,
            value=card_payload(card),
        ),
    )


# The status each code stands for, as Teams reads it from the answer's `statusCode`.
ERROR_STATUS: dict[ErrorCode, HTTPStatus] = {
    "BadRequest": HTTPStatus.BAD_REQUEST,
    "Forbidden": HTTPStatus.FORBIDDEN,
    "NotFound": HTTPStatus.NOT_FOUND,
    "InternalServerError": HTTPStatus.INTERNAL_SERVER_ERROR,
}


def error_invoke_response(
    message: str, *, code: ErrorCode = "InternalServerError"
) -> InvokeResponse:
    """An Action.Execute answer that leaves the card as it was and shows `message` under it.

    Teams expects HTTP 200 with the error's own status inside the body:
    `{"statusCode": 4xx/5xx, "type": "application/vnd.microsoft.error", "value": {code, message}}`.
    The status follows `code`: 400 for a click that cannot be acted on, 403 for someone who may
    not act (or not here), 500 only for the apology after an unexpected failure.
    """
    return InvokeResponse(
        status=HTTPStatus.OK,
        body=AdaptiveCardInvokeResponse(
            status_code=ERROR_STATUS[code],
            type=ERROR_CONTENT_TYPE,
            value={"code": code, "message": message},
        ),
    )


def unhandled_invoke_response() -> InvokeResponse:
    """HTTP 400 with a small JSON body, for an invoke this bot does not handle.

    Teams sends this bot only Action.Execute clicks (its manifest declares no message
    extensions, tabs, sign-in or file cards), so anything else is misrouted or forged.
    """
    body: dict[str, Any] = {
        "error": HTTPStatus.BAD_REQUEST.phrase,
        "detail": "This bot does not handle that kind of request.",
    }
    return InvokeResponse(status=HTTPStatus.BAD_REQUEST, body=body)


def dialog_message_response(message: str, *, for_configuration: bool = False) -> InvokeResponse:
    """HTTP 200 answering `task/fetch` or `task/submit` (or, `for_configuration`, `config/fetch`
    or `config/submit`) with a plain message Teams shows in place of a dialog."""
    answer: dict[str, Any] = {"type": "message", "value": message}
    body: dict[str, Any] = (
        {"responseType": "config", "config": answer} if for_configuration else {"task": answer}
    )
    return InvokeResponse(status=HTTPStatus.OK, body=body)
