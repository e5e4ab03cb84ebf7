"""Digital member IDs: random, filtered, check-digited.

An ID is 11 digits: 10 drawn at random (so neighbours cannot be guessed from
one another) and a Verhoeff check digit that catches a mistyped digit or two
swapped neighbours. Like Aadhaar's own issuance, draws with a leading 0 or 1,
four equal digits in a row, or a run of four ascending or descending digits
are thrown away. Being 11 digits long, an ID can never be mistaken for a
12-digit Aadhaar number.

>>> is_valid_member_id(new_member_id())
True
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable

from identity.verhoeff import check_digit, is_valid

MEMBER_ID_LENGTH = 11
_RUN = 4


def _has_bad_run(digits: str) -> bool:
    for start in range(len(digits) - _RUN + 1):
        window = [int(d) for d in digits[start : start + _RUN]]
        steps = {b - a for a, b in itertools.pairwise(window)}
        if len(steps) == 1 and steps.pop() in (-1, 0, 1):
            return True
    return False


def _acceptable(body: str) -> bool:
    return body[0] not in "01" and not _has_bad_run(body)


def new_member_id(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """Draw a fresh ID; the caller still checks it against the issued ones.

    ``randbelow`` is the random source: the OS's by default; seeded demo data
    passes its own so a run can be repeated.
    """
    while True:
        body = str(randbelow(10 ** (MEMBER_ID_LENGTH - 1))).zfill(MEMBER_ID_LENGTH - 1)
        if not _acceptable(body):
            continue
        candidate = body + check_digit(body)
        if not _has_bad_run(candidate):
            return candidate


def is_valid_member_id(text: str) -> bool:
    return (
        len(text) == MEMBER_ID_LENGTH
        and is_valid(text)
        and _acceptable(text[:-1])
        and not _has_bad_run(text)
    )
