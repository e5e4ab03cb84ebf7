"""Comparison vectors and match weights for many pairs at once: the batch scan's engine.

:func:`dedup.compare.compare` scores one pair in Python, about 10 µs a
pair: right for an enrolment's handful of candidates, too slow for the
millions of pairs in a national file. Here the same comparisons run on
columns: each record's fields become integers (strings by a stable hash),
a chunk's pairs are index arrays, and numpy works out every
level and weight in a few array operations. Names are the exception: their
Jaro–Winkler and edit-distance levels come from the very functions the
online check calls (:func:`dedup.compare.name_level`,
:func:`dedup.compare.surname_level`), asked once per distinct pair of names
and remembered, since the same pairs of names recur endlessly.

Records are numbered at load time (:func:`row`), once per record, so a
chunk of blocks reads a packed table, not millions of Python objects.
The rules for birth, phone, account, place and Aadhaar are restated as
array expressions; ``tests/dedup/test_columns.py`` holds them equal to the
scalar comparators, level by level and weight by weight, on every blocked
pair of a synthetic file.

>>> from dedup.person import person
>>> def p(ref, name):
...     return person(ref, name=name, relative_name="Ramesh", relation="husband",
...                   birth_date=None, birth_year=1985, mobile=None, bank=None,
...                   aadhaar=None, state="S", district="D", block="B", village="V")
>>> from dedup.model import shipped_model
>>> columns = Columns.of([p("1", "Sunita Devi"), p("2", "सुनीता देवी")])
>>> scorer = PairScorer(shipped_model())
>>> levels = scorer.levels(columns, np.array([0]), np.array([1]))
>>> [int(x) for x in levels[0]]
[4, -1, 3, 3, -1, -1, 3]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from dedup.compare import COMPARISONS, NULL, RELATIVE_LEVEL_OF_NAME, name_level, surname_level
from dedup.model import MatchModel
from dedup.names import skeleton
from dedup.person import Person

Ints = npt.NDArray[np.int64]
_Cache = dict[tuple[int, int], int]
_LevelOf = Callable[[str, str], int]
_CACHED_PAIRS = 1_000_000  # per comparator and worker: about 200 MB at most
_FIELDS = ("given_name", "surname", "relative_name", "birth", "mobile", "bank", "place")
if tuple(c.field for c in COMPARISONS) != _FIELDS:  # a wiring check, at import
    raise ImportError("dedup.columns must follow dedup.compare.COMPARISONS")


def word(text: str | None) -> int:
    """A string as a 63-bit number, the same in every worker process: 0 when missing.

    BLAKE2b, not ``hash()``, whose seed differs between processes. With 63
    bits, the chance that any two of ten million distinct strings share a
    number is about 5 in a million (n²/2⁶⁴).
    """
    if not text:
        return 0
    return (int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) >> 1) or 1


_common_word = lru_cache(maxsize=100_000)(word)  # names and places recur; phones do not


def row(p: Person) -> tuple[int, ...]:
    """One record's fields as numbers, in :class:`Columns` order."""
    year = p.birth_date.year if p.birth_date else p.birth_year
    return (
        _common_word(p.given),
        _common_word(p.surname),
        _common_word(p.relative),
        _common_word(p.relative_given),
        _common_word(p.relation),
        p.birth_date.toordinal() if p.birth_date else 0,
        -1 if year is None else year,
        word(p.mobile),
        word(p.bank),
        word(p.aadhaar),
        _common_word(p.aadhaar.split(":", 1)[0] if p.aadhaar else None),
        _common_word(p.district),
        _common_word(p.block),
        _common_word(p.village),
    )


