"""The Relay ``Node`` interface and global ids.

A global id is the opaque encoding of ``TypeName:pk``. ``node(id)`` finds the
type's fetcher in :data:`NODE_FETCHERS` (each domain's API registers its own),
and fetchers apply the caller's scope, so an id from outside it answers null,
exactly as an id that never existed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from api.context import Context


@strawberry.interface(description="An object with a global id, refetchable with `node(id)`.")
class Node:
    id: strawberry.ID


NodeFetcher = Callable[[Context, int], Awaitable[Any]]
NODE_FETCHERS: dict[str, NodeFetcher] = {}


def global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


def parse_global_id(value: str) -> tuple[str, int] | None:
    try:
        text = base64.urlsafe_b64decode(value.encode()).decode()
        type_name, _, pk = text.partition(":")
        number = int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    # Keys are positive 64-bit integers; anything else names nothing.
    return (type_name, number) if 0 < number < 2**63 else None


async def resolve_node(context: Context, value: str) -> Any:
    parsed = parse_global_id(value)
    if parsed is None:
        return None
    fetch = NODE_FETCHERS.get(parsed[0])
    return None if fetch is None else await fetch(context, parsed[1])
