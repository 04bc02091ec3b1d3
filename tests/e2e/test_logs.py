"""What people type never reaches the log, at any LOG_LEVEL (the database drivers included)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Iterator
from typing import Any

import pytest

from app import QUIET_LOGGERS, configure_logging
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_intake_http import CASE_DETAILS, TEMPLATE, submit
from tests.support.fake_connector import SentActivity
from tests.support.teams_activities import ALEX, card_action, personal_message

MARKER = "Zanzibar-marker-5150"
# A valid NHS number the guard refuses: it must not reach the log either.
REFUSED_NHS_NUMBER = "943 476 5919"


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet_levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, quiet_level in quiet_levels.items():
            logging.getLogger(name).setLevel(quiet_level)


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR"])
async def test_a_marker_typed_into_cards_and_messages_never_reaches_the_log(
    bot: BotUnderTest, level: str
) -> None:
    configure_logging(level)
    captured = _Everything()
    logging.getLogger().addHandler(captured)

    async def after(action: Awaitable[Any]) -> SentActivity:
        """Run `action`, then wait for the message it makes the bot send."""
        count = len(bot.connector.sent)
        await action
        return (await bot.connector.wait_for(count + 1))[-1]

    await after(bot.post(personal_message(f"hello {MARKER}", ALEX, bot.service_url)))
    safety_form = await after(bot.post(personal_message("new concern", ALEX, bot.service_url)))
    route_form = await after(submit(bot, safety_form, {"immediate_risk": "no"}))
    details_form = await after(
        submit(bot, route_form, {"lscp_area": "southampton", "route": "hips"})
    )
    template_form = await after(
        submit(bot, details_form, {**CASE_DETAILS, "raiser_role": f"Health visitor {MARKER}"})
    )
    refused = await submit(
        bot, template_form, {**TEMPLATE, "q2": f"{MARKER} NHS {REFUSED_NHS_NUMBER}"}
    )
    assert "NHS number" in str(refused)
    await after(submit(bot, template_form, {**TEMPLATE, "q1": f"{TEMPLATE['q1']} {MARKER}"}))
    await bot.post(
        card_action("noSuchVerb", ALEX, bot.service_url, data={"note": MARKER}),
    )

    log_text = "\n".join(captured.lines)
    if level == "DEBUG":
        assert "bot.commands" in log_text  # the capture works: the bot's own lines are here
    assert MARKER not in log_text
    assert REFUSED_NHS_NUMBER not in log_text
    assert "9434765919" not in log_text
