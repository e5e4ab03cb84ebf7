"""Validating Aadhaar, bank account and mobile numbers, and how they are shown.

These functions see raw numbers only to check and tokenise them; their errors
say what is wrong with the field, never what it held.

Every number is first brought to ASCII digits by :func:`ascii_digits`, the
one door for digits: a field app may send Devanagari or full-width digits,
and one woman's Aadhaar must make one token however it was typed. Decimal
digits of any script are read as their values; anything else digit-like
(superscripts, circled or fractional numbers, Roman numerals) is refused.

>>> clean_aadhaar("2345 6789 0124")
'234567890124'
>>> clean_aadhaar("२३४५ ६७८९ ०१२४")
'234567890124'
>>> masked_aadhaar("0124")
'XXXX-XXXX-0124'
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import DomainError, ErrorCode
from identity.verhoeff import is_valid

_IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
_ASCII_DIGITS = frozenset("0123456789")
# An 18-digit account with a separator between every digit still fits; a
# longer input is refused on its length before a character of it is read.
MAX_NUMBER_LENGTH = 64
_MINUS_SIGN = "\u2212"


def _is_separator(ch: str) -> bool:
    """Spaces of any width, dashes, and invisible format marks typed between digits.

    Format marks (category Cf: zero-width space and joiners, the soft hyphen,
    direction marks, the byte order mark) show nothing, so two inputs that
    look the same must read the same.
    """
    return ch.isspace() or ch == _MINUS_SIGN or unicodedata.category(ch) in ("Pd", "Cf")


def ascii_digits(raw: object, field: str, rule: str) -> str:
    """The digits of ``raw`` as ASCII, separators dropped; ``rule`` is the error's message.

    >>> ascii_digits("९८७६५ ०१२३४", "mobile", "A mobile number is 10 digits")
    '9876501234'
    """
    if not isinstance(raw, str) or len(raw) > MAX_NUMBER_LENGTH:
        raise DomainError(ErrorCode.INVALID, field, rule)
    digits = []
    for ch in raw:
        if ch in _ASCII_DIGITS:
            digits.append(ch)
            continue
        value = unicodedata.decimal(ch, None)
        if value is not None:
            digits.append(str(value))
        elif not _is_separator(ch):
            raise DomainError(ErrorCode.INVALID, field, rule)
    return "".join(digits)


def clean_aadhaar(raw: object, field: str = "aadhaar") -> str:
    """The 12 digits of a valid Aadhaar number (spaces and hyphens allowed in input)."""
    rule = "An Aadhaar number is 12 digits"
    digits = ascii_digits(raw, field, rule)
    if len(digits) != 12:
        raise DomainError(ErrorCode.INVALID, field, rule)
    if digits[0] in "01":
        raise DomainError(ErrorCode.INVALID, field, "An Aadhaar number does not start with 0 or 1")
    if not is_valid(digits):
        raise DomainError(ErrorCode.INVALID, field, "This Aadhaar number fails its check digit")
    return digits


def clean_ifsc(raw: object, field: str = "bankIfsc") -> str:
    """An IFSC: four letters (the bank), a zero, six letters or digits (the branch)."""
    code = raw.strip().upper() if isinstance(raw, str) and len(raw) <= MAX_NUMBER_LENGTH else ""
    if not _IFSC.match(code):
        raise DomainError(
            ErrorCode.INVALID, field, "An IFSC is 4 letters, a 0, then 6 letters or digits"
        )
    return code


def clean_account(raw: object, field: str = "bankAccount") -> str:
    rule = "A bank account number is 9 to 18 digits"
    digits = ascii_digits(raw, field, rule)
    if not 9 <= len(digits) <= 18:
        raise DomainError(ErrorCode.INVALID, field, rule)
    return digits


def masked_aadhaar(last4: str) -> str:
    return f"XXXX-XXXX-{last4}"


def masked_account(last4: str) -> str:
    return f"XXXXXX{last4}"
