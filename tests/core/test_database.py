"""The dialect seam's transactions, on each backend: writers serialise, reports read one moment."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit import AuditEvent, record_audit
from core.database import snapshot, transaction


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _plain(sessions: async_sessionmaker[AsyncSession]) -> AbstractAsyncContextManager[AsyncSession]:
    return sessions()


@pytest.mark.parametrize(("reader", "sees_the_write"), [(snapshot, False), (_plain, True)])
async def test_a_snapshot_reads_one_moment_while_another_writer_commits(
    sessions: Any,
    reader: Callable[[Any], AbstractAsyncContextManager[AsyncSession]],
    sees_the_write: bool,
) -> None:
    async with reader(sessions) as session:
        before = await _count(session)
        async with transaction(sessions) as writer:
            await record_audit(writer, actor="t", action="test.write", entity_type="t", entity_id=1)
        assert await _count(session) == before + sees_the_write
    async with sessions() as fresh:
        assert await _count(fresh) == before + 1
