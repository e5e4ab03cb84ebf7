"""Reports read from posted balances: the trial balance of a CBO.

Balances are kept by posting, so a report reads one row per account (and
member) however many years of vouchers lie behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Scope
from hierarchy.lookup import cbo_by_code
from hierarchy.models import Cbo
from ledger.chart import ACCOUNTS, Account
from ledger.models import LedgerBalance


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
