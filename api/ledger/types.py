"""GraphQL types of the books. Amounts are `Money`: rupees as text with two decimals."""

from __future__ import annotations

from datetime import date, datetime
from typing import NewType

import strawberry
from strawberry import Private

from api.hierarchy.dataloaders import CboByIdLoader, MemberByIdLoader
from api.hierarchy.types import Cbo, Info, Member, cbo_type
from api.ledger.dataloaders import LinesByVoucherLoader, VoucherByIdLoader, VouchersByEntryLoader
from api.node import Node, global_id
from core.errors import DomainError, ErrorCode
from core.money import format_rupees, parse_rupees
from hierarchy.models import Cbo as CboRow
from ledger import models
from ledger.chart import ACCOUNTS, AccountType, natural_balance
from ledger.reports import Passbook as PassbookReport
from ledger.reports import TrialBalance as TrialBalanceReport

Money = NewType("Money", str)


def _parse_money(value: object) -> str:
    if not isinstance(value, str):
        # A DomainError: its message (which never echoes) is the one an error may repeat.
        raise DomainError(
            ErrorCode.INVALID, None, 'Money is text in rupees, like "1250.50" (never a number)'
        )
    return value


# Registered in the schema's scalar_map (api.schema).
MONEY_SCALAR = strawberry.scalar(
    name="Money",
    description='An amount in rupees as text, to the paisa: "1250.50". Never a float.',
    serialize=str,
    parse_value=_parse_money,
)
strawberry.enum(models.VoucherStatus)
strawberry.enum(AccountType)


@strawberry.type(description="One debit or credit of a voucher.")
class VoucherLine:
    account: str
    account_name: str
    debit: Money
    credit: Money
    row: Private[models.VoucherLine]

    @classmethod
    def from_row(cls, row: models.VoucherLine) -> VoucherLine:
        amount = row.amount_paise
        return cls(
            account=row.account,
            account_name=ACCOUNTS[row.account].name,
            debit=Money(format_rupees(max(amount, 0))),
            credit=Money(format_rupees(max(-amount, 0))),
            row=row,
        )

    @strawberry.field(description="The member, for member accounts (savings, loans to members).")
    async def member(self, info: Info) -> Member | None:
        if self.row.member_pk is None:
            return None
        row = await info.context.loader(MemberByIdLoader).load(self.row.member_pk)
        return None if row is None else Member.from_row(row)


@strawberry.type(
    description="A voucher: balanced lines, recorded by a maker, approved by a checker."
)
class Voucher(Node):
    voucher_date: date
    narration: str
    status: models.VoucherStatus
    total: Money
    made_by: str
    checked_by: str | None
    checked_at: datetime | None
    rejection_reason: str | None
    row: Private[models.Voucher]

    @classmethod
    def from_row(cls, row: models.Voucher) -> Voucher:
        return cls(
            id=global_id("Voucher", row.id),
            voucher_date=row.voucher_date,
            narration=row.narration,
            status=row.status,
            total=Money(format_rupees(row.total_paise)),
            made_by=row.made_by,
            checked_by=row.checked_by,
            checked_at=row.checked_at,
            rejection_reason=row.rejection_reason,
            row=row,
        )

    @strawberry.field
    async def cbo(self, info: Info) -> Cbo | None:
        row = await info.context.loader(CboByIdLoader).load(self.row.cbo_id)
        result: Cbo | None = None if row is None else cbo_type(row)
        return result

    @strawberry.field
    async def lines(self, info: Info) -> list[VoucherLine]:
        rows = await info.context.loader(LinesByVoucherLoader).load(self.row.id)
        return [VoucherLine.from_row(row) for row in rows]

    @strawberry.field(description="The posted voucher this one reverses, if it is a reversal.")
    async def reverses(self, info: Info) -> Voucher | None:
        return await voucher_by_id(info, self.row.reverses_id)

    @strawberry.field(
        description="The other vouchers of its entry, approved, rejected and reversed with it: "
        "the same money in another CBO's books (a CIF loan's lender, a fund's giver or "
        "receiver), the rest of a cut-off. Those outside your scope are left out."
    )
    async def linked(self, info: Info) -> list[Voucher]:
        if self.row.entry_id is None:
            return []
        rows = await info.context.loader(VouchersByEntryLoader).load(self.row.entry_id)
        return [Voucher.from_row(row) for row in rows if row.id != self.row.id]


