"""Per-request loaders for the books."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.dataloaders import ScopedLoader
from core.access import Scope
from ledger.loan_book import counted_repayments_of
from ledger.models import Attendance, Loan, LoanRepayment, Meeting, Voucher, VoucherLine


class VoucherByIdLoader(ScopedLoader[int, Voucher | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[Voucher | None]:
        rows = await session.scalars(
            select(Voucher).where(Voucher.id.in_(set(keys)), scope.clause(Voucher))
        )
        found = {row.id: row for row in rows}
        return [found.get(key) for key in keys]

    def missing(self, key: int) -> Voucher | None:
        return None


class VouchersByEntryLoader(ScopedLoader[int, list[Voucher]]):
    """The vouchers of each entry (:func:`ledger.vouchers.link`) the caller can see, by id."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[list[Voucher]]:
        rows = await session.scalars(
            select(Voucher)
            .where(Voucher.entry_id.in_(set(keys)), scope.clause(Voucher))
            .order_by(Voucher.id)
        )
        grouped: dict[int, list[Voucher]] = defaultdict(list)
        for row in rows:
            assert row.entry_id is not None  # selected by it
            grouped[row.entry_id].append(row)
        return [grouped.get(key, []) for key in keys]

    def missing(self, key: int) -> list[Voucher]:
        return []


class LinesByVoucherLoader(ScopedLoader[int, list[VoucherLine]]):
    """Lines of vouchers the caller can see (callers reach lines only through such vouchers)."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[list[VoucherLine]]:
        rows = await session.scalars(
            select(VoucherLine)
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(VoucherLine.voucher_id.in_(set(keys)), scope.clause(Voucher))
            .order_by(VoucherLine.id)
        )
        grouped: dict[int, list[VoucherLine]] = defaultdict(list)
        for row in rows:
            grouped[row.voucher_id].append(row)
        return [grouped.get(key, []) for key in keys]

    def missing(self, key: int) -> list[VoucherLine]:
        return []


class LoanByIdLoader(ScopedLoader[int, Loan | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[Loan | None]:
        rows = await session.scalars(select(Loan).where(Loan.id.in_(set(keys)), scope.clause(Loan)))
        found = {row.id: row for row in rows}
        return [found.get(key) for key in keys]

    def missing(self, key: int) -> Loan | None:
        return None


class RepaymentsByLoanLoader(ScopedLoader[int, list[LoanRepayment]]):
    """Repayments that count (approved, not reversed) of loans the caller can see."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[list[LoanRepayment]]:
        visible = set(
            (
                await session.scalars(select(Loan.id).where(Loan.id.in_(keys), scope.clause(Loan)))
            ).all()
        )
        found = await counted_repayments_of(session, sorted(visible), drafts=False)
        return [found.get(key, []) for key in keys]

    def missing(self, key: int) -> list[LoanRepayment]:
        return []


class MeetingByIdLoader(ScopedLoader[int, Meeting | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[Meeting | None]:
        rows = await session.scalars(
            select(Meeting).where(Meeting.id.in_(set(keys)), scope.clause(Meeting))
        )
        found = {row.id: row for row in rows}
        return [found.get(key) for key in keys]

    def missing(self, key: int) -> Meeting | None:
        return None


class VouchersByMeetingLoader(ScopedLoader[int, list[Voucher]]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[list[Voucher]]:
        rows = await session.scalars(
            select(Voucher)
            .where(Voucher.meeting_id.in_(set(keys)), scope.clause(Voucher))
            .order_by(Voucher.id)
        )
        grouped: dict[int, list[Voucher]] = defaultdict(list)
        for row in rows:
            if row.meeting_id is not None:
                grouped[row.meeting_id].append(row)
        return [grouped.get(key, []) for key in keys]

    def missing(self, key: int) -> list[Voucher]:
        return []


class PresentCountByMeetingLoader(ScopedLoader[int, int]):
    async def fetch(self, session: AsyncSession, scope: Scope, keys: list[int]) -> list[int]:
        rows = await session.execute(
            select(Attendance.meeting_id, func.count())
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Attendance.meeting_id.in_(set(keys)), Attendance.present, scope.clause(Meeting))
            .group_by(Attendance.meeting_id)
        )
        found = {meeting_id: int(count) for meeting_id, count in rows.all()}
        return [found.get(key, 0) for key in keys]

    def missing(self, key: int) -> int:
        return 0
