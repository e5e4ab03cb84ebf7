"""Only an approved CBO transacts: a draft (never approved) or closed one takes no members
and keeps no books, through every write that touches it; and it closes only with nothing
left in its books."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.access import Role
from hierarchy.models import Cbo, CboStatus, Member
from ledger.models import FundRelease, Loan, Meeting, Voucher
from tests.conftest import Api
from tests.world import World, build_world, give_money

CREATE_VO = """mutation($input: CreateVoInput!) { createVo(input: $input) {
    vo { code status } errors { code field } } }"""
CREATE_SHG = """mutation($input: CreateShgInput!) { createShg(input: $input) {
    shg { code status } errors { code field } } }"""
APPROVE_CBO = (
    """mutation($code: String!) { approveCbo(input: {code: $code}) { errors { code } } }"""
)
ENROL = """mutation($input: EnrollMemberInput!) { enrollMember(input: $input) {
    member { memberId } errors { code field } } }"""
TRANSFER = """mutation($input: TransferMemberInput!) { transferMember(input: $input) {
    member { memberId } errors { code field } } }"""
EXIT = (
    """mutation($input: ExitMemberInput!) { exitMember(input: $input) { errors { code field } } }"""
)
CLOSE = """mutation($code: String!) { closeCbo(input: {code: $code, reason: "merged"}) {
    errors { code field } } }"""
RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id } errors { code field } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) {
    voucher { status } errors { code field } } }"""
MEETING = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
    errors { code field } } }"""
DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    errors { code field } } }"""
RELEASE = """mutation($input: ReleaseFundInput!) { releaseFund(input: $input) {
    errors { code field } } }"""
CUT_OFF = """mutation($input: RecordCutOffInput!) { recordCutOff(input: $input) {
    errors { code field } } }"""
