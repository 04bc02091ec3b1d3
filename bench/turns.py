"""Turns per second of the bot against Microsoft's echo sample, both measured in one run.

    .venv/bin/python -m bench.turns [--turns 2000] [--concurrency 10] [--runs 3] [--users 100]
        [--loads echo,help,escalate,showHelp] [--database-url URL]
        [--memory [--memory-turns 20000]] [--py-spy DIR [--py-spy-native]]

Every server is a process of its own, pinned to core 0 with `taskset -c 0`: Microsoft's echo
sample (`bench.echo_sample`) and the bot (`bench.serve_bot`, local mode, a fresh SQLite file or
`--database-url`). This process is the load generator and pins itself to core 1, where the fake
Bot Connector (`bench.connector_process`) also runs, in a process of its own. Without taskset, or
without two cores, everything runs unpinned and the output says so.

Loads, each `--turns` turns with `--concurrency` requests in flight:
  echo      the echo sample, a typed message echoed through the connector (the baseline);
  help      the bot, typed "help", answered with the welcome card through the connector;
  escalate  the bot, an Escalate click on a card, each on a distinct concern opened beforehand
            with `ThreadService.open`, with the version its card shows: one transaction,
            answered with the updated card in the HTTP response;
  showHelp  the bot, a "showHelp" card click, answered in the HTTP response.
Turns come from `--users` practitioners in turn, each in a personal chat of their own, as
concurrent turns do in Teams (the bot runs one turn at a time per conversation; every user has
made first contact during the warm-up). For each load: turns/s, p50 and p99 latency, the ratio
to the echo sample's turns/s in the same run, and errors (a non-2xx status, an apology, a reply
missing at the connector, an escalation not applied). For every server, its CPU time per
turn (from /proc: the event loop's thread and the others) and how busy its core was; for the
bot's loads also what its database did per turn (statements, transactions, rows written per
table), read from the server's engine events, and for the escalate load the rows added to each
table (counted before and after). `--runs` runs in a row, each measuring every load in turn.

`--memory` then starts a fresh bot and drives `--memory-turns` turns of help, escalate and
showHelp in turn, printing the server's RSS (VmRSS) after 1,000 turns and at checkpoints up to
the end. `--py-spy DIR` adds a profiling pass after the runs: py-spy (installed in the venv)
records each load's server, and the hotspots are summarised by `bench.profile_summary`.

Figures, not a pass/fail test: on a shared machine they move with whatever else runs, so the
load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.profile_summary import summarise
from bench.seed_concerns import Concern, bench_users, open_concerns
from bench.serve_bot import bench_settings
from bench.serving import READY_LINE
from storage.db import Database
from storage.schema import metadata
from tests.support.teams_activities import TeamsUser, card_action, personal_message

ROOT = Path(__file__).resolve().parents[1]
SERVER_CORE = 0
LOAD_CORE = 1
WARM_UP_TURNS = 50
START_TIMEOUT_SECONDS = 120.0
REQUEST_TIMEOUT_SECONDS = 60.0
JSON_HEADERS = {"Content-Type": "application/json"}
ADAPTIVE_CARD = b'"application/vnd.microsoft.card.adaptive"'
APOLOGY = b"Sorry, something went wrong"
ESCALATED = b"Moved on: now at"
STALE = b"changed since that card was shown"
LOAD_NAMES = {
    "echo": "echo sample, typed message (reply via connector)",
    "help": "bot, typed help (reply via connector)",
    "escalate": "bot, escalate click (answer in response)",
    "showHelp": "bot, showHelp click (answer in response)",
}
BOT_LOADS = ("help", "escalate", "showHelp")
# Collapsed stacks with full file names (to tell our code from the libraries'), of the thread
# holding the GIL only: the Python work, nearly all of it on the event loop's thread. The CPU time
# of the other threads (SQLite's C code, with the GIL released) is printed for each load from
# /proc; `--py-spy-native` records every thread with its C frames instead (slower, and it shows
# the connections waiting in SQLite's busy handler).
PY_SPY_RECORD = ("record", "--format", "raw", "--full-filenames")
MEMORY_CHECKPOINTS = (1_000, 5_000, 10_000, 15_000, 20_000)


# --- processes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pinning:
    enabled: bool
    note: str

    def command(self, core: int, argv: Sequence[str]) -> list[str]:
        return ["taskset", "-c", str(core), *argv] if self.enabled else list(argv)


def decide_pinning() -> Pinning:
    if shutil.which("taskset") is None:
        return Pinning(False, "taskset is missing: every process runs UNPINNED")
    cores = os.sched_getaffinity(0)
    if not {SERVER_CORE, LOAD_CORE} <= cores:
        return Pinning(False, f"cores 0 and 1 are not both usable ({sorted(cores)}): UNPINNED")
    return Pinning(
        True,
        "servers pinned to core 0 (taskset -c 0); load generator and fake connector on core 1",
    )


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


@dataclass
class Server:
    """A server process started by the bench, with the URL it announced."""

    name: str
    process: asyncio.subprocess.Process
    url: str
    pid: int
    log: Path
    _drain: asyncio.Task[None] | None = None

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time (user + system) of the whole process, and of its main thread (the loop)."""
        return _cpu_seconds(Path(f"/proc/{self.pid}/stat")), _cpu_seconds(
            Path(f"/proc/{self.pid}/task/{self.pid}/stat")
        )

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for {self.name} (pid {self.pid})")

    async def stats(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        async with session.get(self.url + "/bench/stats") as response:
            response.raise_for_status()
            stats: dict[str, Any] = await response.json()
            return stats

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._drain is not None:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain


def _cpu_seconds(stat: Path) -> float:
    """utime + stime from a /proc stat file (the process's counts exited threads too)."""
    fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _discard(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


@dataclass(frozen=True)
class Launcher:
    """Starts the bench's server processes, each pinned as `pinning` says, logging into `logs`."""

    pinning: Pinning
    logs: Path

    async def start(self, name: str, module: str, arguments: Sequence[str], *, core: int) -> Server:
        command = self.pinning.command(core, [sys.executable, "-m", module, *arguments])
        log = self.logs / f"{name}.log"
        with log.open("wb") as log_file:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=log_file
            )
        assert process.stdout is not None  # noqa: S101 - asked for above
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_SECONDS)
        except TimeoutError:
            line = b""
        ready = READY_LINE.search(line.decode(errors="replace"))
        if ready is None:
            process.kill()
            raise RuntimeError(f"{name} did not start: see {log}")
        server = Server(name, process, ready["url"], int(ready["pid"]), log)
        server._drain = asyncio.create_task(_discard(process.stdout))
        return server

    async def connector(self) -> Server:
        return await self.start(
            "connector", "bench.connector_process", ["--port", "0"], core=LOAD_CORE
        )

    async def echo(self) -> Server:
        return await self.start("echo", "bench.echo_sample", ["--port", "0"], core=SERVER_CORE)

    async def bot(self, database_url: str, name: str = "bot") -> Server:
        arguments = ["--port", "0", "--database-url", database_url]
        return await self.start(name, "bench.serve_bot", arguments, core=SERVER_CORE)


