"""A whole concern logged over HTTP, as Teams would post it, against a fake Bot Connector."""

from __future__ import annotations

from typing import Any

from storage.db import Database
from storage.repositories import ThreadRepository
from tests.e2e.conftest import BotUnderTest
from tests.support.card_schema import card_texts, nodes
from tests.support.fake_connector import SentActivity
from tests.support.teams_activities import ALEX, card_action, personal_message

CASE_DETAILS = {
    "case_reference": "SCC-88231",
    "raiser_agency": "Solent NHS Trust health visiting",
    "raiser_role": "Health visitor",
    "other_agency": "Southampton children's social care",
    "line_manager_name": "Priya Shah",
    "urgent": "false",
    "concern_arose_on": "2026-11-20",  # the Friday before the fixed Monday of the tests
}
TEMPLATE = {
    "q1": "The plan was stepped down to early help although the home conditions have not changed.",
    "q2": "Health needs may be missed; regular visits mitigate this a little.",
    "q6": "A review of the step-down decision.",
    "q7": "Discuss with my safeguarding lead today.",
}


def form_id_of(card: dict[str, Any]) -> str:
    for node in nodes(card):
        data = node.get("data") if node.get("type") == "Action.Execute" else None
        if isinstance(data, dict) and "formId" in data:
            return str(data["formId"])
    raise AssertionError("not a form card")


def has_inputs(card: dict[str, Any]) -> bool:
    return any(str(node.get("type", "")).startswith("Input.") for node in nodes(card))


async def submit(bot: BotUnderTest, form: SentActivity, values: dict[str, str]) -> dict[str, Any]:
    """Click Submit on `form` with these inputs; returns the card that replaces it."""
    [card] = form.cards
    activity = card_action(
        "submitForm",
        ALEX,
        bot.service_url,
        data={"formId": form_id_of(card), **values},
        reply_to_id=form.activity_id,
    )
    response = await bot.post(activity)
    assert response.status == 200
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    replacement: dict[str, Any] = body["value"]
    return replacement


async def test_a_concern_logged_over_http_is_stored_with_its_audit_trail(
    bot: BotUnderTest, database: Database
) -> None:
    assert (await bot.post(personal_message("new concern", ALEX, bot.service_url))).status == 200
    sent = await bot.connector.wait_for(2)  # the welcome card (first contact), then the form
    safety_form = sent[-1]

    summaries = [await submit(bot, safety_form, {"immediate_risk": "no"})]
    route_form = (await bot.connector.wait_for(3))[-1]
    summaries.append(await submit(bot, route_form, {"lscp_area": "southampton", "route": "hips"}))
    details_form = (await bot.connector.wait_for(4))[-1]
    summaries.append(await submit(bot, details_form, CASE_DETAILS))
    template_form = (await bot.connector.wait_for(5))[-1]
    summaries.append(await submit(bot, template_form, TEMPLATE))
    confirmation = (await bot.connector.wait_for(6))[-1]

    # Each submitted form was replaced by a read-only summary, so it cannot be sent twice.
    assert all(not has_inputs(summary) for summary in summaries)
    assert "SCC-88231" in card_texts(summaries[2])
    text = card_texts(confirmation.cards[0])
    assert "ESC-2026-0001" in text
    assert "Tuesday 24 November 2026" in text

    async with database.session(read_only=True) as session:
        threads = ThreadRepository(session)
        thread = await threads.get("ESC-2026-0001")
        events = await threads.events("ESC-2026-0001")
    assert thread is not None
    assert thread.case_reference == "SCC-88231"
    assert thread.raised_by.user_id == ALEX.aad_object_id
    assert len(events) == 1
    assert events[0].actor.name == ALEX.name

    # A click on the old safety form changes nothing.
    stale = await bot.post(
        card_action(
            "submitForm",
            ALEX,
            bot.service_url,
            data={"formId": form_id_of(safety_form.cards[0]), "immediate_risk": "yes"},
        )
    )
    assert "already submitted" in card_texts((await stale.json())["value"])
    assert len(bot.connector.sent) == 6
