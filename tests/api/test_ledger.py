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
from tests.world import World, build_world, give_money

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


REJECT = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "not paid in"}) {
    errors { code } } }"""
DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id status } errors { code field message } } }"""


def _paying(shg: str, amount: str, account: str = "cash") -> dict[str, Any]:
    voucher = {
        "cboCode": shg,
        "voucherDate": "2024-04-08",
        "narration": "Stationery and travel",
        "lines": [
            {"account": "other_expenses", "debit": amount},
            {"account": account, "credit": amount},
        ],
    }
    return {"input": voucher}


async def _trial(api: Api, shg: str) -> dict[str, tuple[str, str]]:
    lines = (await api.query(TRIAL, {"c": shg}))["trialBalance"]["lines"]
    return {line["account"]: (line["debit"], line["credit"]) for line in lines}


async def test_no_voucher_or_loan_pays_out_more_cash_or_bank_than_the_group_holds(
    api: Api, world: World
) -> None:
    shg, members = _shg(world)
    saved = (await api.query(RECORD, _saving(shg, members[0], "310")))["recordVoucher"]
    await api.query(APPROVE, {"id": saved["voucher"]["id"]}, role=Role.APPROVER)
    loan = {
        "shgCode": shg, "memberId": members[1], "principal": "5000", "annualRatePercent": "24",
        "months": 10, "method": "FLAT", "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10",
    }  # fmt: skip
    for paid_from in ({}, {"paidFrom": "BANK"}):  # ₹310 in hand, nothing in the bank
        refused = (await api.query(DISBURSE, {"input": {**loan, **paid_from}}))["disburseLoan"]
        assert refused["loan"] is None
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("INSUFFICIENT_FUNDS", "principal")
        ]
    for amount, account in (("310.01", "cash"), ("1", "bank")):
        too_much = (await api.query(RECORD, _paying(shg, amount, account)))["recordVoucher"]
        assert [(e["code"], e["field"]) for e in too_much["errors"]] == [
            ("INSUFFICIENT_FUNDS", "lines[1].credit")
        ]
    # A reversal that takes back cash already spent is refused too.
    spent = (await api.query(RECORD, _paying(shg, "300")))["recordVoucher"]
    assert spent["errors"] == []
    assert (await api.query(APPROVE, {"id": spent["voucher"]["id"]}, role=Role.APPROVER))[
        "approveVoucher"
    ]["errors"] == []
    undo = (await api.query(REVERSE, {"id": saved["voucher"]["id"], "on": "2024-04-09"}))[
        "reverseVoucher"
    ]
    assert [(e["code"], e["field"]) for e in undo["errors"]] == [
        ("INSUFFICIENT_FUNDS", "voucherId")
    ]
    assert await _trial(api, shg) == {
        "cash": ("10.00", "0.00"),
        "savings_compulsory": ("0.00", "310.00"),
        "other_expenses": ("300.00", "0.00"),
    }


