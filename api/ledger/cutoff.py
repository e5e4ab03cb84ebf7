"""recordCutOff: a group's paper books brought onto the platform (:mod:`ledger.cutoff`)."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import UserError, user_error
from api.hierarchy.types import Info
from api.ledger.loans import Loan
from api.ledger.types import Money, Voucher, optional_paise, voucher_by_id
from api.writes import idempotency_key, payload_of, write
from core.audit import AuditEvent
from core.errors import DomainError
from core.money import parse_rupees
from ledger import models
from ledger.cutoff import (
    GroupLoanAtCutOff,
    LoanAtCutOff,
    MemberAtCutOff,
    NewCutOff,
    NewFederationCutOff,
    record_cut_off,
    record_federation_cut_off,
)
from ledger.interest import InterestMethod, parse_rate_percent
from ledger.vouchers import MAKERS


@strawberry.input(description="A loan she still owes on the cut-off date, and what is left of it.")
class LoanAtCutOffInput:
    outstanding: Money = strawberry.field(description="Principal still owed.")
    annual_rate_percent: str
    months_left: int
    method: InterestMethod
    next_due_on: date


@strawberry.input(
    description="A loan the group itself still owes its VO, CLF or bank on the cut-off date."
)
class GroupLoanAtCutOffInput:
    source: models.LoanSource = strawberry.field(description="VO_CIF, CLF_CIF or BANK.")
    outstanding: Money = strawberry.field(description="Principal still owed.")
    annual_rate_percent: str
    months_left: int
    method: InterestMethod
    next_due_on: date
    dose: int | None = None
    sanctioned_limit: Money | None = None


@strawberry.input
class MemberAtCutOffInput:
    member_id: str
    compulsory_savings: Money | None = None
    voluntary_savings: Money | None = None
    loans: list[LoanAtCutOffInput] = strawberry.field(default_factory=list)


@strawberry.input(description="An amount in one account: a fund received or a loan owed.")
class AccountAmountInput:
    account: str
    amount: Money


@strawberry.input(description="What the paper registers say on the cut-off date.")
class RecordCutOffInput:
    shg_code: str
    as_on: date
    cash: Money
    bank: Money
    members: list[MemberAtCutOffInput]
    funds: list[AccountAmountInput] = strawberry.field(
        default_factory=list,
        description="revolving_fund, community_investment_fund, vulnerability_reduction_fund.",
    )
    borrowings: list[AccountAmountInput] = strawberry.field(
        default_factory=list,
        description="Empty: a balance on loan_from_vo, loan_from_clf or loan_from_bank is "
        "refused (INVALID), since no repayment could clear it; give the loan in groupLoans.",
    )
    group_loans: list[GroupLoanAtCutOffInput] = strawberry.field(
        default_factory=list,
        description="Loans the group owes, opened with their remaining schedules so "
        "recordRepayment works on them.",
    )
    idempotency_key: str | None = idempotency_key()


@strawberry.input(description="What a VO's or CLF's paper registers say on the cut-off date.")
class RecordFederationCutOffInput:
    cbo_code: str = strawberry.field(description="The VO or CLF.")
    as_on: date
    cash: Money
    bank: Money
    funds: list[AccountAmountInput] = strawberry.field(
        default_factory=list,
        description="Funds held: revolving_fund, community_investment_fund, "
        "vulnerability_reduction_fund, community_enterprise_fund.",
    )
    lending: list[AccountAmountInput] = strawberry.field(
        default_factory=list,
        description="Outstanding: loans_to_shgs, and for a CLF loans_to_vos.",
    )
    borrowings: list[AccountAmountInput] = strawberry.field(
        default_factory=list, description="Owed: loan_from_clf (a VO), loan_from_bank."
    )
    idempotency_key: str | None = idempotency_key()


@strawberry.type(description="The opening voucher, a draft for a checker.")
class RecordFederationCutOffPayload:
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _amounts(entries: list[AccountAmountInput], field: str) -> tuple[tuple[str, int], ...]:
    return tuple(
        (entry.account, parse_rupees(entry.amount, f"{field}[{i}].amount"))
        for i, entry in enumerate(entries)
    )


@strawberry.type
class RecordCutOffPayload:
    vouchers: list[Voucher] = strawberry.field(default_factory=list)
    loans: list[Loan] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


def _cut_off(input: RecordCutOffInput) -> NewCutOff:
    members = tuple(
        MemberAtCutOff(
            member_id=m.member_id,
            compulsory_savings_paise=optional_paise(
                m.compulsory_savings, f"members[{i}].compulsorySavings"
            ),
            voluntary_savings_paise=optional_paise(
                m.voluntary_savings, f"members[{i}].voluntarySavings"
            ),
            loans=tuple(
                LoanAtCutOff(
                    outstanding_paise=parse_rupees(
                        loan.outstanding, f"members[{i}].loans[{j}].outstanding"
                    ),
                    annual_rate_bp=parse_rate_percent(
                        loan.annual_rate_percent, f"members[{i}].loans[{j}].annualRatePercent"
                    ),
                    months_left=loan.months_left,
                    method=loan.method,
                    next_due_on=loan.next_due_on,
                )
                for j, loan in enumerate(m.loans)
            ),
        )
        for i, m in enumerate(input.members)
    )
    return NewCutOff(
        shg_code=input.shg_code,
        as_on=input.as_on,
        cash_paise=parse_rupees(input.cash, "cash"),
        bank_paise=parse_rupees(input.bank, "bank"),
        members=members,
        funds=_amounts(input.funds, "funds"),
        borrowings=_amounts(input.borrowings, "borrowings"),
        group_loans=tuple(
            GroupLoanAtCutOff(
                source=g.source,
                outstanding_paise=parse_rupees(g.outstanding, f"groupLoans[{i}].outstanding"),
                annual_rate_bp=parse_rate_percent(
                    g.annual_rate_percent, f"groupLoans[{i}].annualRatePercent"
                ),
                months_left=g.months_left,
                method=g.method,
                next_due_on=g.next_due_on,
                dose=g.dose,
                sanctioned_limit_paise=None
                if g.sanctioned_limit is None
                else parse_rupees(g.sanctioned_limit, f"groupLoans[{i}].sanctionedLimit"),
            )
            for i, g in enumerate(input.group_loans)
        ),
    )


@strawberry.type
class CutOffMutation:
    @strawberry.mutation(
        description="Load a group's opening balances from its paper books, once, before any "
        "other voucher: drafts for a checker, and its outstanding loans (pending until approved)."
    )
    async def record_cut_off(self, info: Info, input: RecordCutOffInput) -> RecordCutOffPayload:
        context = info.context
        try:
            context.principal.require(*MAKERS)  # before any input is read
            new = _cut_off(input)
        except DomainError as error:
            return RecordCutOffPayload(errors=[user_error(error)])

        async def work(session: AsyncSession) -> int:
            return (await record_cut_off(session, context.principal, new)).shg_id

        shg_id, errors = await write(context, "recordCutOff", input, work, payload_of(input))
        if shg_id is None:
            return RecordCutOffPayload(errors=errors)
        async with context.sessions() as session:
            # The latest cut-off of this SHG (a replay answers with the first's vouchers).
            recorded = await session.scalar(
                select(AuditEvent.detail)
                .where(
                    AuditEvent.entity_type == "cbo",
                    AuditEvent.entity_id == shg_id,
                    AuditEvent.action == "cutoff.recorded",
                )
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            voucher_ids = [int(v) for v in (recorded or {}).get("vouchers", [])]
            vouchers = list(
                (
                    await session.scalars(
                        select(models.Voucher)
                        .where(models.Voucher.id.in_(voucher_ids))
                        .order_by(models.Voucher.id)
                    )
                ).all()
            )
            loan_ids = [v.loan_id for v in vouchers if v.loan_id is not None]
            loans = list(
                (
                    await session.scalars(
                        select(models.Loan)
                        .where(models.Loan.id.in_(loan_ids))
                        .order_by(models.Loan.id)
                    )
                ).all()
            )
        return RecordCutOffPayload(
            vouchers=[Voucher.from_row(v) for v in vouchers],
            loans=[Loan.from_row(loan) for loan in loans],
        )

    @strawberry.mutation(
        description="Load a VO's or CLF's opening balances from its paper books, once, before "
        "any other voucher: one draft for a checker."
    )
    async def record_federation_cut_off(
        self, info: Info, input: RecordFederationCutOffInput
    ) -> RecordFederationCutOffPayload:
        context = info.context
        try:
            context.principal.require(*MAKERS)  # before any input is read
            new = NewFederationCutOff(
                cbo_code=input.cbo_code,
                as_on=input.as_on,
                cash_paise=parse_rupees(input.cash, "cash"),
                bank_paise=parse_rupees(input.bank, "bank"),
                funds=_amounts(input.funds, "funds"),
                lending=_amounts(input.lending, "lending"),
                borrowings=_amounts(input.borrowings, "borrowings"),
            )
        except DomainError as error:
            return RecordFederationCutOffPayload(errors=[user_error(error)])

        async def work(session: AsyncSession) -> int:
            return (await record_federation_cut_off(session, context.principal, new)).id

        voucher_id, errors = await write(
            context, "recordFederationCutOff", input, work, payload_of(input)
        )
        return RecordFederationCutOffPayload(
            voucher=await voucher_by_id(info, voucher_id), errors=errors
        )
