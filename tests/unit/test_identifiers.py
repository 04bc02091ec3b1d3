"""The identifier guard finds NHS numbers, dates of birth, postcodes, phone numbers, email
addresses, "Name:"-style labels and names after words such as "child" or "mum" in realistic
practice text, however they are written (separators, full-width and zero-width characters), and
leaves ordinary practice text alone. All names, numbers and addresses here are fictional.
Whole-corpus rates and generated identifiers are in test_identifier_rates.py."""

from __future__ import annotations

import sys
import unicodedata
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identifiers import (
    IdentifierFinding,
    IdentifierKind,
    describe_kinds,
    find_identifiers,
    is_plausible_email,
    is_valid_nhs_number,
)

NHS = IdentifierKind.NHS_NUMBER
DOB = IdentifierKind.DATE_OF_BIRTH
POSTCODE = IdentifierKind.POSTCODE
PHONE = IdentifierKind.PHONE_NUMBER
EMAIL = IdentifierKind.EMAIL_ADDRESS
LABEL = IdentifierKind.NAME_LABEL
NAMED = IdentifierKind.NAMED_PERSON


def found(text: str, *, allow_email: bool = False) -> list[tuple[IdentifierKind, str]]:
    """What was found, with the text it covers (tests may see the text; messages never do)."""
    return [
        (finding.kind, text[finding.start : finding.end])
        for finding in find_identifiers(text, allow_email=allow_email)
    ]


def nhs_check_digit(nine_digits: str) -> int | None:
    """The modulus 11 check digit, written out independently of the code under test."""
    total = 0
    for position, digit in enumerate(nine_digits):
        total += int(digit) * (10 - position)
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


# --- NHS numbers ---------------------------------------------------------------------------


def test_the_commonly_cited_test_number_943_476_5919_is_valid_worked_by_hand() -> None:
    # 9x10 + 4x9 + 3x8 + 4x7 + 7x6 + 6x5 + 5x4 + 9x3 + 1x2 = 90+36+24+28+42+30+20+27+2 = 299
    # 299 = 27 x 11 + 2, so the check digit is 11 - 2 = 9: the tenth digit.
    assert 90 + 36 + 24 + 28 + 42 + 30 + 20 + 27 + 2 == 299
    assert nhs_check_digit("943476591") == 9
    assert is_valid_nhs_number("9434765919")


def test_a_remainder_of_zero_gives_check_digit_zero() -> None:
    # 4x10 + 0 + 1x8 + 0 + 0 + 0 + 0 + 0 + 9x2 = 40 + 8 + 18 = 66 = 6 x 11: 11 - 0 = 11, read as 0.
    assert nhs_check_digit("401000009") == 0
    assert is_valid_nhs_number("4010000090")
    assert not is_valid_nhs_number("4010000091")


def test_nine_digits_whose_check_would_be_ten_make_no_valid_number() -> None:
    # 4x10 + 1x8 + 4x2 = 56 = 5 x 11 + 1: 11 - 1 = 10, which no single digit can be.
    assert nhs_check_digit("401000004") is None
    assert not any(is_valid_nhs_number(f"401000004{last}") for last in "0123456789")


@pytest.mark.parametrize("nine", ["485777345", "450557710", "600000000", "943476591"])
def test_valid_numbers_computed_by_hand_are_accepted(nine: str) -> None:
    check = nhs_check_digit(nine)
    assert check is not None
    assert is_valid_nhs_number(f"{nine}{check}")
    assert not is_valid_nhs_number(f"{nine}{(check + 1) % 10}")


@pytest.mark.parametrize(
    "digits", ["943476591", "94347659190", "943 476 5919", "94347659I9", "９４３４７６５９１９", ""]
)
def test_only_exactly_ten_ascii_digits_can_be_an_nhs_number(digits: str) -> None:
    assert not is_valid_nhs_number(digits)


@pytest.mark.parametrize("written", ["943 476 5919", "943-476-5919", "9434765919", "943 4765919"])
def test_an_nhs_number_is_flagged_with_spaces_hyphens_or_run_together(written: str) -> None:
    text = f"Health visitor confirmed NHS no. {written} on the referral."
    assert found(text) == [(NHS, written)]


def test_an_nhs_number_finding_covers_exactly_the_number() -> None:
    text = "NHS number 943 476 5919 - GP aware."
    (finding,) = find_identifiers(text)
    assert (finding.start, finding.end) == (11, 23)