async def test_a_loan_is_paid_out_of_the_bank_account_when_the_group_says_so(
    api: Api, world: World
) -> None:
    shg, members = _shg(world)
    deposit = {
        "cboCode": shg, "voucherDate": "2024-04-07", "narration": "Savings banked",
        "lines": [{"account": "bank", "debit": "6000"},
                  {"account": "savings_compulsory", "credit": "6000", "memberId": members[0]}],
    }  # fmt: skip
    saved = (await api.query(RECORD, {"input": deposit}))["recordVoucher"]
    await api.query(APPROVE, {"id": saved["voucher"]["id"]}, role=Role.APPROVER)
    loan = {
        "shgCode": shg, "memberId": members[1], "principal": "5000", "annualRatePercent": "24",
        "months": 10, "method": "FLAT", "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10",
    }  # fmt: skip
    from_cash = (await api.query(DISBURSE, {"input": loan}))["disburseLoan"]  # cash is the default
    assert [e["code"] for e in from_cash["errors"]] == ["INSUFFICIENT_FUNDS"]
    made = (await api.query(DISBURSE, {"input": {**loan, "paidFrom": "BANK"}}))["disburseLoan"]
    assert made["errors"] == [] and made["loan"]["status"] == "PENDING"
    drafts = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) {
        edges { node { id } } } }"""
    draft = (await api.query(drafts, {"c": shg}))["vouchers"]["edges"][0]["node"]["id"]
    assert (await api.query(APPROVE, {"id": draft}, role=Role.APPROVER))["approveVoucher"][
        "errors"
    ] == []
    assert await _trial(api, shg) == {
        "bank": ("1000.00", "0.00"),
        "savings_compulsory": ("0.00", "6000.00"),
        "loans_to_members": ("5000.00", "0.00"),
    }
    group = {**loan, "memberId": None, "source": "VO_CIF", "paidFrom": "BANK"}
    refused = (await api.query(DISBURSE, {"input": group}))["disburseLoan"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", "paidFrom")]


async def test_two_drafts_each_fine_alone_do_not_both_post(api: Api, world: World) -> None:
    """Real concurrent connections on PostgreSQL: two checkers approve at once two vouchers
    that each fit what the group holds and together do not. The check is made under the
    lock posting takes on the cash balance, so one waits for the other, sees it, and is
    refused; the books never show cash below zero."""
    shg, members = _shg(world)
    kept = (await api.query(RECORD, _saving(shg, members[0], "100")))["recordVoucher"]
    await api.query(APPROVE, {"id": kept["voucher"]["id"]}, role=Role.APPROVER)
    for attempt in range(3):  # 100 in hand, 310 saved: each pays 310, and only one can
        saved = (await api.query(RECORD, _saving(shg, members[0], "310")))["recordVoucher"]
        await api.query(APPROVE, {"id": saved["voucher"]["id"]}, role=Role.APPROVER)
        # Savings said to be collected let both drafts be recorded; then they are rejected.
        said = (await api.query(RECORD, _saving(shg, members[1], "1000")))["recordVoucher"]
        first, second = [
            (await api.query(RECORD, _paying(shg, "310")))["recordVoucher"] for _ in range(2)
        ]
        assert first["errors"] == [] and second["errors"] == []
        rejected = await api.query(REJECT, {"id": said["voucher"]["id"]}, role=Role.APPROVER)
        assert rejected["rejectVoucher"]["errors"] == []
        results = await asyncio.gather(
            *(
                api.query(APPROVE, {"id": made["voucher"]["id"]}, role=Role.APPROVER, subject=who)
                for made, who in ((first, "ap-1"), (second, "ap-2"))
            )
        )
        errors = sorted(
            [(e["code"], e["field"]) for e in r["approveVoucher"]["errors"]] for r in results
        )
        assert errors == [[], [("INSUFFICIENT_FUNDS", "voucherId")]], (attempt, results)
        # Each attempt leaves 100 in hand; the refused draft waits for a decision.
        assert (await _trial(api, shg))["cash"] == ("100.00", "0.00")
        refused = next(
            m
            for m, r in zip((first, second), results, strict=True)
            if r["approveVoucher"]["errors"]
        )
        await api.query(REJECT, {"id": refused["voucher"]["id"]}, role=Role.APPROVER)


async def test_a_voucher_written_by_hand_cannot_make_a_loan(
    api: Api, world: World, sessions: Any
) -> None:
    """A loan without its record has no terms, schedule or borrower to collect from."""
    shg, members = _shg(world)
    saved = (await api.query(RECORD, _saving(shg, members[0], "5000")))["recordVoucher"]
    await api.query(APPROVE, {"id": saved["voucher"]["id"]}, role=Role.APPROVER)
    before = await _counts(sessions)
    lent = {
        "cboCode": shg, "voucherDate": "2024-04-08", "narration": "Loan to Sunita",
        "lines": [{"account": "loans_to_members", "debit": "5000", "memberId": members[1]},
                  {"account": "cash", "credit": "5000"}],
    }  # fmt: skip
    vo = next(a for a in world.cbos[shg].ancestors if a in world.cbos and a.startswith("VO-"))
    to_group = {
        "cboCode": vo, "voucherDate": "2024-04-08", "narration": "CIF to an SHG",
        "lines": [{"account": "cash", "debit": "1"}, {"account": "loans_to_shgs", "credit": "1"}],
    }  # fmt: skip
    borrowed = {
        "cboCode": shg, "voucherDate": "2024-04-08", "narration": "Bank loan",
        "lines": [{"account": "bank", "debit": "1"}, {"account": "loan_from_bank", "credit": "1"}],
    }  # fmt: skip
    for voucher, field in ((lent, "lines[0].account"), (to_group, "lines[1].account"),
                           (borrowed, "lines[1].account")):  # fmt: skip
        refused = (await api.query(RECORD, {"input": voucher}))["recordVoucher"]
        assert refused["voucher"] is None
        [error] = refused["errors"]
        assert (error["code"], error["field"]) == ("INVALID", field)
        assert "disburseLoan" in error["message"]
    assert await _counts(sessions) == before


async def test_a_meeting_banks_the_savings_it_took_but_no_more(api: Api, world: World) -> None:
    """The group holds nothing before the meeting: its deposit is paid from that day's cash."""
    shg, members = _shg(world)
    meeting = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
        meeting { vouchers { id } } errors { code field } } }"""
    saved = [{"memberId": m, "present": True, "savings": "100"} for m in members]

    def on(day: str, deposit: str) -> dict[str, Any]:
        return {"input": {"shgCode": shg, "heldOn": day, "members": saved, "bankDeposit": deposit}}

    too_much = (await api.query(meeting, on("2024-04-07", "200.01")))["recordMeeting"]
    assert too_much["errors"] == [{"code": "INSUFFICIENT_FUNDS", "field": "bankDeposit"}]
    made = (await api.query(meeting, on("2024-04-07", "200")))["recordMeeting"]
    assert made["errors"] == []
    checked = await api.query(
        APPROVE, {"id": made["meeting"]["vouchers"][-1]["id"]}, role=Role.APPROVER
    )  # the deposit's own voucher: the meeting posts whole, savings first
    assert checked["approveVoucher"]["errors"] == []
    assert await _trial(api, shg) == {
        "bank": ("200.00", "0.00"),
        "savings_compulsory": ("0.00", "200.00"),
    }


TRANSFER = """mutation($input: TransferMemberInput!) { transferMember(input: $input) {
    errors { code field } } }"""
MEETING = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
    meeting { id } errors { code field message } } }"""


