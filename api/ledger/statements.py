"""GraphQL types of a CBO's financial statements: balance sheet, receipts and payments."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import Private

from api.hierarchy.types import Cbo, cbo_type
from api.ledger.types import Money, rupees
from ledger import statements
from ledger.chart import AccountType


@strawberry.type(description="One account's amount in a statement, as its holder reads it.")
class StatementLine:
    account: str
    account_name: str
    account_type: AccountType
    amount: Money

    @classmethod
    def of(cls, line: statements.StatementLine) -> StatementLine:
        return cls(
            account=line.account.code,
            account_name=line.account.name,
            account_type=line.account.type,
            amount=rupees(line.amount_paise),
        )


@strawberry.type(
    description="What the CBO owns against what it owes, its funds and its surplus, "
    "from today's posted balances."
)
class BalanceSheet:
    assets: list[StatementLine]
    liabilities: list[StatementLine]
    funds: list[StatementLine]
    surplus: Money = strawberry.field(description="Income less expenses to date.")
    total_assets: Money
    total_liabilities_and_funds: Money = strawberry.field(
        description="Liabilities, funds and surplus: equal to total assets in balanced books."
    )
    report: Private[statements.BalanceSheet]

    @classmethod
    def from_report(cls, report: statements.BalanceSheet) -> BalanceSheet:
        return cls(
            assets=[StatementLine.of(line) for line in report.assets],
            liabilities=[StatementLine.of(line) for line in report.liabilities],
            funds=[StatementLine.of(line) for line in report.funds],
            surplus=rupees(report.surplus_paise),
            total_assets=rupees(report.total_assets_paise),
            total_liabilities_and_funds=rupees(report.total_liabilities_and_funds_paise),
            report=report,
        )

    @strawberry.field
    def cbo(self) -> Cbo:
        result: Cbo = cbo_type(self.report.cbo)
        return result


@strawberry.type(
    description="Cash and bank in and out over a period, by the account on the other side."
)
class ReceiptsAndPayments:
    start: date
    end: date
    opening: Money = strawberry.field(description="Cash and bank at the start of the first day.")
    receipts: list[StatementLine]
    payments: list[StatementLine]
    closing: Money = strawberry.field(description="Cash and bank at the end of the last day.")
    report: Private[statements.ReceiptsAndPayments]

    @classmethod
    def from_report(cls, report: statements.ReceiptsAndPayments) -> ReceiptsAndPayments:
        return cls(
            start=report.start,
            end=report.end,
            opening=rupees(report.opening_paise),
            receipts=[StatementLine.of(line) for line in report.receipts],
            payments=[StatementLine.of(line) for line in report.payments],
            closing=rupees(report.closing_paise),
            report=report,
        )

    @strawberry.field
    def cbo(self) -> Cbo:
        result: Cbo = cbo_type(self.report.cbo)
        return result
