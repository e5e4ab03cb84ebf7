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

from core.errors import DomainError, ErrorCode
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
    return position_after(loan, [Repayment(r.paid_on, r.amount_paise) for r in repayments], as_of)


def position_after(loan: Loan, paid: list[Repayment], as_of: date) -> LoanPosition:
    """Where the loan stands on ``as_of`` after these repayments (interest by the calendar)."""
    return position(
        loan_schedule(loan),
        paid,
        as_of,
        disbursed_on=loan.disbursed_on,
        method=InterestMethod(loan.method),
    )


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


async def check_repayment_split(session: AsyncSession, voucher: Voucher) -> None:
    """Refuse to post a repayment whose interest/principal split no longer holds.

    A split is made when the repayment is recorded, after the repayments then
    counted or awaiting approval. If one of those is rejected or reversed
    before this one is approved, the split would post wrongly: the checker is
    told to reject it so it can be recorded again.
    """
    if voucher.loan_id is None or voucher.reverses_id is not None:
        return
    repayment = await session.scalar(
        select(LoanRepayment).where(LoanRepayment.voucher_id == voucher.id)
    )
    if repayment is None:  # the disbursement
        return
    loan = await session.get(Loan, voucher.loan_id, with_for_update=True)
    assert loan is not None
    # The same view as when it was recorded: the repayments recorded before it that still stand.
    earlier = [
        r for r in await counted_repayments(session, loan, drafts=True) if r.id < repayment.id
    ]
    paid = [Repayment(r.paid_on, r.amount_paise) for r in earlier]
    before = position_after(loan, paid, date.max)
    after = position_after(
        loan, [*paid, Repayment(repayment.paid_on, repayment.amount_paise)], date.max
    )
    split = (
        after.interest_paid_paise - before.interest_paid_paise,
        after.principal_paid_paise - before.principal_paid_paise,
    )
    if split != (repayment.interest_paise, repayment.principal_paise) or after.advance_paise:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            "voucherId",
            "An earlier repayment of this loan was rejected or reversed, so this one's split is "
            "out of date: reject it and record it again",
        )


async def check_reversal_order(session: AsyncSession, original: Voucher, field: str) -> None:
    """Refuse to undo a loan voucher that later repayments rest on.

    A repayment's split into interest and principal was worked out after the
    repayments before it; reversing one in the middle would leave the later
    splits wrong in posted books. So repayments are undone newest first, and
    a disbursement only once no repayment of the loan still counts. Checked
    when the reversal is recorded and again when it is approved (a later
    repayment may have been recorded in between).
    """
    if original.loan_id is None:
        return
    loan = await session.get(Loan, original.loan_id)
    assert loan is not None
    standing = await counted_repayments(session, loan, drafts=True)
    if original.id == loan.disbursement_voucher_id:
        if standing:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                field,
                "This loan has repayments: reverse them first, newest first",
            )
        return
    this = next((r for r in standing if r.voucher_id == original.id), None)
    if this is not None and any(r.id > this.id for r in standing):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            field,
            "Later repayments of this loan rest on this one: reverse them first, newest first",
        )
