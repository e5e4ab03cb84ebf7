"""recordMeeting: one call from the field app records a whole meeting."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import Private

from api.context import Context
from api.errors import UserError, user_error
from api.hierarchy.types import Info
from api.ledger.dataloaders import (
    MeetingByIdLoader,
    PresentCountByMeetingLoader,
    VouchersByMeetingLoader,
)
from api.ledger.loans import loan_pk
from api.ledger.types import Money, Voucher, optional_paise
from api.node import NODE_FETCHERS, Node, global_id
from api.writes import idempotency_key, payload_of, write
from core.errors import DomainError
from core.money import parse_rupees
from ledger import models
from ledger.meetings import MemberAtMeeting, NewMeeting, RepaymentAtMeeting, record_meeting
from ledger.vouchers import MAKERS


@strawberry.input
class MemberAtMeetingInput:
    member_id: str
    present: bool
    savings: Money | None = None
    voluntary_savings: Money | None = None
    fine: Money | None = None


@strawberry.input
class RepaymentAtMeetingInput:
    loan_id: strawberry.ID
    amount: Money


@strawberry.input(description="A whole meeting: attendance, money per member, repayments, bank.")
class RecordMeetingInput:
    shg_code: str
    held_on: date
    members: list[MemberAtMeetingInput]
    repayments: list[RepaymentAtMeetingInput] = strawberry.field(default_factory=list)
    bank_deposit: Money | None = None
    bank_withdrawal: Money | None = None
    idempotency_key: str | None = idempotency_key()


@strawberry.type(
    description="A recorded meeting and the vouchers it produced (drafts for a checker)."
)
class Meeting(Node):
    held_on: date
    recorded_by: str
    row: Private[models.Meeting]

    @classmethod
    def from_row(cls, row: models.Meeting) -> Meeting:
        return cls(
            id=global_id("Meeting", row.id),
            held_on=row.held_on,
            recorded_by=row.recorded_by,
            row=row,
        )

    @strawberry.field(description="How many members were present.")
    async def present(self, info: Info) -> int:
        return await info.context.loader(PresentCountByMeetingLoader).load(self.row.id)

    @strawberry.field(description="The vouchers the meeting produced.")
    async def vouchers(self, info: Info) -> list[Voucher]:
        rows = await info.context.loader(VouchersByMeetingLoader).load(self.row.id)
        return [Voucher.from_row(row) for row in rows]


async def _meeting_node(context: Context, pk: int) -> Meeting | None:
    row = await context.loader(MeetingByIdLoader).load(pk)
    return None if row is None else Meeting.from_row(row)


NODE_FETCHERS["Meeting"] = _meeting_node


@strawberry.type
class RecordMeetingPayload:
    meeting: Meeting | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _meeting(input: RecordMeetingInput) -> NewMeeting:
    members = tuple(
        MemberAtMeeting(
            member_id=m.member_id,
            present=m.present,
            savings_paise=optional_paise(m.savings, f"members[{i}].savings"),
            voluntary_savings_paise=optional_paise(
                m.voluntary_savings, f"members[{i}].voluntarySavings"
            ),
            fine_paise=optional_paise(m.fine, f"members[{i}].fine"),
        )
        for i, m in enumerate(input.members)
    )
    repayments = tuple(
        RepaymentAtMeeting(loan_pk(r.loan_id), parse_rupees(r.amount, f"repayments[{i}].amount"))
        for i, r in enumerate(input.repayments)
    )
    return NewMeeting(
        shg_code=input.shg_code,
        held_on=input.held_on,
        members=members,
        repayments=repayments,
        bank_deposit_paise=optional_paise(input.bank_deposit, "bankDeposit"),
        bank_withdrawal_paise=optional_paise(input.bank_withdrawal, "bankWithdrawal"),
    )


@strawberry.type
class MeetingMutation:
    @strawberry.mutation(
        description="Record a meeting and produce its vouchers in one atomic step."
    )
    async def record_meeting(self, info: Info, input: RecordMeetingInput) -> RecordMeetingPayload:
        context = info.context
        try:
            context.principal.require(*MAKERS)  # before any input is read
            new = _meeting(input)
        except DomainError as error:
            return RecordMeetingPayload(errors=[user_error(error)])

        async def work(session: AsyncSession) -> int:
            return (await record_meeting(session, context.principal, new)).id

        result_id, errors = await write(context, "recordMeeting", input, work, payload_of(input))
        if result_id is None:
            return RecordMeetingPayload(errors=errors)
        async with context.sessions() as session:
            row = await session.get(models.Meeting, result_id)
        if row is None:
            return RecordMeetingPayload(errors=errors)
        return RecordMeetingPayload(
            meeting=Meeting(
                id=global_id("Meeting", row.id),
                held_on=row.held_on,
                recorded_by=row.recorded_by,
                row=row,
            )
        )
