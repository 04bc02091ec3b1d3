"""Every card the bot sends is valid Adaptive Card 1.5, labels its inputs and uses routed verbs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from microsoft_teams.cards import AdaptiveCard

from bot.invoke_routes import foundation_invokes
from cards.render import card_payload
from cards.welcome import COMMANDS, welcome_card
from tests.support.card_schema import (
    card_texts,
    inputs_without_labels,
    schema_errors,
    verbs_used,
)

CARDS: dict[str, Callable[[], AdaptiveCard]] = {
    "welcome": welcome_card,
    "welcome, personalised": lambda: welcome_card(user_first_name="Alex"),
}


@pytest.fixture(params=sorted(CARDS))
def card(request: pytest.FixtureRequest) -> dict[str, Any]:
    return card_payload(CARDS[request.param]())


def test_every_card_is_valid_adaptive_card_1_5(card: dict[str, Any]) -> None:
    assert card["version"] == "1.5"
    assert schema_errors(card) == []


def test_every_input_has_a_label(card: dict[str, Any]) -> None:
    assert inputs_without_labels(card) == []


def test_every_button_uses_a_verb_the_bot_routes(card: dict[str, Any]) -> None:
    routed = {verb.value for verb in foundation_invokes().verbs}
    assert verbs_used(card) <= routed


def test_the_schema_check_catches_an_invalid_card() -> None:
    broken = card_payload(welcome_card())
    broken["body"].append({"type": "TextBlock", "text": "x", "colour": "Red"})
    assert schema_errors(broken) != []


def test_the_welcome_card_lists_every_command_and_what_it_is_not_for() -> None:
    text = card_texts(card_payload(welcome_card()))
    for command in COMMANDS:
        assert command.text in text
    assert "immediate risk of significant harm" in text
    assert "systemic issues" in text
    assert "complaints" in text
    assert "child protection conference" in text