async def test_no_voucher_or_meeting_names_her_before_she_joined_the_shg(
    api: Api, world: World, sessions: Any
) -> None:
    """Transferred into a group on 2024-08-01, she was credited savings there in 2021 and
    recorded at its meeting of 2022: books of a group she was not in."""
    _, members = _shg(world)
    other = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[1]
    her = members[0]
    moved = {"memberId": her, "toShgCode": other, "transferredOn": "2024-08-01", "reason": "wed"}
    assert (await api.query(TRANSFER, {"input": moved}))["transferMember"]["errors"] == []
    before = await _counts(sessions)
    early = await api.query(RECORD, _saving(other, her, voucherDate="2021-02-01"))
    assert [(e["code"], e["field"]) for e in early["recordVoucher"]["errors"]] == [
        ("INVALID", "voucherDate")
    ]
    for money in ({"savings": "50"}, {}):  # her savings, or only her presence
        meeting = {
            "shgCode": other,
            "heldOn": "2022-03-01",
            "members": [{"memberId": her, "present": True, **money}],
        }
        refused = (await api.query(MEETING, {"input": meeting}))["recordMeeting"]
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", "heldOn")]
    assert await _counts(sessions) == before
    # From the day she joined, both are hers to record.
    joined = await api.query(RECORD, _saving(other, her, voucherDate="2024-08-01"))
    assert joined["recordVoucher"]["errors"] == []


