"""The base of every per-request loader: batching, scoping and grouping.

A loader answers many ``load(key)`` calls made in one tick with one batch, run
on its own short session and inside the caller's read scope; a caller who may
not read the registers gets the empty answer for every key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.context import Context
from core.access import Scope

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
G = TypeVar("G", bound=Hashable)


class ScopedLoader(DataLoader[K, V], Generic[K, V]):
    def __init__(self, context: Context) -> None:
        self.context = context
        super().__init__(load_fn=self._batch)

    async def _batch(self, keys: list[K]) -> list[V]:
        scope = self.context.read_scope
        if scope is None:
            return [self.missing(key) for key in keys]

        async def run(session: AsyncSession) -> list[V]:
            return await self.fetch(session, scope, keys)

        return await self.context.read(run)

    async def load_fresh(self, key: K) -> V:
        """Load ``key`` again, past the cache (after a write changed it)."""
        if self.cache_map.get(key) is not None:
            self.clear(key)
        return await self.load(key)

    async def fetch(self, session: AsyncSession, scope: Scope, keys: list[K]) -> list[V]:
        raise NotImplementedError

    def missing(self, key: K) -> V:
        """The answer for a key the caller may not see."""
        raise NotImplementedError


def grouped(keys: Iterable[K], by: Callable[[K], G]) -> dict[G, list[K]]:
    """Keys that can share one statement, grouped (same page size, same filter, ...)."""
    groups: dict[G, list[K]] = defaultdict(list)
    for key in keys:
        groups[by(key)].append(key)
    return groups
