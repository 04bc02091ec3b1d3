"""The gallery holds every card the bot can send; each is valid Adaptive Card 1.5 for Teams, labels
its inputs and uses only the bot's verbs, and the command writes them all as JSON files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cards.gallery import gallery, main
from cards.render import card_payload
from cards.verbs import Verb
from domain.model import EventKind, ThreadState
from domain.rethink import RethinkOption
from tests.support.card_schema import (
    card_texts,
    inputs_without_labels,
    nodes,
    schema_errors,
    verbs_used,
)

CARDS = {name: card_payload(card) for name, card in gallery().items()}

# One card per function, and thread cards in every state (DESIGN.md 3: one function per card).
EXPECTED = {
    "welcome",
    "safety",
    "safety-exit",
    "route",
    "case-details",
    "template",
    "lead-professional",
    "strategy-1-options",
    "strategy-2-options",
    "strategy-3-options",
    "submitted-summary",
    "already-submitted",
    "cancel-confirmation",
    "cancelled",
    "thread-card-stage-2-overdue",
    "thread-card-stage-1-urgent",
    "thread-history",
    "my-concerns",
    "my-concerns-empty",
    "note-form",
    "resolve-form",
    "choose-option-form-strategy-1",
    "facilitator-request",
    *(f"thread-card-{state.value.replace('_', '-')}" for state in ThreadState),
}


@pytest.fixture(params=sorted(CARDS))
def card(request: pytest.FixtureRequest) -> dict[str, Any]:
    return CARDS[request.param]


def test_the_gallery_has_every_card_and_every_thread_state() -> None:
    assert set(CARDS) >= EXPECTED


def test_the_gallery_shows_forms_with_problems_and_warnings() -> None:
    with_feedback = [name for name in CARDS if "problem" in name or "warning" in name]
    assert len(with_feedback) >= 5
    for name in with_feedback:
        assert any(node.get("color") == "Attention" for node in nodes(CARDS[name]))


def test_every_gallery_card_is_valid_adaptive_card_1_5(card: dict[str, Any]) -> None:
    assert card["version"] == "1.5"
    assert schema_errors(card) == []


def test_every_gallery_input_has_a_label(card: dict[str, Any]) -> None:
    assert inputs_without_labels(card) == []


def test_every_gallery_button_uses_a_verb_of_the_bot(card: dict[str, Any]) -> None:
    assert verbs_used(card) <= {verb.value for verb in Verb}


def displayed_text(card: dict[str, Any]) -> str:
    """What a reader sees: `card_texts` without the choices' values and the values of choice
    sets and toggles, which Teams sends back but never shows."""
    shown = copy.deepcopy(card)
    for node in nodes(shown):
        for choice in node.get("choices", []):
            choice.pop("value", None)
        if node.get("type") in {"Input.ChoiceSet", "Input.Toggle"}:
            node.pop("value", None)
    return card_texts(shown)


def test_displayed_text_leaves_out_only_what_teams_does_not_show() -> None:
    shown = displayed_text(CARDS["strategy-1-options"])
    assert RethinkOption.S1_CONSULT_HIPS.wording in shown
    assert RethinkOption.S1_CONSULT_HIPS.value not in shown
    assert RethinkOption.S1_CONSULT_HIPS.value in card_texts(CARDS["strategy-1-options"])


def test_no_gallery_card_shows_an_enum_value(card: dict[str, Any]) -> None:
    text = displayed_text(card)
    raw = [
        *(state.value for state in ThreadState if "_" in state.value),
        *(option.value for option in RethinkOption),
        *(kind.value for kind in EventKind if "_" in kind.value),
    ]
    assert [value for value in raw if value in text] == []


def test_the_gallery_command_writes_every_card_as_a_json_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "cards"
    assert main([str(out_dir)]) == 0
    written = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in out_dir.glob("*.json")
    }
    assert written == CARDS
    assert f"Wrote {len(CARDS)} cards" in capsys.readouterr().out


def test_the_gallery_command_explains_its_usage_without_an_output_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    assert "usage: python -m cards.gallery OUT_DIR" in capsys.readouterr().err