class Columns:
    """The fields of a list of records, one integer array per field, in list order.

    The records themselves are read only for what numbers cannot give: the
    text of two names being compared for the first time, and the refs of
    the pairs found. ``people`` may be a lazy sequence for that reason.
    """

    FIELDS = (
        "given",
        "surname",
        "relative",
        "relative_given",
        "relation",
        "birth_day",  # proleptic ordinal, 0 when unknown
        "year",  # birth year, from the date when there is one; -1 when unknown
        "mobile",
        "bank",
        "aadhaar",
        "aadhaar_version",  # the "v1" of "v1:…": tokens of two key versions never compare
        "district",
        "block",
        "village",
    )

    given: Ints
    surname: Ints
    relative: Ints
    relative_given: Ints
    relation: Ints
    birth_day: Ints
    year: Ints
    mobile: Ints
    bank: Ints
    aadhaar: Ints
    aadhaar_version: Ints
    district: Ints
    block: Ints
    village: Ints

    def __init__(self, table: Ints, people: Sequence[Person]) -> None:
        self.people = people
        for index, name in enumerate(self.FIELDS):
            setattr(self, name, table[:, index])

    @classmethod
    def of(cls, people: Sequence[Person]) -> Columns:
        table = np.array([row(p) for p in people], dtype=np.int64)
        return cls(table.reshape(len(people), len(cls.FIELDS)), people)


