"""Verhoeff check digits against published vectors, and the errors they must catch."""

from __future__ import annotations

import pytest

from identity.verhoeff import check_digit, is_valid


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("236", "3"),
        ("12345", "1"),
        ("142857", "0"),
        ("123456789012", "0"),
        ("8473643095483728456789", "2"),
        ("23456789012", "4"),
    ],
)
def test_published_vectors(digits: str, check: str) -> None:
    assert check_digit(digits) == check
    assert is_valid(digits + check)


def test_aadhaar_example_from_the_design() -> None:
    assert is_valid("234567890124")
    assert not is_valid("234567890123")


def test_every_single_digit_error_and_adjacent_swap_is_caught() -> None:
    number = "50847162339"
    number += check_digit(number)
    for position in range(len(number)):
        for digit in "0123456789":
            if digit != number[position]:
                assert not is_valid(number[:position] + digit + number[position + 1 :])
    for position in range(len(number) - 1):
        a, b = number[position], number[position + 1]
        if a != b:
            assert not is_valid(number[:position] + b + a + number[position + 2 :])


def test_non_digits_are_refused() -> None:
    assert not is_valid("12a4")
    with pytest.raises(ValueError, match="digits"):
        check_digit("12a")