def test_ten_digits_failing_the_check_are_not_an_nhs_number() -> None:
    assert found("Ref from the MASH log: 943 476 5918.") == []
    assert found("Ref 9434765918 was closed") == []


def test_ten_digits_failing_the_check_can_still_be_a_phone_number() -> None:
    assert not is_valid_nhs_number("0123456780")
    assert found("Her old landline was 0123456780 apparently") == [(PHONE, "0123456780")]


def test_ten_digits_that_pass_the_check_are_an_nhs_number_not_a_phone_number() -> None:
    assert is_valid_nhs_number("0123456789")
    assert found("Number given was 0123456789") == [(NHS, "0123456789")]


def test_digits_inside_a_longer_number_are_not_an_nhs_number() -> None:
    assert found("Invoice 19434765919 and batch 9434765919123") == []


# --- Dates of birth ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Child A, DOB: 01/02/2019, attends nursery three mornings.", "01/02/2019"),
        ("Sibling (D.O.B. 1.2.19) is not known to us.", "1.2.19"),
        ("Her date of birth is 1st Feb 2019 according to the GP.", "1st Feb 2019"),
        ("He was born on the 1st of February 2019 at St Mary's.", "1st of February 2019"),
        ("Baby was born 14-03-2024 at 34 weeks.", "14-03-2024"),
        ("Youngest child (b. 2019-02-01) lives with dad.", "2019-02-01"),
        ("Mum said her birthday is 4 June 1990 so she is 36.", "4 June 1990"),
        ("Date of Birth:12.11.2015 - Year 5.", "12.11.2015"),
        ("The twins, 03/04/2020 (DOB), were seen together.", "03/04/2020"),
        ("dob 7/9/18 per school records", "7/9/18"),
        ("Born in Portsmouth on 01/02/2019, moved to Havant in 2022.", "01/02/2019"),
        ("born February 1, 2019", "February 1, 2019"),
    ],
)
def test_a_date_near_a_birth_cue_is_a_date_of_birth(text: str, date: str) -> None:
    assert found(text) == [(DOB, date)]


@pytest.mark.parametrize(
    "text",
    [
        "Strategy meeting held on 12/11/2026 at 10:30, all agencies present.",
        "Review due 2026-11-12; core group on 1st December 2026.",
        "She was born prematurely. The core group met on 12/11/2026.",
        "Born into a family well known to services, the case was stepped down on 01/02/2024.",
        "His birthday party is on 4 June, mum would like contact that day.",
        "Baby born 3 weeks early, discharge planning meeting 12/11/2026.",
        "DOB 35/13/2019 was recorded in error and corrected.",
        "CIN review 07-11-2026 10:30 in room 3.",
    ],
)
def test_a_date_without_a_birth_cue_is_not_flagged(text: str) -> None:
    assert found(text) == []


def test_only_the_first_date_after_a_cue_is_its_date_of_birth() -> None:
    assert found("Jo was born 01/02/2019, adopted 03/04/2020") == [(DOB, "01/02/2019")]


def test_a_cue_reaches_across_three_words_but_not_four() -> None:
    assert found("born in Portsmouth on 01/02/2019") == [(DOB, "01/02/2019")]
    assert found("born early in Portsmouth on 01/02/2019") == []


def test_a_date_of_birth_finding_covers_the_date_not_the_cue() -> None:
    text = "DOB: 01/02/2019"
    (finding,) = find_identifiers(text)
    assert (finding.kind, finding.start, finding.end) == (DOB, 5, 15)


# --- Postcodes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode", ["PO1 2AB", "SO14 7DU", "po12ab", "GU51 3XX", "PO30 1UD", "SW1A 1AA", "so14 7du"]
)
def test_a_full_postcode_is_flagged_in_any_case_with_or_without_the_space(postcode: str) -> None:
    text = f"Family moved to {postcode} last month, new school place pending."
    assert found(text) == [(POSTCODE, postcode)]


def test_a_lower_case_inward_code_is_skipped_only_when_it_reads_as_an_ordinal() -> None:
    assert found("Now in the B12 2nd floor office") == []
    assert found("moved to po1 0st") == [(POSTCODE, "po1 0st")]
    assert found("moved to PO1 2ND") == [(POSTCODE, "PO1 2ND")]


