"""The identifier guard: finds what, in free text, could identify a child or family.

Practitioners describe real children in these answers, and the bot is not the child's file: it
keeps case references, never names or other identifying details. Before anything typed is
saved, every free-text answer is checked here, and the practitioner is asked to remove what was
found or to confirm it is not identifying. The guard errs towards ordinary practice text passing
untouched ("2 working days", "stage 3", "Tier 3", "ESC-2026-0007", "12/11/2026 meeting", times,
money, percentages, "Child Protection Conference", "Mum and Dad attended"): a guard that cries
wolf teaches people to tick "not identifying" without reading.

What it cannot do: recognise a name on its own. "Jayden attended" looks like any other sentence
starting with a capital letter, so a bare name passes. Names are caught only where the text
points at them: after a label ("Name: jayden", "Mum - Kerry"), or straight after a word for a
child or a relative ("the child Jayden Smith", "her son, Tyler,"), and there only when written
with a capital letter and not in capitals throughout ("JAYDEN" reads like an acronym such as
"DNA"). The cards say so, and ask practitioners not to type names at all.

A finding says what kind of thing was found and where (`start`, `end`, indexes into the text as
typed); it never holds the matched text, and no description here ever quotes it, so findings
can be shown, logged or stored without repeating what they warn about.

Normalising first. The rules do not read the text as typed but a normalised copy, so that a
number does not slip through by how it was written:
- Unicode NFKC, so full-width digits and letters ("９４３", "ＰＯ１"), the full-width "＠" and
  "：", and no-break or other wide spaces read as their plain forms;
- invisible characters removed (zero-width space, joiners, word joiner, byte order mark, soft
  hyphen, direction marks and the other format characters), so a zero-width space between
  "943" and "476" leaves one number;
- every dash (hyphen, en and em dash, minus sign) read as "-", and any other decimal digit as
  its ASCII digit.
Each character of the copy remembers the characters of the original it came from, so a finding
in the copy is reported over the right span of the original, invisible characters inside it
included. Separators are then the business of each rule, where they make sense: digit groups
of NHS and phone numbers may be split by spaces (up to three), or by one of . / _ - with a space
or two either side, and a leading group put in brackets; a date of birth may use . / _ or -
(spaces either side allowed), or spaces; a postcode's two halves may be split like digit
groups. Commas and colons never separate: "£1,250" and "10:30" stay ordinary numbers.

When two rules claim overlapping text, the more specific rule wins, in this order:
1. NHS number: ten digits (grouped 3-3-4 or run together, straight after "NHS" too) that pass
   the modulus 11 check, the most certain finding of all;
2. email address: the "@" shape is unmistakable, and its local part can look like a postcode or
   a phone number, which it is not; "(at)", "[at]", "{at}", "<at>" (any case) count as "@", and
   a plain " at " does when the domain is written with " dot " too;
3. date of birth: a date next to a cue such as "DOB" or "born";
4. postcode: a strict shape with a real postcode area;
5. phone number: UK digit groupings that ordinary numbers occasionally share;
6. a label such as "Name:", "Name - " or "Name = " followed by text: any text may follow a
   label;
7. a name after a word such as "child" or "mum": the loosest rule, a guess from capital letters.
Email addresses take part in that contest even when they are allowed, so that an allowed email
address never leaves a postcode-shaped fragment of itself behind as a finding.

Speed: every answer is checked on every submission, so normalising costs nothing for the usual
answer (plain ASCII, or already in NFKC with nothing invisible: one C-level check each; other
answers are copied a run of ASCII at a time), and each rule is shaped to let the regex engine
skip ahead cheaply. Most patterns open with the set of characters they must start with, which the
engine jumps between without trying the rest of the pattern (a lookahead or lookbehind first
would make it try every position); rules that need a rare character ("@", a label's ":", "="
or spaced dash, a birth cue) look for it first and work outward; and the words for relatives
are one trie, searched in the text in lower case, opening on the space or punctuation before
the word. A 500-character answer takes a few tens of microseconds, about a third more than
the six rules took before normalising and the seventh rule were added;
bench/identifier_guard_rates.py measures it, against another version with --baseline.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, TypeAlias


class IdentifierKind(StrEnum):
    """What sort of identifying detail a finding is."""

    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    NAME_LABEL = "name_label"
    NAMED_PERSON = "named_person"

    @property
    def phrase(self) -> str:
        """The kind as a noun phrase with its article, e.g. "a postcode"."""
        return _PHRASES[self]


_PHRASES = {
    IdentifierKind.NHS_NUMBER: "an NHS number",
    IdentifierKind.DATE_OF_BIRTH: "a date of birth",
    IdentifierKind.POSTCODE: "a postcode",
    IdentifierKind.PHONE_NUMBER: "a phone number",
    IdentifierKind.EMAIL_ADDRESS: "an email address",
    IdentifierKind.NAME_LABEL: "a name or address written after a label such as 'Name:'",
    IdentifierKind.NAMED_PERSON: "a name after a word such as 'child' or 'mum'",
}

# Most specific first: see the module docstring.
_SPECIFICITY = {
    kind: rank
    for rank, kind in enumerate(
        (
            IdentifierKind.NHS_NUMBER,
            IdentifierKind.EMAIL_ADDRESS,
            IdentifierKind.DATE_OF_BIRTH,
            IdentifierKind.POSTCODE,
            IdentifierKind.PHONE_NUMBER,
            IdentifierKind.NAME_LABEL,
            IdentifierKind.NAMED_PERSON,
        )
    )
}


@dataclass(frozen=True)
class IdentifierFinding:
    """Something identifying-looking at `text[start:end]`. It never carries the text itself."""

    kind: IdentifierKind
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError("a finding covers at least one character at a position >= 0")

    @property
    def description(self) -> str:
        """Plain English for the practitioner, e.g. "something that looks like an NHS number"."""
        return describe_kinds((self.kind,))


def describe_kinds(kinds: Iterable[IdentifierKind]) -> str:
    """Name kinds in one phrase, each once, in the order given.

    For example "something that looks like a date of birth and a postcode".
    """
    phrases = [kind.phrase for kind in dict.fromkeys(kinds)]
    if not phrases:
        raise ValueError("describe at least one kind")
    if len(phrases) == 1:
        return f"something that looks like {phrases[0]}"
    return f"something that looks like {', '.join(phrases[:-1])} and {phrases[-1]}"


# A rule's finding in the normalised text: kind, start, end.
_Candidate = tuple[IdentifierKind, int, int]


# --- Normalising ----------------------------------------------------------------------------

# Characters with nothing to see: every format character (Unicode category Cf: zero-width space,
# zero-width non-joiner and joiner, word joiner, byte order mark, soft hyphen, direction marks,
# tags...) and the other default-ignorable code points (combining grapheme joiner, Hangul
# fillers, Khmer inherent vowels, variation selectors).
_IGNORABLE_OUTSIDE_CF = frozenset(
    [
        0x034F,
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        0x3164,
        0xFFA0,
        *range(0x180B, 0x1810),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_AS_HYPHEN = str.maketrans(dict.fromkeys(_DASHES, "-"))
# Whatever the slow path below would change in text that is already NFKC: every format
# character (the Cf ranges of Unicode 15.1, written out so the check is one regex search; a test
# holds this list to the running Python's own Unicode data), the other ignorables, dashes, and
# decimal digits other than 0-9.
_NEEDS_REWRITING = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef"
    f"{_DASHES}]"
    r"|(?![0-9])\d"
)


def _is_ignorable(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or ord(char) in _IGNORABLE_OUTSIDE_CF


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


class _Normalised(NamedTuple):
    """The text the rules read, and where each of its characters came from in the original.

    `origin_starts[i]` and `origin_ends[i]` bound the characters of the original that became
    `text[i]` (a letter and its accents become one or more characters together); both are None
    when the text needed no change.
    """

    text: str
    origin_starts: list[int] | None = None
    origin_ends: list[int] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that `text[start:end]` came from."""
        if self.origin_starts is None or self.origin_ends is None:
            return start, end
        return self.origin_starts[start], self.origin_ends[end - 1]


