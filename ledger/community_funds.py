"""Where a federation's Community Investment Fund sits: which SHGs hold it, repaid or not.

A VO's CIF is the CIF loans its SHGs have taken from it; a CLF's is the CIF
loans taken by SHGs in its area, from the CLF directly or through their VO.
Each loan is read from the borrowing SHG's books (:mod:`ledger.loans`), so
the portfolio shows exactly what the groups owe, with each loan's
repayments and lateness as of a day.

    portfolio = await cif_portfolio(session, scope, "CLF-D00000001", date(2026, 3, 31))
    portfolio.outstanding_paise, portfolio.par30
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Scope
from core.errors import DomainError, ErrorCode
from hierarchy.lookup import cbo_by_code
from hierarchy.models import Cbo, CboKind
from ledger.interest import LoanPosition, portfolio_at_risk
from ledger.loan_book import counted_repayments_of, position_of
from ledger.models import Loan, LoanSource, LoanStatus


@dataclass(frozen=True)
class CifLoan:
    loan: Loan
    shg: Cbo
    position: LoanPosition


@dataclass(frozen=True)
class CifPortfolio:
    federation: Cbo
    as_of: date
    loans: list[CifLoan]

    @property
    def disbursed_paise(self) -> int:
        return sum(item.loan.principal_paise for item in self.loans)

    @property
    def outstanding_paise(self) -> int:
        return sum(item.position.principal_outstanding_paise for item in self.loans)

    @property
    def overdue_paise(self) -> int:
        return sum(item.position.overdue_paise for item in self.loans)

    @property
    def par30(self) -> Decimal:
        return portfolio_at_risk([item.position for item in self.loans], 30)


async def cif_portfolio(
    session: AsyncSession, scope: Scope, cbo_code: str, as_of: date
) -> CifPortfolio | None:
    """The CIF loans a VO or CLF has out with SHGs, oldest first; None outside the scope."""
    federation = await cbo_by_code(session, scope, cbo_code)
    if federation is None:
        return None
    if federation.kind is CboKind.VO:
        which = [Loan.vo_id == federation.id, Loan.source == LoanSource.VO_CIF]
    elif federation.kind is CboKind.CLF:
        which = [
            Loan.clf_id == federation.id,
            Loan.source.in_((LoanSource.VO_CIF, LoanSource.CLF_CIF)),
        ]
    else:
        raise DomainError(ErrorCode.INVALID, "cboCode", "CIF is lent by a VO or a CLF")
    loans = list(
        (
            await session.scalars(
                select(Loan)
                .where(
                    *which,
                    scope.clause(Loan),
                    Loan.status.in_((LoanStatus.ACTIVE, LoanStatus.CLOSED)),
                    Loan.disbursed_on <= as_of,
                )
                .order_by(Loan.id)
            )
        ).all()
    )
    repayments = await counted_repayments_of(session, [loan.id for loan in loans], drafts=False)
    shg_ids = {loan.cbo_id for loan in loans}
    shgs = {
        shg.id: shg for shg in (await session.scalars(select(Cbo).where(Cbo.id.in_(shg_ids)))).all()
    }
    return CifPortfolio(
        federation,
        as_of,
        [
            CifLoan(loan, shgs[loan.cbo_id], position_of(loan, repayments[loan.id], as_of))
            for loan in loans
        ],
    )
