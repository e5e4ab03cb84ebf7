"""Panchasutra grading read off a group's books, against hand-worked scores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.access import Role
from hierarchy.models import Cbo
from ledger.models import LEDGER_ANCESTORS, Voucher, VoucherLine, VoucherStatus
from tests.conftest import Api
from tests.world import World, build_world, give_money

MEETING = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) { errors { code field } } }"""
DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { errors { code field } } }"""
RECORD = (
    """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) { errors { code } } }"""
)
DRAFTS = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT, first: 50) { edges { node { id } } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { errors { code } } }"""
GRADE = """query($c: String!, $on: Date) { panchasutra(shgCode: $c, asOf: $on) {
    asOf scores { sutra measure points } points grade eligibleForFunds overdrawn
    shg { code } } }"""


async def _paid_out_beyond_cash(sessions: Any, shg_code: str, paise: int, on: date) -> None:
    """An approved voucher paying out more cash than was held, as books posted before that
    was refused still show (posting refuses it now, so it is written as such books were)."""
    async with sessions() as session, session.begin():
        shg = await session.scalar(select(Cbo).where(Cbo.code == shg_code))
        voucher = Voucher(
            cbo_id=shg.id, voucher_date=on, narration="Paid out before the rule",
            status=VoucherStatus.APPROVED, total_paise=paise, made_by="old", checked_by="older",
        )  # fmt: skip
        for column in LEDGER_ANCESTORS:
            setattr(voucher, column, getattr(shg, column))
        session.add(voucher)
        await session.flush()
        session.add_all(
            [
                VoucherLine(voucher_id=voucher.id, account="other_expenses", amount_paise=paise),
                VoucherLine(voucher_id=voucher.id, account="cash", amount_paise=-paise),
            ]
        )


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


async def _approve_all(api: Api, shg: str) -> None:
    for edge in (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]:
        done = await api.query(
            APPROVE, {"id": edge["node"]["id"]}, role=Role.APPROVER, subject="ap"
        )
        assert done["approveVoucher"]["errors"] == []


async def test_scores_and_grade_follow_the_books(api: Api, world: World, sessions: Any) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    await give_money(sessions, shg, cash_paise=12_000_00)  # what the loan below pays out
    first, second = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    # Fortnightly meetings from 7 January 2024: 13 by 1 July. She saves every
    # time; her neighbour every other time (7 of 13).
    for k in range(13):
        held = date(2024, 1, 7) + timedelta(weeks=2 * k)
        members = [
            {"memberId": first, "present": True, "savings": "100"},
            {"memberId": second, "present": True, "savings": "100" if k % 2 == 0 else "0"},
        ]
        meeting = {"shgCode": shg, "heldOn": held.isoformat(), "members": members}
        assert (await api.query(MEETING, {"input": meeting}))["recordMeeting"]["errors"] == []
    # One loan, never repaid: four instalments unpaid by 1 July, 122 days late.
    loan = {
        "shgCode": shg, "memberId": first, "principal": "12000", "annualRatePercent": "24",
        "months": 12, "method": "FLAT", "disbursedOn": "2024-02-01", "firstDueOn": "2024-03-01",
    }  # fmt: skip
    assert (await api.query(DISBURSE, {"input": loan}))["disburseLoan"]["errors"] == []
    await _approve_all(api, shg)

    grade = (await api.query(GRADE, {"c": shg, "on": "2024-07-01"}))["panchasutra"]
    assert grade["scores"] == [
        {"sutra": "MEETINGS", "measure": "0.5000", "points": 10},  # 13 of 26 weeks
        {"sutra": "SAVINGS", "measure": "0.7692", "points": 15},  # 20 of 26 member-meetings
        {"sutra": "LENDING", "measure": "0.5000", "points": 20},  # 1 of 2 members: full marks
        {"sutra": "REPAYMENT", "measure": "0.0000", "points": 0},  # PAR 30 is all of it
        {"sutra": "BOOKS", "measure": "1.0000", "points": 20},
    ]
    assert (grade["points"], grade["grade"], grade["eligibleForFunds"]) == (65, "B", True)

    # Books posted before posting kept cash above zero: the grade stands, the funds do not.
    await _paid_out_beyond_cash(sessions, shg, 3_000_00, date(2024, 6, 30))
    grade = (await api.query(GRADE, {"c": shg, "on": "2024-07-01"}))["panchasutra"]
    assert (grade["points"], grade["grade"], grade["eligibleForFunds"]) == (65, "B", False)
    assert grade["overdrawn"] is True
    before = (await api.query(GRADE, {"c": shg, "on": "2024-06-29"}))["panchasutra"]
    assert before["overdrawn"] is False

    # A voucher left in draft for a month: the books are no longer up to date.
    stale = {
        "cboCode": shg, "voucherDate": "2024-06-01", "narration": "Stationery",
        "lines": [{"account": "other_expenses", "debit": "40"}, {"account": "cash", "credit": "40"}],
    }  # fmt: skip
    assert (await api.query(RECORD, {"input": stale}))["recordVoucher"]["errors"] == []
    grade = (await api.query(GRADE, {"c": shg, "on": "2024-07-01"}))["panchasutra"]
    assert grade["scores"][4] == {"sutra": "BOOKS", "measure": "0.5000", "points": 10}
    assert (grade["points"], grade["grade"], grade["eligibleForFunds"]) == (55, "C", False)

    # Six months on with no meetings, nothing counts but the loan's lateness.
    later = (await api.query(GRADE, {"c": shg, "on": "2025-03-01"}))["panchasutra"]
    assert [s["points"] for s in later["scores"][:3]] == [0, 0, 0]


