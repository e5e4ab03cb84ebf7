"""The check inside enrolment: is this woman already a member somewhere?

1. Her blocking keys are computed from the profile being enrolled, with a
   bank key for her account's token under every active identity key: a
   member enrolled before a key rotation carries the older key's token.
2. On PostgreSQL, a transaction-level advisory lock is taken on each key,
   so two enrolments of the same woman (which share keys) run one after
   the other and the second sees the first; SQLite's single writer does the
   same by itself.
3. Members sharing a key are fetched by index (active and pending ones; an
   exited membership is no conflict) and scored with the shipped model,
   her tokens taken under the same key versions as theirs.
4. The highest verdict wins: DUPLICATE refuses the enrolment with the match
   masked; REVIEW enrols her as pending and queues every pair for review;
   CLEAR enrols her.

Pairs a reviewer already called NOT_DUPLICATE are skipped here and in the sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import lock_names
from core.errors import DomainError, ErrorCode
from dedup.blocking import blocking_keys
from dedup.model import MatchModel, Reason, shipped_model
from dedup.models import CandidateStatus, DuplicateCandidate, FoundBy, MatchKey
from dedup.person import Person, person
from dedup.score import Match, Thresholds, score_pair
from dedup.verdict import Verdict
from hierarchy.models import ANCESTOR_COLUMN, Member, MemberStatus
from identity.models import AadhaarRegistration
from identity.tokens import version_of

# Enough for any real block; a phone typed for a whole SHG is not allowed to
# make one enrolment score hundreds of pairs.
MAX_CANDIDATES = 200
LIVE = (MemberStatus.ACTIVE, MemberStatus.PENDING)


@dataclass(frozen=True)
class Matcher:
    """The model and thresholds the online check and the sweep use."""

    model: MatchModel = field(default_factory=shipped_model)
    thresholds: Thresholds = field(default_factory=Thresholds)


class LikelyDuplicate(DomainError):
    """Enrolment refused: she scores as a member already enrolled."""

    def __init__(self, match: Match, masked_member_id: str, shg_code: str | None) -> None:
        where = f" of SHG {shg_code}" if shg_code else " outside your scope"
        super().__init__(
            ErrorCode.LIKELY_DUPLICATE,
            "name",
            f"She is very likely already enrolled as member {masked_member_id}{where}; "
            "move her with a transfer, or correct that record",
        )
        self.match = match
        self.masked_member_id = masked_member_id
        self.reasons: tuple[Reason, ...] = match.reasons


def person_of(member: Member, aadhaar_token: str | None = None) -> Person:
    """The matcher's view of a stored member; places are ids, as text."""
    return person(
        str(member.id),
        name=member.name,
        relative_name=member.relative_name,
        relation=member.relation.value if member.relation else None,
        birth_date=member.birth_date,
        birth_year=member.birth_year,
        mobile=member.mobile,
        bank=member.bank_token,
        aadhaar=aadhaar_token,
        state=str(member.state_id),
        district=str(member.district_id),
        block=str(member.block_id),
        village=str(member.village_id),
    )


async def _candidates(
    session: AsyncSession, keys: list[str], exclude: int | None
) -> list[tuple[Member, str | None]]:
    ids = (
        select(MatchKey.member_pk)
        .where(MatchKey.key.in_(keys))
        .distinct()
        .limit(MAX_CANDIDATES)
        .scalar_subquery()
    )
    query = (
        select(Member, AadhaarRegistration.token)
        .outerjoin(
            AadhaarRegistration,
            (AadhaarRegistration.member_pk == Member.id) & AadhaarRegistration.active,
        )
        .where(Member.id.in_(ids), Member.status.in_(LIVE))
    )
    if exclude is not None:
        query = query.where(Member.id != exclude)
    rows = await session.execute(query)
    return [(member, token) for member, token in rows.all()]


async def _decided_pairs(
    session: AsyncSession, pairs: list[tuple[int, int]]
) -> set[tuple[int, int]]:
    if not pairs:
        return set()
    rows = await session.execute(
        select(DuplicateCandidate.member_a_pk, DuplicateCandidate.member_b_pk).where(
            tuple_(DuplicateCandidate.member_a_pk, DuplicateCandidate.member_b_pk).in_(pairs)
        )
    )
    return {(a, b) for a, b in rows.all()}


