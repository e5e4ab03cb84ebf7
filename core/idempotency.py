"""Client idempotency keys: a retried write returns the first result and writes nothing new.

The field app retries after a dropped connection. Each write mutation takes an
optional ``idempotencyKey``; the first successful call stores what it produced
under (caller, key) in the same transaction as the write itself, so either
both land or neither does. A replay with the same payload gets the stored
result; the same key with a different payload is refused.

Only successful writes are remembered: a refused call wrote nothing, so the
client may correct it and try again under the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, BigId, UtcDateTime, utc_now
from core.errors import DomainError, ErrorCode

MAX_KEY_LENGTH = 128


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("subject", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    operation: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


@dataclass(frozen=True)
class IdempotentCall:
    """The identity of one client call: who, under which key, doing what, with what."""

    subject: str
    key: str
    operation: str
    fingerprint: str

    @classmethod
    def of(cls, subject: str, key: str, operation: str, payload: dict[str, Any]) -> IdempotentCall:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise DomainError(
                ErrorCode.INVALID,
                "idempotencyKey",
                f"Idempotency key must be 1 to {MAX_KEY_LENGTH} characters",
            )
        return cls(subject, key, operation, fingerprint(operation, payload))


def fingerprint(operation: str, payload: dict[str, Any]) -> str:
    """A digest of the call's payload, to tell a true replay from a reused key.

    Payloads must already be free of raw identity numbers (callers pass their
    keyed tokens): a plain digest of an Aadhaar number could be brute-forced.
    """
    canonical = json.dumps([operation, payload], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def replayed_result(session: AsyncSession, call: IdempotentCall) -> int | None:
    """The id the first call produced, or ``None`` when this key is new.

    Raises ``IDEMPOTENCY_CONFLICT`` when the key was used for a different payload.
    """
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.subject == call.subject, IdempotencyRecord.key == call.key
        )
    )
    if record is None:
        return None
    if record.operation != call.operation or record.fingerprint != call.fingerprint:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "idempotencyKey",
            "This idempotency key was already used for a different request",
        )
    return record.result_id


def remember_result(session: AsyncSession, call: IdempotentCall, result_id: int) -> None:
    """Store the result in the caller's transaction; a concurrent twin fails on the unique key."""
    session.add(
        IdempotencyRecord(
            subject=call.subject,
            key=call.key,
            operation=call.operation,
            fingerprint=call.fingerprint,
            result_id=result_id,
        )
    )
