"""The online check inside enrollMember, the review queue and the sweep, on both backends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from core.access import Role
from dedup.models import DuplicateCandidate, MatchKey
from dedup.online import key_rows
from dedup.sweep import sweep
from hierarchy.models import Member
from tests.world import World, build_world

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId status } verdict reasons { field level weight }
    errors { code field message } } }"""
QUEUE = """query($status: CandidateStatus) { duplicateCandidates(status: $status, first: 10) {
    totalCount edges { node { id probability status reasons { field level }
    earlier { memberId name maskedMobile status } later { memberId name status } } } } }"""
DECIDE = """mutation($input: DecideMatchInput!) { decideMatch(input: $input) {
    candidate { status note later { status } } errors { code field } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _shgs(world: World) -> list[str]:
    return sorted(c for c, t in world.cbos.items() if t.kind == "shg")


def _phoolmati(shg: str, **change: Any) -> dict[str, Any]:
    return {
        "shgCode": shg,
        "name": "Smt. Phoolmati Devi",
        "gender": "F",
        "relativeName": "Ram Prasad",
        "relation": "HUSBAND",
        "birthDate": "1984-07-15",
        "mobile": "9876501234",
        **change,
    }


async def _enrol(api: Any, data: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = (await api.query(ENROL, {"input": data}))["enrollMember"]
    return answer


async def _members(sessions: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Member)) or 0)


async def test_a_respelt_enrolment_in_devanagari_is_refused_with_reasons(
    api: Any, world: World, sessions: Any
) -> None:
    shg = _shgs(world)[0]
    first = await _enrol(api, _phoolmati(shg))
    assert first["verdict"] == "CLEAR" and first["member"]["status"] == "ACTIVE"
    before = await _members(sessions)
    again = await _enrol(api, _phoolmati(shg, name="फूलमती देवी", birthDate=None, birthYear=1984))
    assert again["verdict"] == "DUPLICATE" and again["member"] is None
    assert again["errors"][0]["code"] == "LIKELY_DUPLICATE"
    message = again["errors"][0]["message"]
    assert first["member"]["memberId"][-4:] in message
    assert first["member"]["memberId"] not in message and "Phoolmati" not in message
    assert "9876501234" not in message
    fields = {r["field"]: r["level"] for r in again["reasons"]}
    assert fields["given_name"] == "spelling variant" and fields["mobile"] == "same"
    assert await _members(sessions) == before  # nothing written


async def test_a_doubtful_match_is_held_pending_until_a_reviewer_clears_her(
    api: Any, world: World, sessions: Any
) -> None:
    shg = _shgs(world)[0]
    await _enrol(api, _phoolmati(shg))
    doubtful = _phoolmati(shg, name="Fulmati", relativeName=None, relation=None, mobile=None)
    doubtful.update(birthDate=None, birthYear=1985)
    held = await _enrol(api, doubtful)
    assert held["verdict"] == "REVIEW" and held["member"]["status"] == "PENDING"

    queue = (await api.query(QUEUE, {"status": "OPEN"}, role=Role.REVIEWER))["duplicateCandidates"]
    assert queue["totalCount"] == 1
    pair = queue["edges"][0]["node"]
    assert pair["later"]["memberId"].endswith(held["member"]["memberId"][-4:])
    assert pair["later"]["memberId"] != held["member"]["memberId"]  # masked
    assert pair["earlier"]["maskedMobile"] == "XXXXXX1234"

    # A bookkeeper may not decide; a reviewer in another state cannot see the pair.
    refused = await api.query(
        DECIDE, {"input": {"id": pair["id"], "decision": "NOT_DUPLICATE"}}, role=Role.BOOKKEEPER
    )
    assert refused["decideMatch"]["errors"][0]["code"] == "FORBIDDEN"
    elsewhere = next(
        c for c, t in world.geo.items() if t.kind == "state" and c not in world.cbos[shg].ancestors
    )
    hidden = await api.query(
        DECIDE,
        {"input": {"id": pair["id"], "decision": "NOT_DUPLICATE"}},
        role=Role.REVIEWER,
        scope=elsewhere,
    )
    assert hidden["decideMatch"]["errors"][0]["code"] == "NOT_FOUND"

    decided = await api.query(
        DECIDE,
        {"input": {"id": pair["id"], "decision": "NOT_DUPLICATE", "note": "sisters-in-law"}},
        role=Role.REVIEWER,
    )
    assert decided["decideMatch"]["candidate"]["status"] == "NOT_DUPLICATE"
    assert decided["decideMatch"]["candidate"]["later"]["status"] == "ACTIVE"
    again = await api.query(
        DECIDE, {"input": {"id": pair["id"], "decision": "DUPLICATE"}}, role=Role.REVIEWER
    )
    assert again["decideMatch"]["errors"][0]["code"] == "INVALID_STATE"

    # The sweep never raises a decided pair again.
    report = await sweep(sessions)
    assert report.queued == 0
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DuplicateCandidate)) == 1


async def test_a_duplicate_decision_ends_the_later_membership(
    api: Any, world: World, sessions: Any
) -> None:
    shg = _shgs(world)[0]
    await _enrol(api, _phoolmati(shg))
    doubtful = _phoolmati(shg, name="Fulmati", relativeName=None, relation=None, mobile=None)
    doubtful.update(birthDate=None, birthYear=1985)
    held = await _enrol(api, doubtful)
    queue = (await api.query(QUEUE, {"status": "OPEN"}, role=Role.REVIEWER))["duplicateCandidates"]
    decided = await api.query(
        DECIDE,
        {"input": {"id": queue["edges"][0]["node"]["id"], "decision": "DUPLICATE"}},
        role=Role.REVIEWER,
    )
    assert decided["decideMatch"]["candidate"]["later"]["status"] == "EXITED"
    async with sessions() as session:
        member = await session.scalar(
            select(Member).where(Member.member_id == held["member"]["memberId"])
        )
    assert member is not None and member.exit_reason and member.exit_reason.startswith("duplicate")


async def test_the_sweep_queues_pairs_enrolled_before_the_engine(
    api: Any, world: World, sessions: Any
) -> None:
    """Two records of one woman written straight to the table (a bulk load) are found."""
    shg = _shgs(world)[0]
    await _enrol(api, _phoolmati(shg))
    async with sessions() as session, session.begin():
        original = await session.scalar(select(Member).where(Member.name.like("%Phoolmati%")))
        assert original is not None
        twin = Member(
            **{
                c.key: getattr(original, c.key)
                for c in Member.__table__.columns
                if c.key not in ("id", "member_id", "name", "created_at")
            },
            member_id="99999999990",
            name="Phulmati Debi",
        )
        session.add(twin)
    report = await sweep(sessions)
    assert report.indexed == 1 and report.queued == 1


async def test_rekey_gives_old_members_the_current_keys_once(
    api: Any, world: World, sessions: Any
) -> None:
    """Keys written by an older release (here: one key family missing) are rewritten, not doubled."""
    shg = _shgs(world)[0]
    await _enrol(api, _phoolmati(shg))
    async with sessions() as session, session.begin():
        member = await session.scalar(select(Member).where(Member.name.like("%Phoolmati%")))
        assert member is not None
        expected = sorted(row["key"] for row in key_rows(member))
        await session.execute(
            delete(MatchKey).where(MatchKey.member_pk == member.id, MatchKey.key.like("rv:%"))
        )
    assert (await sweep(sessions)).indexed == 0  # she still has keys, so a plain sweep skips her
    report = await sweep(sessions, rekey=True)
    assert report.indexed >= 1
    async with sessions() as session:
        keys = await session.scalars(
            select(MatchKey.key).where(MatchKey.member_pk == member.id).order_by(MatchKey.key)
        )
        assert list(keys) == expected


async def test_concurrent_enrolments_of_one_woman_do_not_both_pass(
    api: Any, world: World, backend: str
) -> None:
    """Real concurrent connections: spellings of one woman race into different SHGs of one village."""
    shg = _shgs(world)[0]
    spellings = ["Phoolmati Devi", "Phulmati Devi", "फूलमती देवी", "Phoolmatee Debi", "Fulmati"]
    answers = await asyncio.gather(
        *(_enrol(api, _phoolmati(shg, name=name)) for name in spellings * 4)
    )
    verdicts = [a["verdict"] for a in answers]
    assert verdicts.count("CLEAR") == 1, verdicts
    assert set(verdicts) <= {"CLEAR", "DUPLICATE", "REVIEW"}
