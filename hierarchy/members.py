"""A member's profile and place: the checks and row-building that enrolment and demo data share.

Enrolment itself, with identity numbers, lives in :mod:`identity.enrolment`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal
from core.errors import DomainError, ErrorCode, Refusals
from hierarchy.cbos import check_transacting
from hierarchy.fields import (
    check_birth,
    check_not_future,
    clean_mobile,
    clean_name,
)
from hierarchy.lookup import cbo_by_code
from hierarchy.models import (
    GEO_COLUMNS,
    Cbo,
    CboKind,
    Gender,
    Member,
    MemberStatus,
    Relation,
    SocialCategory,
)
from identity.member_id import new_member_id

_ID_ATTEMPTS = 10


@dataclass(frozen=True)
class MemberProfile:
    """What is asked of a new member; the interchange CSV's columns without the identity numbers."""

    name: str
    gender: Gender
    relative_name: str | None = None
    relation: Relation | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    mobile: str | None = None
    social_category: SocialCategory | None = None
    joined_on: date | None = None


def member_row(
    shg: Cbo, member_id: str, profile: MemberProfile, joined_on: date, created_by: str
) -> Member:
    """A member of ``shg`` with all her ancestor ids copied from the SHG."""
    member = Member(
        member_id=member_id,
        name=profile.name,
        relative_name=profile.relative_name,
        relation=profile.relation,
        gender=profile.gender,
        birth_date=profile.birth_date,
        birth_year=profile.birth_year
        if profile.birth_year
        else (profile.birth_date.year if profile.birth_date else None),
        mobile=profile.mobile,
        social_category=profile.social_category,
        status=MemberStatus.ACTIVE,
        joined_on=joined_on,
        created_by=created_by,
    )
    place_member(member, shg)
    return member


async def unused_member_id(session: AsyncSession) -> str:
    for _ in range(_ID_ATTEMPTS):
        candidate = new_member_id()
        if await session.scalar(select(Member.id).where(Member.member_id == candidate)) is None:
            return candidate
    raise RuntimeError("could not draw an unused member ID")


def clean_profile(profile: MemberProfile, today: date) -> MemberProfile:
    """The profile cleaned, or every field's refusal at once (:class:`InputErrors`)."""
    refusals = Refusals()
    name = refusals.check(clean_name, profile.name, "name")
    relative_name = refusals.check(
        clean_name, profile.relative_name, "relativeName", required=False
    )
    if relative_name and profile.relation is None:
        refusals.add(DomainError(ErrorCode.REQUIRED, "relation", "Say how the relative is related"))
    refusals.check(check_birth, profile.birth_date, profile.birth_year, today)
    if profile.joined_on is not None:
        refusals.check(check_not_future, profile.joined_on, "joinedOn", today)
    mobile = refusals.check(clean_mobile, profile.mobile)
    refusals.raise_any()
    assert name is not None
    return MemberProfile(
        name=name,
        gender=profile.gender,
        relative_name=relative_name,
        relation=profile.relation if relative_name else None,
        birth_date=profile.birth_date,
        birth_year=profile.birth_year,
        mobile=mobile,
        social_category=profile.social_category,
        joined_on=profile.joined_on,
    )


async def shg_to_join(
    session: AsyncSession, principal: Principal, shg_code: str, field: str
) -> Cbo:
    """An SHG in the caller's scope that can take members (approved, not closed)."""
    shg = await cbo_by_code(session, principal.scope, shg_code, CboKind.SHG, for_update=True)
    if shg is None:
        raise DomainError(ErrorCode.NOT_FOUND, field, "No SHG with this code in your scope")
    check_transacting(shg, field)
    return shg


def check_can_take_part(member: Member, field: str) -> None:
    """Refuse a member who is not active, saying why: held for a duplicate review
    (PENDING_REVIEW: a reviewer will clear her), or gone from her SHG."""
    if member.status is MemberStatus.PENDING:
        raise DomainError(
            ErrorCode.PENDING_REVIEW,
            field,
            "This member is held for a duplicate review; she can take part once a reviewer "
            "clears her",
        )
    if member.status is not MemberStatus.ACTIVE:
        raise DomainError(ErrorCode.INVALID_STATE, field, "This member has left the SHG")


def place_member(member: Member, shg: Cbo) -> None:
    """Put a member in ``shg``: her SHG and every ancestor id come from it."""
    member.shg_id = shg.id
    member.vo_id = shg.vo_id
    member.clf_id = shg.clf_id
    for column in GEO_COLUMNS:
        setattr(member, column, getattr(shg, column))
