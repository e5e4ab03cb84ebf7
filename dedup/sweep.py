"""The sweep: the batch scan run over the database, filling the review queue.

Members enrolled before the engine existed (or loaded in bulk) are given
their blocking keys first. Then the keys are read in order, one block at a
time, and every pair in a block is scored with the same model and
thresholds as an enrolment; pairs at REVIEW or above that no reviewer has
seen are queued. The keys stream from one long read in key order; memory
holds one chunk of blocks and their member rows, never the key or member
table, whatever the national total.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from sqlalchemy import delete, exists, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import ColumnElement

from core.database import transaction
from dedup.blocking import MAX_BLOCK, blocking_keys
from dedup.models import DuplicateCandidate, FoundBy, MatchKey
from dedup.online import LIVE, Matcher, key_rows, person_of, queue_pair
from dedup.person import Person
from dedup.score import score_pair
from dedup.verdict import Verdict
from hierarchy.models import Member
from identity.models import AadhaarRegistration

_CHUNK = 500  # blocks per write transaction


@dataclass
class SweepReport:
    indexed: int = 0
    blocks: int = 0
    compared: int = 0
    queued: int = 0


async def index_members(
    sessions: async_sessionmaker[AsyncSession], batch: int = 1000, *, rekey: bool = False
) -> int:
    """Give blocking keys to live members that have none (bulk loads, demo data).

    With ``rekey``, rewrite every live member's keys instead: after a
    release changes :mod:`dedup.blocking`, so old members are found by the
    new keys too. Each batch's old keys go and new ones come in one
    transaction, so a member is never without keys. Walks the member table
    once in id order (keyset, not OFFSET): a million members cost a
    million index probes, not a scan per batch.
    """
    done = 0
    after = 0
    wanted: list[ColumnElement[bool]] = [Member.status.in_(LIVE)]
    if not rekey:
        wanted.append(~exists().where(MatchKey.member_pk == Member.id))
    while True:
        async with transaction(sessions) as session:
            members = (
                await session.scalars(
                    select(Member)
                    .where(Member.id > after, *wanted)
                    .order_by(Member.id)
                    .limit(batch)
                )
            ).all()
            if rekey and members:
                pks = [member.id for member in members]
                await session.execute(delete(MatchKey).where(MatchKey.member_pk.in_(pks)))
            rows = [row for member in members for row in key_rows(member)]
            if rows:
                await session.execute(insert(MatchKey), rows)
        done += len(members)
        if len(members) < batch:
            return done
        after = members[-1].id


async def _blocks(session: AsyncSession) -> AsyncIterator[tuple[str, list[int]]]:
    """Blocks of two to :data:`MAX_BLOCK` live members, streamed in key order."""
    rows = await session.stream(
        select(MatchKey.key, MatchKey.member_pk)
        .join(Member, Member.id == MatchKey.member_pk)
        .where(Member.status.in_(LIVE))
        .order_by(MatchKey.key, MatchKey.member_pk)
        .execution_options(yield_per=10_000)
    )
    key, pks = "", list[int]()
    async for row_key, member_pk in rows:
        if row_key != key:
            if 1 < len(pks) <= MAX_BLOCK:
                yield key, pks
            key, pks = row_key, []
        pks.append(member_pk)
    if 1 < len(pks) <= MAX_BLOCK:
        yield key, pks


async def _score_chunk(
    session: AsyncSession, chunk: list[tuple[str, list[int]]], matcher: Matcher, report: SweepReport
) -> None:
    ids = sorted({pk for _, pks in chunk for pk in pks})
    rows = await session.execute(
        select(Member, AadhaarRegistration.token)
        .outerjoin(
            AadhaarRegistration,
            (AadhaarRegistration.member_pk == Member.id) & AadhaarRegistration.active,
        )
        .where(Member.id.in_(ids))
    )
    members: dict[int, tuple[Member, Person, set[str]]] = {}
    for member, token in rows.all():
        seen = person_of(member, token)
        members[member.id] = (member, seen, set(blocking_keys(seen)))
    found = []
    for key, pks in chunk:
        for i, a_pk in enumerate(pks):
            for b_pk in pks[i + 1 :]:
                a, b = members[a_pk], members[b_pk]
                if min(a[2] & b[2]) != key:
                    continue  # scored in the block of their smallest shared key
                report.compared += 1
                match = score_pair(matcher.model, a[1], b[1], matcher.thresholds)
                if match.verdict is not Verdict.CLEAR:
                    found.append((a[0], b[0], match))
    if not found:
        return
    pairs = [(a.id, b.id) for a, b, _ in found]
    known = set(
        (
            await session.execute(
                select(DuplicateCandidate.member_a_pk, DuplicateCandidate.member_b_pk).where(
                    tuple_(DuplicateCandidate.member_a_pk, DuplicateCandidate.member_b_pk).in_(
                        pairs
                    )
                )
            )
        ).all()
    )
    for earlier, later, match in found:
        if (earlier.id, later.id) not in known:
            queue_pair(session, earlier, later, match, FoundBy.SWEEP, matcher.model.version)
            report.queued += 1


async def sweep(
    sessions: async_sessionmaker[AsyncSession],
    matcher: Matcher | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    *,
    rekey: bool = False,
) -> SweepReport:
    matcher = matcher or Matcher()
    report = SweepReport(indexed=await index_members(sessions, rekey=rekey))
    # One session reads the keys while others write each chunk's pairs: on
    # PostgreSQL a long snapshot, on SQLite a WAL reader beside the writer.
    async with sessions() as reader:
        chunk: list[tuple[str, list[int]]] = []
        async for block in _blocks(reader):
            chunk.append(block)
            if len(chunk) >= _CHUNK:
                await _score(sessions, chunk, matcher, report, progress)
                chunk = []
        if chunk:
            await _score(sessions, chunk, matcher, report, progress)
    return report


async def _score(
    sessions: async_sessionmaker[AsyncSession],
    chunk: list[tuple[str, list[int]]],
    matcher: Matcher,
    report: SweepReport,
    progress: Callable[[int, int | None], None] | None,
) -> None:
    async with transaction(sessions) as session:
        await _score_chunk(session, chunk, matcher, report)
    report.blocks += len(chunk)
    if progress:
        progress(report.blocks, None)
