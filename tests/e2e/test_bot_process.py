"""The bot as a real process while Microsoft's sign-in hosts hang: it never freezes, and it stops.

Every sign-in host the SDK and the bot know of (channel and emulator OpenID metadata) is pointed
at a port that accepts connections and never answers, as a slow or unreachable
login.botframework.com would behave. The bot is started as `python app.py` would start it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.bot_framework import (
    TEST_APP_ID,
    TEST_APP_PASSWORD,
    TEST_TENANT_ID,
    Blackhole,
    SigningKey,
)
from tests.support.teams_activities import ALEX, personal_message

ROOT = Path(__file__).resolve().parents[2]
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
SERVICE_URL = "https://smba.trafficmanager.net/uk/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    url: str

    def post(self, headers: dict[str, str], timeout: float) -> requests.Response:
        return requests.post(
            f"{self.url}/api/messages",
            json=personal_message("help", ALEX, SERVICE_URL),
            headers=headers,
            timeout=timeout,
        )

    def health(self, timeout: float = 2.0) -> requests.Response:
        return requests.get(f"{self.url}/healthz", timeout=timeout)


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    with Blackhole() as hole:
        yield hole


@pytest.fixture
def bot_process(tmp_path: Path, blackhole: Blackhole) -> Iterator[BotProcess]:
    port = _free_port()
    environment: dict[str, Any] = {
        **os.environ,
        "MicrosoftAppId": TEST_APP_ID,
        "MicrosoftAppPassword": TEST_APP_PASSWORD,
        "MicrosoftAppTenantId": TEST_TENANT_ID,
        "BOT_LOCAL_MODE": "false",
        "BOT_HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "SIGN_IN_HOSTS_URL": blackhole.url,
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.serve_app"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    running = BotProcess(process=process, url=f"http://127.0.0.1:{port}")
    try:
        _wait_for_http(running)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def _wait_for_http(bot: BotProcess, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            raise AssertionError(f"the bot exited with {bot.process.returncode}")
        try:
            bot.health(timeout=1.0)
        except requests.RequestException:
            time.sleep(0.1)
            continue
        return
    raise AssertionError("the bot did not start listening")


def test_a_token_claiming_the_emulator_as_issuer_cannot_freeze_the_bot(
    bot_process: BotProcess,
) -> None:
    forged = SigningKey(kid="emulator-looking").token(
        service_url=SERVICE_URL, issuer=EMULATOR_ISSUER
    )

    started = time.monotonic()
    refused = bot_process.post({"Authorization": f"Bearer {forged}"}, timeout=8.0)
    refused_in = time.monotonic() - started
    health = bot_process.health()

    assert refused.status_code == 401
    assert refused_in < 1.0
    assert health.status_code == 503  # alive, and honest: no signing key is held
    assert "signing keys" in health.json()["signing_keys"]


def test_a_request_waiting_for_keys_gets_503_and_the_bot_keeps_answering(
    bot_process: BotProcess,
) -> None:
    token = SigningKey(kid="some-key").token(service_url=SERVICE_URL)

    started = time.monotonic()
    waited = bot_process.post({"Authorization": f"Bearer {token}"}, timeout=8.0)

    assert waited.status_code == 503
    assert time.monotonic() - started < 5.5
    assert bot_process.health().status_code == 503


def test_sigterm_stops_the_bot_within_ten_seconds_while_a_fetch_hangs(
    bot_process: BotProcess, blackhole: Blackhole
) -> None:
    token = SigningKey(kid="some-key").token(service_url=SERVICE_URL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # A request waiting on the hanging sign-in host when SIGTERM arrives.
        waiting = pool.submit(bot_process.post, {"Authorization": f"Bearer {token}"}, 15.0)
        time.sleep(0.5)
        assert blackhole.connections >= 1  # a fetch is under way, and hangs

        started = time.monotonic()
        bot_process.process.send_signal(signal.SIGTERM)
        bot_process.process.wait(timeout=15)
        stopped_in = time.monotonic() - started
        with contextlib.suppress(requests.RequestException):
            waiting.result()

    assert stopped_in < 10.0
