"""The columnar comparisons equal the scalar ones the online check uses, pair for pair."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dedup.blocking import blocking_keys
from dedup.columns import Columns, PairScorer
from dedup.compare import compare
from dedup.interchange import read_interchange
from dedup.model import shipped_model
from dedup.person import Person, person
from dedup.score import match_probability
from dedup.synth import write_synthetic
from identity.tokens import Keyring


def _agree(people: list[Person], pairs: list[tuple[int, int]]) -> None:
    model = shipped_model()
    scorer = PairScorer(model)
    columns = Columns.of(people)
    a = np.array([i for i, _ in pairs], dtype=np.int64)
    b = np.array([j for _, j in pairs], dtype=np.int64)
    levels = scorer.levels(columns, a, b)
    weights = scorer.weights(columns, a, b, levels)
    same, contradicts = scorer.aadhaar(columns, a, b)
    for row, (i, j) in enumerate(pairs):
        x, y = people[i], people[j]
        expected = compare(x, y)
        assert tuple(levels[row].tolist()) == expected, (x, y)
        tf_value = x.given if x.given == y.given else None
        assert weights[row] == model.weight(expected, tf_value)  # bit for bit
        probability = match_probability(model, x, y)
        if same[row]:
            assert probability == 1.0
        elif contradicts[row]:
            assert probability == 0.0
        else:
            assert probability == model.probability(expected, tf_value)


def test_every_blocked_pair_of_a_synthetic_file_scores_as_online(tmp_path: Path) -> None:
    members, truth = tmp_path / "m.csv", tmp_path / "t.csv"
    for _ in write_synthetic(10_000, 0.2, 5, members, truth):
        pass
    keyring = Keyring({1: b"k" * 32}, 1)
    people = [p for p in read_interchange(members, keyring) if isinstance(p, Person)]
    blocks: dict[str, list[int]] = {}
    for index, p in enumerate(people):
        for key in blocking_keys(p, with_aadhaar=True):
            blocks.setdefault(key, []).append(index)
    pairs = sorted({pair for ids in blocks.values() for pair in itertools.combinations(ids, 2)})
    assert len(pairs) > 4000  # enough pairs that every level of every field occurs
    _agree(people, pairs)
    scorer = PairScorer(shipped_model())
    levels = scorer.levels(
        Columns.of(people), np.array([i for i, _ in pairs]), np.array([j for _, j in pairs])
    )
    for field, top in enumerate((4, 2, 3, 4, 2, 2, 3)):
        seen = set(levels[:, field].tolist())
        assert set(range(top + 1)) <= seen, (field, seen)


def _p(ref: str, **fields: object) -> Person:
    base: dict[str, object] = dict(
        name="Sunita Devi", relative_name="Ramesh Kumar", relation="husband",
        birth_date=None, birth_year=1985, mobile=None, bank=None, aadhaar=None,
        state="S", district="D1", block="B1", village="V1",
    )  # fmt: skip
    base.update(fields)
    return person(ref, **base)  # type: ignore[arg-type]  # test fixtures of the right types


@pytest.mark.parametrize(
    "other",
    [
        {"relation": "father"},  # relatives not comparable
        {"relation": None},
        {"relative_name": None},
        {"relative_name": "Ramesh Singh"},  # same relative given name, another surname
        {"relative_name": "Suresh"},
        {"birth_year": None},
        {"birth_year": 1999},
        {"birth_date": date(1985, 3, 1), "birth_year": None},
        {"mobile": "9876543210"},
        {"mobile": "9876543210", "block": "B2", "village": "V9"},
        {"bank": "v1:abc", "district": "D2", "block": "B7", "village": "V7"},
        {"aadhaar": "v1:aaaa"},
        {"aadhaar": "v2:bbbb"},
        {"name": "Smt. Suneeta Debi Yadav"},
        {"name": "सुनीता यादव"},
        {"name": "Kamla"},
    ],
)
def test_edge_cases_score_as_online(other: dict[str, object]) -> None:
    left = [
        _p("1"),
        _p("2", birth_date=date(1985, 3, 1), mobile="9876543210", aadhaar="v1:aaaa"),
        _p("3", aadhaar="v1:cccc", bank="v1:abc", name="Sunita Yadav"),
    ]
    people = [*left, _p("9", **other)]
    _agree(people, [(i, len(left)) for i in range(len(left))])
