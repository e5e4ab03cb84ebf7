"""Vouchers through the API: balanced books, maker–checker, reversals, typed refusals."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.access import Role
from ledger.models import LedgerBalance, Voucher, VoucherLine
from tests.conftest import Api
from tests.world import World, build_world

RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id status total madeBy lines { account debit credit member { memberId } } }
    errors { code field message } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) {
    voucher { id status checkedBy } errors { code field message } } }"""
REVERSE = """mutation($id: ID!, $on: Date!) { reverseVoucher(input: {voucherId: $id, reversedOn: $on, reason: "wrong member"}) {
    voucher { id status total narration reverses { id } } errors { code field message } } }"""
TRIAL = """query($c: String!) { trialBalance(cboCode: $c) { balanced totalDebit totalCredit
    lines { account debit credit } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _shg(world: World) -> tuple[str, list[str]]:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    members = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    return shg, members


def _saving(shg: str, member: str, amount: str = "100.00", **change: Any) -> dict[str, Any]:
    voucher = {
        "cboCode": shg,
        "voucherDate": "2024-04-07",
        "narration": "Weekly savings",
        "lines": [
            {"account": "cash", "debit": amount},
            {"account": "savings_compulsory", "credit": amount, "memberId": member},
        ],
    }
    return {"input": {**voucher, **change}}


async def _counts(sessions: Any) -> tuple[int, int, int]:
    async with sessions() as session:
        return tuple(  # type: ignore[return-value]
            [
                int(await session.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Voucher, VoucherLine, LedgerBalance)
            ]
        )


async def test_a_voucher_moves_balances_only_when_a_second_person_approves(
    api: Api, world: World
) -> None:
    shg, members = _shg(world)
    recorded = (
        await api.query(
            RECORD, _saving(shg, members[0], "250.50"), role=Role.BOOKKEEPER, subject="bk-1"
        )
    )["recordVoucher"]
    voucher = recorded["voucher"]
    assert (
        recorded["errors"] == [] and voucher["status"] == "DRAFT" and voucher["total"] == "250.50"
    )
    assert voucher["lines"][1] == {
        "account": "savings_compulsory",
        "debit": "0.00",
        "credit": "250.50",
        "member": {"memberId": members[0]},
    }
    assert (await api.query(TRIAL, {"c": shg}))["trialBalance"]["lines"] == []
    own = (await api.query(APPROVE, {"id": voucher["id"]}, role=Role.ADMIN, subject="bk-1"))[
        "approveVoucher"
    ]
    assert own["errors"][0]["code"] == "SELF_APPROVAL"
    ok = (await api.query(APPROVE, {"id": voucher["id"]}, role=Role.APPROVER, subject="ap-1"))[
        "approveVoucher"
    ]
    assert ok["voucher"]["status"] == "APPROVED" and ok["voucher"]["checkedBy"] == "ap-1"
    trial = (await api.query(TRIAL, {"c": shg}))["trialBalance"]
    assert trial == {
        "balanced": True,
        "totalDebit": "250.50",
        "totalCredit": "250.50",
        "lines": [
            {"account": "cash", "debit": "250.50", "credit": "0.00"},
            {"account": "savings_compulsory", "debit": "0.00", "credit": "250.50"},
        ],
    }
    again = (await api.query(APPROVE, {"id": voucher["id"]}, role=Role.APPROVER, subject="ap-2"))[
        "approveVoucher"
    ]
    assert again["errors"][0]["code"] == "INVALID_STATE"


async def test_reversal_restores_balances(api: Api, world: World) -> None:
    shg, members = _shg(world)
    voucher = (await api.query(RECORD, _saving(shg, members[0]), subject="bk-1"))["recordVoucher"][
        "voucher"
    ]
    await api.query(APPROVE, {"id": voucher["id"]}, role=Role.APPROVER, subject="ap-1")
    reversal = (
        await api.query(REVERSE, {"id": voucher["id"], "on": "2024-04-08"}, subject="bk-1")
    )["reverseVoucher"]
    assert (
        reversal["voucher"]["reverses"] == {"id": voucher["id"]}
        and reversal["voucher"]["status"] == "DRAFT"
    )
    second = (await api.query(REVERSE, {"id": voucher["id"], "on": "2024-04-08"}, subject="bk-1"))[
        "reverseVoucher"
    ]
    assert second["errors"][0]["code"] == "INVALID_STATE"
    await api.query(APPROVE, {"id": reversal["voucher"]["id"]}, role=Role.APPROVER, subject="ap-1")
    trial = (await api.query(TRIAL, {"c": shg}))["trialBalance"]
    assert trial == {"balanced": True, "totalDebit": "0.00", "totalCredit": "0.00", "lines": []}
    draft = (await api.query(RECORD, _saving(shg, members[0]), subject="bk-1"))["recordVoucher"][
        "voucher"
    ]
    unposted = (await api.query(REVERSE, {"id": draft["id"], "on": "2024-04-08"}))["reverseVoucher"]
    assert unposted["errors"][0]["code"] == "INVALID_STATE"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            {
                "lines": [
                    {"account": "cash", "debit": "100"},
                    {"account": "bank", "credit": "99.99"},
                ]
            },
            "lines",
            "UNBALANCED",
        ),
        (
            {
                "lines": [
                    {"account": "cash", "debit": "-100"},
                    {"account": "bank", "credit": "-100"},
                ]
            },
            "lines[0].debit",
            "INVALID",
        ),
        (
            {
                "lines": [
                    {"account": "cash", "debit": "10.005"},
                    {"account": "bank", "credit": "10.005"},
                ]
            },
            "lines[0].debit",
            "INVALID",
        ),
        ({"lines": [{"account": "cash", "debit": "10"}]}, "lines", "INVALID"),
        (
            {
                "lines": [
                    {"account": "cash", "debit": "10", "credit": "10"},
                    {"account": "bank", "credit": "0"},
                ]
            },
            "lines[0]",
            "INVALID",
        ),
        (
            {
                "lines": [
                    {"account": "loans_to_shgs", "debit": "10"},
                    {"account": "cash", "credit": "10"},
                ]
            },
            "lines[0].account",
            "INVALID",
        ),
        (
            {
                "lines": [
                    {"account": "cash", "debit": "10"},
                    {"account": "savings_compulsory", "credit": "10"},
                ]
            },
            "lines[1].memberId",
            "REQUIRED",
        ),
        ({"voucherDate": "2999-01-01"}, "voucherDate", "INVALID"),
        ({"voucherDate": "2019-01-01"}, "voucherDate", "INVALID"),
        ({"cboCode": "SHG-NOPE0000"}, "cboCode", "NOT_FOUND"),
        ({"narration": " "}, "narration", "REQUIRED"),
    ],
)
async def test_bad_vouchers_are_refused_and_nothing_written(
    api: Api, world: World, sessions: Any, change: dict[str, Any], field: str, code: str
) -> None:
    shg, members = _shg(world)
    before = await _counts(sessions)
    payload = _saving(shg, members[0])
    payload["input"].update(change)
    data = (await api.query(RECORD, payload))["recordVoucher"]
    assert data["voucher"] is None
    assert [(e["code"], e["field"]) for e in data["errors"]] == [(code, field)]
    assert await _counts(sessions) == before


async def test_an_unbalanced_voucher_is_explained_in_rupees(api: Api, world: World) -> None:
    shg, members = _shg(world)
    payload = _saving(shg, members[0])
    payload["input"]["lines"] = [
        {"account": "cash", "debit": "1250.50"},
        {"account": "bank", "credit": "1200"},
    ]
    error = (await api.query(RECORD, payload))["recordVoucher"]["errors"][0]
    assert error["code"] == "UNBALANCED"
    assert error["message"] == "Debits (₹1250.50) and credits (₹1200.00) differ by ₹50.50"


async def test_a_member_held_for_review_is_refused_as_such(api: Api, world: World) -> None:
    shg, _ = _shg(world)
    enrol = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
        member { memberId status } verdict } }"""
    person = {
        "shgCode": shg,
        "name": "Smt. Phoolmati Devi",
        "gender": "F",
        "relativeName": "Ram Prasad",
        "relation": "HUSBAND",
        "birthDate": "1984-07-15",
        "mobile": "9876501234",
    }
    await api.query(enrol, {"input": person})
    doubtful = {"shgCode": shg, "name": "Fulmati", "gender": "F", "birthYear": 1985}
    held = (await api.query(enrol, {"input": doubtful}))["enrollMember"]
    assert held["verdict"] == "REVIEW"
    data = (await api.query(RECORD, _saving(shg, held["member"]["memberId"])))["recordVoucher"]
    error = data["errors"][0]
    assert (error["code"], error["field"]) == ("PENDING_REVIEW", "lines[1].memberId")
    assert "review" in error["message"] and "left" not in error["message"]


