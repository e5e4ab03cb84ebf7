"""Recording an SHG meeting: attendance, savings, fines, repayments and bank movements,
turned into vouchers in one atomic step; and checking it.

A meeting is recorded once and is then closed: its vouchers are one entry,
approved or rejected together by a checker and corrected only by reversal.
Maker–checker holds for every meeting, money or not: a meeting carries its
own status (draft, approved, rejected — a voucher's), set by the one
approve/reject path. Approving or rejecting its entry (``approveVoucher`` on
any of its vouchers, or :func:`approve_meeting`) checks the meeting with it;
a meeting that moved no money has no entry, so :func:`approve_meeting` and
:func:`reject_meeting` check it alone, under a voucher's rules (a checker
other than its recorder, a draft only). Grading counts a meeting held by
its attendance, money or not, so that must not rest on the bookkeeper's
word alone. (The other design, a zero-money voucher for every meeting,
would make posting accept vouchers without lines and put them into every
statement, trial balance and voucher list; a status on the meeting leaves
the books as they are.)

A second meeting of the same SHG on the same day is refused while the first
stands; a meeting that was rejected, or whose vouchers were reversed, never
happened as far as the books go, so its day can be recorded again (it stays
on record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.access import Principal, Role
from core.audit import record_audit
from core.database import utc_now
from core.errors import DomainError, ErrorCode
from core.money import check_paise
from hierarchy.cbos import check_transacting
from hierarchy.fields import check_not_before, check_not_future
from hierarchy.models import Cbo, Member
from ledger.loans import record_repayment
from ledger.models import Attendance, Loan, LoanSource, Meeting, Voucher, VoucherStatus
from ledger.vouchers import (
    CHECKERS,
    LineInput,
    NewVoucher,
    active_member,
    approve_voucher,
    link,
    locked_shg,
    record_voucher,
    reject_voucher,
    rejection_reason,
)


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
    return (Meeting.status != VoucherStatus.REJECTED) & ~_reversed()


def meeting_approved() -> ColumnElement[bool]:
    """A meeting in the approved books: checked by a second person, and not reversed."""
    return (Meeting.status == VoucherStatus.APPROVED) & ~_reversed()


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
        status=VoucherStatus.DRAFT,
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


async def _to_check(session: AsyncSession, principal: Principal, meeting_id: int) -> Meeting:
    """The meeting, if this checker may check it."""
    principal.require(*CHECKERS)
    meeting = await session.scalar(
        select(Meeting).where(Meeting.id == meeting_id, principal.scope.clause(Meeting))
    )
    if meeting is None:
        raise DomainError(ErrorCode.NOT_FOUND, "meetingId", "No meeting with this id in your scope")
    _check_draft(meeting, principal)
    return meeting


def _check_draft(meeting: Meeting, principal: Principal) -> None:
    if meeting.status is not VoucherStatus.DRAFT:
        raise DomainError(
            ErrorCode.INVALID_STATE, "meetingId", f"This meeting is {meeting.status.value}"
        )
    if meeting.recorded_by == principal.subject:
        raise DomainError(
            ErrorCode.SELF_APPROVAL,
            "meetingId",
            "A meeting is checked by someone other than the one who recorded it",
        )


async def _entry_of(session: AsyncSession, meeting: Meeting) -> int | None:
    return await session.scalar(
        select(func.min(Voucher.id)).where(Voucher.meeting_id == meeting.id)
    )


def _as_meeting(error: DomainError) -> DomainError:
    """A refusal of the meeting's entry, naming the meeting the checker asked about."""
    field = "meetingId" if error.field == "voucherId" else error.field
    return DomainError(error.code, field, error.message)


async def _checked_alone(
    session: AsyncSession,
    principal: Principal,
    meeting: Meeting,
    status: VoucherStatus,
    reason: str | None = None,
) -> None:
    """Check a meeting that moved no money, as a voucher is checked: under its row lock
    (a meeting with vouchers is locked through them instead, by the entry's path)."""
    await session.refresh(meeting, with_for_update=True)
    _check_draft(meeting, principal)  # as it stands now that two checkers queue
    shg = await session.get(Cbo, meeting.shg_id)
    assert shg is not None
    check_transacting(shg, "meetingId")  # a group closed since keeps no books
    meeting.status = status
    meeting.checked_by = principal.subject
    meeting.checked_at = utc_now()
    meeting.rejection_reason = reason
    await record_audit(
        session,
        actor=principal.subject,
        action=f"meeting.{status.value}",
        entity_type="meeting",
        entity_id=meeting.id,
        detail={"shg_id": meeting.shg_id},
    )
    await session.flush()


async def approve_meeting(session: AsyncSession, principal: Principal, meeting_id: int) -> Meeting:
    """Approve a meeting: its entry of vouchers if it moved money (which approves it), or
    the meeting alone if it did not. Only then does it count for grading."""
    meeting = await _to_check(session, principal, meeting_id)
    entry = await _entry_of(session, meeting)
    if entry is None:
        await _checked_alone(session, principal, meeting, VoucherStatus.APPROVED)
        return meeting
    try:
        await approve_voucher(session, principal, entry)
    except DomainError as error:
        raise _as_meeting(error) from error
    await session.refresh(meeting)
    return meeting


async def reject_meeting(
    session: AsyncSession, principal: Principal, meeting_id: int, reason: str
) -> Meeting:
    """Reject a meeting (with its vouchers, if any): it never happened, its day is free."""
    meeting = await _to_check(session, principal, meeting_id)
    entry = await _entry_of(session, meeting)
    if entry is None:
        why = rejection_reason(reason)
        await _checked_alone(session, principal, meeting, VoucherStatus.REJECTED, why)
        return meeting
    try:
        await reject_voucher(session, principal, entry, reason)
    except DomainError as error:
        raise _as_meeting(error) from error
    await session.refresh(meeting)
    return meeting
