"""Writes under contention: a write that cannot get its locks in time is a retryable BUSY.

Real concurrent writers on both backends, with a short lock timeout: SQLite's
busy timeout, PostgreSQL's lock_timeout. The loser is told BUSY (never a
masked "Unexpected error"), nothing of it is written, and the same request
sent again succeeds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from core.access import NATIONAL
from core.audit import record_audit
from core.database import create_engine, session_factory, transaction
from core.settings import Settings
from hierarchy.lookup import cbo_by_code
from hierarchy.models import CboKind, Member
from tests.conftest import Api
from tests.world import World, aadhaar_number, build_world

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId } errors { code field message } } }"""


@pytest.fixture
async def impatient_api(
    settings: Settings, database_url: str, engine: AsyncEngine
) -> AsyncIterator[Api]:
    """The API with a lock timeout of 200 ms (``engine`` first: it readies the database)."""
    impatient = create_engine(database_url, lock_timeout_ms=200)
    transport = httpx.ASGITransport(app=create_app(settings, impatient))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client=client, settings=settings)
    await impatient.dispose()


def _enrolment(shg: str, serial: int) -> dict[str, Any]:
    return {
        "input": {
            "shgCode": shg,
            "name": f"Rekha {serial}",
            "gender": "F",
            "birthYear": 1950 + serial % 50,
            "aadhaar": aadhaar_number(9000 + serial),
            "idempotencyKey": f"phone-3:enrol:{serial}",
        }
    }


async def _members(sessions: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Member)) or 0)


async def test_a_write_blocked_past_the_lock_timeout_is_busy_and_can_be_sent_again(
    impatient_api: Api, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    world: World = await build_world(sessions)
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    before = await _members(sessions)
    # Another writer holds the SHG (and, on SQLite, the write lock) for longer than 200 ms.
    async with transaction(sessions) as session:
        await cbo_by_code(session, NATIONAL, shg, CboKind.SHG, for_update=True)
        await record_audit(
            session, actor="other", action="test.hold", entity_type="cbo", entity_id=1, detail={}
        )
        await session.flush()
        response = await impatient_api.post(ENROL, _enrolment(shg, 1), token=impatient_api.token())
    body = response.json()
    assert body["errors"][0]["extensions"] == {"code": "BUSY", "retryable": True}, body
    assert "Unexpected" not in response.text
    assert await _members(sessions) == before
    again = await impatient_api.query(ENROL, _enrolment(shg, 1))
    assert again["enrollMember"]["member"] is not None
    assert await _members(sessions) == before + 1


async def test_concurrent_enrolments_into_one_shg_succeed_or_are_busy(
    impatient_api: Api, engine: AsyncEngine
) -> None:
    sessions = session_factory(engine)
    world: World = await build_world(sessions)
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[1]
    before = await _members(sessions)
    token = impatient_api.token()

    async def enrol(serial: int) -> dict[str, Any]:
        response = await impatient_api.post(ENROL, _enrolment(shg, serial), token=token)
        return dict(response.json())

    # Each holds the SHG while it checks and writes; 30 at once outlast a 200 ms timeout.
    answers = await asyncio.gather(*(enrol(serial) for serial in range(100, 130)))
    busy = [a for a in answers if "errors" in a]
    assert busy, "no enrolment had to wait past the timeout: the test shows nothing"
    assert all(a["errors"][0]["extensions"] == {"code": "BUSY", "retryable": True} for a in busy)
    answered = [a["data"]["enrollMember"] for a in answers if "errors" not in a]
    enrolled = [a for a in answered if a["member"] is not None]
    assert await _members(sessions) == before + len(enrolled)


async def test_a_card_asked_for_under_other_writers_locks_is_busy(
    impatient_api: Api, engine: AsyncEngine, backend: str
) -> None:
    """Issuing a card records it; blocked past the lock timeout it was an HTTP 500."""
    sessions = session_factory(engine)
    world: World = await build_world(sessions)
    member_id = sorted(world.members)[0]
    headers = {"Authorization": f"Bearer {impatient_api.token()}"}
    async with transaction(sessions) as session:
        if backend == "postgresql":
            await session.execute(text("LOCK TABLE card_issuance IN EXCLUSIVE MODE"))
        await record_audit(
            session, actor="other", action="test.hold", entity_type="cbo", entity_id=1, detail={}
        )
        await session.flush()
        response = await impatient_api.client.get(f"/cards/{member_id}", headers=headers)
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "BUSY" and response.headers["Retry-After"] == "1"
    again = await impatient_api.client.get(f"/cards/{member_id}", headers=headers)
    assert again.status_code == 200
