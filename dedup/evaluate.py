"""Precision and recall of the engine against known truth.

Truth comes as pairs (a synthetic truth file, FEBRL's links); a woman
enrolled three times is one cluster, so every pair inside a cluster is a
true pair, not just the ones the generator wrote down.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Scores:
    true_pairs: int
    found: int  # pairs decided duplicate or review
    found_true: int
    duplicates: int  # pairs decided duplicate
    duplicates_true: int

    @property
    def duplicate_precision(self) -> float:
        return self.duplicates_true / self.duplicates if self.duplicates else 1.0

    @property
    def precision(self) -> float:
        return self.found_true / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs decided duplicate or sent to review."""
        return self.found_true / self.true_pairs if self.true_pairs else 1.0

    @property
    def automatic(self) -> float:
        """Share of true pairs decided duplicate with no reviewer."""
        return self.duplicates_true / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _clusters(pairs: Iterable[tuple[str, str]]) -> set[frozenset[str]]:
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    true: set[frozenset[str]] = set()
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(root(x), []).append(x)
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                true.add(frozenset((a, b)))
    return true


def score(truth: Iterable[tuple[str, str]], decided: Iterable[tuple[str, str, str]]) -> Scores:
    """``decided`` holds (a, b, decision) with decision "duplicate" or "review"."""
    true = _clusters(truth)
    found = found_true = duplicates = duplicates_true = 0
    for a, b, decision in decided:
        is_true = frozenset((a, b)) in true
        found += 1
        found_true += is_true
        if decision == "duplicate":
            duplicates += 1
            duplicates_true += is_true
    return Scores(len(true), found, found_true, duplicates, duplicates_true)


def read_truth(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["member_ref_a"], row["member_ref_b"]) for row in csv.DictReader(handle)]
