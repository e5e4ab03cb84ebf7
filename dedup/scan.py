"""Batch scan of an interchange CSV: candidate pairs out, no database needed.

Three stages, each bounded in memory by one block, not by the file:

1. **load**: rows stream from the CSV in batches; worker processes turn
   them into :class:`Person` records and their blocking keys (a few batches
   in flight, never the file), and the main process writes them to a
   scratch SQLite file on disk. Bad rows go to the error report with their
   row numbers.
2. **block**: SQLite groups the keys (an on-disk sort) into blocks of two or
   more records; blocks larger than :data:`MAX_BLOCK` (a phone typed for a
   whole SHG) are skipped and counted. Blocks are ordered by the
   development block their records live in, so one chunk of blocks reads
   mostly the same women and each is unpickled about once per chunk.
3. **compare**: worker processes take blocks in chunks, score every pair in
   each with the shipped model, and send back the pairs at or above the
   review threshold. A pair that shares several keys is scored only in the
   block of its smallest shared key, so no pair is counted twice.

Aadhaar and bank numbers are tokenised under a key made for this run and
thrown away with it: the scratch file never holds a number.
"""

from __future__ import annotations

import csv
import math
import os
import pickle
import secrets
import sqlite3
import struct
import tempfile
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from dedup.blocking import MAX_BLOCK, blocking_keys
from dedup.columns import Columns, Ints, PairScorer, row
from dedup.interchange import Lines, RowError, parse_lines, read_lines
from dedup.model import load_model, probability
from dedup.person import Person
from dedup.score import Thresholds, verdict_of
from dedup.verdict import Verdict
from identity.tokens import Keyring

PAIR_COLUMNS = ("member_ref_a", "member_ref_b", "score", "decision")
ERROR_COLUMNS = ("row", "member_ref", "reason")
_CHUNK = 20000  # blocks per task handed to a worker
_BATCH = 5_000  # rows per parse task and insert
_PAIRS = 100_000  # pairs compared at once: bounds the arrays of one step
_IDS_PER_QUERY = 30_000
_KEY_SLOTS = 11  # blocking keys a record can have: gv gr rvh rvf ryh ryf gd gy m b a
_NUMBERS = struct.Struct(f"<{len(Columns.FIELDS) + _KEY_SLOTS}q")  # a record's numbers, packed
_PICKLE = pickle.HIGHEST_PROTOCOL
MAX_WORKERS = 8  # under SQLite's 32,766 bound parameters

Progress = Callable[[str, int, int | None], None]
A = TypeVar("A")
R = TypeVar("R")


@dataclass
class ScanReport:
    rows: int = 0
    bad_rows: int = 0
    blocks: int = 0
    skipped_blocks: int = 0
    compared: int = 0
    duplicates: int = 0
    reviews: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _quiet(stage: str, done: int, total: int | None) -> None:
    return None


def _key_id(key: str) -> int:
    """A blocking key as a 63-bit integer, since SQLite sorts and groups integers far faster
    than text: CRC-32 and Adler-32 side by side (both in C, several times cheaper than a
    cryptographic hash). Two keys that collide only merge two blocks: a few extra
    comparisons, never a missed pair or a wrong verdict."""
    data = key.encode()
    return (zlib.crc32(data) & 0x7FFFFFFF) << 32 | zlib.adler32(data)


def _store_batch(lines: Lines) -> tuple[int, list[RowError]]:
    """In a worker: parse a batch and write its records and keys to this worker's part file.

    Each worker writes its own SQLite file, so the load has no single writer
    to queue behind; a record's id is its row number, unique across parts.
    """
    keyring: Keyring = _worker["keyring"]  # type: ignore[assignment]  # set by _worker_start
    people: list[tuple[int, bytes, bytes]] = []
    keys: list[tuple[int, int, int]] = []
    errors: list[RowError] = []
    for number, item in enumerate(parse_lines(lines, keyring), start=lines.first_row):
        if isinstance(item, RowError):
            errors.append(item)
            continue
        person_keys = [_key_id(key) for key in blocking_keys(item, with_aadhaar=True)]
        numbers = (*row(item), *person_keys, *[-1] * (_KEY_SLOTS - len(person_keys)))
        people.append((number, _NUMBERS.pack(*numbers), pickle.dumps(item, _PICKLE)))
        area = _key_id(item.block)
        keys.extend((key, number, area) for key in person_keys)
    part = _part()
    part.executemany("INSERT INTO person VALUES (?, ?, ?)", people)
    part.executemany("INSERT INTO block_key VALUES (?, ?, ?)", keys)
    part.commit()
    return len(people), errors


