"""The Verhoeff check digit (dihedral group D5), as used by Aadhaar.

It catches every single-digit error and every swap of adjacent digits.

>>> check_digit("23456789012")
'4'
>>> is_valid("234567890124")
True
"""

from __future__ import annotations

_MULTIPLY = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_PERMUTE = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INVERSE = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _checksum(digits: str, offset: int) -> int:
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _MULTIPLY[check][_PERMUTE[(position + offset) % 8][int(digit)]]
    return check


def check_digit(digits: str) -> str:
    """The digit to append to ``digits`` so that the whole passes :func:`is_valid`."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("Verhoeff works on decimal digits only")
    return str(_INVERSE[_checksum(digits, 1)])


def is_valid(digits: str) -> bool:
    """Whether ``digits`` ends in its correct Verhoeff check digit."""
    return digits.isascii() and digits.isdigit() and _checksum(digits, 0) == 0
