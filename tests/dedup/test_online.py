"""The newcomer of an enrolment compares with each stored member under that member's key version."""

from __future__ import annotations

from dedup.online import Newcomer
from dedup.person import Person, person


def _p(bank: str | None, aadhaar: str | None = None) -> Person:
    return person(
        "1", name="Sunita Devi", relative_name="Ramesh", relation="husband",
        birth_date=None, birth_year=1985, mobile=None, bank=bank, aadhaar=aadhaar,
        state="S", district="D", block="B", village="V",
    )  # fmt: skip


def test_her_tokens_are_taken_under_the_stored_members_key_version() -> None:
    her = Newcomer(_p("v2:b2", "v2:a2"), ("v2:a2", "v1:a1"), ("v2:b2", "v1:b1"))
    seen = her.as_seen_by(_p("v1:xx", "v1:yy"))
    assert (seen.bank, seen.aadhaar) == ("v1:b1", "v1:a1")
    seen = her.as_seen_by(_p("v2:xx", None))
    assert (seen.bank, seen.aadhaar) == ("v2:b2", "v2:a2")
    retired = her.as_seen_by(_p("v0:xx", "v0:yy"))  # a key no longer active: no evidence
    assert (retired.bank, retired.aadhaar) == (None, None)
    assert {"b:v2:b2", "b:v1:b1"} <= set(her.keys())
    assert {"a:v2:a2", "a:v1:a1"} <= set(her.keys(with_aadhaar=True))


def test_without_older_tokens_her_records_own_are_used() -> None:
    seen = Newcomer(_p("v1:b1", "v1:a1")).as_seen_by(_p("v1:xx", "v1:yy"))
    assert (seen.bank, seen.aadhaar) == ("v1:b1", "v1:a1")
    bare = Newcomer(_p(None)).as_seen_by(_p("v1:xx", "v1:yy"))
    assert (bare.bank, bare.aadhaar) == (None, None)
