"""A CBO's financial statements: the balance sheet and receipts and payments for a period.

Both read posted balances and approved vouchers only, like every report.
The balance sheet is the trial balance arranged: what the group owns
(assets) against what it owes its members and lenders (liabilities), the
funds it holds (RF, CIF, VRF …) and its surplus, income less expenses.

Receipts and payments is the cash book summarised, as an SHG's annual
statement shows it: money that came into cash or bank in a period, by where
it came from (members' savings, repayments, interest, grants), and money
that went out, by where it went. A voucher moving money only between cash
and bank (a deposit) is neither. The opening balance is worked back from
today's posted cash and bank balance through the vouchers dated since the
period began, so its cost grows with the period asked for, not with the
group's whole history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Scope
from core.errors import DomainError, ErrorCode
from hierarchy.lookup import cbo_by_code
from hierarchy.models import Cbo
from ledger.chart import ACCOUNTS, Account, AccountType, natural_balance
from ledger.models import LedgerBalance, Voucher, VoucherLine, VoucherStatus
from ledger.reports import trial_balance

MONEY_ACCOUNTS = ("cash", "bank")
MAX_PERIOD_DAYS = 366 * 5


@dataclass(frozen=True)
class StatementLine:
    account: Account
    amount_paise: int  # as its holder reads it: positive is normal


@dataclass(frozen=True)
class BalanceSheet:
    cbo: Cbo
    assets: list[StatementLine]
    liabilities: list[StatementLine]
    funds: list[StatementLine]
    surplus_paise: int  # income less expenses to date

    @property
    def total_assets_paise(self) -> int:
        return sum(line.amount_paise for line in self.assets)

    @property
    def total_liabilities_and_funds_paise(self) -> int:
        owed = sum(line.amount_paise for line in [*self.liabilities, *self.funds])
        return owed + self.surplus_paise


async def balance_sheet(session: AsyncSession, scope: Scope, cbo_code: str) -> BalanceSheet | None:
    """Today's balance sheet from posted balances; None outside the scope.

    The two sides are equal by construction of double entry; a test holds
    the books to it.
    """
    report = await trial_balance(session, scope, cbo_code)
    if report is None:
        return None
    by_type: dict[AccountType, list[StatementLine]] = defaultdict(list)
    for line in report.lines:
        amount = natural_balance(line.account, line.balance_paise)
        by_type[line.account.type].append(StatementLine(line.account, amount))
    surplus = sum(line.amount_paise for line in by_type[AccountType.INCOME]) - sum(
        line.amount_paise for line in by_type[AccountType.EXPENSE]
    )
    return BalanceSheet(
        report.cbo,
        by_type[AccountType.ASSET],
        by_type[AccountType.LIABILITY],
        by_type[AccountType.FUND],
        surplus,
    )


@dataclass(frozen=True)
class ReceiptsAndPayments:
    cbo: Cbo
    start: date
    end: date
    opening_paise: int  # cash and bank at the start of the first day
    receipts: list[StatementLine]
    payments: list[StatementLine]
    closing_paise: int  # cash and bank at the end of the last day


async def receipts_and_payments(
    session: AsyncSession, scope: Scope, cbo_code: str, start: date, end: date
) -> ReceiptsAndPayments | None:
    """Cash and bank in and out between ``start`` and ``end``, both days included."""
    if end < start:
        raise DomainError(ErrorCode.INVALID, "end", "The period ends before it starts")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError(ErrorCode.INVALID, "end", "Ask for at most five years at a time")
    cbo = await cbo_by_code(session, scope, cbo_code)
    if cbo is None:
        return None
    money_now = await session.scalar(
        select(func.coalesce(func.sum(LedgerBalance.balance_paise), 0)).where(
            LedgerBalance.cbo_id == cbo.id, LedgerBalance.account.in_(MONEY_ACCOUNTS)
        )
    )
    rows = (
        await session.execute(
            select(Voucher.id, Voucher.voucher_date, VoucherLine.account, VoucherLine.amount_paise)
            .join(VoucherLine, VoucherLine.voucher_id == Voucher.id)
            .where(
                Voucher.cbo_id == cbo.id,
                Voucher.status == VoucherStatus.APPROVED,
                Voucher.voucher_date >= start,
            )
        )
    ).all()
    lines_of: dict[int, list[tuple[str, int]]] = defaultdict(list)
    dated: dict[int, date] = {}
    for voucher_id, voucher_date, account, amount in rows:
        lines_of[voucher_id].append((account, amount))
        dated[voucher_id] = voucher_date
    since_start = after_end = 0
    receipts: dict[str, int] = defaultdict(int)
    payments: dict[str, int] = defaultdict(int)
    for voucher_id, lines in lines_of.items():
        moved = sum(amount for account, amount in lines if account in MONEY_ACCOUNTS)
        since_start += moved
        if dated[voucher_id] > end:
            after_end += moved
            continue
        if not any(account in MONEY_ACCOUNTS for account, _ in lines):
            continue  # no money moved: a transfer between other accounts
        for account, amount in lines:
            if account in MONEY_ACCOUNTS:
                continue
            # The other side of money coming in is a credit; of money going out, a debit.
            if amount < 0:
                receipts[account] += -amount
            else:
                payments[account] += amount
    opening = int(money_now or 0) - since_start
    closing = int(money_now or 0) - after_end
    return ReceiptsAndPayments(
        cbo,
        start,
        end,
        opening,
        [StatementLine(ACCOUNTS[code], receipts[code]) for code in ACCOUNTS if receipts.get(code)],
        [StatementLine(ACCOUNTS[code], payments[code]) for code in ACCOUNTS if payments.get(code)],
        closing,
    )
