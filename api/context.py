"""The per-request context: who is asking, how to reach the database, and the loaders.

Loaders are made per request (their caches must not outlive it, nor leak one
caller's view to another) and carry the caller's scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access import Principal, Scope
from core.settings import Settings
from dedup.online import Matcher
from identity.cards import CardSigner
from identity.tokens import Keyring

Result = TypeVar("Result")
LoaderT = TypeVar("LoaderT")


@dataclass(frozen=True)
class Services:
    """What every request shares: configuration, the database, identity keys, the match model."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    keyring: Keyring
    cards: CardSigner
    matcher: Matcher


@dataclass
class Context:
    principal: Principal
    services: Services
    _loaders: dict[object, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.services.sessions

    @property
    def read_scope(self) -> Scope | None:
        return self.principal.read_scope

    async def read(self, work: Callable[[AsyncSession], Awaitable[Result]]) -> Result:
        """Run a read on a short-lived session of its own.

        Loaders' batches run concurrently, and one session cannot serve two
        statements at once; a session per batch also means a mutation's
        payload always reads what the mutation committed.
        """
        async with self.sessions() as session:
            return await work(session)

    def loader(self, kind: Callable[[Context], LoaderT]) -> LoaderT:
        """The request's one instance of a loader class, made on first use."""
        existing: LoaderT | None = self._loaders.get(kind)
        if existing is None:
            existing = kind(self)
            self._loaders[kind] = existing
        return existing