async def test_grading_is_scoped(api: Api, world: World) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    elsewhere = sorted(
        c for c, t in world.geo.items() if t.kind == "block" and c not in world.cbos[shg].ancestors
    )[0]
    hidden = await api.query(
        GRADE, {"c": shg, "on": "2024-07-01"}, role=Role.ANALYST, scope=elsewhere
    )
    assert hidden == {"panchasutra": None}


async def test_a_past_grade_reads_the_group_as_it_stood_that_day(
    api: Api, world: World, sessions: Any
) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    await give_money(sessions, shg, cash_paise=12_000_00)
    first, second = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    loan = {
        "shgCode": shg, "memberId": first, "principal": "12000", "annualRatePercent": "24",
        "months": 12, "method": "FLAT", "disbursedOn": "2024-05-01", "firstDueOn": "2024-06-01",
    }  # fmt: skip
    made = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
        loan { id } errors { code } } }"""
    loan_id = (await api.query(made, {"input": loan}))["disburseLoan"]["loan"]["id"]
    await _approve_all(api, shg)
    # Nothing paid until mid-August, then all of it: closed. 12,000 and the interest earned
    # by 15 August: 3 x 240 to 1 August and 14 of 31 days of the next 240 (108.39).
    repay = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
        errors { code } } }"""
    paid = {"loanId": loan_id, "amount": "12828.39", "paidOn": "2024-08-15"}
    assert (await api.query(repay, {"input": paid}))["recordRepayment"]["errors"] == []
    await _approve_all(api, shg)
    leave = (
        """mutation($input: ExitMemberInput!) { exitMember(input: $input) { errors { code } } }"""
    )
    gone = {"memberId": second, "exitedOn": "2024-09-01", "reason": "moved away"}
    assert (await api.query(leave, {"input": gone}))["exitMember"]["errors"] == []

    then = (await api.query(GRADE, {"c": shg, "on": "2024-08-01"}))["panchasutra"]["scores"]
    # On 1 August the loan was two instalments late (closed since), and she had a neighbour.
    assert then[2] == {"sutra": "LENDING", "measure": "0.5000", "points": 20}
    assert then[3] == {"sutra": "REPAYMENT", "measure": "0.0000", "points": 0}
    now = (await api.query(GRADE, {"c": shg, "on": "2024-10-01"}))["panchasutra"]["scores"]
    assert now[2] == {"sutra": "LENDING", "measure": "1.0000", "points": 20}  # 1 of 1 member
    assert now[3] == {"sutra": "REPAYMENT", "measure": "1.0000", "points": 20}