# --- driving a load -------------------------------------------------------------------------

Check = Callable[[int, bytes], str | None]


def message_check(status: int, _body: bytes) -> str | None:
    return None if 200 <= status < 300 else f"HTTP {status}"


def click_check(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if APOLOGY in body:
        return "apology"
    return None if ADAPTIVE_CARD in body else "no card in the response"


def escalate_check(status: int, body: bytes) -> str | None:
    problem = click_check(status, body)
    if problem is not None:
        return problem
    if ESCALATED in body:
        return None
    return "stale card" if STALE in body else "not escalated"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Measured:
    load: str
    latencies: list[float]
    seconds: float
    problems: Counter[str] = field(default_factory=Counter)
    cpu: str = ""
    database: str = ""

    @property
    def turns(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.turns / self.seconds

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 0.50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1000

    @property
    def errors(self) -> int:
        return sum(self.problems.values())


async def drive(
    session: aiohttp.ClientSession,
    url: str,
    bodies: Sequence[bytes],
    concurrency: int,
    check: Check,
) -> tuple[list[float], float, Counter[str]]:
    """Post every body, `concurrency` at a time; latencies in seconds, wall time, problems."""
    latencies = [0.0] * len(bodies)
    problems: Counter[str] = Counter()
    indexes = iter(range(len(bodies)))

    async def worker() -> None:
        for index in indexes:  # shared: each index goes to exactly one worker
            started = time.perf_counter()
            try:
                async with session.post(url, data=bodies[index], headers=JSON_HEADERS) as reply:
                    body = await reply.read()
                    status = reply.status
            except (aiohttp.ClientError, TimeoutError) as error:
                latencies[index] = time.perf_counter() - started
                problems[type(error).__name__] += 1
                continue
            latencies[index] = time.perf_counter() - started
            problem = check(status, body)
            if problem is not None:
                problems[problem] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, problems


def _encode(activity: dict[str, Any]) -> bytes:
    return json.dumps(activity).encode()


@dataclass
class Bench:
    """The running servers and what the loads need."""

    session: aiohttp.ClientSession
    connector: Server
    echo: Server | None
    bot: Server | None
    concerns: Iterator[Concern]
    concurrency: int
    database_url: str
    users: Sequence[TeamsUser]
    _next_user: Iterator[TeamsUser] = field(init=False)

    def __post_init__(self) -> None:
        self._next_user = itertools.cycle(self.users)

    @property
    def service_url(self) -> str:
        return self.connector.url + "/"

    def bodies(self, load: str, count: int) -> list[bytes]:
        service_url = self.service_url
        users = [next(self._next_user) for _ in range(count)]  # consecutive turns: other chats
        if load == "echo":
            return [_encode(personal_message("hello", user, service_url)) for user in users]
        if load == "help":
            return [_encode(personal_message("help", user, service_url)) for user in users]
        if load == "showHelp":
            return [_encode(card_action("showHelp", user, service_url)) for user in users]
        if load == "escalate":
            return [
                _encode(
                    card_action(
                        "escalate",
                        concern.raised_by,
                        service_url,
                        data={"reference": concern.reference, "version": concern.version},
                    )
                )
                for concern in (next(self.concerns) for _ in range(count))
            ]
        raise ValueError(f"unknown load {load!r}")

    def server_for(self, load: str) -> Server:
        server = self.echo if load == "echo" else self.bot
        if server is None:
            raise RuntimeError(f"no server for {load}")
        return server

    async def measure(self, load: str, turns: int) -> Measured:
        server = self.server_for(load)
        bodies = self.bodies(load, turns)
        check = {"escalate": escalate_check, "showHelp": click_check}.get(load, message_check)
        sent_before = await self.connector.stats(self.session)
        sql_before = await server.stats(self.session) if server is self.bot else None
        rows_before = await table_rows(self.database_url) if load == "escalate" else None
        cpu_before = server.cpu_seconds()
        latencies, seconds, problems = await drive(
            self.session, server.url + "/api/messages", bodies, self.concurrency, check
        )
        cpu_after = server.cpu_seconds()
        sent = _difference(await self.connector.stats(self.session), sent_before)
        problems["apology at the connector"] += sent.get("apologies", 0)
        if load in ("echo", "help"):
            replies = sent.get("cards" if load == "help" else "texts", 0)
            missing = turns - replies - sent.get("apologies", 0)  # an apology is its own error
            problems["reply missing at the connector"] += max(0, missing)
        elif sent.get("activities", 0):
            problems["unexpected activity at the connector"] += sent["activities"]
        measured = Measured(load, latencies, seconds, +problems)
        measured.cpu = describe_cpu(cpu_before, cpu_after, turns, seconds)
        if sql_before is not None:
            sql_after = await server.stats(self.session)
            measured.database = describe_sql(sql_before, sql_after, turns)
        if rows_before is not None:
            rows = _difference(await table_rows(self.database_url), rows_before)
            added = ", ".join(f"{name} +{count / turns:g}" for name, count in rows.items() if count)
            measured.database += f"\n      rows added per click (table counts): {added or 'none'}"
        return measured


def _difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {key: after.get(key, 0) - before.get(key, 0) for key in after.keys() | before.keys()}


def describe_cpu(
    before: tuple[float, float], after: tuple[float, float], turns: int, seconds: float
) -> str:
    total, loop = after[0] - before[0], after[1] - before[1]
    return (
        f"      server CPU per turn: {total / turns * 1000:.1f} ms (event-loop thread "
        f"{loop / turns * 1000:.1f} ms, other threads {(total - loop) / turns * 1000:.1f} ms); "
        f"busy {total / seconds:.0%} of the run's wall time"
    )


def describe_sql(before: dict[str, Any], after: dict[str, Any], turns: int) -> str:
    statements = _difference(after["statements"], before["statements"])
    rows = _difference(after["rows_written"], before["rows_written"])
    transactions = _difference(after["transactions"], before["transactions"])
    per = {name: count / turns for name, count in sorted(statements.items()) if count}
    total = sum(per.values())
    statement_text = ", ".join(f"{name} {count:g}" for name, count in per.items())
    written = {name: count / turns for name, count in sorted(rows.items()) if count}
    written_text = ", ".join(f"{name} {count:g}" for name, count in written.items()) or "none"
    return (
        f"      SQL per turn: {total:g} statements ({statement_text or 'none'}); "
        f"transactions: {transactions.get('begin', 0) / turns:g} begun, "
        f"{transactions.get('commit', 0) / turns:g} committed, "
        f"{transactions.get('rollback', 0) / turns:g} rolled back; "
        f"new connections: {transactions.get('connect', 0) / turns:g}\n"
        f"      rows written per turn: {sum(written.values()):g} ({written_text})"
    )


async def table_rows(database_url: str) -> dict[str, int]:
    database = Database(database_url)
    try:
        async with database.session(read_only=True) as session:
            return {
                table.name: int(
                    (await session.execute(select(func.count()).select_from(table))).scalar_one()
                )
                for table in metadata.sorted_tables
            }
    finally:
        await database.dispose()


# --- reporting ------------------------------------------------------------------------------


def print_measured(measured: Measured, echo_rate: float | None) -> None:
    ratio = f"{measured.rate / echo_rate:5.2f}x echo" if echo_rate else " " * 11
    errors = (
        ", ".join(f"{name}: {count}" for name, count in measured.problems.items())
        if measured.errors
        else "0"
    )
    print(
        f"    {LOAD_NAMES[measured.load]:<49}{measured.rate:8.1f} turns/s  "
        f"p50 {measured.p50_ms:7.1f} ms  p99 {measured.p99_ms:7.1f} ms  {ratio}  "
        f"errors {errors}",
        flush=True,
    )
    for detail in (measured.cpu, measured.database):
        if detail:
            print(detail, flush=True)


def print_summary(runs: list[dict[str, Measured]]) -> None:
    if not runs:
        return
    print("\nSummary (median of the runs; range in brackets)")
    loads = [load for load in LOAD_NAMES if all(load in run for run in runs)]
    for load in loads:
        rates = [run[load].rate for run in runs]
        p99s = [run[load].p99_ms for run in runs]
        p50s = [run[load].p50_ms for run in runs]
        line = (
            f"  {LOAD_NAMES[load]:<49}{statistics.median(rates):8.1f} turns/s "
            f"[{min(rates):.1f}-{max(rates):.1f}]  p50 {statistics.median(p50s):.1f} ms  "
            f"p99 {statistics.median(p99s):.1f} ms [{min(p99s):.1f}-{max(p99s):.1f}]"
        )
        if load != "echo" and "echo" in loads:
            ratios = [run[load].rate / run["echo"].rate for run in runs]
            line += f"  {statistics.median(ratios):.2f}x echo [{min(ratios):.2f}-{max(ratios):.2f}]"
        errors = sum(run[load].errors for run in runs)
        print(line + f"  errors {errors}")
    if "echo" in loads:
        print("  goals: escalate >= 5x echo with p99 < 50 ms; typed command >= 3x echo")


# --- the bench ------------------------------------------------------------------------------


async def warm_up(bench: Bench, loads: Sequence[str]) -> None:
    """A few turns of each load; on the bot, first a message from every user (first contact)."""
    if bench.bot is not None:
        first_contacts = bench.bodies("help", len(bench.users))
        _latencies, _seconds, problems = await drive(
            bench.session, bench.bot.url + "/api/messages", first_contacts, 10, message_check
        )
        if problems:
            print(f"  first contacts: {dict(problems)} (see {bench.bot.log})")
    for load in loads:
        server = bench.server_for(load)
        check = {"escalate": escalate_check, "showHelp": click_check}.get(load, message_check)
        bodies = bench.bodies(load, WARM_UP_TURNS)
        _latencies, _seconds, problems = await drive(
            bench.session, server.url + "/api/messages", bodies, bench.concurrency, check
        )
        if problems:
            print(f"  warm-up {load}: {dict(problems)} (see {server.log})")


async def measure_memory(arguments: argparse.Namespace, bench: Bench, launcher: Launcher) -> None:
    total = arguments.memory_turns
    print(f"\nMemory: a fresh bot, {total} turns of help, escalate and showHelp in turn")
    database_url = arguments.database_url or sqlite_url(launcher.logs / "memory")
    concerns = await open_concerns(bench_settings(database_url), total // 3 + 2, bench.users)
    bot = await launcher.bot(database_url, name="bot-memory")
    bench.bot, bench.concerns, bench.database_url = bot, iter(concerns), database_url
    await warm_up(bench, ())  # first contacts only: the RSS counts from here
    try:
        print(f"  RSS after every user's first contact: {bot.rss_mib():.1f} MiB")
        mix = ("help", "escalate", "showHelp")
        done = 0
        rss: dict[int, float] = {}
        problems: Counter[str] = Counter()
        checkpoints = sorted({point for point in MEMORY_CHECKPOINTS if point < total} | {total})
        for checkpoint in checkpoints:
            while done < checkpoint:
                count = min(1_000, checkpoint - done)
                for load, chunk in zip(mix, _split(count, len(mix)), strict=True):
                    measured = await bench.measure(load, chunk)
                    problems.update(measured.problems)
                done += count
            rss[checkpoint] = bot.rss_mib()
            print(f"  RSS after {checkpoint:6d} turns: {rss[checkpoint]:7.1f} MiB", flush=True)
        first = rss[checkpoints[0]]
        growth = (rss[total] - first) / first
        print(
            f"  RSS after {total} turns is {growth:+.1%} of RSS after {checkpoints[0]} "
            f"(goal: within 20%); errors: {dict(problems) or 0}"
        )
    finally:
        await bot.stop()


def _split(count: int, parts: int) -> list[int]:
    return [count // parts + (1 if index < count % parts else 0) for index in range(parts)]


def sqlite_url(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{folder / 'bot.db'}"


def find_py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


async def profile(arguments: argparse.Namespace, bench: Bench, pinning: Pinning) -> None:
    py_spy = find_py_spy()
    if py_spy is None:
        print("\nProfile: py-spy not found (.venv/bin/pip install py-spy); skipped")
        return
    folder = Path(arguments.py_spy)  # made by run()
    print(f"\nProfile: py-spy record of each load's server, {arguments.turns} turns, into {folder}")
    for load in arguments.loads:
        server = bench.server_for(load)
        output = folder / f"{load}.txt"
        rate = str(arguments.py_spy_rate)
        mode = "--native" if arguments.py_spy_native else "--gil"
        record = [py_spy, *PY_SPY_RECORD, mode, "--rate", rate, "--output", str(output)]
        command = pinning.command(LOAD_CORE, [*record, "--pid", str(server.pid)])
        spy = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        try:
            await asyncio.sleep(1.0)  # let it attach
            measured = await bench.measure(load, arguments.turns)
        finally:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
            await asyncio.wait_for(spy.wait(), 60)
        print(f"\n  {LOAD_NAMES[load]} under py-spy: {measured.rate:.1f} turns/s")
        if output.exists():
            print(summarise(output.read_text(encoding="utf-8"), top=arguments.py_spy_top))
        else:
            print(f"  py-spy wrote nothing (exit status {spy.returncode})")


async def measure_runs(arguments: argparse.Namespace, bench: Bench) -> None:
    await warm_up(bench, arguments.loads)
    if bench.bot is not None:
        print(
            f"  bot server RSS after warm-up: {bench.bot.rss_mib():.1f} MiB (pid {bench.bot.pid})"
        )
    runs: list[dict[str, Measured]] = []
    for number in range(1, arguments.runs + 1):
        print(f"\nRun {number} ({machine_load()})")
        results: dict[str, Measured] = {}
        for load in arguments.loads:
            results[load] = await bench.measure(load, arguments.turns)
            echo_rate = results["echo"].rate if "echo" in results else None
            print_measured(results[load], None if load == "echo" else echo_rate)
        runs.append(results)
    print_summary(runs)
    for server in (bench.echo, bench.bot):
        if server is not None:
            print(f"  {server.name} server RSS after the runs: {server.rss_mib():.1f} MiB")


async def run(arguments: argparse.Namespace) -> None:
    main = asyncio.current_task()
    if main is not None:  # `kill` stops the servers too (a background job may ignore SIGINT)
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    pinning = decide_pinning()
    if pinning.enabled:
        os.sched_setaffinity(0, {LOAD_CORE})
    launcher = Launcher(pinning, Path(tempfile.mkdtemp(prefix="bench-turns-")))
    if arguments.py_spy:
        os.makedirs(arguments.py_spy, exist_ok=True)
    loads: list[str] = arguments.loads
    print(
        f"{arguments.turns} turns a load, {arguments.concurrency} in flight, {arguments.runs} "
        f"runs; turns from {arguments.users} users in turn, each in a personal chat of their own"
    )
    print(f"  {pinning.note}")
    print(f"  before: {machine_load()}; logs in {launcher.logs}")

    database_url = arguments.database_url or sqlite_url(launcher.logs / "runs")
    needed = WARM_UP_TURNS + arguments.runs * arguments.turns
    needed += arguments.turns if arguments.py_spy else 0
    users = bench_users(arguments.users)
    settings = bench_settings(database_url)
    concerns = await open_concerns(settings, needed, users) if "escalate" in loads else []
    servers = [await launcher.connector()]
    try:
        echo = await launcher.echo() if "echo" in loads else None
        bot = await launcher.bot(database_url) if set(loads) & set(BOT_LOADS) else None
        servers += [server for server in (echo, bot) if server is not None]
        limit = aiohttp.TCPConnector(limit=arguments.concurrency)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(connector=limit, timeout=timeout) as session:
            bench = Bench(
                session,
                servers[0],
                echo,
                bot,
                iter(concerns),
                arguments.concurrency,
                database_url,
                users,
            )
            await measure_runs(arguments, bench)
            if arguments.py_spy:
                await profile(arguments, bench, pinning)
            if arguments.memory:
                if bot is not None:
                    await bot.stop()
                    servers.remove(bot)
                await measure_memory(arguments, bench, launcher)
    finally:
        for server in servers:
            await server.stop()
    print(f"\nafter: {machine_load()}")


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=2000, help="turns per load and run")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--loads",
        type=lambda text: [load.strip() for load in text.split(",") if load.strip()],
        default=list(LOAD_NAMES),
        help="comma-separated, from: " + ", ".join(LOAD_NAMES),
    )
    parser.add_argument(
        "--users", type=int, default=100, help="practitioners, each in a chat of their own"
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--memory", action="store_true", help="also measure RSS over many turns")
    parser.add_argument("--memory-turns", type=int, default=20_000)
    parser.add_argument("--py-spy", metavar="DIR", default=None, help="profile each load")
    parser.add_argument("--py-spy-rate", type=int, default=100, help="samples a second")
    parser.add_argument("--py-spy-top", type=int, default=25, help="functions listed")
    parser.add_argument(
        "--py-spy-native", action="store_true", help="every thread, with C frames (not --gil)"
    )
    arguments = parser.parse_args(argv)
    unknown = [load for load in arguments.loads if load not in LOAD_NAMES]
    if unknown:
        parser.error(f"unknown loads: {', '.join(unknown)}")
    if arguments.memory_turns < 1_000:
        parser.error("--memory-turns must be at least 1000 (RSS is compared with that point)")
    return arguments


if __name__ == "__main__":
    asyncio.run(run(parse_arguments()))
