"""Per-request loaders for the hierarchy, named ``<Thing>By<Key>Loader``.

Every related object and nested page is fetched through these, so a nested
query (a block, its VOs, their SHGs, their member counts) runs a fixed number
of statements whatever the page sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.dataloaders import ScopedLoader, grouped
from api.pagination import PageArgs
from core.access import Scope
from hierarchy import listing
from hierarchy.listing import Page
from hierarchy.models import Cbo, CboKind, CboStatus, GeoUnit, Member, MemberStatus


class _RowByKeyLoader(ScopedLoader[Any, Any]):
    model: Any
    key_column: str

    async def fetch(self, session: AsyncSession, scope: Scope, keys: list[Any]) -> list[Any]:
        column = getattr(self.model, self.key_column)
        rows = await session.scalars(
            select(self.model).where(column.in_(set(keys)), scope.clause(self.model))
        )
        found = {getattr(row, self.key_column): row for row in rows}
        return [found.get(key) for key in keys]

    def missing(self, key: Any) -> Any:
        return None


class GeoUnitByIdLoader(_RowByKeyLoader):
    model, key_column = GeoUnit, "id"


class GeoUnitByCodeLoader(_RowByKeyLoader):
    model, key_column = GeoUnit, "code"


class CboByIdLoader(_RowByKeyLoader):
    model, key_column = Cbo, "id"


class CboByCodeLoader(_RowByKeyLoader):
    model, key_column = Cbo, "code"


class MemberByIdLoader(_RowByKeyLoader):
    model, key_column = Member, "id"


class MemberByMemberIdLoader(_RowByKeyLoader):
    model, key_column = Member, "member_id"


@dataclass(frozen=True)
class Under:
    """Rows under one unit: those whose ``column`` (``vo_id``, ``block_id``) equals ``unit_id``,
    optionally narrowed to a CBO kind and some statuses."""

    column: str
    unit_id: int
    kind: CboKind | None = None
    statuses: tuple[str, ...] | None = None
    page: PageArgs | None = None

    def group(self) -> Under:
        return replace(self, unit_id=0)


def _filters(model: Any, key: Under) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if key.kind is not None:
        filters.append(model.kind == key.kind)
    if key.statuses is not None:
        filters.append(model.status.in_(key.statuses))
    return filters


class _PageByUnitLoader(ScopedLoader[Under, Page[Any]]):
    model: Any

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[Under]
    ) -> list[Page[Any]]:
        pages: dict[Under, Page[Any]] = {}
        for group, members in grouped(keys, Under.group).items():
            assert group.page is not None
            found = await listing.pages_by(
                session,
                scope,
                self.model,
                group.column,
                [k.unit_id for k in members],
                first=group.page.first,
                after=group.page.after,
                filters=_filters(self.model, group),
            )
            pages.update({key: found[key.unit_id] for key in members})
        return [pages[key] for key in keys]

    def missing(self, key: Under) -> Page[Any]:
        return Page(rows=[], has_next=False)


class _CountByUnitLoader(ScopedLoader[Under, int]):
    model: Any

    async def fetch(self, session: AsyncSession, scope: Scope, keys: list[Under]) -> list[int]:
        counts: dict[Under, int] = {}
        for group, members in grouped(keys, Under.group).items():
            found = await listing.counts_by(
                session,
                scope,
                self.model,
                group.column,
                [k.unit_id for k in members],
                filters=_filters(self.model, group),
            )
            counts.update({key: found[key.unit_id] for key in members})
        return [counts[key] for key in keys]

    def missing(self, key: Under) -> int:
        return 0


class GeoUnitPageByParentLoader(_PageByUnitLoader):
    model = GeoUnit


class GeoUnitCountByParentLoader(_CountByUnitLoader):
    model = GeoUnit


class CboPageByUnitLoader(_PageByUnitLoader):
    model = Cbo


class CboCountByUnitLoader(_CountByUnitLoader):
    model = Cbo


class MemberPageByUnitLoader(_PageByUnitLoader):
    model = Member


class MemberCountByUnitLoader(_CountByUnitLoader):
    model = Member


# What the "simple counts" of a unit count: SHGs not closed, members active.
LIVE_CBO = (CboStatus.DRAFT.value, CboStatus.APPROVED.value)
ACTIVE_MEMBER = (MemberStatus.ACTIVE.value,)
