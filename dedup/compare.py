"""Comparators: how far two records agree, field by field, as discrete levels.

Each comparison gives a level from 0 (disagree) up to the field's top level
(agree exactly), or :data:`NULL` when either side is missing, which the
model reads as no evidence either way. The levels feed the Fellegi–Sunter
model in :mod:`dedup.model`; their labels are what a reviewer sees.

String similarity is jellyfish's Jaro–Winkler (prefix-weighted, the usual
choice for names) and Damerau–Levenshtein (one transposition or typo),
on names already folded by :mod:`dedup.names`; the skeleton code adds a
phonetic agreement that survives vowel changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import jellyfish

from dedup.names import without_schwa
from dedup.person import Person, relatives_comparable
from identity.tokens import version_of

NULL = -1


def similarity(a: str, b: str) -> float:
    """Jaro–Winkler on folded names, cached: the same pairs of names recur endlessly.

    Asked in one order, so a pair scores the same whichever record comes
    first (Jaro–Winkler's float arithmetic is not exactly symmetric).
    """
    return _similarity(a, b) if a <= b else _similarity(b, a)


@lru_cache(maxsize=200_000)
def _similarity(a: str, b: str) -> float:
    return jellyfish.jaro_winkler_similarity(a, b)


@lru_cache(maxsize=200_000)
def one_edit(a: str, b: str) -> bool:
    return jellyfish.damerau_levenshtein_distance(a, b) <= 1


@lru_cache(maxsize=200_000)
def same_but_schwa(a: str, b: str) -> bool:
    return without_schwa(a) == without_schwa(b)


def name_level(a: str, b: str, a_code: str, b_code: str) -> int:
    """4 same, 3 one typo or very close, 2 same sound, 1 similar, 0 different.

    ``a_code`` and ``b_code`` are the names' skeletons (:func:`dedup.names.skeleton`),
    passed in because every record already carries them.
    """
    if a == b:
        return 4
    score = similarity(a, b)
    if score >= 0.94 or (min(len(a), len(b)) > 3 and one_edit(a, b)) or same_but_schwa(a, b):
        return 3
    if a_code == b_code and score >= 0.80:
        return 2
    if score >= 0.85:
        return 1
    return 0


def given_name(a: Person, b: Person) -> int:
    return name_level(a.given, b.given, a.given_key, b.given_key)


def surname(a: Person, b: Person) -> int:
    return surname_level(a.surname, b.surname)


def surname_level(a: str, b: str) -> int:
    """2 same, 1 close, 0 different; NULL unless both carry a family name."""
    if not a or not b:
        return NULL
    if a == b:
        return 2
    return 1 if similarity(a, b) >= 0.88 else 0


# The relative's given-name level (name_level's 0..4) as a relative_name level.
RELATIVE_LEVEL_OF_NAME = (0, 1, 1, 2, 2)


def relative_name(a: Person, b: Person) -> int:
    """3 same full name, 2 same given name or very close, 1 similar, 0 different."""
    if not relatives_comparable(a, b):
        return NULL
    if a.relative == b.relative:
        return 3
    level = name_level(a.relative_given, b.relative_given, a.relative_key, b.relative_key)
    return RELATIVE_LEVEL_OF_NAME[level]


def birth(a: Person, b: Person) -> int:
    """4 same date, 3 within a year, 2 within three, 1 within ten, 0 a generation apart."""
    if a.birth_date and b.birth_date and a.birth_date == b.birth_date:
        return 4
    ya, yb = a.year, b.year
    if ya is None or yb is None:
        return NULL
    gap = abs(ya - yb)
    if gap <= 1:
        return 3
    if gap <= 3:
        return 2
    return 1 if gap <= 10 else 0


def _shared(x: str | None, y: str | None, a: Person, b: Person) -> int:
    """2 the same across blocks, 1 the same within one block, 0 different.

    A family shares one phone and often one account, and families are
    local: two women of one block on one phone are often sisters or mother
    and daughter-in-law, but two women of different blocks on one phone are
    rarely two women (a bride keeps her phone when she marries away).
    Splitting the level by place keeps the model's fields independent given
    the verdict, as Fellegi–Sunter assumes.
    """
    if not x or not y:
        return NULL
    if x != y:
        return 0
    return 1 if a.block == b.block else 2


def mobile(a: Person, b: Person) -> int:
    return _shared(a.mobile, b.mobile, a, b)


def bank(a: Person, b: Person) -> int:
    """As :func:`_shared`; tokens under two key versions say nothing (one account gives both).

    The batch scan tokenises every row under one key, so its vectorised
    comparator (:mod:`dedup.columns`) never meets two versions.
    """
    if a.bank and b.bank and version_of(a.bank) != version_of(b.bank):
        return NULL
    return _shared(a.bank, b.bank, a, b)


def place(a: Person, b: Person) -> int:
    """3 same village, 2 same block, 1 same district, 0 further."""
    if a.village == b.village:
        return 3
    if a.block == b.block:
        return 2
    return 1 if a.district == b.district else 0


@dataclass(frozen=True)
class Comparison:
    field: str
    compare: Callable[[Person, Person], int]
    levels: tuple[str, ...]  # labels, index = level


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        given_name,
        ("different", "similar", "same sound", "spelling variant", "same"),
    ),
    Comparison("surname", surname, ("different", "close", "same")),
    Comparison("relative_name", relative_name, ("different", "similar", "same given name", "same")),
    Comparison(
        "birth",
        birth,
        ("over 10 years apart", "within 10 years", "within 3 years", "within a year", "same date"),
    ),
    Comparison("mobile", mobile, ("different", "same", "same, another block")),
    Comparison("bank", bank, ("different", "same", "same, another block")),
    Comparison("place", place, ("other district", "same district", "same block", "same village")),
)


_COMPARE = tuple(c.compare for c in COMPARISONS)


def compare(a: Person, b: Person) -> tuple[int, ...]:
    """The comparison vector of a pair, one level per :data:`COMPARISONS` entry."""
    return tuple([level_of(a, b) for level_of in _COMPARE])  # a list builds faster than a generator


def contradicts(a: Person, b: Person) -> bool:
    """Two different Aadhaar tokens under one key: two different women, whatever else agrees.

    Tokens under different key versions ("v1:…", "v2:…") cannot be compared.
    """
    if not a.aadhaar or not b.aadhaar or a.aadhaar == b.aadhaar:
        return False
    return version_of(a.aadhaar) == version_of(b.aadhaar)


def same_aadhaar(a: Person, b: Person) -> bool:
    return bool(a.aadhaar and a.aadhaar == b.aadhaar)
