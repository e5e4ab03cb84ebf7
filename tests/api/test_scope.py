"""Every query field, at every scope level: exactly the caller's subtree, nothing else.

Out of scope answers exactly as "does not exist" (null, or absent from a
list), and connection counts match the rows the caller can see.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.node import global_id
from core.access import Role
from tests.conftest import Api
from tests.world import World, build_world

TYPE_NAME = {"clf": "Clf", "vo": "VillageOrganisation", "shg": "Shg"}


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _scope_code(world: World, level: str) -> str:
    """The first unit of ``level`` (a geo level, a CBO kind, or national)."""
    if level == "national":
        return ""
    things = {**world.geo, **world.cbos}
    return sorted(code for code, t in things.items() if t.kind == level)[0]


async def _all_pages(api: Api, field: str, token: str, extra: str = "") -> tuple[set[str], int]:
    """Walk every page of a top-level connection, 3 rows at a time; return codes and totalCount."""
    key = "memberId" if field == "members" else "code"
    seen: list[str] = []
    after = None
    total = None
    while True:
        data = await api.query(
            f"""query($after: String) {{ {field}(first: 3, after: $after{extra}) {{
                totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {key} }} }} }} }}""",
            {"after": after},
            token=token,
        )
        page = data[field]
        total = page["totalCount"] if total is None else total
        assert page["totalCount"] == total
        seen += [edge["node"][key] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)), "a row appeared on two pages"
    return set(seen), total


LEVELS = ["national", "state", "district", "block", "gram_panchayat", "village", "clf", "vo", "shg"]


@pytest.mark.parametrize("level", LEVELS)
async def test_each_scope_sees_exactly_its_subtree(api: Api, world: World, level: str) -> None:
    scope = _scope_code(world, level)
    token = api.token(Role.ANALYST, scope)

    states, total = await _all_pages(api, "states", token)
    assert states == world.visible(world.geo, scope, "state")
    assert total == len(states)
    for field, kind in [("clfs", "clf"), ("vos", "vo"), ("shgs", "shg")]:
        codes, total = await _all_pages(api, field, token)
        assert codes == world.visible(world.cbos, scope, kind), field
        assert total == len(codes)
    members, total = await _all_pages(api, "members", token)
    assert members == world.visible(world.members, scope)
    assert total == len(members)

    for code, thing in world.geo.items():
        data = await api.query(
            "query($c: String!) { geoUnit(code: $c) { code children { totalCount edges { node { code } } } } }",
            {"c": code},
            token=token,
        )
        visible = scope == "" or scope in thing.ancestors
        assert (data["geoUnit"] is not None) == visible, code
        if visible:
            children = {e["node"]["code"] for e in data["geoUnit"]["children"]["edges"]}
            expected = {
                c
                for c, t in world.geo.items()
                if code in t.ancestors
                and c != code
                and len(t.ancestors) == len(thing.ancestors) + 1
            }
            assert children == expected
            assert data["geoUnit"]["children"]["totalCount"] == len(expected)

    for code, thing in world.cbos.items():
        if thing.kind == "shg":
            data = await api.query(
                "query($c: String!) { shg(code: $c) { code memberCount } }",
                {"c": code},
                token=token,
            )
            visible = scope == "" or scope in thing.ancestors
            assert (data["shg"] is not None) == visible, code
            if visible:
                assert data["shg"]["memberCount"] == len(world.visible(world.members, code))

    for member_id, thing in world.members.items():
        data = await api.query(
            "query($m: String!) { member(memberId: $m) { memberId shg { code } } }",
            {"m": member_id},
            token=token,
        )
        visible = scope == "" or scope in thing.ancestors
        assert (data["member"] is not None) == visible

    ids = [global_id("GeoUnit", t.db_id) for t in world.geo.values()]
    ids += [global_id(TYPE_NAME[t.kind], t.db_id) for t in world.cbos.values()]
    ids += [global_id("Member", t.db_id) for t in world.members.values()]
    things = [*world.geo.values(), *world.cbos.values(), *world.members.values()]
    for node_id, thing in zip(ids, things, strict=True):
        data = await api.query(
            "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, token=token
        )
        visible = scope == "" or scope in thing.ancestors
        assert (data["node"] is not None) == visible, thing.code
        if visible:
            assert data["node"]["id"] == node_id


@pytest.mark.parametrize("level", ["national", "block", "village", "vo"])
async def test_federation_entities_obey_scope(api: Api, world: World, level: str) -> None:
    scope = _scope_code(world, level)
    representations = [{"__typename": "GeoUnit", "code": c} for c in world.geo]
    representations += [{"__typename": TYPE_NAME[t.kind], "code": c} for c, t in world.cbos.items()]
    representations += [{"__typename": "Member", "memberId": m} for m in world.members]
    data = await api.query(
        """query($r: [_Any!]!) { _entities(representations: $r) {
            ... on GeoUnit { code } ... on Clf { code } ... on VillageOrganisation { code }
            ... on Shg { code } ... on Member { memberId } } }""",
        {"r": representations},
        token=api.token(Role.REVIEWER, scope),
    )
    things = [*world.geo.values(), *world.cbos.values(), *world.members.values()]
    for entity, thing in zip(data["_entities"], things, strict=True):
        assert (entity is not None) == (scope == "" or scope in thing.ancestors), thing.code


async def test_a_vo_code_asked_for_as_an_shg_is_not_found(api: Api, world: World) -> None:
    vo = _scope_code(world, "vo")
    data = await api.query(
        "query($c: String!, $r: [_Any!]!) { shg(code: $c) { code } _entities(representations: $r) { __typename } }",
        {"c": vo, "r": [{"__typename": "Shg", "code": vo}]},
    )
    assert data == {"shg": None, "_entities": [None]}


async def test_partners_see_no_registers(api: Api, world: World) -> None:
    token = api.token(Role.PARTNER, "")
    data = await api.query(
        "{ me { role } states { totalCount edges { node { code } } } members { totalCount } }",
        token=token,
    )
    assert data == {
        "me": {"role": "PARTNER"},
        "states": {"totalCount": 0, "edges": []},
        "members": {"totalCount": 0},
    }
    code = _scope_code(world, "shg")
    assert (
        await api.query("query($c: String!) { shg(code: $c) { code } }", {"c": code}, token=token)
    ) == {"shg": None}


async def test_within_narrows_lists_but_never_widens_scope(api: Api, world: World) -> None:
    block = _scope_code(world, "block")
    other_block = sorted(c for c, t in world.geo.items() if t.kind == "block")[-1]
    village = sorted(world.visible(world.geo, block, "village"))[0]
    token = api.token(Role.ANALYST, block)
    inside, total = await _all_pages(api, "members", token, f', within: "{village}"')
    assert inside == world.visible(world.members, village)
    assert total == len(inside)
    outside, total = await _all_pages(api, "members", token, f', within: "{other_block}"')
    assert outside == set() and total == 0


async def test_out_of_scope_parents_are_null(api: Api, world: World) -> None:
    village = _scope_code(world, "village")
    data = await api.query(
        "query($c: String!) { geoUnit(code: $c) { code parent { code } } }",
        {"c": village},
        token=api.token(Role.ANALYST, village),
    )
    assert data["geoUnit"] == {"code": village, "parent": None}


async def test_out_of_range_ids_and_cursors_name_nothing(api: Api, world: World) -> None:
    import base64

    huge = base64.urlsafe_b64encode(b"Clf:99999999999999999999").decode()
    real = global_id("GeoUnit", next(iter(world.geo.values())).db_id)
    data = await api.query(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }",
        {"a": huge, "b": real},
    )
    assert data == {"a": None, "b": {"id": real}}
    cursor = base64.urlsafe_b64encode(b"k:99999999999999999999").decode().rstrip("=")
    response = await api.post(
        "query($c: String) { members(after: $c) { totalCount } }", {"c": cursor}, token=api.token()
    )
    assert (
        response.json()["errors"][0]["message"] == "The 'after' cursor is not one this API issued"
    )