async def test_loans_loaded_at_the_cut_off_are_not_new_lending(api: Api, world: World) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    first, _ = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    cut_off = """mutation($input: RecordCutOffInput!) { recordCutOff(input: $input) {
        errors { code field } } }"""
    books = {
        "shgCode": shg, "asOn": "2024-03-31", "cash": "0", "bank": "0",
        "members": [{"memberId": first, "loans": [{
            "outstanding": "6000", "annualRatePercent": "24", "monthsLeft": 6,
            "method": "FLAT", "nextDueOn": "2024-04-30"}]}],
    }  # fmt: skip
    assert (await api.query(cut_off, {"input": books}))["recordCutOff"]["errors"] == []
    await _approve_all(api, shg)
    grade = (await api.query(GRADE, {"c": shg, "on": "2024-04-15"}))["panchasutra"]["scores"]
    assert grade[2] == {"sutra": "LENDING", "measure": "0.0000", "points": 0}


async def test_only_approved_meetings_count_against_the_groups_own_frequency(
    api: Api, world: World
) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    first, second = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    days = ["2024-01-07", "2024-02-07", "2024-03-07", "2024-04-07", "2024-05-07", "2024-06-07"]

    def meeting(day: str, second_saves: bool = True) -> dict[str, Any]:
        members = [
            {"memberId": first, "present": True, "savings": "100"},
            {"memberId": second, "present": True, "savings": "100" if second_saves else "0"},
        ]
        return {"input": {"shgCode": shg, "heldOn": day, "members": members}}

    drafts = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT, first: 50) {
        edges { node { id narration } } } }"""
    reject = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "not held"}) {
        errors { code } } }"""

    async def check(day: str, verb: str) -> None:
        edges = (await api.query(drafts, {"c": shg}))["vouchers"]["edges"]
        [voucher] = [e["node"]["id"] for e in edges if day in e["node"]["narration"]]
        done = await api.query(
            APPROVE if verb == "approve" else reject, {"id": voucher}, role=Role.APPROVER
        )
        assert done[f"{verb}Voucher"]["errors"] == []

    for day in days:
        saves = day != "2024-03-07"  # the meeting to be rejected: one of two saved
        assert (await api.query(MEETING, meeting(day, saves)))["recordMeeting"]["errors"] == []
    for day in days[:2] + days[3:5]:
        await check(day, "approve")
    await check("2024-03-07", "reject")  # 6 June stays a draft

    async def scores() -> list[dict[str, Any]]:
        grade = (await api.query(GRADE, {"c": shg, "on": "2024-07-01"}))["panchasutra"]
        return list(grade["scores"][:2])

    # Weekly by default: 4 approved meetings of 26 weeks. Every approved member-meeting saved.
    assert await scores() == [
        {"sutra": "MEETINGS", "measure": "0.1538", "points": 3},
        {"sutra": "SAVINGS", "measure": "1.0000", "points": 20},
    ]
    monthly = """mutation($c: String!) { setMeetingFrequency(input: {shgCode: $c,
        meetingFrequency: MONTHLY}) { shg { meetingFrequency } errors { code field } } }"""
    refused = (await api.query(monthly, {"c": shg}, role=Role.BOOKKEEPER))["setMeetingFrequency"]
    assert refused == {"shg": None, "errors": [{"code": "FORBIDDEN", "field": None}]}
    done = (await api.query(monthly, {"c": shg}, role=Role.APPROVER))["setMeetingFrequency"]
    assert done == {"shg": {"meetingFrequency": "MONTHLY"}, "errors": []}
    assert (await scores())[0] == {"sutra": "MEETINGS", "measure": "0.6667", "points": 13}
    # The rejected day is recorded again; approved, it counts. So does June's, once approved.
    assert (await api.query(MEETING, meeting("2024-03-07")))["recordMeeting"]["errors"] == []
    await check("2024-03-07", "approve")
    assert (await scores())[0] == {"sutra": "MEETINGS", "measure": "0.8333", "points": 17}
    await check("2024-06-07", "approve")
    assert (await scores())[0] == {"sutra": "MEETINGS", "measure": "1.0000", "points": 20}


