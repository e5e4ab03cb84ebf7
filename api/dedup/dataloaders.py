"""Loaders of the review queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.dataloaders import ScopedLoader
from core.access import Scope
from hierarchy.models import Cbo, Member


@dataclass(frozen=True)
class PairMember:
    member: Member
    shg_code: str


class PairMemberByIdLoader(ScopedLoader[int, PairMember | None]):
    """Either side of a candidate pair, by member pk.

    The pair itself was found inside the caller's scope (its later member);
    the earlier member may live anywhere, and a reviewer must see her record
    to decide, so this loader does not narrow by scope. Only the queue's
    types use it, and they show identity numbers masked.
    """

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[PairMember | None]:
        rows = await session.execute(
            select(Member, Cbo.code).join(Cbo, Cbo.id == Member.shg_id).where(Member.id.in_(keys))
        )
        found = {member.id: PairMember(member, code) for member, code in rows.all()}
        return [found.get(key) for key in keys]

    def missing(self, key: int) -> PairMember | None:
        return None
