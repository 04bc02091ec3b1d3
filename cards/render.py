"""Turning typed card models into the JSON that Teams receives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from microsoft_teams.cards import AdaptiveCard

ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"  # the highest version Teams renders


def card_payload(card: AdaptiveCard) -> dict[str, Any]:
    """The card as a JSON-ready dict: camelCase keys, no nulls, schema pinned to 1.5."""
    payload: dict[str, Any] = card.model_dump(mode="json", by_alias=True, exclude_none=True)
    payload["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json"
    payload["version"] = CARD_VERSION
    return payload


def card_nodes(payload: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a card payload, depth first: elements, inputs, actions, choices."""
    if isinstance(payload, dict):
        yield payload
        for child in payload.values():
            yield from card_nodes(child)
    elif isinstance(payload, list):
        for child in payload:
            yield from card_nodes(child)
