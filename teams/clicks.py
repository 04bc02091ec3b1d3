"""Clicks and messages, read once at the seam: our own `Click` and `Said`, not a TurnContext.

Teams sends an Action.Execute click as an invoke named `adaptiveCard/action` whose
`value = {"action": {"verb": ..., "data": {...}}}`. `click_of` turns that, and who sent it, into
a `Click`: what the feature handlers of `bot/` take instead of a TurnContext, so that a move to
the Microsoft 365 Agents SDK rewrites this module, not the features. The intake's dialog still
reads the turn itself (`card_action_of`), as botbuilder's dialogs do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botbuilder.core import TurnContext
from botbuilder.schema import ActivityTypes
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CARD_ACTION = "adaptiveCard/action"


class CardAction(BaseModel):
    """The `action` part of an adaptiveCard/action invoke."""

    model_config = ConfigDict(extra="ignore")

    type: str = "Action.Execute"
    verb: str
    data: dict[str, Any] = Field(default_factory=dict)


def parse_card_action(value: Any) -> CardAction | None:
    """The clicked action, or None if the invoke's value is not shaped like one."""
    if not isinstance(value, dict) or not isinstance(value.get("action"), dict):
        return None
    try:
        action = CardAction.model_validate(value["action"])
    except ValidationError:
        return None
    return action if action.type == "Action.Execute" else None


def card_action_of(turn_context: TurnContext) -> CardAction | None:
    """The Action.Execute click this turn carries, if it carries one."""
    activity = turn_context.activity
    if activity.type != ActivityTypes.invoke or activity.name != CARD_ACTION:
        return None
    return parse_card_action(activity.value)


@dataclass(frozen=True)
class Sender:
    """Who clicked: their Entra ID object id (clicks without one are refused before any
    handler runs) and the name Teams shows."""

    user_id: str
    name: str


@dataclass(frozen=True)
class Click:
    """One click on one of the bot's cards, as the feature handlers see it."""

    verb: str
    data: Mapping[str, Any]
    sender: Sender
    conversation_id: str
    activity_id: str | None


ErrorCode = Literal["BadRequest", "Forbidden", "NotFound", "InternalServerError"]


@dataclass(frozen=True)
class Refusal:
    """A click answered with a message under the card instead of a new card (bad data, not
    allowed, not found). The router turns it into Teams' error answer with the code's status."""

    message: str
    code: ErrorCode = "BadRequest"


def click_of(turn_context: TurnContext) -> Click | None:
    """The turn's click with its sender, or None if it is not a click from a known person."""
    action = card_action_of(turn_context)
    activity = turn_context.activity
    sender = activity.from_property
    user_id = sender.aad_object_id if sender is not None else None
    if action is None or not isinstance(user_id, str) or not user_id.strip():
        return None
    name = (sender.name or "").strip() if sender is not None else ""
    return Click(
        verb=action.verb,
        data=action.data,
        sender=Sender(user_id=user_id, name=name or "Teams user"),
        conversation_id=str(activity.conversation.id) if activity.conversation else "",
        activity_id=activity.id,
    )


@dataclass(frozen=True)
class Said:
    """A message typed to the bot, as the feature handlers see it."""

    text: str
    sender: Sender
    conversation_id: str
    activity_id: str | None


def said_of(turn_context: TurnContext) -> Said | None:
    """The turn's message with its sender, or None if it is not a message from a known person."""
    activity = turn_context.activity
    sender = activity.from_property
    user_id = sender.aad_object_id if sender is not None else None
    if activity.type != ActivityTypes.message or not isinstance(user_id, str) or not user_id:
        return None
    name = (sender.name or "").strip() if sender is not None else ""
    return Said(
        text=activity.text if isinstance(activity.text, str) else "",
        sender=Sender(user_id=user_id, name=name or "Teams user"),
        conversation_id=str(activity.conversation.id) if activity.conversation else "",
        activity_id=activity.id,
    )
