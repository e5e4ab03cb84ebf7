"""Community funds released down the chain in the API (:mod:`ledger.funds`):
`releaseFund` and `fundFlow`."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import Private

from api.errors import UserError, user_error
from api.hierarchy.dataloaders import CboByIdLoader
from api.hierarchy.types import Cbo, Info, cbo_type
from api.ledger.types import Money, Voucher, rupees, voucher_by_id
from api.writes import idempotency_key, payload_of, write
from core.errors import DomainError
from core.money import parse_rupees
from ledger import funds, models
from ledger.vouchers import MAKERS


@strawberry.enum(description="The community funds the state mission grants down the chain.")
class CommunityFund(Enum):
    RF = "revolving_fund"
    CIF = "community_investment_fund"
    VRF = "vulnerability_reduction_fund"
    CEF = "community_enterprise_fund"


@strawberry.type(description="A fund released to a CBO by the state mission or its federation.")
class FundRelease:
    fund: CommunityFund
    amount: Money
    released_on: date
    status: models.VoucherStatus = strawberry.field(
        description="Its vouchers' status: only approved releases moved the books."
    )
    reversed: bool = strawberry.field(description="Posted, then undone by an approved reversal.")
    row: Private[models.FundRelease]

    @classmethod
    def from_state(cls, state: funds.ReleaseState) -> FundRelease:
        row = state.release
        return cls(
            fund=CommunityFund(row.fund),
            amount=rupees(row.amount_paise),
            released_on=row.released_on,
            status=state.status,
            reversed=state.reversed,
            row=row,
        )

    @strawberry.field(description="The federation that passed it on; null for the state mission.")
    async def released_by(self, info: Info) -> Cbo | None:
        return await _cbo(info, self.row.from_cbo_id)

    @strawberry.field
    async def released_to(self, info: Info) -> Cbo | None:
        return await _cbo(info, self.row.to_cbo_id)

    @strawberry.field(description="The receiver's voucher; the giver's is linked to it.")
    async def voucher(self, info: Info) -> Voucher | None:
        return await voucher_by_id(info, self.row.voucher_id)


async def _cbo(info: Info, cbo_id: int | None) -> Cbo | None:
    if cbo_id is None:
        return None
    row = await info.context.loader(CboByIdLoader).load(cbo_id)
    result: Cbo | None = None if row is None else cbo_type(row)
    return result


@strawberry.type
class FundTotal:
    fund: CommunityFund
    received: Money = strawberry.field(description="From releases to this CBO that stand.")
    released: Money = strawberry.field(description="Passed on by releases that stand.")


@strawberry.type(description="What one CBO received and passed on of each community fund.")
class FundFlow:
    totals: list[FundTotal]
    release_count: int = strawberry.field(description="Its releases, all of them.")
    report: Private[funds.FundFlow]

    @classmethod
    def from_report(cls, report: funds.FundFlow) -> FundFlow:
        return cls(
            totals=[
                FundTotal(
                    fund=CommunityFund(total.fund),
                    received=rupees(total.received_paise),
                    released=rupees(total.released_paise),
                )
                for total in report.totals()
            ],
            release_count=len(report.releases),
            report=report,
        )

    @strawberry.field(description="Its oldest `first` releases (at most 100), oldest first.")
    def releases(self, first: int = 100) -> list[FundRelease]:
        # The query-cost limiter has refused any `first` outside 0..max page size.
        return [FundRelease.from_state(state) for state in self.report.releases[:first]]

    @strawberry.field
    def cbo(self) -> Cbo:
        result: Cbo = cbo_type(self.report.cbo)
        return result


@strawberry.input
class ReleaseFundInput:
    fund: CommunityFund
    to_code: str = strawberry.field(description="The CBO receiving the fund.")
    from_code: str | None = strawberry.field(
        default=None,
        description="The federation passing it on (the receiver's VO or CLF); "
        "none when the state mission releases it.",
    )
    amount: Money
    released_on: date
    idempotency_key: str | None = idempotency_key()


@strawberry.type(description="The receiver's voucher; the giver's is linked to it.")
class ReleaseFundPayload:
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FundMutation:
    @strawberry.mutation(
        description="Release a community fund to a CBO: a draft voucher in each book it moves, "
        "approved together by a checker who sees both."
    )
    async def release_fund(self, info: Info, input: ReleaseFundInput) -> ReleaseFundPayload:
        context = info.context
        try:
            context.principal.require(*MAKERS)  # before any input is read
            new = funds.NewRelease(
                fund=input.fund.value,
                to_code=input.to_code,
                from_code=input.from_code,
                amount_paise=parse_rupees(input.amount, "amount"),
                released_on=input.released_on,
            )
        except DomainError as error:
            return ReleaseFundPayload(errors=[user_error(error)])

        async def work(session: AsyncSession) -> int:
            return (await funds.release_fund(session, context.principal, new)).voucher_id

        result_id, errors = await write(context, "releaseFund", input, work, payload_of(input))
        return ReleaseFundPayload(voucher=await voucher_by_id(info, result_id), errors=errors)
