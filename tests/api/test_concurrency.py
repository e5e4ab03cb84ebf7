"""Concurrent writes against real connections: retries and twins write once."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from core.access import Role
from hierarchy.models import Cbo, GeoUnit
from tests.conftest import Api
from tests.world import World, build_world

CREATE_SHG = """mutation($input: CreateShgInput!) { createShg(input: $input) {
    shg { code } errors { code field } } }"""
CREATE_GEO = """mutation($input: CreateGeoUnitInput!) { createGeoUnit(input: $input) {
    geoUnit { code } errors { code field } } }"""


async def test_a_burst_of_retries_under_one_key_creates_one_shg(api: Api, sessions: Any) -> None:
    world: World = await build_world(sessions)
    village = sorted(c for c, t in world.geo.items() if t.kind == "village")[0]
    token = api.token(Role.BOOKKEEPER, subject="phone-9")
    payload = {
        "input": {
            "villageCode": village,
            "name": "Umang SHG",
            "formedOn": "2022-02-02",
            "idempotencyKey": "phone-9:7",
        }
    }
    async with sessions() as session:
        before = await session.scalar(select(func.count()).select_from(Cbo))
    answers = await asyncio.gather(
        *(api.query(CREATE_SHG, payload, token=token) for _ in range(20))
    )
    codes = {a["createShg"]["shg"]["code"] for a in answers}
    assert len(codes) == 1 and all(a["createShg"]["errors"] == [] for a in answers)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Cbo)) == (before or 0) + 1


async def test_concurrent_twins_of_one_code_give_one_unit_and_typed_refusals(
    api: Api, sessions: Any
) -> None:
    world: World = await build_world(sessions)
    gp = sorted(c for c, t in world.geo.items() if t.kind == "gram_panchayat")[0]
    payload = {
        "input": {"level": "VILLAGE", "lgdCode": 888001, "name": "Naya Tola", "parentCode": gp}
    }
    answers = await asyncio.gather(
        *(api.query(CREATE_GEO, payload, subject=f"admin-{i}") for i in range(20))
    )
    created = [a for a in answers if a["createGeoUnit"]["geoUnit"] is not None]
    refused = [
        a["createGeoUnit"]["errors"] for a in answers if a["createGeoUnit"]["geoUnit"] is None
    ]
    assert len(created) == 1
    assert refused == [[{"code": "DUPLICATE", "field": "lgdCode"}]] * 19
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(GeoUnit).where(GeoUnit.code == "VL-888001")
            )
            == 1
        )


ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId } verdict errors { code field } } }"""


async def test_two_hundred_concurrent_enrolments_of_one_aadhaar_give_one_member(
    api: Api, sessions: Any
) -> None:
    from hierarchy.models import Member, MembershipPeriod
    from identity.models import AadhaarRegistration
    from tests.world import aadhaar_number

    world: World = await build_world(sessions)
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg")
    aadhaar = aadhaar_number(7777)
    tokens = [api.token(Role.BOOKKEEPER, subject=f"bk-{i}") for i in range(200)]

    async def counts() -> tuple[int, int, int]:
        async with sessions() as session:
            return (
                int(await session.scalar(select(func.count()).select_from(Member)) or 0),
                int(
                    await session.scalar(select(func.count()).select_from(AadhaarRegistration)) or 0
                ),
                int(await session.scalar(select(func.count()).select_from(MembershipPeriod)) or 0),
            )

    before = await counts()
    answers = await asyncio.gather(
        *(
            api.query(
                ENROL,
                {
                    "input": {
                        "shgCode": shgs[i % len(shgs)],
                        "name": f"Rekha {i}",
                        "gender": "F",
                        "birthYear": 1988,
                        "aadhaar": aadhaar,
                    }
                },
                token=tokens[i],
            )
            for i in range(200)
        )
    )
    results = [a["enrollMember"] for a in answers]
    enrolled = [r for r in results if r["verdict"] == "CLEAR"]
    refused = [r for r in results if r["verdict"] == "DUPLICATE"]
    assert len(enrolled) == 1 and len(refused) == 199
    assert all(
        r["errors"][0]["code"] == "ALREADY_ENROLLED" and r["member"] is None for r in refused
    )
    assert await counts() == (before[0] + 1, before[1] + 1, before[2] + 1)  # no orphans


async def test_a_replay_under_another_role_or_scope_is_refused(api: Api, sessions: Any) -> None:
    world: World = await build_world(sessions)
    village = sorted(c for c, t in world.geo.items() if t.kind == "village")[0]
    block = next(a for a in world.geo[village].ancestors if a.startswith("BL-"))
    payload = {
        "input": {
            "villageCode": village,
            "name": "Asha SHG",
            "formedOn": "2022-02-02",
            "idempotencyKey": "k1",
        }
    }
    first = await api.query(CREATE_SHG, payload, role=Role.BOOKKEEPER, scope=block, subject="alice")
    assert first["createShg"]["errors"] == []
    for role, scope in [(Role.PARTNER, block), (Role.BOOKKEEPER, "")]:
        replay = await api.query(CREATE_SHG, payload, role=role, scope=scope, subject="alice")
        assert replay["createShg"]["errors"] == [
            {"code": "IDEMPOTENCY_CONFLICT", "field": "idempotencyKey"}
        ]


async def test_closing_a_vo_and_adding_an_shg_to_it_never_both_succeed(
    api: Api, sessions: Any
) -> None:
    close = """mutation($c: String!) { closeCbo(input: {code: $c, reason: "merged"}) { errors { code } } }"""
    for attempt in range(5):
        world: World = await build_world(sessions) if attempt == 0 else world  # noqa: F821
        vo = sorted(c for c, t in world.cbos.items() if t.kind == "vo")[attempt % 4]
        gp = next(a for a in world.cbos[vo].ancestors if a.startswith("GP-"))
        village = sorted(
            c for c, t in world.geo.items() if t.kind == "village" and gp in t.ancestors
        )[0]
        # Empty the VO first: close its SHGs' members out of the way by closing a fresh VO instead.
        fresh = await api.query(
            """mutation($gp: String!) { createVo(input: {gramPanchayatCode: $gp, name: "Race VO", formedOn: "2021-01-01"}) { vo { code } } }""",
            {"gp": gp},
        )
        race_vo = fresh["createVo"]["vo"]["code"]
        closed, created = await asyncio.gather(
            api.query(close, {"c": race_vo}),
            api.query(
                CREATE_SHG,
                {
                    "input": {
                        "villageCode": village,
                        "voCode": race_vo,
                        "name": "Late SHG",
                        "formedOn": "2022-01-01",
                    }
                },
            ),
        )
        close_ok = closed["closeCbo"]["errors"] == []
        create_ok = created["createShg"]["errors"] == []
        assert close_ok != create_ok, (closed, created)
        async with sessions() as session:
            live_children = await session.scalar(
                select(func.count())
                .select_from(Cbo)
                .where(
                    Cbo.vo_id == select(Cbo.id).where(Cbo.code == race_vo).scalar_subquery(),
                    Cbo.kind == "shg",
                )
            )
        assert (live_children == 0) == close_ok
