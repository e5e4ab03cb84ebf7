"""enrollMember and the life of a membership, through the API."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from core.access import Role
from core.audit import AuditEvent
from hierarchy.models import Member, MembershipPeriod
from identity.cards import verify_card
from identity.models import AadhaarRegistration, Consent
from tests.conftest import Api
from tests.world import World, aadhaar_number, build_world

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId name status maskedAadhaar maskedBankAccount bankIfsc shg { code } }
    verdict errors { code field message } } }"""
TRANSFER = """mutation($input: TransferMemberInput!) { transferMember(input: $input) {
    member { memberId status joinedOn shg { code } } errors { code field message } } }"""
EXIT = """mutation($input: ExitMemberInput!) { exitMember(input: $input) {
    member { memberId status exitedOn exitReason } errors { code field message } } }"""
UPDATE = """mutation($input: UpdateMemberProfileInput!) { updateMemberProfile(input: $input) {
    member { memberId name mobile maskedAadhaar maskedBankAccount } errors { code field message } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _shgs(world: World) -> list[str]:
    return sorted(c for c, t in world.cbos.items() if t.kind == "shg")


def _block_of(world: World, code: str) -> str:
    return next(a for a in world.cbos[code].ancestors if a.startswith("BL-"))


async def _counts(sessions: Any) -> dict[str, int]:
    async with sessions() as session:
        return {
            m.__tablename__: int(await session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Member, AadhaarRegistration, MembershipPeriod, AuditEvent, Consent)
        }


def _good(world: World, **change: Any) -> dict[str, Any]:
    base = {
        "shgCode": _shgs(world)[0],
        "name": "Smt. Phoolmati Devi",
        "gender": "F",
        "relativeName": "Ram Prasad",
        "relation": "HUSBAND",
        "birthDate": "1984-07-15",
        "mobile": "9876501234",
        "aadhaar": aadhaar_number(1001),
        "bankIfsc": "SBIN0004567",
        "bankAccount": "30012345678",
        "socialCategory": "OBC",
    }
    return {"input": {**base, **change}}


async def test_enrol_issues_an_id_and_keeps_only_masked_numbers(
    api: Api, world: World, sessions: Any
) -> None:
    data = (await api.query(ENROL, _good(world), role=Role.BOOKKEEPER))["enrollMember"]
    member = data["member"]
    assert data["verdict"] == "CLEAR" and data["errors"] == []
    assert member["maskedAadhaar"] == "XXXX-XXXX-" + aadhaar_number(1001)[-4:]
    assert member["maskedBankAccount"] == "XXXXXX5678" and member["bankIfsc"] == "SBIN0004567"
    assert len(member["memberId"]) == 11 and member["status"] == "ACTIVE"
    found = await api.query(
        "query($m: String!) { member(memberId: $m) { name } }", {"m": member["memberId"]}
    )
    assert found["member"]["name"] == "Smt. Phoolmati Devi"
    async with sessions() as session:
        registration = await session.scalar(
            select(AadhaarRegistration)
            .join(Member, Member.id == AadhaarRegistration.member_pk)
            .where(Member.member_id == member["memberId"])
        )
    assert registration is not None and registration.active and registration.token.startswith("v1:")


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            {"aadhaar": aadhaar_number(1002)[:-1] + str((int(aadhaar_number(1002)[-1]) + 1) % 10)},
            "aadhaar",
            "INVALID",
        ),
        ({"bankIfsc": "SBIN1004567"}, "bankIfsc", "INVALID"),
        ({"bankAccount": "1" * 20}, "bankAccount", "INVALID"),
        ({"bankIfsc": None}, "bankIfsc", "REQUIRED"),
        ({"birthDate": "2999-01-01"}, "birthDate", "INVALID"),
        ({"name": "   "}, "name", "REQUIRED"),
        ({"shgCode": "SHG-NOTHERE"}, "shgCode", "NOT_FOUND"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    api: Api, world: World, sessions: Any, change: dict[str, Any], field: str, code: str
) -> None:
    before = await _counts(sessions)
    data = (await api.query(ENROL, _good(world, **change)))["enrollMember"]
    assert data["member"] is None and data["verdict"] is None
    assert [(e["code"], e["field"]) for e in data["errors"]] == [(code, field)]
    assert await _counts(sessions) == before


async def test_every_bad_field_is_named_in_one_answer(
    api: Api, world: World, sessions: Any
) -> None:
    before = await _counts(sessions)
    bad = _good(
        world,
        name=" ",
        relation=None,
        birthDate=None,
        birthYear=1850,
        mobile="12345",
        aadhaar=aadhaar_number(1003)[:-1] + str((int(aadhaar_number(1003)[-1]) + 1) % 10),
        bankIfsc="SBIN1004567",
        bankAccount="12",
    )
    data = (await api.query(ENROL, bad))["enrollMember"]
    assert data["member"] is None and data["verdict"] is None
    assert {(e["code"], e["field"]) for e in data["errors"]} == {
        ("REQUIRED", "name"),
        ("REQUIRED", "relation"),
        ("INVALID", "birthYear"),
        ("INVALID", "mobile"),
        ("INVALID", "aadhaar"),
        ("INVALID", "bankIfsc"),
        ("INVALID", "bankAccount"),
    }
    assert await _counts(sessions) == before


async def test_a_second_enrolment_of_the_same_aadhaar_anywhere_is_refused(
    api: Api, world: World, sessions: Any
) -> None:
    existing_id, aadhaar = next(iter(world.aadhaar.items()))
    holder_shg = next(a for a in world.members[existing_id].ancestors if a.startswith("SHG-"))
    other_shg = next(s for s in _shgs(world) if s != holder_shg)
    before = await _counts(sessions)
    spaced = f"{aadhaar[:4]} {aadhaar[4:8]}-{aadhaar[8:]}"
    national = (await api.query(ENROL, _good(world, shgCode=other_shg, aadhaar=spaced)))[
        "enrollMember"
    ]
    assert national["verdict"] == "DUPLICATE" and national["member"] is None
    [error] = national["errors"]
    assert (error["code"], error["field"]) == ("ALREADY_ENROLLED", "aadhaar")
    assert f"XXXXXXX{existing_id[-4:]}" in error["message"] and holder_shg in error["message"]
    assert existing_id not in error["message"] and aadhaar[-4:] not in error["message"]

    blocks = {_block_of(world, holder_shg)}
    outsider_shg = next(s for s in _shgs(world) if _block_of(world, s) not in blocks)
    scoped = await api.query(
        ENROL,
        _good(world, shgCode=outsider_shg, aadhaar=aadhaar),
        role=Role.BOOKKEEPER,
        scope=_block_of(world, outsider_shg),
    )
    [error] = scoped["enrollMember"]["errors"]
    assert error["code"] == "ALREADY_ENROLLED" and "outside your scope" in error["message"]
    assert holder_shg not in error["message"]
    assert await _counts(sessions) == before


async def test_transfer_keeps_her_id_and_history(api: Api, world: World, sessions: Any) -> None:
    member_id = next(iter(world.members))
    target = next(s for s in _shgs(world) if s not in world.members[member_id].ancestors)
    other = next(s for s in _shgs(world) if s != target)
    data = (
        await api.query(
            TRANSFER,
            {
                "input": {
                    "memberId": member_id,
                    "toShgCode": target,
                    "transferredOn": "2024-05-01",
                    "reason": "married into another village",
                }
            },
        )
    )["transferMember"]
    assert data["member"] == {
        "memberId": member_id,
        "status": "ACTIVE",
        "joinedOn": "2024-05-01",
        "shg": {"code": target},
    }
    async with sessions() as session:
        periods = (
            await session.execute(
                select(MembershipPeriod.joined_on, MembershipPeriod.left_on)
                .join(Member, Member.id == MembershipPeriod.member_pk)
                .where(Member.member_id == member_id)
                .order_by(MembershipPeriod.joined_on)
            )
        ).all()
    assert [(str(a), str(b)) for a, b in periods] == [
        ("2021-01-01", "2024-05-01"),
        ("2024-05-01", "None"),
    ]
    again = (
        await api.query(
            TRANSFER,
            {
                "input": {
                    "memberId": member_id,
                    "toShgCode": target,
                    "transferredOn": "2024-06-01",
                    "reason": "x",
                }
            },
        )
    )["transferMember"]
    assert again["errors"][0]["field"] == "toShgCode"
    early = (
        await api.query(
            TRANSFER,
            {
                "input": {
                    "memberId": member_id,
                    "toShgCode": other,
                    "transferredOn": "2024-01-01",
                    "reason": "x",
                }
            },
        )
    )["transferMember"]
    assert early["errors"][0]["field"] == "transferredOn"


async def test_exit_frees_her_aadhaar_and_keeps_the_record(api: Api, world: World) -> None:
    member_id, aadhaar = next(iter(world.aadhaar.items()))
    data = (
        await api.query(
            EXIT,
            {"input": {"memberId": member_id, "exitedOn": "2024-03-31", "reason": "moved away"}},
        )
    )["exitMember"]
    assert data["member"] == {
        "memberId": member_id,
        "status": "EXITED",
        "exitedOn": "2024-03-31",
        "exitReason": "moved away",
    }
    again = (
        await api.query(
            EXIT, {"input": {"memberId": member_id, "exitedOn": "2024-04-01", "reason": "again"}}
        )
    )["exitMember"]
    assert again["errors"][0]["code"] == "INVALID_STATE"
    rejoin = (await api.query(ENROL, _good(world, aadhaar=aadhaar)))["enrollMember"]
    assert rejoin["verdict"] == "CLEAR" and rejoin["member"]["memberId"] != member_id


async def test_update_profile_retokenises_and_refuses_someone_elses_aadhaar(
    api: Api, world: World, sessions: Any
) -> None:
    (first, _), (second, second_aadhaar) = list(world.aadhaar.items())[:2]
    fixed = await api.query(
        UPDATE,
        {
            "input": {
                "memberId": first,
                "name": "Sunita Devi",
                "mobile": None,
                "aadhaar": aadhaar_number(1003),
                "bankIfsc": "PUNB0112233",
                "bankAccount": "998877665544",
            }
        },
    )
    member = fixed["updateMemberProfile"]["member"]
    assert member["name"] == "Sunita Devi" and member["mobile"] is None
    assert member["maskedAadhaar"].endswith(aadhaar_number(1003)[-4:])
    assert member["maskedBankAccount"] == "XXXXXX5544"
    async with sessions() as session:
        rows = (
            (
                await session.execute(
                    select(AadhaarRegistration.active)
                    .join(Member, Member.id == AadhaarRegistration.member_pk)
                    .where(Member.member_id == first)
                    .order_by(AadhaarRegistration.id)
                )
            )
            .scalars()
            .all()
        )
    assert rows == [False, True]
    taken = await api.query(UPDATE, {"input": {"memberId": first, "aadhaar": second_aadhaar}})
    assert taken["updateMemberProfile"]["errors"][0]["code"] == "ALREADY_ENROLLED"
    event = None
    async with sessions() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "member.updated")
        )
    assert event is not None and event.detail["fields"] == ["mobile", "name", "aadhaar", "bank"]
    assert second not in str(event.detail)


async def test_enrolment_replay_writes_once(api: Api, world: World, sessions: Any) -> None:
    payload = _good(world, idempotencyKey="field-app-3:enrol:77")
    first = await api.query(ENROL, payload, subject="bk-3", role=Role.BOOKKEEPER)
    after = await _counts(sessions)
    assert await api.query(ENROL, payload, subject="bk-3", role=Role.BOOKKEEPER) == first
    assert await _counts(sessions) == after
    other = _good(world, idempotencyKey="field-app-3:enrol:77", aadhaar=aadhaar_number(1009))
    conflict = await api.query(ENROL, other, subject="bk-3", role=Role.BOOKKEEPER)
    assert conflict["enrollMember"]["errors"][0]["code"] == "IDEMPOTENCY_CONFLICT"


async def test_consent_given_and_withdrawn(api: Api, world: World) -> None:
    member_id = next(iter(world.members))
    give = """mutation($m: String!) { giveConsent(input: {memberId: $m, scheme: "PM-KISAN", purpose: "eligibility check"}) {
        consent { scheme purpose givenBy withdrawnAt } errors { code field } } }"""
    data = await api.query(give, {"m": member_id}, subject="bk-5", role=Role.BOOKKEEPER)
    assert data["giveConsent"]["consent"] == {
        "scheme": "pm-kisan",
        "purpose": "eligibility check",
        "givenBy": "bk-5",
        "withdrawnAt": None,
    }
    twice = await api.query(give, {"m": member_id}, role=Role.BOOKKEEPER)
    assert twice["giveConsent"]["errors"] == [{"code": "INVALID_STATE", "field": "scheme"}]
    withdraw = """mutation($m: String!) { withdrawConsent(input: {memberId: $m, scheme: "pm-kisan"}) {
        consent { withdrawnAt } errors { code } } }"""
    done = await api.query(withdraw, {"m": member_id}, role=Role.BOOKKEEPER)
    assert done["withdrawConsent"]["consent"]["withdrawnAt"] is not None
    gone = await api.query(withdraw, {"m": member_id}, role=Role.BOOKKEEPER)
    assert gone["withdrawConsent"]["errors"] == [{"code": "NOT_FOUND"}]


async def test_id_card_verifies_offline_against_the_jwks(api: Api, world: World) -> None:
    member_id = next(iter(world.members))
    card = (
        await api.query(
            "query($m: String!) { idCard(memberId: $m) { token memberId } }", {"m": member_id}
        )
    )["idCard"]
    jwks = (await api.client.get("/.well-known/jwks.json")).json()
    claims = verify_card(card["token"], jwks)
    assert (
        claims["sub"] == member_id
        and claims["aadhaar"] == "XXXX-XXXX-" + world.aadhaar[member_id][-4:]
    )
    assert world.aadhaar[member_id] not in card["token"]
    tampered = card["token"][:-4] + ("AAAA" if not card["token"].endswith("AAAA") else "BBBB")
    with pytest.raises(Exception, match="do not verify"):
        verify_card(tampered, jwks)
    outsider = next(a for a in world.members[member_id].ancestors if a.startswith("BL-"))
    other_block = sorted(c for c, t in world.geo.items() if t.kind == "block" and c != outsider)[0]
    hidden = await api.query(
        "query($m: String!) { idCard(memberId: $m) { token } }", {"m": member_id}, scope=other_block
    )
    assert hidden == {"idCard": None}


async def test_printable_card_needs_a_token_and_scope(api: Api, world: World) -> None:
    member_id = next(iter(world.members))
    response = await api.client.get(
        f"/cards/{member_id}", headers={"Authorization": f"Bearer {api.token()}"}
    )
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert (await api.client.get(f"/cards/{member_id}")).status_code == 401
    analyst = await api.client.get(
        f"/cards/{member_id}", headers={"Authorization": f"Bearer {api.token(Role.ANALYST)}"}
    )
    assert analyst.status_code == 403
    elsewhere = sorted(
        c
        for c, t in world.geo.items()
        if t.kind == "block" and c not in world.members[member_id].ancestors
    )[0]
    hidden = await api.client.get(
        f"/cards/{member_id}", headers={"Authorization": f"Bearer {api.token(scope=elsewhere)}"}
    )
    assert hidden.status_code == 404


@asynccontextmanager
async def _after_rotation(api: Api, engine: Any) -> AsyncIterator[Api]:
    """The API once key 2 is current and key 1, under which the world was enrolled, still active."""
    rotated = replace(
        api.settings,
        identity_keys=api.settings.identity_keys + ",2:" + base64.b64encode(b"k" * 32).decode(),
    )
    transport = httpx.ASGITransport(app=create_app(rotated, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://rotated") as client:
        yield Api(client=client, settings=rotated)


async def test_key_rotation_finds_old_tokens_and_writes_new_ones(
    api: Api, world: World, sessions: Any, engine: Any
) -> None:
    async with _after_rotation(api, engine) as after:
        old_member, old_aadhaar = next(iter(world.aadhaar.items()))
        refused = (await after.query(ENROL, _good(world, aadhaar=old_aadhaar)))["enrollMember"]
        assert refused["errors"][0]["code"] == "ALREADY_ENROLLED"  # found under key 1
        fresh = (await after.query(ENROL, _good(world, aadhaar=aadhaar_number(1200))))[
            "enrollMember"
        ]
        corrected = await after.query(
            UPDATE, {"input": {"memberId": old_member, "aadhaar": old_aadhaar}}
        )
        assert corrected["updateMemberProfile"]["errors"] == []
    async with sessions() as session:
        tokens = dict(
            (
                await session.execute(
                    select(Member.member_id, AadhaarRegistration.token)
                    .join(AadhaarRegistration, AadhaarRegistration.member_pk == Member.id)
                    .where(
                        AadhaarRegistration.active,
                        Member.member_id.in_([fresh["member"]["memberId"], old_member]),
                    )
                )
            ).all()
        )
    assert tokens[fresh["member"]["memberId"]].startswith("v2:")
    assert tokens[old_member].startswith("v2:")  # re-tokenised under the current key


DEVANAGARI, FULL_WIDTH = 0x0966, 0xFF10
SCRIPTS = {"ascii": ord("0"), "devanagari": DEVANAGARI, "full-width": FULL_WIDTH}
ENROL_WITH_REASONS = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId status } verdict reasons { field level } errors { code field } } }"""


