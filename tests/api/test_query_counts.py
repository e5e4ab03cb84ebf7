"""A nested query runs a fixed number of SQL statements, whatever the page sizes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hierarchy.demo import seed_demo
from hierarchy.models import GeoLevel, GeoUnit
from tests.conftest import Api

NESTED = """query($block: String!, $vos: Int!, $shgs: Int!) { geoUnit(code: $block) {
    name shgCount memberCount
    vos(first: $vos) { totalCount edges { node { code clf { code }
        shgs(first: $shgs) { totalCount edges { node { code memberCount village { code } vo { code } } } } } } } } }"""


async def test_block_vos_shgs_member_counts_in_fixed_statements(
    api: Api, sessions: Any, statements: list[str]
) -> None:
    await seed_demo(sessions, members=3_000, seed=3)
    async with sessions() as session:
        block = await session.scalar(
            select(GeoUnit.code).where(GeoUnit.level == GeoLevel.BLOCK).limit(1)
        )
    token = api.token()
    counts = []
    shown = []
    for vos, shgs in [(1, 1), (2, 3), (4, 8)]:
        statements.clear()
        data = await api.query(NESTED, {"block": block, "vos": vos, "shgs": shgs}, token=token)
        counts.append(len(statements))
        unit = data["geoUnit"]
        shown.append(sum(len(e["node"]["shgs"]["edges"]) for e in unit["vos"]["edges"]))
        assert all(
            s["node"]["memberCount"] >= 10
            for e in unit["vos"]["edges"]
            for s in e["node"]["shgs"]["edges"]
        )
    assert shown == [1, 6, 30]  # 4 VOs of up to 8 SHGs: the page sizes really grew
    assert counts[0] == counts[1] == counts[2], counts
    # The unit; its SHG and member counts; the VO page and its count; the VOs' CLFs; the SHG
    # page and its count; the SHGs' member counts, villages and VOs (CBOs by id, a tick later
    # than the CLFs, so a statement of their own).
    assert counts[0] == 11, statements


async def test_members_page_is_three_statements_and_keyset_paged(
    api: Api, sessions: Any, statements: list[str]
) -> None:
    await seed_demo(sessions, members=500, seed=3)
    token = api.token()
    statements.clear()
    data = await api.query(
        "{ members(first: 50) { totalCount edges { node { memberId shg { code } } } } }",
        token=token,
    )
    assert len(data["members"]["edges"]) == 50 and data["members"]["totalCount"] == 500
    assert len(statements) == 3, statements  # page, count, SHGs by id
    statements.clear()
    after = (await api.query("{ members(first: 50) { pageInfo { endCursor } } }", token=token))[
        "members"
    ]
    statements.clear()
    await api.query(
        "query($a: String) { members(first: 50, after: $a) { edges { cursor } } }",
        {"a": after["pageInfo"]["endCursor"]},
        token=token,
    )
    [page] = statements
    assert "member.id > " in page  # keyset: the next page starts after the last id, no OFFSET skip
