"""The formation lifecycle of CLFs, VOs and SHGs: draft, approved, closed.

A bookkeeper or admin creates a CBO as a draft; an approver (or admin) who is
not its creator approves it; an admin or approver closes it once nothing
active hangs below it and its books are square (a check the ledger owns, which
sits above this package, so the caller hands it in: :data:`BooksSquare`). The
row keeps who did each step; the audit log keeps the history.

Only an approved CBO transacts: a draft (never approved) or a closed one
takes no members and keeps no books (:func:`check_transacting`, called by
every write that enrols into an SHG or records, approves or reverses a voucher).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.database import utc_now
from core.errors import DomainError, ErrorCode
from hierarchy.codes import new_cbo_code
from hierarchy.fields import check_not_future, clean_name
from hierarchy.lookup import cbo_by_code, geo_unit_by_code
from hierarchy.models import (
    CBO_GEO_LEVEL,
    CBO_PARENT_KIND,
    GEO_COLUMNS,
    Cbo,
    CboKind,
    CboStatus,
    GeoUnit,
    MeetingFrequency,
    Member,
    MemberStatus,
)

# The input field that names each kind's place and parent, for error messages.
GEO_FIELD = {CboKind.CLF: "blockCode", CboKind.VO: "gramPanchayatCode", CboKind.SHG: "villageCode"}
PARENT_FIELD = {CboKind.VO: "clfCode", CboKind.SHG: "voCode"}
_CREATORS = (Role.ADMIN, Role.BOOKKEEPER)
_APPROVERS = (Role.ADMIN, Role.APPROVER)
_CODE_ATTEMPTS = 5

# Refuses, naming the field it is given, a CBO whose books still hold money, an open
# loan or a draft (ledger.settlement.check_books_square): closing cannot be called without one.
BooksSquare = Callable[[AsyncSession, Cbo, str], Awaitable[None]]


@dataclass(frozen=True)
class NewCbo:
    kind: CboKind
    name: str
    place_code: str
    formed_on: date
    parent_code: str | None = None
    meeting_frequency: MeetingFrequency = MeetingFrequency.WEEKLY  # an SHG's agreed rhythm


def cbo_row(
    kind: CboKind,
    code: str,
    name: str,
    formed_on: date,
    place: GeoUnit,
    parent: Cbo | None,
    created_by: str,
    status: CboStatus = CboStatus.DRAFT,
) -> Cbo:
    """A new CBO with its geo and CBO ancestor ids filled in (its own id comes on flush)."""
    cbo = Cbo(
        kind=kind,
        code=code,
        name=name,
        formed_on=formed_on,
        status=status,
        geo_unit_id=place.id,
        created_by=created_by,
    )
    for column in GEO_COLUMNS:
        setattr(cbo, column, getattr(place, column))
    if parent is not None:
        cbo.parent_id = parent.id
        cbo.clf_id = parent.clf_id
        cbo.vo_id = parent.vo_id
    return cbo


def check_transacting(cbo: Cbo, field: str) -> None:
    """Refuse, naming ``field``, a write into a CBO that is not approved (a draft or closed)."""
    what = cbo.kind.value.upper()
    if cbo.status is CboStatus.DRAFT:
        raise DomainError(
            ErrorCode.INVALID_STATE, field, f"This {what} is not approved yet: it cannot transact"
        )
    if cbo.status is CboStatus.CLOSED:
        raise DomainError(ErrorCode.INVALID_STATE, field, f"This {what} is closed")


async def _parent_of(
    session: AsyncSession, principal: Principal, new: NewCbo, place: GeoUnit
) -> Cbo | None:
    parent_kind = CBO_PARENT_KIND.get(new.kind)
    if parent_kind is None or not new.parent_code:
        return None
    field = PARENT_FIELD[new.kind]
    parent = await cbo_by_code(
        session, principal.scope, new.parent_code, parent_kind, for_update=True
    )
    if parent is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            field,
            f"No {parent_kind.value.upper()} with this code in your scope",
        )
    if parent.status is CboStatus.CLOSED:
        raise DomainError(
            ErrorCode.INVALID_STATE, field, f"This {parent_kind.value.upper()} is closed"
        )
    # A VO federates into the CLF of its own block; an SHG into the VO of its own GP.
    shared = CBO_GEO_LEVEL[parent_kind].column
    if getattr(place, shared) != getattr(parent, shared):
        raise DomainError(
            ErrorCode.OUTSIDE_PARENT,
            field,
            f"This {parent_kind.value.upper()} serves another "
            f"{CBO_GEO_LEVEL[parent_kind].value.replace('_', ' ')}",
        )
    return parent


async def _unused_code(session: AsyncSession, kind: CboKind) -> str:
    for _ in range(_CODE_ATTEMPTS):
        code = new_cbo_code(kind)
        if await session.scalar(select(Cbo.id).where(Cbo.code == code)) is None:
            return code
    raise RuntimeError("could not draw an unused CBO code")  # 32^8 codes: practically never


async def create_cbo(
    session: AsyncSession, principal: Principal, new: NewCbo, *, today: date | None = None
) -> Cbo:
    principal.require(*_CREATORS)
    today = today or date.today()
    name = clean_name(new.name, "name")
    assert name is not None
    check_not_future(new.formed_on, "formedOn", today)
    level = CBO_GEO_LEVEL[new.kind]
    place = await geo_unit_by_code(session, principal.scope, new.place_code, level)
    if place is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            GEO_FIELD[new.kind],
            f"No {level.value.replace('_', ' ')} with this code in your scope",
        )
    parent = await _parent_of(session, principal, new, place)
    cbo = cbo_row(
        new.kind,
        await _unused_code(session, new.kind),
        name,
        new.formed_on,
        place,
        parent,
        principal.subject,
    )
    cbo.meeting_frequency = new.meeting_frequency
    session.add(cbo)
    await session.flush()
    setattr(cbo, new.kind.column, cbo.id)
    await record_audit(
        session,
        actor=principal.subject,
        action="cbo.created",
        entity_type="cbo",
        entity_id=cbo.id,
        detail={"code": cbo.code, "kind": cbo.kind.value},
    )
    await session.flush()
    return cbo


async def _cbo_for_change(session: AsyncSession, principal: Principal, code: str) -> Cbo:
    cbo = await cbo_by_code(session, principal.scope, code, for_update=True)
    if cbo is None:
        raise DomainError(ErrorCode.NOT_FOUND, "code", "No CBO with this code in your scope")
    return cbo


async def approve_cbo(session: AsyncSession, principal: Principal, code: str) -> Cbo:
    """Maker–checker: the approver must be someone other than the creator."""
    principal.require(*_APPROVERS)
    cbo = await _cbo_for_change(session, principal, code)
    if cbo.status is not CboStatus.DRAFT:
        raise DomainError(
            ErrorCode.INVALID_STATE, "code", f"Only drafts are approved; this is {cbo.status.value}"
        )
    if cbo.created_by == principal.subject:
        raise DomainError(
            ErrorCode.SELF_APPROVAL, "code", "A CBO is approved by someone other than its creator"
        )
    cbo.status = CboStatus.APPROVED
    cbo.approved_by = principal.subject
    cbo.approved_at = utc_now()
    await record_audit(
        session,
        actor=principal.subject,
        action="cbo.approved",
        entity_type="cbo",
        entity_id=cbo.id,
        detail={"code": cbo.code},
    )
    await session.flush()
    return cbo


async def _has_active_children(session: AsyncSession, cbo: Cbo) -> bool:
    if cbo.kind is CboKind.SHG:
        below = exists().where(Member.shg_id == cbo.id, Member.status == MemberStatus.ACTIVE)
    else:
        below = exists().where(Cbo.parent_id == cbo.id, Cbo.status != CboStatus.CLOSED)
    return bool(await session.scalar(select(below)))


async def close_cbo(
    session: AsyncSession,
    principal: Principal,
    code: str,
    reason: str,
    *,
    books_square: BooksSquare,
) -> Cbo:
    """Close a CBO with nothing active below it and nothing left in its books.

    Its row stays locked from the checks to the close: a voucher recorded or reversed
    meanwhile takes the row's shared lock first, so it waits, then finds the CBO closed."""
    principal.require(*_APPROVERS)
    cbo = await _cbo_for_change(session, principal, code)
    text = " ".join((reason or "").split())
    if not text:
        raise DomainError(ErrorCode.REQUIRED, "reason", "Say why the CBO is closed")
    if len(text) > 256:
        raise DomainError(ErrorCode.INVALID, "reason", "The reason is at most 256 characters")
    if cbo.status is CboStatus.CLOSED:
        raise DomainError(ErrorCode.INVALID_STATE, "code", "This CBO is already closed")
    if await _has_active_children(session, cbo):
        raise DomainError(
            ErrorCode.HAS_ACTIVE_CHILDREN,
            "code",
            "Close or move what is active below this CBO first",
        )
    await books_square(session, cbo, "code")
    cbo.status = CboStatus.CLOSED
    cbo.closed_by = principal.subject
    cbo.closed_at = utc_now()
    cbo.closed_reason = text
    await record_audit(
        session,
        actor=principal.subject,
        action="cbo.closed",
        entity_type="cbo",
        entity_id=cbo.id,
        detail={"code": cbo.code},
    )
    await session.flush()
    return cbo


async def set_meeting_frequency(
    session: AsyncSession, principal: Principal, code: str, frequency: MeetingFrequency
) -> Cbo:
    """Record how often an SHG has agreed to meet (its grading judges its meetings by it).

    A checker's step, not the bookkeeper's: the rhythm a group is graded
    against is not set by whoever records its meetings.
    """
    principal.require(*_APPROVERS)
    cbo = await cbo_by_code(session, principal.scope, code, CboKind.SHG, for_update=True)
    if cbo is None:
        raise DomainError(ErrorCode.NOT_FOUND, "shgCode", "No SHG with this code in your scope")
    if cbo.status is CboStatus.CLOSED:
        raise DomainError(ErrorCode.INVALID_STATE, "shgCode", "This SHG is closed")
    was = cbo.meeting_frequency
    cbo.meeting_frequency = frequency
    await record_audit(
        session,
        actor=principal.subject,
        action="cbo.meeting_frequency_set",
        entity_type="cbo",
        entity_id=cbo.id,
        detail={"code": cbo.code, "from": was.value, "to": frequency.value},
    )
    await session.flush()
    return cbo
