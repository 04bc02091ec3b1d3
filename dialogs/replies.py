"""Wrapping cards for the Bot Connector: message attachments and Action.Execute answers."""

from __future__ import annotations

from http import HTTPStatus

from botbuilder.core import InvokeResponse, MessageFactory
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, Attachment
from microsoft_teams.cards import AdaptiveCard

from cards.render import ADAPTIVE_CARD_CONTENT_TYPE, card_payload

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


def error_invoke_response(message: str, *, code: str = "InternalServerError") -> InvokeResponse:
    """An Action.Execute answer that leaves the card as it was and shows `message` under it."""
    return InvokeResponse(
        status=HTTPStatus.OK,
        body=AdaptiveCardInvokeResponse(
            status_code=HTTPStatus.INTERNAL_SERVER_ERROR,
            type=ERROR_CONTENT_TYPE,
            value={"code": code, "message": message},
        ),
    )
