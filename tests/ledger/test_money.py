"""Money is integer paise; rupee text is parsed exactly or refused."""

from __future__ import annotations

import time

import pytest

from core.errors import DomainError
from core.money import MAX_PAISE, format_rupees, parse_rupees


@pytest.mark.parametrize(
    ("text", "paise"),
    [
        ("0", 0),
        ("1", 100),
        ("1250.5", 125050),
        ("1250.50", 125050),
        ("0.01", 1),
        ("1,00,000", 10_000_000),
    ],
)
def test_rupees_to_paise(text: str, paise: int) -> None:
    assert parse_rupees(text, "amount") == paise


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "negative"),
        ("10.005", "paisa"),
        ("ten", "rupees"),
        ("NaN", "rupees"),
        ("Infinity", "rupees"),
        (str(MAX_PAISE), "beyond"),
        ("1e3", "rupees"),
        ("1e999999", "rupees"),
        ("1" * 40, "rupees"),
        ("1.2.3", "rupees"),
    ],
)
def test_bad_amounts(text: str, message: str) -> None:
    with pytest.raises(DomainError, match=message) as caught:
        parse_rupees(text, "lines[0].debit")
    assert caught.value.field == "lines[0].debit"


def test_format() -> None:
    assert [format_rupees(p) for p in (0, 1, 125050, -250)] == ["0.00", "0.01", "1250.50", "-2.50"]


@pytest.mark.parametrize("text", ["1e900000", "1E900000", "9" * 30 + "e900000"])
def test_an_exponent_is_refused_at_once(text: str) -> None:
    """Eight characters once built a 900,000-digit integer and held the server for 20 s."""
    started = time.perf_counter()
    with pytest.raises(DomainError, match="rupees"):
        parse_rupees(text, "amount")
    assert time.perf_counter() - started < 0.1