def _in_order(pool: Executor, fn: Callable[[A], R], items: Iterator[A], window: int) -> Iterator[R]:
    """``pool.map`` with at most ``window`` tasks in flight: ``map`` would read the whole file."""
    pending: deque[Future[R]] = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _load(source: Path, errors: Path, pool: Executor, progress: Progress) -> ScanReport:
    report = ScanReport()
    with errors.open("w", newline="", encoding="utf-8") as handle:
        bad = csv.writer(handle)
        bad.writerow(ERROR_COLUMNS)
        for good, refused in _in_order(pool, _store_batch, read_lines(source, _BATCH), window=4):
            report.rows += good
            report.bad_rows += len(refused)
            bad.writerows((e.row, e.member_ref, e.reason) for e in refused)
            progress("load", report.rows + report.bad_rows, None)
    return report


def _block(db: sqlite3.Connection, report: ScanReport) -> None:
    """One sort of every part's keys into blocks; oversized ones stay, marked by size."""
    db.executescript(
        """
        CREATE TABLE block AS
            SELECT key, group_concat(pid) AS pids, count(*) AS size
            FROM all_keys GROUP BY key HAVING count(*) > 1
            ORDER BY min(area), key;
        """
    )
    report.blocks, report.skipped_blocks = db.execute(
        "SELECT count(*) FILTER (WHERE size <= ?), count(*) FILTER (WHERE size > ?) FROM block",
        (MAX_BLOCK, MAX_BLOCK),
    ).fetchone()
    db.commit()


# Per worker process: the run's keyring, the model, its part file (written
# during the load) and a connection that reads every part (during compare).
_worker: dict[str, object] = {}
_PART_SCHEMA = (
    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
    "CREATE TABLE IF NOT EXISTS person"
    " (id INTEGER PRIMARY KEY, numbers BLOB NOT NULL, data BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS block_key"
    " (key INTEGER NOT NULL, pid INTEGER NOT NULL, area INTEGER NOT NULL);"
)


def _worker_start(
    scratch: str, model_path: str | None, thresholds: Thresholds, secret: bytes
) -> None:
    _worker["scratch"] = scratch
    _worker["scorer"] = PairScorer(load_model(Path(model_path) if model_path else None))
    _worker["thresholds"] = thresholds
    _worker["keyring"] = Keyring({1: secret}, 1)


def _part() -> sqlite3.Connection:
    if "part" not in _worker:
        part = sqlite3.connect(str(Path(str(_worker["scratch"])) / f"part-{os.getpid()}.db"))
        part.executescript(_PART_SCHEMA)
        _worker["part"] = part
    return _worker["part"]  # type: ignore[return-value]  # set just above


def _attach_parts(db: sqlite3.Connection, scratch: Path) -> None:
    """Views over every worker's part file: ``all_people`` and ``all_keys``."""
    parts = sorted(scratch.glob("part-*.db"))
    if not parts:  # an empty file: one empty part keeps the views well formed
        parts = [scratch / "part-empty.db"]
        sqlite3.connect(str(parts[0])).executescript(_PART_SCHEMA)
    people, keys = [], []
    for index, path in enumerate(parts):
        db.execute(f"ATTACH DATABASE ? AS p{index}", (str(path),))
        people.append(f"SELECT id, numbers, data FROM p{index}.person")  # noqa: S608  # our own names
        keys.append(f"SELECT key, pid, area FROM p{index}.block_key")  # noqa: S608  # ditto
    db.execute(f"CREATE TEMP VIEW all_people AS {' UNION ALL '.join(people)}")
    db.execute(f"CREATE TEMP VIEW all_keys AS {' UNION ALL '.join(keys)}")