FEDERATION_CUT_OFF = """mutation($input: RecordFederationCutOffInput!) {
    recordFederationCutOff(input: $input) { errors { code field } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _first(world: World, kind: str) -> str:
    return sorted(c for c, t in {**world.geo, **world.cbos}.items() if t.kind == kind)[0]


async def _draft_vo_and_shg(api: Api, world: World) -> tuple[str, str]:
    """A draft VO beside the first one, and an SHG under it: the SHG left as a draft too."""
    above = world.cbos[_first(world, "vo")].ancestors
    clf = next(c for c in above if c in world.cbos and world.cbos[c].kind == "clf")
    gp = next(c for c in above if c in world.geo and world.geo[c].kind == "gram_panchayat")
    village = sorted(c for c, t in world.geo.items() if t.kind == "village" and gp in t.ancestors)[
        0
    ]
    vo = (
        await api.query(
            CREATE_VO,
            {
                "input": {
                    "gramPanchayatCode": gp,
                    "clfCode": clf,
                    "name": "New VO",
                    "formedOn": "2021-01-01",
                }
            },
            role=Role.BOOKKEEPER,
            subject="bk-new",
        )
    )["createVo"]["vo"]
    shg = (
        await api.query(
            CREATE_SHG,
            {
                "input": {
                    "villageCode": village,
                    "voCode": vo["code"],
                    "name": "New SHG",
                    "formedOn": "2021-01-01",
                }
            },
            role=Role.BOOKKEEPER,
            subject="bk-new",
        )
    )["createShg"]["shg"]
    assert vo["status"] == shg["status"] == "DRAFT"
    return vo["code"], shg["code"]


async def _counts(sessions: Any) -> tuple[int, ...]:
    async with sessions() as session:
        return tuple(
            [
                int(await session.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Member, Voucher, Meeting, Loan, FundRelease)
            ]
        )


def _member(shg: str) -> dict[str, Any]:
    return {"input": {"shgCode": shg, "name": "Kamla Devi", "gender": "F", "birthYear": 1988,
                      "joinedOn": "2022-01-01"}}  # fmt: skip


def _cash_voucher(cbo: str) -> dict[str, Any]:
    return {"input": {"cboCode": cbo, "voucherDate": "2024-04-01", "narration": "Grant",
                      "lines": [{"account": "cash", "debit": "500"},
                                {"account": "other_income", "credit": "500"}]}}  # fmt: skip


async def test_a_draft_cbo_takes_no_members_and_keeps_no_books(
    api: Api, world: World, sessions: Any
) -> None:
    vo, shg = await _draft_vo_and_shg(api, world)
    member = sorted(world.members)[0]
    before = await _counts(sessions)
    refused = "INVALID_STATE"
    attempts: list[tuple[str, dict[str, Any], str, str]] = [
        (ENROL, _member(shg), "enrollMember", "shgCode"),
        (TRANSFER, {"input": {"memberId": member, "toShgCode": shg,
                              "transferredOn": "2024-05-01", "reason": "married"}},
         "transferMember", "toShgCode"),
        (RECORD, _cash_voucher(shg), "recordVoucher", "cboCode"),
        (RECORD, _cash_voucher(vo), "recordVoucher", "cboCode"),
        (MEETING, {"input": {"shgCode": shg, "heldOn": "2024-04-07",
                             "members": [{"memberId": member, "present": True}]}},
         "recordMeeting", "shgCode"),
        (DISBURSE, {"input": {"shgCode": shg, "memberId": member, "principal": "1000",
                              "annualRatePercent": "12", "months": 10, "method": "FLAT",
                              "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10"}},
         "disburseLoan", "shgCode"),
        (RELEASE, {"input": {"fund": "RF", "toCode": shg, "amount": "15000",
                             "releasedOn": "2024-04-01"}}, "releaseFund", "toCode"),
        (CUT_OFF, {"input": {"shgCode": shg, "asOn": "2024-03-31", "cash": "100", "bank": "0",
                             "members": []}}, "recordCutOff", "shgCode"),
        (FEDERATION_CUT_OFF, {"input": {"cboCode": vo, "asOn": "2024-03-31", "cash": "100",
                                        "bank": "0"}}, "recordFederationCutOff", "cboCode"),
    ]  # fmt: skip
    for query, variables, name, field in attempts:
        answer = (await api.query(query, variables, role=Role.ADMIN, subject="bk-1"))[name]
        assert answer["errors"] == [{"code": refused, "field": field}], name
    assert await _counts(sessions) == before

    # Approved, the SHG transacts; its VO, still a draft, neither lends to it nor passes on funds.
    approved = await api.query(APPROVE_CBO, {"code": shg}, role=Role.APPROVER, subject="ap-1")
    assert approved["approveCbo"]["errors"] == []
    joined = (await api.query(ENROL, _member(shg), subject="bk-1"))["enrollMember"]
    assert joined["errors"] == []
    cif = {"input": {"shgCode": shg, "source": "VO_CIF", "principal": "1000",
                     "annualRatePercent": "12", "months": 10, "method": "FLAT",
                     "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10"}}  # fmt: skip
    lent = (await api.query(DISBURSE, cif, subject="bk-1"))["disburseLoan"]
    assert lent["errors"] == [{"code": refused, "field": "source"}]
    passed = {"input": {"fund": "RF", "toCode": shg, "fromCode": vo, "amount": "100",
                        "releasedOn": "2024-04-01"}}  # fmt: skip
    given = (await api.query(RELEASE, passed, subject="bk-1"))["releaseFund"]
    assert given["errors"] == [{"code": refused, "field": "fromCode"}]


async def test_a_voucher_is_not_approved_once_its_cbo_is_closed(
    api: Api, world: World, sessions: Any
) -> None:
    shg = _first(world, "shg")
    recorded = (await api.query(RECORD, _cash_voucher(shg), subject="bk-1"))["recordVoucher"]
    assert recorded["errors"] == []
    for member in sorted(m for m, t in world.members.items() if shg in t.ancestors):
        gone = {"input": {"memberId": member, "exitedOn": "2024-03-31", "reason": "moved"}}
        assert (await api.query(EXIT, gone))["exitMember"]["errors"] == []
    # closeCbo waits for the draft; a close that raced its recording, committed in between:
    refused = (await api.query(CLOSE, {"code": shg}, role=Role.APPROVER))["closeCbo"]["errors"]
    assert refused == [{"code": "UNSETTLED", "field": "code"}]
    async with sessions() as session, session.begin():
        await session.execute(update(Cbo).where(Cbo.code == shg).values(status=CboStatus.CLOSED))
    approved = await api.query(
        APPROVE, {"id": recorded["voucher"]["id"]}, role=Role.APPROVER, subject="ap-1"
    )
    assert approved["approveVoucher"] == {
        "voucher": None,
        "errors": [{"code": "INVALID_STATE", "field": "voucherId"}],
    }


REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
    errors { code field } } }"""
REVERSE = """mutation($id: ID!) { reverseVoucher(input: {voucherId: $id, reversedOn: "2024-09-01",
    reason: "undo"}) { voucher { id } errors { code field } } }"""
DRAFTS = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) { edges { node { id } } } }"""
LEND = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id } errors { code field } } }"""