@dataclass(frozen=True)
class Newcomer:
    """The woman being enrolled: her record (tokens under the current key, as stored)
    and her identity tokens under every active key, current first (none given: her
    record's own)."""

    person: Person
    aadhaar_tokens: tuple[str, ...] = ()
    bank_tokens: tuple[str, ...] = ()

    def keys(self, *, with_aadhaar: bool = False) -> list[str]:
        keys = blocking_keys(self.person, with_aadhaar=with_aadhaar)
        keys += [f"b:{token}" for token in self.bank_tokens[1:]]
        if with_aadhaar:
            keys += [f"a:{token}" for token in self.aadhaar_tokens[1:]]
        return keys

    def as_seen_by(self, stored: Person) -> Person:
        """Her record with each token under the key version of ``stored``'s, so they compare."""
        return self.person._replace(
            aadhaar=_in_version_of(stored.aadhaar, self.aadhaar_tokens or (self.person.aadhaar,)),
            bank=_in_version_of(stored.bank, self.bank_tokens or (self.person.bank,)),
        )


def _in_version_of(theirs: str | None, mine: Sequence[str | None]) -> str | None:
    """My token under their key version; none when that key is retired (no evidence)."""
    if theirs is None or mine[0] is None:
        return mine[0]
    version = version_of(theirs)
    return next((token for token in mine if token and version_of(token) == version), None)


async def lock_keys(session: AsyncSession, newcomer: Newcomer) -> None:
    """Hold her blocking keys (and Aadhaar tokens) until the transaction ends.

    Two enrolments of one woman share keys, so the second waits here and
    then sees the first, for the exact Aadhaar check as for the fuzzy one.
    """
    names = [f"dedup:{key}" for key in newcomer.keys(with_aadhaar=True)]
    await lock_names(session, names)


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    matches: list[tuple[Member, Match]]  # every pair at REVIEW or above, best first


async def check_new_member(
    session: AsyncSession, newcomer: Newcomer, matcher: Matcher, *, exclude: int | None = None
) -> Check:
    """Score everyone sharing one of her keys and give the verdict (after :func:`lock_keys`)."""
    found: list[tuple[Member, Match]] = []
    for member, token in await _candidates(session, newcomer.keys(), exclude):
        stored = person_of(member, token)
        match = score_pair(matcher.model, stored, newcomer.as_seen_by(stored), matcher.thresholds)
        if match.verdict is not Verdict.CLEAR:
            found.append((member, match))
    if exclude is not None and found:
        known = await _decided_pairs(session, [(m.id, exclude) for m, _ in found])
        found = [(m, match) for m, match in found if (m.id, exclude) not in known]
    found.sort(key=lambda item: -item[1].probability)
    if not found:
        return Check(Verdict.CLEAR, [])
    verdicts = {match.verdict for _, match in found}
    verdict = Verdict.DUPLICATE if Verdict.DUPLICATE in verdicts else Verdict.REVIEW
    return Check(verdict, found)


def key_rows(member: Member) -> list[dict[str, object]]:
    """Her ``match_key`` rows, ready for one multi-row insert."""
    return [
        {"member_pk": member.id, "key": key, "district_id": member.district_id}
        for key in blocking_keys(person_of(member))
    ]


async def store_keys(session: AsyncSession, member: Member) -> None:
    """(Re)write her blocking keys: at enrolment, and after a correction or a transfer."""
    await session.execute(delete(MatchKey).where(MatchKey.member_pk == member.id))
    rows = key_rows(member)
    if rows:  # an empty executemany is an error, not a no-op
        await session.execute(insert(MatchKey), rows)


# The pair lives where its later membership lives: a reviewer sees (and decides) the pairs
# whose later member is in scope.
PAIR_ANCESTORS = tuple(ANCESTOR_COLUMN.values())


def queue_pair(
    session: AsyncSession,
    earlier: Member,
    later: Member,
    match: Match,
    found_by: FoundBy,
    model_version: str,
) -> DuplicateCandidate:
    """A pair for a reviewer; its ancestors are the later membership's, which a decision ends."""
    row = DuplicateCandidate(
        member_a_pk=earlier.id,
        member_b_pk=later.id,
        probability=round(match.probability, 6),
        reasons=[{"field": r.field, "level": r.level, "weight": r.weight} for r in match.reasons],
        model_version=model_version,
        status=CandidateStatus.OPEN,
        found_by=found_by,
        **{column: getattr(later, column) for column in PAIR_ANCESTORS},
    )
    session.add(row)
    return row


async def follow_transfer(session: AsyncSession, member: Member) -> None:
    """Move the pairs whose later membership is hers to where she now is (after a transfer),
    decided ones too: her former SHG's scope no longer sees them, her new one's does."""
    await session.execute(
        update(DuplicateCandidate)
        .where(DuplicateCandidate.member_b_pk == member.id)
        .values({column: getattr(member, column) for column in PAIR_ANCESTORS})
    )
