"""Query fields of identity."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from api.hierarchy.types import Info
from api.identity.types import IdCard
from core.database import transaction
from core.errors import DomainError
from identity.cards import issue_card


@strawberry.type
class IdentityQuery:
    @strawberry.field(
        description=(
            "Sign her ID card (admins and bookkeepers); null outside your scope. Each call "
            "issues a new card (recorded and audited), valid until `expiresAt`."
        )
    )
    async def id_card(self, info: Info, member_id: str) -> IdCard | None:
        context = info.context
        try:
            async with transaction(context.sessions) as session:
                issued = await issue_card(
                    session, context.principal, context.services.cards, member_id
                )
        except DomainError:
            return None
        return IdCard(
            token=issued.token,
            member_id=issued.claims["sub"],
            issued_at=datetime.fromtimestamp(issued.claims["iat"], UTC),
            expires_at=datetime.fromtimestamp(issued.claims["exp"], UTC),
        )
