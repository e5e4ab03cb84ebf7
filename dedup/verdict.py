"""The outcome of checking a new member against everyone already enrolled."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """CLEAR: enrolled. REVIEW: held until an admin decides. DUPLICATE: refused."""

    CLEAR = "clear"
    REVIEW = "review"
    DUPLICATE = "duplicate"
