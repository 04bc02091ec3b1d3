"""One sender for every activity the bot posts to the Bot Connector (Teams).

`ConnectorSender` sends an activity (the JSON dict `Activity.serialize()` gives) to
`POST {serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]`, updates one with
`PUT .../activities/{id}` and deletes one with `DELETE .../activities/{id}`. It keeps ONE
`aiohttp.ClientSession` for the application's life (close it on shutdown) and signs with one
cached token per (app id, scope) (`teams.tokens`). botbuilder, by contrast, builds a new
connector client and credentials per turn, fetches tokens on the event loop and never retries
a 429.

Retries. 429 (waiting at least what Retry-After says, in seconds or as an HTTP date), 412, 502,
503, 504, refused or dropped connections and timeouts are retried with exponential backoff and
jitter (equal jitter: half the step plus a random half), within `RetryPolicy.attempts` attempts
and `RetryPolicy.deadline` seconds for the whole send, each attempt's timeout cut to what is
left. A Retry-After longer than `max_retry_after`, or than what is left of the deadline, is not
waited for: the send gives up at once. A 401 is retried once with a fresh token. Every retry is
one WARNING log line (status or error type, attempt, delay, conversation id), never a stack and
never a body.

Failures are our own exceptions (`teams.errors`):
  - `ConversationGone`: 403 BotNotInConversationRoster or ConversationBlockedByUser, or 404.
    The bot is no longer in that conversation: stop sending to it. Not retried.
  - `SendRejected`: any other 4xx. Retrying cannot help.
  - `SendFailed`: attempts or deadline exhausted, a 500, or no token. `maybe_delivered` says
    whether some attempt may have reached the user anyway.

Delivery semantics. Teams has no idempotency key: a POST cannot be made safe to repeat.
  - Refused before delivery (429, 503, 412, connection refused, connect timeout): retried; the
    user sees the reply once, or never if every attempt within the deadline is refused
    (`SendFailed`, `maybe_delivered=False`).
  - Ambiguous (502 or 504, a read timeout, a connection dropped after the request was written):
    Teams may have shown the message already. It is retried, so a reply is delivered AT LEAST
    ONCE: the user may see it twice (at most `attempts` times). With 10% of calls answered 502
    after delivery, about one reply in ten is shown twice (tests/e2e/test_replies_under_faults).
  - Updates (PUT) and deletions are idempotent: retrying them never shows anything twice.
  - Answers to card actions (Action.Execute) never go through here: they are the body of the
    HTTP response to Teams' invoke (`invokeResponse`), delivered exactly once with the request.
    Answering in the invoke response wherever possible keeps the ambiguous window to plain
    messages.
Teams also throttles a bot to about 7 messages a second in one conversation; the bot sends one
or two per turn, and a 429 is waited out as above.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final, NoReturn
from urllib.parse import quote

import aiohttp
from yarl import URL

from teams.errors import ConversationGone, SendError, SendFailed, SendRejected
from teams.tokens import PUBLIC_CLOUD_SCOPE, TokenSource

log = logging.getLogger(__name__)

RETRIED_STATUSES: Final = frozenset({412, 429, 502, 503, 504})
# Answers that may come after the activity was delivered.
AMBIGUOUS_STATUSES: Final = frozenset({502, 504})
GONE_CODES: Final = frozenset({"BotNotInConversationRoster", "ConversationBlockedByUser"})
USER_AGENT: Final = "resolve-together-bot (Bot Framework connector client)"
# Bot Connector answers are a small JSON object; nothing larger is read.
MAX_ANSWER_BYTES: Final = 64 * 1024
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    deadline: float = 10.0  # seconds for a whole send, every attempt and wait included
    base_backoff: float = 0.2
    max_backoff: float = 2.0
    max_retry_after: float = 5.0  # a longer Retry-After is not waited for
    connect_timeout: float = 3.0
    request_timeout: float = 15.0  # per attempt, cut to what is left of the deadline


@dataclass(frozen=True)
class Caller:
    """Whose token signs the request: the bot's app id (None in local mode) and the scope."""

    app_id: str | None
    scope: str = PUBLIC_CLOUD_SCOPE


@dataclass(frozen=True)
class _Target:
    method: str
    url: URL
    conversation_id: str


@dataclass
class _SendState:
    deadline: float  # on `clock`
    attempt: int = 0
    maybe_delivered: bool = False
    token_refreshed: bool = False


@dataclass(frozen=True)
class _Answer:
    status: int
    retry_after: str | None
    body: Any  # parsed JSON, or None


