"""Comparators across an identity-key rotation: tokens of two key versions are no evidence."""

from __future__ import annotations

from dedup.compare import NULL, bank, contradicts
from dedup.person import Person, person


def _p(ref: str, bank_token: str | None, aadhaar: str | None = None) -> Person:
    return person(
        ref, name="Sunita Devi", relative_name="Ramesh", relation="husband",
        birth_date=None, birth_year=1985, mobile=None, bank=bank_token, aadhaar=aadhaar,
        state="S", district="D", block="B", village="V",
    )  # fmt: skip


def test_bank_tokens_under_two_key_versions_compare_as_unknown_not_different() -> None:
    assert bank(_p("1", "v1:aaaa"), _p("2", "v1:aaaa")) == 1  # the same, within one block
    assert bank(_p("1", "v1:aaaa"), _p("2", "v1:bbbb")) == 0  # different accounts
    # One account tokenised before and after a rotation gives two tokens.
    assert bank(_p("1", "v1:aaaa"), _p("2", "v2:bbbb")) == NULL


def test_aadhaar_tokens_contradict_only_under_one_key_version() -> None:
    assert contradicts(_p("1", None, "v1:aaaa"), _p("2", None, "v1:bbbb"))
    assert not contradicts(_p("1", None, "v1:aaaa"), _p("2", None, "v2:bbbb"))
