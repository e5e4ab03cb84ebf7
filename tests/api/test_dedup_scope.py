"""The review queue keeps to the reviewer's scope, before and after either side transfers."""

from __future__ import annotations

from typing import Any

import pytest

from core.access import Role
from tests.conftest import Api
from tests.world import World, build_world

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId status } verdict errors { code field } } }"""
TRANSFER = """mutation($input: TransferMemberInput!) { transferMember(input: $input) {
    errors { code field } } }"""
DECIDE = """mutation($input: DecideMatchInput!) { decideMatch(input: $input) {
    errors { code field } } }"""
SIDE = "{ memberId shgCode name maskedMobile }"
QUEUE = f"""query {{ duplicateCandidates(status: null, first: 10) {{ totalCount
    edges {{ node {{ id status earlier {SIDE} later {SIDE} }} }} }} }}"""
NODE = f"""query($id: ID!) {{ node(id: $id) {{ ... on DuplicateCandidate {{ status
    earlier {SIDE} later {SIDE} }} }} }}"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _block(world: World, shg: str) -> str:
    return next(
        c for c in world.cbos[shg].ancestors if c in world.geo and world.geo[c].kind == "block"
    )


async def _pair(api: Api, shg: str) -> tuple[str, str, str]:
    """Phoolmati, and a doubtful second enrolment held for review: their ids and the pair's."""
    first = {"shgCode": shg, "name": "Smt. Phoolmati Devi", "gender": "F",
             "relativeName": "Ram Prasad", "relation": "HUSBAND", "birthDate": "1984-07-15",
             "mobile": "9876501234", "joinedOn": "2024-01-01"}  # fmt: skip
    earlier = (await api.query(ENROL, {"input": first}))["enrollMember"]
    doubtful = {"shgCode": shg, "name": "Fulmati", "gender": "F", "birthYear": 1985,
                "joinedOn": "2024-01-01"}  # fmt: skip
    later = (await api.query(ENROL, {"input": doubtful}))["enrollMember"]
    assert earlier["verdict"] == "CLEAR" and later["verdict"] == "REVIEW"
    queue = (await api.query(QUEUE, role=Role.REVIEWER))["duplicateCandidates"]
    [edge] = queue["edges"]
    return earlier["member"]["memberId"], later["member"]["memberId"], edge["node"]["id"]


async def _move(api: Api, member: str, to: str) -> None:
    move = {"memberId": member, "toShgCode": to, "transferredOn": "2024-05-01",
            "reason": "married into another village"}  # fmt: skip
    assert (await api.query(TRANSFER, {"input": move}))["transferMember"]["errors"] == []


def _shgs(world: World) -> tuple[str, str]:
    """Two SHGs in different blocks of one district."""
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg")
    old = shgs[0]
    new = next(s for s in shgs if _block(world, s) != _block(world, old))
    return old, new


async def test_when_the_earlier_member_moves_away_the_old_scope_no_longer_sees_her(
    api: Api, world: World
) -> None:
    old, new = _shgs(world)
    earlier, later, pair = await _pair(api, old)
    await _move(api, earlier, new)
    old_block = _block(world, old)
    # The pair stays with the pending member, in the old block; her side is gone from it.
    for scope in (old_block, old):
        queue = (await api.query(QUEUE, role=Role.REVIEWER, scope=scope))["duplicateCandidates"]
        [edge] = queue["edges"]
        assert edge["node"]["earlier"] is None, scope
        assert edge["node"]["later"]["memberId"].endswith(later[-4:])
        node = (await api.query(NODE, {"id": pair}, role=Role.REVIEWER, scope=scope))["node"]
        assert node["earlier"] is None
        assert new not in str(queue) + str(node) and "XXXXXX1234" not in str(queue) + str(node)
    # Above both SHGs, a reviewer sees both sides and where each now is.
    both = (await api.query(NODE, {"id": pair}, role=Role.REVIEWER))["node"]
    assert both["earlier"]["shgCode"] == new and both["earlier"]["maskedMobile"] == "XXXXXX1234"
    assert both["later"]["shgCode"] == old


async def test_when_the_later_member_moves_her_pairs_go_with_her(api: Api, world: World) -> None:
    old, new = _shgs(world)
    _, later, pair = await _pair(api, old)
    cleared = await api.query(
        DECIDE, {"input": {"id": pair, "decision": "NOT_DUPLICATE"}}, role=Role.REVIEWER
    )
    assert cleared["decideMatch"]["errors"] == []
    await _move(api, later, new)
    old_block, new_block = _block(world, old), _block(world, new)
    for scope in (old_block, old):
        queue = (await api.query(QUEUE, role=Role.REVIEWER, scope=scope))["duplicateCandidates"]
        assert queue == {"totalCount": 0, "edges": []}, scope
        assert await api.query(NODE, {"id": pair}, role=Role.REVIEWER, scope=scope) == {
            "node": None
        }
    # Her new block sees the pair, her side of it, and not the earlier member left behind.
    queue = (await api.query(QUEUE, role=Role.REVIEWER, scope=new_block))["duplicateCandidates"]
    [edge] = queue["edges"]
    assert edge["node"]["id"] == pair and edge["node"]["status"] == "NOT_DUPLICATE"
    assert edge["node"]["later"]["shgCode"] == new and edge["node"]["earlier"] is None
    assert old not in str(queue)
