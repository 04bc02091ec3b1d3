"""How the identifier guard does over whole corpora, and properties of obfuscated identifiers.

The corpora are tests/fixtures/practitioner_sentences.txt (ordinary practice sentences that must
pass untouched) and tests/fixtures/identifier_sentences.txt (sentences each holding one
identifying detail, with its kind), read by bench/identifier_guard_rates.py, which prints the
same rates with timings. The properties generate valid NHS numbers, UK mobile numbers and
postcodes, write them with separators, zero-width characters and full-width characters, and
check that each is found and that its finding covers exactly what was written. All values are
fictional.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.identifier_guard_rates import (
    identifier_sentences,
    measure_rates,
    ordinary_sentences,
)
from domain.identifiers import IdentifierKind, find_identifiers

ORDINARY = ordinary_sentences()
IDENTIFYING = identifier_sentences()
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
DIGITS = "0123456789"


def full_width(text: str) -> str:
    """Printable ASCII as its full-width form (U+FF01-FF5E), spaces as ideographic spaces."""
    return "".join(
        "\u3000" if char == " " else chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char
        for char in text
    )


def plain(text: str) -> str:
    """What a reader sees: NFKC, dashes as hyphens, zero-width characters gone."""
    text = unicodedata.normalize("NFKC", text).replace("–", "-").replace("—", "-")
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def findings(text: str) -> list[tuple[IdentifierKind, str]]:
    """Each finding's kind and what it covers, as a reader sees it."""
    return [
        (finding.kind, plain(text[finding.start : finding.end]))
        for finding in find_identifiers(text)
    ]


# --- The corpora ---------------------------------------------------------------------------


def test_the_corpora_are_big_enough_to_say_something() -> None:
    assert len(ORDINARY) >= 200
    assert len(set(ORDINARY)) == len(ORDINARY)
    counts = Counter(kind for kind, _sentence in IDENTIFYING)
    assert set(counts) == {kind.value for kind in IdentifierKind}
    assert min(counts.values()) >= 50


def test_no_ordinary_practice_sentence_is_flagged() -> None:
    rates = measure_rates(find_identifiers)
    print(  # noqa: T201
        f"false-positive rate {rates.false_positive_rate:.1%}: "
        f"{len(rates.false_positives)} of {rates.ordinary} ordinary sentences flagged"
    )
    flagged = {sentence: findings(sentence) for sentence in rates.false_positives}
    assert flagged == {}


def test_every_identifier_sentence_is_found_as_its_kind() -> None:
    rates = measure_rates(find_identifiers)
    print(  # noqa: T201
        f"detection rate {rates.detection_rate:.1%}: "
        f"{sum(rates.detected.values())} of {sum(rates.expected.values())} identifier sentences"
    )
    missed = {sentence: (kind, findings(sentence)) for kind, sentence in rates.missed}
    assert missed == {}


@pytest.mark.parametrize(("kind", "sentence"), IDENTIFYING[::7])
def test_an_identifier_sentence_has_exactly_one_finding(kind: str, sentence: str) -> None:
    assert [found_kind.value for found_kind, _text in findings(sentence)] == [kind]


# --- Obfuscation changes nothing -----------------------------------------------------------


@st.composite
def obfuscated(draw: st.DrawFn, text: str) -> str:
    """`text` with zero-width characters put in anywhere and some characters made full-width."""
    widen = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    characters = [
        full_width(char) if wide else char for char, wide in zip(text, widen, strict=True)
    ]
    insertions = draw(
        st.lists(
            st.tuples(st.integers(0, len(characters)), st.sampled_from(ZERO_WIDTH)), max_size=6
        )
    )
    for position, invisible in sorted(insertions, reverse=True):
        characters.insert(position, invisible)
    return "".join(characters)


@settings(deadline=None)
@given(st.data(), st.sampled_from(ORDINARY + [sentence for _kind, sentence in IDENTIFYING]))
def test_zero_width_and_full_width_characters_change_no_finding(
    data: st.DataObject, sentence: str
) -> None:
    disguised = data.draw(obfuscated(sentence))
    assert findings(disguised) == findings(sentence)


# --- Generated identifiers, written every which way ----------------------------------------


@st.composite
def nhs_numbers(draw: st.DrawFn) -> str:
    """Ten digits that pass the modulus 11 check, computed here independently."""
    nine = draw(st.text(alphabet=DIGITS, min_size=9, max_size=9))
    check = 11 - sum(int(digit) * (10 - index) for index, digit in enumerate(nine)) % 11
    if check == 10:
        nine = f"{nine[:8]}{(int(nine[8]) + 1) % 10}"
        check = 11 - sum(int(digit) * (10 - index) for index, digit in enumerate(nine)) % 11
    return f"{nine}{0 if check == 11 else check}"


