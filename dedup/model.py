"""The Fellegi–Sunter match model: fitting by EM, scoring, and its versioned file.

For each comparison level the model holds ``m`` (how often a true pair
agrees at that level) and ``u`` (how often a random pair does). A pair's
match weight is the prior log-odds plus ``log2(m/u)`` of every level it
shows; a missing field adds nothing. ``u`` is counted on random pairs; ``m``
is estimated by expectation–maximisation on the pairs each blocking rule
brings together, with ``u`` held fixed and the rule's own fields left out,
as Splink does; no labels are needed.

Term frequency: agreeing on a common given name is weak evidence, on a rare
one strong. For an exact given-name match, ``u`` is that name's own share
of the records instead of the average, so "sunita" = "sunita" weighs less
than "fulmati" = "fulmati".

The fitted model ships as ``dedup/model_v2.json``; ``lokos dedup fit``
refits it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

NULL = -1
# The file's number changes whenever the comparison levels do: a model is
# only meaningful with the comparisons it was fitted on. v2 split the phone
# and account agreement by place.
MODEL_VERSION = 2
MODEL_FILE = f"model_v{MODEL_VERSION}.json"


@dataclass(frozen=True)
class FieldModel:
    field: str
    labels: tuple[str, ...]
    m: tuple[float, ...]
    u: tuple[float, ...]

    def weight(self, level: int) -> float:
        if level == NULL:
            return 0.0
        return float(math.log2(self.m[level] / self.u[level]))


@dataclass(frozen=True)
class Reason:
    """One field's part in a score: what a reviewer reads."""

    field: str
    level: str
    weight: float


