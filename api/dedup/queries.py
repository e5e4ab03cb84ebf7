"""Query fields of the review queue."""

from __future__ import annotations

import strawberry
from sqlalchemy import ColumnElement

from api.context import Context
from api.dedup.types import DuplicateCandidate
from api.hierarchy.types import After, First, Info
from api.node import NODE_FETCHERS
from api.pagination import Connection, PageArgs, empty_connection, scoped_connection
from dedup import models
from dedup.review import DECIDERS


@strawberry.type
class DedupQuery:
    @strawberry.field(
        description=(
            "Pairs that may be one woman, for admins and reviewers: those whose later "
            "membership is in your scope, oldest first."
        )
    )
    async def duplicate_candidates(
        self,
        info: Info,
        status: models.CandidateStatus | None = models.CandidateStatus.OPEN,
        first: First = None,
        after: After = None,
    ) -> Connection[DuplicateCandidate]:
        context: Context = info.context
        args = PageArgs.of(context, first, after)
        scope = context.read_scope
        if scope is None or context.principal.role not in DECIDERS:
            return empty_connection()
        filters: list[ColumnElement[bool]] = []
        if status is not None:
            filters.append(models.DuplicateCandidate.status == status)
        return await scoped_connection(
            context, scope, models.DuplicateCandidate, args, filters, DuplicateCandidate.from_row
        )


async def _candidate_node(context: Context, pk: int) -> DuplicateCandidate | None:
    scope = context.read_scope
    if scope is None or context.principal.role not in DECIDERS:
        return None
    async with context.sessions() as session:
        row = await session.get(models.DuplicateCandidate, pk)
    if row is None or not scope.contains(row):
        return None
    return DuplicateCandidate.from_row(row)


NODE_FETCHERS["DuplicateCandidate"] = _candidate_node
