"""A fake Bot Connector served by aiohttp: it records what the bot sends, as Teams would receive it.

It answers the REST calls botbuilder's ConnectorClient makes (send, reply, update, members) so
end-to-end tests exercise the real outbound path: msrest serialisation, URLs and HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class SentActivity:
    """One call the bot made: how (POST/PUT), to which conversation, and the activity JSON."""

    method: str
    conversation_id: str
    activity_id: str
    body: dict[str, Any]
    authorization: str | None

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            attachment["content"]
            for attachment in self.body.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")


@dataclass
class FakeConnector:
    """Collects sent activities; `wait_for(n)` waits until n have arrived."""

    sent: list[SentActivity] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with_status: int | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def app(self) -> web.Application:
        app = web.Application()
        conversations = "/v3/conversations/{conversation_id}"
        app.router.add_post(conversations + "/activities", self._send)
        app.router.add_post(conversations + "/activities/{activity_id}", self._send)
        app.router.add_put(conversations + "/activities/{activity_id}", self._update)
        app.router.add_get(conversations + "/members/{member_id}", self._member)
        return app

    async def _record(self, request: web.Request, method: str, activity_id: str) -> web.Response:
        if self.fail_with_status is not None:
            return web.json_response(
                {"error": {"code": "ServiceError", "message": "fake outage"}},
                status=self.fail_with_status,
            )
        body = await request.json()
        async with self._arrived:
            self.sent.append(
                SentActivity(
                    method=method,
                    conversation_id=request.match_info["conversation_id"],
                    activity_id=activity_id,
                    body=body,
                    authorization=request.headers.get("Authorization"),
                )
            )
            self._arrived.notify_all()
        return web.json_response({"id": activity_id})

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "POST", f"sent-{next(self._ids)}")

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "PUT", request.match_info["activity_id"])

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member_id"])
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}},
                status=404,
            )
        return web.json_response(member)

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[SentActivity]:
        """Wait until at least `count` activities were sent; fail loudly if they never come."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.sent) >= count), timeout)
            return list(self.sent)


async def start_fake_connector() -> tuple[FakeConnector, TestServer]:
    connector = FakeConnector()
    server = TestServer(connector.app(), host="127.0.0.1")
    await server.start_server()
    return connector, server
