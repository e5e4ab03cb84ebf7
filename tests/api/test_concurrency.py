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
