"""Every card the bot can send is valid 1.5, labels its inputs and uses routed verbs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app import build_bot
from bot.handler import ResolveTogetherBot
from cards.forms import NO_IDENTIFIERS_ADVICE
from cards.gallery import gallery
from cards.render import card_payload
from cards.verbs import Verb
from cards.welcome import COMMANDS, welcome_card
from settings import Settings
from storage.db import Database
from tests.support.card_schema import (
    card_texts,
    inputs_without_labels,
    nodes,
    schema_errors,
    verbs_used,
)

CARDS = gallery()


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> ResolveTogetherBot:
    folder: Path = tmp_path_factory.mktemp("routing")
    values: dict[str, Any] = {"_env_file": None, "local_mode": True}
    settings = Settings(**values, database_url=f"sqlite+aiosqlite:///{folder / 'bot.db'}")
    return build_bot(settings, Database(settings.database_url))


@pytest.fixture(params=sorted(CARDS))
def card(request: pytest.FixtureRequest) -> dict[str, Any]:
    return card_payload(CARDS[request.param])


def test_every_card_is_valid_adaptive_card_1_5(card: dict[str, Any]) -> None:
    assert card["version"] == "1.5"
    assert schema_errors(card) == []


def test_every_input_has_a_label(card: dict[str, Any]) -> None:
    assert inputs_without_labels(card) == []


def test_every_button_uses_a_verb_the_bot_routes(
    card: dict[str, Any], bot: ResolveTogetherBot
) -> None:
    routed = {verb.value for verb in bot.routed_verbs}
    assert verbs_used(card) <= routed


def test_every_verb_is_routed_so_no_button_can_do_nothing(bot: ResolveTogetherBot) -> None:
    assert bot.routed_verbs == frozenset(Verb)


def test_the_gallery_uses_every_verb_somewhere() -> None:
    used = set().union(*(verbs_used(card_payload(card)) for card in CARDS.values()))
    assert used == {verb.value for verb in Verb}


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


def test_every_command_on_the_welcome_card_is_understood(bot: ResolveTogetherBot) -> None:
    for command in COMMANDS:
        assert bot.understands(command.text), command.text


def test_every_card_with_free_text_says_names_are_not_recognised(card: dict[str, Any]) -> None:
    """The identifier guard cannot see a bare name, and every card with free text says so."""
    free_text = any(
        node.get("type") == "Input.Text" and node.get("isMultiline") for node in nodes(card)
    )
    if free_text:
        assert NO_IDENTIFIERS_ADVICE in card_texts(card)
