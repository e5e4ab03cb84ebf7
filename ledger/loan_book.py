"""Where a loan stands: its schedule, the repayments that count, its status as vouchers are checked.

Kept apart from :mod:`ledger.loans` (which records loans through vouchers) so
that :mod:`ledger.vouchers` can keep loans in step on approval without an
import cycle.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ledger.interest import Instalment, InterestMethod, LoanPosition, Repayment, position, schedule
from ledger.models import Loan, LoanRepayment, LoanStatus, Voucher, VoucherStatus


def loan_schedule(loan: Loan) -> list[Instalment]:
    return schedule(
        loan.principal_paise,
        loan.annual_rate_bp,
        loan.months,
        InterestMethod(loan.method),
        loan.first_due_on,
    )


async def counted_repayments_of(
    session: AsyncSession, loan_ids: list[int], *, drafts: bool
) -> dict[int, list[LoanRepayment]]:
    """Repayments that count, per loan: approved and not reversed by an approved reversal;
    with ``drafts``, those awaiting approval too (so a new repayment is split after them)."""
    reversal = aliased(Voucher)
    statuses = [VoucherStatus.APPROVED, *([VoucherStatus.DRAFT] if drafts else [])]
    rows = await session.scalars(
        select(LoanRepayment)
        .join(Voucher, Voucher.id == LoanRepayment.voucher_id)
        .where(LoanRepayment.loan_id.in_(loan_ids), Voucher.status.in_(statuses))
        .where(
            ~select(reversal.id)
            .where(reversal.reverses_id == Voucher.id, reversal.status == VoucherStatus.APPROVED)
            .exists()
        )
        .order_by(LoanRepayment.paid_on, LoanRepayment.id)
    )
    found: dict[int, list[LoanRepayment]] = {loan_id: [] for loan_id in loan_ids}
    for row in rows:
        found[row.loan_id].append(row)
    return found


async def counted_repayments(
    session: AsyncSession, loan: Loan, *, drafts: bool
) -> list[LoanRepayment]:
    return (await counted_repayments_of(session, [loan.id], drafts=drafts))[loan.id]


def position_of(loan: Loan, repayments: list[LoanRepayment], as_of: date) -> LoanPosition:
    paid = [Repayment(r.paid_on, r.amount_paise) for r in repayments]
    return position(loan_schedule(loan), paid, as_of)


async def loan_position(session: AsyncSession, loan: Loan, as_of: date) -> LoanPosition:
    return position_of(loan, await counted_repayments(session, loan, drafts=False), as_of)


async def on_voucher_checked(session: AsyncSession, voucher: Voucher) -> None:
    """Keep a loan's status in step with its vouchers as a checker approves or rejects them.

    Its disbursement approved: active; rejected, or later reversed: cancelled.
    A repayment (or a repayment's reversal) approved: closed once nothing is
    left to pay, active again if a reversal reopens it.
    """
    if voucher.loan_id is None:
        return
    loan = await session.get(Loan, voucher.loan_id, with_for_update=True)
    assert loan is not None
    approved = voucher.status is VoucherStatus.APPROVED
    if voucher.id == loan.disbursement_voucher_id:
        loan.status = LoanStatus.ACTIVE if approved else LoanStatus.CANCELLED
    elif voucher.reverses_id is not None and voucher.reverses_id == loan.disbursement_voucher_id:
        if approved:
            loan.status = LoanStatus.CANCELLED
    elif approved and loan.status in (LoanStatus.ACTIVE, LoanStatus.CLOSED):
        settled = (await loan_position(session, loan, date.max)).overdue_paise == 0
        loan.status = LoanStatus.CLOSED if settled else LoanStatus.ACTIVE