def test_a_postcode_finding_covers_exactly_the_postcode() -> None:
    text = "Address on file: PO30 1UD."
    (finding,) = find_identifiers(text)
    assert (finding.kind, text[finding.start : finding.end]) == (POSTCODE, "PO30 1UD")
    assert (finding.start, finding.end) == (17, 25)


@pytest.mark.parametrize(
    "text",
    [
        "The family lives in the PO1 area near the station.",
        "She is in KS2 3rd set for maths.",
        "Y5 2nd half of term was difficult.",
        "Room B12 4th floor, Civic Offices.",
        "Step down to Tier 3, stage 3 of the procedure, ref ESC-2026-0007.",
        "CP1 2AB is not a real postcode area.",
    ],
)
def test_ordinary_text_with_letters_and_digits_is_not_a_postcode(text: str) -> None:
    assert found(text) == []


# --- Phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700 900 123",
        "07700900123",
        "07700-900-123",
        "0770 090 0123",
        "+44 7700 900123",
        "+447700900123",
        "0044 7700 900123",
        "+44 (0)23 8083 2000",
        "(023) 8083 2000",
        "023 8083 2000",
        "0113 496 0000",
        "01632 960123",
        "(01632) 960123",
        "0300 123 4567",
    ],
)
def test_a_uk_phone_number_is_flagged_in_the_ways_people_write_them(number: str) -> None:
    text = f"Mum can be reached on {number} after 3pm."
    assert found(text) == [(PHONE, number)]


def test_phone_numbers_given_as_alternatives_are_each_flagged() -> None:
    assert found("Mum's mobile 07700 900123/07700 900124") == [
        (PHONE, "07700 900123"),
        (PHONE, "07700 900124"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "CIN review 07-11-2026 10:30 in room 3.",
        "Meeting on 12/11/2026, 2 working days after stage 1.",
        "Respite costs £1,250.00 a month, 45% funded by health.",
        "Our reference 2026/01234 and theirs ESC-2026-0007.",
        "Childline is 0800 1111 and the NSPCC helpline 0808 800 5000.",
        "Attendance was 87.5% over 12 weeks, 3 of 15 sessions missed.",
        "Invoice 2026-07700900123 was paid by the school.",
    ],
)
def test_dates_times_money_references_and_helplines_are_not_phone_numbers(text: str) -> None:
    assert found(text) == []


# --- Email addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["kerry.hart1990@gmail.com", "mum.smith+kids@outlook.co.uk", "J_O'Neill@yahoo.com"]
)
def test_an_email_address_is_flagged_unless_allowed(address: str) -> None:
    text = f"Mum's email is {address}. She prefers email."
    assert found(text) == [(EMAIL, address)]
    assert found(text, allow_email=True) == []


@pytest.mark.parametrize(
    "text",
    [
        "Tag @PSCP in the Teams channel.",
        "Meet @ 10:30 at the Civic Offices.",
        "Contact the hub via the portal.",
    ],
)
def test_at_signs_without_an_address_are_not_email_addresses(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("sam.worker@council.example", True),
        ("hscp@hants.gov.uk", True),
        ("sam.worker@", False),
        ("sam worker@council.example", False),
        ("@council.example", False),
        ("sam.worker@council", False),
        ("sam.worker@council.example extra", False),
    ],
)
def test_a_plausible_email_is_one_address_and_nothing_else(text: str, plausible: bool) -> None:
    assert is_plausible_email(text) is plausible


# --- "Name:"-style labels ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Child's name: Jayden", "Jayden"),
        ("Child’s name: Jayden Price", "Jayden Price"),
        ("Name: Amelia-Rose, aged 6", "Amelia-Rose"),
        ("Mum: Kerry\nDad: Lee", "Kerry"),
        ("DAD: Lee Hart", "Lee Hart"),
        ("Surname: Okafor", "Okafor"),
        ("First name: Tia; surname withheld", "Tia"),
        ("Forename:Tia", "Tia"),
        ("Sibling: Noah (aged 4)", "Noah"),
        ("Address: 12 Acacia Avenue, Portsmouth", "12 Acacia Avenue"),
        ("mother:  Ms Hart", "Ms Hart"),
        ("Child: Jo Bloggs 7 years old", "Jo Bloggs"),
    ],
)
def test_text_after_a_name_or_address_label_is_flagged(text: str, value: str) -> None:
    assert found(text)[0] == (LABEL, value)


