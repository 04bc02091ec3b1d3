"""Copies the seed passages the tests quote into tests/fixtures/seeds/, so the tests need no seeds.

The seeds are the procedure's source documents (the HIPS procedure, the Portsmouth Re-think
guidance). Tests check that the bot's wording is faithful to them, but the seeds are not part of
the repository: developers keep them in a `seeds` folder outside the clone. This script copies,
verbatim, exactly the passages the tests compare with (PASSAGES below) into one JSON file per
seed, recording the seed's file name and sha256 and, for each passage, its name, the text it runs
from and to, and its sha256. The tests read only those files (through `passage()`).

Run by developers from the repository root, naming the folder that holds the seed files
(`000_….txt` to `004_….txt`); there is deliberately no default:

    .venv/bin/python -m scripts.extract_seed_fixtures SEEDS_DIR          # rewrite the fixtures
    .venv/bin/python -m scripts.extract_seed_fixtures --check SEEDS_DIR  # have the seeds changed?

`--check` writes nothing and exits 1, saying what differs, when the fixtures are not what the
seeds in SEEDS_DIR give (a seed was edited or renamed, or a passage changed). Then run the script
without `--check`, review the diff of tests/fixtures/seeds/ and run the tests. To quote another
passage in a test, add it to PASSAGES and run the script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"


@dataclass(frozen=True)
class PassageSpec:
    """A passage of one seed: from the only occurrence of `start` (kept) up to the first
    occurrence of `end` after it (left out), with trailing whitespace dropped."""

    seed: str  # the seed file's number, e.g. "004" for 004_….txt
    name: str
    start: str
    end: str


PASSAGES: tuple[PassageSpec, ...] = (
    # Re-think: the strategies and their options (tests/unit/test_rethink.py).
    PassageSpec("000", "strategies", "Strategy 1 You have concerns", "Re-think spaces are:"),
    # Re-think: the facilitator checklist (tests/unit/test_rethink.py).
    PassageSpec(
        "002",
        "before requesting a facilitator",
        "Any professional from across the network is entitled to request",
        "After considering the above",
    ),
    # Re-think: the strategies and their numbered options (tests/unit/test_rethink.py).
    PassageSpec(
        "003",
        "strategies",
        "Strategies for supporting the workforce to resolve concerns",
        "Annex B - Question phraseology",
    ),
    # HIPS: the stages, who talks and the timescales (tests/unit/test_procedure.py).
    PassageSpec("004", "the stages", "2.2 The Stages", "3. Template to Consider"),
    # HIPS: the template's questions (tests/unit/test_template.py).
    PassageSpec(
        "004",
        "template",
        "3. Template to Consider/Structure Your Concerns",
        "4. Prompts",
    ),
    # HIPS: the relational prompts (tests/unit/test_template.py).
    PassageSpec(
        "004",
        "relational prompts",
        "4. Prompts to support relational conversations",
        "5. Our shared aims",
    ),
    # HIPS: the stages flowchart's titles (tests/unit/test_procedure.py).
    PassageSpec(
        "004",
        "stages flowchart",
        "Stage 1: Discussion with line manager",
        "1. If you are concerned or",
    ),
)


class PassageFixture(TypedDict):
    start: str
    end: str
    sha256: str
    text: str


class SeedFixture(TypedDict):
    seed: str
    sha256: str
    passages: dict[str, PassageFixture]


class SeedError(Exception):
    """A seed, or a passage in it, is not where PASSAGES says."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seeds_quoted() -> list[str]:
    """The seed numbers PASSAGES quotes from, in order."""
    return sorted({spec.seed for spec in PASSAGES})


def find_seed(seeds_dir: Path, number: str) -> Path:
    matches = sorted(seeds_dir.glob(f"{number}_*.txt"))
    if len(matches) != 1:
        found = ", ".join(path.name for path in matches) or "none"
        raise SeedError(f"expected one seed {number}_*.txt in {seeds_dir}, found {found}")
    return matches[0]


def extract(text: str, spec: PassageSpec) -> str:
    count = text.count(spec.start)
    if count != 1:
        raise SeedError(
            f"seed {spec.seed}, passage {spec.name!r}: {spec.start!r} occurs {count} times,"
            " not once"
        )
    start = text.index(spec.start)
    end = text.find(spec.end, start + len(spec.start))
    if end < 0:
        raise SeedError(f"seed {spec.seed}, passage {spec.name!r}: {spec.end!r} does not follow")
    return text[start:end].rstrip()


def seed_fixture(seed: Path) -> SeedFixture:
    data = seed.read_bytes()
    text = data.decode("utf-8")
    number = seed.name.split("_", 1)[0]
    passages: dict[str, PassageFixture] = {}
    for spec in PASSAGES:
        if spec.seed == number:
            passage_text = extract(text, spec)
            passages[spec.name] = {
                "start": spec.start,
                "end": spec.end,
                "sha256": sha256(passage_text.encode("utf-8")),
                "text": passage_text,
            }
    return {"seed": seed.name, "sha256": sha256(data), "passages": passages}