async def voucher_by_id(info: Info, voucher_id: int | None) -> Voucher | None:
    if voucher_id is None:
        return None
    row = await info.context.loader(VoucherByIdLoader).load(voucher_id)
    return None if row is None else Voucher.from_row(row)


@strawberry.type
class TrialBalanceLine:
    account: str
    account_name: str
    account_type: AccountType
    debit: Money
    credit: Money


@strawberry.type(description="Posted balances by account; debits equal credits in balanced books.")
class TrialBalance:
    lines: list[TrialBalanceLine]
    total_debit: Money
    total_credit: Money
    balanced: bool
    report: Private[TrialBalanceReport]

    @classmethod
    def from_report(cls, report: TrialBalanceReport) -> TrialBalance:
        return cls(
            lines=[
                TrialBalanceLine(
                    account=line.account.code,
                    account_name=line.account.name,
                    account_type=line.account.type,
                    debit=Money(format_rupees(line.debit_paise)),
                    credit=Money(format_rupees(line.credit_paise)),
                )
                for line in report.lines
            ],
            total_debit=Money(format_rupees(report.debit_paise)),
            total_credit=Money(format_rupees(report.credit_paise)),
            balanced=report.debit_paise == report.credit_paise,
            report=report,
        )

    @strawberry.field
    def cbo(self) -> Cbo:
        result: Cbo = cbo_type(self.report.cbo)
        return result


def rupees(paise: int) -> Money:
    return Money(format_rupees(paise))


def optional_paise(value: str | None, field: str) -> int:
    """An optional Money input as paise: absent or empty is nothing."""
    return parse_rupees(value, field) if value else 0


@strawberry.type(
    description="Her balance in one account of one SHG, as she reads it (savings positive; "
    "for interest and fines, what she has paid)."
)
class PassbookBalance:
    account: str
    account_name: str
    balance: Money
    shg_row: Private[CboRow]

    @strawberry.field(description="The SHG whose books hold this balance.")
    def shg(self) -> Cbo:
        result: Cbo = cbo_type(self.shg_row)
        return result


@strawberry.type(description="One posted entry of hers, with her balance in that account after it.")
class PassbookEntry:
    voucher_date: date
    narration: str
    account: str
    account_name: str
    debit: Money
    credit: Money
    balance: Money
    shg_row: Private[CboRow]

    @strawberry.field(description="The SHG whose books hold this entry.")
    def shg(self) -> Cbo:
        result: Cbo = cbo_type(self.shg_row)
        return result


@strawberry.type(
    description="A member's savings and loan statement from the posted books: her books in "
    "each SHG she has belonged to that lies in your scope, kept apart."
)
class Passbook:
    balances: list[PassbookBalance] = strawberry.field(
        description="By SHG (her current one first), then by account."
    )
    entries: list[PassbookEntry] = strawberry.field(description="Her latest entries, oldest first.")
    interest_paid: Money = strawberry.field(description="Interest she has paid on her loans.")
    fines_paid: Money = strawberry.field(description="Fines she has paid.")
    report: Private[PassbookReport]

    @classmethod
    def from_report(cls, report: PassbookReport) -> Passbook:
        balances = [
            PassbookBalance(
                account=balance.account.code,
                account_name=balance.account.name,
                balance=rupees(natural_balance(balance.account, balance.balance_paise)),
                shg_row=balance.shg,
            )
            for balance in report.balances
        ]
        entries = [
            PassbookEntry(
                voucher_date=entry.voucher_date,
                narration=entry.narration,
                account=entry.account.code,
                account_name=entry.account.name,
                debit=rupees(max(entry.amount_paise, 0)),
                credit=rupees(max(-entry.amount_paise, 0)),
                balance=rupees(natural_balance(entry.account, entry.balance_paise)),
                shg_row=entry.shg,
            )
            for entry in report.entries
        ]
        return cls(
            balances=balances,
            entries=entries,
            interest_paid=rupees(report.paid_paise("interest_income")),
            fines_paid=rupees(report.paid_paise("fines")),
            report=report,
        )

    @strawberry.field
    def member(self) -> Member:
        return Member.from_row(self.report.member)