async def test_amounts_must_be_text_never_floats(api: Api, world: World) -> None:
    shg, members = _shg(world)
    payload = _saving(shg, members[0])
    payload["input"]["lines"][0]["debit"] = 100.0
    response = await api.post(RECORD, payload, token=api.token())
    assert response.json()["data"] is None and "never a number" in response.text


async def test_a_member_who_left_cannot_be_in_a_voucher(api: Api, world: World) -> None:
    shg, members = _shg(world)
    await api.query(
        """mutation($m: String!) { exitMember(input: {memberId: $m, exitedOn: "2024-01-01", reason: "moved"}) { errors { code } } }""",
        {"m": members[1]},
    )
    data = (await api.query(RECORD, _saving(shg, members[1])))["recordVoucher"]
    assert [(e["code"], e["field"]) for e in data["errors"]] == [
        ("INVALID_STATE", "lines[1].memberId")
    ]


async def test_approval_outside_scope_is_not_found(api: Api, world: World) -> None:
    shg, members = _shg(world)
    voucher = (await api.query(RECORD, _saving(shg, members[0]), subject="bk-1"))["recordVoucher"][
        "voucher"
    ]
    elsewhere = sorted(
        c for c, t in world.geo.items() if t.kind == "block" and c not in world.cbos[shg].ancestors
    )[0]
    data = (await api.query(APPROVE, {"id": voucher["id"]}, role=Role.APPROVER, scope=elsewhere))[
        "approveVoucher"
    ]
    assert data["errors"] == [
        {
            "code": "NOT_FOUND",
            "field": "voucherId",
            "message": "No voucher with this id in your scope",
        }
    ]
    hidden = await api.query(
        "query($c: String!) { trialBalance(cboCode: $c) { balanced } vouchers(cboCode: $c) { totalCount } }",
        {"c": shg},
        role=Role.ANALYST,
        scope=elsewhere,
    )
    assert hidden == {"trialBalance": None, "vouchers": {"totalCount": 0}}