def _written_in(digits: str, script: str) -> str:
    zero = SCRIPTS[script]
    return digits.translate({ord("0") + d: zero + d for d in range(10)})


@pytest.mark.parametrize("first", sorted(SCRIPTS))
async def test_one_aadhaar_typed_in_three_scripts_is_one_membership(
    api: Api, world: World, sessions: Any, first: str
) -> None:
    aadhaar = aadhaar_number(1001)
    before = await _counts(sessions)
    enrolled = (await api.query(ENROL, _good(world, aadhaar=_written_in(aadhaar, first))))[
        "enrollMember"
    ]
    assert enrolled["verdict"] == "CLEAR"
    assert enrolled["member"]["maskedAadhaar"] == f"XXXX-XXXX-{aadhaar[-4:]}"  # ASCII last four
    others = [script for script in sorted(SCRIPTS) if script != first]
    for n, script in enumerate(others):
        # Another woman's profile and SHG: only the Aadhaar can refuse her.
        again = _good(
            world,
            shgCode=_shgs(world)[-1],
            name=f"Kamla {n}",
            relativeName="Mohan Lal",
            birthDate="1970-01-0" + str(n + 1),
            mobile=None,
            bankIfsc=None,
            bankAccount=None,
            aadhaar=_written_in(f"{aadhaar[:4]} {aadhaar[4:8]} {aadhaar[8:]}", script),
        )
        refused = (await api.query(ENROL, again))["enrollMember"]
        assert [e["code"] for e in refused["errors"]] == ["ALREADY_ENROLLED"], script
    # Nor can another member's profile correction take it in another script.
    someone = next(iter(world.members))
    taken = await api.query(
        UPDATE, {"input": {"memberId": someone, "aadhaar": _written_in(aadhaar, others[0])}}
    )
    assert [e["code"] for e in taken["updateMemberProfile"]["errors"]] == ["ALREADY_ENROLLED"]
    after = await _counts(sessions)
    assert after["member"] == before["member"] + 1
    assert after["aadhaar_registration"] == before["aadhaar_registration"] + 1


