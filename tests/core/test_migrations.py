"""The models and the migrations must describe the same schema, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.database import Base, session_factory, transaction
from core.migrations import alembic_config, downgrade, target_metadata_modules, upgrade
from ledger.meetings import MemberAtMeeting, NewMeeting, record_meeting
from ledger.models import Attendance, Meeting, Voucher, VoucherStatus
from ledger.vouchers import approve_voucher, reject_voucher
from tests.world import CHECKER, MAKER, build_world


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    target_metadata_modules()

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_meetings_checked_before_0010_keep_their_check(engine: AsyncEngine) -> None:
    """0010 gives meetings their own check: one whose vouchers were checked takes their
    status and checker; one that moved no money was never checked and stays a draft."""
    sessions = session_factory(engine)
    world = await build_world(sessions, money_paise=10_000_00)
    shg = sorted(code for code, thing in world.cbos.items() if thing.kind == "shg")[0]
    member = sorted(m for m, thing in world.members.items() if shg in thing.ancestors)[0]

    async def meeting(day: int, savings_paise: int) -> tuple[int, list[int]]:
        new = NewMeeting(shg, date(2024, 5, day), (MemberAtMeeting(member, True, savings_paise),))
        async with transaction(sessions) as session:
            made = await record_meeting(session, MAKER, new)
            vouchers = await session.scalars(
                select(Voucher.id).where(Voucher.meeting_id == made.id)
            )
            return made.id, list(vouchers)

    bare, _ = await meeting(1, 0)
    kept, [kept_voucher] = await meeting(2, 100_00)
    dropped, [dropped_voucher] = await meeting(3, 100_00)
    async with transaction(sessions) as session:
        await approve_voucher(session, CHECKER, kept_voucher)
        await reject_voucher(session, CHECKER, dropped_voucher, "not held")

    def to(revision: str, step: Callable[[Config, str], None]) -> Callable[[Connection], None]:
        def run(connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            step(config, revision)

        return run

    async with engine.begin() as connection:
        await connection.run_sync(to("0009", command.downgrade))
        await connection.run_sync(to("head", command.upgrade))
    async with sessions() as session:
        rows = await session.execute(
            select(Meeting.id, Meeting.status, Meeting.checked_by, Meeting.rejection_reason)
        )
        checks = {row.id: (row.status, row.checked_by, row.rejection_reason) for row in rows}
    assert checks == {
        bare: (VoucherStatus.DRAFT, None, None),
        kept: (VoucherStatus.APPROVED, CHECKER.subject, None),
        dropped: (VoucherStatus.REJECTED, CHECKER.subject, "not held"),
    }


async def test_a_database_with_meetings_upgrades_through_the_table_rebuilds(
    engine: AsyncEngine,
) -> None:
    """0009 rebuilds the meeting table on SQLite; with foreign keys enforced, dropping the
    old table failed on the first real database whose attendance rows refer to it."""
    sessions = session_factory(engine)
    world = await build_world(sessions, money_paise=10_000_00)
    shg = sorted(code for code, thing in world.cbos.items() if thing.kind == "shg")[0]
    present = sorted(m for m, thing in world.members.items() if shg in thing.ancestors)[0]
    async with transaction(sessions) as session:
        made = await record_meeting(
            session, MAKER, NewMeeting(shg, date(2024, 5, 1), (MemberAtMeeting(present, True, 0),))
        )
    await downgrade(engine, "0008")
    await upgrade(engine)
    async with sessions() as session:
        assert await session.get(Meeting, made.id) is not None
        attended = await session.scalars(select(Attendance).where(Attendance.meeting_id == made.id))
        assert len(list(attended)) == 1
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # enforcement is back on for the pool
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