def test_each_label_on_its_own_line_is_flagged_separately() -> None:
    assert found("Mum: Kerry\nDad: Lee") == [(LABEL, "Kerry"), (LABEL, "Lee")]


@pytest.mark.parametrize(
    "text",
    [
        "Decision: to close the case at the front door.",
        "Mum said she was worried about the step down.",
        "Dad's view: he disagrees with the plan.",
        "Username: is set up by IT.",
        "Time: 10:30, venue: Civic Offices.",
        "Child: 7 years old, in Year 3.",
        "Name:",
    ],
)
def test_labels_that_do_not_introduce_a_name_are_not_flagged(text: str) -> None:
    assert found(text) == []


# --- Several at once -----------------------------------------------------------------------


def test_findings_in_a_realistic_note_are_sorted_by_position() -> None:
    text = (
        "Concern re: Child's name: Jayden. DOB 01/02/2019. Lives at PO1 2AB with mum "
        "(07700 900123, kerry.hart@gmail.com). NHS 943 476 5919. "
        "CIN plan reviewed 12/11/2026, Tier 3, 2 working days."
    )
    assert found(text) == [
        (LABEL, "Jayden"),
        (DOB, "01/02/2019"),
        (POSTCODE, "PO1 2AB"),
        (PHONE, "07700 900123"),
        (EMAIL, "kerry.hart@gmail.com"),
        (NHS, "943 476 5919"),
    ]


def test_ordinary_practice_text_has_no_findings() -> None:
    text = (
        "Stage 2 discussion with the social worker on 12/11/2026 at 10:30 did not resolve the "
        "disagreement about the step down from Tier 3. ESC-2026-0007 escalated to stage 3 within "
        "2 working days; 80% attendance, £40 bus fare agreed. Decision: refer to early help."
    )
    assert found(text) == []


def test_an_email_wins_over_a_postcode_inside_it_and_still_shields_it_when_allowed() -> None:
    text = "Write to po12ab@example.org please"
    assert found(text) == [(EMAIL, "po12ab@example.org")]
    assert found(text, allow_email=True) == []


def test_an_email_wins_over_the_label_it_follows() -> None:
    text = "Mum: kerry@example.org"
    assert found(text) == [(EMAIL, "kerry@example.org")]


def test_a_date_of_birth_wins_over_a_label_that_would_cover_it() -> None:
    # An address label keeps digits, so its text overlaps the date; the date is more specific.
    text = "Address: born 01/02/2019 per GP"
    assert found(text) == [(DOB, "01/02/2019")]


def test_an_nhs_number_inside_an_email_address_is_still_reported() -> None:
    text = "Sent from 9434765919@nhs.example"
    assert found(text, allow_email=True) == [(NHS, "9434765919")]


# --- Ways of writing that got past the guard before ----------------------------------------
#
# Each of these was reported by a security review as passing the guard untouched.


@pytest.mark.parametrize(
    ("text", "kind", "covered"),
    [
        ("NHS no. 943.476.5919 on the letter", NHS, "943.476.5919"),
        ("NHS no. 943/476/5919 on the letter", NHS, "943/476/5919"),
        ("NHS no. 943_476_5919 on the letter", NHS, "943_476_5919"),
        ("NHS no. (943) 476 5919 on the letter", NHS, "(943) 476 5919"),
        ("referral says nhs9434765919", NHS, "9434765919"),
        ("NHS ９４３ ４７６ ５９１９ per GP", NHS, "９４３ ４７６ ５９１９"),
        ("NHS 943\u200b476\u200b5919 per GP", NHS, "943\u200b476\u200b5919"),
        ("NHS 943\u200c476\u200d5919 per GP", NHS, "943\u200c476\u200d5919"),
        ("NHS 9434\u2060765919 per GP", NHS, "9434\u2060765919"),
        ("NHS 94347\ufeff65919 per GP", NHS, "94347\ufeff65919"),
        ("Moved to PO1\u200b2AB in May", POSTCODE, "PO1\u200b2AB"),
        ("Moved to P\u2060O1 2A\u200dB in May", POSTCODE, "P\u2060O1 2A\u200dB"),
        ("DOB 2015/04/03, Year 5", DOB, "2015/04/03"),
        ("Moved to PO1-2AB in May", POSTCODE, "PO1-2AB"),
        ("Mum on 07700.900.123 after 3pm", PHONE, "07700.900.123"),
        ("Mum on 077 00 900 123 after 3pm", PHONE, "077 00 900 123"),
        ("Mum on 0770\u200b0 900123 after 3pm", PHONE, "0770\u200b0 900123"),
        ("Email jayden(at)example.com please", EMAIL, "jayden(at)example.com"),
        ("Email jayden[at]example.com please", EMAIL, "jayden[at]example.com"),
        ("Email jayden＠example.com please", EMAIL, "jayden＠example.com"),
        ("Name - Jayden Smith", LABEL, "Jayden Smith"),
        ("Name – Jayden Smith", LABEL, "Jayden Smith"),
        ("Name= Jayden Smith", LABEL, "Jayden Smith"),
        ("I saw the child Jayden Smith at school", NAMED, "Jayden Smith"),
    ],
)
def test_what_got_past_the_guard_before_is_found(
    text: str, kind: IdentifierKind, covered: str
) -> None:
    assert found(text) == [(kind, covered)]


