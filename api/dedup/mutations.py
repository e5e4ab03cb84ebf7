"""decideMatch: a reviewer's decision on a candidate pair."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.dedup.types import DuplicateCandidate, MatchDecision
from api.errors import UserError
from api.hierarchy.types import Info
from api.node import parse_global_id
from api.writes import idempotency_key, write
from core.errors import DomainError, ErrorCode
from dedup import models
from dedup.review import decide_match


@strawberry.input
class DecideMatchInput:
    id: strawberry.ID = strawberry.field(description="The DuplicateCandidate's global id.")
    decision: MatchDecision
    note: str | None = None
    idempotency_key: str | None = idempotency_key()


@strawberry.type
class DecideMatchPayload:
    candidate: DuplicateCandidate | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DedupMutation:
    @strawberry.mutation(
        description=(
            "Decide a pair (admins and reviewers in scope): NOT_DUPLICATE is remembered and "
            "clears a pending member; DUPLICATE ends the later membership."
        )
    )
    async def decide_match(self, info: Info, input: DecideMatchInput) -> DecideMatchPayload:
        context = info.context
        parsed = parse_global_id(str(input.id))

        async def work(session: AsyncSession) -> int:
            if parsed is None or parsed[0] != "DuplicateCandidate":
                raise DomainError(ErrorCode.NOT_FOUND, "id", "No such candidate pair in your scope")
            pair = await decide_match(
                session,
                context.principal,
                parsed[1],
                models.CandidateStatus(input.decision.value),
                input.note,
            )
            return pair.id

        result_id, errors = await write(context, "decideMatch", input, work)
        if result_id is None:
            return DecideMatchPayload(errors=errors)
        async with context.sessions() as session:
            row = await session.get(models.DuplicateCandidate, result_id)
        return DecideMatchPayload(
            candidate=None if row is None else DuplicateCandidate.from_row(row), errors=errors
        )