async def test_one_bank_account_typed_in_two_scripts_is_one_duplicate_signal(
    api: Api, world: World, sessions: Any
) -> None:
    account = "30012345678"
    first = (await api.query(ENROL, _good(world, bankAccount=account)))["enrollMember"]
    assert first["verdict"] == "CLEAR"
    for n, script in enumerate(["devanagari", "full-width"]):
        # The same woman under a respelt name, no Aadhaar, no mobile: the account speaks.
        second = _good(
            world,
            name="Phulmati",
            birthDate=None,
            birthYear=1984 + n,
            mobile=None,
            aadhaar=None,
            bankAccount=_written_in(account, script),
        )
        answer = (await api.query(ENROL_WITH_REASONS, second))["enrollMember"]
        # Without the account she would only be held for review.
        assert answer["verdict"] == "DUPLICATE", script
        assert {"field": "bank", "level": "same"} in answer["reasons"]
    async with sessions() as session:
        banked = list(
            await session.scalars(select(Member).where(Member.bank_ifsc == "SBIN0004567"))
        )
    assert [m.member_id for m in banked] == [first["member"]["memberId"]]


async def test_a_mobile_typed_in_devanagari_is_stored_and_matched_in_ascii(
    api: Api, world: World, sessions: Any
) -> None:
    mobile = "9876501234"
    first = (await api.query(ENROL, _good(world, mobile=_written_in(mobile, "devanagari"))))[
        "enrollMember"
    ]
    async with sessions() as session:
        stored = await session.scalar(
            select(Member.mobile).where(Member.member_id == first["member"]["memberId"])
        )
    assert stored == mobile
    again = _good(
        world,
        name="फूलमती देवी",
        birthDate=None,
        birthYear=1984,
        aadhaar=None,
        bankIfsc=None,
        bankAccount=None,
        mobile=_written_in(mobile, "full-width"),
    )
    refused = (await api.query(ENROL_WITH_REASONS, again))["enrollMember"]
    assert refused["verdict"] == "DUPLICATE"
    assert {"field": "mobile", "level": "same"} in refused["reasons"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("aadhaar", aadhaar_number(1001)[:11] + "\u00b2"),  # superscript two
        ("aadhaar", "\u2461" * 12),  # circled digits
        ("bankAccount", "3001234567\u00bd"),
        ("mobile", "98765\u2460\u2461\u2462\u2463\u2464"),
        ("aadhaar", "२" * 20_000),  # 60 KB: inside the body limit, far past any number
    ],
)
async def test_digit_likes_that_are_not_digits_are_invalid_not_an_internal_error(
    api: Api, world: World, sessions: Any, field: str, value: str
) -> None:
    before = await _counts(sessions)
    data = (await api.query(ENROL, _good(world, **{field: value})))["enrollMember"]
    assert [(e["code"], e["field"]) for e in data["errors"]] == [("INVALID", field)]
    assert await _counts(sessions) == before