# --- Normalising: findings are spans of the text as typed ----------------------------------


def test_a_finding_over_a_full_width_number_covers_exactly_that_number() -> None:
    text = "NHS：９４３ ４７６ ５９１９。"
    (finding,) = find_identifiers(text)
    assert (finding.kind, finding.start, finding.end) == (NHS, 4, 16)
    assert text[finding.start : finding.end] == "９４３ ４７６ ５９１９"


def test_a_finding_over_a_number_with_zero_width_characters_includes_them() -> None:
    text = "Ref \u200b943\u200b476\u2060\u2060591\ufeff9\u200b, checked"
    (finding,) = find_identifiers(text)
    # The invisible characters inside the number are part of it; those around it are not.
    assert (finding.start, finding.end) == (5, 19)
    assert text[finding.start : finding.end] == "943\u200b476\u2060\u2060591\ufeff9"


def test_positions_after_invisible_and_wide_characters_stay_right() -> None:
    text = "\u200b\u200bＤＯＢ：０１/０２/２０１９, moved to ＰＯ１\u3000２ＡＢ"
    assert found(text) == [(DOB, "０１/０２/２０１９"), (POSTCODE, "ＰＯ１\u3000２ＡＢ")]


def test_a_letter_and_its_combining_accent_are_one_character_of_a_name() -> None:
    decomposed = "Zoe\u0301"  # "Zoé" typed as "e" and a combining acute accent
    text = f"Her daughter {decomposed} Hart was seen."
    assert found(text) == [(NAMED, f"{decomposed} Hart")]


def test_dashes_and_no_break_spaces_read_as_hyphens_and_spaces() -> None:
    assert found("Mum on 07700\u2013900\u2013123 or 07700\u00a0900124") == [
        (PHONE, "07700\u2013900\u2013123"),
        (PHONE, "07700\u00a0900124"),
    ]


def test_every_format_character_of_this_python_is_removed_before_matching() -> None:
    # The quick check that lets most answers skip normalising lists the format characters by
    # hand; it must know every one this Python's Unicode data has.
    format_characters = [
        chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    ]
    assert len(format_characters) > 150
    text = "NHS 943" + "".join(format_characters) + "4765919"
    assert found(text) == [(NHS, text[4:])]
    for char in format_characters:
        assert found(f"PO1{char} 2AB") == [(POSTCODE, f"PO1{char} 2AB")], hex(ord(char))


# --- Separators in numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["943 / 476 / 5919", "943  476  5919", "943 - 476 - 5919", "(943)476-5919", "943.4765919"],
)
def test_an_nhs_number_may_be_split_by_any_common_separator(written: str) -> None:
    assert found(f"NHS {written}.") == [(NHS, written)]


@pytest.mark.parametrize(
    "text",
    [
        "Ref 2026/943/476/5919 on the legal file.",
        "Batch 943.476.5919.2 was archived.",
        "Ref x9434765919 is not an NHS number.",
    ],
)
def test_an_nhs_number_inside_a_longer_reference_is_not_flagged(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "number",
    [
        "07700/900123",
        "07700_900123",
        "07700  900  123",
        "07700 . 900 . 123",
        "0770 0900 123",
        "(07700)-900123",
        "0113.496.0000",
        "+44.7700.900123",
    ],
)
def test_a_phone_number_may_be_split_by_any_common_separator(number: str) -> None:
    assert found(f"Call {number} today") == [(PHONE, number)]


