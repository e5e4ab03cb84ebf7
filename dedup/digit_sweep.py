"""The digit sweep: memberships enrolled while identity numbers kept the script they were typed in.

Before identity numbers were read as ASCII digits (:func:`identity.numbers.ascii_digits`),
an Aadhaar typed in Devanagari or full-width digits was tokenised as typed.
Its token matches no other enrolment of the same number, so one woman could
hold two memberships, and nothing will ever make that token again. The raw
numbers were never stored, but what was stored shows it: a last four or a
mobile holding anything but ASCII digits. (A number whose last four digits
were typed in ASCII after others that were not leaves no trace, and is not
found here.)

For each such member, in one transaction:

- her last fours and mobile are rewritten in ASCII (the same digits, so a
  safe repair), or cleared when they never were decimal digits;
- a token made from such digits is retired: her Aadhaar registration is
  ended (the row stays) and her bank token cleared. Neither can ever match,
  and beside a true token of the same number either would say "a different
  woman". Her Aadhaar or account must be given again (a profile correction
  tokenises it afresh); the report lists who;
- her blocking keys are rewritten, she is scored against every live member
  sharing one, as at enrolment, and each pair at REVIEW or above that is not
  already in the review queue joins it, found by ``DIGIT_REPAIR``, for a
  reviewer to decide as any other pair;
- one audit row names what was repaired: fields, never values.

Run again, it finds nothing: every value it repaired is ASCII.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from core.audit import record_audit
from core.database import transaction, utc_now
from core.errors import DomainError
from dedup.models import DuplicateCandidate, FoundBy
from dedup.online import (
    LIVE,
    Matcher,
    Newcomer,
    check_new_member,
    person_of,
    queue_pair,
    store_keys,
)
from hierarchy.fields import clean_mobile
from hierarchy.models import Member
from identity.models import AadhaarRegistration
from identity.numbers import ascii_digits

ACTOR = "lokos dedup sweep-digits"
_ASCII_DIGITS = "0123456789"


@dataclass
class DigitSweepReport:
    repaired: int = 0  # members with a value rewritten
    queued: int = 0  # new pairs in the review queue
    # Live members' IDs whose Aadhaar ("aadhaar") or account ("bank") must be given again.
    give_again: dict[str, list[str]] = field(default_factory=dict)


def _not_ascii_digits(column: InstrumentedAttribute[str | None]) -> ColumnElement[bool]:
    """True where the column holds anything but ASCII digits, the same on both dialects."""
    rest: ColumnElement[str | None] = column.expression
    for digit in _ASCII_DIGITS:
        rest = func.replace(rest, digit, "")
    return rest != ""  # NULL stays NULL: not selected


def _ascii(value: str | None) -> bool:
    return value is None or not value.strip(_ASCII_DIGITS)


def _last4(value: str) -> str | None:
    try:
        digits = ascii_digits(value, "last4", "")
    except DomainError:
        return None  # superscripts and the like, once let through: no digits to keep
    return digits if len(digits) == 4 else None


def _mobile(value: str) -> str | None:
    try:
        return clean_mobile(value)
    except DomainError:
        return None


async def sweep_digits(
    sessions: async_sessionmaker[AsyncSession], matcher: Matcher | None = None, batch: int = 200
) -> DigitSweepReport:
    """Repair and queue every member whose stored numbers show non-ASCII digits."""
    matcher = matcher or Matcher()
    report = DigitSweepReport()
    flagged = or_(
        _not_ascii_digits(Member.aadhaar_last4),
        _not_ascii_digits(Member.bank_last4),
        _not_ascii_digits(Member.mobile),
    )
    after = 0
    while True:
        async with transaction(sessions) as session:
            members = (
                await session.scalars(
                    select(Member)
                    .where(Member.id > after, flagged)
                    .order_by(Member.id)
                    .limit(batch)
                    .with_for_update()
                )
            ).all()
            for member in members:
                await _repair(session, member, matcher, report)
        if len(members) < batch:
            return report
        after = members[-1].id


async def _repair(
    session: AsyncSession, member: Member, matcher: Matcher, report: DigitSweepReport
) -> None:
    fields: list[str] = []
    retired: list[str] = []
    if member.aadhaar_last4 is not None and not _ascii(member.aadhaar_last4):
        member.aadhaar_last4 = _last4(member.aadhaar_last4)
        fields.append("aadhaar_last4")
        ended = await session.execute(
            update(AadhaarRegistration)
            .where(AadhaarRegistration.member_pk == member.id, AadhaarRegistration.active)
            .values(active=False, ended_at=utc_now())
        )
        if ended.rowcount:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
            retired.append("aadhaar")
    if member.bank_last4 is not None and not _ascii(member.bank_last4):
        member.bank_last4 = _last4(member.bank_last4)
        fields.append("bank_last4")
        if member.bank_token is not None:
            member.bank_token = None
            retired.append("bank")
    if member.mobile is not None and not _ascii(member.mobile):
        member.mobile = _mobile(member.mobile)
        fields.append("mobile")
    report.repaired += 1
    await store_keys(session, member)
    await record_audit(
        session,
        actor=ACTOR,
        action="member.digits_repaired",
        entity_type="member",
        entity_id=member.id,
        detail={"member_id": member.member_id, "fields": fields, "retired": retired},
    )
    if member.status in LIVE:
        if retired:
            report.give_again[member.member_id] = retired
        report.queued += await _queue_matches(session, member, matcher)


async def _queue_matches(session: AsyncSession, member: Member, matcher: Matcher) -> int:
    token = await session.scalar(
        select(AadhaarRegistration.token).where(
            AadhaarRegistration.member_pk == member.id, AadhaarRegistration.active
        )
    )
    check = await check_new_member(
        session, Newcomer(person_of(member, token)), matcher, exclude=member.id
    )
    # A pair is (earlier, later) by membership, however it was found.
    pairs = [
        (min(holder, member, key=_pk), max(holder, member, key=_pk), match)
        for holder, match in check.matches
    ]
    if not pairs:
        return 0
    known = set(
        (
            await session.execute(
                select(DuplicateCandidate.member_a_pk, DuplicateCandidate.member_b_pk).where(
                    tuple_(DuplicateCandidate.member_a_pk, DuplicateCandidate.member_b_pk).in_(
                        [(earlier.id, later.id) for earlier, later, _ in pairs]
                    )
                )
            )
        ).all()
    )
    queued = 0
    for earlier, later, match in pairs:
        if (earlier.id, later.id) not in known:
            queue_pair(session, earlier, later, match, FoundBy.DIGIT_REPAIR, matcher.model.version)
            queued += 1
    return queued


def _pk(member: Member) -> int:
    return member.id
