"""Engine, sessions and the declarative base; the one seam for dialect differences.

Everything runs on SQLite (the embedded default, through aiosqlite) and on
PostgreSQL (through asyncpg). What differs between them lives here and only
here: SQLite needs foreign keys switched on per connection and a write-ahead
log so readers don't block the writer; PostgreSQL serialises writers on
named advisory locks where SQLite already has one writer (:func:`lock_names`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import BigInteger, DateTime, Enum, Integer, MetaData, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names keep Alembic migrations identical on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# 64-bit keys on PostgreSQL; on SQLite only INTEGER PRIMARY KEY auto-increments
# (it aliases the 64-bit rowid), so the same column is INTEGER there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, on both dialects.

    SQLite has no timezone type and hands back naive values; this puts UTC back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# How long a writer waits for another's lock before giving up with a retryable BUSY.
DEFAULT_LOCK_TIMEOUT_MS = 30_000


def create_engine(
    url: str, *, lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS, **kwargs: Any
) -> AsyncEngine:
    """Create the async engine for ``url`` with the dialect's connection setup.

    Statement parameters are hidden from error messages: they hold names and
    phone numbers, and error messages end up in logs. A statement waits at most
    ``lock_timeout_ms`` for a lock another transaction holds (SQLite's busy
    timeout, PostgreSQL's ``lock_timeout``), then fails as :func:`is_busy`.
    """
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        engine = create_async_engine(
            url, connect_args={"timeout": lock_timeout_ms / 1000}, **kwargs
        )
        on_connect = partial(_sqlite_on_connect, lock_timeout_ms=lock_timeout_ms)
        event.listen(engine.sync_engine, "connect", on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("connect_args", {"server_settings": {"lock_timeout": str(lock_timeout_ms)}})
    return create_async_engine(url, **kwargs)


# SQLite's "database is locked" / "database table is locked"; PostgreSQL's
# lock_not_available (lock_timeout), serialization_failure and deadlock_detected.
_SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_SQLITE_BUSY_TEXT = ("database is locked", "database table is locked")
_POSTGRES_BUSY = {"55P03", "40001", "40P01"}


def is_busy(error: BaseException) -> bool:
    """Whether a database error means only that other writers held the locks too long:
    nothing was written, and the same request may simply be sent again."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BUSY
    if getattr(original, "sqlstate", None) in _POSTGRES_BUSY:
        return True
    return str(original).startswith(_SQLITE_BUSY_TEXT)


# Execution options marking a unit of work that will write, or that reads a
# report in several statements which must agree (see _sqlite_begin, snapshot).
WRITES = "lokos_writes"
SNAPSHOT = "lokos_snapshot"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any, *, lock_timeout_ms: int) -> None:
    # Take transaction control from the driver, which would otherwise begin
    # lazily at the first write, after the reads a check depends on.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Writers take SQLite's write lock up front (BEGIN IMMEDIATE), so a check and the
    write that depends on it happen with no other writer in between; this is SQLite's
    counterpart of PostgreSQL's row locks.

    Readers send no BEGIN: each of their statements is its own snapshot, which is
    all a loader's single statement needs, and saves two round trips a batch. A
    report of several statements sends a plain BEGIN: in WAL mode its first read
    fixes the snapshot every later one sees.
    """
    options = connection.get_execution_options()
    if options.get(WRITES, False):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif options.get(SNAPSHOT, False):
        connection.exec_driver_sql("BEGIN")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls everything back on any error."""
    async with sessions() as session, session.begin():
        await session.connection(execution_options={WRITES: True})
        yield session


@asynccontextmanager
async def snapshot(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Reads that must see one moment, for a report read in several statements (a
    passbook's balances and its entries, a period's opening balance and its vouchers):
    PostgreSQL's REPEATABLE READ, SQLite's read transaction. Writes nothing.
    """
    async with sessions() as session:
        options: dict[str, Any] = {SNAPSHOT: True}
        if session.get_bind().dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        await session.connection(execution_options=options)  # begins the transaction
        # Closing the session ends it with a rollback: nothing was written, and unlike
        # rollback() it leaves the rows read loaded for the caller to present.
        yield session


def string_enum(kind: type[StrEnum], length: int = 16) -> Enum:
    """A StrEnum stored as its values in a VARCHAR: the same on both dialects, and a
    new member needs no ALTER TYPE."""
    return Enum(
        kind,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


async def lock_names(session: AsyncSession, names: list[str]) -> None:
    """Serialise writers that touch the same names until this transaction ends.

    PostgreSQL: a transaction-level advisory lock per name, taken in sorted
    order so two writers never wait on each other in a cycle. SQLite needs
    nothing: a writer already holds the database's single write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": int.from_bytes(digest, "big", signed=True)},
        )