async def _approve_drafts(api: Api, cbo: str) -> None:
    for edge in (await api.query(DRAFTS, {"c": cbo}))["vouchers"]["edges"]:
        answer = await api.query(APPROVE, {"id": edge["node"]["id"]}, role=Role.APPROVER)
        assert answer["approveVoucher"]["errors"] == []


async def _close(api: Api, cbo: str) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = (
        await api.query(CLOSE, {"code": cbo}, role=Role.APPROVER, subject="ap-1")
    )["closeCbo"]["errors"]
    return errors


async def _empty(api: Api, world: World, shg: str) -> None:
    for member in sorted(m for m, t in world.members.items() if shg in t.ancestors):
        gone = {"input": {"memberId": member, "exitedOn": "2024-03-31", "reason": "moved"}}
        assert (await api.query(EXIT, gone))["exitMember"]["errors"] == []


def _spend(cbo: str, cash: int, bank: int) -> dict[str, Any]:
    """Pay out (in rupees) what a CBO holds, so its books are square; its expenses stay on
    record, as income and expenses of a closed CBO do."""
    held = [
        {"account": account, "credit": str(amount)}
        for account, amount in (("cash", cash), ("bank", bank))
        if amount
    ]
    return {"input": {"cboCode": cbo, "voucherDate": "2024-08-15", "narration": "Paid out",
                      "lines": [{"account": "other_expenses", "debit": str(cash + bank)},
                                *held]}}  # fmt: skip


async def test_a_cbo_closes_only_once_nothing_is_left_in_its_books(
    api: Api, world: World, sessions: Any
) -> None:
    """Closing with money or a loan in the books stranded them: a closed SHG's loan takes no
    repayment, its VO's loan to it is never collected, their cash is never spent."""
    shg = _first(world, "shg")
    vo = next(c for c in world.cbos[shg].ancestors if c in world.cbos and c.startswith("VO-"))
    sibling = next(
        c for c, t in world.cbos.items() if t.kind == "shg" and vo in t.ancestors and c != shg
    )
    await give_money(sessions, vo, bank_paise=50_000)
    await give_money(sessions, shg, cash_paise=10_000)
    await _empty(api, world, shg)
    unsettled = [{"code": "UNSETTLED", "field": "code"}]
    cif = {"input": {"shgCode": shg, "source": "VO_CIF", "principal": "500",
                     "annualRatePercent": "0", "months": 1, "method": "FLAT",
                     "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10"}}  # fmt: skip
    lent = (await api.query(LEND, cif, subject="bk-1"))["disburseLoan"]
    assert lent["errors"] == []
    assert await _close(api, shg) == unsettled  # the loan awaits its checker
    await _approve_drafts(api, shg)
    assert await _close(api, shg) == unsettled  # the group owes its VO

    repay = {"input": {"loanId": lent["loan"]["id"], "amount": "500", "paidOn": "2024-06-10"}}
    assert (await api.query(REPAY, repay, subject="bk-1"))["recordRepayment"]["errors"] == []
    await _approve_drafts(api, shg)
    assert await _close(api, shg) == unsettled  # its loan is repaid; its cash is still there
    spent = (await api.query(RECORD, _spend(shg, 100, 0), subject="bk-1"))["recordVoucher"]
    assert spent["errors"] == []
    await _approve_drafts(api, shg)
    assert await _close(api, shg) == []

    # The VO: its other SHG, empty, closes; the VO itself once its bank is spent too.
    await _empty(api, world, sibling)
    assert await _close(api, sibling) == []
    assert await _close(api, vo) == unsettled
    spent = (await api.query(RECORD, _spend(vo, 0, 500), subject="bk-1"))["recordVoucher"]
    assert spent["errors"] == []
    assert await _close(api, vo) == unsettled  # the payment awaits its checker
    await _approve_drafts(api, vo)
    assert await _close(api, vo) == []


async def test_a_closed_cbo_records_no_reversal(api: Api, world: World, sessions: Any) -> None:
    shg = _first(world, "shg")
    await give_money(sessions, shg, cash_paise=10_000)
    spent = (await api.query(RECORD, _spend(shg, 100, 0), subject="bk-1"))["recordVoucher"]
    await _approve_drafts(api, shg)
    await _empty(api, world, shg)
    assert await _close(api, shg) == []
    before = await _counts(sessions)
    undone = await api.query(REVERSE, {"id": spent["voucher"]["id"]}, subject="bk-1")
    assert undone["reverseVoucher"] == {
        "voucher": None,
        "errors": [{"code": "INVALID_STATE", "field": "voucherId"}],
    }
    assert await _counts(sessions) == before
