"""A fake Bot Connector served by aiohttp: it records what the bot sends, as Teams would receive it.

It answers the REST calls the bot makes (send, reply, update, delete, members) so end-to-end
tests exercise the real outbound path: serialisation, URLs and HTTP.

Faults can be injected into sends, replies and updates (never into member look-ups), either from
a fixed schedule or at a seeded random rate (`FaultPlan`):
  - `Fault.THROTTLED`: 429 with a Retry-After header; nothing recorded;
  - `Fault.UNAVAILABLE`: 503; nothing recorded;
  - `Fault.BAD_GATEWAY_AFTER_DELIVERY` / `Fault.GATEWAY_TIMEOUT_AFTER_DELIVERY`: the activity IS
    recorded (the user sees it), then 502 / 504 is answered: the dangerous case, where the bot
    cannot know that its message arrived;
  - `Fault.SLOW`: recorded, then answered 200 only after `slow_seconds`.
Like Teams, it never deduplicates: every POST that is recorded is a message the user sees.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


class Fault(StrEnum):
    THROTTLED = "429"
    UNAVAILABLE = "503"
    BAD_GATEWAY_AFTER_DELIVERY = "502 after delivery"
    GATEWAY_TIMEOUT_AFTER_DELIVERY = "504 after delivery"
    SLOW = "slow"


_STATUS = {
    Fault.THROTTLED: 429,
    Fault.UNAVAILABLE: 503,
    Fault.BAD_GATEWAY_AFTER_DELIVERY: 502,
    Fault.GATEWAY_TIMEOUT_AFTER_DELIVERY: 504,
}
_DELIVERED_FIRST = frozenset(
    {Fault.BAD_GATEWAY_AFTER_DELIVERY, Fault.GATEWAY_TIMEOUT_AFTER_DELIVERY, Fault.SLOW}
)


@dataclass
class FaultPlan:
    """Which calls fail, and how. `schedule` is consumed first, one entry per send/reply/update
    call (None: answer normally); after it, each call fails with probability `rate`, with a
    fault drawn from `kinds`, from a generator seeded with `seed` (deterministic for a given
    order of calls)."""

    schedule: list[Fault | None] = field(default_factory=list)
    rate: float = 0.0
    kinds: tuple[Fault, ...] = ()
    seed: int = 0
    retry_after: str | None = "0"
    slow_seconds: float = 1.0
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - test fault injection

    @classmethod
    def random(
        cls, *kinds: Fault, rate: float, seed: int = 0, retry_after: str | None = "0"
    ) -> FaultPlan:
        return cls(rate=rate, kinds=kinds, seed=seed, retry_after=retry_after)

    @classmethod
    def scheduled(cls, *faults: Fault | None, retry_after: str | None = "0") -> FaultPlan:
        return cls(schedule=list(faults), retry_after=retry_after)

    def next_fault(self) -> Fault | None:
        if self.schedule:
            return self.schedule.pop(0)
        if not self.kinds or self._random.random() >= self.rate:
            return None
        return self.kinds[0] if len(self.kinds) == 1 else self._random.choice(self.kinds)


@dataclass
class SentActivity:
    """One call the bot made: how (POST/PUT), to which conversation, and the activity JSON."""

    method: str
    conversation_id: str
    activity_id: str
    body: dict[str, Any]
    authorization: str | None
    raw_path: str = ""  # as requested, percent-escapes included

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
    """Collects sent activities; `wait_for(n)` waits until n have arrived.

    `fail_with_status` answers every call with that status (and `error_code` in the body) and
    records nothing.
    `calls` counts every send/reply/update request, faulted or not; `faults_served` counts the
    faults answered, by kind; `deleted` lists (conversation id, activity id) of deletions.
    """

    sent: list[SentActivity] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with_status: int | None = None
    error_code: str = "ServiceError"
    faults: FaultPlan | None = None
    calls: int = 0
    faults_served: Counter[Fault] = field(default_factory=Counter)
    deleted: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def app(self) -> web.Application:
        app = web.Application()
        conversations = "/v3/conversations/{conversation_id}"
        app.router.add_post(conversations + "/activities", self._send)
        app.router.add_post(conversations + "/activities/{activity_id}", self._send)
        app.router.add_put(conversations + "/activities/{activity_id}", self._update)
        app.router.add_delete(conversations + "/activities/{activity_id}", self._delete)
        app.router.add_get(conversations + "/members/{member_id}", self._member)
        return app

    def inject(self, plan: FaultPlan | None) -> None:
        """Fail later calls as `plan` says (None: stop failing)."""
        self.faults = plan

    def conversations_with_replies(self) -> Counter[str]:
        """How many activities were recorded in each conversation."""
        return Counter(item.conversation_id for item in self.sent if item.method == "POST")

    async def _record(self, request: web.Request, method: str, activity_id: str) -> web.Response:
        self.calls += 1
        if self.fail_with_status is not None:
            return _error(self.fail_with_status, code=self.error_code)
        fault = self.faults.next_fault() if self.faults is not None else None
        if fault is not None:
            self.faults_served[fault] += 1
        if fault is not None and fault not in _DELIVERED_FIRST:
            headers = {}
            if fault is Fault.THROTTLED and self.faults and self.faults.retry_after is not None:
                headers["Retry-After"] = self.faults.retry_after
            return _error(_STATUS[fault], headers)
        body = await request.json()
        async with self._arrived:
            self.sent.append(
                SentActivity(
                    method=method,
                    conversation_id=request.match_info["conversation_id"],
                    activity_id=activity_id,
                    body=body,
                    authorization=request.headers.get("Authorization"),
                    raw_path=request.raw_path,
                )
            )
            self._arrived.notify_all()
        if fault is Fault.SLOW and self.faults is not None:
            await asyncio.sleep(self.faults.slow_seconds)
        elif fault is not None:
            return _error(_STATUS[fault])  # delivered, but the answer says it failed
        return web.json_response({"id": activity_id})

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "POST", f"sent-{next(self._ids)}")

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "PUT", request.match_info["activity_id"])

    async def _delete(self, request: web.Request) -> web.Response:
        if self.fail_with_status is not None:
            return _error(self.fail_with_status, code=self.error_code)
        self.deleted.append(
            (request.match_info["conversation_id"], request.match_info["activity_id"])
        )
        return web.Response(status=200)

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


def _error(
    status: int, headers: dict[str, str] | None = None, *, code: str = "ServiceError"
) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": "fake outage"}},
        status=status,
        headers=headers,
    )


async def start_fake_connector() -> tuple[FakeConnector, TestServer]:
    connector = FakeConnector()
    server = TestServer(connector.app(), host="127.0.0.1")
    await server.start_server()
    return connector, server