def test_a_phone_number_followed_by_other_numbers_is_still_found() -> None:
    assert found("Mum 07700 900123 12 times") == [(PHONE, "07700 900123")]


@pytest.mark.parametrize(
    "text",
    [
        "Visit 0930 - 1030 then 1100 - 1200.",
        "Times 0930/1030/1130 for the three sessions.",
        "Meeting 03.11.2026 10.30 at the hub.",
        "Budget code 012-345-67 was used.",
        "Ref 2026/0123/4567 on the legal file.",
        "Ages 0-5, 5-11 and 11-16.",
    ],
)
def test_times_dates_and_references_with_separators_are_not_phone_numbers(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB 2015.04.03", "2015.04.03"),
        ("DOB 2015_04_03", "2015_04_03"),
        ("DOB 03 / 04 / 2015", "03 / 04 / 2015"),
        ("DOB 03 04 2015", "03 04 2015"),
        ("born 2015/4/3", "2015/4/3"),
    ],
)
def test_a_date_of_birth_may_be_written_year_first_or_with_any_separator(
    text: str, date: str
) -> None:
    assert found(text) == [(DOB, date)]


@pytest.mark.parametrize("written", ["PO1.2AB", "PO1/2AB", "PO1_2AB", "PO1 - 2AB", "PO1  2AB"])
def test_a_postcode_may_be_split_by_any_common_separator(written: str) -> None:
    assert found(f"Moved to {written} in May") == [(POSTCODE, written)]


# --- Obfuscated email addresses ------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "jayden (at) example.com",
        "jayden{at}example.com",
        "jayden<AT>example.com",
        "jayden @ example.com",
        "jayden﹫example.com",
        "jayden(at)example(dot)co(dot)uk",
        "jayden at example dot com",
        "jay\u200bden@exam\u200bple.com",
    ],
)
def test_an_email_address_written_to_fool_robots_is_flagged(address: str) -> None:
    assert found(f"Mum's email is {address}, she prefers it.") == [(EMAIL, address)]


@pytest.mark.parametrize(
    "text",
    [
        "Guidance is at hipsprocedures.org.uk for everyone.",
        "The form is at portsmouth.gov.uk and on the intranet.",
        "Meet at 10.30 at the Civic Offices.",
        "Mum was at Dot's house at the time.",
        "Tag @PSCP (at) the top of the post.",
    ],
)
def test_a_plain_at_before_a_web_address_is_not_an_email(text: str) -> None:
    assert found(text) == []


# --- Labels with a dash or an equals sign --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Name - Jayden Smith - aged 7", "Jayden Smith"),
        ("Child's name — Jayden", "Jayden"),
        ("Mum -  Kerry Hart, 34", "Kerry Hart"),
        ("Surname = Okafor", "Okafor"),
        ("Address - 12 Acacia Avenue, Portsmouth", "12 Acacia Avenue"),
        ("Dad -Lee", "Lee"),
    ],
)
def test_a_label_followed_by_a_dash_or_equals_sign_counts_like_a_colon(
    text: str, value: str
) -> None:
    assert found(text) == [(LABEL, value)]


@pytest.mark.parametrize(
    "text",
    [
        "The child - who is 7 - said she was hungry.",
        "Child - In Need plan in place.",
        "Mum - DNA twice this month.",
        "Dad - Not known to us.",
        "Name - TBC",
        "A child-friendly space was used.",
        "Mum-and-baby group on Fridays.",
    ],
)
def test_a_dash_after_a_label_word_is_ordinary_punctuation_unless_a_name_follows(
    text: str,
) -> None:
    assert found(text) == []


