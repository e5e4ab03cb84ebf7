"""recordMeeting: one call from the field app records a whole meeting; approveMeeting and
rejectMeeting check it (with its vouchers, or alone when it moved no money)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
from api.node import NODE_FETCHERS, Node, global_id, parse_global_id
from api.writes import idempotency_key, payload_of, write
from core.errors import DomainError, ErrorCode
from core.money import parse_rupees
from ledger import models
from ledger.meetings import (
    MemberAtMeeting,
    NewMeeting,
    RepaymentAtMeeting,
    approve_meeting,
    record_meeting,
    reject_meeting,
)
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
    description="A recorded meeting and the vouchers it produced, checked by a second person "
    "like a voucher; it counts for grading once approved."
)
class Meeting(Node):
    held_on: date
    recorded_by: str
    status: models.VoucherStatus
    checked_by: str | None
    checked_at: datetime | None
    rejection_reason: str | None
    row: Private[models.Meeting]

    @classmethod
    def from_row(cls, row: models.Meeting) -> Meeting:
        return cls(
            id=global_id("Meeting", row.id),
            held_on=row.held_on,
            recorded_by=row.recorded_by,
            status=row.status,
            checked_by=row.checked_by,
            checked_at=row.checked_at,
            rejection_reason=row.rejection_reason,
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
        return RecordMeetingPayload(meeting=Meeting.from_row(row))

    @strawberry.mutation(
        description="Approve a draft meeting (not its recorder), with its vouchers if it has any."
    )
    async def approve_meeting(self, info: Info, input: ApproveMeetingInput) -> CheckMeetingPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            pk = _meeting_pk(input.meeting_id)
            return (await approve_meeting(session, context.principal, pk)).id

        return await _checked(info, "approveMeeting", input, work)

    @strawberry.mutation(
        description="Reject a draft meeting (not its recorder), with the reason: its day is free."
    )
    async def reject_meeting(self, info: Info, input: RejectMeetingInput) -> CheckMeetingPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            pk = _meeting_pk(input.meeting_id)
            return (await reject_meeting(session, context.principal, pk, input.reason)).id

        return await _checked(info, "rejectMeeting", input, work)


@strawberry.input
class ApproveMeetingInput:
    meeting_id: strawberry.ID
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class RejectMeetingInput:
    meeting_id: strawberry.ID
    reason: str
    idempotency_key: str | None = idempotency_key()


@strawberry.type
class CheckMeetingPayload:
    meeting: Meeting | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _meeting_pk(value: str) -> int:
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != "Meeting":
        raise DomainError(ErrorCode.NOT_FOUND, "meetingId", "No meeting with this id in your scope")
    return parsed[1]


async def _checked(info: Info, operation: str, data: Any, work: Any) -> CheckMeetingPayload:
    result_id, errors = await write(info.context, operation, data, work, payload_of(data))
    if result_id is None:
        return CheckMeetingPayload(errors=errors)
    row = await info.context.loader(MeetingByIdLoader).load_fresh(result_id)
    return CheckMeetingPayload(meeting=None if row is None else Meeting.from_row(row))
