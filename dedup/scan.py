"""Batch scan of an interchange CSV: candidate pairs out, no database needed.

Three stages, each bounded in memory by one block, not by the file:

1. **load**: rows stream from the CSV, become :class:`Person` records and
   their blocking keys, and go to a scratch SQLite file on disk. Bad rows go
   to the error report with their row numbers.
2. **block**: SQLite groups the keys (an on-disk sort) into blocks of two or
   more records; blocks larger than :data:`MAX_BLOCK` (a phone typed for a
   whole SHG) are skipped and counted.
3. **compare**: worker processes take blocks in chunks, score every pair in
   each with the shipped model, and send back the pairs at or above the
   review threshold. A pair that shares several keys is scored only in the
   block of its smallest shared key, so no pair is counted twice.

Aadhaar and bank numbers are tokenised under a key made for this run and
thrown away with it: the scratch file never holds a number.
"""

from __future__ import annotations

import csv
import os
import pickle
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dedup.blocking import MAX_BLOCK, blocking_keys
from dedup.interchange import RowError, read_interchange
from dedup.model import MatchModel, load_model
from dedup.person import Person
from dedup.score import Thresholds, score_pair
from dedup.verdict import Verdict
from identity.tokens import Keyring

PAIR_COLUMNS = ("member_ref_a", "member_ref_b", "score", "decision")
ERROR_COLUMNS = ("row", "member_ref", "reason")
_CHUNK = 2_000  # blocks per task handed to a worker
_BATCH = 10_000  # rows per insert

Progress = Callable[[str, int, int | None], None]


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


def _load(
    source: Path, db: sqlite3.Connection, errors: Path, keyring: Keyring, progress: Progress
) -> ScanReport:
    report = ScanReport()
    db.executescript(
        "CREATE TABLE person (id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
        "CREATE TABLE block_key (key TEXT NOT NULL, pid INTEGER NOT NULL);"
    )
    people: list[tuple[int, bytes]] = []
    keys: list[tuple[str, int]] = []

    def flush() -> None:
        db.executemany("INSERT INTO person VALUES (?, ?)", people)
        db.executemany("INSERT INTO block_key VALUES (?, ?)", keys)
        people.clear()
        keys.clear()

    with errors.open("w", newline="", encoding="utf-8") as handle:
        bad = csv.writer(handle)
        bad.writerow(ERROR_COLUMNS)
        for item in read_interchange(source, keyring):
            if isinstance(item, RowError):
                bad.writerow((item.row, item.member_ref, item.reason))
                report.bad_rows += 1
                continue
            report.rows += 1
            pid = report.rows
            person_keys = blocking_keys(item, with_aadhaar=True)
            people.append((pid, pickle.dumps((item, person_keys), pickle.HIGHEST_PROTOCOL)))
            keys.extend((key, pid) for key in person_keys)
            if len(people) >= _BATCH:
                flush()
                progress("load", report.rows + report.bad_rows, None)
        flush()
        progress("load", report.rows + report.bad_rows, None)
    db.commit()
    return report


def _block(db: sqlite3.Connection, report: ScanReport) -> None:
    db.executescript(
        f"""
        CREATE TABLE block AS
            SELECT key, group_concat(pid) AS pids, count(*) AS size
            FROM block_key GROUP BY key HAVING count(*) > 1;
        DELETE FROM block WHERE size > {MAX_BLOCK};
        """  # noqa: S608  # MAX_BLOCK is our own integer constant
    )
    report.blocks = db.execute("SELECT count(*) FROM block").fetchone()[0]
    report.skipped_blocks = db.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM block_key GROUP BY key HAVING count(*) > {MAX_BLOCK})"  # noqa: S608  # our own integer constant
    ).fetchone()[0]
    db.commit()


# One scratch connection and model per worker process.
_worker: dict[str, object] = {}


def _worker_start(db_path: str, model_path: str | None, thresholds: Thresholds) -> None:
    _worker["db"] = sqlite3.connect(db_path)
    _worker["model"] = load_model(Path(model_path) if model_path else None)
    _worker["thresholds"] = thresholds


def _compare_chunk(first_rowid: int) -> tuple[int, list[tuple[str, str, float, str]]]:
    db: sqlite3.Connection = _worker["db"]  # type: ignore[assignment]  # set by _worker_start
    model: MatchModel = _worker["model"]  # type: ignore[assignment]  # set by _worker_start
    thresholds: Thresholds = _worker["thresholds"]  # type: ignore[assignment]  # ditto
    found: list[tuple[str, str, float, str]] = []
    compared = 0
    rows = db.execute(
        "SELECT key, pids FROM block WHERE rowid >= ? AND rowid < ?",
        (first_rowid, first_rowid + _CHUNK),
    ).fetchall()
    for key, pids in rows:
        ids = [int(pid) for pid in pids.split(",")]
        marks = ",".join("?" * len(ids))
        members: list[tuple[Person, list[str]]] = [
            pickle.loads(data)  # noqa: S301  # our own scratch file, written by _load
            for (data,) in db.execute(f"SELECT data FROM person WHERE id IN ({marks})", ids)  # noqa: S608
        ]
        for i, (a, a_keys) in enumerate(members):
            for b, b_keys in members[i + 1 :]:
                if min(set(a_keys).intersection(b_keys)) != key:
                    continue  # scored in the block of their smallest shared key
                compared += 1
                match = score_pair(model, a, b, thresholds)
                if match.verdict is not Verdict.CLEAR:
                    first, second = sorted((a.ref, b.ref))
                    found.append((first, second, round(match.probability, 4), match.verdict.value))
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
    workers = workers or min(os.cpu_count() or 1, 4)
    # A key for this run only: tokens compare within the file and mean nothing after it.
    keyring = Keyring({1: secrets.token_bytes(32)}, 1)
    with tempfile.TemporaryDirectory(prefix="lokos-scan-") as scratch:
        db_path = str(Path(scratch) / "scan.db")
        db = sqlite3.connect(db_path)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        started = time.perf_counter()
        report = _load(source, db, errors, keyring, progress)
        report.seconds["load"] = time.perf_counter() - started
        started = time.perf_counter()
        _block(db, report)
        report.seconds["block"] = time.perf_counter() - started
        started = time.perf_counter()
        last = db.execute("SELECT coalesce(max(rowid), 0) FROM block").fetchone()[0]
        db.close()
        chunks = range(1, last + 1, _CHUNK)
        with (
            output.open("w", newline="", encoding="utf-8") as handle,
            ProcessPoolExecutor(
                workers,
                initializer=_worker_start,
                initargs=(db_path, str(model_path) if model_path else None, thresholds),
            ) as pool,
        ):
            writer = csv.writer(handle)
            writer.writerow(PAIR_COLUMNS)
            for done, (compared, found) in enumerate(pool.map(_compare_chunk, chunks), 1):
                report.compared += compared
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
