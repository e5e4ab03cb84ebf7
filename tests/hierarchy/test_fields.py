"""Mobile numbers clean to ASCII digits whatever script they were typed in."""

from __future__ import annotations

import pytest

from core.errors import DomainError, ErrorCode
from hierarchy.fields import clean_mobile
from tests.identity.test_numbers import ZEROS, written_in

MOBILE = "9876501234"


@pytest.mark.parametrize("script", sorted(ZEROS))
def test_a_mobile_in_any_script_is_stored_in_ascii(script: str) -> None:
    typed = written_in(MOBILE, ZEROS[script])
    assert clean_mobile(typed) == MOBILE
    assert (
        clean_mobile(f"+{written_in('91', ZEROS[script])} {typed[:5]}\u00a0{typed[5:]}") == MOBILE
    )
    assert clean_mobile(written_in("0", ZEROS[script]) + typed) == MOBILE


@pytest.mark.parametrize(
    "raw", ["+91 98765 01234", "0091-9876501234", "09876501234", "98765\u200b01234"]
)
def test_prefixes_and_separators(raw: str) -> None:
    assert clean_mobile(raw) == MOBILE


@pytest.mark.parametrize(
    "raw",
    [
        "987650123\u00b2",  # a superscript has no decimal value
        "98765\u2460234",
        "5876501234",
        "98765012345",
        "9876+501234",
        "९" * 10_000_000,
    ],
)
def test_bad_mobiles_are_invalid(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        clean_mobile(raw)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID, "mobile")
