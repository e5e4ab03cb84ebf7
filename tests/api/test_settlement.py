"""A member leaves her SHG (exit or transfer) only when she is square with it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.access import Role
from dedup.sweep import sweep
from hierarchy.models import Cbo, Member, MemberStatus
from ledger.models import LedgerBalance
from tests.conftest import Api
from tests.world import World, build_world

RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id } errors { code field } } }"""
DRAFTS = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) { edges { node { id } } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { errors { code } } }"""
DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id } errors { code field } } }"""
REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
    loan { status } errors { code field message } } }"""
REVERSE = """mutation($id: ID!, $on: Date!) { reverseVoucher(input: {voucherId: $id,
    reversedOn: $on, reason: "paid to the wrong member"}) { voucher { id } errors { code field } } }"""
APPROVE_ONE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) {
    errors { code field } } }"""
TRANSFER = """mutation($input: TransferMemberInput!) { transferMember(input: $input) {
    member { shg { code } } errors { code field message } } }"""
EXIT = """mutation($input: ExitMemberInput!) { exitMember(input: $input) {
    member { status } errors { code field message } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _voucher(shg: str, member: str, on: str, account: str, debit: bool) -> dict[str, Any]:
    """Rs 500 between cash and her ``account``: saved (credit) or paid back to her (debit)."""
    hers = {"account": account, "memberId": member, "debit" if debit else "credit": "500"}
    cash = {"account": "cash", "credit" if debit else "debit": "500"}
    return {"input": {"cboCode": shg, "voucherDate": on, "narration": "Savings",
                      "lines": [cash, hers]}}  # fmt: skip


async def _approve_drafts(api: Api, shg: str) -> None:
    for edge in (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]:
        answer = await api.query(APPROVE, {"id": edge["node"]["id"]}, role=Role.APPROVER)
        assert answer["approveVoucher"]["errors"] == []


async def _move(api: Api, member: str, target: str) -> dict[str, Any]:
    moved = await api.query(
        TRANSFER,
        {
            "input": {
                "memberId": member,
                "toShgCode": target,
                "transferredOn": "2024-08-01",
                "reason": "married into another village",
            }
        },
        subject="bk-1",
    )
    answer: dict[str, Any] = moved["transferMember"]
    return answer


async def _leave(api: Api, member: str, target: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Try both ways out: a transfer, and an exit."""
    moved = await _move(api, member, target)
    left = await api.query(
        EXIT,
        {"input": {"memberId": member, "exitedOn": "2024-08-01", "reason": "moved away"}},
        subject="bk-1",
    )
    return moved, left["exitMember"]


def _refused(answer: dict[str, Any]) -> tuple[str, str]:
    [error] = answer["errors"]
    assert "lines[" not in error["field"] and "500" not in error["message"]
    return error["code"], error["field"]


