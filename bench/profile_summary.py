"""Where a server's samples went, from a py-spy profile in its raw (collapsed stacks) format.

    .venv/bin/python -m bench.profile_summary PROFILE.txt [--top 25] [--root PROJECT]

`bench.turns --py-spy DIR` records each load with
`py-spy record --format raw --full-filenames --gil` (or `--native` instead of `--gil`) and prints
this summary; it can be run again on the files it left. Each line of such a file is one stack,
outermost frame first, `function (file:line)` frames joined by `;`, then the number of samples
that had it. With `--native` every thread is there with the C frames under the Python ones
(SQLite's, the interpreter's); with `--gil` only the thread running Python code.

Samples are first split into waiting and working. Waiting: a thread inside SQLite's busy
handler (it sleeps until another connection releases the database's write lock), and a thread
parked on its work queue or the event loop in select(), which py-spy can count as active. The
rest, working, is close to CPU time on a server pinned to one busy core. Of those:
  - by owner, "self": the code running when sampled, with standard-library and interpreter
    frames charged to the nearest caller that is neither (json.dumps called by msrest is
    msrest's); SQLite's own C code is "sqlite3 (C)";
  - the project's own functions by cumulative share (the sample's stack holds the function);
  - third-party functions by cumulative share, and standard-library modules that are not the
    event loop's plumbing (logging, json, copy, re, ...).
"""

from __future__ import annotations

import argparse
import linecache
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")
# Standard-library modules that only carry the work (the loop, threads, the module runner).
PLUMBING = frozenset(
    {"asyncio", "selectors", "threading", "runpy", "concurrent", "contextlib", "queue"}
)
# Where a thread waits for work: aiosqlite's and the thread pool's queues, the loop's select.
_PARKED_OWNERS = frozenset(
    {"aiosqlite", "stdlib:concurrent", "stdlib:threading", "stdlib:queue", "stdlib:selectors"}
)
_PARKED_CALL = re.compile(r"\.(get|wait|acquire|select|poll)\(")
SQLITE_BUSY = "sqlite3InvokeBusyHandler"
# The C files of Python's _sqlite3 module, and SQLite itself.
_SQLITE_C_FILES = frozenset({"cursor.c", "connection.c", "statement.c", "util.c", "module.c"})
# Third-party distributions that ship under another top-level name.
OWNER_ALIASES = {
    "yarl": "aiohttp",
    "multidict": "aiohttp",
    "aiohappyeyeballs": "aiohttp",
    "propcache": "aiohttp",
    "frozenlist": "aiohttp",
    "aiosignal": "aiohttp",
    "pydantic_core": "pydantic",
    "urllib3": "requests",
    "charset_normalizer": "requests",
    "isodate": "msrest",
    "requests_oauthlib": "msrest",
}
NATIVE = "native"  # a C frame of the interpreter or a library with no owner of its own


@dataclass(frozen=True)
class Frame:
    function: str
    file: str
    line: int | None
    root: str  # the project's folder: its files are "ours"

    @property
    def is_python(self) -> bool:
        return self.file.endswith(".py") or self.file.startswith("<frozen")

    @property
    def is_parked(self) -> bool:
        """Whether this (innermost Python) frame is a thread waiting on its queue or select."""
        if self.line is None or self.owner not in _PARKED_OWNERS:
            return False
        return _PARKED_CALL.search(linecache.getline(self.file, self.line)) is not None

    @property
    def owner(self) -> str:
        """'ours', a third-party top-level package, 'stdlib:<module>', 'sqlite3 (C)', 'native'."""
        path = self.file
        if "site-packages/" in path:
            parts = path.split("site-packages/", 1)[1].split("/")
            top = parts[0].removesuffix(".py")
            if top in ("botbuilder", "botframework") and len(parts) > 2:
                return ".".join(parts[:2])
            return OWNER_ALIASES.get(top, top)
        owner = NATIVE
        if path.startswith(self.root + "/"):
            owner = "ours"
        elif path.startswith("<frozen"):
            owner = f"stdlib:{path.strip('<>')}"
        elif "/lib/python3" in path:
            after = path.split("/lib/python3", 1)[1].split("/", 1)[-1]
            owner = "stdlib:" + after.split("/", 1)[0].removesuffix(".py")
        elif "sqlite3" in path or path in _SQLITE_C_FILES:
            owner = "sqlite3 (C)"
        return owner

    @property
    def is_charged_to_caller(self) -> bool:
        owner = self.owner
        return owner.startswith("stdlib:") or owner == NATIVE

    def label(self) -> str:
        path = self.file
        if path.startswith(self.root + "/"):
            path = path[len(self.root) + 1 :]
        elif "site-packages/" in path:
            path = path.split("site-packages/", 1)[1]
        elif "/lib/python3" in path:
            path = path.split("/lib/python3", 1)[1].split("/", 1)[-1]
        return f"{self.function} ({path})"