class _Retry(Exception):
    """One attempt failed in a way worth retrying: an answer's `status`, or a transport `error`
    (its type name). `ambiguous`: the activity may have been delivered all the same."""

    def __init__(
        self,
        *,
        status: int | None = None,
        error: str | None = None,
        ambiguous: bool = False,
        retry_after: str | None = None,
        out_of_time: bool = False,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.error = error
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.out_of_time = out_of_time  # the deadline has passed: no further attempt

    def describe(self) -> str:
        if self.status is not None:
            return f"answered status={self.status}"
        return f"failed error={self.error}"


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from `now` (never negative), or None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _error_code(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if isinstance(code, str) and _ERROR_CODE.fullmatch(code):
        return code
    return None


def _resource_id(body: Any) -> str | None:
    value = body.get("id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _path_part(value: str) -> str:
    # As botbuilder's client does: every reserved character escaped (Teams ids hold : ; @ =).
    return quote(value, safe="")


def _activities_url(service_url: str, conversation_id: str, activity_id: str | None) -> URL:
    if not service_url.startswith(("https://", "http://")):
        raise ValueError("the serviceUrl is not an http(s) URL")
    text = f"{service_url.rstrip('/')}/v3/conversations/{_path_part(conversation_id)}/activities"
    if activity_id:
        text += f"/{_path_part(activity_id)}"
    return URL(text, encoded=True)


def _required_text(document: Mapping[str, Any], *path: str) -> str:
    node: Any = document
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(node, str) or not node:
        raise ValueError(f"the activity has no {'.'.join(path)}")
    return node


class ConnectorSender:
    """Sends, updates and deletes activities through the Bot Connector, with retries."""

    def __init__(
        self,
        tokens: TokenSource | None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._tokens = tokens
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._wall_clock = wall_clock
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    async def send(self, activity: Mapping[str, Any], caller: Caller) -> str | None:
        """POST the activity (as a reply when it has a replyToId); the id Teams gave it."""
        conversation_id = _required_text(activity, "conversation", "id")
        reply_to = activity.get("replyToId")
        url = _activities_url(
            _required_text(activity, "serviceUrl"),
            conversation_id,
            reply_to if isinstance(reply_to, str) else None,
        )
        answer = await self._call(_Target("POST", url, conversation_id), activity, caller)
        return _resource_id(answer)

    async def update(self, activity: Mapping[str, Any], caller: Caller) -> str | None:
        """PUT the activity over the one with its id."""
        conversation_id = _required_text(activity, "conversation", "id")
        url = _activities_url(
            _required_text(activity, "serviceUrl"),
            conversation_id,
            _required_text(activity, "id"),
        )
        answer = await self._call(_Target("PUT", url, conversation_id), activity, caller)
        return _resource_id(answer)

    async def delete(
        self, service_url: str, conversation_id: str, activity_id: str, caller: Caller
    ) -> None:
        url = _activities_url(service_url, conversation_id, activity_id)
        await self._call(_Target("DELETE", url, conversation_id), None, caller)

    async def close(self) -> None:
        """Close the HTTP client (on application clean-up). Later sends fail."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(
                    total=self._policy.request_timeout, connect=self._policy.connect_timeout
                ),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    async def _call(
        self, target: _Target, activity: Mapping[str, Any] | None, caller: Caller
    ) -> Any:
        body = None if activity is None else json.dumps(activity).encode()
        state = _SendState(deadline=self._clock() + self._policy.deadline)
        while True:
            state.attempt += 1
            try:
                return await self._try_once(target, body, caller, state)
            except _Retry as retry:
                state.maybe_delivered = state.maybe_delivered or retry.ambiguous
                delay = self._delay(state.attempt, retry, state.deadline)
                if isinstance(delay, str):
                    self._give_up(target, state, retry, delay)
                log.warning(
                    "connector %s; retrying method=%s attempt=%d of %d delay=%.2fs "
                    "conversation_id=%s",
                    retry.describe(),
                    target.method,
                    state.attempt,
                    self._policy.attempts,
                    delay,
                    target.conversation_id,
                )
                await self._sleep(delay)

    async def _try_once(
        self, target: _Target, body: bytes | None, caller: Caller, state: _SendState
    ) -> Any:
        """One attempt: the answer's body, or `_Retry`, or one of our exceptions."""
        remaining = state.deadline - self._clock()
        if remaining <= 0:
            raise _Retry(error="NoTimeLeft", out_of_time=True)
        authorization = await self._authorization(target, caller, remaining, state.attempt)
        answer = await self._attempt(target, body, authorization, remaining)
        if (
            answer.status == HTTPStatus.UNAUTHORIZED
            and authorization is not None
            and self._tokens is not None
            and not state.token_refreshed
        ):
            state.token_refreshed = True  # once: a token may be revoked before it expires
            self._tokens.forget(caller.app_id, caller.scope)
            raise _Retry(status=answer.status)
        return self._outcome(target, answer, state)

    async def _authorization(
        self, target: _Target, caller: Caller, remaining: float, attempt: int
    ) -> str | None:
        if self._tokens is None:
            return None
        try:
            async with asyncio.timeout(remaining):
                return await self._tokens.authorization(caller.app_id, caller.scope)
        except TimeoutError:
            raise _Retry(error="TokenTimeout", out_of_time=True) from None
        except Exception as error:  # MSAL and the credentials raise a variety of errors
            raise SendFailed(
                conversation_id=target.conversation_id,
                attempts=attempt,
                status=None,
                reason=f"no token ({type(error).__name__})",
                maybe_delivered=False,
            ) from error

    async def _attempt(
        self, target: _Target, body: bytes | None, authorization: str | None, remaining: float
    ) -> _Answer:
        if self._closed:
            raise SendFailed(
                conversation_id=target.conversation_id,
                attempts=0,
                status=None,
                reason="the sender is closed",
                maybe_delivered=False,
            )
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if authorization is not None:
            headers["Authorization"] = authorization
        timeout = aiohttp.ClientTimeout(
            total=min(self._policy.request_timeout, remaining),
            connect=min(self._policy.connect_timeout, remaining),
        )
        try:
            async with self._client().request(
                target.method, target.url, data=body, headers=headers, timeout=timeout
            ) as response:
                raw = await response.content.read(MAX_ANSWER_BYTES)
                return _Answer(
                    status=response.status,
                    retry_after=response.headers.get("Retry-After"),
                    body=_parse(raw),
                )
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            # Never connected: nothing was delivered.
            raise _Retry(error=type(error).__name__) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            # The request may have been written and acted on before the failure.
            raise _Retry(error=type(error).__name__, ambiguous=True) from None

    def _outcome(self, target: _Target, answer: _Answer, state: _SendState) -> Any:
        status = answer.status
        if 200 <= status < 300:
            return answer.body
        code = _error_code(answer.body)
        if status == HTTPStatus.NOT_FOUND or (
            status == HTTPStatus.FORBIDDEN and code in GONE_CODES
        ):
            raise ConversationGone(conversation_id=target.conversation_id, status=status, code=code)
        if status in RETRIED_STATUSES:
            raise _Retry(
                status=status,
                ambiguous=status in AMBIGUOUS_STATUSES,
                retry_after=answer.retry_after,
            )
        if 400 <= status < 500:
            raise SendRejected(conversation_id=target.conversation_id, status=status, code=code)
        raise SendFailed(
            conversation_id=target.conversation_id,
            attempts=state.attempt,
            status=status,
            reason="not retried",
            maybe_delivered=state.maybe_delivered or status >= 500,
        )

    def _delay(self, attempt: int, retry: _Retry, deadline: float) -> float | str:
        """How long to wait before the next attempt, or why to give up instead."""
        if retry.out_of_time:
            return "deadline"
        if attempt >= self._policy.attempts:
            return "attempts exhausted"
        step = min(self._policy.max_backoff, self._policy.base_backoff * 2.0 ** (attempt - 1))
        delay = step / 2 + self._jitter() * step / 2
        asked = retry_after_seconds(retry.retry_after, self._wall_clock())
        if asked is not None:
            if asked > self._policy.max_retry_after:
                return "Retry-After too long"
            delay = max(delay, asked)
        if self._clock() + delay >= deadline:
            return "deadline"
        return delay

    def _give_up(self, target: _Target, state: _SendState, retry: _Retry, reason: str) -> NoReturn:
        log.warning(
            "connector send gave up reason=%s last %s method=%s attempts=%d maybe_delivered=%s "
            "conversation_id=%s",
            reason,
            retry.describe(),
            target.method,
            state.attempt,
            state.maybe_delivered,
            target.conversation_id,
        )
        raise SendFailed(
            conversation_id=target.conversation_id,
            attempts=state.attempt,
            status=retry.status,
            reason=reason,
            maybe_delivered=state.maybe_delivered,
        )


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


__all__ = [
    "Caller",
    "ConnectorSender",
    "ConversationGone",
    "RetryPolicy",
    "SendError",
    "SendFailed",
    "SendRejected",
    "retry_after_seconds",
]
