"""Mutations: typed errors naming the field, nothing half-written, maker–checker, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access import Role
from core.audit import AuditEvent
from core.idempotency import IdempotencyRecord
from hierarchy.models import Cbo, GeoUnit, Member
from tests.conftest import Api
from tests.world import World, build_world

CREATE_SHG = """mutation($input: CreateShgInput!) { createShg(input: $input) {
    shg { code name status village { code } vo { code } clf { code } }
    errors { code field message } } }"""
CREATE_GEO = """mutation($input: CreateGeoUnitInput!) { createGeoUnit(input: $input) {
    geoUnit { code level parent { code } } errors { code field message } } }"""
APPROVE = """mutation($code: String!, $key: String) { approveCbo(input: {code: $code, idempotencyKey: $key}) {
    cbo { code status approvedBy } errors { code field message } } }"""
CLOSE = """mutation($code: String!, $reason: String!) { closeCbo(input: {code: $code, reason: $reason}) {
    cbo { code status closedReason } errors { code field message } } }"""
ADD_MEMBER = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId name status shg { code } } errors { code field message } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


async def _row_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (GeoUnit, Cbo, Member, AuditEvent, IdempotencyRecord)
        }


def _first(world: World, kind: str, within: str = "") -> str:
    """The first unit of ``kind`` (by code) inside ``within``; by default inside the first village's GP,
    so that the first village, VO, CLF and block found belong together."""
    things = {**world.geo, **world.cbos}
    if not within and kind in ("village", "vo", "shg", "gram_panchayat", "clf", "block"):
        within = sorted(c for c, t in things.items() if t.kind == "block")[0]
    return sorted(
        c for c, t in things.items() if t.kind == kind and (not within or within in t.ancestors)
    )[0]


async def test_create_shg_then_approve_by_someone_else(api: Api, world: World) -> None:
    village = _first(world, "village")
    vo = _first(world, "vo")
    data = await api.query(
        CREATE_SHG,
        {
            "input": {
                "villageCode": village,
                "voCode": vo,
                "name": " Jai  Maa SHG ",
                "formedOn": "2023-05-01",
            }
        },
        role=Role.BOOKKEEPER,
        scope=_first(world, "block"),
        subject="bk-7",
    )
    shg = data["createShg"]["shg"]
    assert data["createShg"]["errors"] == []
    assert shg["name"] == "Jai Maa SHG" and shg["status"] == "DRAFT"
    assert shg["village"]["code"] == village and shg["vo"]["code"] == vo
    assert shg["clf"]["code"] == _first(world, "clf")
    assert shg["code"].startswith("SHG-")

    refused = await api.query(APPROVE, {"code": shg["code"]}, role=Role.ADMIN, subject="bk-7")
    assert refused["approveCbo"] == {
        "cbo": None,
        "errors": [
            {
                "code": "SELF_APPROVAL",
                "field": "code",
                "message": "A CBO is approved by someone other than its creator",
            }
        ],
    }
    approved = await api.query(APPROVE, {"code": shg["code"]}, role=Role.APPROVER, subject="ap-1")
    assert approved["approveCbo"]["cbo"] == {
        "code": shg["code"],
        "status": "APPROVED",
        "approvedBy": "ap-1",
    }
    again = await api.query(APPROVE, {"code": shg["code"]}, role=Role.APPROVER, subject="ap-2")
    assert again["approveCbo"]["errors"][0]["code"] == "INVALID_STATE"


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"villageCode": "VL-999999"}, "NOT_FOUND", "villageCode"),
        ({"voCode": "VO-NOSUCH00"}, "NOT_FOUND", "voCode"),
        ({"name": "   "}, "REQUIRED", "name"),
        ({"name": "x" * 129}, "INVALID", "name"),
        ({"formedOn": "2999-01-01"}, "INVALID", "formedOn"),
        ({"idempotencyKey": ""}, "INVALID", "idempotencyKey"),
    ],
)
async def test_bad_shg_input_is_refused_and_nothing_written(
    api: Api, world: World, sessions: Any, change: dict[str, str], code: str, field: str
) -> None:
    good = {
        "villageCode": _first(world, "village"),
        "voCode": _first(world, "vo"),
        "name": "Ujala SHG",
        "formedOn": "2022-01-01",
    }
    before = await _row_counts(sessions)
    data = await api.query(CREATE_SHG, {"input": {**good, **change}}, role=Role.BOOKKEEPER)
    assert data["createShg"]["shg"] is None
    [error] = data["createShg"]["errors"]
    assert (error["code"], error["field"]) == (code, field)
    assert await _row_counts(sessions) == before


async def test_shg_in_a_village_outside_the_callers_scope_is_not_found(
    api: Api, world: World, sessions: Any
) -> None:
    blocks = sorted(c for c, t in world.geo.items() if t.kind == "block")
    foreign_village = _first(world, "village", within=blocks[1])
    before = await _row_counts(sessions)
    data = await api.query(
        CREATE_SHG,
        {"input": {"villageCode": foreign_village, "name": "Sakhi", "formedOn": "2022-01-01"}},
        role=Role.BOOKKEEPER,
        scope=blocks[0],
    )
    assert data["createShg"]["errors"] == [
        {
            "code": "NOT_FOUND",
            "field": "villageCode",
            "message": "No village with this code in your scope",
        }
    ]
    assert await _row_counts(sessions) == before


async def test_shg_must_sit_in_its_vos_gram_panchayat(api: Api, world: World) -> None:
    blocks = sorted(c for c, t in world.geo.items() if t.kind == "block")
    data = await api.query(
        CREATE_SHG,
        {
            "input": {
                "villageCode": _first(world, "village", blocks[0]),
                "voCode": _first(world, "vo", blocks[1]),
                "name": "Ekta",
                "formedOn": "2022-01-01",
            }
        },
    )
    assert data["createShg"]["errors"][0]["code"] == "OUTSIDE_PARENT"
    assert data["createShg"]["errors"][0]["field"] == "voCode"


async def test_readers_cannot_write(api: Api, world: World, sessions: Any) -> None:
    before = await _row_counts(sessions)
    for role in (Role.ANALYST, Role.REVIEWER, Role.PARTNER, Role.APPROVER):
        data = await api.query(
            CREATE_SHG,
            {
                "input": {
                    "villageCode": _first(world, "village"),
                    "name": "Asha",
                    "formedOn": "2022-01-01",
                }
            },
            role=role,
        )
        assert data["createShg"]["errors"][0]["code"] == "FORBIDDEN", role
    assert await _row_counts(sessions) == before


async def test_geo_units_duplicate_and_unknown_parent(
    api: Api, world: World, sessions: Any
) -> None:
    gp = _first(world, "gram_panchayat")
    created = await api.query(
        CREATE_GEO,
        {"input": {"level": "VILLAGE", "lgdCode": 777001, "name": "Nayagaon", "parentCode": gp}},
    )
    assert created["createGeoUnit"]["geoUnit"] == {
        "code": "VL-777001",
        "level": "VILLAGE",
        "parent": {"code": gp},
    }
    before = await _row_counts(sessions)
    duplicate = await api.query(
        CREATE_GEO,
        {"input": {"level": "VILLAGE", "lgdCode": 777001, "name": "Again", "parentCode": gp}},
    )
    assert [(e["code"], e["field"]) for e in duplicate["createGeoUnit"]["errors"]] == [
        ("DUPLICATE", "lgdCode")
    ]
    unknown = await api.query(
        CREATE_GEO,
        {"input": {"level": "VILLAGE", "lgdCode": 777002, "name": "X", "parentCode": "GP-1"}},
    )
    assert [(e["code"], e["field"]) for e in unknown["createGeoUnit"]["errors"]] == [
        ("NOT_FOUND", "parentCode")
    ]
    wrong_level = await api.query(
        CREATE_GEO,
        {
            "input": {
                "level": "VILLAGE",
                "lgdCode": 777003,
                "name": "X",
                "parentCode": _first(world, "block"),
            }
        },
    )
    assert wrong_level["createGeoUnit"]["errors"][0]["code"] == "NOT_FOUND"
    state_by_state_admin = await api.query(
        CREATE_GEO,
        {"input": {"level": "STATE", "lgdCode": 27, "name": "Maharashtra"}},
        scope=_first(world, "state"),
    )
    assert state_by_state_admin["createGeoUnit"]["errors"][0]["code"] == "FORBIDDEN"
    assert await _row_counts(sessions) == before


async def test_closing_waits_for_children(api: Api, world: World) -> None:
    vo = _first(world, "vo")
    refused = await api.query(CLOSE, {"code": vo, "reason": "merged"})
    assert refused["closeCbo"]["errors"][0]["code"] == "HAS_ACTIVE_CHILDREN"
    empty = await api.query(
        CREATE_SHG,
        {
            "input": {
                "villageCode": _first(world, "village"),
                "name": "Short-lived",
                "formedOn": "2022-01-01",
            }
        },
    )
    code = empty["createShg"]["shg"]["code"]
    closed = await api.query(CLOSE, {"code": code, "reason": " members joined another group "})
    assert closed["closeCbo"]["cbo"] == {
        "code": code,
        "status": "CLOSED",
        "closedReason": "members joined another group",
    }
    member = await api.query(
        ADD_MEMBER, {"input": {"shgCode": code, "name": "Late", "gender": "F", "birthYear": 1990}}
    )
    assert member["enrollMember"]["errors"][0]["code"] == "INVALID_STATE"


async def test_add_member_validates_every_field(api: Api, world: World, sessions: Any) -> None:
    shg = _first(world, "shg")
    good = {
        "shgCode": shg,
        "name": "Phoolmati Devi",
        "gender": "F",
        "relativeName": "Ram Prasad",
        "relation": "HUSBAND",
        "birthDate": "1985-03-02",
        "mobile": "+91 98765 43210",
    }
    data = await api.query(ADD_MEMBER, {"input": good}, role=Role.BOOKKEEPER)
    member = data["enrollMember"]["member"]
    assert (
        member["name"] == "Phoolmati Devi"
        and member["status"] == "ACTIVE"
        and member["shg"]["code"] == shg
    )
    assert len(member["memberId"]) == 11
    before = await _row_counts(sessions)
    for change, field in [
        ({"shgCode": "SHG-NOPE0000"}, "shgCode"),
        ({"name": ""}, "name"),
        ({"birthDate": "2999-01-01"}, "birthDate"),
        ({"birthDate": None, "birthYear": None}, "birthDate"),
        ({"mobile": "12345"}, "mobile"),
        ({"relation": None}, "relation"),
        ({"joinedOn": "2001-01-01"}, "joinedOn"),
        ({"birthYear": 1970}, "birthYear"),
    ]:
        data = await api.query(ADD_MEMBER, {"input": {**good, **change}}, role=Role.BOOKKEEPER)
        assert data["enrollMember"]["member"] is None
        assert data["enrollMember"]["errors"][0]["field"] == field, change
    assert await _row_counts(sessions) == before


async def test_error_messages_never_echo_the_input(api: Api, world: World) -> None:
    data = await api.query(
        ADD_MEMBER,
        {
            "input": {
                "shgCode": _first(world, "shg"),
                "name": "Sunita",
                "gender": "F",
                "birthYear": 1990,
                "mobile": "5555512345",
            }
        },
    )
    assert "5555512345" not in str(data)


async def test_idempotent_replay_writes_once(api: Api, world: World, sessions: Any) -> None:
    payload = {
        "input": {
            "villageCode": _first(world, "village"),
            "name": "Navjyoti",
            "formedOn": "2022-01-01",
            "idempotencyKey": "phone-42:shg:1",
        }
    }
    first = await api.query(CREATE_SHG, payload, role=Role.BOOKKEEPER, subject="bk-1")
    after_first = await _row_counts(sessions)
    for _ in range(3):
        replay = await api.query(CREATE_SHG, payload, role=Role.BOOKKEEPER, subject="bk-1")
        assert replay == first
    assert await _row_counts(sessions) == after_first
    changed = {"input": {**payload["input"], "name": "Something else"}}
    conflict = await api.query(CREATE_SHG, changed, role=Role.BOOKKEEPER, subject="bk-1")
    assert conflict["createShg"]["errors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    other_user = await api.query(CREATE_SHG, changed, role=Role.BOOKKEEPER, subject="bk-2")
    assert other_user["createShg"]["shg"]["code"] != first["createShg"]["shg"]["code"]


async def test_every_write_is_audited_without_names(api: Api, world: World, sessions: Any) -> None:
    data = await api.query(
        ADD_MEMBER,
        {
            "input": {
                "shgCode": _first(world, "shg"),
                "name": "Kusum Verma",
                "gender": "F",
                "birthYear": 1979,
            }
        },
        subject="bk-9",
    )
    member_id = data["enrollMember"]["member"]["memberId"]
    async with sessions() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.actor == "bk-9"))
    assert event is not None and event.action == "member.enrolled"
    assert event.detail["member_id"] == member_id
    assert "Kusum" not in str(event.detail)
