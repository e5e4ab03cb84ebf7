"""recordMeeting: one atomic step from a meeting to its vouchers; typed refusals write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.access import Role
from ledger.models import Attendance, Meeting, Voucher
from tests.conftest import Api
from tests.world import World, build_world, enroll_members

MEETING = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
    meeting { id heldOn present vouchers { narration status total lines { account debit credit } } }
    errors { code field message } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions, money_paise=100_000_00)


def _shg(world: World) -> tuple[str, list[str]]:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    return shg, sorted(m for m, t in world.members.items() if shg in t.ancestors)


def _meeting(shg: str, people: list[str], **change: Any) -> dict[str, Any]:
    meeting = {
        "shgCode": shg,
        "heldOn": "2024-04-07",
        "bankDeposit": "150",
        "members": [
            {"memberId": people[0], "present": True, "savings": "100", "fine": "5"},
            {
                "memberId": people[1],
                "present": False,
                "savings": "100",
                "voluntarySavings": "20.50",
            },
        ],
    }
    return {"input": {**meeting, **change}}


async def _counts(sessions: Any) -> tuple[int, ...]:
    async with sessions() as session:
        return tuple(
            [
                int(await session.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Meeting, Attendance, Voucher)
            ]
        )


async def test_a_meeting_becomes_its_vouchers(api: Api, world: World) -> None:
    shg, members = _shg(world)
    data = (await api.query(MEETING, _meeting(shg, members), role=Role.BOOKKEEPER))["recordMeeting"]
    meeting = data["meeting"]
    assert data["errors"] == [] and meeting["present"] == 1
    by_narration = {v["narration"]: v for v in meeting["vouchers"]}
    savings = by_narration["Savings at meeting of 2024-04-07"]
    assert savings["total"] == "220.50" and savings["status"] == "DRAFT"
    assert sorted(
        (line["account"], line["credit"]) for line in savings["lines"] if line["credit"] != "0.00"
    ) == [
        ("savings_compulsory", "100.00"),
        ("savings_compulsory", "100.00"),
        ("savings_voluntary", "20.50"),
    ]
    assert by_narration["Fines at meeting of 2024-04-07"]["total"] == "5.00"
    assert by_narration["Deposited in bank"]["total"] == "150.00"
    again = (await api.query(MEETING, _meeting(shg, members)))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("DUPLICATE", "heldOn")]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"heldOn": "2999-01-01"}, "heldOn", "INVALID"),
        ({"members": []}, "members", "REQUIRED"),
        ({"bankDeposit": "-1"}, "bankDeposit", "INVALID"),
        (
            {"members": [{"memberId": "99999999999", "present": True}]},
            "members[0].memberId",
            "NOT_FOUND",
        ),
        (
            {"members": [{"memberId": "X", "present": True, "savings": "1.001"}]},
            "members[0].savings",
            "INVALID",
        ),
    ],
)
async def test_bad_meetings_write_nothing(
    api: Api, world: World, sessions: Any, change: dict[str, Any], field: str, code: str
) -> None:
    shg, members = _shg(world)
    before = await _counts(sessions)
    data = (await api.query(MEETING, _meeting(shg, members, **change)))["recordMeeting"]
    assert data["meeting"] is None
    assert [(e["code"], e["field"]) for e in data["errors"]] == [(code, field)]
    assert await _counts(sessions) == before


async def test_a_meeting_with_a_member_who_left_writes_nothing(
    api: Api, world: World, sessions: Any
) -> None:
    shg, members = _shg(world)
    await api.query(
        """mutation($m: String!) { exitMember(input: {memberId: $m, exitedOn: "2024-01-01", reason: "moved"}) { errors { code } } }""",
        {"m": members[1]},
    )
    before = await _counts(sessions)
    data = (await api.query(MEETING, _meeting(shg, members)))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in data["errors"]] == [
        ("INVALID_STATE", "members[1].memberId")
    ]
    assert await _counts(sessions) == before


async def test_a_meeting_replayed_by_the_phone_is_written_once(
    api: Api, world: World, sessions: Any
) -> None:
    shg, members = _shg(world)
    payload = _meeting(shg, members, idempotencyKey="phone-4:meeting:2024-04-07")
    first = await api.query(MEETING, payload, subject="bk-4")
    after = await _counts(sessions)
    assert await api.query(MEETING, payload, subject="bk-4") == first
    assert await _counts(sessions) == after


async def test_repayments_at_a_meeting_become_split_vouchers(api: Api, world: World) -> None:
    from tests.api.test_loans import DISBURSE, _approve_latest_draft, _loan

    shg, members = _shg(world)
    loan = (await api.query(DISBURSE, _loan(shg, members[0]), subject="bk-1"))["disburseLoan"][
        "loan"
    ]
    await _approve_latest_draft(api, shg)
    payload = _meeting(
        shg, members, heldOn="2024-05-10", repayments=[{"loanId": loan["id"], "amount": "1240"}]
    )
    data = (await api.query(MEETING, payload))["recordMeeting"]
    repaid = next(v for v in data["meeting"]["vouchers"] if "repayment" in v["narration"])
    assert sorted(
        (line["account"], line["credit"]) for line in repaid["lines"] if line["credit"] != "0.00"
    ) == [("interest_income", "240.00"), ("loans_to_members", "1000.00")]
    wrong = _meeting(
        shg, members, heldOn="2024-05-19", repayments=[{"loanId": loan["id"], "amount": "99999"}]
    )
    refused = (await api.query(MEETING, wrong))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("INVALID", "repayments[0].amount")
    ]


VOUCHERS = """query($c: String!, $s: VoucherStatus) { vouchers(cboCode: $c, status: $s, first: 50) {
    edges { node { id status } } } }"""


async def test_a_meeting_is_checked_whole_and_a_rejected_one_frees_its_day(
    api: Api, world: World
) -> None:
    shg, members = _shg(world)
    made = await api.query(MEETING, _meeting(shg, members), role=Role.BOOKKEEPER)
    assert len(made["recordMeeting"]["meeting"]["vouchers"]) == 3  # savings, fines, deposit
    again = (await api.query(MEETING, _meeting(shg, members)))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("DUPLICATE", "heldOn")]
    drafts = (await api.query(VOUCHERS, {"c": shg, "s": "DRAFT"}))["vouchers"]["edges"]
    reject = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "wrong day"}) {
        errors { code } } }"""
    done = await api.query(reject, {"id": drafts[0]["node"]["id"]}, role=Role.APPROVER)
    assert done["rejectVoucher"]["errors"] == []
    rejected = (await api.query(VOUCHERS, {"c": shg, "s": "REJECTED"}))["vouchers"]["edges"]
    assert len(rejected) == 3  # the whole meeting, not one of its vouchers
    # It never happened: the day is free again, and the new meeting is approved whole.
    redone = await api.query(MEETING, _meeting(shg, members, bankDeposit="200"))
    assert redone["recordMeeting"]["errors"] == []
    [first, *_] = (await api.query(VOUCHERS, {"c": shg, "s": "DRAFT"}))["vouchers"]["edges"]
    approve = (
        """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { errors { code } } }"""
    )
    done = await api.query(approve, {"id": first["node"]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    assert (await api.query(VOUCHERS, {"c": shg, "s": "DRAFT"}))["vouchers"]["edges"] == []
    assert len((await api.query(VOUCHERS, {"c": shg, "s": "APPROVED"}))["vouchers"]["edges"]) == 4
    third = (await api.query(MEETING, _meeting(shg, members)))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in third["errors"]] == [("DUPLICATE", "heldOn")]
    # Reversed (whole, once a checker approves the reversal), it no longer holds the day.
    reverse = """mutation($id: ID!) { reverseVoucher(input: {voucherId: $id,
        reversedOn: "2024-04-08", reason: "recorded against the wrong group"}) {
        voucher { id } errors { code } } }"""
    undo = (await api.query(reverse, {"id": first["node"]["id"]}))["reverseVoucher"]
    assert undo["errors"] == []
    still = (await api.query(MEETING, _meeting(shg, members)))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in still["errors"]] == [("DUPLICATE", "heldOn")]
    done = await api.query(approve, {"id": undo["voucher"]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    fourth = (await api.query(MEETING, _meeting(shg, members)))["recordMeeting"]
    assert fourth["errors"] == []


MEETING_STATUS = """query($id: ID!) { node(id: $id) { ... on Meeting { status checkedBy
    vouchers { status } } } }"""
APPROVE_MEETING = """mutation($id: ID!) { approveMeeting(input: {meetingId: $id}) {
    meeting { status checkedBy } errors { code field } } }"""
REJECT_MEETING = """mutation($id: ID!) { rejectMeeting(input: {meetingId: $id, reason: "not held"}) {
    meeting { status } errors { code field } } }"""


async def test_a_meeting_that_moved_no_money_waits_for_another_persons_check(
    api: Api, world: World
) -> None:
    shg, members = _shg(world)
    attendance = [{"memberId": m, "present": True} for m in members]
    bare = {"input": {"shgCode": shg, "heldOn": "2024-05-01", "members": attendance}}
    made = (await api.query(MEETING, bare, role=Role.BOOKKEEPER, subject="bk-1"))["recordMeeting"]
    assert made["errors"] == [] and made["meeting"]["vouchers"] == []
    meeting_id = made["meeting"]["id"]
    assert (await api.query(MEETING_STATUS, {"id": meeting_id}))["node"] == {
        "status": "DRAFT", "checkedBy": None, "vouchers": [],
    }  # fmt: skip
    # Her own meeting is not hers to check, whatever her role; a bookkeeper checks nothing.
    own = await api.query(APPROVE_MEETING, {"id": meeting_id}, role=Role.ADMIN, subject="bk-1")
    assert own["approveMeeting"] == {
        "meeting": None, "errors": [{"code": "SELF_APPROVAL", "field": "meetingId"}],
    }  # fmt: skip
    clerk = await api.query(REJECT_MEETING, {"id": meeting_id}, role=Role.BOOKKEEPER)
    assert clerk["rejectMeeting"]["errors"] == [{"code": "FORBIDDEN", "field": None}]
    # Rejected by a checker, it never happened: the day is recorded again, with savings.
    rejected = await api.query(REJECT_MEETING, {"id": meeting_id}, role=Role.APPROVER)
    assert rejected["rejectMeeting"] == {"meeting": {"status": "REJECTED"}, "errors": []}
    late = await api.query(APPROVE_MEETING, {"id": meeting_id}, role=Role.APPROVER)
    assert late["approveMeeting"]["errors"] == [{"code": "INVALID_STATE", "field": "meetingId"}]
    saved = [{"memberId": m, "present": True, "savings": "50"} for m in members]
    again = {"input": {"shgCode": shg, "heldOn": "2024-05-01", "members": saved}}
    redone = await api.query(MEETING, again, role=Role.BOOKKEEPER, subject="bk-1")
    assert redone["recordMeeting"]["errors"] == []
    # Approving a meeting that moved money approves its vouchers: one check, one path.
    money_id = redone["recordMeeting"]["meeting"]["id"]
    done = await api.query(APPROVE_MEETING, {"id": money_id}, role=Role.APPROVER, subject="ap")
    assert done["approveMeeting"] == {
        "meeting": {"status": "APPROVED", "checkedBy": "ap"}, "errors": [],
    }  # fmt: skip
    assert (await api.query(MEETING_STATUS, {"id": money_id}))["node"]["vouchers"] == [
        {"status": "APPROVED"}
    ]
    third = (await api.query(MEETING, again))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in third["errors"]] == [("DUPLICATE", "heldOn")]


async def test_approving_a_meetings_voucher_approves_the_meeting(api: Api, world: World) -> None:
    shg, members = _shg(world)
    made = (await api.query(MEETING, _meeting(shg, members), subject="bk-1"))["recordMeeting"]
    drafts = (await api.query(VOUCHERS, {"c": shg, "s": "DRAFT"}))["vouchers"]["edges"]
    approve = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) {
        errors { code } } }"""
    done = await api.query(approve, {"id": drafts[0]["node"]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    node = (await api.query(MEETING_STATUS, {"id": made["meeting"]["id"]}))["node"]
    assert node["status"] == "APPROVED" and node["checkedBy"] == "approver-national"
    # Checked once: the meeting is not checked a second time by its own path.
    twice = await api.query(APPROVE_MEETING, {"id": made["meeting"]["id"]}, role=Role.APPROVER)
    assert twice["approveMeeting"]["errors"] == [{"code": "INVALID_STATE", "field": "meetingId"}]


async def test_rejecting_a_meeting_rejects_its_vouchers_in_the_checkers_scope_only(
    api: Api, world: World
) -> None:
    shg, members = _shg(world)
    made = (await api.query(MEETING, _meeting(shg, members), subject="bk-1"))["recordMeeting"]
    meeting_id = made["meeting"]["id"]
    elsewhere = sorted(
        c for c, t in world.geo.items() if t.kind == "block" and c not in world.cbos[shg].ancestors
    )[0]
    hidden = await api.query(
        REJECT_MEETING, {"id": meeting_id}, role=Role.APPROVER, scope=elsewhere
    )
    assert hidden["rejectMeeting"]["errors"] == [{"code": "NOT_FOUND", "field": "meetingId"}]
    blank = """mutation($id: ID!) { rejectMeeting(input: {meetingId: $id, reason: "  "}) {
        errors { code field } } }"""
    unexplained = await api.query(blank, {"id": meeting_id}, role=Role.APPROVER)
    assert unexplained["rejectMeeting"]["errors"] == [{"code": "REQUIRED", "field": "reason"}]
    done = await api.query(REJECT_MEETING, {"id": meeting_id}, role=Role.APPROVER)
    assert done["rejectMeeting"] == {"meeting": {"status": "REJECTED"}, "errors": []}
    node = (await api.query(MEETING_STATUS, {"id": meeting_id}))["node"]
    assert [v["status"] for v in node["vouchers"]] == ["REJECTED"] * 3
    assert (await api.query(MEETING, _meeting(shg, members)))["recordMeeting"]["errors"] == []


async def test_a_big_group_s_meeting_records_its_savings_whatever_their_lines(
    api: Api, world: World, sessions: Any
) -> None:
    """52 members saving both kinds make a savings voucher of 105 lines: the cap on a
    voucher typed line by line once refused the meeting (lines is no input of it)."""
    shg, members = _shg(world)
    members += await enroll_members(sessions, shg, 50, first=1001)
    savers = [
        {"memberId": m, "present": True, "savings": "10", "voluntarySavings": "5"} for m in members
    ]
    payload = _meeting(shg, members, bankDeposit="0", members=savers)
    data = (await api.query(MEETING, payload, role=Role.BOOKKEEPER))["recordMeeting"]
    assert data["errors"] == []
    (saved,) = data["meeting"]["vouchers"]
    assert (len(saved["lines"]), saved["total"]) == (1 + 2 * 52, "780.00")


async def test_a_meeting_s_refusals_name_its_own_input(api: Api, world: World) -> None:
    """A repayment dated by the meeting was refused as repayments[0].paidOn, and savings too
    big together as lines[0].debit: neither is a field of the meeting's input."""
    from tests.api.test_loans import DISBURSE, _approve_latest_draft, _loan

    shg, members = _shg(world)
    loan = (await api.query(DISBURSE, _loan(shg, members[0]), subject="bk-1"))["disburseLoan"][
        "loan"
    ]
    await _approve_latest_draft(api, shg)
    early = _meeting(  # the loan went out on 2024-04-10
        shg, members, heldOn="2024-04-05", repayments=[{"loanId": loan["id"], "amount": "100"}]
    )
    refused = (await api.query(MEETING, early))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", "heldOn")]
    each = "6000000000000"  # within what one amount may be; the two together are not
    rich = [{"memberId": m, "present": True, "savings": each} for m in members]
    refused = (await api.query(MEETING, _meeting(shg, members, members=rich)))["recordMeeting"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", "members")]
