"""Digital member IDs: random, filtered like national ID numbers, check-digited."""

from __future__ import annotations

import itertools
import random

from identity.member_id import MEMBER_ID_LENGTH, is_valid_member_id, new_member_id
from identity.verhoeff import is_valid


def test_ids_are_valid_filtered_and_never_aadhaar_shaped() -> None:
    ids = [new_member_id() for _ in range(2_000)]
    assert len(set(ids)) == len(ids)
    for member_id in ids:
        assert len(member_id) == MEMBER_ID_LENGTH != 12
        assert member_id[0] not in "01"
        assert is_valid(member_id) and is_valid_member_id(member_id)
        for start in range(len(member_id) - 3):
            run = [int(d) for d in member_id[start : start + 4]]
            steps = {b - a for a, b in itertools.pairwise(run)}
            assert not (len(steps) == 1 and steps.pop() in (-1, 0, 1)), member_id


def test_a_seeded_source_repeats() -> None:
    first = [new_member_id(random.Random(5).randrange) for _ in range(3)]
    again = [new_member_id(random.Random(5).randrange) for _ in range(3)]
    assert first == again


def test_typos_are_rejected() -> None:
    member_id = new_member_id()
    wrong = member_id[:-1] + str((int(member_id[-1]) + 1) % 10)
    assert not is_valid_member_id(wrong)
    assert not is_valid_member_id("11111111111")
