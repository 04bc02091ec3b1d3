"""A dialog-state row planted in the database runs nothing and blocks nobody, over HTTP."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select

from storage.db import Database
from storage.schema import dialog_state
from tests.e2e.conftest import BotUnderTest
from tests.support.card_schema import card_texts
from tests.support.planting import plant_dialog_state
from tests.support.teams_activities import ALEX, personal_conversation_id, personal_message

POPEN_VIA_SDK_PATH = (
    "botframework.connector.auth.channel_validation.asyncio.events.subprocess.Popen"
)


async def test_a_planted_row_is_set_aside_and_the_practitioner_can_start_again(
    bot: BotUnderTest, database: Database, tmp_path: Path
) -> None:
    marker = tmp_path / "planted-row-ran"
    key = f"msteams/conversations/{personal_conversation_id(ALEX)}"
    planted = {
        "DialogState": {
            "py/reduce": [
                {"py/type": POPEN_VIA_SDK_PATH},
                {"py/tuple": [["touch", str(marker)]]},
            ]
        }
    }
    await plant_dialog_state(database, key, json.dumps(planted))

    first = await bot.post(personal_message("new concern", ALEX, bot.service_url))
    sent = await bot.connector.wait_for(3)  # welcome, the notice, the first form
    again = await bot.post(personal_message("continue my draft", ALEX, bot.service_url))
    await bot.connector.wait_for(4)
    await asyncio.sleep(0.2)  # time for a spawned `touch`, had anything run

    assert first.status == 200
    assert again.status == 200
    assert any("set it aside" in (item.text or "") for item in sent)
    assert "Is a child at immediate risk" in card_texts(sent[-1].cards[0])
    assert not marker.exists()
    async with database.session(read_only=True) as session:
        data = (
            await session.execute(select(dialog_state.c.data).where(dialog_state.c.key == key))
        ).scalar_one()
    assert POPEN_VIA_SDK_PATH not in data