def fixture_name(seed_file_name: str) -> str:
    return f"{Path(seed_file_name).stem}.json"


def render(fixture: SeedFixture) -> str:
    return json.dumps(fixture, ensure_ascii=False, indent=2) + "\n"


def fixtures_from(seeds_dir: Path) -> dict[str, str]:
    """File name -> contents of every fixture, as the seeds in `seeds_dir` give them."""
    rendered: dict[str, str] = {}
    for number in seeds_quoted():
        fixture = seed_fixture(find_seed(seeds_dir, number))
        rendered[fixture_name(fixture["seed"])] = render(fixture)
    return rendered


def fixtures_in(fixtures_dir: Path) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8") for path in sorted(fixtures_dir.glob("*.json"))
    }


def load(fixtures_dir: Path, number: str) -> SeedFixture:
    matches = sorted(fixtures_dir.glob(f"{number}_*.json"))
    if len(matches) != 1:
        raise SeedError(f"expected one fixture {number}_*.json in {fixtures_dir}, found {matches}")
    fixture: SeedFixture = json.loads(matches[0].read_text(encoding="utf-8"))
    return fixture


def passage(number: str, name: str, fixtures_dir: Path = FIXTURES_DIR) -> str:
    """The verbatim text of passage `name` of seed `number` (e.g. "004"), from the fixtures."""
    return load(fixtures_dir, number)["passages"][name]["text"]


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """What differs between the fixtures the seeds give (`expected`) and those on disk."""
    found: list[str] = []
    for name in sorted(expected.keys() - actual.keys()):
        found.append(f"{name}: missing (a seed is new or was renamed)")
    for name in sorted(actual.keys() - expected.keys()):
        found.append(f"{name}: no seed gives it any more (renamed or no longer quoted)")
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] != actual[name]:
            found.extend(
                f"{name}: {line}" for line in fixture_changes(expected[name], actual[name])
            )
    return found


def fixture_changes(expected_text: str, actual_text: str) -> list[str]:
    expected: dict[str, Any] = json.loads(expected_text)
    try:
        actual: dict[str, Any] = json.loads(actual_text)
    except json.JSONDecodeError:
        return ["not valid JSON"]
    changes: list[str] = []
    if expected.get("sha256") != actual.get("sha256"):
        changes.append(f"the seed's sha256 is {expected.get('sha256')}, not {actual.get('sha256')}")
    expected_passages: dict[str, Any] = expected.get("passages", {})
    actual_passages: dict[str, Any] = actual.get("passages", {})
    for name, wanted in expected_passages.items():
        if name not in actual_passages:
            changes.append(f"passage {name!r} is missing")
        elif actual_passages[name] != wanted:
            changes.append(f"passage {name!r} changed")
    changes.extend(
        f"passage {name!r} is no longer quoted"
        for name in actual_passages
        if name not in expected_passages
    )
    return changes or ["not written as this script writes it"]


def write(fixtures_dir: Path, rendered: dict[str, str]) -> None:
    fixtures_dir.mkdir(parents=True, exist_ok=True)
    for stale in fixtures_dir.glob("*.json"):
        if stale.name not in rendered:
            stale.unlink()
    for name, text in rendered.items():
        (fixtures_dir / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.extract_seed_fixtures", description=__doc__.splitlines()[0]
    )
    parser.add_argument("seeds_dir", type=Path, help="the folder holding the seed .txt files")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the fixtures are stale"
    )
    parser.add_argument("--fixtures", type=Path, default=FIXTURES_DIR, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    seeds_dir: Path = arguments.seeds_dir
    fixtures_dir: Path = arguments.fixtures
    if not seeds_dir.is_dir():
        sys.stderr.write(f"{seeds_dir} is not a folder\n")
        return 2
    try:
        rendered = fixtures_from(seeds_dir)
    except (SeedError, UnicodeDecodeError) as error:
        sys.stderr.write(f"{error}\n")
        return 2
    quoted = {json.loads(text)["seed"] for text in rendered.values()}
    for seed in sorted(seeds_dir.glob("*.txt")):
        if seed.name not in quoted:
            sys.stdout.write(f"note: no test quotes {seed.name}\n")
    if arguments.check:
        changed = differences(rendered, fixtures_in(fixtures_dir))
        for line in changed:
            sys.stdout.write(f"{line}\n")
        if changed:
            sys.stdout.write(f"run without --check to rewrite {fixtures_dir}\n")
            return 1
        sys.stdout.write(f"{fixtures_dir} is up to date with {seeds_dir}\n")
        return 0
    write(fixtures_dir, rendered)
    sys.stdout.write(f"wrote {', '.join(sorted(rendered))} to {fixtures_dir}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
