"""Nothing done twice: concurrent final Submits, a failed confirmation and a retry, redelivered
activities, and two replicas on one database, over HTTP against the real app."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.schema import audit_events, escalation_threads
from tests.e2e.conftest import BotUnderTest, authenticated_settings, running_bot
from tests.e2e.test_intake_http import CASE_DETAILS, TEMPLATE, form_id_of
from tests.support.bot_framework import SigningKey
from tests.support.card_schema import card_texts
from tests.support.fake_connector import FakeConnector, SentActivity
from tests.support.teams_activities import ALEX, card_action, personal_message


async def _count(database: Database, table: Any) -> int:
    async with database.session(read_only=True) as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def at_the_template(bot: BotUnderTest) -> SentActivity:
    """Log a HIPS concern up to its last form, the seven questions; the form as sent."""

    async def next_form(response_status: int) -> SentActivity:
        assert response_status == 200
        return (await bot.connector.wait_for(len(bot.connector.sent)))[-1]

    count = len(bot.connector.sent)
    response = await bot.post(personal_message("new concern", ALEX, bot.service_url))
    await bot.connector.wait_for(count + 1)
    form = await next_form(response.status)
    for values in ({"immediate_risk": "no"}, {"lscp_area": "southampton", "route": "hips"}):
        count = len(bot.connector.sent)
        response = await _submit(bot, form, values)
        await bot.connector.wait_for(count + 1)
        form = await next_form(response.status)
    count = len(bot.connector.sent)
    response = await _submit(bot, form, CASE_DETAILS)
    await bot.connector.wait_for(count + 1)
    return await next_form(response.status)


def _submit_activity(bot: BotUnderTest, form: SentActivity, values: dict[str, str]) -> Any:
    return card_action(
        "submitForm",
        ALEX,
        bot.service_url,
        data={"formId": form_id_of(form.cards[0]), **values},
        reply_to_id=form.activity_id,
    )


async def _submit(bot: BotUnderTest, form: SentActivity, values: dict[str, str]) -> Any:
    return await bot.post(_submit_activity(bot, form, values))


async def test_ten_concurrent_final_submits_open_one_concern(
    bot: BotUnderTest, database: Database
) -> None:
    template = await at_the_template(bot)
    sent_before = len(bot.connector.sent)

    responses = await asyncio.gather(*(_submit(bot, template, TEMPLATE) for _ in range(10)))
    await asyncio.sleep(0.2)

    assert [response.status for response in responses] == [200] * 10
    assert await _count(database, escalation_threads) == 1
    sent = bot.connector.sent[sent_before:]
    assert len(sent) == 1  # one confirmation, no apology
    assert "ESC-2026-0001" in card_texts(sent[0].cards[0])


async def test_a_confirmation_that_cannot_be_sent_shows_the_concern_and_a_retry_opens_no_other(
    bot: BotUnderTest, database: Database
) -> None:
    template = await at_the_template(bot)
    bot.connector.fail_with_status = 503  # the connector is down for the confirmation

    first = await _submit(bot, template, TEMPLATE)
    bot.connector.fail_with_status = None
    retry = await _submit(bot, template, TEMPLATE)

    first_card = (await first.json())["value"]
    # Saved, and shown in place of the form: nobody is told "not saved".
    assert "ESC-2026-0001" in card_texts(first_card)
    assert "has been logged" in card_texts(first_card)
    assert "not saved" not in card_texts(first_card)
    assert retry.status == 200
    assert await _count(database, escalation_threads) == 1


async def test_a_message_delivered_twice_is_handled_once(bot: BotUnderTest) -> None:
    await bot.post(personal_message("hello", ALEX, bot.service_url))
    await bot.connector.wait_for(1)
    activity = personal_message("my concerns", ALEX, bot.service_url)

    first = await bot.post(activity)
    again = await bot.post(activity)  # the same activity id: a redelivery
    await asyncio.sleep(0.2)

    assert first.status == again.status == 200
    assert len(bot.connector.sent) == 2  # the welcome, then one answer to "my concerns"


async def test_a_click_delivered_twice_is_answered_twice_and_done_once(
    bot: BotUnderTest, database: Database
) -> None:
    template = await at_the_template(bot)
    opened = await _submit(bot, template, TEMPLATE)
    assert opened.status == 200
    escalate = card_action(
        "escalate", ALEX, bot.service_url, data={"reference": "ESC-2026-0001", "version": 1}
    )

    first = await bot.post(escalate)
    again = await bot.post(escalate)

    first_text = card_texts((await first.json())["value"])
    again_text = card_texts((await again.json())["value"])
    assert "Stage 2" in first_text
    assert "Stage 2" in again_text
    assert "your first click made this change" in again_text
    async with database.session(read_only=True) as session:
        escalations = await session.scalar(
            select(func.count())
            .select_from(audit_events)
            .where(audit_events.c.kind == "stage_escalated")
        )
    assert escalations == 1


@pytest.mark.postgres
async def test_two_replicas_on_one_database_open_one_concern_from_ten_concurrent_submits(
    postgres_database: Database,
    postgres_database_url: str,
    connector: tuple[FakeConnector, str],
    trusted_key: SigningKey,
) -> None:
    settings = authenticated_settings(postgres_database_url)
    async with (
        running_bot(settings, connector, trusted_key) as one,
        running_bot(settings, connector, trusted_key) as two,
    ):
        template = await at_the_template(one)
        sent_before = len(one.connector.sent)
        activity = _submit_activity(one, template, TEMPLATE)

        responses = await asyncio.gather(
            *(
                (one if number % 2 else two).post(activity | {"id": f"submit-{number}"})
                for number in range(10)
            )
        )
        await asyncio.sleep(0.3)

    assert [response.status for response in responses] == [200] * 10
    assert await _count(postgres_database, escalation_threads) == 1
    apologies = [item for item in one.connector.sent[sent_before:] if "Sorry" in item.text]
    assert apologies == []
