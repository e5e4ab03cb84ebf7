"""Recording an SHG meeting: attendance, savings, fines, repayments and bank movements,
turned into vouchers in one atomic step.

A meeting is recorded once and is then closed: its vouchers are one entry,
approved or rejected together by a checker and corrected only by reversal.
A second meeting of the same SHG on the same day is refused while the first
stands; a meeting whose vouchers were rejected, or reversed, never happened
as far as the books go, so its day can be recorded again (it stays on
record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.access import Principal, Role
from core.audit import record_audit
from core.errors import DomainError, ErrorCode
from core.money import check_paise
from hierarchy.fields import check_not_before, check_not_future
from hierarchy.models import Member
from ledger.loans import record_repayment
from ledger.models import Attendance, Loan, LoanSource, Meeting, Voucher, VoucherStatus
from ledger.vouchers import (
    LineInput,
    NewVoucher,
    active_member,
    link,
    locked_shg,
    record_voucher,
)


def _has_vouchers(*statuses: VoucherStatus) -> ColumnElement[bool]:
    # Its own alias: the query this goes into may join the meeting's vouchers already.
    own = aliased(Voucher)
    return select(own.id).where(own.meeting_id == Meeting.id, own.status.in_(statuses)).exists()


def _reversed() -> ColumnElement[bool]:
    own, reversal = aliased(Voucher), aliased(Voucher)
    return (
        select(own.id)
        .join(reversal, reversal.reverses_id == own.id)
        .where(own.meeting_id == Meeting.id, reversal.status == VoucherStatus.APPROVED)
        .exists()
    )


def meeting_stands() -> ColumnElement[bool]:
    """A meeting neither rejected nor reversed (its vouchers go as one): it holds its day."""
    return ~_has_vouchers(VoucherStatus.REJECTED) & ~_reversed()


def meeting_approved() -> ColumnElement[bool]:
    """A standing meeting in the approved books: its vouchers approved (or it moved no money)."""
    return meeting_stands() & ~_has_vouchers(VoucherStatus.DRAFT)


@dataclass(frozen=True)
class MemberAtMeeting:
    member_id: str
    present: bool
    savings_paise: int = 0
    voluntary_savings_paise: int = 0
    fine_paise: int = 0


@dataclass(frozen=True)
class RepaymentAtMeeting:
    loan_id: int
    amount_paise: int


@dataclass(frozen=True)
class NewMeeting:
    shg_code: str
    held_on: date
    members: tuple[MemberAtMeeting, ...]
    repayments: tuple[RepaymentAtMeeting, ...] = ()
    bank_deposit_paise: int = 0
    bank_withdrawal_paise: int = 0


async def _members(
    session: AsyncSession, shg_id: int, held_on: date, entries: tuple[MemberAtMeeting, ...]
) -> list[Member]:
    seen: set[str] = set()
    members: list[Member] = []
    for index, entry in enumerate(entries):
        field = f"members[{index}]"
        if entry.member_id in seen:
            raise DomainError(ErrorCode.DUPLICATE, f"{field}.memberId", "She is listed twice")
        seen.add(entry.member_id)
        member = await active_member(session, shg_id, entry.member_id, f"{field}.memberId")
        # Not at a meeting before she joined (joined_on: this SHG, a transfer resets it).
        check_not_before(held_on, member.joined_on, "heldOn", "she joined the SHG")
        for name, amount in (
            ("savings", entry.savings_paise),
            ("voluntarySavings", entry.voluntary_savings_paise),
            ("fine", entry.fine_paise),
        ):
            check_paise(amount, f"{field}.{name}")
        members.append(member)
    return members


def _repayment_field(index: int, field: str | None) -> str:
    """A refusal of a repayment, named as the meeting's input names it: its date is the
    meeting's; its loan and amount are the entry's own; anything else, the entry."""
    if field == "paidOn":
        return "heldOn"
    if field in ("loanId", "amount"):
        return f"repayments[{index}].{field}"
    return f"repayments[{index}]"


async def record_meeting(
    session: AsyncSession, principal: Principal, new: NewMeeting, *, today: date | None = None
) -> Meeting:
    principal.require(Role.ADMIN, Role.BOOKKEEPER)
    today = today or date.today()
    shg = await locked_shg(session, principal, new.shg_code)
    check_not_future(new.held_on, "heldOn", today)
    check_not_before(new.held_on, shg.formed_on, "heldOn", "the SHG was formed")
    if not new.members:
        raise DomainError(ErrorCode.REQUIRED, "members", "Record each member's attendance")
    taken = await session.scalar(  # under the SHG's lock: one standing meeting a day
        select(Meeting.id).where(
            Meeting.shg_id == shg.id, Meeting.held_on == new.held_on, meeting_stands()
        )
    )
    if taken is not None:
        raise DomainError(
            ErrorCode.DUPLICATE, "heldOn", "This SHG's meeting of that day is recorded"
        )
    check_paise(new.bank_deposit_paise, "bankDeposit")
    check_paise(new.bank_withdrawal_paise, "bankWithdrawal")
    members = await _members(session, shg.id, new.held_on, new.members)
    meeting = Meeting(
        shg_id=shg.id,
        held_on=new.held_on,
        recorded_by=principal.subject,
        state_id=shg.state_id,
        district_id=shg.district_id,
        block_id=shg.block_id,
        gp_id=shg.gp_id,
        village_id=shg.village_id,
        clf_id=shg.clf_id,
        vo_id=shg.vo_id,
    )
    session.add(meeting)
    await session.flush()
    session.add_all(
        Attendance(meeting_id=meeting.id, member_pk=member.id, present=entry.present)
        for member, entry in zip(members, new.members, strict=True)
    )
    vouchers: list[Voucher] = []

    async def voucher(
        narration: str, lines: list[LineInput], amount_field: str | None = None
    ) -> None:
        if not lines:
            return
        try:
            made = await record_voucher(
                session,
                principal,
                NewVoucher(shg.code, new.held_on, narration, tuple(lines)),
                today=today,
                date_field="heldOn",
                amount_field=amount_field,
            )
        except DomainError as error:
            # Each member's amount was checked; a line refused now is their sum, too big.
            if error.field and error.field.startswith("lines"):
                raise DomainError(error.code, "members", error.message) from error
            raise
        vouchers.append(made)

    savings = [
        LineInput(account, credit_paise=amount, member_id=entry.member_id)
        for entry in new.members
        for account, amount in (
            ("savings_compulsory", entry.savings_paise),
            ("savings_voluntary", entry.voluntary_savings_paise),
        )
        if amount
    ]
    if savings:
        total = sum(line.credit_paise for line in savings)
        await voucher(
            f"Savings at meeting of {new.held_on}",
            [LineInput("cash", debit_paise=total), *savings],
        )
    # One line per member fined, naming her, so her passbook shows the fine she paid.
    fined = [
        LineInput("fines", credit_paise=entry.fine_paise, member_id=entry.member_id)
        for entry in new.members
        if entry.fine_paise
    ]
    if fined:
        total = sum(line.credit_paise for line in fined)
        await voucher(
            f"Fines at meeting of {new.held_on}", [LineInput("cash", debit_paise=total), *fined]
        )
    if new.bank_deposit_paise:
        amount = new.bank_deposit_paise
        await voucher(
            "Deposited in bank",
            [LineInput("bank", debit_paise=amount), LineInput("cash", credit_paise=amount)],
            "bankDeposit",
        )
    if new.bank_withdrawal_paise:
        amount = new.bank_withdrawal_paise
        await voucher(
            "Withdrawn from bank",
            [LineInput("cash", debit_paise=amount), LineInput("bank", credit_paise=amount)],
            "bankWithdrawal",
        )
    for index, repayment in enumerate(new.repayments):
        loan = await session.get(Loan, repayment.loan_id)
        if loan is None or loan.cbo_id != shg.id or loan.source != LoanSource.SHG_CORPUS:
            # The group's own borrowing is repaid from its bank account, not at a meeting.
            raise DomainError(
                ErrorCode.NOT_FOUND, f"repayments[{index}].loanId", "No such member's loan here"
            )
        try:
            paid = await record_repayment(
                session,
                principal,
                repayment.loan_id,
                repayment.amount_paise,
                new.held_on,
                today=today,
            )
        except DomainError as error:  # name the field of this meeting that was refused
            raise DomainError(
                error.code, _repayment_field(index, error.field), error.message
            ) from error
        repaid = await session.get(Voucher, paid.voucher_id)
        assert repaid is not None
        vouchers.append(repaid)
    for made in vouchers:
        made.meeting_id = meeting.id
    if len(vouchers) > 1:  # checked as one: a meeting is approved or rejected whole
        link(*vouchers)
    await record_audit(
        session,
        actor=principal.subject,
        action="meeting.recorded",
        entity_type="meeting",
        entity_id=meeting.id,
        detail={"shg": shg.code, "vouchers": [v.id for v in vouchers]},
    )
    await session.flush()
    return meeting
