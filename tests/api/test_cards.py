"""ID cards through the API: issuance is recorded and audited, and an exit or a transfer
revokes her cards on the signed list partners check offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.access import Role
from core.audit import AuditEvent
from dedup.sweep import sweep
from hierarchy.models import Member, MembershipPeriod
from identity.cards import CardError, Revocations, verify_card, verify_revocations
from tests.conftest import Api
from tests.world import World, build_world

CARD = "query($m: String!) { idCard(memberId: $m) { token memberId issuedAt expiresAt } }"
TRANSFER = """mutation($input: TransferMemberInput!) { transferMember(input: $input) {
    member { memberId } errors { code field message } } }"""
EXIT = """mutation($input: ExitMemberInput!) { exitMember(input: $input) {
    member { memberId } errors { code field message } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


async def _card(api: Api, member_id: str) -> str:
    card = (await api.query(CARD, {"m": member_id}))["idCard"]
    assert card is not None
    token: str = card["token"]
    return token


async def _keys_and_revocations(api: Api) -> tuple[dict[str, Any], Revocations]:
    jwks = (await api.client.get("/.well-known/jwks.json")).json()
    served = await api.client.get("/.well-known/card-revocations.json")
    assert served.status_code == 200
    return jwks, verify_revocations(served.json()["signed"], jwks, max_age=timedelta(minutes=5))


async def test_a_card_issued_before_her_exit_is_listed_revoked(api: Api, world: World) -> None:
    member_id, other_id = sorted(world.members)[:2]
    before_exit = await _card(api, member_id)
    other_card = await _card(api, other_id)
    jwks, revocations = await _keys_and_revocations(api)
    assert verify_card(before_exit, jwks, revocations)["sub"] == member_id
    exited = await api.query(
        EXIT, {"input": {"memberId": member_id, "exitedOn": "2024-03-31", "reason": "moved away"}}
    )
    assert exited["exitMember"]["errors"] == []
    jwks, revocations = await _keys_and_revocations(api)
    with pytest.raises(CardError, match="revoked"):
        verify_card(before_exit, jwks, revocations)
    assert verify_card(other_card, jwks, revocations)["sub"] == other_id
    # The list names cards by jti only: no member ID, name or number.
    listed = (await api.client.get("/.well-known/card-revocations.json")).text
    assert member_id not in listed
    assert world.aadhaar[member_id] not in listed
    assert await api.query(CARD, {"m": member_id}) == {"idCard": None}


async def test_a_transfer_revokes_her_card_and_the_next_names_her_new_shg(
    api: Api, world: World
) -> None:
    member_id = sorted(world.members)[0]
    target = sorted(
        c for c, t in world.cbos.items() if t.kind == "shg" and c not in world.members[member_id].ancestors
    )[0]  # fmt: skip
    old_card = await _card(api, member_id)
    moved = await api.query(
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
    assert moved["transferMember"]["errors"] == []
    new_card = await _card(api, member_id)
    jwks, revocations = await _keys_and_revocations(api)
    with pytest.raises(CardError, match="revoked"):
        verify_card(old_card, jwks, revocations)
    assert verify_card(new_card, jwks, revocations)["shg"] == target


async def test_a_card_carries_its_expiry_and_issuance_is_audited(
    api: Api, world: World, sessions: Any
) -> None:
    member_id = sorted(world.members)[0]
    card = (await api.query(CARD, {"m": member_id}, subject="bk-card-7"))["idCard"]
    jwks, revocations = await _keys_and_revocations(api)
    claims = verify_card(card["token"], jwks, revocations)
    issued = datetime.fromisoformat(card["issuedAt"])
    expires = datetime.fromisoformat(card["expiresAt"])
    assert expires - issued == timedelta(days=api.settings.card_valid_days)
    assert claims["exp"] == int(expires.timestamp()) and claims["jti"]
    async with sessions() as session:
        events = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "card.issued"))
        )
    assert [(e.actor, e.entity_type, e.detail["jti"]) for e in events] == [
        ("bk-card-7", "member", claims["jti"])
    ]
    # Ids, not names: the audit row holds nothing the card says about her person.
    assert claims["name"] not in str(events[0].detail)
    assert world.aadhaar[member_id][-4:] not in str(events[0].detail)
    printed = await api.client.get(
        f"/cards/{member_id}", headers={"Authorization": f"Bearer {api.token(Role.BOOKKEEPER)}"}
    )
    assert printed.status_code == 200
    async with sessions() as session:
        count = len(
            list(
                await session.scalars(select(AuditEvent).where(AuditEvent.action == "card.issued"))
            )
        )
    assert count == 2