def parse_frame(text: str, root: str) -> Frame:
    match = _FRAME.match(text.strip())
    if match is None:
        return Frame(text.strip(), "", None, root)
    line = int(match["line"]) if match["line"] else None
    return Frame(match["function"], match["file"], line, root)


def parse(profile: str, root: Path = ROOT) -> list[tuple[list[Frame], int]]:
    folder = str(root.resolve())
    stacks: list[tuple[list[Frame], int]] = []
    for line in profile.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        stacks.append(([parse_frame(part, folder) for part in stack.split(";")], int(count)))
    return stacks


def waiting_kind(stack: Sequence[Frame]) -> str | None:
    """Why a sampled thread was not working, or None if it was."""
    if any(frame.function == SQLITE_BUSY for frame in stack):
        return "in SQLite's busy handler, waiting for the write lock"
    innermost = next((frame for frame in reversed(stack) if frame.is_python), None)
    if innermost is not None and innermost.is_parked:
        return "parked on a work queue or in select()"
    return None


def self_owner(stack: Sequence[Frame]) -> str:
    for frame in reversed(stack):
        if not frame.is_charged_to_caller:
            return frame.owner
    return stack[-1].owner if stack else "?"


def _table(counts: Counter[str], total: int, top: int, indent: str) -> Iterable[str]:
    for name, count in counts.most_common(top):
        yield f"{indent}{count / total:6.1%}  {name}"


def summarise(profile: str, *, top: int = 25, root: Path = ROOT) -> str:
    """The summary of a raw py-spy profile of a server whose project files are under `root`."""
    waiting: Counter[str] = Counter()
    owners: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    theirs: Counter[str] = Counter()
    stdlib: Counter[str] = Counter()
    for stack, count in parse(profile, root):
        kind = waiting_kind(stack)
        if kind is not None:
            waiting[kind] += count
            continue
        owners[self_owner(stack)] += count
        seen: set[str] = set()
        modules: set[str] = set()
        for frame in stack:
            label = frame.label()
            if label in seen or not frame.is_python:
                continue
            seen.add(label)
            owner = frame.owner
            if owner == "ours":
                ours[label] += count
            elif owner.startswith("stdlib:"):
                module = owner.removeprefix("stdlib:")
                if module not in PLUMBING and not module.startswith("frozen"):
                    modules.add(module)
            else:
                theirs[f"[{owner}] {label}"] += count
        for module in modules:
            stdlib[module] += count
    total = sum(owners.values())
    if not total:
        return "    (no working samples)"
    waits = ", ".join(f"{count} {kind}" for kind, count in waiting.most_common()) or "none"
    lines = [
        f"    {total} working samples (and waiting, left out: {waits})",
        "    by owner (self; standard library and interpreter charged to their caller):",
        *_table(owners, total, top, "      "),
        "    the project's functions, cumulative:",
        *_table(ours, total, top, "      "),
        "    third-party functions, cumulative:",
        *_table(theirs, total, top, "      "),
        "    standard-library modules, cumulative (not the loop's plumbing):",
        *_table(stdlib, total, min(top, 12), "      "),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--root", type=Path, default=ROOT, help="the profiled project's folder")
    arguments = parser.parse_args(argv)
    text = arguments.profile.read_text(encoding="utf-8")
    print(summarise(text, top=arguments.top, root=arguments.root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
