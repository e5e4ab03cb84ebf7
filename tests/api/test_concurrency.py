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
