"""Reading Action.Execute clicks: `value = {"action": {"verb": ..., "data": {...}}}`."""

from __future__ import annotations

from typing import Any

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
