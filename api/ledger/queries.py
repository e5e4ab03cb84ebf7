"""Query fields of the books."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.context import Context
from api.errors import argument_error, query_error
from api.hierarchy.dataloaders import CboByCodeLoader
from api.hierarchy.types import After, First, Info
from api.ledger.community_funds import CifPortfolio
from api.ledger.dataloaders import LoanByIdLoader, VoucherByIdLoader
from api.ledger.funds import FundFlow
from api.ledger.grading import Panchasutra
from api.ledger.loans import Loan
from api.ledger.meetings import Meeting
from api.ledger.statements import BalanceSheet, ReceiptsAndPayments
from api.ledger.types import Passbook, TrialBalance, Voucher
from api.node import NODE_FETCHERS
from api.pagination import Connection, NodeT, PageArgs, empty_connection, scoped_connection
from core.access import Scope
from core.database import snapshot
from core.errors import DomainError
from hierarchy.codes import normalise_code
from hierarchy.lookup import cbo_by_code
from ledger import models
from ledger.community_funds import cif_portfolio
from ledger.funds import fund_flow
from ledger.grading import panchasutra
from ledger.interest import portfolio_at_risk
from ledger.loan_book import counted_repayments_of, position_of
from ledger.reports import passbook, trial_balance
from ledger.statements import balance_sheet, receipts_and_payments

R = TypeVar("R")
T = TypeVar("T")


async def _of_cbo(
    info: Info,
    code: str,
    model: Any,
    status: Any,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], NodeT],
    owner: str = "cbo_id",
) -> Connection[NodeT]:
    """One CBO's rows of ``model`` (vouchers, loans, meetings: the CBO's id is in the column
    ``owner``), optionally of one status, paged."""
    context = info.context
    args = PageArgs.of(context, first, after)
    scope = context.read_scope
    cbo = await context.loader(CboByCodeLoader).load(normalise_code(code))
    if scope is None or cbo is None:
        return empty_connection()
    filters = [getattr(model, owner) == cbo.id]
    if status is not None:
        filters.append(model.status == status)
    return await scoped_connection(context, scope, model, args, filters, to_node)


async def _report(
    info: Info,
    fetch: Callable[[AsyncSession, Scope], Awaitable[R | None]],
    present: Callable[[R], T],
) -> T | None:
    """A report within the reader's scope, read at one moment: null outside it, a refused
    argument as a typed error."""
    scope = info.context.read_scope
    if scope is None:
        return None
    try:
        async with snapshot(info.context.sessions) as session:
            report = await fetch(session, scope)
    except DomainError as error:
        raise query_error(error) from None
    return None if report is None else present(report)


@strawberry.type
class LedgerQuery:
    @strawberry.field(description="A CBO's posted balances by account; null outside your scope.")
    async def trial_balance(self, info: Info, cbo_code: str) -> TrialBalance | None:
        return await _report(
            info, lambda s, scope: trial_balance(s, scope, cbo_code), TrialBalance.from_report
        )

    @strawberry.field(description="A CBO's balance sheet today; null outside your scope.")
    async def balance_sheet(self, info: Info, cbo_code: str) -> BalanceSheet | None:
        return await _report(
            info, lambda s, scope: balance_sheet(s, scope, cbo_code), BalanceSheet.from_report
        )

    @strawberry.field(
        description="A CBO's cash and bank receipts and payments from `start` to `end` "
        "(both included); null outside your scope."
    )
    async def receipts_and_payments(
        self, info: Info, cbo_code: str, start: date, end: date
    ) -> ReceiptsAndPayments | None:
        return await _report(
            info,
            lambda s, scope: receipts_and_payments(s, scope, cbo_code, start, end),
            ReceiptsAndPayments.from_report,
        )

    @strawberry.field(
        description="An SHG's Panchasutra scores and grade on `asOf` (default today), "
        "from its books; null outside your scope."
    )
    async def panchasutra(
        self, info: Info, shg_code: str, as_of: date | None = None
    ) -> Panchasutra | None:
        day = as_of or date.today()
        return await _report(
            info, lambda s, scope: panchasutra(s, scope, shg_code, day), Panchasutra.from_report
        )

    @strawberry.field(
        description="The CIF a VO or CLF has out with SHGs on `asOf` (default today): each "
        "loan, outstanding and overdue; null outside your scope."
    )
    async def cif_portfolio(
        self, info: Info, cbo_code: str, as_of: date | None = None
    ) -> CifPortfolio | None:
        day = as_of or date.today()
        return await _report(
            info, lambda s, scope: cif_portfolio(s, scope, cbo_code, day), CifPortfolio.from_report
        )

    @strawberry.field(
        description="The community funds a CBO received and passed on, release by release; "
        "null outside your scope."
    )
    async def fund_flow(self, info: Info, cbo_code: str) -> FundFlow | None:
        return await _report(
            info, lambda s, scope: fund_flow(s, scope, cbo_code), FundFlow.from_report
        )

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
            raise argument_error(
                "last", f"'last' must be between 0 and {info.context.settings.max_page_size}"
            )
        async with snapshot(info.context.sessions) as session:
            report = await passbook(session, scope, member_id, last=last)
        return None if report is None else Passbook.from_report(report)

    @strawberry.field(description="An SHG's loans, to its members and to the group, oldest first.")
    async def loans(
        self,
        info: Info,
        shg_code: str,
        first: First = None,
        after: After = None,
        status: Annotated[models.LoanStatus | None, strawberry.argument()] = None,
    ) -> Connection[Loan]:
        return await _of_cbo(info, shg_code, models.Loan, status, first, after, Loan.from_row)

    @strawberry.field(
        description="Share of the principal an SHG's members owe it that is over `days` past "
        "due, 0 to 1 (internal loans; the group's own borrowing is not its portfolio)."
    )
    async def portfolio_at_risk(
        self, info: Info, shg_code: str, as_of: date | None = None, days: int = 30
    ) -> str | None:
        scope = info.context.read_scope
        if scope is None:
            return None
        async with info.context.sessions() as session:
            shg = await cbo_by_code(session, scope, shg_code)
            if shg is None:
                return None
            rows = list(
                (
                    await session.scalars(
                        select(models.Loan).where(
                            models.Loan.cbo_id == shg.id,
                            models.Loan.source == models.LoanSource.SHG_CORPUS,
                            models.Loan.status == models.LoanStatus.ACTIVE,
                        )
                    )
                ).all()
            )
            repayments = await counted_repayments_of(session, [r.id for r in rows], drafts=False)
        day = as_of or date.today()
        positions = [position_of(row, repayments[row.id], day) for row in rows]
        return f"{portfolio_at_risk(positions, days):.4f}"

    @strawberry.field(description="A CBO's vouchers, oldest first.")
    async def vouchers(
        self,
        info: Info,
        cbo_code: str,
        first: First = None,
        after: After = None,
        status: Annotated[models.VoucherStatus | None, strawberry.argument()] = None,
    ) -> Connection[Voucher]:
        return await _of_cbo(info, cbo_code, models.Voucher, status, first, after, Voucher.from_row)

    @strawberry.field(
        description="An SHG's meetings, oldest recorded first; `status: DRAFT` is what awaits "
        "a checker (a meeting that moved no money has no voucher to find it by)."
    )
    async def meetings(
        self,
        info: Info,
        shg_code: str,
        first: First = None,
        after: After = None,
        status: Annotated[models.VoucherStatus | None, strawberry.argument()] = None,
    ) -> Connection[Meeting]:
        return await _of_cbo(
            info, shg_code, models.Meeting, status, first, after, Meeting.from_row, "shg_id"
        )


async def _voucher_node(context: Context, pk: int) -> Voucher | None:
    row = await context.loader(VoucherByIdLoader).load(pk)
    return None if row is None else Voucher.from_row(row)


async def _loan_node(context: Context, pk: int) -> Loan | None:
    row = await context.loader(LoanByIdLoader).load(pk)
    return None if row is None else Loan.from_row(row)


NODE_FETCHERS["Voucher"] = _voucher_node
NODE_FETCHERS["Loan"] = _loan_node
