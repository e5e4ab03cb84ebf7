"""A member's consent to share eligibility facts with a named scheme, and its withdrawal.

Partner schemes may only learn a member's eligibility while her consent to
that scheme stands. Consent is never deleted: withdrawing stamps the row.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.database import utc_now
from core.errors import DomainError, ErrorCode
from hierarchy.lookup import member_by_member_id
from hierarchy.members import check_can_take_part
from hierarchy.models import Member
from identity.models import Consent

_SCHEME = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_WRITERS = (Role.ADMIN, Role.BOOKKEEPER)


def clean_scheme(scheme: str) -> str:
    code = scheme.strip().lower()
    if not _SCHEME.match(code):
        raise DomainError(
            ErrorCode.INVALID, "scheme", "A scheme code is 2 to 64 letters, digits or hyphens"
        )
    return code


async def _member(session: AsyncSession, principal: Principal, member_id: str) -> Member:
    member = await member_by_member_id(session, principal.scope, member_id)
    if member is None:
        raise DomainError(ErrorCode.NOT_FOUND, "memberId", "No member with this ID in your scope")
    return member


async def standing_consent(session: AsyncSession, member: Member, scheme: str) -> Consent | None:
    consent: Consent | None = await session.scalar(
        select(Consent).where(
            Consent.member_pk == member.id, Consent.scheme == scheme, Consent.withdrawn_at.is_(None)
        )
    )
    return consent


async def give_consent(
    session: AsyncSession, principal: Principal, member_id: str, scheme: str, purpose: str
) -> Consent:
    principal.require(*_WRITERS)
    code = clean_scheme(scheme)
    text = " ".join((purpose or "").split())
    if not text:
        raise DomainError(ErrorCode.REQUIRED, "purpose", "Say what the scheme will use it for")
    if len(text) > 256:
        raise DomainError(ErrorCode.INVALID, "purpose", "The purpose is at most 256 characters")
    member = await _member(session, principal, member_id)
    check_can_take_part(member, "memberId")
    if await standing_consent(session, member, code) is not None:
        raise DomainError(ErrorCode.INVALID_STATE, "scheme", "Her consent to this scheme stands")
    consent = Consent(
        member_pk=member.id,
        scheme=code,
        purpose=text,
        given_at=utc_now(),
        given_by=principal.subject,
    )
    session.add(consent)
    await session.flush()
    await record_audit(
        session,
        actor=principal.subject,
        action="consent.given",
        entity_type="member",
        entity_id=member.id,
        detail={"member_id": member.member_id, "scheme": code},
    )
    return consent


async def withdraw_consent(
    session: AsyncSession, principal: Principal, member_id: str, scheme: str
) -> Consent:
    principal.require(*_WRITERS)
    code = clean_scheme(scheme)
    member = await _member(session, principal, member_id)
    consent = await standing_consent(session, member, code)
    if consent is None:
        raise DomainError(
            ErrorCode.NOT_FOUND, "scheme", "She has no standing consent to this scheme"
        )
    consent.withdrawn_at = utc_now()
    consent.withdrawn_by = principal.subject
    await record_audit(
        session,
        actor=principal.subject,
        action="consent.withdrawn",
        entity_type="member",
        entity_id=member.id,
        detail={"member_id": member.member_id, "scheme": code},
    )
    await session.flush()
    return consent
