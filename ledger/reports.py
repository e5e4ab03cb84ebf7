"""Reports read from posted balances: a CBO's trial balance, a member's passbook.

Balances are kept by posting, so a report reads one row per account (and
member) however many years of vouchers lie behind it.

A passbook is a member's books in each SHG she has belonged to, kept apart
(a transfer starts a new set) and shown only for the SHGs inside the
reader's scope: what she saved and owes, and the interest and fines she
paid, which the group's income lines name her for.
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
class PassbookBalance:
    shg: Cbo  # a member keeps one set of balances per SHG she has belonged to
    account: Account
    balance_paise: int  # debit-positive


@dataclass(frozen=True)
class PassbookEntry:
    voucher_id: int
    shg: Cbo
    voucher_date: date
    narration: str
    account: Account
    amount_paise: int  # debit-positive, as in the books
    balance_paise: int  # her balance in this account of this SHG after the entry


@dataclass(frozen=True)
class Passbook:
    member: Member
    balances: list[PassbookBalance]  # by SHG (her current one first), then chart order
    entries: list[PassbookEntry]

    def paid_paise(self, account: str) -> int:
        """What she has paid into an income account (interest, fines), across her SHGs."""
        return -sum(b.balance_paise for b in self.balances if b.account.code == account)


async def passbook(
    session: AsyncSession, scope: Scope, member_id: str, *, last: int = 100
) -> Passbook | None:
    """Her balances and her latest ``last`` posted entries (oldest first), in the SHGs
    inside ``scope``; None when she (her current membership) is outside it.

    A transfer leaves her books in each SHG apart: balances are kept per SHG, never
    added across them, and a scope sees only the books of the SHGs inside it. Her
    new SHG's scope does not see her former SHG's vouchers, and her former SHG's
    scope no longer sees her at all (its own books still hold her old lines).

    The balances read one row per SHG and account; the entries walk the
    ``(member_pk, voucher_id)`` index backwards from the newest, so opening a
    passbook costs the same after ten years of weekly meetings as after one.
    """
    member = await member_by_member_id(session, scope, member_id)
    if member is None:
        return None
    rows = (
        await session.execute(
            select(Cbo, LedgerBalance.account, LedgerBalance.balance_paise)
            .join(Cbo, Cbo.id == LedgerBalance.cbo_id)
            .where(LedgerBalance.member_pk == member.id, scope.clause(Cbo))
        )
    ).all()
    order = {account: index for index, account in enumerate(ACCOUNTS)}
    balances = sorted(
        (PassbookBalance(cbo, ACCOUNTS[account], int(paise)) for cbo, account, paise in rows),
        key=lambda b: (b.shg.id != member.shg_id, b.shg.code, order[b.account.code]),
    )
    lines = (
        await session.execute(
            select(VoucherLine, Voucher, Cbo)
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .join(Cbo, Cbo.id == Voucher.cbo_id)
            .where(
                VoucherLine.member_pk == member.id,
                Voucher.status == VoucherStatus.APPROVED,
                scope.clause(Voucher),
            )
            .order_by(VoucherLine.voucher_id.desc(), VoucherLine.id.desc())
            .limit(last)
        )
    ).all()
    running = {(b.shg.id, b.account.code): b.balance_paise for b in balances}
    entries: list[PassbookEntry] = []
    for line, voucher, shg in lines:  # newest first: walk balances back from today's
        key = (voucher.cbo_id, line.account)
        entries.append(
            PassbookEntry(
                voucher.id,
                shg,
                voucher.voucher_date,
                voucher.narration,
                ACCOUNTS[line.account],
                line.amount_paise,
                running.get(key, 0),
            )
        )
        running[key] = running.get(key, 0) - line.amount_paise
    entries.reverse()
    return Passbook(member, balances, entries)
