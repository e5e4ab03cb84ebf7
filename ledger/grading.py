"""Panchasutra grading of an SHG, computed live from its books.

The five sutras a VO checks before it recommends a group for Revolving Fund
and CIF: regular meetings, regular savings, regular internal lending,
timely repayment, books up to date. Each scores 0 to 20 from a measure
read off the meetings, vouchers and loans of the last six months, so the
grade is never typed in by hand and never stale:

- **meetings**: the weeks, fortnights or months (as the group has agreed
  to meet) of the 26 weeks to ``as_of`` that had a meeting / how many there
  are (26, 13 or 6); full marks for meeting every time it agreed to.
- **savings**: member-meetings with compulsory savings / member-meetings
  recorded; full marks when every member saves at every meeting.
- **lending**: members who borrowed in the window (loan approved; loans
  loaded at the cut-off are old lending, not new) / members on ``as_of``
  (by membership period: a transfer or exit ends one; an enrolment found
  to be a duplicate never was one); full marks at half the members.
- **repayment**: 1 - PAR 30 of the group's internal loans on ``as_of``
  (loans repaid since count as they stood then); full marks when nothing is
  30 days late.
- **books**: half for an approved meeting held within 14 days of ``as_of``,
  half for no draft voucher or unchecked meeting older than 14 days (drafts
  as they are now: the books keep no history of when a draft stopped being
  one).

Only the approved books count: a meeting a checker other than its recorder
has not approved (rejected, reversed, or still a draft) was not held as far
as grading goes, and nor were its attendance and savings. That holds for a
meeting that moved no money too: it is checked on its own (ledger.meetings).

A measure scores in proportion up to its full-marks point. Grade A at 80
points and above, B from 60, C below; A and B groups are eligible for RF and
CIF, unless their approved books show cash or bank below zero on ``as_of``
(which posting refuses, but books from before that rule may hold). These
are the platform's defaults, written here in one place so a state that
grades differently changes one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.access import Scope
from dedup.models import CandidateStatus, DuplicateCandidate
from hierarchy.lookup import cbo_by_code
from hierarchy.models import (
    Cbo,
    CboKind,
    MeetingFrequency,
    Member,
    MembershipPeriod,
    MemberStatus,
)
from ledger.chart import MONEY_HELD
from ledger.interest import portfolio_at_risk
from ledger.loan_book import counted_repayments_of, position_of
from ledger.meetings import meeting_approved
from ledger.models import (
    Attendance,
    Loan,
    LoanSource,
    LoanStatus,
    Meeting,
    Voucher,
    VoucherLine,
    VoucherStatus,
)

WINDOW = timedelta(weeks=26)
# The window's slots, by the group's agreed frequency: a slot with a meeting is one kept.
SLOTS = {MeetingFrequency.WEEKLY: 26, MeetingFrequency.FORTNIGHTLY: 13, MeetingFrequency.MONTHLY: 6}
LENDING_TARGET = Decimal("0.5")
STALE = timedelta(days=14)
POINTS = 20


class Sutra(StrEnum):
    MEETINGS = "meetings"
    SAVINGS = "savings"
    LENDING = "lending"
    REPAYMENT = "repayment"
    BOOKS = "books"


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"


@dataclass(frozen=True)
class SutraScore:
    sutra: Sutra
    measure: Decimal  # the ratio behind the score, 0 to 1
    points: int  # 0 to POINTS


@dataclass(frozen=True)
class Panchasutra:
    shg: Cbo
    as_of: date
    scores: list[SutraScore]
    overdrawn: bool = False  # cash or bank below zero in the approved books on as_of

    @property
    def points(self) -> int:
        return sum(score.points for score in self.scores)

    @property
    def grade(self) -> Grade:
        if self.points >= 80:
            return Grade.A
        return Grade.B if self.points >= 60 else Grade.C

    @property
    def eligible_for_funds(self) -> bool:
        return self.grade is not Grade.C and not self.overdrawn


def _ratio(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


def _score(sutra: Sutra, measure: Decimal, full_at: Decimal = Decimal(1)) -> SutraScore:
    measure = min(max(measure, Decimal(0)), Decimal(1))
    share = min(measure / full_at, Decimal(1))
    points = int((share * POINTS).to_integral_value(rounding="ROUND_HALF_UP"))
    return SutraScore(sutra, measure.quantize(Decimal("0.0001")), points)


async def panchasutra(
    session: AsyncSession, scope: Scope, shg_code: str, as_of: date
) -> Panchasutra | None:
    """The SHG's five scores and grade on ``as_of``; None outside the scope."""
    shg = await cbo_by_code(session, scope, shg_code, CboKind.SHG)
    if shg is None:
        return None
    since = as_of - WINDOW
    in_window = (
        Meeting.shg_id == shg.id,
        Meeting.held_on > since,
        Meeting.held_on <= as_of,
        meeting_approved(),
    )
    days_held = (await session.scalars(select(Meeting.held_on).where(*in_window))).all()
    slots = SLOTS[shg.meeting_frequency]
    kept = len({(as_of - day).days * slots // WINDOW.days for day in days_held})
    last_meeting = await session.scalar(
        select(func.max(Meeting.held_on)).where(
            Meeting.shg_id == shg.id, Meeting.held_on <= as_of, meeting_approved()
        )
    )
    recorded = int(
        await session.scalar(
            select(func.count())
            .select_from(Attendance)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(*in_window)
        )
        or 0
    )
    reversal = aliased(Voucher)
    savers = (
        select(Meeting.id, VoucherLine.member_pk)
        .distinct()
        .join(Voucher, Voucher.meeting_id == Meeting.id)
        .join(VoucherLine, VoucherLine.voucher_id == Voucher.id)
        .where(
            *in_window,
            Voucher.status == VoucherStatus.APPROVED,
            ~select(reversal.id)
            .where(reversal.reverses_id == Voucher.id, reversal.status == VoucherStatus.APPROVED)
            .exists(),  # savings taken back by a reversal were not saved
            VoucherLine.account == "savings_compulsory",
            VoucherLine.amount_paise < 0,
        )
        .subquery()
    )
    saved = int(await session.scalar(select(func.count()).select_from(savers)) or 0)
    # Her memberships of this group, as periods: a transfer or an exit ends one, and an
    # enrolment later found to be a duplicate was never a membership.
    members = int(
        await session.scalar(
            select(func.count(func.distinct(MembershipPeriod.member_pk))).where(
                MembershipPeriod.shg_id == shg.id,
                MembershipPeriod.joined_on <= as_of,
                or_(MembershipPeriod.left_on.is_(None), MembershipPeriod.left_on > as_of),
                ~select(DuplicateCandidate.id)
                .where(
                    DuplicateCandidate.member_b_pk == MembershipPeriod.member_pk,
                    DuplicateCandidate.status == CandidateStatus.DUPLICATE,
                )
                .exists(),
                ~select(Member.id)
                .where(
                    Member.id == MembershipPeriod.member_pk, Member.status == MemberStatus.PENDING
                )
                .exists(),
            )
        )
        or 0
    )
    made = (
        Loan.cbo_id == shg.id,
        Loan.source == LoanSource.SHG_CORPUS,
        Loan.status.in_((LoanStatus.ACTIVE, LoanStatus.CLOSED)),
        Loan.disbursed_on <= as_of,
    )
    from_cut_off = (
        select(VoucherLine.id)
        .where(
            VoucherLine.voucher_id == Loan.disbursement_voucher_id,
            VoucherLine.account == "accumulated_surplus",  # lent before the books came on
        )
        .exists()
    )
    borrowers = int(
        await session.scalar(
            select(func.count(func.distinct(Loan.member_pk))).where(
                *made, Loan.disbursed_on > since, ~from_cut_off
            )
        )
        or 0
    )
    loans = list((await session.scalars(select(Loan).where(*made))).all())
    repayments = await counted_repayments_of(session, [loan.id for loan in loans], drafts=False)
    positions = [position_of(loan, repayments[loan.id], as_of) for loan in loans]
    owed = [position for position in positions if position.principal_outstanding_paise > 0]
    par30 = portfolio_at_risk(owed, 30)
    stale_drafts = int(
        await session.scalar(
            select(func.count())
            .select_from(Voucher)
            .where(
                Voucher.cbo_id == shg.id,
                Voucher.status == VoucherStatus.DRAFT,
                Voucher.voucher_date < as_of - STALE,
            )
        )
        or 0
    )
    unchecked_meetings = int(
        await session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(
                Meeting.shg_id == shg.id,
                Meeting.status == VoucherStatus.DRAFT,
                Meeting.held_on < as_of - STALE,
            )
        )
        or 0
    )
    recent = last_meeting is not None and last_meeting >= as_of - STALE
    books = Decimal(int(recent) + int(stale_drafts == unchecked_meetings == 0)) / 2
    money_held = (
        await session.execute(
            select(func.sum(VoucherLine.amount_paise))
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(
                Voucher.cbo_id == shg.id,
                Voucher.status == VoucherStatus.APPROVED,
                Voucher.voucher_date <= as_of,
                VoucherLine.account.in_(MONEY_HELD),
            )
            .group_by(VoucherLine.account)
        )
    ).scalars()
    return Panchasutra(
        shg,
        as_of,
        overdrawn=any((balance or 0) < 0 for balance in money_held),
        scores=[
            _score(Sutra.MEETINGS, _ratio(kept, slots)),
            _score(Sutra.SAVINGS, _ratio(saved, recorded)),
            _score(Sutra.LENDING, _ratio(borrowers, members), LENDING_TARGET),
            _score(Sutra.REPAYMENT, 1 - par30 if owed else Decimal(1)),
            _score(Sutra.BOOKS, books),
        ],
    )
