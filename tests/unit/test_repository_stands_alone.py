"""The repository stands on its own: nothing in tests/, bench/, scripts/ or .ci/ reaches for the
developers' `shared` folder beside the clone, and what was copied out of it is intact: the
vendored schemas (vendor/schemas) and the seed passages (tests/fixtures/seeds)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import extract_seed_fixtures as seeds
from tests.support.card_schema import SCHEMA_PATH, VENDORED_SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tests", "bench", "scripts", ".ci")
# Not scanned: installed packages, bytecode, quoted documents (data, not code), and this file,
# which holds examples of what it looks for.
NOT_SCANNED_DIRS = frozenset({"node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"})
NOT_SCANNED = (ROOT / "tests" / "fixtures", Path(__file__).resolve())

# Ways of building a path to the sibling folder, or into it.
SIBLING_FOLDER_PATHS = {
    "a relative path to it": re.compile(r"\.\.[/\\]shared\b"),
    "its name as a quoted path part": re.compile(r"""["']shared["']"""),
    "a path into its folders": re.compile(r"\bshared[/\\](?:seeds|schemas|hooks)\b"),
    "this workspace's absolute path": re.compile(r"[/\\]work[/\\]shared\b"),
}


def sibling_folder_paths(text: str) -> list[str]:
    return [
        f"line {number}: {how}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        for how, pattern in SIBLING_FOLDER_PATHS.items()
        if pattern.search(line)
    ]


def scanned_files() -> Iterator[Path]:
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if (
                path.is_file()
                and not NOT_SCANNED_DIRS.intersection(path.relative_to(ROOT).parts)
                and not any(path.resolve().is_relative_to(skipped) for skipped in NOT_SCANNED)
            ):
                yield path


def test_no_test_script_or_ci_step_reaches_for_the_folder_beside_the_repository() -> None:
    found: list[str] = []
    for path in scanned_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found.extend(f"{path.relative_to(ROOT)} {hit}" for hit in sibling_folder_paths(text))
    assert found == [], (
        "the repository must stand alone: vendor what is needed (vendor/schemas, or "
        "tests/fixtures/seeds through scripts/extract_seed_fixtures.py)"
    )


def test_the_scan_looks_where_it_should() -> None:
    scanned = {path.relative_to(ROOT).as_posix() for path in scanned_files()}
    assert {"tests/support/card_schema.py", "scripts/test.sh", ".ci/run"} <= scanned
    assert "tests/unit/test_repository_stands_alone.py" not in scanned
    assert not any(name.startswith("tests/fixtures/") for name in scanned)


@pytest.mark.parametrize(
    "line",
    [
        # Written in two pieces so that the repository itself holds no such path.
        "SEEDS = Path(__file__).resolve().parents[3] /" + " 'shared' / 'seeds'",
        "SCHEMA = os.path.join(ROOT, '..', 'shared', 'schemas', 'x.json')",
        r"copy ..\shared\schemas\adaptive-card-schema-v1.5.json vendor",
        "cp /work/shared/schemas/*.json vendor/schemas/",
        "ls $HOME/shared/seeds",
    ],
)
def test_the_scan_recognises_paths_to_the_sibling_folder(line: str) -> None:
    assert sibling_folder_paths(line) != []


@pytest.mark.parametrize(
    "line",
    [
        '"q4": "Yes, the school chronology was shared on 10/07/2026.",',
        'PassageSpec("004", "relational prompts", "4. Prompts", "5. Our shared aims"),',
        "4: 'Yes, the attendance record was shared with the duty team.',",
        "secret = settings.shared_secret  # a shared/ prefix would not be a folder either",
    ],
)
def test_the_scan_leaves_the_word_alone(line: str) -> None:
    assert sibling_folder_paths(line) == []


# --- The vendored schemas -----------------------------------------------------------------------

README_ROW = re.compile(r"^\| `(?P<file>[^`]+\.json)` \|.*\| `(?P<sha256>[0-9a-f]{64})` \|$", re.M)


def test_each_vendored_schema_is_the_file_its_readme_describes() -> None:
    readme = (VENDORED_SCHEMAS / "README.md").read_text(encoding="utf-8")
    described = {row["file"]: row["sha256"] for row in README_ROW.finditer(readme)}
    vendored = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(VENDORED_SCHEMAS.glob("*.json"))
    }
    assert vendored == described
    assert {SCHEMA_PATH.name, "teams-manifest-schema-v1.30.json"} <= vendored.keys()


