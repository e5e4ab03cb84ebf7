"""Scoped reads of single records by code, shared by the services and the API.

Everything here takes the caller's scope: a unit outside it is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Scope
from hierarchy.codes import normalise_code
from hierarchy.models import Cbo, CboKind, GeoLevel, GeoUnit, Member


async def geo_unit_by_code(
    session: AsyncSession, scope: Scope, code: str, level: GeoLevel | None = None
) -> GeoUnit | None:
    query = select(GeoUnit).where(GeoUnit.code == normalise_code(code), scope.clause(GeoUnit))
    if level is not None:
        query = query.where(GeoUnit.level == level)
    unit: GeoUnit | None = await session.scalar(query)
    return unit


async def cbo_by_code(
    session: AsyncSession,
    scope: Scope,
    code: str,
    kind: CboKind | None = None,
    *,
    for_update: bool = False,
    for_share: bool = False,
) -> Cbo | None:
    """``for_update`` locks the row (PostgreSQL) for a write that depends on its status:
    closing, approving, joining or federating into a CBO then happen one at a time.
    ``for_share`` lets writes that only add to the CBO (vouchers) run side by side while
    still waiting for, and being seen by, one that holds ``for_update`` (a cut-off)."""
    query = select(Cbo).where(Cbo.code == normalise_code(code), scope.clause(Cbo))
    if kind is not None:
        query = query.where(Cbo.kind == kind)
    if for_update:
        query = query.with_for_update()
    elif for_share:
        query = query.with_for_update(read=True)
    cbo: Cbo | None = await session.scalar(query)
    return cbo


async def member_by_member_id(
    session: AsyncSession, scope: Scope, member_id: str, *, for_update: bool = False
) -> Member | None:
    query = select(Member).where(Member.member_id == member_id.strip(), scope.clause(Member))
    if for_update:
        query = query.with_for_update()
    member: Member | None = await session.scalar(query)
    return member


async def scope_of_code(session: AsyncSession, code: str) -> Scope | None:
    """The scope a token's ``scope`` claim names: a geo unit or a CBO, found by its code."""
    everywhere = Scope()
    unit = await geo_unit_by_code(session, everywhere, code)
    if unit is not None:
        return Scope(column=unit.level.column, unit_id=unit.id, code=unit.code)
    cbo = await cbo_by_code(session, everywhere, code)
    if cbo is not None:
        return Scope(column=cbo.kind.column, unit_id=cbo.id, code=cbo.code)
    return None
