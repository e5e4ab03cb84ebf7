"""Per-request loaders for the books."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.dataloaders import ScopedLoader
from core.access import Scope
from ledger.models import Voucher, VoucherLine


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