# --- The seed passages --------------------------------------------------------------------------


def committed_fixtures() -> dict[str, str]:
    return seeds.fixtures_in(seeds.FIXTURES_DIR)


def test_the_seed_fixtures_hold_exactly_the_passages_the_script_lists() -> None:
    fixtures = {name: json.loads(text) for name, text in committed_fixtures().items()}
    assert sorted(name.split("_", 1)[0] for name in fixtures) == seeds.seeds_quoted()
    listed = {(spec.seed, spec.name, spec.start, spec.end) for spec in seeds.PASSAGES}
    held = {
        (fixture["seed"].split("_", 1)[0], name, held["start"], held["end"])
        for fixture in fixtures.values()
        for name, held in fixture["passages"].items()
    }
    assert held == listed, "run python -m scripts.extract_seed_fixtures after changing PASSAGES"
    assert all(name == seeds.fixture_name(fixture["seed"]) for name, fixture in fixtures.items())


def test_each_seed_fixture_is_as_the_script_writes_it() -> None:
    for name, text in committed_fixtures().items():
        assert seeds.render(json.loads(text)) == text, name


def test_each_passage_agrees_with_its_hash_and_its_bounds() -> None:
    for name, text in committed_fixtures().items():
        fixture: seeds.SeedFixture = json.loads(text)
        assert re.fullmatch(r"\d{3}_\w+\.txt", fixture["seed"]), name
        assert re.fullmatch(r"[0-9a-f]{64}", fixture["sha256"]), name
        for passage_name, held in fixture["passages"].items():
            where = f"{name}, {passage_name!r}"
            assert seeds.sha256(held["text"].encode("utf-8")) == held["sha256"], where
            assert held["text"].startswith(held["start"]), where
            assert held["end"] not in held["text"], where
            assert held["text"] == held["text"].rstrip(), where


def seeds_holding_the_committed_passages(folder: Path) -> Path:
    """Stand-in seeds, one per committed fixture: each passage followed by the text it ends at.
    (The committed passages do not overlap, so each one's start still occurs once.)"""
    folder.mkdir()
    for text in committed_fixtures().values():
        fixture: seeds.SeedFixture = json.loads(text)
        body = "".join(
            f"{held['text']}\n\n{held['end']}\n\n" for held in fixture["passages"].values()
        )
        (folder / fixture["seed"]).write_text(f"Preamble.\n\n{body}", encoding="utf-8")
    (folder / "001_unquoted.txt").write_text("Not quoted by any test.\n", encoding="utf-8")
    return folder


def passages_in(rendered: dict[str, str]) -> dict[str, dict[str, seeds.PassageFixture]]:
    return {name: json.loads(text)["passages"] for name, text in rendered.items()}


def test_the_script_extracts_the_committed_passages_and_checks_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds_dir = seeds_holding_the_committed_passages(tmp_path / "seeds")
    written = tmp_path / "fixtures"

    assert seeds.main([str(seeds_dir), "--fixtures", str(written)]) == 0
    assert passages_in(seeds.fixtures_in(written)) == passages_in(committed_fixtures())
    assert "note: no test quotes 001_unquoted.txt" in capsys.readouterr().out

    assert seeds.main(["--check", str(seeds_dir), "--fixtures", str(written)]) == 0
    assert "is up to date" in capsys.readouterr().out

    seed_004 = next(seeds_dir.glob("004_*.txt"))
    seed_004.write_text(
        seed_004.read_text(encoding="utf-8").replace("What are your next steps", "Next steps"),
        encoding="utf-8",
    )
    assert seeds.main(["--check", str(seeds_dir), "--fixtures", str(written)]) == 1
    report = capsys.readouterr().out
    assert f"{seeds.fixture_name(seed_004.name)}: the seed's sha256 is" in report
    assert "passage 'template' changed" in report
    assert "passage 'the stages' changed" not in report


def test_the_script_names_what_is_missing_and_needs_the_seeds_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        seeds.main([])
    assert usage.value.code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert seeds.main(["--check", str(empty), "--fixtures", str(tmp_path / "fixtures")]) == 2
    assert "expected one seed 000_*.txt" in capsys.readouterr().err
