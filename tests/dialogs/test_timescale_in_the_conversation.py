"""The bot's own wording of a stage's timescale follows STAGE_WORKING_DAYS, in the conversation."""

from __future__ import annotations

from typing import Any

from settings import Settings
from storage.db import Database
from tests.support.card_schema import card_texts
from tests.support.dialog_driver import BotDriver, FixedClock


def _three_days(database_url: str) -> Settings:
    values: dict[str, Any] = {"_env_file": None, "local_mode": True}
    return Settings(**values, database_url=database_url, STAGE_WORKING_DAYS=3)


async def test_welcome_route_and_hand_over_wording_say_three_working_days_when_configured(
    database_url: str, database: Database, clock: FixedClock
) -> None:
    driver = BotDriver(_three_days(database_url), database, clock)

    welcome = await driver.say("hello")
    await driver.say("new concern")
    route = await driver.submit({"immediate_risk": "no"})

    welcome_text = card_texts(welcome.cards[0])
    route_text = " ".join(card_texts(card) for card in route.cards)
    assert "three working days" in welcome_text
    assert "two working days" not in welcome_text
    assert "three working days" in route_text
    assert "two working days" not in route_text
