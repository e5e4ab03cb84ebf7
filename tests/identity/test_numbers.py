"""Validation of identity numbers; errors never repeat the number."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from identity.numbers import clean_aadhaar, clean_account, clean_ifsc


@pytest.mark.parametrize(
    "raw", ["234567890124", "2345 6789 0124", "2345-6789-0124", " 234567890124 "]
)
def test_aadhaar_separators_are_tolerated(raw: str) -> None:
    assert clean_aadhaar(raw) == "234567890124"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("234567890123", "check digit"),
        ("134567890124", "0 or 1"),
        ("23456789012", "12 digits"),
        ("23456789012a", "12 digits"),
    ],
)
def test_bad_aadhaar(raw: str, message: str) -> None:
    with pytest.raises(DomainError, match=message) as caught:
        clean_aadhaar(raw)
    assert caught.value.field == "aadhaar"
    assert raw not in caught.value.message


def test_ifsc_and_account() -> None:
    assert clean_ifsc(" sbin0001234 ") == "SBIN0001234"
    assert clean_account("1234 5678 901") == "12345678901"
    for bad in ["SBIN1001234", "SBI00001234", "SBIN000123"]:
        with pytest.raises(DomainError):
            clean_ifsc(bad)
    for bad in ["12345678", "1" * 19, "12345678x"]:
        with pytest.raises(DomainError) as caught:
            clean_account(bad)
        assert caught.value.field == "bankAccount"
