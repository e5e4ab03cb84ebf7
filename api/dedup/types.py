"""GraphQL types of the review queue: a pair side by side, masked, with its reasons."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry
from strawberry import Private

from api.dedup.dataloaders import PairMember, PairMemberByIdLoader
from api.hierarchy.types import Info
from api.node import Node, global_id
from dedup import models
from hierarchy.models import MemberStatus, Relation
from identity.enrolment import masked_member_id
from identity.numbers import masked_aadhaar, masked_account

strawberry.enum(models.CandidateStatus, name="CandidateStatus")
strawberry.enum(models.FoundBy, name="CandidateFoundBy")


class MatchDecision(StrEnum):
    DUPLICATE = "duplicate"
    NOT_DUPLICATE = "not_duplicate"


strawberry.enum(MatchDecision, description="A reviewer's answer: one woman, or two.")


@strawberry.type(description="One comparison's part in a score; values are never shown.")
class MatchReason:
    field: str
    level: str = strawberry.field(description="How far they agree, e.g. 'same sound'.")
    weight: float = strawberry.field(description="Evidence in bits: positive for one woman.")


@strawberry.type(description="One side of a pair as a reviewer sees it: identity numbers masked.")
class MatchedRecord:
    member_id: str = strawberry.field(description="Masked to its last four digits.")
    shg_code: str
    name: str
    relative_name: str | None
    relation: Relation | None
    birth_date: date | None
    birth_year: int | None
    status: MemberStatus
    masked_mobile: str | None
    masked_aadhaar: str | None
    masked_bank_account: str | None

    @classmethod
    def of(cls, pair: PairMember) -> MatchedRecord:
        m = pair.member
        return cls(
            member_id=masked_member_id(m.member_id),
            shg_code=pair.shg_code,
            name=m.name,
            relative_name=m.relative_name,
            relation=m.relation,
            birth_date=m.birth_date,
            birth_year=m.birth_year,
            status=m.status,
            masked_mobile=("X" * 6 + m.mobile[-4:]) if m.mobile else None,
            masked_aadhaar=masked_aadhaar(m.aadhaar_last4) if m.aadhaar_last4 else None,
            masked_bank_account=masked_account(m.bank_last4) if m.bank_last4 else None,
        )


@strawberry.type(description="Two members who may be one woman, and what a reviewer decided.")
class DuplicateCandidate(Node):
    probability: float = strawberry.field(description="The model's match probability.")
    status: models.CandidateStatus
    found_by: models.FoundBy
    found_at: datetime
    decided_at: datetime | None
    note: str | None
    model_version: str
    reasons: list[MatchReason]
    row: Private[models.DuplicateCandidate]

    @classmethod
    def from_row(cls, row: models.DuplicateCandidate) -> DuplicateCandidate:
        return cls(
            id=global_id("DuplicateCandidate", row.id),
            probability=row.probability,
            status=row.status,
            found_by=row.found_by,
            found_at=row.found_at,
            decided_at=row.decided_at,
            note=row.note,
            model_version=row.model_version,
            reasons=[MatchReason(**reason) for reason in row.reasons],
            row=row,
        )

    @strawberry.field(
        description="The earlier membership; null outside your scope (a reviewer whose scope "
        "holds both sides compares them)."
    )
    async def earlier(self, info: Info) -> MatchedRecord | None:
        pair = await info.context.loader(PairMemberByIdLoader).load(self.row.member_a_pk)
        return None if pair is None else MatchedRecord.of(pair)

    @strawberry.field(description="The later membership, which a DUPLICATE decision ends.")
    async def later(self, info: Info) -> MatchedRecord | None:
        pair = await info.context.loader(PairMemberByIdLoader).load(self.row.member_b_pk)
        return None if pair is None else MatchedRecord.of(pair)
