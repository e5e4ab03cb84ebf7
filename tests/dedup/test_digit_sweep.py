"""The digit sweep finds a woman enrolled twice through a Devanagari Aadhaar, on both backends.

Her first membership is stored as the release before ASCII digits stored
it (tokens of the digits as typed, last fours and mobile as typed); her
second, typed in ASCII, then passes enrolment. The sweep repairs the first,
queues the pair for a reviewer, and finds nothing more when run again.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from sqlalchemy import func, select

from core.access import Role
from core.audit import AuditEvent
from dedup.digit_sweep import sweep_digits
from dedup.models import DuplicateCandidate, MatchKey
from dedup.online import store_keys
from hierarchy.models import Member
from identity.models import AadhaarRegistration
from tests.api.test_dedup import DECIDE
from tests.conftest import Api
from tests.world import TEST_KEYRING, World, aadhaar_number, build_world

ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId status } verdict errors { code field } } }"""
UPDATE = """mutation($input: UpdateMemberProfileInput!) { updateMemberProfile(input: $input) {
    member { maskedAadhaar } errors { code field } } }"""
QUEUE = """{ duplicateCandidates(first: 10) { totalCount edges { node { id foundBy status
    earlier { memberId maskedAadhaar maskedMobile } later { memberId } } } } }"""
AADHAAR, ACCOUNT, MOBILE, IFSC = aadhaar_number(1001), "30012345678", "9876501234", "SBIN0004567"


def devanagari(digits: str) -> str:
    return digits.translate({ord("0") + d: 0x0966 + d for d in range(10)})


def _token_as_typed(kind: str, typed: str) -> str:
    """The token the release before ASCII digits made: an HMAC of the digits as typed."""
    mac = hmac.new(TEST_KEYRING.keys[1], f"{kind}:{typed}".encode(), hashlib.sha256)
    return f"v1:{mac.hexdigest()}"


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _her(shg: str, **change: Any) -> dict[str, Any]:
    return {
        "input": {
            "shgCode": shg,
            "name": "Smt. Phoolmati Devi",
            "gender": "F",
            "relativeName": "Ram Prasad",
            "relation": "HUSBAND",
            "birthDate": "1984-07-15",
            "mobile": MOBILE,
            "aadhaar": AADHAAR,
            "bankIfsc": IFSC,
            "bankAccount": ACCOUNT,
            **change,
        }
    }


async def _as_the_old_release_stored_her(sessions: Any, member_id: str) -> None:
    """Her numbers as stored when they were typed in Devanagari, before they were read as ASCII.

    That release kept the digits as typed, except that a mobile had to begin with an ASCII 6-9.
    """
    async with sessions() as session, session.begin():
        member = await session.scalar(select(Member).where(Member.member_id == member_id))
        assert member is not None
        registration = await session.scalar(
            select(AadhaarRegistration).where(AadhaarRegistration.member_pk == member.id)
        )
        assert registration is not None
        registration.token = _token_as_typed("aadhaar", devanagari(AADHAAR))
        member.aadhaar_last4 = devanagari(AADHAAR[-4:])
        member.bank_token = _token_as_typed("bank", f"{IFSC}:{devanagari(ACCOUNT)}")
        member.bank_last4 = devanagari(ACCOUNT[-4:])
        member.mobile = MOBILE[0] + devanagari(MOBILE[1:])
        await store_keys(session, member)


