"""The Teams app manifest template is valid against the official v1.30 schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

from tests.support.card_schema import VENDORED_SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = VENDORED_SCHEMAS / "teams-manifest-schema-v1.30.json"
SAMPLE_APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def filled_manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        (ROOT / "manifest" / "manifest.template.json").read_text(encoding="utf-8")
    )
    manifest["id"] = SAMPLE_APP_ID
    manifest["bots"][0]["botId"] = SAMPLE_APP_ID
    return manifest


def test_the_manifest_template_is_valid_once_the_app_id_is_filled_in() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [error.message for error in Draft4Validator(schema).iter_errors(filled_manifest())]
    assert errors == []


def test_every_command_in_the_teams_menu_is_understood(tmp_path: Path) -> None:
    from app import build_bot
    from settings import Settings
    from storage.db import Database

    values: dict[str, Any] = {"_env_file": None, "local_mode": True}
    settings = Settings(**values, database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    bot = build_bot(settings, Database(settings.database_url))
    menu = [
        command["title"]
        for command_list in filled_manifest()["bots"][0]["commandLists"]
        for command in command_list["commands"]
    ]
    assert menu
    assert [title for title in menu if not bot.understands(title)] == []
