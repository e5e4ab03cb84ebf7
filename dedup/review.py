"""The review queue: a reviewer's decision on a pair, and what it sets in motion.

NOT_DUPLICATE is remembered (the pair's row stays, so neither enrolment nor
the sweep raises it again) and a pending member with nothing else open is
cleared to transact. DUPLICATE ends the later membership (once it is square
with its SHG, as any exit: :mod:`ledger.settlement`); her record stays.
Every decision is audited with ids, never names.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.database import utc_now
from core.errors import DomainError, ErrorCode
from dedup.models import CandidateStatus, DuplicateCandidate
from hierarchy.models import Member, MemberStatus
from identity.cards import revoke_cards
from identity.enrolment import end_duplicate_membership, masked_member_id
from ledger.settlement import check_settled

DECIDERS = (Role.ADMIN, Role.REVIEWER)
MAX_NOTE = 512


async def decide_match(
    session: AsyncSession,
    principal: Principal,
    candidate_id: int,
    decision: CandidateStatus,
    note: str | None,
    *,
    today: date | None = None,
) -> DuplicateCandidate:
    principal.require(*DECIDERS)
    if decision is CandidateStatus.OPEN:
        raise DomainError(ErrorCode.INVALID, "decision", "Decide DUPLICATE or NOT_DUPLICATE")
    text = " ".join((note or "").split()) or None
    if text and len(text) > MAX_NOTE:
        raise DomainError(ErrorCode.INVALID, "note", f"The note is at most {MAX_NOTE} characters")
    pair = await session.scalar(
        select(DuplicateCandidate)
        .where(DuplicateCandidate.id == candidate_id, principal.scope.clause(DuplicateCandidate))
        .with_for_update()
    )
    if pair is None:
        raise DomainError(ErrorCode.NOT_FOUND, "id", "No such candidate pair in your scope")
    if pair.status is not CandidateStatus.OPEN:
        raise DomainError(ErrorCode.INVALID_STATE, "id", "This pair has already been decided")
    later = await session.get(Member, pair.member_b_pk, with_for_update=True)
    earlier = await session.get(Member, pair.member_a_pk)
    assert later is not None
    assert earlier is not None
    ending = decision is CandidateStatus.DUPLICATE and later.status is not MemberStatus.EXITED
    if ending:  # a membership ends only square with its SHG, as at an exit
        await check_settled(session, later, "id")
    pair.status = decision
    pair.decided_by = principal.subject
    pair.decided_at = utc_now()
    pair.note = text
    if ending:
        reason = f"duplicate of member {masked_member_id(earlier.member_id)}"
        await end_duplicate_membership(session, later, today or date.today(), reason)
        await revoke_cards(session, later, "duplicate", principal.subject)
    elif decision is CandidateStatus.NOT_DUPLICATE and later.status is MemberStatus.PENDING:
        await session.flush()
        still_open = await session.scalar(
            select(
                exists().where(
                    DuplicateCandidate.member_b_pk == later.id,
                    DuplicateCandidate.status == CandidateStatus.OPEN,
                )
            )
        )
        if not still_open:
            later.status = MemberStatus.ACTIVE
    await record_audit(
        session,
        actor=principal.subject,
        action="match.decided",
        entity_type="duplicate_candidate",
        entity_id=pair.id,
        detail={
            "decision": decision.value,
            "member_a": pair.member_a_pk,
            "member_b": pair.member_b_pk,
            "member_b_status": later.status.value,
        },
    )
    await session.flush()
    return pair
