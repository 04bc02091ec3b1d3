"""botbuilder's CloudAdapter with every outbound activity sent by our `ConnectorSender`.

Why the adapter and not a middleware's `on_send_activities` handler: in botbuilder-python 4.17
`TurnContext._emit` runs the handlers and then ALWAYS runs the adapter's own send, ignoring what
the handlers return. A handler could only send a second copy. The adapter's `send_activities`,
`update_activity` and `delete_activity` are the single place every activity of every turn
(replies, proactive messages, the error handler's apology) passes through, so they are overridden
here, keeping the SDK's handling of the activities that never reach the connector:
  - `invokeResponse`: left in the turn state, returned by `process_activity`, and so sent as
    the body of the HTTP answer to Teams' invoke (the Action.Execute answer);
  - `delay`: waited for here (`value` milliseconds, at most `MAX_DELAY_SECONDS`);
  - `trace`: dropped, except in the Bot Framework Emulator's channel, as the SDK does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ConversationReference, ResourceResponse
from botframework.connector import Channels
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
)

from teams.sender import Caller, ConnectorSender
from teams.tokens import PUBLIC_CLOUD_SCOPE

DELAY_ACTIVITY: Final = "delay"
MAX_DELAY_SECONDS: Final = 10.0


def caller_of(context: TurnContext) -> Caller:
    """The app id and scope the SDK would sign this turn's outbound calls with."""
    identity = context.turn_state.get(CloudAdapter.BOT_IDENTITY_KEY)
    app_id: Any = None
    if identity is not None:
        # As botbuilder reads it: the audience of a channel's token, else the appid claim.
        app_id = identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
        if app_id is None:
            app_id = identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    scope = context.turn_state.get(CloudAdapter.BOT_OAUTH_SCOPE_KEY)
    return Caller(
        app_id=app_id if isinstance(app_id, str) and app_id else None,
        scope=scope if isinstance(scope, str) and scope else PUBLIC_CLOUD_SCOPE,
    )


def _delay_seconds(value: Any) -> float:
    milliseconds = value if isinstance(value, int | float) and not isinstance(value, bool) else 1000
    return min(max(float(milliseconds) / 1000, 0.0), MAX_DELAY_SECONDS)


class TeamsCloudAdapter(CloudAdapter):
    """A CloudAdapter whose outbound calls to the Bot Connector all go through `sender`."""

    def __init__(self, authentication: BotFrameworkAuthentication, sender: ConnectorSender) -> None:
        super().__init__(authentication)
        self._sender = sender

    async def process_activity(
        self,
        auth_header_or_authenticate_request_result: AuthenticateRequestResult | str,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable[None]],
    ) -> InvokeResponse | None:
        """As botbuilder's, without the ConnectorClient and UserTokenClient it builds for every
        turn: every outbound call goes through our sender, and their msrest configuration (a
        retry policy built afresh each time) was a third of a click's CPU time. The request must
        already be authenticated (bot/http.py): botbuilder's own check is never run."""
        authenticated = auth_header_or_authenticate_request_result
        if not isinstance(authenticated, AuthenticateRequestResult):
            raise TypeError("authenticate the request first (bot/inbound_auth.py)")
        activity.caller_id = authenticated.caller_id
        context = self._create_turn_context(
            activity,
            authenticated.claims_identity,
            authenticated.audience,
            None,
            None,
            logic,
            authenticated.connector_factory,
        )
        await self.run_pipeline(context, logic)
        result: InvokeResponse | None = self._process_turn_results(context)
        return result

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        if not activities:
            raise TypeError("Expecting one or more activities, but the list was empty.")
        responses: list[ResourceResponse] = []
        for activity in activities:
            activity.id = None
            responses.append(await self._send_one(context, activity))
        return responses

    async def _send_one(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        if activity.type == ActivityTypes.invoke_response:
            context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
            return ResourceResponse()
        if activity.type == DELAY_ACTIVITY:
            await asyncio.sleep(_delay_seconds(activity.value))
            return ResourceResponse()
        if activity.type == ActivityTypes.trace and activity.channel_id != Channels.emulator:
            return ResourceResponse()
        resource_id = await self._sender.send(activity.serialize(), caller_of(context))
        return ResourceResponse(id=resource_id or "")

    async def update_activity(
        self, context: TurnContext, activity: Activity
    ) -> ResourceResponse | None:
        resource_id = await self._sender.update(activity.serialize(), caller_of(context))
        return ResourceResponse(id=resource_id) if resource_id else None

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        await self._sender.delete(
            reference.service_url or context.activity.service_url,
            reference.conversation.id,
            reference.activity_id,
            caller_of(context),
        )
