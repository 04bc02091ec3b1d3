"""Driving the whole bot through botbuilder's TestAdapter, as a practitioner in a personal chat.

The driver sends Teams-shaped messages and Action.Execute clicks and collects what the bot sent
back: new messages (cards or text) and the answer to each click (the card that replaces it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from app import build_bot
from cards.verbs import Verb
from settings import Settings
from storage.db import Database
from tests.support.card_schema import card_texts
from tests.support.teams_activities import ALEX, TeamsUser

TENANT = "11111111-2222-3333-4444-555555555555"


CONVERSATION_IDS = {
    "groupChat": "19:group-chat-of-alex-and-sam@thread.v2",
    "channel": "19:general-channel@thread.tacv2;messageid=1763889300000",
}


def teams_template(user: TeamsUser, *, conversation_type: str = "personal") -> Activity:
    """What every activity of the driver shares: the sender (with their Entra ID object id, as
    Teams sends it) and the conversation, a personal chat unless `conversation_type` says
    `groupChat` or `channel`."""
    is_personal = conversation_type == "personal"
    conversation_id = (
        f"a:personal-{user.teams_id}" if is_personal else CONVERSATION_IDS[conversation_type]
    )
    return Activity(
        channel_id="msteams",
        service_url="https://smba.example.test/emea/",
        from_property=ChannelAccount(
            id=user.teams_id, name=user.name, aad_object_id=user.aad_object_id
        ),
        recipient=ChannelAccount(id="28:bot", name="Resolve Together"),
        conversation=ConversationAccount(
            id=conversation_id,
            conversation_type=conversation_type,
            is_group=None if is_personal else True,
        ),
        channel_data={"tenant": {"id": TENANT}},
    )


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Turn:
    """What one activity made the bot do."""

    messages: list[Activity] = field(default_factory=list)
    answer: InvokeResponse | None = None

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            attachment.content
            for message in self.messages
            for attachment in message.attachments or []
        ]

    @property
    def texts(self) -> list[str]:
        return [message.text for message in self.messages if message.text]

    @property
    def answer_card(self) -> dict[str, Any]:
        assert self.answer is not None, "the click was not answered"
        body = self.answer.body
        assert body.type == "application/vnd.microsoft.card.adaptive", body.value
        card: dict[str, Any] = body.value
        return card

    @property
    def answer_error(self) -> str:
        assert self.answer is not None
        assert self.answer.body.type == "application/vnd.microsoft.error"
        return str(self.answer.body.value["message"])

    def said(self, text: str) -> bool:
        """Whether any message, card or click answer of this turn contains `text` (any case)."""
        everything = [*self.texts, *(card_texts(card) for card in self.cards)]
        if self.answer is not None and self.answer.body.type.endswith("adaptive"):
            everything.append(card_texts(self.answer_card))
        return any(text.lower() in item.lower() for item in everything)


class BotDriver:
    """One practitioner talking to the bot; a new driver on the same database is a restart."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: FixedClock,
        user: TeamsUser = ALEX,
        *,
        conversation_type: str = "personal",
    ) -> None:
        self.bot = build_bot(settings, database, clock=clock)
        template = teams_template(user, conversation_type=conversation_type)
        self.adapter = TestAdapter(self.bot.on_turn, template)
        self.form_id: str | None = None

    async def _run(self, activity: Activity) -> Turn:
        # Unique like Teams' ids: TestAdapter counts from 1 again in each driver, and the bot
        # treats an id it has seen in the conversation as a redelivery.
        activity.id = activity.id or f"driver-{uuid.uuid4().hex}"
        self.adapter.activity_buffer.clear()
        await self.adapter.receive_activity(activity)
        turn = Turn()
        for sent in self.adapter.activity_buffer:
            if sent.type == ActivityTypes.invoke_response:
                turn.answer = sent.value
            elif sent.type == ActivityTypes.message:
                turn.messages.append(sent)
        self.adapter.activity_buffer.clear()
        latest = [_form_id(card) for card in turn.cards if _form_id(card)]
        if latest:
            self.form_id = latest[-1]
        return turn

    async def say(self, text: str) -> Turn:
        return await self._run(Activity(type=ActivityTypes.message, text=text))

    async def click(self, verb: Verb, data: dict[str, Any] | None = None) -> Turn:
        value = {
            "action": {"type": "Action.Execute", "verb": verb.value, "data": data or {}},
            "trigger": "manual",
        }
        return await self._run(
            Activity(type=ActivityTypes.invoke, name="adaptiveCard/action", value=value)
        )

    async def submit(self, values: dict[str, str], verb: Verb = Verb.SUBMIT_FORM) -> Turn:
        """Submit the latest form card the bot sent, with these inputs."""
        assert self.form_id, "no form has been sent yet"
        return await self.click(verb, {"formId": self.form_id, **values})


def _form_id(card: dict[str, Any]) -> str | None:
    from tests.support.card_schema import nodes

    for node in nodes(card):
        data = node.get("data") if node.get("type") == "Action.Execute" else None
        if isinstance(data, dict) and isinstance(data.get("formId"), str):
            return str(data["formId"])
    return None