async def test_the_revocation_list_is_signed_and_dated(api: Api, world: World) -> None:
    jwks, revocations = await _keys_and_revocations(api)
    assert datetime.now(UTC) - revocations.issued_at < timedelta(minutes=1)
    signed = (await api.client.get("/.well-known/card-revocations.json")).json()["signed"]
    header, payload, signature = signed.split(".")
    forged = (
        f"{header}.{payload}.{signature[:-4]}{'AAAA' if not signature.endswith('AAAA') else 'BBBB'}"
    )
    with pytest.raises(CardError, match="do not verify"):
        verify_revocations(forged, jwks)
    # A card cannot pass for a revocation list, nor a list for a card.
    card = await _card(api, sorted(world.members)[0])
    with pytest.raises(CardError, match="not a card revocation list"):
        verify_revocations(card, jwks)
    with pytest.raises(CardError, match="not a card"):
        verify_card(signed, jwks)


async def test_a_duplicate_decision_revokes_the_later_records_cards(
    api: Api, world: World, sessions: Any
) -> None:
    """Two active records of one woman (a bulk load), found by the sweep: when a reviewer
    decides they are one, the cards printed for the later record stop verifying."""
    original_id = sorted(world.members)[0]
    async with sessions() as session, session.begin():
        original = await session.scalar(select(Member).where(Member.member_id == original_id))
        assert original is not None
        twin = Member(
            **{
                c.key: getattr(original, c.key)
                for c in Member.__table__.columns
                if c.key not in ("id", "member_id", "created_at")
            },
            member_id="99999999990",
        )
        session.add(twin)
        await session.flush()
        session.add(
            MembershipPeriod(member_pk=twin.id, shg_id=twin.shg_id, joined_on=twin.joined_on)
        )
    assert (await sweep(sessions)).queued >= 1
    twin_card, original_card = await _card(api, "99999999990"), await _card(api, original_id)
    queue = await api.query(
        "{ duplicateCandidates(first: 10) { edges { node { id earlier { memberId } "
        "later { memberId } } } } }",
        role=Role.REVIEWER,
    )
    [pair] = [
        edge
        for edge in queue["duplicateCandidates"]["edges"]
        # Reviewers see member IDs masked to their last four digits.
        if edge["node"]["earlier"]["memberId"][-4:] == original_id[-4:]
        and edge["node"]["later"]["memberId"][-4:] == "9990"
    ]
    decided = await api.query(
        """mutation($input: DecideMatchInput!) { decideMatch(input: $input) { errors { code } } }""",
        {"input": {"id": pair["node"]["id"], "decision": "DUPLICATE"}},
        role=Role.REVIEWER,
    )
    assert decided["decideMatch"]["errors"] == []
    jwks, revocations = await _keys_and_revocations(api)
    with pytest.raises(CardError, match="revoked"):
        verify_card(twin_card, jwks, revocations)
    assert verify_card(original_card, jwks, revocations)["sub"] == original_id


UPDATE = """mutation($input: UpdateMemberProfileInput!) { updateMemberProfile(input: $input) {
    errors { code } } }"""


async def test_a_correction_of_what_her_card_shows_revokes_it(api: Api, world: World) -> None:
    """A card printed with a misspelt name went on verifying beside the corrected one; a
    change the card does not show (her mobile) leaves it valid."""
    member_id = sorted(world.members)[0]
    card = await _card(api, member_id)
    fixed = await api.query(UPDATE, {"input": {"memberId": member_id, "mobile": "9876512345"}})
    assert fixed["updateMemberProfile"]["errors"] == []
    jwks, revocations = await _keys_and_revocations(api)
    assert verify_card(card, jwks, revocations)["sub"] == member_id
    renamed = await api.query(UPDATE, {"input": {"memberId": member_id, "name": "Sunita Devi"}})
    assert renamed["updateMemberProfile"]["errors"] == []
    jwks, revocations = await _keys_and_revocations(api)
    with pytest.raises(CardError, match="revoked"):
        verify_card(card, jwks, revocations)
    assert verify_card(await _card(api, member_id), jwks, revocations)["name"] == "Sunita Devi"
