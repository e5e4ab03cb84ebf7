"""Validating Aadhaar and bank account numbers, and how they are shown.

These functions see raw numbers only to check and tokenise them; their errors
say what is wrong with the field, never what it held.

>>> clean_aadhaar("2345 6789 0124")
'234567890124'
>>> masked_aadhaar("0124")
'XXXX-XXXX-0124'
"""

from __future__ import annotations

import re

from core.errors import DomainError, ErrorCode
from identity.verhoeff import is_valid

_SEPARATORS = re.compile(r"[\s-]")
_IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")


def _digits(raw: str) -> str:
    return _SEPARATORS.sub("", raw)


def clean_aadhaar(raw: str, field: str = "aadhaar") -> str:
    """The 12 digits of a valid Aadhaar number (spaces and hyphens allowed in input)."""
    digits = _digits(raw)
    if len(digits) != 12 or not digits.isdigit():
        raise DomainError(ErrorCode.INVALID, field, "An Aadhaar number is 12 digits")
    if digits[0] in "01":
        raise DomainError(ErrorCode.INVALID, field, "An Aadhaar number does not start with 0 or 1")
    if not is_valid(digits):
        raise DomainError(ErrorCode.INVALID, field, "This Aadhaar number fails its check digit")
    return digits


def clean_ifsc(raw: str, field: str = "bankIfsc") -> str:
    """An IFSC: four letters (the bank), a zero, six letters or digits (the branch)."""
    code = raw.strip().upper()
    if not _IFSC.match(code):
        raise DomainError(
            ErrorCode.INVALID, field, "An IFSC is 4 letters, a 0, then 6 letters or digits"
        )
    return code


def clean_account(raw: str, field: str = "bankAccount") -> str:
    digits = _digits(raw)
    if not digits.isdigit() or not 9 <= len(digits) <= 18:
        raise DomainError(ErrorCode.INVALID, field, "A bank account number is 9 to 18 digits")
    return digits


def masked_aadhaar(last4: str) -> str:
    return f"XXXX-XXXX-{last4}"


def masked_account(last4: str) -> str:
    return f"XXXXXX{last4}"
