"""Scoped lists and counts: keyset pages, and the batched forms the API's loaders use.

Lists are ordered by id and paged by keyset (``id > after``) on the
``(ancestor, ..., id)`` indexes, never by OFFSET, so page 10,000 costs what
page 1 costs. The batched forms fetch the first page of many parents in one
statement (a window function numbers rows within each parent), so a nested
query runs a fixed number of statements however many parents it opens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Scope

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    has_next: bool


def _page_of(rows: Sequence[Row], first: int) -> Page[Row]:
    return Page(rows=list(rows[:first]), has_next=len(rows) > first)


async def page(
    session: AsyncSession,
    scope: Scope,
    model: type[Row],
    *,
    first: int,
    after: int | None,
    filters: Iterable[ColumnElement[bool]] = (),
) -> Page[Row]:
    """One page of ``model`` rows inside ``scope``, after the row with id ``after``."""
    ident: Any = model.id  # type: ignore[attr-defined]  # every table's key is `id`
    query: Select[Any] = select(model).where(scope.clause(model), *filters)
    if after is not None:
        query = query.where(ident > after)
    rows = (await session.scalars(query.order_by(ident).limit(first + 1))).all()
    return _page_of(rows, first)


async def pages_by(
    session: AsyncSession,
    scope: Scope,
    model: type[Row],
    column: str,
    keys: Iterable[int],
    *,
    first: int,
    after: int | None,
    filters: Iterable[ColumnElement[bool]] = (),
) -> dict[int, Page[Row]]:
    """The first page of rows under each of many parents, in one statement.

    ``column`` is the parent's column on ``model`` (``vo_id`` for the SHGs of
    VOs, ``block_id`` for the VOs of blocks).
    """
    ident: Any = model.id  # type: ignore[attr-defined]  # every table's key is `id`
    parent: Any = getattr(model, column)
    keys = list(keys)
    number = func.row_number().over(partition_by=parent, order_by=ident).label("number")
    inner = select(ident.label("row_id"), parent.label("parent"), number).where(
        parent.in_(keys), scope.clause(model), *filters
    )
    if after is not None:
        inner = inner.where(ident > after)
    numbered = inner.subquery()
    query = (
        select(model, numbered.c.parent)
        .join(numbered, numbered.c.row_id == ident)
        .where(numbered.c.number <= first + 1)
        .order_by(numbered.c.parent, ident)
    )
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row, key in (await session.execute(query)).all():
        grouped[key].append(row)
    return {key: _page_of(grouped.get(key, []), first) for key in keys}


async def counts_by(
    session: AsyncSession,
    scope: Scope,
    model: type[Any],
    column: str,
    keys: Iterable[int],
    filters: Iterable[ColumnElement[bool]] = (),
) -> dict[int, int]:
    """How many ``model`` rows lie under each of many units, in one statement."""
    keys = list(keys)
    group: Any = getattr(model, column)
    query = (
        select(group, func.count())
        .where(group.in_(keys), scope.clause(model), *filters)
        .group_by(group)
    )
    found = {group_key: total for group_key, total in (await session.execute(query)).all()}
    return {key: int(found.get(key, 0)) for key in keys}


async def count(
    session: AsyncSession,
    scope: Scope,
    model: type[Any],
    filters: Iterable[ColumnElement[bool]] = (),
) -> int:
    total = await session.scalar(
        select(func.count()).select_from(model).where(scope.clause(model), *filters)
    )
    return int(total or 0)
