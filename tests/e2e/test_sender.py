"""The connector sender against a fake Bot Connector over real HTTP: URLs, retries, deadlines,
our exceptions, tokens (once, off the event loop) and what reaches the log."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import PasswordServiceClientCredentialFactory

from bot.adapter import build_authentication
from teams.adapter import TeamsCloudAdapter
from teams.errors import ConversationGone, SendFailed, SendRejected
from teams.sender import Caller, ConnectorSender, RetryPolicy, retry_after_seconds
from teams.tokens import TokenSource, token_expiry
from tests.e2e.conftest import local_settings
from tests.support.fake_connector import FakeConnector, Fault, FaultPlan

APP_ID = "00000000-1111-2222-3333-444444444444"
CALLER = Caller(app_id=APP_ID)
TEAMS_CONVERSATION = "19:abc@thread.tacv2;messageid=1700000000000"
MARKER = "Zanzibar-marker-5150"
# Fast backoff, so that tests which really wait stay quick.
QUICK = RetryPolicy(base_backoff=0.01, max_backoff=0.05, deadline=5.0)


def outgoing(
    service_url: str,
    *,
    conversation_id: str = "a:conversation-1",
    reply_to: str | None = "1700000000000",
    activity_id: str | None = None,
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "conversation": {"id": conversation_id},
        "text": f"a reply quoting {MARKER}",
    }
    if reply_to is not None:
        activity["replyToId"] = reply_to
    if activity_id is not None:
        activity["id"] = activity_id
    return activity


class Credentials:
    """Outbound credentials whose token fetch blocks, as MSAL's does."""

    def __init__(self, factory: CredentialsFactory) -> None:
        self.microsoft_app_id = APP_ID
        self._factory = factory

    def get_access_token(self, force_refresh: bool = False) -> str:
        time.sleep(self._factory.fetch_seconds)  # blocking network I/O, like MSAL
        self._factory.fetched_on.append(threading.get_ident())
        return self._factory.tokens[
            min(len(self._factory.fetched_on), len(self._factory.tokens)) - 1
        ]


class CredentialsFactory:
    """Hands out credentials; their fetches return `tokens` in turn (the last one repeated)."""

    def __init__(self, *tokens: str, fetch_seconds: float = 0.0) -> None:
        self.tokens = list(tokens)
        self.fetch_seconds = fetch_seconds
        self.created = 0
        self.fetched_on: list[int] = []

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Credentials:
        self.created += 1
        return Credentials(self)


class Sleeps:
    """An injected sleep: records each delay, optionally acts (e.g. ends an outage)."""

    def __init__(self, then: Callable[[], None] | None = None) -> None:
        self.delays: list[float] = []
        self._then = then

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self._then is not None:
            self._then()
        await asyncio.sleep(0)


def jwt_expiring_at(expiry: float) -> str:
    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'exp': expiry})}.signature"


@pytest.fixture
async def senders() -> AsyncIterator[Callable[..., ConnectorSender]]:
    """Builds senders (a static token by default, sleeps recorded) and closes them afterwards."""
    made: list[ConnectorSender] = []

    def make(
        *,
        tokens: TokenSource | None = None,
        policy: RetryPolicy = QUICK,
        sleep: Callable[[float], Any] | None = None,
    ) -> ConnectorSender:
        sender = ConnectorSender(
            tokens if tokens is not None else TokenSource(CredentialsFactory("token-1")),
            policy,
            sleep=sleep or Sleeps(),
        )
        made.append(sender)
        return sender

    yield make
    for sender in made:
        await sender.close()


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno == logging.WARNING]


