"""Validation of identity numbers; errors never repeat the number.

Field apps send numbers typed on any keyboard: the same twelve digits in
Devanagari, full-width or ASCII must clean to the same ASCII digits (or the
one-Aadhaar rule is three rules), and anything digit-like that is not a
decimal digit is refused as INVALID, never an internal error.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import DomainError, ErrorCode
from identity.numbers import (
    MAX_NUMBER_LENGTH,
    ascii_digits,
    clean_aadhaar,
    clean_account,
    clean_ifsc,
)

AADHAAR = "234567890124"
ACCOUNT = "30012345678"

# The zero of each script whose decimal digits a field app may send.
ZEROS = {
    "devanagari": 0x0966,
    "bengali": 0x09E6,
    "gurmukhi": 0x0A66,
    "gujarati": 0x0AE6,
    "odia": 0x0B66,
    "tamil": 0x0BE6,
    "telugu": 0x0C66,
    "kannada": 0x0CE6,
    "malayalam": 0x0D66,
    "arabic-indic": 0x0660,
    "extended arabic-indic": 0x06F0,
    "full-width": 0xFF10,
    "mathematical bold": 0x1D7CE,
}


def written_in(digits: str, zero: int) -> str:
    return digits.translate({ord("0") + d: zero + d for d in range(10)})


@pytest.mark.parametrize(
    "raw", ["234567890124", "2345 6789 0124", "2345-6789-0124", " 234567890124 "]
)
def test_aadhaar_separators_are_tolerated(raw: str) -> None:
    assert clean_aadhaar(raw) == "234567890124"


@pytest.mark.parametrize("script", sorted(ZEROS))
def test_every_scripts_digits_clean_to_the_same_ascii(script: str) -> None:
    aadhaar = written_in(AADHAAR, ZEROS[script])
    assert aadhaar != AADHAAR
    assert clean_aadhaar(aadhaar) == AADHAAR
    assert clean_aadhaar(f"{aadhaar[:4]} {aadhaar[4:8]}-{aadhaar[8:]}") == AADHAAR
    assert clean_account(written_in(ACCOUNT, ZEROS[script])) == ACCOUNT


def test_scripts_may_be_mixed_within_one_number() -> None:
    mixed = written_in(AADHAAR[:4], ZEROS["devanagari"]) + AADHAAR[4:8]
    mixed += written_in(AADHAAR[8:], ZEROS["full-width"])
    assert clean_aadhaar(mixed) == AADHAAR


@pytest.mark.parametrize(
    "separator",
    [
        "\u00a0",  # no-break space
        "\u2009",  # thin space
        "\u202f",  # narrow no-break space
        "\u3000",  # ideographic space
        "\t",
        "\u2010",  # hyphen
        "\u2011",  # non-breaking hyphen
        "\u2013",  # en dash
        "\u2014",  # em dash
        "\u2212",  # minus sign
        "\ufe63",  # small hyphen-minus
        "\uff0d",  # full-width hyphen-minus
        "\u200b",  # zero-width space
        "\u200c",  # zero-width non-joiner (Indic keyboards insert them)
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # byte order mark
        "\u00ad",  # soft hyphen
        "\u200e",  # left-to-right mark (beside Arabic-Indic digits)
    ],
)
def test_unicode_spaces_dashes_and_invisible_marks_are_separators(separator: str) -> None:
    raw = separator.join([AADHAAR[:4], AADHAAR[4:8], AADHAAR[8:]])
    assert clean_aadhaar(raw) == AADHAAR
    assert clean_account(separator.join([ACCOUNT[:5], ACCOUNT[5:]])) == ACCOUNT


@pytest.mark.parametrize(
    "intruder",
    [
        "\u00b2",  # superscript two: isdigit() but no decimal value
        "\u2082",  # subscript two
        "\u2461",  # circled two
        "\u2474",  # parenthesised one
        "\u00bd",  # one half
        "\u2161",  # roman numeral two
        "\u136a",  # ethiopic digit two (isdigit, not decimal)
        "\U0001f102",  # digit one comma
        "a",
        "+",
        ".",
        "/",
        "\x00",
        "\n\x00",
        "\u0301",  # a combining accent riding on a digit
    ],
)
def test_digit_likes_that_are_not_decimal_digits_are_refused_as_invalid(intruder: str) -> None:
    raw = AADHAAR[:11] + intruder
    for clean, field in ((clean_aadhaar, "aadhaar"), (clean_account, "bankAccount")):
        with pytest.raises(DomainError) as caught:
            clean(raw)
        assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID, field)
        assert AADHAAR[:11] not in caught.value.message


def test_a_huge_input_is_refused_without_being_read() -> None:
    huge = "४" * 10_000_000
    with pytest.raises(DomainError) as caught:
        clean_aadhaar(huge)
    assert caught.value.code is ErrorCode.INVALID
    # Refused on its length alone: a lone separator inside the limit is still fine.
    assert clean_aadhaar(AADHAAR + " " * (MAX_NUMBER_LENGTH - len(AADHAAR))) == AADHAAR
    with pytest.raises(DomainError):
        clean_aadhaar(AADHAAR + " " * (MAX_NUMBER_LENGTH - len(AADHAAR) + 1))


@pytest.mark.parametrize("value", [234567890124, 2.3e11, b"234567890124", None, ["2"], object()])
def test_anything_but_text_is_refused_as_invalid(value: Any) -> None:
    with pytest.raises(DomainError) as caught:
        ascii_digits(value, "aadhaar", "An Aadhaar number is 12 digits")
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID, "aadhaar")
    with pytest.raises(DomainError):
        clean_aadhaar(value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("234567890123", "check digit"),
        ("134567890124", "0 or 1"),
        (written_in("134567890124", ZEROS["devanagari"]), "0 or 1"),
        (written_in("234567890123", ZEROS["full-width"]), "check digit"),
        ("23456789012", "12 digits"),
        ("23456789012a", "12 digits"),
        ("23456789012\u00b2", "12 digits"),
        ("", "12 digits"),
        ("   ", "12 digits"),
    ],
)
def test_bad_aadhaar(raw: str, message: str) -> None:
    with pytest.raises(DomainError, match=message) as caught:
        clean_aadhaar(raw)
    assert caught.value.field == "aadhaar"
    assert caught.value.code is ErrorCode.INVALID
    assert not raw.strip() or raw not in caught.value.message


def test_ifsc_and_account() -> None:
    assert clean_ifsc(" sbin0001234 ") == "SBIN0001234"
    assert clean_account("1234 5678 901") == "12345678901"
    for bad in ["SBIN1001234", "SBI00001234", "SBIN000123"]:
        with pytest.raises(DomainError):
            clean_ifsc(bad)
    for bad in ["12345678", "1" * 19, "12345678x", "12345678\u00b9", "\u2460" * 10]:
        with pytest.raises(DomainError) as caught:
            clean_account(bad)
        assert caught.value.field == "bankAccount"
