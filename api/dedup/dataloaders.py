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
    """Either side of a candidate pair, by member pk, within the caller's scope.

    The pair is in scope because its later member is; the earlier member may
    live anywhere (or have moved away since). Outside the caller's scope a
    side is null, as for any record that does not exist there: no name, SHG
    or mobile crosses a scope's edge, and a reviewer whose scope holds both
    sides (the district or state) compares them. The queue's types show
    identity numbers masked.
    """

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[int]
    ) -> list[PairMember | None]:
        rows = await session.execute(
            select(Member, Cbo.code)
            .join(Cbo, Cbo.id == Member.shg_id)
            .where(Member.id.in_(keys), scope.clause(Member))
        )
        found = {member.id: PairMember(member, code) for member, code in rows.all()}
        return [found.get(key) for key in keys]

    def missing(self, key: int) -> PairMember | None:
        return None
