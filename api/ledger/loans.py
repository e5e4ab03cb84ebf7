"""Loans in the API: the Loan type, its schedule and position, and the loan mutations."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import Private

from api.errors import UserError, user_error
from api.hierarchy.dataloaders import MemberByIdLoader
from api.hierarchy.types import Info, Member
from api.ledger.dataloaders import LoanByIdLoader, RepaymentsByLoanLoader
from api.ledger.types import Money, Voucher, rupees, voucher_by_id
from api.node import Node, global_id, parse_global_id
from api.writes import idempotency_key, payload_of, write
from core.errors import DomainError, ErrorCode
from core.money import parse_rupees
from ledger import models
from ledger.interest import InterestMethod, format_rate_percent, parse_rate_percent
from ledger.loan_book import loan_schedule, position_of
from ledger.loans import NewLoan, PaidFrom, disburse_loan, record_repayment
from ledger.vouchers import MAKERS

strawberry.enum(InterestMethod)
strawberry.enum(models.LoanStatus)
strawberry.enum(
    models.LoanSource, description="Who lends: the SHG's corpus, its VO or CLF, a bank."
)
strawberry.enum(PaidFrom, description="Where an SHG pays an internal loan out of.")


@strawberry.type
class Instalment:
    number: int
    due_on: date
    principal: Money
    interest: Money
    total: Money


@strawberry.type(description="Where a loan stands on a day: allocation is interest first.")
class LoanPosition:
    principal_outstanding: Money
    principal_paid: Money
    interest_paid: Money
    overdue: Money
    days_past_due: int


@strawberry.type(
    description="An SHG's loan: from its corpus to a member, or to the group from its VO, "
    "CLF or a bank."
)
class Loan(Node):
    source: models.LoanSource
    dose: int | None = strawberry.field(description="Bank linkage: 1 for the first loan …")
    sanctioned_limit: Money | None
    principal: Money
    annual_rate_percent: str
    months: int
    method: InterestMethod
    status: models.LoanStatus
    disbursed_on: date
    first_due_on: date
    row: Private[models.Loan]

    @classmethod
    def from_row(cls, row: models.Loan) -> Loan:
        limit = row.sanctioned_limit_paise
        return cls(
            id=global_id("Loan", row.id),
            source=models.LoanSource(row.source),
            dose=row.dose,
            sanctioned_limit=None if limit is None else rupees(limit),
            principal=rupees(row.principal_paise),
            annual_rate_percent=format_rate_percent(row.annual_rate_bp),
            months=row.months,
            method=InterestMethod(row.method),
            status=row.status,
            disbursed_on=row.disbursed_on,
            first_due_on=row.first_due_on,
            row=row,
        )

    @strawberry.field(description="The borrower of an internal loan; null for a loan to the group.")
    async def member(self, info: Info) -> Member | None:
        if self.row.member_pk is None:
            return None
        row = await info.context.loader(MemberByIdLoader).load(self.row.member_pk)
        return None if row is None else Member.from_row(row)

    @strawberry.field(
        description="Monthly instalments. Each one's interest is earned by the day over its "
        "period, so a repayment pays the interest earned by its date, not the next one's."
    )
    def schedule(self) -> list[Instalment]:
        return [
            Instalment(
                number=i.number,
                due_on=i.due_on,
                principal=rupees(i.principal_paise),
                interest=rupees(i.interest_paise),
                total=rupees(i.total_paise),
            )
            for i in loan_schedule(self.row)
        ]

    @strawberry.field(
        description="Its position on `asOf` (default today), from approved repayments."
    )
    async def position(self, info: Info, as_of: date | None = None) -> LoanPosition:
        repayments = await info.context.loader(RepaymentsByLoanLoader).load(self.row.id)
        now = position_of(self.row, repayments, as_of or date.today())
        return LoanPosition(
            principal_outstanding=rupees(now.principal_outstanding_paise),
            principal_paid=rupees(now.principal_paid_paise),
            interest_paid=rupees(now.interest_paid_paise),
            overdue=rupees(now.overdue_paise),
            days_past_due=now.days_past_due,
        )


@strawberry.input
class DisburseLoanInput:
    shg_code: str
    member_id: str | None = strawberry.field(
        default=None, description="The borrower of an internal loan; none for a loan to the group."
    )
    source: models.LoanSource = models.LoanSource.SHG_CORPUS
    paid_from: PaidFrom | None = strawberry.field(
        default=None,
        description="An internal loan: from the group's cash (the default) or its bank "
        "account; none for a loan to the group, which arrives in the bank account.",
    )
    dose: int | None = None
    sanctioned_limit: Money | None = None
    principal: Money
    annual_rate_percent: str = strawberry.field(description='Yearly, in percent: "24" or "12.5".')
    months: int
    method: InterestMethod
    disbursed_on: date
    first_due_on: date
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class RecordRepaymentInput:
    loan_id: strawberry.ID
    amount: Money
    paid_on: date
    idempotency_key: str | None = idempotency_key()


@strawberry.type
class DisburseLoanPayload:
    loan: Loan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The repayment's voucher (a draft for a checker) shows its split.")
class RecordRepaymentPayload:
    loan: Loan | None = None
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def loan_pk(value: str) -> int:
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != "Loan":
        raise DomainError(ErrorCode.NOT_FOUND, "loanId", "No loan with this id in your scope")
    return parsed[1]


async def loan_by_id(info: Info, loan_id: int | None) -> Loan | None:
    if loan_id is None:
        return None
    row = await info.context.loader(LoanByIdLoader).load_fresh(loan_id)
    return None if row is None else Loan.from_row(row)


@strawberry.type
class LoanMutation:
    @strawberry.mutation(
        description="Lend from the SHG's corpus to a member, or record a loan to the group from "
        "its VO, CLF (CIF) or a bank; a checker approves the voucher."
    )
    async def disburse_loan(self, info: Info, input: DisburseLoanInput) -> DisburseLoanPayload:
        context = info.context
        try:
            context.principal.require(*MAKERS)  # before any input is read
            new = NewLoan(
                shg_code=input.shg_code,
                member_id=input.member_id,
                principal_paise=parse_rupees(input.principal, "principal"),
                annual_rate_bp=parse_rate_percent(input.annual_rate_percent, "annualRatePercent"),
                months=input.months,
                method=input.method,
                disbursed_on=input.disbursed_on,
                first_due_on=input.first_due_on,
                source=input.source,
                paid_from=input.paid_from,
                dose=input.dose,
                sanctioned_limit_paise=None
                if input.sanctioned_limit is None
                else parse_rupees(input.sanctioned_limit, "sanctionedLimit"),
            )
        except DomainError as error:
            return DisburseLoanPayload(errors=[user_error(error)])

        async def work(session: AsyncSession) -> int:
            return (await disburse_loan(session, context.principal, new)).id

        result_id, errors = await write(context, "disburseLoan", input, work, payload_of(input))
        return DisburseLoanPayload(loan=await loan_by_id(info, result_id), errors=errors)

    @strawberry.mutation(
        description="Record a repayment, split interest first; a checker approves it."
    )
    async def record_repayment(
        self, info: Info, input: RecordRepaymentInput
    ) -> RecordRepaymentPayload:
        context = info.context
        try:
            context.principal.require(*MAKERS)  # before any input is read
            amount = parse_rupees(input.amount, "amount")
        except DomainError as error:
            return RecordRepaymentPayload(errors=[user_error(error)])

        async def work(session: AsyncSession) -> int:
            repayment = await record_repayment(
                session, context.principal, loan_pk(input.loan_id), amount, input.paid_on
            )
            return repayment.voucher_id

        result_id, errors = await write(context, "recordRepayment", input, work, payload_of(input))
        voucher = await voucher_by_id(info, result_id)
        loan = await loan_by_id(info, voucher.row.loan_id) if voucher is not None else None
        return RecordRepaymentPayload(loan=loan, voucher=voucher, errors=errors)
