"""Reports read from posted balances: a CBO's trial balance, a member's passbook.

Balances are kept by posting, so a report reads one row per account (and
member) however many years of vouchers lie behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Scope
from hierarchy.lookup import cbo_by_code, member_by_member_id
from hierarchy.models import Cbo, Member
from ledger.chart import ACCOUNTS, Account
from ledger.models import LedgerBalance, Voucher, VoucherLine, VoucherStatus


@dataclass(frozen=True)
class TrialBalanceLine:
    account: Account
    balance_paise: int  # debit-positive

    @property
    def debit_paise(self) -> int:
        return max(self.balance_paise, 0)

    @property
    def credit_paise(self) -> int:
        return max(-self.balance_paise, 0)


@dataclass(frozen=True)
class TrialBalance:
    cbo: Cbo
    lines: list[TrialBalanceLine]

    @property
    def debit_paise(self) -> int:
        return sum(line.debit_paise for line in self.lines)

    @property
    def credit_paise(self) -> int:
        return sum(line.credit_paise for line in self.lines)


async def trial_balance(session: AsyncSession, scope: Scope, cbo_code: str) -> TrialBalance | None:
    """The CBO's posted balances by account, in chart order; None outside the scope."""
    cbo = await cbo_by_code(session, scope, cbo_code)
    if cbo is None:
        return None
    sums = dict(
        (
            await session.execute(
                select(LedgerBalance.account, func.sum(LedgerBalance.balance_paise))
                .where(LedgerBalance.cbo_id == cbo.id)
                .group_by(LedgerBalance.account)
            )
        ).all()
    )
    lines = [
        TrialBalanceLine(account, int(sums[code]))
        for code, account in ACCOUNTS.items()
        if sums.get(code)
    ]
    return TrialBalance(cbo, lines)


@dataclass(frozen=True)
class PassbookEntry:
    voucher_id: int
    voucher_date: date
    narration: str
    account: Account
    amount_paise: int  # debit-positive, as in the books
    balance_paise: int  # her balance in this account after the entry, debit-positive


@dataclass(frozen=True)
class Passbook:
    member: Member
    balances: dict[str, int]  # account code -> debit-positive balance
    entries: list[PassbookEntry]


async def passbook(
    session: AsyncSession, scope: Scope, member_id: str, *, last: int = 100
) -> Passbook | None:
    """Her balances (from posted balances) and her latest ``last`` posted entries, oldest first.

    The balances read one row per account; the entries walk the
    ``(member_pk, voucher_id)`` index backwards from the newest, so opening a
    passbook costs the same after ten years of weekly meetings as after one.
    """
    member = await member_by_member_id(session, scope, member_id)
    if member is None:
        return None
    balances = {
        account: int(balance)
        for account, balance in (
            await session.execute(
                select(LedgerBalance.account, LedgerBalance.balance_paise).where(
                    LedgerBalance.member_pk == member.id
                )
            )
        ).all()
    }
    rows = (
        await session.execute(
            select(VoucherLine, Voucher)
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(VoucherLine.member_pk == member.id, Voucher.status == VoucherStatus.APPROVED)
            .order_by(VoucherLine.voucher_id.desc(), VoucherLine.id.desc())
            .limit(last)
        )
    ).all()
    running = dict(balances)
    entries: list[PassbookEntry] = []
    for line, voucher in rows:  # newest first: walk balances back from today's
        entries.append(
            PassbookEntry(
                voucher.id,
                voucher.voucher_date,
                voucher.narration,
                ACCOUNTS[line.account],
                line.amount_paise,
                running.get(line.account, 0),
            )
        )
        running[line.account] = running.get(line.account, 0) - line.amount_paise
    entries.reverse()
    return Passbook(member, balances, entries)
