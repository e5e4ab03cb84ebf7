"""Field rules shared by the hierarchy's services: names, dates, phone numbers.

Each check raises a :class:`DomainError` naming the field in the API's own
spelling, and never echoes the value back.
"""

from __future__ import annotations

import re
from datetime import date

from core.errors import DomainError, ErrorCode
from identity.numbers import ascii_digits

MAX_NAME_LENGTH = 128
_MOBILE = re.compile(r"^[6-9][0-9]{9}$")
OLDEST_BIRTH_YEAR = 1900


def clean_name(value: str | None, field: str, *, required: bool = True) -> str | None:
    """Collapse runs of white space; refuse empty, over-long or control-character names."""
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise DomainError(ErrorCode.REQUIRED, field, "This name is required")
        return None
    if len(text) > MAX_NAME_LENGTH:
        raise DomainError(
            ErrorCode.INVALID, field, f"Names are at most {MAX_NAME_LENGTH} characters"
        )
    if any(not ch.isprintable() for ch in text):
        raise DomainError(ErrorCode.INVALID, field, "Names cannot hold control characters")
    return text


def check_not_future(value: date, field: str, today: date) -> None:
    if value > today:
        raise DomainError(ErrorCode.INVALID, field, "This date is in the future")


def check_not_before(value: date, earliest: date, field: str, what: str) -> None:
    if value < earliest:
        raise DomainError(ErrorCode.INVALID, field, f"This date is before {what}")


def clean_mobile(value: str | None) -> str | None:
    """An Indian mobile number: 10 digits starting 6–9; a +91, 0091 or 0 prefix is dropped.

    Digits typed in any script are stored as ASCII (:func:`identity.numbers.ascii_digits`).
    """
    if value is None or not value.strip():
        return None
    rule = "A mobile number is 10 digits starting with 6 to 9"
    text = value.strip()
    international = text.startswith("+")
    digits = ascii_digits(text.removeprefix("+"), "mobile", rule)
    if international and not digits.startswith("91"):
        raise DomainError(ErrorCode.INVALID, "mobile", rule)
    digits = re.sub(r"^91" if international else r"^(0091|0)", "", digits)
    if not _MOBILE.match(digits):
        raise DomainError(ErrorCode.INVALID, "mobile", rule)
    return digits


def check_birth(birth_date: date | None, birth_year: int | None, today: date) -> None:
    if birth_date is None and birth_year is None:
        raise DomainError(ErrorCode.REQUIRED, "birthDate", "Give a birth date or a birth year")
    if birth_date is not None:
        check_not_future(birth_date, "birthDate", today)
        if birth_date.year < OLDEST_BIRTH_YEAR:
            raise DomainError(ErrorCode.INVALID, "birthDate", "This birth date is too far back")
    if birth_year is not None:
        if not OLDEST_BIRTH_YEAR <= birth_year <= today.year:
            raise DomainError(
                ErrorCode.INVALID, "birthYear", f"Birth year must be {OLDEST_BIRTH_YEAR} to now"
            )
        if birth_date is not None and birth_date.year != birth_year:
            raise DomainError(
                ErrorCode.INVALID, "birthYear", "Birth year differs from the birth date"
            )