def errors_in(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


# --- Where and how it sends ---------------------------------------------------------------


async def test_a_reply_is_posted_to_the_reply_url_with_ids_escaped_and_signed(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    sender = senders()

    resource_id = await sender.send(outgoing(url, conversation_id=TEAMS_CONVERSATION), CALLER)

    [sent] = fake.sent
    assert resource_id == sent.activity_id == "sent-1"
    assert sent.method == "POST"
    assert sent.conversation_id == TEAMS_CONVERSATION
    assert sent.raw_path == (
        "/v3/conversations/19%3Aabc%40thread.tacv2%3Bmessageid%3D1700000000000"
        "/activities/1700000000000"
    )
    assert sent.authorization == "Bearer token-1"
    assert sent.text == f"a reply quoting {MARKER}"


async def test_a_message_without_reply_to_goes_to_the_conversation_and_updates_are_put(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    sender = senders()

    await sender.send(outgoing(url, reply_to=None), CALLER)
    updated = await sender.update(outgoing(url, activity_id="sent-1"), CALLER)
    await sender.delete(url, "a:conversation-1", "sent-1", CALLER)

    first, second = fake.sent
    assert first.raw_path == "/v3/conversations/a%3Aconversation-1/activities"
    assert (second.method, second.activity_id, updated) == ("PUT", "sent-1", "sent-1")
    assert fake.deleted == [("a:conversation-1", "sent-1")]


# --- Retries --------------------------------------------------------------------------------


async def test_a_429_waits_what_retry_after_says_and_is_one_warning_line(
    connector: tuple[FakeConnector, str],
    senders: Callable[..., ConnectorSender],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake, url = connector
    fake.inject(FaultPlan.scheduled(Fault.THROTTLED, retry_after="2"))
    sleeps = Sleeps()
    sender = senders(sleep=sleeps)

    resource_id = await sender.send(outgoing(url), CALLER)

    [sent] = fake.sent
    assert resource_id == sent.activity_id
    assert sleeps.delays == [2.0]
    [warning] = warnings_in(caplog)
    line = warning.getMessage()
    assert "status=429" in line
    assert "attempt=1" in line
    assert "conversation_id=a:conversation-1" in line
    assert warning.exc_info is None
    assert errors_in(caplog) == []


@pytest.mark.parametrize("status", [412, 429, 502, 503, 504])
async def test_transient_answers_are_retried_until_the_connector_recovers(
    connector: tuple[FakeConnector, str],
    senders: Callable[..., ConnectorSender],
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    caplog.set_level(logging.WARNING)
    fake, url = connector
    fake.fail_with_status = status
    outage_left = [2]

    def one_sleep_nearer_the_end() -> None:
        outage_left[0] -= 1
        if outage_left[0] == 0:
            fake.fail_with_status = None

    sender = senders(sleep=Sleeps(then=one_sleep_nearer_the_end))

    resource_id = await sender.send(outgoing(url), CALLER)

    [sent] = fake.sent
    assert resource_id == sent.activity_id
    assert fake.calls == 3
    assert len(warnings_in(caplog)) == 2
    assert errors_in(caplog) == []


async def test_backoff_grows_with_jitter_within_bounds_and_gives_up_after_the_attempts(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    fake.fail_with_status = 503
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=4, base_backoff=0.2, max_backoff=0.5)
    sender = senders(policy=policy, sleep=sleeps)

    with pytest.raises(SendFailed) as failure:
        await sender.send(outgoing(url), CALLER)

    assert fake.calls == 4
    assert (failure.value.attempts, failure.value.status) == (4, 503)
    assert failure.value.maybe_delivered is False
    first, second, third = sleeps.delays
    assert 0.1 <= first <= 0.2
    assert 0.2 <= second <= 0.4
    assert 0.25 <= third <= 0.5  # capped at max_backoff
    assert len(set(sleeps.delays)) == 3


async def test_answers_lost_after_delivery_are_retried_and_reported_as_maybe_delivered(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    fake.inject(FaultPlan.random(Fault.GATEWAY_TIMEOUT_AFTER_DELIVERY, rate=1.0))
    sender = senders()

    with pytest.raises(SendFailed) as failure:
        await sender.send(outgoing(url), CALLER)

    assert failure.value.maybe_delivered is True
    assert len(fake.sent) == 4  # at least once, at most `attempts` times


async def test_a_retry_after_longer_than_we_wait_gives_up_at_once(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    fake.inject(FaultPlan.scheduled(Fault.THROTTLED, retry_after="30"))
    sleeps = Sleeps()
    sender = senders(sleep=sleeps)

    with pytest.raises(SendFailed) as failure:
        await sender.send(outgoing(url), CALLER)

    assert failure.value.reason == "Retry-After too long"
    assert (fake.calls, sleeps.delays) == (1, [])


async def test_a_slow_connector_is_given_up_on_within_the_deadline(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    fake.inject(FaultPlan.random(Fault.SLOW, rate=1.0))
    assert fake.faults is not None
    fake.faults.slow_seconds = 2.0
    sender = senders(policy=RetryPolicy(deadline=0.6, base_backoff=0.05), sleep=asyncio.sleep)

    started = time.monotonic()
    with pytest.raises(SendFailed) as failure:
        await sender.send(outgoing(url), CALLER)

    assert time.monotonic() - started < 1.0
    assert failure.value.reason == "deadline"
    assert failure.value.maybe_delivered is True  # a timed-out request may have arrived


async def test_a_connector_that_refuses_connections_is_retried_then_given_up_on(
    senders: Callable[..., ConnectorSender],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    sender = senders(sleep=sleeps)

    with pytest.raises(SendFailed) as failure:
        await sender.send(outgoing(f"http://127.0.0.1:{port}/"), CALLER)

    assert failure.value.attempts == 4
    assert failure.value.maybe_delivered is False  # never connected: never delivered
    assert len(sleeps.delays) == 3


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert retry_after_seconds("3", now) == 3.0
    assert retry_after_seconds(" 0 ", now) == 0.0
    assert retry_after_seconds("-5", now) == 0.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=7), usegmt=True), now) == 7
    assert retry_after_seconds(format_datetime(now - timedelta(minutes=1), usegmt=True), now) == 0
    assert retry_after_seconds(None, now) is None
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("nan", now) is None
    assert retry_after_seconds("inf", now) is None


# --- Our exceptions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [(403, "BotNotInConversationRoster"), (403, "ConversationBlockedByUser"), (404, "NotFound")],
)
async def test_a_conversation_the_bot_has_left_is_gone_and_not_retried(
    connector: tuple[FakeConnector, str],
    senders: Callable[..., ConnectorSender],
    status: int,
    code: str,
) -> None:
    fake, url = connector
    fake.fail_with_status, fake.error_code = status, code
    sender = senders()

    with pytest.raises(ConversationGone) as gone:
        await sender.send(outgoing(url), CALLER)

    assert (gone.value.status, gone.value.conversation_id) == (status, "a:conversation-1")
    assert fake.calls == 1


@pytest.mark.parametrize(("status", "code"), [(403, "Forbidden"), (400, "BadArgument")])
async def test_other_refusals_are_rejections_and_not_retried(
    connector: tuple[FakeConnector, str],
    senders: Callable[..., ConnectorSender],
    status: int,
    code: str,
) -> None:
    fake, url = connector
    fake.fail_with_status, fake.error_code = status, code
    sender = senders()

    with pytest.raises(SendRejected) as rejected:
        await sender.send(outgoing(url), CALLER)

    assert (rejected.value.status, rejected.value.code) == (status, code)
    assert fake.calls == 1


async def test_a_500_is_a_failure_that_is_not_retried(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    fake.fail_with_status = 500
    sender = senders()

    with pytest.raises(SendFailed) as failure:
        await sender.send(outgoing(url), CALLER)

    assert (fake.calls, failure.value.status, failure.value.reason) == (1, 500, "not retried")


async def test_a_closed_sender_fails_instead_of_opening_a_new_client(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    _fake, url = connector
    sender = senders()
    await sender.close()

    with pytest.raises(SendFailed):
        await sender.send(outgoing(url), CALLER)


async def test_the_log_holds_ids_and_statuses_never_bodies_or_text(
    connector: tuple[FakeConnector, str],
    senders: Callable[..., ConnectorSender],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake, url = connector
    fake.fail_with_status = 503
    sender = senders()

    with pytest.raises(SendFailed):
        await sender.send(outgoing(url), CALLER)

    assert len(warnings_in(caplog)) == 4  # three retries and the give-up
    assert MARKER not in caplog.text
    assert "fake outage" not in caplog.text  # the connector's error message
    assert "token-1" not in caplog.text


# --- Tokens ---------------------------------------------------------------------------------


async def test_fifty_sends_fetch_one_token_off_the_event_loop(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    factory = CredentialsFactory("slow-token", fetch_seconds=0.5)
    sender = senders(tokens=TokenSource(factory))
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    await asyncio.gather(
        *(sender.send(outgoing(url, conversation_id=f"a:c-{n}"), CALLER) for n in range(50))
    )
    stop.set()
    await ticking

    assert len(fake.sent) == 50
    assert {sent.authorization for sent in fake.sent} == {"Bearer slow-token"}
    assert (factory.created, len(factory.fetched_on)) == (1, 1)
    assert factory.fetched_on[0] != threading.get_ident()  # a worker thread, not the loop's
    assert sum(gaps) >= 0.5  # the ticker ran for the whole fetch...
    assert max(gaps) < 0.25  # ...and never stalled while MSAL "slept" (0.5 s)


async def test_a_token_is_reused_until_shortly_before_it_expires() -> None:
    now = [1_000_000.0]
    factory = CredentialsFactory(jwt_expiring_at(now[0] + 3600), jwt_expiring_at(now[0] + 7200))
    tokens = TokenSource(factory, refresh_margin=300, clock=lambda: now[0])

    first = await tokens.authorization(APP_ID, "https://api.botframework.com")
    now[0] += 3200
    again = await tokens.authorization(APP_ID, "https://api.botframework.com")
    now[0] += 200  # inside the margin
    renewed = await tokens.authorization(APP_ID, "https://api.botframework.com")

    assert first == again != renewed
    assert len(factory.fetched_on) == 2
    assert factory.created == 1  # one set of credentials, asked twice
    assert token_expiry(jwt_expiring_at(123.0)) == 123.0
    assert token_expiry("not-a-jwt") is None


async def test_a_token_that_cannot_be_had_in_time_or_at_all_fails_the_send(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    hanging = CredentialsFactory("late", fetch_seconds=0.6)
    quick = RetryPolicy(deadline=0.2)

    started = time.monotonic()
    with pytest.raises(SendFailed) as late:
        await senders(tokens=TokenSource(hanging), policy=quick).send(outgoing(url), CALLER)
    assert time.monotonic() - started < 0.5
    assert late.value.reason == "deadline"

    class Refusing(CredentialsFactory):
        async def create_credentials(self, *args: Any) -> Credentials:
            raise PermissionError("Invalid app_id")

    with pytest.raises(SendFailed) as refused:
        await senders(tokens=TokenSource(Refusing())).send(outgoing(url), CALLER)
    assert refused.value.reason == "no token (PermissionError)"
    assert fake.calls == 0


async def test_a_401_signs_in_afresh_once(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    factory = CredentialsFactory("revoked", "fresh")
    fake.fail_with_status = 401
    sender = senders(tokens=TokenSource(factory), sleep=Sleeps(then=lambda: _recover(fake)))

    await sender.send(outgoing(url), CALLER)

    [sent] = fake.sent
    assert sent.authorization == "Bearer fresh"
    assert factory.created == 2

    fake.fail_with_status = 401
    with pytest.raises(SendRejected):
        await senders(tokens=TokenSource(factory)).send(outgoing(url), CALLER)


def _recover(fake: FakeConnector) -> None:
    fake.fail_with_status = None


async def test_without_an_app_id_nothing_is_signed(
    connector: tuple[FakeConnector, str], senders: Callable[..., ConnectorSender]
) -> None:
    fake, url = connector
    disabled = TokenSource(PasswordServiceClientCredentialFactory())  # no app id: local mode

    await senders(tokens=disabled).send(outgoing(url), Caller(app_id=None))
    await senders(tokens=disabled).send(outgoing(url), CALLER)

    assert [sent.authorization for sent in fake.sent] == [None, None]


# --- The adapter ----------------------------------------------------------------------------


async def test_the_adapter_sends_messages_through_the_sender_and_keeps_invoke_answers(
    connector: tuple[FakeConnector, str],
    senders: Callable[..., ConnectorSender],
    tmp_path: Any,
) -> None:
    fake, url = connector
    fake.inject(FaultPlan.scheduled(Fault.UNAVAILABLE))
    authentication = build_authentication(local_settings(f"sqlite+aiosqlite:///{tmp_path}/x.db"))
    adapter = TeamsCloudAdapter(authentication, senders())
    incoming = Activity().deserialize(
        {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "id": "incoming-1",
            "channelId": "msteams",
            "serviceUrl": url,
            "from": {"id": "29:1user"},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "a:conversation-1"},
        }
    )

    async def logic(context: TurnContext) -> None:
        await context.send_activity(Activity(type=ActivityTypes.trace, name="ignored"))
        sent = await context.send_activity("a message")
        reply = Activity(type=ActivityTypes.message, text="changed", id=sent.id)
        await context.update_activity(reply)
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body={}))
        )

    authenticated = await authentication.authenticate_request(incoming, "")
    answer = await adapter.process_activity(authenticated, incoming, logic)

    assert answer is not None
    assert answer.status == 200
    assert [(sent.method, sent.text) for sent in fake.sent] == [
        ("POST", "a message"),
        ("PUT", "changed"),
    ]
    assert fake.sent[0].raw_path.endswith("/activities/incoming-1")
    assert fake.faults_served[Fault.UNAVAILABLE] == 1