def _scratch() -> sqlite3.Connection:
    if "db" not in _worker:
        scratch = Path(str(_worker["scratch"]))
        db = sqlite3.connect(str(scratch / "scan.db"))
        _attach_parts(db, scratch)
        _worker["db"] = db
        _worker["skipped"] = np.array(
            [key for (key,) in db.execute("SELECT key FROM block WHERE size > ?", (MAX_BLOCK,))],
            dtype=np.int64,
        )
    return _worker["db"]  # type: ignore[return-value]  # set just above


class _Records(Sequence[Person]):
    """A chunk's records, unpickled only when one is read: most never are."""

    def __init__(self, pickled: list[bytes]) -> None:
        self._pickled = pickled
        self._read: dict[int, Person] = {}

    def __len__(self) -> int:
        return len(self._pickled)

    def __getitem__(self, index: int) -> Person:  # type: ignore[override]  # no slices asked
        found = self._read.get(index)
        if found is None:
            found = self._read[index] = pickle.loads(self._pickled[index])  # noqa: S301  # our own scratch file
        return found


def _people(db: sqlite3.Connection, ids: list[int]) -> tuple[Columns, Ints]:
    """The records of a chunk of blocks, in ``ids`` order: their columns and scored keys."""
    found: dict[int, tuple[bytes, bytes]] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        part = ids[start : start + _IDS_PER_QUERY]
        marks = ",".join("?" * len(part))
        query = f"SELECT id, numbers, data FROM all_people WHERE id IN ({marks})"  # noqa: S608  # only ?s
        for pid, numbers, data in db.execute(query, part):
            found[pid] = (numbers, data)
    table = np.frombuffer(b"".join(found[pid][0] for pid in ids), dtype="<i8")
    table = table.reshape(len(ids), len(Columns.FIELDS) + _KEY_SLOTS)
    keys = table[:, len(Columns.FIELDS) :].copy()
    # Keys of skipped (oversized) blocks: a pair is scored in the block of its smallest
    # shared key among the blocks that are scored, or a shared household phone with a
    # small id would hide the pair from every block.
    keys[np.isin(keys, _worker["skipped"])] = -1  # type: ignore[arg-type]  # set by _scratch
    records = _Records([found[pid][1] for pid in ids])
    return Columns(table[:, : len(Columns.FIELDS)], records), keys


def _blocks(first_rowid: int) -> tuple[Ints, Ints, Ints]:
    """One chunk of scored blocks: (keys, sizes, the blocks' record ids end to end)."""
    rows = (
        _scratch()
        .execute(
            "SELECT key, size, pids FROM block WHERE rowid >= ? AND rowid < ? AND size <= ?",
            (first_rowid, first_rowid + _CHUNK, MAX_BLOCK),
        )
        .fetchall()
    )
    keys = np.array([row[0] for row in rows], dtype=np.int64)
    sizes = np.array([row[1] for row in rows], dtype=np.int64)
    ids = ",".join(row[2] for row in rows).split(",") if rows else []
    return keys, sizes, np.array(ids, dtype=np.int64)