async def test_replayed_voucher_is_recorded_once(api: Api, world: World, sessions: Any) -> None:
    shg, members = _shg(world)
    payload = _saving(shg, members[0], idempotencyKey="phone-2:v:19")
    first = await api.query(RECORD, payload, subject="bk-1")
    after = await _counts(sessions)
    replays = await asyncio.gather(*(api.query(RECORD, payload, subject="bk-1") for _ in range(5)))
    assert all(r == first for r in replays)
    assert await _counts(sessions) == after


async def test_racing_approvals_post_once(api: Api, world: World, sessions: Any) -> None:
    shg, members = _shg(world)
    voucher = (await api.query(RECORD, _saving(shg, members[0], "75"), subject="bk-1"))[
        "recordVoucher"
    ]["voucher"]
    results = await asyncio.gather(
        *(
            api.query(APPROVE, {"id": voucher["id"]}, role=Role.APPROVER, subject=f"ap-{i}")
            for i in range(10)
        )
    )
    assert sum(1 for r in results if r["approveVoucher"]["errors"] == []) == 1
    trial = (await api.query(TRIAL, {"c": shg}))["trialBalance"]
    assert trial["totalDebit"] == "75.00" and trial["balanced"]


PASSBOOK = """query($m: String!) { passbook(memberId: $m) { member { memberId }
    balances { account balance } entries { narration account debit credit balance } } }"""


async def test_passbook_shows_posted_entries_with_running_balances(api: Api, world: World) -> None:
    shg, members = _shg(world)
    ids = []
    for amount, member in [
        ("100", members[0]),
        ("50.25", members[0]),
        ("70", members[1]),
        ("999", members[0]),
    ]:
        voucher = (await api.query(RECORD, _saving(shg, member, amount), subject="bk-1"))[
            "recordVoucher"
        ]["voucher"]
        ids.append(voucher["id"])
    for voucher_id in ids[:3]:  # the last stays a draft: not in her passbook
        await api.query(APPROVE, {"id": voucher_id}, role=Role.APPROVER, subject="ap-1")
    book = (await api.query(PASSBOOK, {"m": members[0]}))["passbook"]
    assert book["balances"] == [{"account": "savings_compulsory", "balance": "150.25"}]
    assert [(e["credit"], e["balance"]) for e in book["entries"]] == [
        ("100.00", "100.00"),
        ("50.25", "150.25"),
    ]
    # Her sub-ledger and her neighbour's add up to the SHG's control account.
    other = (await api.query(PASSBOOK, {"m": members[1]}))["passbook"]["balances"]
    trial = (await api.query(TRIAL, {"c": shg}))["trialBalance"]["lines"]
    control = next(line for line in trial if line["account"] == "savings_compulsory")["credit"]
    assert Decimal(control) == Decimal("150.25") + Decimal(other[0]["balance"])
    elsewhere = sorted(
        c for c, t in world.geo.items() if t.kind == "block" and c not in world.cbos[shg].ancestors
    )[0]
    assert await api.query(PASSBOOK, {"m": members[0]}, role=Role.ANALYST, scope=elsewhere) == {
        "passbook": None
    }
