"""Scoring a pair and turning the score into a verdict: one path for online and batch.

>>> from dedup.person import person
>>> def p(ref, name):
...     return person(ref, name=name, relative_name="Ramesh", relation="husband",
...                   birth_date=None, birth_year=1985, mobile=None, bank=None,
...                   aadhaar=None, state="S", district="D", block="B", village="V")
>>> score_pair(shipped_model(), p("1", "Sunita Devi"), p("2", "सुनीता देवी")).verdict
<Verdict.DUPLICATE: 'duplicate'>
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from dedup.compare import compare, contradicts, same_aadhaar
from dedup.model import MatchModel, Reason, shipped_model
from dedup.person import Person
from dedup.verdict import Verdict

__all__ = [
    "Match",
    "Thresholds",
    "match_probability",
    "score_pair",
    "shipped_model",
    "verdict_of",
]


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities at which a pair is refused outright or sent for review."""

    # Chosen on 100,000 synthetic rows (bench/README.md): DUPLICATE precision
    # 0.997, recall with REVIEW 0.98, 91% decided without review.
    duplicate: float = 0.95
    review: float = 0.05

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.duplicate < 1:
            raise ValueError("thresholds need 0 < review <= duplicate < 1")


@dataclass(frozen=True)
class Match:
    a: Person
    b: Person
    probability: float
    verdict: Verdict
    levels: tuple[int, ...]
    model: MatchModel = field(repr=False, compare=False)
    tf_value: str | None = None

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        """What a reviewer reads; worked out only when asked (the batch scan never asks)."""
        if same_aadhaar(self.a, self.b):
            return (Reason("aadhaar", "same", 99.0),)
        if contradicts(self.a, self.b):
            return (Reason("aadhaar", "different", -99.0),)
        return tuple(self.model.reasons(self.levels, self.tf_value))


def verdict_of(probability: float, thresholds: Thresholds) -> Verdict:
    if probability >= thresholds.duplicate:
        return Verdict.DUPLICATE
    if probability >= thresholds.review:
        return Verdict.REVIEW
    return Verdict.CLEAR


def _probability(model: MatchModel, a: Person, b: Person, levels: tuple[int, ...]) -> float:
    if same_aadhaar(a, b):
        return 1.0
    if contradicts(a, b):
        return 0.0
    return model.probability(levels, a.given if a.given == b.given else None)


def match_probability(model: MatchModel, a: Person, b: Person) -> float:
    """The probability alone, for the batch scan's millions of pairs; same number as score_pair."""
    return _probability(model, a, b, compare(a, b))


def score_pair(
    model: MatchModel, a: Person, b: Person, thresholds: Thresholds | None = None
) -> Match:
    """Score one pair. The same Aadhaar token is certain; two different ones rule her out."""
    thresholds = thresholds or Thresholds()
    levels = compare(a, b)
    probability = _probability(model, a, b, levels)
    tf_value = a.given if a.given == b.given else None
    return Match(a, b, probability, verdict_of(probability, thresholds), levels, model, tf_value)