async def test_after_key_rotation_a_shared_bank_account_is_still_matched(
    api: Api, world: World, sessions: Any, engine: Any
) -> None:
    """Her account was tokenised under key 1; the newcomer's under key 2 (key 1 still active)."""
    first = (await api.query(ENROL, _good(world)))["enrollMember"]
    assert first["verdict"] == "CLEAR"
    async with _after_rotation(api, engine) as after:
        # A respelt name, no Aadhaar, no mobile: without the account she is only held for review.
        second = _good(
            world, name="Phulmati", birthDate=None, birthYear=1984, mobile=None, aadhaar=None
        )
        answer = (await after.query(ENROL_WITH_REASONS, second))["enrollMember"]
    assert answer["verdict"] == "DUPLICATE"
    assert {"field": "bank", "level": "same"} in answer["reasons"]
    async with sessions() as session:
        assert (
            await session.scalar(select(func.count()).where(Member.bank_ifsc == "SBIN0004567")) == 1
        )


async def test_a_profile_correction_names_every_bad_field_in_one_answer(
    api: Api, world: World
) -> None:
    """Her profile's refusals came one per round trip, the profile's before the numbers'."""
    member_id = next(iter(world.aadhaar))
    bad = {"memberId": member_id, "name": " ", "birthYear": 1850, "mobile": "12345",
           "bankIfsc": "SBIN1004567", "bankAccount": "12"}  # fmt: skip
    data = (await api.query(UPDATE, {"input": bad}))["updateMemberProfile"]
    assert {(e["code"], e["field"]) for e in data["errors"]} == {
        ("REQUIRED", "name"),
        ("INVALID", "birthYear"),
        ("INVALID", "mobile"),
        ("INVALID", "bankIfsc"),
        ("INVALID", "bankAccount"),
    }
    assert data["member"] is None