NHS_SEPARATORS = ["", " ", "  ", "-", ".", "/", "_", " - ", " / ", "\u00a0", "–"]


@st.composite
def written_nhs_numbers(draw: st.DrawFn) -> str:
    number = draw(nhs_numbers())
    first, second, last = number[:3], number[3:6], number[6:]
    if draw(st.booleans()):
        first = f"({first})"
    return (
        f"{first}{draw(st.sampled_from(NHS_SEPARATORS))}{second}"
        f"{draw(st.sampled_from(NHS_SEPARATORS))}{last}"
    )


MOBILE_GROUPINGS = [(5, 6), (5, 3, 3), (4, 3, 4), (3, 2, 3, 3), (3, 4, 4), (11,)]
PHONE_SEPARATORS = [" ", "  ", "-", ".", "/", "_", " . ", "\u00a0", "–"]


@st.composite
def written_mobile_numbers(draw: st.DrawFn) -> str:
    number = "07" + draw(st.text(alphabet=DIGITS, min_size=9, max_size=9))
    if draw(st.booleans()):
        separator = draw(st.sampled_from([" ", "", "-", "."]))
        return f"+44{separator}{number[1:5]}{separator}{number[5:]}"
    grouping = draw(st.sampled_from(MOBILE_GROUPINGS))
    groups: list[str] = []
    start = 0
    for size in grouping:
        groups.append(number[start : start + size])
        start += size
    if len(groups) > 1 and draw(st.booleans()):
        groups[0] = f"({groups[0]})"
    return draw(st.sampled_from(PHONE_SEPARATORS)).join(groups)


POSTCODE_AREAS = ["PO", "SO", "GU", "BH", "SP", "RG", "S", "W", "SW", "EC", "M", "B", "LS", "KT"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
POSTCODE_SEPARATORS = ["", " ", "  ", "-", ".", "/", "_", " - ", "\u00a0"]


@st.composite
def written_postcodes(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(POSTCODE_AREAS))
    district = draw(st.integers(min_value=1, max_value=99))
    sector = draw(st.integers(min_value=0, max_value=9))
    unit = draw(st.text(alphabet=INWARD_LETTERS, min_size=2, max_size=2))
    postcode = f"{area}{district}{draw(st.sampled_from(POSTCODE_SEPARATORS))}{sector}{unit}"
    # Lower case, except where the inward code would read as an ordinal ("po1 2nd"), which the
    # guard deliberately lets pass.
    if draw(st.booleans()) and unit not in {"ST", "ND", "RD", "TH"}:
        return postcode.lower()
    return postcode


@st.composite
def disguised(draw: st.DrawFn, written: str) -> str:
    """Zero-width characters between the characters, and some made full-width; the first and
    last characters stay visible, so the finding should start and end exactly there."""
    widen = draw(st.lists(st.booleans(), min_size=len(written), max_size=len(written)))
    characters = [
        full_width(char) if wide else char for char, wide in zip(written, widen, strict=True)
    ]
    positions = st.integers(1, len(characters) - 1)
    insertions = draw(st.lists(st.tuples(positions, st.sampled_from(ZERO_WIDTH)), max_size=4))
    for position, invisible in sorted(insertions, reverse=True):
        characters.insert(position, invisible)
    return "".join(characters)


CONTEXTS = {
    IdentifierKind.NHS_NUMBER: [("NHS number ", " confirmed by the GP."), ("Ref ", "."), ("", "")],
    IdentifierKind.PHONE_NUMBER: [
        ("Mum can be reached on ", " after 3pm."),
        ("Tel: ", ""),
        ("", ""),
    ],
    IdentifierKind.POSTCODE: [
        ("Family moved to ", " last month."),
        ("Lives near ", ", with nan."),
        ("", ""),
    ],
}
WRITTEN = {
    IdentifierKind.NHS_NUMBER: written_nhs_numbers(),
    IdentifierKind.PHONE_NUMBER: written_mobile_numbers(),
    IdentifierKind.POSTCODE: written_postcodes(),
}


@settings(deadline=None, max_examples=300)
@given(st.data(), st.sampled_from(list(WRITTEN)))
def test_a_disguised_identifier_is_found_over_exactly_what_was_written(
    data: st.DataObject, kind: IdentifierKind
) -> None:
    written = data.draw(WRITTEN[kind], label="written")
    shown = data.draw(disguised(written), label="shown")
    before, after = data.draw(st.sampled_from(CONTEXTS[kind]), label="context")
    text = f"{before}{shown}{after}"
    (finding,) = find_identifiers(text)
    assert finding.kind is kind
    assert (finding.start, finding.end) == (len(before), len(before) + len(shown))
    assert text[finding.start : finding.end] == shown
