"""GraphQL types of a federation's CIF portfolio (:mod:`ledger.community_funds`)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import Private

from api.hierarchy.types import Cbo, cbo_type
from api.ledger.loans import Loan
from api.ledger.types import Money, rupees
from ledger import community_funds


@strawberry.type(description="One SHG's CIF loan and where it stands.")
class CifLoan:
    loan: Loan
    principal_outstanding: Money
    overdue: Money
    days_past_due: int
    item: Private[community_funds.CifLoan]

    @strawberry.field
    def shg(self) -> Cbo:
        result: Cbo = cbo_type(self.item.shg)
        return result


@strawberry.type(
    description="The CIF a VO or CLF has out with SHGs: which groups hold it, repaid or not."
)
class CifPortfolio:
    as_of: date
    loan_count: int = strawberry.field(description="Its CIF loans, all of them.")
    disbursed: Money
    outstanding: Money
    overdue: Money
    par30: str = strawberry.field(description="Share of outstanding over 30 days past due.")
    report: Private[community_funds.CifPortfolio]

    @classmethod
    def from_report(cls, report: community_funds.CifPortfolio) -> CifPortfolio:
        return cls(
            as_of=report.as_of,
            loan_count=len(report.loans),
            disbursed=rupees(report.disbursed_paise),
            outstanding=rupees(report.outstanding_paise),
            overdue=rupees(report.overdue_paise),
            par30=f"{report.par30:.4f}",
            report=report,
        )

    @strawberry.field(description="Its oldest `first` CIF loans (at most 100).")
    def loans(self, first: int = 100) -> list[CifLoan]:
        # The query-cost limiter has refused any `first` outside 0..max page size.
        return [
            CifLoan(
                loan=Loan.from_row(item.loan),
                principal_outstanding=rupees(item.position.principal_outstanding_paise),
                overdue=rupees(item.position.overdue_paise),
                days_past_due=item.position.days_past_due,
                item=item,
            )
            for item in self.report.loans[:first]
        ]

    @strawberry.field
    def federation(self) -> Cbo:
        result: Cbo = cbo_type(self.report.federation)
        return result
