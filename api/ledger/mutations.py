"""Voucher mutations: record, approve, reject, reverse. Amounts arrive as `Money` text."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import UserError, user_error
from api.hierarchy.types import Info
from api.ledger.dataloaders import VoucherByIdLoader
from api.ledger.types import Money, Voucher
from api.node import parse_global_id
from api.writes import idempotency_key, payload_of, write
from core.errors import DomainError, ErrorCode
from core.money import parse_rupees
from ledger.vouchers import (
    MAKERS,
    LineInput,
    NewVoucher,
    approve_voucher,
    record_manual_voucher,
    reject_voucher,
    reverse_voucher,
)


@strawberry.input(description="A debit or a credit (give one of the two).")
class VoucherLineInput:
    account: str = strawberry.field(description="An account code of the chart, e.g. cash.")
    debit: Money | None = None
    credit: Money | None = None
    member_id: str | None = strawberry.field(default=None, description="For member accounts.")


@strawberry.input
class RecordVoucherInput:
    cbo_code: str
    voucher_date: date
    narration: str
    lines: list[VoucherLineInput]
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class ApproveVoucherInput:
    voucher_id: strawberry.ID
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class RejectVoucherInput:
    voucher_id: strawberry.ID
    reason: str
    idempotency_key: str | None = idempotency_key()


@strawberry.input
class ReverseVoucherInput:
    voucher_id: strawberry.ID
    reversed_on: date
    reason: str
    idempotency_key: str | None = idempotency_key()


@strawberry.type
class RecordVoucherPayload:
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ApproveVoucherPayload:
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RejectVoucherPayload:
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReverseVoucherPayload:
    voucher: Voucher | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _lines(lines: list[VoucherLineInput]) -> tuple[LineInput, ...]:
    return tuple(
        LineInput(
            account=line.account,
            debit_paise=parse_rupees(line.debit, f"lines[{i}].debit") if line.debit else 0,
            credit_paise=parse_rupees(line.credit, f"lines[{i}].credit") if line.credit else 0,
            member_id=line.member_id,
        )
        for i, line in enumerate(lines)
    )


def _voucher_pk(value: str) -> int:
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != "Voucher":
        raise DomainError(ErrorCode.NOT_FOUND, "voucherId", "No voucher with this id in your scope")
    return parsed[1]


async def _voucher(info: Info, result_id: int | None) -> Voucher | None:
    if result_id is None:
        return None
    row = await info.context.loader(VoucherByIdLoader).load_fresh(result_id)
    return None if row is None else Voucher.from_row(row)


async def _run(
    info: Info, operation: str, data: Any, work: Any
) -> tuple[Voucher | None, list[UserError]]:
    result_id, errors = await write(info.context, operation, data, work, payload_of(data))
    return await _voucher(info, result_id), errors


@strawberry.type
class LedgerMutation:
    @strawberry.mutation(
        description="Record a voucher as a draft; balances move when it is approved."
    )
    async def record_voucher(self, info: Info, input: RecordVoucherInput) -> RecordVoucherPayload:
        context = info.context
        try:
            context.principal.require(*MAKERS)  # before any input is read
            new = NewVoucher(
                input.cbo_code, input.voucher_date, input.narration, _lines(input.lines)
            )
        except DomainError as error:
            return RecordVoucherPayload(errors=[user_error(error)])

        async def work(session: AsyncSession) -> int:
            return (await record_manual_voucher(session, context.principal, new)).id

        voucher, errors = await _run(info, "recordVoucher", input, work)
        return RecordVoucherPayload(voucher=voucher, errors=errors)

    @strawberry.mutation(description="Approve a draft voucher (not its maker) and post it.")
    async def approve_voucher(
        self, info: Info, input: ApproveVoucherInput
    ) -> ApproveVoucherPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            pk = _voucher_pk(input.voucher_id)
            return (await approve_voucher(session, context.principal, pk)).id

        voucher, errors = await _run(info, "approveVoucher", input, work)
        return ApproveVoucherPayload(voucher=voucher, errors=errors)

    @strawberry.mutation(description="Reject a draft voucher (not its maker), with the reason.")
    async def reject_voucher(self, info: Info, input: RejectVoucherInput) -> RejectVoucherPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            pk = _voucher_pk(input.voucher_id)
            return (await reject_voucher(session, context.principal, pk, input.reason)).id

        voucher, errors = await _run(info, "rejectVoucher", input, work)
        return RejectVoucherPayload(voucher=voucher, errors=errors)

    @strawberry.mutation(
        description="Record the reversal of a posted voucher, for a checker to approve."
    )
    async def reverse_voucher(
        self, info: Info, input: ReverseVoucherInput
    ) -> ReverseVoucherPayload:
        context = info.context

        async def work(session: AsyncSession) -> int:
            pk = _voucher_pk(input.voucher_id)
            reversal = await reverse_voucher(
                session, context.principal, pk, input.reversed_on, input.reason
            )
            return reversal.id

        voucher, errors = await _run(info, "reverseVoucher", input, work)
        return ReverseVoucherPayload(voucher=voucher, errors=errors)