async def test_a_new_shg_takes_its_meeting_frequency_at_creation(api: Api, world: World) -> None:
    village = sorted(c for c, t in world.geo.items() if t.kind == "village")[0]
    create = """mutation($input: CreateShgInput!) { createShg(input: $input) {
        shg { meetingFrequency } errors { code } } }"""
    shg = {"villageCode": village, "name": "Pragati SHG", "formedOn": "2024-01-01"}
    weekly = (await api.query(create, {"input": shg}))["createShg"]
    assert weekly == {"shg": {"meetingFrequency": "WEEKLY"}, "errors": []}
    fortnightly = {**shg, "name": "Unnati SHG", "meetingFrequency": "FORTNIGHTLY"}
    made = (await api.query(create, {"input": fortnightly}))["createShg"]
    assert made == {"shg": {"meetingFrequency": "FORTNIGHTLY"}, "errors": []}


async def test_meetings_that_moved_no_money_count_once_another_person_approves_them(
    api: Api, world: World
) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    people = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    on = {"c": shg, "on": "2024-10-01"}
    before = (await api.query(GRADE, on))["panchasutra"]
    meeting_ids = []
    for k in range(26):  # weekly, attendance only: no savings, so no voucher to check
        held = date(2024, 10, 1) - timedelta(weeks=k)
        members = [{"memberId": m, "present": True} for m in people]
        meeting = {"shgCode": shg, "heldOn": held.isoformat(), "members": members}
        made = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
            meeting { id } errors { code } } }"""
        data = await api.query(made, {"input": meeting}, role=Role.BOOKKEEPER, subject="bk-1")
        assert data["recordMeeting"]["errors"] == []
        meeting_ids.append(data["recordMeeting"]["meeting"]["id"])
    # No checker has acted: the bookkeeper alone lifts nothing, and unchecked books are stale.
    unchecked = (await api.query(GRADE, on))["panchasutra"]
    assert unchecked["scores"][0] == {"sutra": "MEETINGS", "measure": "0.0000", "points": 0}
    assert unchecked["scores"][4] == {"sutra": "BOOKS", "measure": "0.0000", "points": 0}
    assert unchecked["points"] <= before["points"]
    assert (unchecked["grade"], unchecked["eligibleForFunds"]) == ("C", False)
    approve = """mutation($id: ID!) { approveMeeting(input: {meetingId: $id}) {
        errors { code } } }"""
    own = await api.query(approve, {"id": meeting_ids[0]}, role=Role.ADMIN, subject="bk-1")
    assert own["approveMeeting"]["errors"] == [{"code": "SELF_APPROVAL"}]
    assert (await api.query(GRADE, on))["panchasutra"]["scores"][0]["points"] == 0
    # The checker finds them among the group's meetings awaiting her, and approves each.
    awaiting = """query($c: String!) { meetings(shgCode: $c, status: DRAFT, first: 50) {
        totalCount edges { node { id recordedBy } } } }"""
    queue = (await api.query(awaiting, {"c": shg}, role=Role.APPROVER))["meetings"]
    assert queue["totalCount"] == 26
    assert sorted(edge["node"]["id"] for edge in queue["edges"]) == sorted(meeting_ids)
    for meeting_id in meeting_ids:
        done = await api.query(approve, {"id": meeting_id}, role=Role.APPROVER, subject="ap")
        assert done["approveMeeting"]["errors"] == []
    assert (await api.query(awaiting, {"c": shg}))["meetings"]["totalCount"] == 0
    checked = (await api.query(GRADE, on))["panchasutra"]["scores"]
    assert checked[0] == {"sutra": "MEETINGS", "measure": "1.0000", "points": 20}
    assert checked[4] == {"sutra": "BOOKS", "measure": "1.0000", "points": 20}
