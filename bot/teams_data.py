"""Reading what Teams puts in an activity, where the SDK reads it wrong or not at all.

botbuilder reads the tenant from `conversation.tenantID`, but Teams sends `conversation.tenantId`
and `channelData.tenant.id` (DESIGN.md 4.2), so the SDK's `conversation.tenant_id` is always None.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ChannelAccount

from storage.records import ConversationType


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def tenant_id_of(activity: Activity) -> str | None:
    """The Entra ID tenant the activity came from: channelData.tenant.id, then the conversation."""
    tenant = _channel_data(activity).get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
        return str(tenant["id"])
    conversation = activity.conversation
    if conversation is not None:
        extra = getattr(conversation, "additional_properties", None) or {}
        for key in ("tenantId", "tenantID"):
            if isinstance(extra.get(key), str) and extra[key]:
                return str(extra[key])
        if conversation.tenant_id:
            return str(conversation.tenant_id)
    return None


def team_id_of(activity: Activity) -> str | None:
    team = _channel_data(activity).get("team")
    if isinstance(team, dict) and isinstance(team.get("id"), str):
        return str(team["id"])
    return None


def user_key(account: ChannelAccount | None) -> str | None:
    """How the bot knows a person: their Entra ID object id, stable across chats and apps.

    None when the account has none. Never the channel's own `from.id`: outside Teams a sender
    can set that to anything, including someone else's object id, and read their concerns.
    """
    if account is None:
        return None
    object_id = account.aad_object_id
    return object_id if isinstance(object_id, str) and object_id.strip() else None


def conversation_type_of(activity: Activity) -> ConversationType:
    """personal, groupChat or channel; Teams omits it in some personal-chat activities."""
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    try:
        return ConversationType(kind) if kind else ConversationType.PERSONAL
    except ValueError:
        return ConversationType.PERSONAL


def is_personal_chat(activity: Activity) -> bool:
    """A one-to-one chat with the bot: the only place concerns are logged or shown.

    A conversation Teams marks `isGroup` is never one, whatever its `conversationType` says.
    """
    conversation = activity.conversation
    if conversation is not None and conversation.is_group:
        return False
    return conversation_type_of(activity) is ConversationType.PERSONAL
