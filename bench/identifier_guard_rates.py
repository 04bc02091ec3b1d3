"""How often the identifier guard is right, and how long it takes, on the test fixtures.

    .venv/bin/python -m bench.identifier_guard_rates [--repeat 20] [--baseline FILE]

Reads tests/fixtures/identifier_sentences.txt (sentences each holding one identifying detail,
with the kind the guard should report) and tests/fixtures/practitioner_sentences.txt (ordinary
practice sentences that must pass untouched), and prints the detection rate over the first, per
kind, the false-positive rate over the second, and the time one check takes on a typical
500-character answer (ordinary sentences run together), in microseconds: in plain ASCII, as
written, and with a no-break space in each (the slowest path, every character normalised).
`--baseline` measures another version of domain/identifiers.py the same way, e.g. the
committed one:

    git show HEAD:domain/identifiers.py > /tmp/identifiers_before.py
    .venv/bin/python -m bench.identifier_guard_rates --baseline /tmp/identifiers_before.py

Both corpora were written for the tests: the rates say how the guard does on the shapes
written there, not on real answers. Figures, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from domain import identifiers

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
ORDINARY_SENTENCES = FIXTURES / "practitioner_sentences.txt"
IDENTIFIER_SENTENCES = FIXTURES / "identifier_sentences.txt"
ANSWER_LENGTH = 500
ANSWERS = 60

# How the identifier fixture writes characters that cannot be seen.
INVISIBLE = {
    "{ZWSP}": "\u200b",
    "{ZWNJ}": "\u200c",
    "{ZWJ}": "\u200d",
    "{WJ}": "\u2060",
    "{BOM}": "\ufeff",
    "{NBSP}": "\u00a0",
}

Finder = Callable[[str], Sequence[object]]


@dataclass(frozen=True)
class Rates:
    detected: Counter[str]
    expected: Counter[str]
    missed: list[tuple[str, str]]
    false_positives: list[str]
    ordinary: int

    @property
    def detection_rate(self) -> float:
        return sum(self.detected.values()) / sum(self.expected.values())

    @property
    def false_positive_rate(self) -> float:
        return len(self.false_positives) / self.ordinary


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def ordinary_sentences() -> list[str]:
    """The ordinary practice sentences, one a line."""
    return _lines(ORDINARY_SENTENCES)


def identifier_sentences() -> list[tuple[str, str]]:
    """(kind, sentence) pairs, the invisible characters written in braces put back."""
    pairs: list[tuple[str, str]] = []
    for line in _lines(IDENTIFIER_SENTENCES):
        kind, sentence = line.split(" | ", 1)
        for written, character in INVISIBLE.items():
            sentence = sentence.replace(written, character)
        pairs.append((kind, sentence))
    return pairs


def typical_answers(sentences: Sequence[str]) -> list[str]:
    """Answers of exactly 500 characters made of ordinary sentences run together."""
    answers: list[str] = []
    index = 0
    while len(answers) < ANSWERS:
        answer = ""
        while len(answer) < ANSWER_LENGTH:
            answer += sentences[index % len(sentences)] + " "
            index += 1
        answers.append(answer[:ANSWER_LENGTH])
    return answers


def kinds_found(find: Finder, text: str) -> set[str]:
    return {str(getattr(finding, "kind", "")) for finding in find(text)}


def measure_rates(find: Finder) -> Rates:
    """Which identifier sentences were found as their kind, which ordinary ones were flagged."""
    detected: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    missed: list[tuple[str, str]] = []
    for kind, sentence in identifier_sentences():
        expected[kind] += 1
        if kind in kinds_found(find, sentence):
            detected[kind] += 1
        else:
            missed.append((kind, sentence))
    ordinary = ordinary_sentences()
    flagged = [sentence for sentence in ordinary if find(sentence)]
    return Rates(detected, expected, missed, flagged, len(ordinary))


def microseconds_per_check(find: Finder, answers: Sequence[str], repeat: int) -> float:
    """The best of `repeat` rounds over every answer: the least disturbed by other work."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for answer in answers:
            find(answer)
        best = min(best, (time.perf_counter() - started) / len(answers))
    return best * 1e6


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("identifiers_baseline", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def report(name: str, module: ModuleType, repeat: int) -> None:
    find: Finder = module.find_identifiers
    rates = measure_rates(find)
    answers = typical_answers(ordinary_sentences())
    plain = [answer.replace("’", "'").replace("–", "-") for answer in answers]
    # A no-break space in each: every answer takes the slow path through normalising.
    rewritten = [answer.replace(" ", "\u00a0", 1) for answer in answers]
    print(name)
    print(
        f"  detection rate       {rates.detection_rate:7.1%}  "
        f"({sum(rates.detected.values())} of {sum(rates.expected.values())} identifier sentences)"
    )
    for kind in sorted(rates.expected):
        print(f"    {kind:<20}{rates.detected[kind]:4} of {rates.expected[kind]}")
    print(
        f"  false-positive rate  {rates.false_positive_rate:7.1%}  "
        f"({len(rates.false_positives)} of {rates.ordinary} ordinary sentences flagged)"
    )
    print("  per 500-character answer:")
    print(f"    {microseconds_per_check(find, plain, repeat):7.1f} µs  plain ASCII")
    print(
        f"    {microseconds_per_check(find, answers, repeat):7.1f} µs  "
        "as written (a few typographic quotes and dashes)"
    )
    print(
        f"    {microseconds_per_check(find, rewritten, repeat):7.1f} µs  "
        "each with a no-break space (normalised character by character)"
    )


def main(repeat: int, baseline: Path | None) -> None:
    if baseline is not None:
        report(f"baseline: {baseline}", load_module(baseline), repeat)
    report("domain/identifiers.py", identifiers, repeat)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--baseline", type=Path, default=None)
    arguments = parser.parse_args()
    main(arguments.repeat, arguments.baseline)