def _pairs(members: Ints, sizes: Ints, keys: Ints) -> Iterator[tuple[Ints, Ints, Ints]]:
    """Every pair within each block as index arrays (a, b, the block's key), a slice at a time.

    Blocks of one size are expanded together with one triangle of indices,
    so a chunk of 20,000 blocks costs a few array operations, not a Python
    loop per pair; slices keep memory to about :data:`_PAIRS` pairs.
    """
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    for size in np.unique(sizes).tolist():
        upper, lower = np.triu_indices(size, 1)
        chosen = np.flatnonzero(sizes == size)
        step = max(1, _PAIRS // len(upper))
        for first in range(0, len(chosen), step):
            blocks = chosen[first : first + step]
            grid = members[starts[blocks][:, None] + np.arange(size)]
            yield (
                grid[:, upper].ravel(),
                grid[:, lower].ravel(),
                np.repeat(keys[blocks], len(upper)),
            )


def _scored_here(key_table: Ints, a: Ints, b: Ints, key: Ints) -> npt.NDArray[np.bool_]:
    """Whether ``key`` is the pair's smallest shared scored key, so each pair is scored once.

    ``key_table`` holds each record's scored keys, -1 in unused slots.
    """
    keys_a, keys_b = key_table[a][:, :, None], key_table[b][:, None, :]
    shared = (keys_a == keys_b) & (keys_a >= 0)
    smaller: npt.NDArray[np.bool_] = (shared & (keys_a < key[:, None, None])).any(axis=(1, 2))
    return ~smaller


def _compare_chunk(first_rowid: int) -> tuple[int, list[tuple[str, str, float, str]]]:
    """Score every pair of a chunk of blocks on columns (:mod:`dedup.columns`)."""
    scorer: PairScorer = _worker["scorer"]  # type: ignore[assignment]  # set by _worker_start
    thresholds: Thresholds = _worker["thresholds"]  # type: ignore[assignment]  # ditto
    keys, sizes, ids = _blocks(first_rowid)
    record_ids, members = np.unique(ids, return_inverse=True)
    columns, key_table = _people(_scratch(), record_ids.tolist())
    people = columns.people
    # Below this weight no pair reaches review; the few above it get the scalar
    # probability, so a scanned pair's score is the online check's to the last digit.
    review_weight = math.log2(thresholds.review / (1 - thresholds.review)) - 1e-6
    found: list[tuple[str, str, float, str]] = []
    compared = 0
    for a_all, b_all, key in _pairs(members, sizes, keys):
        here = _scored_here(key_table, a_all, b_all, key)
        a, b = a_all[here], b_all[here]
        compared += len(a)
        levels = scorer.levels(columns, a, b)
        weights = scorer.weights(columns, a, b, levels)
        same, contradicts = scorer.aadhaar(columns, a, b)
        for index in np.flatnonzero(((weights >= review_weight) | same) & ~contradicts).tolist():
            score = 1.0 if same[index] else probability(float(weights[index]))
            if score >= thresholds.review:
                first, second = sorted((people[a[index]].ref, people[b[index]].ref))
                found.append((first, second, round(score, 4), verdict_of(score, thresholds).value))
    return compared, found


def scan(
    source: Path,
    output: Path,
    *,
    errors: Path,
    model_path: Path | None = None,
    thresholds: Thresholds | None = None,
    workers: int | None = None,
    progress: Progress = _quiet,
) -> ScanReport:
    """Scan ``source`` and write its candidate pairs to ``output``; see the module docstring."""
    thresholds = thresholds or Thresholds()
    # SQLite attaches at most 10 databases: one part file per worker, kept well under.
    workers = min(workers or min(os.cpu_count() or 1, 4), MAX_WORKERS)
    # A key for this run only: tokens compare within the file and mean nothing after it.
    secret = secrets.token_bytes(32)
    with (
        tempfile.TemporaryDirectory(prefix="lokos-scan-") as scratch,
        ProcessPoolExecutor(
            workers,
            initializer=_worker_start,
            initargs=(scratch, str(model_path) if model_path else None, thresholds, secret),
        ) as pool,
    ):
        started = time.perf_counter()
        report = _load(source, errors, pool, progress)
        report.seconds["load"] = time.perf_counter() - started
        started = time.perf_counter()
        db = sqlite3.connect(str(Path(scratch) / "scan.db"))
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        # The workers are idle while blocks are grouped: SQLite sorts on that many
        # threads (block stage 5.5-5.8 s -> 4.3-4.7 s on 1M rows, 2 cores).
        db.execute(f"PRAGMA threads = {workers}")
        _attach_parts(db, Path(scratch))
        _block(db, report)
        report.seconds["block"] = time.perf_counter() - started
        started = time.perf_counter()
        last = db.execute("SELECT coalesce(max(rowid), 0) FROM block").fetchone()[0]
        db.close()
        chunks = iter(range(1, last + 1, _CHUNK))
        with output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(PAIR_COLUMNS)
            compared = _in_order(pool, _compare_chunk, chunks, window=2 * workers)
            for done, (count, found) in enumerate(compared, 1):
                report.compared += count
                for pair in found:
                    writer.writerow(pair)
                    if pair[3] == Verdict.DUPLICATE.value:
                        report.duplicates += 1
                    else:
                        report.reviews += 1
                progress("compare", min(done * _CHUNK, last), last)
        report.seconds["compare"] = time.perf_counter() - started
    return report


def read_pairs(path: Path) -> Iterator[tuple[str, str, float, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row["member_ref_a"], row["member_ref_b"], float(row["score"]), row["decision"]
