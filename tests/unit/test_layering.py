"""Dependencies point inward: the domain stays pure, botbuilder stays at the edges (DESIGN.md 1)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What domain/ may never import: I/O, frameworks, the clock's sources of truth, other layers.
DOMAIN_FORBIDDEN = (
    "botbuilder",
    "botframework",
    "aiohttp",
    "sqlalchemy",
    "alembic",
    "asyncpg",
    "aiosqlite",
    "requests",
    "msrest",
    "microsoft_teams",
    "os",
    "io",
    "socket",
    "pathlib",
    "subprocess",
    "urllib",
    "http",
    "logging",
    "random",
    "secrets",
    "bot",
    "cards",
    "dialogs",
    "storage",
    "settings",
    "app",
    "teams",
)
SDK = ("botbuilder", "botframework")
# teams/ is the seam to Microsoft Teams: botbuilder and the Bot Connector (teams/__init__.py).
SDK_ALLOWED = ("bot", "dialogs", "storage/dialog_storage.py", "teams", "tests")
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imports_in(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(path, node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(Import(path, node.lineno, node.module))
    return found


def top(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_domain_imports_no_io_no_framework_and_no_outer_layer() -> None:
    offences = [
        f"{relative(item.path)}:{item.line} imports {item.module}"
        for path in python_files("domain")
        for item in imports_in(path)
        if top(item.module) in DOMAIN_FORBIDDEN
    ]
    assert offences == []


def test_the_domain_never_reads_the_clock() -> None:
    offences: list[str] = []
    for path in python_files("domain"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"datetime", "date", "time"}
            ):
                offences.append(f"{relative(path)}:{node.lineno} calls {node.func.attr}()")
    assert offences == []


def test_only_bot_dialogs_teams_and_the_dialog_storage_import_botbuilder() -> None:
    offences = [
        f"{relative(item.path)}:{item.line} imports {item.module}"
        for folder in ("domain", "cards", "storage")
        for path in python_files(folder)
        if not relative(path).startswith(SDK_ALLOWED)
        for item in imports_in(path)
        if top(item.module) in SDK
    ]
    offences += [
        f"{relative(ROOT / name)} imports {item.module}"
        for name in ("settings.py", "app.py")
        for item in imports_in(ROOT / name)
        if top(item.module) in SDK
    ]
    assert offences == []


# Feature handlers that answer from our own Click/Said (teams/clicks.py): no TurnContext, no SDK.
FEATURES_WITHOUT_THE_SDK = ("bot/concern_feature.py", "bot/concern_cards.py")


def test_feature_handlers_take_our_own_clicks_not_the_sdk() -> None:
    offences = [
        f"{name}:{item.line} imports {item.module}"
        for name in FEATURES_WITHOUT_THE_SDK
        for item in imports_in(ROOT / name)
        if top(item.module) in SDK
    ]
    assert offences == []


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("cards", ("bot", "dialogs", "storage", "app", "sqlalchemy")),
        ("storage", ("bot", "cards", "dialogs", "app")),
        ("dialogs", ("bot", "app")),
        ("services", ("bot", "dialogs", "teams", "cards", "app", "botbuilder", "botframework")),
        ("teams", ("bot", "dialogs", "storage", "cards", "domain", "app", "settings")),
    ],
)
def test_inner_layers_do_not_import_outer_ones(folder: str, forbidden: tuple[str, ...]) -> None:
    offences = [
        f"{relative(item.path)}:{item.line} imports {item.module}"
        for path in python_files(folder)
        for item in imports_in(path)
        if top(item.module) in forbidden
    ]
    assert offences == []


def test_the_layering_check_would_notice_an_offence(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom sqlalchemy import select\nfrom . import sibling\n")
    modules = [item.module for item in imports_in(sample)]
    assert modules == ["os", "sqlalchemy"]
    assert all(top(module) in DOMAIN_FORBIDDEN for module in modules)