@dataclass(frozen=True)
class MatchModel:
    version: str
    prior: float  # share of blocked pairs that are matches
    fields: tuple[FieldModel, ...]
    # Term frequencies of one field's exact agreement (the given name).
    tf_field: str | None = None
    tf: dict[str, float] = field(default_factory=dict)
    tf_floor: float = 1e-6

    def __post_init__(self) -> None:
        tables = [[f.weight(level) for level in range(len(f.labels))] + [0.0] for f in self.fields]
        object.__setattr__(self, "_tables", tables)
        tf_index = next((i for i, f in enumerate(self.fields) if f.field == self.tf_field), None)
        object.__setattr__(self, "_tf_index", tf_index)

    def tf_weight(self, value: str) -> float:
        index: int = self._tf_index  # type: ignore[attr-defined]  # set in __post_init__
        top = self.fields[index]
        share = max(self.tf.get(value, self.tf_floor), self.tf_floor)
        return math.log2(top.m[-1] / share)

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    @property
    def tables(self) -> list[list[float]]:
        """Each field's weight per level; the extra last entry, 0.0, is NULL's (index -1)."""
        return self._tables  # type: ignore[attr-defined, no-any-return]  # __post_init__

    @property
    def tf_index(self) -> int | None:
        """Which field's exact agreement is weighted by the value's frequency."""
        return self._tf_index  # type: ignore[attr-defined, no-any-return]  # __post_init__

    def weight(self, levels: Sequence[int], tf_value: str | None = None) -> float:
        """The match weight in bits: positive leans to the same woman."""
        tables = self.tables
        total = self.prior_weight
        tf_index = self.tf_index
        for index, level in enumerate(levels):
            if index == tf_index and tf_value is not None and level == len(tables[index]) - 2:
                total += self.tf_weight(tf_value)
            else:
                total += tables[index][level]
        return total

    def probability(self, levels: Sequence[int], tf_value: str | None = None) -> float:
        return probability(self.weight(levels, tf_value))

    def reasons(self, levels: Sequence[int], tf_value: str | None = None) -> list[Reason]:
        out = []
        for index, (model, level) in enumerate(zip(self.fields, levels, strict=True)):
            if level == NULL:
                out.append(Reason(model.field, "missing", 0.0))
                continue
            weight = model.weight(level)
            is_top = level == len(model.labels) - 1
            if index == self._tf_index and tf_value is not None and is_top:  # type: ignore[attr-defined]  # __post_init__
                weight = self.tf_weight(tf_value)
            out.append(Reason(model.field, model.labels[level], round(weight, 2)))
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "prior": self.prior,
            "fields": [
                {"field": f.field, "labels": list(f.labels), "m": list(f.m), "u": list(f.u)}
                for f in self.fields
            ],
            "tf_field": self.tf_field,
            "tf_floor": self.tf_floor,
            "tf": self.tf,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> MatchModel:
        fields = tuple(
            FieldModel(f["field"], tuple(f["labels"]), tuple(f["m"]), tuple(f["u"]))
            for f in data["fields"]  # type: ignore[attr-defined]  # JSON of to_json's shape
        )
        return cls(
            version=str(data["version"]),
            prior=float(data["prior"]),  # type: ignore[arg-type]  # JSON number
            fields=fields,
            tf_field=data.get("tf_field"),  # type: ignore[arg-type]  # JSON string or null
            tf=dict(data.get("tf") or {}),  # type: ignore[call-overload]  # JSON object
            tf_floor=float(data.get("tf_floor", 1e-6)),  # type: ignore[arg-type]  # JSON number
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n")


def probability(weight: float) -> float:
    return 1.0 / (1.0 + math.pow(2.0, -weight))


@cache
def shipped_model() -> MatchModel:
    """The model fitted on synthetic SHG data and shipped in the package."""
    text = resources.files("dedup").joinpath(MODEL_FILE).read_text()
    return MatchModel.from_json(json.loads(text))


def load_model(path: Path | None) -> MatchModel:
    if path is None:
        return shipped_model()
    return MatchModel.from_json(json.loads(path.read_text()))


def _shares(vectors: np.ndarray, sizes: Sequence[int], weights: np.ndarray) -> list[np.ndarray]:
    """Per field, the weighted share of each level among the non-missing rows."""
    out = []
    for index, size in enumerate(sizes):
        column = vectors[:, index]
        counts = np.array([weights[column == level].sum() for level in range(size)], dtype=float)
        counts += 1e-3  # Laplace-style floor: no level is ever impossible
        out.append(counts / counts.sum())
    return out


def estimate_u(random_vectors: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """u from pairs drawn at random: nearly all of them are different people."""
    return _shares(random_vectors, sizes, np.ones(len(random_vectors)))


def estimate_m(
    blocked_vectors: np.ndarray,
    sizes: Sequence[int],
    u: list[np.ndarray],
    *,
    blocked_on: Sequence[int] = (),
    iterations: int = 200,
    prior: float = 0.1,
) -> list[np.ndarray | None]:
    """m by EM over pairs one blocking rule brought together, u fixed.

    The fields the rule blocked on agree in every pair by construction, so
    they say nothing here and are left out (``None`` in the result), as
    Splink does; another rule's session estimates them. Patterns are
    collapsed first: a million pairs show a few hundred distinct vectors.
    """
    used = [i for i in range(len(sizes)) if i not in blocked_on]
    patterns, counts = np.unique(blocked_vectors, axis=0, return_counts=True)
    counts = counts.astype(float)
    # Start m leaning to agreement: the top level likely, the bottom unlikely.
    m = [np.linspace(1.0, float(size), size) ** 3 for size in sizes]
    m = [level / level.sum() for level in m]
    for _ in range(iterations):
        log_ratio = np.zeros(len(patterns))
        for index in used:
            column = patterns[:, index]
            present = column != NULL
            log_ratio[present] += np.log(m[index][column[present]] / u[index][column[present]])
        odds = prior / (1 - prior) * np.exp(log_ratio)
        posterior = odds / (1 + odds)
        weights = posterior * counts
        new_prior = min(max(float(weights.sum() / counts.sum()), 1e-9), 1 - 1e-9)
        shares = _shares(patterns, sizes, weights)
        for index in used:
            m[index] = shares[index]
        converged = abs(new_prior - prior) < 1e-9
        prior = new_prior
        if converged:
            break
    return [m[i] if i in used else None for i in range(len(sizes))]


def estimate_prior(
    blocked_vectors: np.ndarray,
    m: list[np.ndarray],
    u: list[np.ndarray],
    total_pairs: float,
    *,
    iterations: int = 200,
) -> float:
    """The chance that two records drawn at random are one woman.

    The expected number of true pairs is the sum of the blocked pairs'
    match probabilities (pairs no key brings together are taken as
    different women), and those probabilities depend on the prior: iterate
    to the fixed point.
    """
    patterns, counts = np.unique(blocked_vectors, axis=0, return_counts=True)
    log_ratio = np.zeros(len(patterns))
    for index in range(len(m)):
        column = patterns[:, index]
        present = column != NULL
        log_ratio[present] += np.log(m[index][column[present]] / u[index][column[present]])
    ratio = np.exp(log_ratio)
    prior = 1e-6
    for _ in range(iterations):
        odds = prior / (1 - prior) * ratio
        expected = float((odds / (1 + odds) * counts).sum())
        new_prior = max(expected / total_pairs, 1e-12)
        if abs(new_prior - prior) < 1e-15:
            break
        prior = new_prior
    return prior


def term_frequencies(values: Sequence[str], *, keep: int = 5000) -> tuple[dict[str, float], float]:
    """Each value's share of the records (the most common ``keep``), and a floor for the rest."""
    total = len(values)
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    common = sorted(counts.items(), key=lambda item: -item[1])[:keep]
    floor = max(1.0 / total, min((c for _, c in common), default=1) / total / 2)
    return {value: round(count / total, 8) for value, count in common}, floor
