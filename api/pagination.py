"""Relay connections with keyset cursors and capped page sizes.

A cursor is the opaque encoding of the last row's id; the next page is the
rows with a larger id (``WHERE id > :after ORDER BY id``), which an index on
``(scope column, id)`` answers at the same cost on page 1 and page 10,000.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from api.context import Context
from api.errors import argument_error
from core.access import Scope
from hierarchy import listing
from hierarchy.listing import Page

NodeT = TypeVar("NodeT")
_PREFIX = "k:"


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(cursor)
        row_id = int(text[len(_PREFIX) :])
        if not 0 <= row_id < 2**63:
            raise ValueError(cursor)
        return row_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise argument_error("after", "The 'after' cursor is not one this API issued") from exc


@dataclass(frozen=True)
class PageArgs:
    """Validated ``first``/``after`` arguments, hashable so loaders can group by them."""

    first: int
    after: int | None

    @classmethod
    def of(cls, context: Context, first: int | None, after: str | None) -> PageArgs:
        limit = context.settings.max_page_size
        size = context.settings.default_page_size if first is None else first
        if not 0 <= size <= limit:
            raise argument_error("first", f"'first' must be between 0 and {limit}")
        return cls(first=size, after=decode_cursor(after))


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    """A page of results; ``totalCount`` counts every match visible to the caller."""

    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="All matching rows the caller may see, across every page.")
    async def total_count(self) -> int:
        return await self.count()


def connection(
    page: Page[Any],
    args: PageArgs,
    to_node: Callable[[Any], NodeT],
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    rows: Sequence[Any] = page.rows
    edges = [Edge(cursor=encode_cursor(row.id), node=to_node(row)) for row in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=args.after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )


async def no_rows() -> int:
    return 0


def empty_connection() -> Connection[Any]:
    info = PageInfo(
        has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
    )
    return Connection(edges=[], page_info=info, count=no_rows)


async def scoped_connection(
    context: Context,
    scope: Scope,
    model: Any,
    args: PageArgs,
    filters: list[ColumnElement[bool]],
    to_node: Callable[[Any], NodeT],
) -> Connection[NodeT]:
    """A top-level list: one keyset page of ``model`` rows inside ``scope`` that match ``filters``,
    with ``totalCount`` counted only when asked for."""

    async def fetch(session: AsyncSession) -> Page[Any]:
        return await listing.page(
            session, scope, model, first=args.first, after=args.after, filters=filters
        )

    async def count() -> int:
        async def run(session: AsyncSession) -> int:
            return await listing.count(session, scope, model, filters)

        return await context.read(run)

    return connection(await context.read(fetch), args, to_node, count)
