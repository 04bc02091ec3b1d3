"""A practitioner's journey in the Microsoft 365 Agents Playground, in headless Chromium.

The bot runs in local mode on a fresh SQLite database, the playground (npm, pinned in
tests/e2e/playground) plays Teams, and tests/e2e/playground/journey.mjs types and clicks through
it with playwright-core driving Debian's Chromium. Screenshots and logs go to
artifacts/playground/ (git-ignored). Skips, saying why, where Chromium or the npm packages are
missing (`.ci/run` installs both).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_DIR = ROOT / "tests" / "e2e" / "playground"
PLAYGROUND_BIN = PLAYGROUND_DIR / "node_modules" / ".bin" / "agentsplayground"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "artifacts" / "playground"
JOURNEY_TIMEOUT = 300


def missing_tools() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node not found: install Node.js 20 or later"
    if not PLAYGROUND_BIN.exists():
        return f"the playground is not installed: run npm ci in {PLAYGROUND_DIR.relative_to(ROOT)}"
    return None


pytestmark = pytest.mark.skipif(missing_tools() is not None, reason=missing_tools() or "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answers(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{what} did not answer {url} within 60 s")


@contextmanager
def running(command: list[str], log: Path, *, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed commands of this repository
            command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@dataclass(frozen=True)
class JourneyRun:
    returncode: int
    journey_log: str
    bot_log: str
    artifacts: Path


def run_journey(name: str, tmp_path: Path, fault: str = "none") -> JourneyRun:
    artifacts = ARTIFACTS / name
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    bot_port, playground_port = free_port(), free_port()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'journey.db'}"
    bot_command = [
        sys.executable, "-m", "tests.support.journey_bot", "--port", str(bot_port),
        "--database-url", database_url, "--fault", fault,
    ]  # fmt: skip
    playground_command = [
        str(PLAYGROUND_BIN), "-e", f"http://127.0.0.1:{bot_port}/api/messages", "-c", "msteams",
        "-p", str(playground_port), "--disable-telemetry",
    ]  # fmt: skip
    with (
        running(bot_command, artifacts / "bot.log", cwd=ROOT) as bot,
        # Run from the artifacts folder: the playground writes its own devTools/ log there.
        running(playground_command, artifacts / "playground.log", cwd=artifacts) as pg,
    ):
        wait_until_answers(f"http://127.0.0.1:{bot_port}/healthz", bot, "the bot")
        wait_until_answers(f"http://127.0.0.1:{playground_port}/", pg, "the playground")
        environment = {
            **os.environ,
            "PLAYGROUND_URL": f"http://127.0.0.1:{playground_port}",
            "ARTIFACTS_DIR": str(artifacts),
            "CHROMIUM": str(CHROMIUM),
        }
        journey = subprocess.run(
            ["node", "journey.mjs"],  # noqa: S607 - node from PATH, checked above
            cwd=PLAYGROUND_DIR,
            env=environment,
            capture_output=True,
            timeout=JOURNEY_TIMEOUT,
            check=False,
        )
    (artifacts / "journey.out").write_bytes(journey.stdout + journey.stderr)
    return JourneyRun(
        returncode=journey.returncode,
        journey_log=(artifacts / "journey.log").read_text(encoding="utf-8"),
        bot_log=(artifacts / "bot.log").read_text(encoding="utf-8", errors="replace"),
        artifacts=artifacts,
    )


def test_a_practitioner_logs_escalates_and_lists_a_concern_in_the_playground(
    tmp_path: Path,
) -> None:
    run = run_journey("journey", tmp_path)

    assert run.returncode == 0, run.journey_log
    assert "JOURNEY PASSED" in run.journey_log
    assert " ERROR " not in run.bot_log, "the bot logged an error during the journey"
    screenshots = sorted(path.name for path in run.artifacts.glob("*.png"))
    assert len(screenshots) == 9, screenshots  # one per step, and the problem named in step 7
    assert not [name for name in screenshots if name.startswith("failed-")]


def test_the_journey_fails_when_the_bot_answers_a_click_with_500(tmp_path: Path) -> None:
    run = run_journey("fault-escalate-500", tmp_path, fault="escalate-500")

    assert run.returncode == 1
    assert "JOURNEY FAILED at step 5" in run.journey_log
    assert "HTTP 500" in run.journey_log


def test_the_journey_fails_when_a_click_appends_a_card_instead_of_updating(
    tmp_path: Path,
) -> None:
    run = run_journey("fault-escalate-appends", tmp_path, fault="escalate-appends")

    assert run.returncode == 1
    assert "JOURNEY FAILED at step 5" in run.journey_log
    assert "appended a new card" in run.journey_log
