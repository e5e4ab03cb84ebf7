"""Adding units to the geography (new villages, new gram panchayats, ...).

Geo units are normally loaded from LGD; states' admins add the units LGD
creates later. A unit carries the ids of all its ancestors and itself.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.errors import DomainError, ErrorCode
from hierarchy.codes import geo_code
from hierarchy.fields import clean_name
from hierarchy.lookup import geo_unit_by_code
from hierarchy.models import GEO_COLUMNS, GeoLevel, GeoUnit


def geo_unit_row(level: GeoLevel, lgd_code: int, name: str, parent: GeoUnit | None) -> GeoUnit:
    """A new unit under ``parent`` with its ancestor ids copied down (its own id comes on flush)."""
    unit = GeoUnit(level=level, code=geo_code(level, lgd_code), lgd_code=lgd_code, name=name)
    if parent is not None:
        unit.parent_id = parent.id
        for column in GEO_COLUMNS:
            setattr(unit, column, getattr(parent, column))
    return unit


async def create_geo_unit(
    session: AsyncSession,
    principal: Principal,
    *,
    level: GeoLevel,
    lgd_code: int,
    name: str,
    parent_code: str | None,
) -> GeoUnit:
    principal.require(Role.ADMIN)
    clean = clean_name(name, "name")
    assert clean is not None
    if lgd_code <= 0:
        raise DomainError(ErrorCode.INVALID, "lgdCode", "LGD codes are positive numbers")
    parent: GeoUnit | None = None
    if level.parent is None:
        if not principal.scope.is_national:
            raise DomainError(ErrorCode.FORBIDDEN, "level", "Only national admins add states")
        if parent_code:
            raise DomainError(ErrorCode.INVALID, "parentCode", "A state has no parent")
    else:
        if not parent_code:
            raise DomainError(ErrorCode.REQUIRED, "parentCode", "This level needs a parent unit")
        parent = await geo_unit_by_code(session, principal.scope, parent_code, level.parent)
        if parent is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                "parentCode",
                f"No {level.parent.value.replace('_', ' ')} with this code in your scope",
            )
    code = geo_code(level, lgd_code)
    if await session.scalar(select(GeoUnit.id).where(GeoUnit.code == code)) is not None:
        raise DomainError(
            ErrorCode.DUPLICATE, "lgdCode", f"A {level.value} with code {code} exists"
        )
    unit = geo_unit_row(level, lgd_code, clean, parent)
    session.add(unit)
    await session.flush()
    setattr(unit, level.column, unit.id)
    await record_audit(
        session,
        actor=principal.subject,
        action="geo_unit.created",
        entity_type="geo_unit",
        entity_id=unit.id,
        detail={"code": unit.code},
    )
    await session.flush()
    return unit
