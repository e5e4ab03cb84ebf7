"""Fitting the shipped model from an interchange CSV, without labels.

``u`` comes from random pairs of records (almost all of them different
women); ``m`` and the prior from EM over the pairs the blocking keys bring
together; term frequencies from the given names. The truth file of a
synthetic set is never read here: it is kept for :mod:`dedup.evaluate`.

    lokos synth --members 100000 --dup-rate 0.1 --seed 7 --output fit.csv
    lokos dedup fit --input fit.csv --output dedup/model_v2.json
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from dedup.blocking import MAX_BLOCK, blocking_keys
from dedup.compare import COMPARISONS, compare
from dedup.interchange import RowError, read_interchange
from dedup.model import (
    MODEL_VERSION,
    FieldModel,
    MatchModel,
    estimate_m,
    estimate_prior,
    estimate_u,
    term_frequencies,
)
from dedup.person import Person
from identity.tokens import Keyring


def _people(source: Path) -> list[Person]:
    keyring = Keyring({1: secrets.token_bytes(32)}, 1)
    return [p for p in read_interchange(source, keyring) if not isinstance(p, RowError)]


# EM sessions, as in Splink: each brings pairs together by one rule and
# leaves out the comparisons that rule forces to agree; between them every
# comparison is estimated at least once.
SESSIONS: dict[str, tuple[Callable[[Person], str | None], tuple[str, ...]]] = {
    "name and village": (lambda p: f"{p.given_key}:{p.village}", ("given_name", "place")),
    "birth date and block": (
        lambda p: f"{p.birth_date}:{p.block}" if p.birth_date else None,
        ("birth", "place"),
    ),
    "name and birth date": (
        lambda p: f"{p.given_key}:{p.birth_date}" if p.birth_date else None,
        ("given_name", "birth"),
    ),
}


M_FLOOR = 0.002
U_FLOOR = 1e-6
LOCAL_FIELDS = ("mobile", "bank")


def _pairs_of(blocks: dict[str, list[int]]) -> list[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add((a, b))
    return sorted(pairs)


def blocked_pairs(people: list[Person]) -> list[tuple[int, int]]:
    """Pairs sharing any blocking key, each once."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(people):
        for key in blocking_keys(record):
            blocks[key].append(index)
    return _pairs_of(blocks)


def _session_pairs(
    people: list[Person], rule: Callable[[Person], str | None]
) -> list[tuple[int, int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(people):
        key = rule(record)
        if key is not None:
            blocks[key].append(index)
    return _pairs_of(blocks)


def _vectors(people: list[Person], pairs: list[tuple[int, int]]) -> np.ndarray:
    return np.array([compare(people[a], people[b]) for a, b in pairs], dtype=np.int8)


def fit(source: Path, *, seed: int = 1, random_pairs: int = 300_000) -> MatchModel:
    people = _people(source)
    rng = random.Random(seed)
    names = [c.field for c in COMPARISONS]
    sizes = [len(c.levels) for c in COMPARISONS]
    randoms = np.array(
        [compare(*rng.sample(people, 2)) for _ in range(random_pairs)], dtype=np.int8
    )
    u = estimate_u(randoms, sizes)
    # A shared phone or account within a village (a family) is far less rare
    # than among women drawn from the whole state, and candidates are mostly
    # local, so the within-block levels' u are counted within villages; the
    # across-blocks level keeps the state-wide count, floored, since a few
    # hundred thousand random pairs cannot see a one-in-a-billion event.
    by_village: dict[str, list[Person]] = defaultdict(list)
    for record in people:
        by_village[record.village].append(record)
    villages = [group for group in by_village.values() if len(group) > 1]
    local = np.array(
        [compare(*rng.sample(rng.choice(villages), 2)) for _ in range(random_pairs)],
        dtype=np.int8,
    )
    local_u = estimate_u(local, sizes)
    for name in LOCAL_FIELDS:
        index = names.index(name)
        shares = local_u[index].copy()
        shares[2] = max(float(u[index][2]), U_FLOOR)
        u[index] = shares / shares.sum()
    estimates: dict[int, list[np.ndarray]] = defaultdict(list)
    for rule, fixed in SESSIONS.values():
        vectors = _vectors(people, _session_pairs(people, rule))
        session = estimate_m(vectors, sizes, u, blocked_on=[names.index(f) for f in fixed])
        for index, estimate in enumerate(session):
            if estimate is not None:
                estimates[index].append(estimate)
    # A level no synthetic duplicate happened to show is still possible in
    # the field: floor every m so one unseen level cannot veto a pair.
    m = [np.maximum(np.mean(estimates[index], axis=0), M_FLOOR) for index in range(len(sizes))]
    m = [level / level.sum() for level in m]
    total = len(people) * (len(people) - 1) / 2
    prior = estimate_prior(_vectors(people, blocked_pairs(people)), m, u, total)
    tf, floor = term_frequencies([p.given for p in people])
    fields = tuple(
        FieldModel(
            c.field,
            c.levels,
            tuple(round(float(x), 8) for x in m_f),
            tuple(round(float(x), 8) for x in u_f),
        )
        for c, m_f, u_f in zip(COMPARISONS, m, u, strict=True)
    )
    return MatchModel(
        version=f"v{MODEL_VERSION}-{date.today().isoformat()}",
        prior=prior,
        fields=fields,
        tf_field="given_name",
        tf=tf,
        tf_floor=floor,
    )
