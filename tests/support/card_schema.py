"""Validating cards against the official Adaptive Card 1.5 schema, with Teams' own keys allowed.

The schema forbids unknown properties, and Teams adds a few of its own (DESIGN.md 4.9). Rather than
switching validation off, each Teams-only key is added to a copy of the schema, by name, here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

from cards.render import card_nodes

# The official schemas are vendored in the repository (vendor/schemas/README.md says where from).
VENDORED_SCHEMAS = Path(__file__).resolve().parents[2] / "vendor" / "schemas"
SCHEMA_PATH = VENDORED_SCHEMAS / "adaptive-card-schema-v1.5.json"

# Teams-only keys the bot uses, and where. Each is documented by Microsoft for Teams.
TEAMS_ONLY_KEYS: dict[str, dict[str, Any]] = {
    # Full-width cards and @mention entities on the card root.
    "AdaptiveCard": {"msteams": {"type": "object"}},
    # The people picker: Input.ChoiceSet with a dynamic data query.
    "Input.ChoiceSet": {
        "choices.data": {"type": "object"},
    },
}
# Teams' typeahead style for Input.ChoiceSet (the 1.5 schema only knows compact/expanded).
EXTRA_CHOICE_STYLES = ("filtered",)


@cache
def teams_schema() -> dict[str, Any]:
    schema_text = SCHEMA_PATH.read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(schema_text)
    schema = copy.deepcopy(schema)
    definitions = schema["definitions"]
    definitions["AdaptiveCard"]["properties"].update(TEAMS_ONLY_KEYS["AdaptiveCard"])
    choice_set = definitions["Input.ChoiceSet"]["properties"]
    choice_set["choices.data"] = TEAMS_ONLY_KEYS["Input.ChoiceSet"]["choices.data"]
    style = definitions["ChoiceInputStyle"]
    if "enum" in style:
        style["enum"] = [*style["enum"], *EXTRA_CHOICE_STYLES]
    else:
        style.setdefault("anyOf", []).append({"enum": list(EXTRA_CHOICE_STYLES)})
    return schema


def schema_errors(card: dict[str, Any]) -> list[str]:
    """Every way `card` breaks the (Teams-extended) 1.5 schema, as readable lines."""
    validator = Draft6Validator(teams_schema())
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<card>'}: {error.message}"
        for error in sorted(validator.iter_errors(card), key=lambda error: list(error.path))
    ]


def nodes(card: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a card, depth first: elements, actions, facts, choices."""
    return card_nodes(card)


def inputs_without_labels(card: dict[str, Any]) -> list[str]:
    """Ids of inputs that have no label (screen readers and Teams' renderer need one)."""
    return [
        str(node.get("id"))
        for node in nodes(card)
        if str(node.get("type", "")).startswith("Input.") and not node.get("label")
    ]


def verbs_used(card: dict[str, Any]) -> set[str]:
    return {str(node.get("verb")) for node in nodes(card) if node.get("type") == "Action.Execute"}


def card_texts(card: dict[str, Any]) -> str:
    """Every piece of text on a card, one per line, for "does the card say X" checks."""
    return "\n".join(
        str(node[key])
        for node in nodes(card)
        for key in ("text", "title", "value", "label", "placeholder")
        if isinstance(node.get(key), str)
    )
