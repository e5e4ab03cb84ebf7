"""Whether a member is square with her SHG: the condition for leaving it.

She exits or transfers only when nothing is left between her and the group
she leaves: her savings paid back to her (a voucher that debits her savings),
her loans repaid and closed, and no voucher naming her still waiting for a
checker. Money left behind would be stranded: a loan in an SHG she no longer
belongs to can never take a repayment, and savings there are never paid out.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, ErrorCode
from hierarchy.models import Member
from ledger.chart import CHART
from ledger.models import LedgerBalance, Loan, LoanStatus, Voucher, VoucherLine, VoucherStatus

_HER_ACCOUNTS = tuple(account.code for account in CHART if account.per_member)


async def check_settled(session: AsyncSession, member: Member, field: str) -> None:
    """Refuse (UNSETTLED, naming ``field``) while she holds or owes money in her current SHG."""
    shg_id = member.shg_id
    open_balance = exists().where(
        LedgerBalance.cbo_id == shg_id,
        LedgerBalance.member_pk == member.id,
        LedgerBalance.account.in_(_HER_ACCOUNTS),
        LedgerBalance.balance_paise != 0,
    )
    open_loan = exists().where(
        Loan.cbo_id == shg_id,
        Loan.member_pk == member.id,
        Loan.status.in_((LoanStatus.PENDING, LoanStatus.ACTIVE)),
    )
    waiting = exists().where(
        Voucher.cbo_id == shg_id,
        Voucher.status == VoucherStatus.DRAFT,
        VoucherLine.voucher_id == Voucher.id,
        VoucherLine.member_pk == member.id,
    )
    balance, loan, draft = (await session.execute(select(open_balance, open_loan, waiting))).one()
    owed = [
        what
        for what, found in (
            ("savings or a loan balance", balance),
            ("a loan not closed", loan),
            ("a voucher awaiting a checker", draft),
        )
        if found
    ]
    if owed:
        raise DomainError(
            ErrorCode.UNSETTLED,
            field,
            f"She still has {', '.join(owed)} in this SHG: pay out her savings and settle her "
            "loans (approved) before she leaves it",
        )
