"""Whether a member is square with her SHG, and a CBO with its books: the conditions for
leaving an SHG and for closing a CBO.

She exits or transfers only when nothing is left between her and the group
she leaves: her savings paid back to her (a voucher that debits her savings),
her loans repaid and closed, and no voucher naming her still waiting for a
checker. Money left behind would be stranded: a loan in an SHG she no longer
belongs to can never take a repayment, and savings there are never paid out.

A CBO closes (:func:`hierarchy.cbos.close_cbo`) only when nothing is left in its books
either, for the same reason one level up: a closed CBO keeps no books, so a loan it
borrowed or lent would never be repaid, and money it held never spent.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, ErrorCode
from hierarchy.models import Cbo, CboKind, Member
from ledger.chart import CHART, AccountType
from ledger.models import LedgerBalance, Loan, LoanStatus, Voucher, VoucherLine, VoucherStatus

_HER_ACCOUNTS = tuple(account.code for account in CHART if account.per_member)
# What a CBO holds or owes. Its income and expenses stay as they stand: they are its
# history, not money, and once all of these are zero they net to zero anyway.
_HELD_OR_OWED = tuple(
    account.code
    for account in CHART
    if account.type in (AccountType.ASSET, AccountType.LIABILITY, AccountType.FUND)
)
_OPEN_LOAN = (LoanStatus.PENDING, LoanStatus.ACTIVE)


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
        Loan.status.in_(_OPEN_LOAN),
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


async def check_books_square(session: AsyncSession, cbo: Cbo, field: str) -> None:
    """Refuse (UNSETTLED, naming ``field``) while the CBO holds or owes money, has a loan
    not closed that it borrowed or lent, or a voucher waiting for a checker."""
    checks = [
        (
            "money held or owed",
            exists().where(
                LedgerBalance.cbo_id == cbo.id,
                LedgerBalance.account.in_(_HELD_OR_OWED),
                LedgerBalance.balance_paise != 0,
            ),
        ),
        (
            "a loan it borrowed not closed",
            exists().where(Loan.cbo_id == cbo.id, Loan.status.in_(_OPEN_LOAN)),
        ),
    ]
    if cbo.kind is not CboKind.SHG:  # only a federation lends: an SHG's close skips the scan
        checks.append(
            (
                "a loan it lent not closed",
                exists().where(Loan.lender_cbo_id == cbo.id, Loan.status.in_(_OPEN_LOAN)),
            )
        )
    checks.append(
        (
            "a voucher awaiting a checker",
            exists().where(Voucher.cbo_id == cbo.id, Voucher.status == VoucherStatus.DRAFT),
        )
    )
    found = (await session.execute(select(*(clause for _, clause in checks)))).one()
    left = [what for (what, _), there in zip(checks, found, strict=True) if there]
    if left:
        raise DomainError(
            ErrorCode.UNSETTLED,
            field,
            f"This {cbo.kind.value.upper()} still has {', '.join(left)}: settle its loans and "
            "pay out or pass on what it holds (approved) before it is closed",
        )