def _paying_out(shg: str, member: str, amount: str, *accounts: str) -> dict[str, Any]:
    """A hand-written voucher paying cash out of ``accounts``, each line naming her."""
    lines: list[dict[str, str]] = [
        {"account": account, "debit": amount, "memberId": member} for account in accounts
    ]
    total = str(Decimal(amount) * len(accounts))
    voucher = {
        "cboCode": shg,
        "voucherDate": "2024-04-09",
        "narration": "Paid out to her",
        "lines": [*lines, {"account": "cash", "credit": total}],
    }
    return {"input": voucher}


async def test_no_voucher_pays_her_more_than_she_saved_or_paid(
    api: Api, world: World, sessions: Any
) -> None:
    """₹500 of savings paid to a member who saved nothing posted (a loan with no record),
    and a debit to interest or fines naming her made what she paid negative."""
    shg, members = _shg(world)
    her = members[0]
    await give_money(sessions, shg, cash_paise=10_000_00)
    before = await _counts(sessions)
    for account in ("savings_compulsory", "savings_voluntary"):
        unsaved = await api.query(RECORD, _paying_out(shg, her, "500", account))
        assert [(e["code"], e["field"]) for e in unsaved["recordVoucher"]["errors"]] == [
            ("INSUFFICIENT_FUNDS", "lines[0].debit")
        ]
    for accounts in (("interest_income",), ("fines",), ("savings_compulsory", "fines")):
        undone = await api.query(RECORD, _paying_out(shg, her, "1", *accounts))
        assert [(e["code"], e["field"]) for e in undone["recordVoucher"]["errors"]] == [
            ("INVALID", f"lines[{len(accounts) - 1}].debit")
        ]
    assert await _counts(sessions) == before

    # Saved ₹300 (posted): paid out up to that, counting payouts still awaiting a checker.
    saved = (await api.query(RECORD, _saving(shg, her, "300")))["recordVoucher"]["voucher"]
    await api.query(APPROVE, {"id": saved["id"]}, role=Role.APPROVER)
    paid = await api.query(RECORD, _paying_out(shg, her, "200", "savings_compulsory"))
    assert paid["recordVoucher"]["errors"] == []
    more = await api.query(RECORD, _paying_out(shg, her, "100.01", "savings_compulsory"))
    assert [(e["code"], e["field"]) for e in more["recordVoucher"]["errors"]] == [
        ("INSUFFICIENT_FUNDS", "lines[0].debit")
    ]
    approved = await api.query(
        APPROVE, {"id": paid["recordVoucher"]["voucher"]["id"]}, role=Role.APPROVER
    )
    assert approved["approveVoucher"]["errors"] == []
    # Undoing the ₹300 she saved would leave her ₹200 paid out of nothing.
    undo = (await api.query(REVERSE, {"id": saved["id"], "on": "2024-04-10"}))["reverseVoucher"]
    assert [(e["code"], e["field"]) for e in undo["errors"]] == [
        ("INSUFFICIENT_FUNDS", "voucherId")
    ]

    # A payout recorded against a deposit still in draft posts only once the deposit has.
    deposit = await api.query(RECORD, _saving(shg, her, "50", voucherDate="2024-04-09"))
    early = await api.query(RECORD, _paying_out(shg, her, "150", "savings_compulsory"))
    assert early["recordVoucher"]["errors"] == []
    refused = await api.query(
        APPROVE, {"id": early["recordVoucher"]["voucher"]["id"]}, role=Role.APPROVER
    )
    assert [(e["code"], e["field"]) for e in refused["approveVoucher"]["errors"]] == [
        ("INSUFFICIENT_FUNDS", "voucherId")
    ]
    async with sessions() as session:
        held = await session.scalar(
            select(LedgerBalance.balance_paise).where(
                LedgerBalance.account == "savings_compulsory",
                LedgerBalance.member_pk == world.members[her].db_id,
            )
        )
    assert held == -100_00  # ₹300 saved less ₹200 paid: the refused approval moved nothing
    for voucher in (deposit, early):
        done = await api.query(
            APPROVE, {"id": voucher["recordVoucher"]["voucher"]["id"]}, role=Role.APPROVER
        )
        assert done["approveVoucher"]["errors"] == []
