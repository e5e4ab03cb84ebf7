"""Money is integer paise; rupee text is parsed exactly or refused."""

from __future__ import annotations

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
    ],
)
def test_bad_amounts(text: str, message: str) -> None:
    with pytest.raises(DomainError, match=message) as caught:
        parse_rupees(text, "lines[0].debit")
    assert caught.value.field == "lines[0].debit"


def test_format() -> None:
    assert [format_rupees(p) for p in (0, 1, 125050, -250)] == ["0.00", "0.01", "1250.50", "-2.50"]