# --- Names after words such as "child" or "mum" --------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I saw the child Jayden Smith at school.", "Jayden Smith"),
        ("Her son, Tyler, was seen alone.", "Tyler"),
        ("Mum (Kerry) said she was worried.", "Kerry"),
        ("Mum Kerry attended, dad did not.", "Kerry"),
        ("Stepdad Lee O'Neill lives there.", "Lee O'Neill"),
        ("Her step-daughter Mia was upset.", "Mia"),
        ("His half brother Kai is 19.", "Kai"),
        ("Baby Ava McDonald was weighed.", "Ava McDonald"),
        ("The young person Noah said he felt safe.", "Noah"),
        ("Mum's boyfriend Lee moved in.", "Lee"),
        ("Nan, Mrs Price, collects them.", "Mrs Price"),
        ("Her daughter Amelia-Rose Jane Hart Smith attends.", "Amelia-Rose Jane Hart"),
        ("the child Jayden's school rang", "Jayden's"),
        ("YP Jordan disclosed on Friday.", "Jordan"),
        ("Child Łucja was seen.", "Łucja"),
    ],
)
def test_a_name_after_a_word_for_a_child_or_relative_is_flagged(text: str, name: str) -> None:
    assert found(text) == [(NAMED, name)]


@pytest.mark.parametrize(
    "text",
    [
        "The Child Protection Conference agreed a plan.",
        "Child In Need plan reviewed.",
        "Children's Services will attend.",
        "Children Looked After team chair the review.",
        "Child Exploitation team are involved.",
        "Child Sexual Exploitation was discussed.",
        "Mum and Dad attended.",
        "Mum, Dad and Nan attended.",
        "Mum, Dad's partner and Nan attended.",
        "Dad said he would call on Monday.",
        "Mum DNA'd the appointment.",
        "The child CAMHS appointment moved.",
        "Child A and Child B were discussed.",
        "The child (Year 4) was late.",
        "The child, Aged 6, was seen alone.",
        "Mum Monday, Dad Tuesday: the contact rota.",
        "Baby Bank gave a pram.",
        "Dad Matters offered peer support.",
        "The child, Multi-Agency Safeguarding Hub said, is known.",
        "Young Carers Project accepted the referral.",
        "Child and Adolescent Mental Health Services declined.",
        "A child-friendly room was used.",
        "The mum's partner attended.",
        "Spoke to mum.\nKerry from school rang later.",
    ],
)
def test_agency_team_plan_and_relative_words_after_child_or_mum_are_not_names(
    text: str,
) -> None:
    assert found(text) == []


def test_a_bare_name_is_not_caught_which_is_why_the_cards_ask_for_no_names() -> None:
    # Honest limits: with nothing pointing at it, or in capitals, a name reads like any word.
    assert found("Jayden Smith attended with his worker.") == []
    assert found("Spoke to the child JAYDEN SMITH.") == []


# --- Descriptions never quote the text -----------------------------------------------------


def test_descriptions_name_the_kind_in_plain_english() -> None:
    assert IdentifierFinding(NHS, 0, 10).description == "something that looks like an NHS number"
    assert describe_kinds([DOB, POSTCODE]) == (
        "something that looks like a date of birth and a postcode"
    )
    assert describe_kinds([PHONE, EMAIL, PHONE, NHS]) == (
        "something that looks like a phone number, an email address and an NHS number"
    )
    assert describe_kinds([NAMED]) == (
        "something that looks like a name after a word such as 'child' or 'mum'"
    )


def test_describing_no_kinds_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        describe_kinds([])


def test_a_finding_must_cover_at_least_one_character() -> None:
    with pytest.raises(ValueError, match="at least one character"):
        IdentifierFinding(POSTCODE, 5, 5)


FRAGMENTS = [
    "Child's name: Jayden. ",
    "DOB 01/02/2019 ",
    "PO1 2AB ",
    "07700 900123 ",
    "jo@example.org ",
    "943 476 5919 ",
    "Mum: Kerry ",
    "Address: 12 Acacia Avenue, ",
    "met 12/11/2026 ",
    "Tier 3 ",
    "stage 2 ",
    "the child Jayden Smith ",
    "Name - Kerry ",
    "９４３ ４７６ ５９１９ ",
    "PO1\u200b2AB ",
    "jo(at)example.org ",
    "07700.900.123 ",
    "\u200b",
    "Child Protection Conference ",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12), st.booleans())
def test_findings_are_sorted_non_overlapping_and_inside_the_text(
    fragments: list[str], allow_email: bool
) -> None:
    text = "".join(fragments)
    findings = find_identifiers(text, allow_email=allow_email)
    assert list(findings) == sorted(findings, key=lambda finding: finding.start)
    for before, after in pairwise(findings):
        assert before.end <= after.start
    assert all(0 <= finding.start < finding.end <= len(text) for finding in findings)
    if allow_email:
        assert all(finding.kind is not EMAIL for finding in findings)
