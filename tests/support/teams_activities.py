"""Teams-shaped activities as JSON, the way Microsoft Teams posts them to /api/messages.

Shapes follow what Teams sends: `tenantId` on the conversation, `channelData.tenant.id`,
`aadObjectId` on the sender, `29:`/`28:` account ids, and `a:` personal conversation ids.
Every builder makes a personal-chat activity; `in_group_chat` and `in_channel` move one into a
group chat or a team's channel, and `without_aad_object_id` drops the sender's Entra ID object id.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any

from tests.support.bot_framework import TEST_APP_ID, TEST_TENANT_ID

_ids = itertools.count(1)


@dataclass(frozen=True)
class TeamsUser:
    teams_id: str
    aad_object_id: str
    name: str

    def account(self) -> dict[str, Any]:
        return {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad_object_id}


ALEX = TeamsUser(
    teams_id="29:1alex-teams-id",
    aad_object_id="aaaaaaaa-0000-4000-8000-000000000001",
    name="Alex Morgan",
)
SAM = TeamsUser(
    teams_id="29:1sam-teams-id",
    aad_object_id="aaaaaaaa-0000-4000-8000-000000000002",
    name="Sam Patel",
)
BOT_ACCOUNT = {"id": f"28:{TEST_APP_ID}", "name": "Resolve Together"}


def personal_conversation_id(user: TeamsUser) -> str:
    return f"a:personal-chat-with-{user.teams_id[3:]}"


def _base(
    activity_type: str,
    user: TeamsUser,
    service_url: str,
    *,
    tenant_id: str = TEST_TENANT_ID,
    conversation_id: str | None = None,
) -> dict[str, Any]:
    return {
        "type": activity_type,
        "id": f"activity-{next(_ids)}",
        "timestamp": "2026-11-23T09:15:00.000Z",
        "localTimestamp": "2026-11-23T09:15:00.000+00:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": user.account(),
        "recipient": dict(BOT_ACCOUNT),
        "conversation": {
            "conversationType": "personal",
            "tenantId": tenant_id,
            "id": conversation_id or personal_conversation_id(user),
        },
        "channelData": {"tenant": {"id": tenant_id}},
        "locale": "en-GB",
        "localTimezone": "Europe/London",
    }


def personal_message(
    text: str, user: TeamsUser, service_url: str, *, tenant_id: str = TEST_TENANT_ID
) -> dict[str, Any]:
    activity = _base("message", user, service_url, tenant_id=tenant_id)
    activity["text"] = text
    activity["textFormat"] = "plain"
    return activity


def personal_install(
    user: TeamsUser, service_url: str, *, tenant_id: str = TEST_TENANT_ID
) -> dict[str, Any]:
    """The conversationUpdate Teams sends when a user adds the app to their personal scope."""
    activity = _base("conversationUpdate", user, service_url, tenant_id=tenant_id)
    activity["membersAdded"] = [{"id": BOT_ACCOUNT["id"]}]
    return activity


def card_action(
    verb: str,
    user: TeamsUser,
    service_url: str,
    *,
    data: dict[str, Any] | None = None,
    reply_to_id: str = "sent-1",
    tenant_id: str = TEST_TENANT_ID,
) -> dict[str, Any]:
    """The invoke Teams sends when someone clicks an Action.Execute button on a card."""
    activity = _base("invoke", user, service_url, tenant_id=tenant_id)
    activity["name"] = "adaptiveCard/action"
    activity["replyToId"] = reply_to_id
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": verb, "data": data or {}},
        "trigger": "manual",
    }
    return activity


def invoke(
    name: str | None,
    user: TeamsUser,
    service_url: str,
    *,
    value: Any = None,
    tenant_id: str = TEST_TENANT_ID,
) -> dict[str, Any]:
    """Any invoke activity: `name` as Teams names it (None for an unnamed one)."""
    activity = _base("invoke", user, service_url, tenant_id=tenant_id)
    if name is not None:
        activity["name"] = name
    if value is not None:
        activity["value"] = value
    return activity


GROUP_CHAT_ID = "19:group-chat-of-alex-and-sam@thread.v2"
TEAM_ID = "19:safeguarding-team@thread.tacv2"
CHANNEL_ID = "19:general-channel@thread.tacv2"


def in_group_chat(activity: dict[str, Any]) -> dict[str, Any]:
    """The same activity, sent in a group chat the bot was added to."""
    moved = copy.deepcopy(activity)
    tenant_id = moved["channelData"]["tenant"]["id"]
    moved["conversation"] = {
        "isGroup": True,
        "conversationType": "groupChat",
        "tenantId": tenant_id,
        "id": GROUP_CHAT_ID,
    }
    return moved


def in_channel(activity: dict[str, Any]) -> dict[str, Any]:
    """The same activity, sent in a team's channel (as a reply in a channel thread)."""
    moved = copy.deepcopy(activity)
    tenant_id = moved["channelData"]["tenant"]["id"]
    moved["conversation"] = {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": tenant_id,
        "id": f"{CHANNEL_ID};messageid=1763889300000",
    }
    moved["channelData"] = {
        "teamsChannelId": CHANNEL_ID,
        "teamsTeamId": TEAM_ID,
        "channel": {"id": CHANNEL_ID},
        "team": {"id": TEAM_ID},
        "tenant": {"id": tenant_id},
    }
    return moved


def without_aad_object_id(
    activity: dict[str, Any], *, from_id: str | None = None
) -> dict[str, Any]:
    """The same activity with no Entra ID object id on the sender, as another channel would
    send it; `from_id` replaces the sender's channel id (e.g. with someone's object id)."""
    changed = copy.deepcopy(activity)
    changed["from"].pop("aadObjectId", None)
    if from_id is not None:
        changed["from"]["id"] = from_id
    return changed
