"""The chart of accounts of SHGs, VOs and CLFs.

Account codes are stable strings, used in vouchers and reports. Member
accounts (savings, loans to members) carry a sub-ledger per member. Income a
member pays the group (interest on her loan, her fines) names her on its
line when she paid it, so her passbook shows what she paid; those accounts
may also take lines naming no one (a VO's interest from SHGs). Balances
are kept debit-positive: an asset's balance is positive, a liability's or a
fund's negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hierarchy.models import CboKind


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    FUND = "fund"
    INCOME = "income"
    EXPENSE = "expense"


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    type: AccountType
    kinds: frozenset[CboKind]
    per_member: bool = False  # every line names a member: her balance is hers
    paid_by_member: bool = False  # a line may name the member who paid it


_ALL = frozenset(CboKind)
_SHG = frozenset({CboKind.SHG})
_FEDERATIONS = frozenset({CboKind.VO, CboKind.CLF})

CHART: tuple[Account, ...] = (
    Account("cash", "Cash in hand", AccountType.ASSET, _ALL),
    Account("bank", "Bank account", AccountType.ASSET, _ALL),
    Account("savings_compulsory", "Members' compulsory savings", AccountType.LIABILITY, _SHG, True),
    Account("savings_voluntary", "Members' voluntary savings", AccountType.LIABILITY, _SHG, True),
    Account("loans_to_members", "Loans to members", AccountType.ASSET, _SHG, True),
    Account("loans_to_shgs", "Loans to SHGs", AccountType.ASSET, _FEDERATIONS),
    Account("loans_to_vos", "Loans to VOs", AccountType.ASSET, frozenset({CboKind.CLF})),
    Account("loan_from_vo", "Loan from VO", AccountType.LIABILITY, _SHG),
    Account(
        "loan_from_clf",
        "Loan from CLF",
        AccountType.LIABILITY,
        frozenset({CboKind.SHG, CboKind.VO}),
    ),
    Account("loan_from_bank", "Loan from bank", AccountType.LIABILITY, _ALL),
    Account("revolving_fund", "Revolving Fund", AccountType.FUND, _ALL),
    Account("community_investment_fund", "Community Investment Fund", AccountType.FUND, _ALL),
    Account(
        "community_enterprise_fund", "Community Enterprise Fund", AccountType.FUND, _FEDERATIONS
    ),
    Account("vulnerability_reduction_fund", "Vulnerability Reduction Fund", AccountType.FUND, _ALL),
    # What a group owned less what it owed when it came on the platform: the
    # balancing side of its cut-off entry (ledger.cutoff).
    Account("accumulated_surplus", "Accumulated surplus at cut-off", AccountType.FUND, _ALL),
    Account("interest_income", "Interest income", AccountType.INCOME, _ALL, paid_by_member=True),
    Account("fines", "Fines", AccountType.INCOME, _SHG, paid_by_member=True),
    Account("other_income", "Other income", AccountType.INCOME, _ALL),
    Account("interest_expense", "Interest expense", AccountType.EXPENSE, _ALL),
    Account("other_expenses", "Other expenses", AccountType.EXPENSE, _ALL),
)
ACCOUNTS = {account.code: account for account in CHART}
# The funds the state mission grants down the chain (ledger.funds); never given
# out beyond what a CBO's books hold of them.
COMMUNITY_FUNDS = (
    "revolving_fund",
    "community_investment_fund",
    "community_enterprise_fund",
    "vulnerability_reduction_fund",
)


# Accounts whose balance, in these kinds of CBO, is what its loan records say
# (ledger.loans): only a loan's disbursement and repayments move them, never a voucher
# written line by line, or a loan would stand in the books with no terms, schedule or
# borrower to collect from.
LOAN_ACCOUNTS: dict[str, frozenset[CboKind]] = {
    "loans_to_members": _SHG,
    "loan_from_vo": _SHG,
    "loan_from_clf": _SHG,
    "loan_from_bank": _SHG,
    "loans_to_shgs": _FEDERATIONS,
}
# The money a CBO holds, in hand and in its bank account: a voucher never takes either
# below zero (ledger.vouchers), since no group can pay out what it does not have.
MONEY_HELD = ("cash", "bank")
# What the group holds for each member as her savings: never paid out beyond what she has
# saved (ledger.vouchers), or money would leave the group as a loan with no record.
SAVINGS = ("savings_compulsory", "savings_voluntary")


def accounts_for(kind: CboKind) -> list[Account]:
    return [account for account in CHART if kind in account.kinds]


def natural_balance(account: Account, debit_positive: int) -> int:
    """A balance as its holder reads it: assets, expenses debit-positive; the rest credit-positive.

    >>> natural_balance(ACCOUNTS["savings_compulsory"], -10000)  # she has saved Rs 100
    10000
    """
    if account.type in (AccountType.ASSET, AccountType.EXPENSE):
        return debit_positive
    return -debit_positive
