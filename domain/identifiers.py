"""The identifier guard: finds what, in free text, could identify a child or family.

Practitioners describe real children in these answers, and the bot is not the child's file: it
keeps case references, never names or other identifying details. Before anything typed is
saved, every free-text answer is checked here, and the practitioner is asked to remove what was
found or to confirm it is not identifying. The guard errs towards ordinary practice text passing
untouched ("2 working days", "stage 3", "Tier 3", "ESC-2026-0007", "12/11/2026 meeting", times,
money, percentages): a guard that cries wolf teaches people to tick "not identifying" without
reading.

A finding says what kind of thing was found and where (`start`, `end`); it never holds the
matched text, and no description here ever quotes it, so findings can be shown, logged or
stored without repeating what they warn about.

When two rules claim overlapping text, the more specific rule wins, in this order:
1. NHS number: ten digits that pass the modulus 11 check, the most certain finding of all;
2. email address: the "@" shape is unmistakable, and its local part can look like a postcode or
   a phone number, which it is not;
3. date of birth: a date next to a cue such as "DOB" or "born";
4. postcode: a strict shape with a real postcode area;
5. phone number: digit groupings that ordinary numbers occasionally share;
6. a label such as "Name:" followed by text: the loosest rule, as any text may follow a label.
Email addresses take part in that contest even when they are allowed, so that an allowed email
address never leaves a postcode-shaped fragment of itself behind as a finding.

Speed: every answer is checked on every submission, so each rule is shaped to let the regex
engine skip ahead cheaply: patterns open with a lookahead on the characters they must start
with, and rules that need a rare character ("@", ":", a birth cue) look for it first.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class IdentifierKind(StrEnum):
    """What sort of identifying detail a finding is."""

    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    NAME_LABEL = "name_label"

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


# --- NHS numbers ---------------------------------------------------------------------------

_NHS_NUMBER_LENGTH = 10
_NHS_MODULUS = 11

# Written 3-3-4 with a space or hyphen between groups, or run together; a longer run of digits
# is some other number, so the ten digits must stand on their own.
_NHS_CANDIDATE = re.compile(
    r"(?=[0-9])(?<![\w+£$€])([0-9]{3})[ \u00a0-]?([0-9]{3})[ \u00a0-]?([0-9]{4})(?!\w)(?![.,][0-9])"
)


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


def _nhs_numbers(text: str) -> Iterator[IdentifierFinding]:
    for match in _NHS_CANDIDATE.finditer(text):
        if is_valid_nhs_number("".join(match.groups())):
            yield IdentifierFinding(IdentifierKind.NHS_NUMBER, match.start(), match.end())


# --- Dates of birth -----------------------------------------------------------------------
#
# A date on its own is ordinary: meetings, visits and deadlines all have dates. A date becomes
# a date of birth when the text says so, with a cue shortly before it ("DOB: 01/02/2019",
# "born on the 1st of February 2019", "date of birth is 1.2.19", "b. 2019-02-01") or a cue
# directly after it ("01/02/2019 (DOB)"). "Shortly before" means at most three words between
# the cue and the date, with no sentence break (. ! ? ;) in between; the terse cue "b." must be
# followed by the date itself. Only whole dates with a year count: a day and month alone
# ("birthday on 4 June") is not a date of birth that identifies anyone.

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = (
    r"(?<![\w/])(?<![0-9][.-])(?:"
    r"(?P<d1>[0-9]{1,2})(?P<sep>[/.-])(?P<m1>[0-9]{1,2})(?P=sep)(?:[0-9]{4}|[0-9]{2})"
    r"|[0-9]{4}-(?P<m2>[0-9]{1,2})-(?P<d2>[0-9]{1,2})"
    rf"|(?P<d3>[0-9]{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+[0-9]{{4}}"
    rf"|(?:{_MONTHS})\.?\s+(?P<d4>[0-9]{{1,2}}){_ORDINAL},?\s+[0-9]{{4}}"
    r")(?![\w/])(?![.-][0-9])"
)
_DOB_ABBREVIATION = r"dob(?![a-z])|d\.\s?o\.\s?b\.?"
_CUE = re.compile(
    rf"(?=[bd])(?<![\w.])(?:(?P<named>{_DOB_ABBREVIATION}|date\s+of\s+birth)|birth\s?date"
    r"|born(?![a-z])|birthday(?![a-z])|(?P<terse>b\.))",
    re.IGNORECASE,
)
# From the end of a cue: up to three words (no sentence break), then the date. The words are
# taken lazily, so the first date after the cue is the one that counts.
_DATE_AFTER_CUE = re.compile(
    rf"[\s:=(\-–—]*(?:[^\s.!?;:()]+[\s,:=(\-–—]+){{0,3}}?(?P<date>{_DATE})", re.IGNORECASE
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
    day = match.group("d1") or match.group("d2") or match.group("d3") or match.group("d4")
    month = match.group("m1") or match.group("m2")
    if not 1 <= int(day) <= _MAX_DAY:
        return False
    return month is None or 1 <= int(month) <= _MAX_MONTH


def _dates_of_birth(text: str) -> Iterator[IdentifierFinding]:
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
                yield IdentifierFinding(IdentifierKind.DATE_OF_BIRTH, start, end)


# --- Postcodes ----------------------------------------------------------------------------
#
# A full UK postcode: an outward code starting with one of the real postcode areas, then the
# inward code (a digit and two letters, never C, I, K, M, O or V). Requiring a real area keeps
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
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?P<area>[A-Za-z]{1,2})[0-9][0-9A-Za-z]?[ \u00a0]{0,2}"
    r"[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![A-Za-z0-9])"
)
# Lower-case ordinals an inward code can look like: 1st, 2nd, 3rd, and 0th, 4th to 9th.
_ORDINAL_INWARD_CODES = frozenset(
    {"1st", "2nd", "3rd", "0th", "4th", "5th", "6th", "7th", "8th", "9th"}
)


def _postcodes(text: str) -> Iterator[IdentifierFinding]:
    for match in _POSTCODE.finditer(text):
        if match.group("area").upper() not in _POSTCODE_AREA_SET:
            continue
        if match.group()[-3:] in _ORDINAL_INWARD_CODES:
            continue
        yield IdentifierFinding(IdentifierKind.POSTCODE, match.start(), match.end())


# --- Phone numbers ------------------------------------------------------------------------
#
# UK numbers beginning 01, 02, 03 (landlines and non-geographic) and 07 (mobiles): eleven digits
# with the leading 0, or ten for some 01 areas. Written nationally they must follow one of the
# groupings people actually use (07700 900123, 07700 900 123, 0113 496 0000, 023 8083 2000,
# (01632) 960123, run together...), which is what keeps dates and times such as
# "07-11-2026 10:30" out. Written internationally (+44 or 0044, optionally "(0)"), the prefix is
# distinctive enough that any spacing of the remaining nine or ten digits counts.

_SEPARATOR = r"[ \u00a0-]?"


def _national_grouping(first_group: int, *rest: int, leading: str = "0[1237]") -> str:
    """A national number whose first group (leading 0 included) has `first_group` digits."""
    area = f"{leading}[0-9]{{{first_group - len('01')}}}"
    groups = [rf"(?:\({area}\)|{area})"] + [f"[0-9]{{{size}}}" for size in rest]
    return _SEPARATOR.join(groups)


_NATIONAL_GROUPINGS = (
    "0[1237][0-9]{9}",
    _national_grouping(5, 6),
    _national_grouping(5, 3, 3),
    _national_grouping(4, 3, 4),
    _national_grouping(3, 4, 4),
    _national_grouping(4, 7),
    _national_grouping(3, 8),
    _national_grouping(6, 5, leading="01"),
    _national_grouping(5, 5, leading="01"),
    _national_grouping(6, 4, leading="01"),
    "01[0-9]{8}",
)
_PHONE = re.compile(
    r"(?=[0+(])(?<![\w+])(?<![0-9][.-])(?:"
    r"(?:\+|00)44[ \u00a0-]?(?:\(0\)[ \u00a0-]?)?[1237](?:[ \u00a0-]?[0-9]){8,9}"
    r"|(?:" + "|".join(_NATIONAL_GROUPINGS) + r")"
    r")(?!\w)(?![.-][0-9])"
)


def _phone_numbers(text: str) -> Iterator[IdentifierFinding]:
    for match in _PHONE.finditer(text):
        yield IdentifierFinding(IdentifierKind.PHONE_NUMBER, match.start(), match.end())


# --- Email addresses ----------------------------------------------------------------------

_EMAIL_BODY = r"[\w.%+'-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
_EMAIL = re.compile(rf"(?<![\w.%+'-]){_EMAIL_BODY}(?![\w-])")
_EMAIL_EXACT = re.compile(_EMAIL_BODY)
_MAX_EMAIL_LENGTH = 254


def is_plausible_email(text: str) -> bool:
    """Whether `text`, as a whole, reads as an email address (name@organisation.example)."""
    return len(text) <= _MAX_EMAIL_LENGTH and _EMAIL_EXACT.fullmatch(text) is not None


def _email_addresses(text: str) -> Iterator[IdentifierFinding]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        yield IdentifierFinding(IdentifierKind.EMAIL_ADDRESS, match.start(), match.end())


# --- "Name:"-style labels -----------------------------------------------------------------
#
# A label like "Child's name:", "Mum:" or "Address:" followed by text on the same line: what
# follows is, by the writer's own labelling, a name or an address. The finding covers the text
# after the label, up to the end of the line or the first , ; . ! ? : or bracket (a name is
# rarely longer), and, after a name label, up to the first digit (an address has numbers, a
# name does not). A label followed by nothing, or by a number ("Child: 7 years old"), is not
# flagged.

_LABEL_BEFORE_COLON = re.compile(
    r"(?<![\w'’])(?:"
    r"child(?:['’]?s)?\s+(?:full\s+)?name|(?:first|full|last|middle|given|family)\s+name"
    r"|surname|forename|name|child|mother|mum|father|dad|sibling"
    r"|(?P<address>(?:home\s+)?address)"
    r")[ \t]*\Z",
    re.IGNORECASE,
)
_LABEL_VALUE = re.compile(r"[ \t]*(?P<value>[^\W_][^\n,;.!?:()\[\]]{0,79})")
_COLON = re.compile(":")
# The longest label ("child's full name") with a little space before its colon.
_LABEL_LOOKBACK = 24
_FIRST_DIGIT = re.compile(r"[0-9]")


def _labelled_names(text: str) -> Iterator[IdentifierFinding]:
    """Found from the colons outward: colons are few, so this is cheaper than trying every
    label at every position."""
    for colon in _COLON.finditer(text):
        label = _LABEL_BEFORE_COLON.search(
            text, max(0, colon.start() - _LABEL_LOOKBACK), colon.start()
        )
        if label is None:
            continue
        found = _LABEL_VALUE.match(text, colon.end())
        if found is None:
            continue
        value = found.group("value")
        if not label.group("address"):
            first_digit = _FIRST_DIGIT.search(value)
            if first_digit is not None:
                value = value[: first_digit.start()]
        value = value.rstrip()
        if value:
            start = found.start("value")
            yield IdentifierFinding(IdentifierKind.NAME_LABEL, start, start + len(value))


# --- Putting the rules together ------------------------------------------------------------

_RULES = (
    _nhs_numbers,
    _email_addresses,
    _dates_of_birth,
    _postcodes,
    _phone_numbers,
    _labelled_names,
)


def find_identifiers(text: str, *, allow_email: bool = False) -> tuple[IdentifierFinding, ...]:
    """Everything in `text` that looks like it could identify a child or family.

    Findings are sorted by `start` and never overlap (the more specific rule wins, see the module
    docstring). With `allow_email`, email addresses are not reported: for fields whose purpose is
    a professional's email address.
    """
    candidates = [finding for rule in _RULES for finding in rule(text)]
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