async def test_she_leaves_only_once_her_savings_and_loans_are_settled(
    api: Api, world: World
) -> None:
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg")
    shg, target = shgs[0], shgs[-1]
    member = sorted(m for m, t in world.members.items() if shg in t.ancestors)[0]
    unsettled = ("UNSETTLED", "memberId")

    saved = await api.query(
        RECORD, _voucher(shg, member, "2024-04-07", "savings_compulsory", False), subject="bk-1"
    )
    assert saved["recordVoucher"]["errors"] == []
    # A voucher still waiting for a checker is money not yet settled either.
    assert [_refused(a) for a in await _leave(api, member, target)] == [unsettled, unsettled]
    await _approve_drafts(api, shg)
    loan = {"shgCode": shg, "memberId": member, "principal": "300", "annualRatePercent": "0",
            "months": 3, "method": "FLAT", "disbursedOn": "2024-04-10",
            "firstDueOn": "2024-05-10"}  # fmt: skip
    lent = (await api.query(DISBURSE, {"input": loan}, subject="bk-1"))["disburseLoan"]
    assert lent["errors"] == []
    await _approve_drafts(api, shg)
    assert [_refused(a) for a in await _leave(api, member, target)] == [unsettled, unsettled]

    # Refused, she is still here, and her loan still takes its repayment.
    repay = {"loanId": lent["loan"]["id"], "amount": "300", "paidOn": "2024-07-10"}
    repaid = (await api.query(REPAY, {"input": repay}, subject="bk-1"))["recordRepayment"]
    assert repaid["errors"] == []
    await _approve_drafts(api, shg)
    # Her loan is closed; her savings are still hers to take.
    assert [_refused(a) for a in await _leave(api, member, target)] == [unsettled, unsettled]
    paid_out = _voucher(shg, member, "2024-07-31", "savings_compulsory", True)
    payout = (await api.query(RECORD, paid_out, subject="bk-1"))["recordVoucher"]
    assert payout["errors"] == []
    await _approve_drafts(api, shg)

    moved = await _move(api, member, target)
    assert moved == {"member": {"shg": {"code": target}}, "errors": []}
    # Gone square, she stays square: no reversal reopens her books in the SHG she left.
    undo = {"id": payout["voucher"]["id"], "on": "2024-08-02"}
    reversed_ = (await api.query(REVERSE, undo, subject="bk-1"))["reverseVoucher"]
    assert reversed_ == {
        "voucher": None,
        "errors": [{"code": "INVALID_STATE", "field": "voucherId"}],
    }


ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId } verdict errors { code field } } }"""
UPDATE = """mutation($input: UpdateMemberProfileInput!) { updateMemberProfile(input: $input) {
    errors { code field } } }"""
QUEUE = """query { duplicateCandidates(first: 10) { edges { node { id } } } }"""
DECIDE = """mutation($input: DecideMatchInput!) { decideMatch(input: $input) {
    candidate { status later { status } } errors { code field } } }"""


async def test_a_duplicate_decision_does_not_strand_her_savings(
    api: Api, world: World, sessions: Any
) -> None:
    """A second membership that saved money before the sweep found it ends only once settled."""
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    her = {"name": "Smt. Phoolmati Devi", "relativeName": "Ram Prasad", "relation": "HUSBAND",
           "birthDate": "1984-07-15", "mobile": "9876501234"}  # fmt: skip
    first = {"shgCode": shg, "gender": "F", "joinedOn": "2024-01-01", **her}
    assert (await api.query(ENROL, {"input": first}))["enrollMember"]["verdict"] == "CLEAR"
    other = {"shgCode": shg, "gender": "F", "joinedOn": "2024-01-01", "name": "Kamla Verma",
             "birthYear": 1961}  # fmt: skip
    second = (await api.query(ENROL, {"input": other}))["enrollMember"]
    assert second["verdict"] == "CLEAR"
    twin = second["member"]["memberId"]
    saved = _voucher(shg, twin, "2024-04-07", "savings_compulsory", False)
    assert (await api.query(RECORD, saved, subject="bk-1"))["recordVoucher"]["errors"] == []
    await _approve_drafts(api, shg)
    # Corrected to the same woman's details, she is found by the next sweep.
    corrected = await api.query(UPDATE, {"input": {"memberId": twin, "birthYear": None, **her}})
    assert corrected["updateMemberProfile"]["errors"] == []
    assert (await sweep(sessions)).queued == 1
    [edge] = (await api.query(QUEUE, role=Role.REVIEWER))["duplicateCandidates"]["edges"]
    decide = {"input": {"id": edge["node"]["id"], "decision": "DUPLICATE"}}
    refused = (await api.query(DECIDE, decide, role=Role.REVIEWER))["decideMatch"]
    assert refused == {"candidate": None, "errors": [{"code": "UNSETTLED", "field": "id"}]}

    paid_out = _voucher(shg, twin, "2024-04-30", "savings_compulsory", True)
    assert (await api.query(RECORD, paid_out, subject="bk-1"))["recordVoucher"]["errors"] == []
    await _approve_drafts(api, shg)
    ended = (await api.query(DECIDE, decide, role=Role.REVIEWER))["decideMatch"]
    assert ended == {"candidate": {"status": "DUPLICATE", "later": {"status": "EXITED"}},
                     "errors": []}  # fmt: skip


async def test_a_loan_left_behind_by_an_earlier_release_is_refused_by_its_own_field(
    api: Api, world: World, sessions: Any
) -> None:
    """Before settlement was required an exit could leave a loan behind: a repayment on it
    is refused naming ``loanId``, never an internal voucher line."""
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    member = sorted(m for m, t in world.members.items() if shg in t.ancestors)[0]
    saved = _voucher(shg, member, "2024-04-07", "savings_compulsory", False)
    assert (await api.query(RECORD, saved, subject="bk-1"))["recordVoucher"]["errors"] == []
    loan = {"shgCode": shg, "memberId": member, "principal": "300", "annualRatePercent": "0",
            "months": 3, "method": "FLAT", "disbursedOn": "2024-04-10",
            "firstDueOn": "2024-05-10"}  # fmt: skip
    lent = (await api.query(DISBURSE, {"input": loan}, subject="bk-1"))["disburseLoan"]
    await _approve_drafts(api, shg)
    async with sessions() as session, session.begin():  # an exit as the earlier release made it
        await session.execute(
            update(Member).where(Member.member_id == member).values(status=MemberStatus.EXITED)
        )
    repay = {"loanId": lent["loan"]["id"], "amount": "100", "paidOn": "2024-05-10"}
    refused = (await api.query(REPAY, {"input": repay}, subject="bk-1"))["recordRepayment"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_STATE", "loanId")]


async def test_a_draft_that_raced_her_exit_does_not_post_to_her_closed_books(
    api: Api, world: World, sessions: Any
) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    member = sorted(m for m, t in world.members.items() if shg in t.ancestors)[0]
    saved = _voucher(shg, member, "2024-04-07", "savings_compulsory", False)
    recorded = (await api.query(RECORD, saved, subject="bk-1"))["recordVoucher"]
    async with sessions() as session, session.begin():  # her exit, committed in between
        await session.execute(
            update(Member).where(Member.member_id == member).values(status=MemberStatus.EXITED)
        )
    approved = await api.query(APPROVE_ONE, {"id": recorded["voucher"]["id"]}, role=Role.APPROVER)
    assert approved["approveVoucher"]["errors"] == [{"code": "INVALID_STATE", "field": "voucherId"}]
    async with sessions() as session:
        shg_id = select(Cbo.id).where(Cbo.code == shg).scalar_subquery()
        posted = await session.scalar(
            select(func.count()).select_from(LedgerBalance).where(LedgerBalance.cbo_id == shg_id)
        )
    assert posted == 0
