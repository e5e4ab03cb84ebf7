"""GraphQL types of identity: verdicts, consents, ID cards."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Private

from dedup.verdict import Verdict
from identity import models

strawberry.enum(Verdict, name="DedupVerdict", description=Verdict.__doc__)


@strawberry.type(description="A member's consent to share eligibility facts with one scheme.")
class Consent:
    scheme: str
    purpose: str
    given_at: datetime
    given_by: str
    withdrawn_at: datetime | None
    row: Private[models.Consent]

    @classmethod
    def from_row(cls, row: models.Consent) -> Consent:
        return cls(
            scheme=row.scheme,
            purpose=row.purpose,
            given_at=row.given_at,
            given_by=row.given_by,
            withdrawn_at=row.withdrawn_at,
            row=row,
        )


@strawberry.type(
    description=(
        "A signed ID card: verify `token` against /.well-known/jwks.json, its `exp`, and "
        "/.well-known/card-revocations.json."
    )
)
class IdCard:
    token: str = strawberry.field(description="Compact EdDSA JWT; its header names the key (kid).")
    member_id: str
    issued_at: datetime
    expires_at: datetime
