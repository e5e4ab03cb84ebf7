"""Query fields of the hierarchy: ``me``, ``geoUnit``, ``states``, the CBO lists, ``members``.

Top-level lists page over everything in the caller's scope; ``within`` narrows
them to the subtree of one unit (a geo unit or a CBO, by code) that the caller
can see.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement

from api.context import Context
from api.hierarchy.dataloaders import (
    CboByCodeLoader,
    CboByIdLoader,
    GeoUnitByCodeLoader,
    GeoUnitByIdLoader,
    MemberByIdLoader,
    MemberByMemberIdLoader,
)
from api.hierarchy.types import (
    After,
    Clf,
    First,
    GeoUnit,
    Info,
    Member,
    Shg,
    VillageOrganisation,
    cbo_type,
    cbo_type_name,
)
from api.node import NODE_FETCHERS, Node, resolve_node
from api.pagination import Connection, PageArgs, empty_connection, scoped_connection
from core.access import Role, Scope
from hierarchy import models
from hierarchy.codes import normalise_code

strawberry.enum(Role)

Within = Annotated[
    str | None,
    strawberry.argument(description="Only rows in the subtree of this geo unit or CBO (by code)."),
]


@strawberry.type(description="The caller, as the token names them.")
class Me:
    subject: str
    role: Role
    scope: str | None = strawberry.field(
        description="The code of the unit you work in; null when national."
    )


async def _within(info: Info, code: str | None) -> Scope | None:
    """The narrowing scope ``within`` names, or ``None`` when it names nothing the caller sees."""
    if code is None:
        return Scope()
    code = normalise_code(code)
    unit = await info.context.loader(GeoUnitByCodeLoader).load(code)
    if unit is not None:
        return Scope(column=unit.level.column, unit_id=unit.id, code=unit.code)
    cbo = await info.context.loader(CboByCodeLoader).load(code)
    if cbo is not None:
        return Scope(column=cbo.kind.column, unit_id=cbo.id, code=cbo.code)
    return None


async def _list(
    info: Info,
    model: Any,
    to_node: Any,
    first: int | None,
    after: str | None,
    within: str | None,
    filters: list[ColumnElement[bool]],
) -> Connection[Any]:
    context: Context = info.context
    args = PageArgs.of(context, first, after)
    scope = context.read_scope
    narrow = await _within(info, within)
    if scope is None or narrow is None:
        return empty_connection()
    everything = [narrow.clause(model), *filters]
    return await scoped_connection(context, scope, model, args, everything, to_node)


def _cbo_filters(
    kind: models.CboKind, status: models.CboStatus | None
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [models.Cbo.kind == kind]
    if status is not None:
        filters.append(models.Cbo.status == status)
    return filters


@strawberry.type
class HierarchyQuery:
    @strawberry.field(description="Who you are, as this API sees you.")
    def me(self, info: Info) -> Me:
        principal = info.context.principal
        return Me(subject=principal.subject, role=principal.role, scope=principal.scope.code)

    @strawberry.field(
        description="Any object by its global id; null when unknown or outside your scope."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        result: Node | None = await resolve_node(info.context, id)
        return result

    @strawberry.field(description="A geo unit of any level by its code; null outside your scope.")
    async def geo_unit(self, info: Info, code: str) -> GeoUnit | None:
        row = await info.context.loader(GeoUnitByCodeLoader).load(normalise_code(code))
        return None if row is None else GeoUnit.from_row(row)

    @strawberry.field(description="The states you can see (all of them for national callers).")
    async def states(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[GeoUnit]:
        level = [models.GeoUnit.level == models.GeoLevel.STATE]
        return await _list(info, models.GeoUnit, GeoUnit.from_row, first, after, None, level)

    @strawberry.field(description="CLFs in your scope.")
    async def clfs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        within: Within = None,
        status: models.CboStatus | None = None,
    ) -> Connection[Clf]:
        filters = _cbo_filters(models.CboKind.CLF, status)
        return await _list(info, models.Cbo, cbo_type, first, after, within, filters)

    @strawberry.field(description="VOs in your scope.")
    async def vos(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        within: Within = None,
        status: models.CboStatus | None = None,
    ) -> Connection[VillageOrganisation]:
        filters = _cbo_filters(models.CboKind.VO, status)
        return await _list(info, models.Cbo, cbo_type, first, after, within, filters)

    @strawberry.field(description="SHGs in your scope.")
    async def shgs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        within: Within = None,
        status: models.CboStatus | None = None,
    ) -> Connection[Shg]:
        filters = _cbo_filters(models.CboKind.SHG, status)
        return await _list(info, models.Cbo, cbo_type, first, after, within, filters)

    @strawberry.field(description="An SHG by its code; null when unknown or outside your scope.")
    async def shg(self, info: Info, code: str) -> Shg | None:
        row = await info.context.loader(CboByCodeLoader).load(normalise_code(code))
        if row is None or row.kind is not models.CboKind.SHG:
            return None
        result: Shg = cbo_type(row)
        return result

    @strawberry.field(description="Members in your scope.")
    async def members(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        within: Within = None,
        status: models.MemberStatus | None = None,
    ) -> Connection[Member]:
        filters: list[ColumnElement[bool]] = []
        if status is not None:
            filters.append(models.Member.status == status)
        return await _list(info, models.Member, Member.from_row, first, after, within, filters)

    @strawberry.field(description="A member by her digital member ID; null outside your scope.")
    async def member(self, info: Info, member_id: str) -> Member | None:
        row = await info.context.loader(MemberByMemberIdLoader).load(member_id.strip())
        return None if row is None else Member.from_row(row)


async def _geo_node(context: Context, pk: int) -> GeoUnit | None:
    row = await context.loader(GeoUnitByIdLoader).load(pk)
    return None if row is None else GeoUnit.from_row(row)


def _cbo_node(type_name: str) -> Any:
    async def fetch(context: Context, pk: int) -> Any:
        row = await context.loader(CboByIdLoader).load(pk)
        if row is None or cbo_type_name(row) != type_name:
            return None
        return cbo_type(row)

    return fetch


async def _member_node(context: Context, pk: int) -> Member | None:
    row = await context.loader(MemberByIdLoader).load(pk)
    return None if row is None else Member.from_row(row)


NODE_FETCHERS.update(
    {
        "GeoUnit": _geo_node,
        "Clf": _cbo_node("Clf"),
        "VillageOrganisation": _cbo_node("VillageOrganisation"),
        "Shg": _cbo_node("Shg"),
        "Member": _member_node,
    }
)
