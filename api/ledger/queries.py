"""Query fields of the books."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession

from api.context import Context
from api.hierarchy.dataloaders import CboByCodeLoader
from api.hierarchy.types import After, First, Info
from api.ledger.dataloaders import VoucherByIdLoader
from api.ledger.types import Passbook, TrialBalance, Voucher
from api.node import NODE_FETCHERS
from api.pagination import Connection, PageArgs, connection, empty_connection
from hierarchy import listing
from hierarchy.codes import normalise_code
from ledger import models
from ledger.reports import passbook, trial_balance


@strawberry.type
class LedgerQuery:
    @strawberry.field(description="A CBO's posted balances by account; null outside your scope.")
    async def trial_balance(self, info: Info, cbo_code: str) -> TrialBalance | None:
        scope = info.context.read_scope
        if scope is None:
            return None
        async with info.context.sessions() as session:
            report = await trial_balance(session, scope, cbo_code)
        return None if report is None else TrialBalance.from_report(report)

    @strawberry.field(description="Her savings and loan statement; null outside your scope.")
    async def passbook(
        self,
        info: Info,
        member_id: str,
        last: Annotated[
            int, strawberry.argument(description="Entries to show (at most 100).")
        ] = 50,
    ) -> Passbook | None:
        scope = info.context.read_scope
        if scope is None:
            return None
        if not 0 <= last <= info.context.settings.max_page_size:
            raise GraphQLError(
                f"'last' must be between 0 and {info.context.settings.max_page_size}"
            )
        async with info.context.sessions() as session:
            report = await passbook(session, scope, member_id, last=last)
        return None if report is None else Passbook.from_report(report)

    @strawberry.field(description="A CBO's vouchers, oldest first.")
    async def vouchers(
        self,
        info: Info,
        cbo_code: str,
        first: First = None,
        after: After = None,
        status: Annotated[models.VoucherStatus | None, strawberry.argument()] = None,
    ) -> Connection[Voucher]:
        context = info.context
        args = PageArgs.of(context, first, after)
        scope = context.read_scope
        cbo = await context.loader(CboByCodeLoader).load(normalise_code(cbo_code))
        if scope is None or cbo is None:
            return empty_connection()
        filters = [models.Voucher.cbo_id == cbo.id]
        if status is not None:
            filters.append(models.Voucher.status == status)

        async def fetch(session: AsyncSession) -> listing.Page[models.Voucher]:
            return await listing.page(
                session, scope, models.Voucher, first=args.first, after=args.after, filters=filters
            )

        async def count() -> int:
            async def run(session: AsyncSession) -> int:
                return await listing.count(session, scope, models.Voucher, filters)

            return await context.read(run)

        return connection(await context.read(fetch), args, Voucher.from_row, count)


async def _voucher_node(context: Context, pk: int) -> Voucher | None:
    row = await context.loader(VoucherByIdLoader).load(pk)
    return None if row is None else Voucher.from_row(row)


NODE_FETCHERS["Voucher"] = _voucher_node