async def test_the_digit_sweep_queues_a_woman_enrolled_twice_through_devanagari_digits(
    api: Api, world: World, sessions: Any
) -> None:
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg")
    first = (await api.query(ENROL, _her(shgs[0])))["enrollMember"]["member"]["memberId"]
    await _as_the_old_release_stored_her(sessions, first)
    # The hole: typed in ASCII she is a different token, and the two tokens "contradict".
    second = (await api.query(ENROL, _her(shgs[-1])))["enrollMember"]
    assert second["verdict"] == "CLEAR"
    second_id = second["member"]["memberId"]

    report = await sweep_digits(sessions)
    assert (report.repaired, report.queued) == (1, 1)
    assert report.give_again == {first: ["aadhaar", "bank"]}
    async with sessions() as session:
        member = await session.scalar(select(Member).where(Member.member_id == first))
        assert member is not None
        assert (member.aadhaar_last4, member.bank_last4, member.mobile) == (
            AADHAAR[-4:],
            ACCOUNT[-4:],
            MOBILE,
        )
        assert member.bank_token is None and member.bank_ifsc == IFSC
        registrations = list(
            await session.scalars(
                select(AadhaarRegistration.active).where(AadhaarRegistration.member_pk == member.id)
            )
        )
        assert registrations == [False]  # retired, not deleted
        keys = set(
            await session.scalars(select(MatchKey.key).where(MatchKey.member_pk == member.id))
        )
        assert f"m:{MOBILE}" in keys and not any(k.startswith("b:") for k in keys)
        [event] = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "member.digits_repaired")
        )
        assert event.entity_id == member.id
        assert event.detail["fields"] == ["aadhaar_last4", "bank_last4", "mobile"]
        assert event.detail["retired"] == ["aadhaar", "bank"]
        text = str(event.detail)
        assert AADHAAR[-4:] not in text and ACCOUNT[-4:] not in text and MOBILE[-4:] not in text

    # A reviewer sees the pair as any other, and decides it.
    queue = (await api.query(QUEUE, role=Role.REVIEWER))["duplicateCandidates"]
    assert queue["totalCount"] == 1
    pair = queue["edges"][0]["node"]
    assert pair["foundBy"] == "DIGIT_REPAIR" and pair["status"] == "OPEN"
    assert pair["earlier"]["memberId"][-4:] == first[-4:]
    assert pair["later"]["memberId"][-4:] == second_id[-4:]
    assert pair["earlier"]["maskedAadhaar"] == f"XXXX-XXXX-{AADHAAR[-4:]}"
    assert pair["earlier"]["maskedMobile"] == f"XXXXXX{MOBILE[-4:]}"
    decided = await api.query(
        DECIDE, {"input": {"id": pair["id"], "decision": "DUPLICATE"}}, role=Role.REVIEWER
    )
    assert decided["decideMatch"]["candidate"]["later"]["status"] == "EXITED"
    # Her Aadhaar, given again, is tokenised afresh and guards her membership once more.
    again = await api.query(UPDATE, {"input": {"memberId": first, "aadhaar": AADHAAR}})
    assert again["updateMemberProfile"]["errors"] == []
    refused = (await api.query(ENROL, _her(shgs[1], aadhaar=devanagari(AADHAAR))))["enrollMember"]
    assert [e["code"] for e in refused["errors"]] == ["ALREADY_ENROLLED"]

    # Run twice: nothing more is found, nothing is queued again.
    assert await sweep_digits(sessions) == type(report)()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DuplicateCandidate)) == 1
        assert (
            await session.scalar(
                select(func.count()).where(AuditEvent.action == "member.digits_repaired")
            )
            == 1
        )


async def test_the_digit_sweep_leaves_ascii_members_alone_and_repairs_a_mobile_only(
    api: Api, world: World, sessions: Any
) -> None:
    """A mobile typed in Devanagari tells nothing of her Aadhaar: it stays registered."""
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    member_id = (await api.query(ENROL, _her(shg)))["enrollMember"]["member"]["memberId"]
    async with sessions() as session, session.begin():
        member = await session.scalar(select(Member).where(Member.member_id == member_id))
        assert member is not None
        member.mobile = MOBILE[0] + devanagari(MOBILE[1:])
        tokens_before = (member.bank_token, member.aadhaar_last4)
    report = await sweep_digits(sessions, batch=1)
    assert (report.repaired, report.queued, report.give_again) == (1, 0, {})
    async with sessions() as session:
        member = await session.scalar(select(Member).where(Member.member_id == member_id))
        assert member is not None and member.mobile == MOBILE
        assert (member.bank_token, member.aadhaar_last4) == tokens_before
        active = await session.scalar(
            select(func.count()).where(
                AadhaarRegistration.member_pk == member.id, AadhaarRegistration.active
            )
        )
        assert active == 1
        repaired = await session.scalar(
            select(func.count()).where(AuditEvent.action == "member.digits_repaired")
        )
        assert repaired == 1  # the world's sixteen ASCII members were not touched