class PairScorer:
    """Levels, weights and the Aadhaar override for index pairs into one :class:`Columns`."""

    def __init__(self, model: MatchModel) -> None:
        if model.tf_field not in (None, "given_name"):  # weights() reads the given-name column
            raise ValueError("The batch scan weighs term frequencies of the given name only")
        self.model = model
        self._tables = [np.array(table) for table in model.tables]
        self._tf_index = model.tf_index
        self._tf: dict[int, float] = {}
        # Levels of pairs of words already compared: (lower word, higher word) -> level.
        self._names: dict[tuple[int, int], int] = {}
        self._surnames: dict[tuple[int, int], int] = {}

    def _pairwise(
        self, c: Columns, field: str, a: Ints, b: Ints, cache: _Cache, level_of: _LevelOf
    ) -> Ints:
        """``level_of`` the field's text for each pair, computed once per distinct pair of words.

        Every comparator here is symmetric, so a pair of words is one pair
        whichever record holds which.
        """
        words: Ints = getattr(c, field)
        low, high = np.minimum(words[a], words[b]), np.maximum(words[a], words[b])
        distinct, first, where = _distinct_pairs(low, high)
        levels = np.empty(len(distinct), dtype=np.int64)
        position = Person._fields.index(field)
        if len(cache) > _CACHED_PAIRS:  # a national file pairs names without end: start afresh
            cache.clear()
        for index, (pair, at) in enumerate(zip(distinct, first.tolist(), strict=True)):
            level = cache.get(pair)
            if level is None:
                text_a, text_b = c.people[a[at]][position], c.people[b[at]][position]
                level = cache[pair] = level_of(text_a, text_b)
            levels[index] = level
        return levels[where]

    def levels(self, c: Columns, a: Ints, b: Ints) -> Ints:
        """One row per pair, one column per :data:`dedup.compare.COMPARISONS` entry."""
        out = np.empty((len(a), len(_FIELDS)), dtype=np.int64)
        null = np.int64(NULL)

        given_a, given_b = c.given[a], c.given[b]
        out[:, 0] = np.where(given_a == given_b, 4, 0)
        differ = given_a != given_b
        if differ.any():
            out[differ, 0] = self._pairwise(
                c, "given", a[differ], b[differ], self._names, _name_level
            )

        surname_a, surname_b = c.surname[a], c.surname[b]
        out[:, 1] = np.where(surname_a == surname_b, 2, null)
        differ = (surname_a != surname_b) & (surname_a != 0) & (surname_b != 0)
        if differ.any():
            out[differ, 1] = self._pairwise(
                c, "surname", a[differ], b[differ], self._surnames, surname_level
            )
        out[(surname_a == 0) | (surname_b == 0), 1] = null

        relation_a, relation_b = c.relation[a], c.relation[b]
        comparable = (c.relative[a] != 0) & (c.relative[b] != 0)
        comparable &= (relation_a == 0) | (relation_b == 0) | (relation_a == relation_b)
        same_relative = c.relative[a] == c.relative[b]
        out[:, 2] = null
        named = comparable & ~same_relative
        if named.any():
            relative = self._pairwise(
                c, "relative_given", a[named], b[named], self._names, _name_level
            )
            out[named, 2] = np.asarray(RELATIVE_LEVEL_OF_NAME)[relative]
        out[comparable & same_relative, 2] = 3

        year_a, year_b = c.year[a], c.year[b]
        gap = np.abs(year_a - year_b)
        birth = np.select([gap <= 1, gap <= 3, gap <= 10], [3, 2, 1], 0)
        birth[(year_a < 0) | (year_b < 0)] = null
        day_a = c.birth_day[a]
        birth[(day_a != 0) & (day_a == c.birth_day[b])] = 4
        out[:, 3] = birth

        same_block = c.block[a] == c.block[b]
        out[:, 4] = _shared(c.mobile[a], c.mobile[b], same_block)
        out[:, 5] = _shared(c.bank[a], c.bank[b], same_block)
        same_district = c.district[a] == c.district[b]
        out[:, 6] = np.select(
            [c.village[a] == c.village[b], same_block, same_district], [3, 2, 1], 0
        )
        return out

    def weights(self, c: Columns, a: Ints, b: Ints, levels: Ints) -> npt.NDArray[np.float64]:
        """:meth:`MatchModel.weight` of each pair, summed in the same order: bit for bit equal."""
        total = np.full(len(a), self.model.prior_weight)
        for index, table in enumerate(self._tables):
            column = levels[:, index]
            weight = table[column]
            if index == self._tf_index:
                top = column == len(table) - 2  # the top level: the same given name
                if top.any():
                    weight[top] = self._tf_weights(c, a[top])
            total += weight
        return total

    def _tf_weights(self, c: Columns, a: Ints) -> npt.NDArray[np.float64]:
        distinct, first, where = np.unique(c.given[a], return_index=True, return_inverse=True)
        out = np.empty(len(distinct))
        for index, (given, at) in enumerate(zip(distinct.tolist(), first.tolist(), strict=True)):
            weight = self._tf.get(given)
            if weight is None:
                weight = self._tf[given] = self.model.tf_weight(c.people[a[at]].given)
            out[index] = weight
        return out[where]

    @staticmethod
    def aadhaar(
        c: Columns, a: Ints, b: Ints
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """(same token: certain, two tokens of one key version that differ: two women)."""
        token_a, token_b = c.aadhaar[a], c.aadhaar[b]
        both = (token_a != 0) & (token_b != 0)
        same = both & (token_a == token_b)
        contradicts = both & ~same & (c.aadhaar_version[a] == c.aadhaar_version[b])
        return same, contradicts


def _distinct_pairs(low: Ints, high: Ints) -> tuple[list[tuple[int, int]], Ints, Ints]:
    """``np.unique`` of the pairs (low, high): the distinct pairs, a first index of each,
    and which distinct pair each one is.

    Two 63-bit words do not pack into one integer, and ``np.unique(axis=0)``
    sorts rows as raw bytes, several times slower; so the pairs are grouped
    by a mixed 64-bit number and the grouping checked, falling back to the
    slow sort in the (astronomically rare) case two pairs mix alike.
    """
    mixed = low.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ high.view(np.uint64)
    _, first, where = np.unique(mixed, return_index=True, return_inverse=True)
    if not ((low[first][where] == low).all() and (high[first][where] == high).all()):
        _, first, where = np.unique(
            np.stack((low, high), axis=1), axis=0, return_index=True, return_inverse=True
        )
        where = where.ravel()
    return list(zip(low[first].tolist(), high[first].tolist(), strict=True)), first, where


def _name_level(a: str, b: str) -> int:
    """:func:`dedup.compare.name_level` with the skeletons every record carries for a name."""
    return name_level(a, b, skeleton(a), skeleton(b))


def _shared(x: Ints, y: Ints, same_block: npt.NDArray[np.bool_]) -> Ints:
    """:func:`dedup.compare._shared` on columns."""
    level = np.where(same_block, 1, 2)
    level[x != y] = 0
    level[(x == 0) | (y == 0)] = NULL
    return level