class _Normaliser:
    """Builds a `_Normalised` text: ASCII copied in runs, everything else a cluster at a time."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pieces: list[str] = []
        self._starts: list[int] = []
        self._ends: list[int] = []

    def result(self) -> _Normalised:
        return _Normalised("".join(self._pieces), self._starts, self._ends)

    def copy(self, start: int, end: int) -> None:
        """Copy ASCII characters unchanged."""
        self._pieces.append(self._text[start:end])
        self._starts.extend(range(start, end))
        self._ends.extend(range(start + 1, end + 1))

    def rewrite(self, start: int, end: int) -> None:
        """Normalise a run of characters that are not ASCII."""
        text = self._text
        index = start
        while index < end:
            cluster_start = index
            index += 1
            if _is_ignorable(text[cluster_start]):
                continue
            # A letter and the accents after it are normalised together ("e" + acute: "é"),
            # the letter perhaps being the last ASCII character copied.
            if _is_mark(text[cluster_start]) and cluster_start == start and self._unwrite(start):
                cluster_start -= 1
            while index < end and _is_mark(text[index]) and not _is_ignorable(text[index]):
                index += 1
            self._write(cluster_start, index)

    def _unwrite(self, end: int) -> bool:
        """Take back the ASCII character just before `end`, if it was the last one copied."""
        if not self._pieces or not self._starts or self._starts[-1] != end - 1:
            return False
        self._pieces[-1] = self._pieces[-1][:-1]
        self._starts.pop()
        self._ends.pop()
        return True

    def _write(self, start: int, end: int) -> None:
        normalised = unicodedata.normalize("NFKC", self._text[start:end]).translate(_AS_HYPHEN)
        for char in normalised:
            if char.isdecimal() and not char.isascii():
                self._pieces.append(str(unicodedata.decimal(char)))
            elif not _is_ignorable(char):
                self._pieces.append(char)
            else:
                continue
            self._starts.append(start)
            self._ends.append(end)


def _normalise(text: str) -> _Normalised:
    """NFKC, without invisible characters, with every dash a hyphen and every digit 0-9."""
    if text.isascii() or (
        unicodedata.is_normalized("NFKC", text) and _NEEDS_REWRITING.search(text) is None
    ):
        return _Normalised(text)
    normaliser = _Normaliser(text)
    copied = 0
    for run in _NOT_ASCII.finditer(text):
        normaliser.copy(copied, run.start())
        normaliser.rewrite(run.start(), run.end())
        copied = run.end()
    normaliser.copy(copied, len(text))
    return normaliser.result()


# --- Separators between digit groups ---------------------------------------------------------
#
# Up to three spaces, or one of . / _ - with up to two spaces either side ("943.476.5919",
# "943 / 476 / 5919", "07700_900123"). Commas and colons are not separators: "£1,250" and
# "10:30" are ordinary numbers.

_GAP = r"(?:[ \t]{0,2}[-./_][ \t]{0,2}|[ \t]{1,3})"


# --- NHS numbers ---------------------------------------------------------------------------

_NHS_NUMBER_LENGTH = 10
_NHS_MODULUS = 11

# Written 3-3-4 with separators between groups (the first two groups may be bracketed), 3-7, or
# run together; a longer run of digits is some other number, so the ten digits must stand on
# their own, except straight after the letters "NHS" ("nhs9434765919").
_NHS_GROUP = r"(?:\([0-9]{3}\)|[0-9]{3})"
# The pattern opens with the characters a number can start with, which lets the regex engine
# skip straight to them; what may stand before that first character is checked after it.
_NHS_CANDIDATE = re.compile(
    r"[0-9(](?:(?<=[Nn][Hh][Ss].)|(?<![^\W_].)(?<![+£$€].))(?<![0-9][.,/_-].)"
    rf"(?:(?<=\()[0-9]{{3}}\)|(?<=[0-9])[0-9]{{2}}){_GAP}?{_NHS_GROUP}{_GAP}?[0-9]{{4}}"
    r"(?![^\W_])(?![.,/_-][0-9])"
)
_NOT_DIGITS = re.compile(r"[^0-9]+")


def is_valid_nhs_number(digits: str) -> bool:
    """Whether ten ASCII digits form a valid NHS number under the modulus 11 check.

    The first nine digits are weighted 10 down to 2 and summed; the check digit is 11 minus the
    remainder of that sum divided by 11, where 11 stands for 0 and 10 means no valid number has
    these nine digits.
    """
    if len(digits) != _NHS_NUMBER_LENGTH or not (digits.isascii() and digits.isdigit()):
        return False
    weighted = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = _NHS_MODULUS - weighted % _NHS_MODULUS
    if check == _NHS_MODULUS:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def _nhs_numbers(text: str) -> Iterator[_Candidate]:
    for match in _NHS_CANDIDATE.finditer(text):
        if is_valid_nhs_number(_NOT_DIGITS.sub("", match.group())):
            yield IdentifierKind.NHS_NUMBER, match.start(), match.end()


# --- Dates of birth -----------------------------------------------------------------------
#
# A date on its own is ordinary: meetings, visits and deadlines all have dates. A date becomes
# a date of birth when the text says so, with a cue shortly before it ("DOB: 01/02/2019",
# "born on the 1st of February 2019", "date of birth is 1.2.19", "b. 2019-02-01") or a cue
# directly after it ("01/02/2019 (DOB)"). "Shortly before" means at most three words between
# the cue and the date, with no sentence break (. ! ? ;) in between; the terse cue "b." must be
# followed by the date itself. Only whole dates with a year count: a day and month alone
# ("birthday on 4 June") is not a date of birth that identifies anyone. Numeric dates are day
# first (03/04/2015, 3.4.15, 03 04 2015) or year first (2015-04-03, 2015/04/03, 2015.4.3), with
# the same separator twice (a space or two either side of it allowed).

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_SEPARATOR = r"[ \t]{0,2}[/._-][ \t]{0,2}"
_DATE = (
    r"(?<![\w/])(?<![0-9][.-])(?:"
    rf"(?P<d1>[0-9]{{1,2}})(?P<sep>{_DATE_SEPARATOR})(?P<m1>[0-9]{{1,2}})(?P=sep)"
    r"(?:[0-9]{4}|[0-9]{2})"
    r"|(?P<d5>[0-9]{1,2})[ \t](?P<m5>[0-9]{1,2})[ \t][0-9]{4}"
    rf"|[0-9]{{4}}(?P<sep2>{_DATE_SEPARATOR})(?P<m2>[0-9]{{1,2}})(?P=sep2)(?P<d2>[0-9]{{1,2}})"
    rf"|(?P<d3>[0-9]{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+[0-9]{{4}}"
    rf"|(?:{_MONTHS})\.?\s+(?P<d4>[0-9]{{1,2}}){_ORDINAL},?\s+[0-9]{{4}}"
    r")(?![\w/])(?![.-][0-9])"
)


def _any_case(literal: str) -> str:
    """`literal` as a pattern matching it in any case, letter by letter ("ob": "[oO][bB]")."""
    return "".join(f"[{char}{char.upper()}]" if char.isalpha() else char for char in literal)


# The cues: "DOB", "D.O.B.", "date of birth", "birthdate", "born", "birthday", and "b." The
# pattern opens on the cue's first letter, b or d, in either case, and looks behind it for the
# start of a word; each letter is matched in either case by a character set, which the regex
# engine rules out faster than it compares letters ignoring case.
_CUE = re.compile(
    r"[bBdD](?<![\w.].)(?:"
    rf"(?<=[dD])(?P<named>{_any_case('ob')}(?![a-zA-Z])|\.\s?[oO]\.\s?[bB]\.?"
    rf"|{_any_case('ate')}\s+{_any_case('of')}\s+{_any_case('birth')})"
    rf"|(?<=[bB])(?:{_any_case('irth')}\s?{_any_case('date')}|{_any_case('orn')}(?![a-zA-Z])"
    rf"|{_any_case('irthday')}(?![a-zA-Z])|(?P<terse>\.))"
    r")"
)
# From the end of a cue: up to three words (no sentence break), then the date. The words are
# taken lazily, so the first date after the cue is the one that counts.
_DATE_AFTER_CUE = re.compile(
    rf"[\s:=(-]*(?:[^\s.!?;:()]+[\s,:=(-]+){{0,3}}?(?P<date>{_DATE})", re.IGNORECASE
)
_DATE_RIGHT_AFTER_TERSE_CUE = re.compile(rf"\s*(?P<date>{_DATE})", re.IGNORECASE)
# Up to the start of a cue that names itself ("DOB", "date of birth"): "01/02/2019 (DOB)".
_DATE_BEFORE_NAMED_CUE = re.compile(rf"(?P<date>{_DATE})[ \t]*[(\[]?[ \t]*\Z", re.IGNORECASE)
# How far back a date before a cue can start: the longest date and an opening bracket.
_DATE_LOOKBACK = 40
_MAX_DAY = 31
_MAX_MONTH = 12


def _is_calendar_like(match: re.Match[str]) -> bool:
    """Day 1-31 and month 1-12 (day first, as written in the UK), where they are numbers."""
    day = next(match.group(name) for name in ("d1", "d2", "d3", "d4", "d5") if match.group(name))
    month = match.group("m1") or match.group("m2") or match.group("m5")
    if not 1 <= int(day) <= _MAX_DAY:
        return False
    return month is None or 1 <= int(month) <= _MAX_MONTH


def _dates_of_birth(text: str) -> Iterator[_Candidate]:
    """Found from the cues outward: cues are rare, dates are not."""
    for cue in _CUE.finditer(text):
        after = _DATE_RIGHT_AFTER_TERSE_CUE if cue.group("terse") else _DATE_AFTER_CUE
        dates = [after.match(text, cue.end())]
        if cue.group("named"):
            lookback = max(0, cue.start() - _DATE_LOOKBACK)
            dates.append(_DATE_BEFORE_NAMED_CUE.search(text, lookback, cue.start()))
        for date in dates:
            if date is not None and _is_calendar_like(date):
                start, end = date.span("date")
                yield IdentifierKind.DATE_OF_BIRTH, start, end


# --- Postcodes ----------------------------------------------------------------------------
#
# A full UK postcode: an outward code starting with one of the real postcode areas, then the
# inward code (a digit and two letters, never C, I, K, M, O or V), with nothing, spaces, or one
# of . / _ - between them ("PO1 2AB", "PO12AB", "PO1-2AB"). Requiring a real area keeps
# "KS2 3rd" or "Y5 2nd" from reading as postcodes; an inward code written as a lower-case
# ordinal ("2nd", "1st") is skipped for the same reason. The outward code alone ("PO1") is a
# district of thousands of homes and is not flagged.

# Every UK postcode area. The pattern matches the general shape, and the area is then looked
# up here: one set look-up is far cheaper than a 120-way alternation tried at every letter.
_POSTCODE_AREAS = (
    "AB|AL|B|BA|BB|BD|BH|BL|BN|BR|BS|BT|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL|DN|DT|"
    "DY|E|EC|EH|EN|EX|FK|FY|G|GL|GU|GY|HA|HD|HG|HP|HR|HS|HU|HX|IG|IM|IP|IV|JE|KA|KT|KW|KY|L|LA|"
    "LD|LE|LL|LN|LS|LU|M|ME|MK|ML|N|NE|NG|NN|NP|NR|NW|OL|OX|PA|PE|PH|PL|PO|PR|RG|RH|RM|S|SA|SE|"
    "SG|SK|SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|TA|TD|TF|TN|TQ|TR|TS|TW|UB|W|WA|WC|WD|WF|WN|WR|WS|WV|"
    "YO|ZE"
)
_POSTCODE_AREA_SET = frozenset(_POSTCODE_AREAS.split("|"))
# The pattern opens on the outward code's digit (digits are rare in prose, letters are not), and
# looks behind it for the one or two letters of the area.
_POSTCODE = re.compile(
    r"[0-9](?:(?<=(?<![A-Za-z0-9])(?P<area2>[A-Za-z]{2})[0-9])"
    r"|(?<=(?<![A-Za-z0-9])(?P<area1>[A-Za-z])[0-9]))"
    r"[0-9A-Za-z]?(?:[ \t]{0,3}|[ \t]{0,2}[-./_][ \t]{0,2})"
    r"[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![A-Za-z0-9])"
)
# Lower-case ordinals an inward code can look like: 1st, 2nd, 3rd, and 0th, 4th to 9th.
_ORDINAL_INWARD_CODES = frozenset(
    {"1st", "2nd", "3rd", "0th", "4th", "5th", "6th", "7th", "8th", "9th"}
)


def _postcodes(text: str) -> Iterator[_Candidate]:
    for match in _POSTCODE.finditer(text):
        area = "area2" if match.group("area2") else "area1"
        if match.group(area).upper() not in _POSTCODE_AREA_SET:
            continue
        if match.group()[-3:] in _ORDINAL_INWARD_CODES:
            continue
        yield IdentifierKind.POSTCODE, match.start(area), match.end()


# --- Phone numbers ------------------------------------------------------------------------
#
# UK numbers beginning 01, 02, 03 (landlines and non-geographic) and 07 (mobiles): eleven digits
# with the leading 0, or ten for some 01 areas. Written nationally, the digits come in groups:
# the first (leading 0 included, perhaps in brackets) at least three digits long, every other
# group at least two, with separators between them (07700 900123, 07700.900.123,
# 077 00 900 123, 0113 496 0000, (01632) 960123, run together...). That first group is what keeps
# dates and times such as "07-11-2026 10:30" or "01/02/2019" out: they start with a group of
# two. Groups are read until they make eleven digits (or ten, for 01), so a number followed by
# another number is still found. Written internationally (+44 or 0044, optionally "(0)"), the
# prefix is distinctive enough that any spacing of the remaining nine or ten digits counts.

_PHONE = re.compile(
    r"(?=[0+(])(?<![\w+])(?<![0-9][.,-])(?:"
    rf"(?P<international>(?:\+|00)44{_GAP}?(?:\(0\){_GAP}?)?[1237](?:{_GAP}?[0-9]){{8,9}}"
    r"(?![0-9]))"
    rf"|(?:\(0[1237][0-9]{{1,4}}\){_GAP}?[0-9]{{2,9}}|0[1237][0-9]{{1,9}})"
    rf"(?:{_GAP}[0-9]{{2,9}}){{0,5}}"
    r")"
)
_DIGIT_RUN = re.compile(r"[0-9]+")
# A number that runs on into more digits is some other number ("2026-07700900123").
_RUNS_ON = re.compile(r"[0-9]|[.-][0-9]|[^\W\d_]")
_NATIONAL_LENGTH = 11
_SHORT_01_LENGTH = 10


def _national_number_end(text: str, match: re.Match[str]) -> int | None:
    """Where the number ends: after the groups that make eleven digits, or ten for 01."""
    digits = 0
    end: int | None = None
    short_allowed = text.startswith("01", match.start()) or text.startswith("(01", match.start())
    for run in _DIGIT_RUN.finditer(text, match.start(), match.end()):
        digits += run.end() - run.start()
        if digits == _NATIONAL_LENGTH or (digits == _SHORT_01_LENGTH and short_allowed):
            end = run.end()
        elif digits > _NATIONAL_LENGTH:
            break
    return end


def _phone_numbers(text: str) -> Iterator[_Candidate]:
    position = 0
    while (match := _PHONE.search(text, position)) is not None:
        end = match.end() if match.group("international") else _national_number_end(text, match)
        if end is None:
            position = match.start() + 1
            continue
        if _RUNS_ON.match(text, end) is None:
            yield IdentifierKind.PHONE_NUMBER, match.start(), end
        position = end


# --- Email addresses ----------------------------------------------------------------------
#
# name@organisation.example, and the ways people write an address to keep it from robots:
# "name(at)organisation.example", "name [at] organisation.example", "{at}" or "<at>" in any
# case, a space either side of "@", "(dot)" or "[dot]" for a dot, and "name at organisation dot
# example" (a plain " at " counts only with a " dot ": "details at hipsprocedures.org.uk" is a
# web address, not an email). The full-width and small "@" are "@" after normalising.

_EMAIL_BODY = r"[\w.%+'-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
_EMAIL_EXACT = re.compile(_EMAIL_BODY)
# RFC 5321 caps an address at 254 characters; email inputs on the forms take no more.
MAX_EMAIL_LENGTH = 254
_BRACKETED_DOT = r"[ \t]?[(\[{<][ \t]?(?i:dot)[ \t]?[)\]}>][ \t]?"
_WORD_DOT = r"[ \t]+dot[ \t]+"
# Found from the "@" (or what stands for it) outward: most answers have none. The patterns open
# with the characters they must start with, so the regex engine can skip straight to them.
_AT = re.compile(r"[@(\[{<](?:(?<=@)|(?<=[(\[{<])[ \t]?(?i:at)[ \t]?[)\]}>])")
_WORD_AT = re.compile(r"at(?<=[ \t]at)(?=[ \t])")
_HAS_WORD_DOT = re.compile(r"dot(?<=[ \t]dot)(?=[ \t])")
_LOCAL_PART_BEFORE = re.compile(r"(?<![\w.%+'-])[\w.%+'-]{1,64}[ \t]*\Z")
_MAX_LOCAL_PART = 64
_LOCAL_PART_LOOKBACK = _MAX_LOCAL_PART + 3
_DOMAIN_AFTER = re.compile(
    r"[ \t]*"
    rf"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?(?:\.|{_BRACKETED_DOT}|{_WORD_DOT}))+"
    r"[A-Za-z]{2,24}(?![\w-])"
)
# How many spaces may stand either side of "@": "name @ organisation.example".
_MAX_SPACES_AROUND_AT = 1


def is_plausible_email(text: str) -> bool:
    """Whether `text`, as a whole, reads as an email address (name@organisation.example)."""
    return len(text) <= MAX_EMAIL_LENGTH and _EMAIL_EXACT.fullmatch(text) is not None


def _email_addresses(text: str) -> Iterator[_Candidate]:
    ats: list[tuple[re.Match[str], bool]] = [(at, False) for at in _AT.finditer(text)]
    if _HAS_WORD_DOT.search(text) is not None:
        ats += [(at, True) for at in _WORD_AT.finditer(text)]
    for at, is_word in ats:
        local = _LOCAL_PART_BEFORE.search(
            text, max(0, at.start() - _LOCAL_PART_LOOKBACK), at.start()
        )
        if local is None:
            continue
        domain = _DOMAIN_AFTER.match(text, at.end())
        if domain is None:
            continue
        local_part = local.group().rstrip(" \t")
        domain_part = domain.group().lstrip(" \t")
        if is_word:
            if _HAS_WORD_DOT.search(domain.group()) is None:
                continue
        elif (
            len(local.group()) - len(local_part) > _MAX_SPACES_AROUND_AT
            or len(domain.group()) - len(domain_part) > _MAX_SPACES_AROUND_AT
        ):
            continue
        yield IdentifierKind.EMAIL_ADDRESS, local.start(), domain.end()


# --- "Name:"-style labels -----------------------------------------------------------------
#
# A label like "Child's name:", "Mum:" or "Address:" followed by text on the same line: what
# follows is, by the writer's own labelling, a name or an address. "=" counts as ":", and so
# does a dash with a space on at least one side ("Name - Jayden", "Name – Jayden"; not
# "child-friendly"). A dash is also ordinary punctuation ("mum - who attended - agreed", "Child
# - In Need plan"), so after a dash the text must start with a word that reads as a name, as
# the rule for names after "child" or "mum" below has it (after an address label: a digit or a
# capital). The finding covers the text after the label, up to the end of the line, the first
# , ; . ! ? : = or bracket, or a spaced dash (a name is rarely longer), and, after a name label,
# up to the first digit (an address has numbers, a name does not). A label followed by nothing,
# or by a number ("Child: 7 years old"), is not flagged.

_LABEL_BEFORE_MARK = re.compile(
    r"(?<![\w'’])(?:"
    r"child(?:['’]?s)?\s+(?:full\s+)?name|(?:first|full|last|middle|given|family)\s+name"
    r"|surname|forename|name|child|mother|mum|father|dad|sibling"
    r"|(?P<address>(?:home\s+)?address)"
    r")[ \t]*\Z",
    re.IGNORECASE,
)
# A colon, an equals sign, or a dash with a space before or after it. The pattern opens with
# the characters, so the regex engine can skip straight to them.
_LABEL_MARK = re.compile(r"[-:=](?:(?<=[:=])|(?<=[ \t]-)|(?=[ \t]))")
_LABEL_VALUE = re.compile(r"[ \t]*(?P<value>[^\W_][^\n,;.!?:=()\[\]]{0,79})")
_SPACED_DASH = re.compile(r"[ \t]-|-[ \t]")
# The longest label ("child's full name") with a little space before its mark.
_LABEL_LOOKBACK = 24
# The last word of every label: a mark after any other word ("10:30", "Decision:") is skipped
# without trying the labels.
_LABEL_LAST_WORDS = frozenset(
    ["name", "surname", "forename", "child", "mother", "mum", "father", "dad", "sibling", "address"]
)
_FIRST_DIGIT = re.compile(r"[0-9]")


def _word_before(text: str, end: int) -> str:
    """The letters just before `end`, spaces and tabs before `end` skipped."""
    letters_end = end
    while letters_end > 0 and text[letters_end - 1] in " \t":
        letters_end -= 1
    start = letters_end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:letters_end]


def _reads_as_a_name_after_dash(value: str, *, is_address: bool) -> bool:
    """After "Name - ", a name ("Jayden"), not ordinary words ("In Need plan", "DNA twice");
    after "Address - ", a number or a capital."""
    if is_address:
        return value[0].isdigit() or value[0].isupper()
    first_word = _NAME_WORD.match(value)
    return first_word is not None and _reads_as_a_name(first_word.group())


def _labelled_names(text: str) -> Iterator[_Candidate]:
    """Found from the marks outward: marks are few, so this is cheaper than trying every
    label at every position."""
    for mark in _LABEL_MARK.finditer(text):
        if _word_before(text, mark.start()).casefold() not in _LABEL_LAST_WORDS:
            continue
        label = _LABEL_BEFORE_MARK.search(
            text, max(0, mark.start() - _LABEL_LOOKBACK), mark.start()
        )
        if label is None:
            continue
        found = _LABEL_VALUE.match(text, mark.end())
        if found is None:
            continue
        value = found.group("value")
        is_address = bool(label.group("address"))
        if mark.group() == "-" and not _reads_as_a_name_after_dash(value, is_address=is_address):
            continue
        dash = _SPACED_DASH.search(value)
        if dash is not None:
            value = value[: dash.start()]
        if not is_address:
            first_digit = _FIRST_DIGIT.search(value)
            if first_digit is not None:
                value = value[: first_digit.start()]
        value = value.rstrip()
        if value:
            start = found.start("value")
            yield IdentifierKind.NAME_LABEL, start, start + len(value)


# --- Names after a word for a child or a relative -------------------------------------------
#
# "the child Jayden Smith", "her son, Tyler, ...", "Mum (Kerry) said", "stepdad Lee": a word
# for a child or a relative, then a space, a comma or an opening bracket, then one to three
# words that read as a name: a capital letter followed by lower-case letters somewhere in the
# word ("Jo", "McDonald", "O'Neill", "Amelia-Rose", "Zoë"; a title such as "Mrs" counts too).
# Words in capitals throughout are acronyms ("Mum DNA'd", "the child CAMHS appointment"), and a
# stop-list keeps out the capitalised words practitioners put after these words in the names of
# agencies, teams, plans, meetings, programmes and laws ("Child Protection Conference", "Child
# In Need", "Children Looked After", "Baby Bank", "Dad Matters"), the words for other relatives
# ("Mum, Dad and Nan attended"), months and days, and the words that can start a clause after
# a comma or bracket ("the child, Who ..."). The name is the first capitalised word and those
# right after it, up to the first word in the stop-list or in lower case.

# A trie of words: each key a character, "" marking the end of a word.
_Trie: TypeAlias = dict[str, "_Trie"]


def _words(text: str) -> list[str]:
    """The words of `text`, for lists written as paragraphs."""
    return text.split()


# Words for a child or a relative, "_" standing for spaces and "~" for an optional space or
# hyphen ("stepdad", "step-dad", "step dad").
_RELATIVE_WORDS = _words(
    "child children kid kids son sons daughter daughters baby babies infant toddler boy girl"
    " mum mummy mam mom mommy mother dad daddy father parent parents"
    " brother brothers sister sisters sibling siblings twin twins nephew niece cousin"
    " grandson granddaughter grandchild grandchildren grandmother grandma gran granny nan nana"
    " nanna nanny grandfather grandad granddad grandpa grandparent grandparents"
    " aunt auntie aunty uncle partner boyfriend girlfriend husband wife carer carers"
    " yp young_person"
)
_STEP_RELATIVES = _words(
    "son daughter child children mum mother dad father brother brothers sister sisters"
    " sibling siblings parent parents"
)
_CUE_WORDS = _RELATIVE_WORDS + [
    f"{prefix}~{word}" for prefix in ("step", "half") for word in _STEP_RELATIVES
]


def _any_of_pattern(words: Iterable[str]) -> str:
    """One regex for the words (in lower case) as a trie: every alternative opens with a
    different character, which the regex engine rules out with one look at the text."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def piece(char: str) -> str:
        if char == "~":
            return r"[ \t-]?"
        if char == "_":
            return r"[ \t]+"
        return re.escape(char)

    def branch(node: _Trie) -> str:
        alternatives = [piece(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        return f"(?:{body})?" if "" in node else body

    return branch(trie)


# Searched in the text in lower case (the cue's own case does not matter, "Mum" or "mum"), with
# a space put in front. The character before the word is matched too (a space, a bracket,
# punctuation), because a pattern that opens with a set of characters lets the regex engine skip
# straight to them; the space in front lets a word at the very start be found too.
_NAMED_PERSON_CUE = re.compile(
    r"[\s(\[{,;:.!?\"“”‘/)\]}*•>&+=]"
    + _any_of_pattern(_CUE_WORDS)
    + r"(?=(?:[ \t]*[,(][ \t]*|[ \t]+)[^\W\d_])"
)
_ASCII_LOWER_CASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NAME_SEPARATOR = re.compile(r"[ \t]*[,(][ \t]*|[ \t]+")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_BETWEEN_NAME_WORDS = re.compile(r"[ \t]+")
_MAX_NAME_WORDS = 3
_APOSTROPHES_AND_HYPHENS = re.compile(r"['’-]")
_POSSESSIVE = re.compile(r"['’]s\Z")

_NOT_NAMES = frozenset(
    # Other words for relatives, and their step- and half- forms written as one word.
    [word for word in _RELATIVE_WORDS if "_" not in word]
    + [f"{prefix}{word}" for prefix in ("step", "half") for word in _STEP_RELATIVES]
    + _words("maternal paternal biological birth adoptive foster kinship step half young")
    # Agencies, teams, services and the places they are in.
    + _words("""
        protection protective safeguarding services service social care health development
        guidance psychology psychologist psychiatrist psychiatry mental emotional adolescent
        adolescents wellbeing behaviour team teams unit hub centre center clinic ward hospital
        nursery school schools academy college primary secondary junior infants reception
        police court courts housing education nurse nursing visitor visitors worker workers
        practitioner practitioners officer officers manager managers lead leads designated
        agency agencies organisation organisations organization organizations council
        authority local county city national partnership partnerships board panel forum
        network trust charity foundation association society club alliance group groups
        project programme program scheme pathway line helpline advice information cafe café
        zone space bank box steps massage buddy pad matters first friendly centred focused led
        voice voices view views wishes feelings champion champions premium referral referrals
        guides scouts brigade bereavement uk england portsmouth southampton hampshire isle wight
        talk talks participation involvement engagement
        """)
    # Plans, meetings, processes, conditions and laws.
    + _words("""
        in need needs looked after missing exploitation sexual criminal abuse neglect harm
        poverty death deaths overview review reviews conference conferences meeting meetings
        plan plans planning practice procedure procedures policy policies protocol threshold
        thresholds framework assessment assessments arrangement arrangements order orders act
        acts law rights contact maintenance benefit benefits allowance credit tax fund payment
        payments support supports safety welfare abduction trafficking slavery disclosure
        offender sex employment licence performance minding minder minders sleep feeding loss
        awareness week weeks month months day days year years term terms holiday holidays
        stage stages tier tiers level levels step steps strategy strategies option options
        section sections case cases concern concerns record records register report reports
        """)
    # Months and days.
    + _words("""
        january february march april may june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
        friday saturday sunday mon tue tues wed thu thur thurs fri sat sun christmas easter
        """)
    # Words that can open a clause after a comma or a bracket.
    + _words("""
        a an and or but nor so yet the this that these those then there here who whom whose
        which what when where why how he she they we you i it his her hers their theirs our
        ours my its him them us me is was are were be been being has have had do does did
        not no yes also both all each every either neither some any none one two three four
        five six seven eight nine ten first second third eldest oldest youngest middle older
        younger elder aged age ages now still currently previously already again please see
        note re ref reference named unnamed unborn newborn name names known unknown present
        absent only other another said says told asked attended agreed declined reported
        stated will would could should can might must shall of to for with on at by from
        as if about after before since until while born
        withheld redacted anonymised anonymized anonymous
        multi pre post non inter co self ex anti sub
        """)
)


def _reads_as_a_name(word: str) -> bool:
    """A capital, then lower case in the same part of the word ("Jo", "McDonald"), or an "O'"
    or "D'" before such a part ("O'Neill"); and not a word in the stop-list, nor one with a
    possessive ("Dad's") or a first part ("Multi-Agency") in the stop-list."""
    if not word[0].isupper():
        return False
    parts = _APOSTROPHES_AND_HYPHENS.split(word)
    folded = word.casefold()
    if (
        folded in _NOT_NAMES
        or _POSSESSIVE.sub("", folded) in _NOT_NAMES
        or parts[0].casefold() in _NOT_NAMES
    ):
        return False
    head = parts[0]
    if len(head) == 1 and len(parts) > 1:
        head = parts[1]
        if not head[:1].isupper():
            return False
    return not head.isupper()


def _lower_case(text: str) -> str:
    """`text` in lower case, character for character (a few letters lower to two)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER_CASE)


def _named_people(text: str) -> Iterator[_Candidate]:
    for cue in _NAMED_PERSON_CUE.finditer(f" {_lower_case(text)}"):
        separator = _NAME_SEPARATOR.match(text, cue.end() - 1)
        if separator is None:  # pragma: no cover - the cue's lookahead saw one
            continue
        start = end = position = separator.end()
        if not text[start].isupper():  # most words after "mum" or "child": "said", "and"
            continue
        for _ in range(_MAX_NAME_WORDS):
            word = _NAME_WORD.match(text, position)
            if word is None or not _reads_as_a_name(word.group()):
                break
            end = word.end()
            space = _BETWEEN_NAME_WORDS.match(text, end)
            if space is None:
                break
            position = space.end()
        if end > start:
            yield IdentifierKind.NAMED_PERSON, start, end


# --- Putting the rules together ------------------------------------------------------------

_RULES = (
    _nhs_numbers,
    _email_addresses,
    _dates_of_birth,
    _postcodes,
    _phone_numbers,
    _labelled_names,
    _named_people,
)


def find_identifiers(text: str, *, allow_email: bool = False) -> tuple[IdentifierFinding, ...]:
    """Everything in `text` that looks like it could identify a child or family.

    The rules read a normalised copy of `text` (see the module docstring); findings are
    positions in `text` itself, sorted by `start`, and never overlap (the more specific rule
    wins). With `allow_email`, email addresses are not reported: for fields whose purpose is a
    professional's email address.
    """
    normalised = _normalise(text)
    candidates = [
        IdentifierFinding(kind, *normalised.original_span(start, end))
        for rule in _RULES
        for kind, start, end in rule(normalised.text)
    ]
    candidates.sort(key=lambda finding: (_SPECIFICITY[finding.kind], finding.start))
    # Kept findings never overlap, so ordered by start they are ordered by end too: a candidate
    # fits when it ends before the next kept finding starts and starts after the previous ends.
    kept: list[IdentifierFinding] = []
    kept_starts: list[int] = []
    for candidate in candidates:
        index = bisect_right(kept_starts, candidate.start)
        if index > 0 and kept[index - 1].end > candidate.start:
            continue
        if index < len(kept) and kept[index].start < candidate.end:
            continue
        kept.insert(index, candidate)
        kept_starts.insert(index, candidate.start)
    return tuple(
        finding
        for finding in kept
        if not (allow_email and finding.kind is IdentifierKind.EMAIL_ADDRESS)
    )
