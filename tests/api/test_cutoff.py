"""recordCutOff: a group's paper books loaded once, balanced, with its loans running on."""

from __future__ import annotations

import asyncio
import copy
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from core.access import Role
from ledger.models import Loan, Voucher
from tests.conftest import Api
from tests.world import World, build_world, enroll_members, give_money

CUT_OFF = """mutation($input: RecordCutOffInput!) { recordCutOff(input: $input) {
    vouchers { id narration status total lines { account debit credit member { memberId } } }
    loans { id status principal } errors { code field message } } }"""
DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    errors { code field } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { errors { code } } }"""
REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
    voucher { lines { account debit credit } } errors { code field } } }"""
SHEET = """query($c: String!) { balanceSheet(cboCode: $c) { assets { account amount }
    liabilities { account amount } funds { account amount } surplus totalAssets
    totalLiabilitiesAndFunds } trialBalance(cboCode: $c) { balanced } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _paper(shg: str, first: str, second: str, **change: Any) -> dict[str, Any]:
    """Cash 1,500 and bank 20,000; savings 12,500; a loan of 10,000 still owed; RF 15,000; a
    bank loan of 5,000 (12% flat, 5 months left). Net worth: 31,500 owned less 32,500 owed, so -1,000."""
    books = {
        "shgCode": shg,
        "asOn": "2024-03-31",
        "cash": "1500",
        "bank": "20000",
        "members": [
            {
                "memberId": first, "compulsorySavings": "6000", "voluntarySavings": "500",
                "loans": [{"outstanding": "10000", "annualRatePercent": "24", "monthsLeft": 10,
                           "method": "FLAT", "nextDueOn": "2024-04-30"}],
            },
            {"memberId": second, "compulsorySavings": "6000"},
        ],
        "funds": [{"account": "revolving_fund", "amount": "15000"}],
        "groupLoans": [{"source": "BANK", "outstanding": "5000", "annualRatePercent": "12",
                        "monthsLeft": 5, "method": "FLAT", "nextDueOn": "2024-04-30", "dose": 1,
                        "sanctionedLimit": "5000"}],
        "idempotencyKey": "cutoff-1",
    }  # fmt: skip
    return {"input": {**books, **change}}


def _shg(world: World) -> tuple[str, str, str]:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    first, second = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    return shg, first, second


async def test_a_cut_off_opens_balanced_books_and_its_loan_runs_on(api: Api, world: World) -> None:
    shg, first, second = _shg(world)
    data = (
        await api.query(CUT_OFF, _paper(shg, first, second), role=Role.BOOKKEEPER, subject="bk")
    )["recordCutOff"]
    assert data["errors"] == []
    opening, lent, owed = data["vouchers"]
    assert opening["narration"] == "Opening balances at cut-off" and opening["status"] == "DRAFT"
    assert {(line["account"], line["debit"], line["credit"]) for line in opening["lines"]} == {
        ("cash", "1500.00", "0.00"),
        ("bank", "20000.00", "0.00"),
        ("savings_compulsory", "0.00", "6000.00"),
        ("savings_voluntary", "0.00", "500.00"),
        ("revolving_fund", "0.00", "15000.00"),
        ("accumulated_surplus", "6000.00", "0.00"),
    }
    assert {(line["account"], line["debit"], line["credit"]) for line in lent["lines"]} == {
        ("loans_to_members", "10000.00", "0.00"),
        ("accumulated_surplus", "0.00", "10000.00"),
    }
    assert {(line["account"], line["debit"], line["credit"]) for line in owed["lines"]} == {
        ("accumulated_surplus", "5000.00", "0.00"),
        ("loan_from_bank", "0.00", "5000.00"),
    }
    loan, _ = data["loans"]
    assert (loan["status"], loan["principal"]) == ("PENDING", "10000.00")
    # A replay from the phone answers with the same entry and writes nothing.
    again = (
        await api.query(CUT_OFF, _paper(shg, first, second), role=Role.BOOKKEEPER, subject="bk")
    )["recordCutOff"]
    assert [v["id"] for v in again["vouchers"]] == [opening["id"], lent["id"], owed["id"]]

    # One entry: approving the loan's voucher posts the opening balances with it.
    done = await api.query(APPROVE, {"id": lent["id"]}, role=Role.APPROVER, subject="ap")
    assert done["approveVoucher"]["errors"] == []
    again = await api.query(APPROVE, {"id": opening["id"]}, role=Role.APPROVER, subject="ap")
    assert again["approveVoucher"]["errors"] == [{"code": "INVALID_STATE"}]
    books = await api.query(SHEET, {"c": shg})
    sheet = books["balanceSheet"]
    assert books["trialBalance"]["balanced"]
    assert sheet["totalAssets"] == sheet["totalLiabilitiesAndFunds"] == "31500.00"
    assert {"account": "accumulated_surplus", "amount": "-1000.00"} in sheet["funds"]
    assert {"account": "loans_to_members", "amount": "10000.00"} in sheet["assets"]

    # Her first instalment after the cut-off: 200 interest (24% flat on 10,000), 1,000 principal.
    paid = (
        await api.query(
            REPAY, {"input": {"loanId": loan["id"], "amount": "1200", "paidOn": "2024-04-30"}}
        )
    )["recordRepayment"]
    assert paid["errors"] == []
    assert {(line["account"], line["credit"]) for line in paid["voucher"]["lines"]} >= {
        ("interest_income", "200.00"),
        ("loans_to_members", "1000.00"),
    }


async def test_a_cut_off_is_rejected_whole_and_can_then_be_redone(api: Api, world: World) -> None:
    shg, first, second = _shg(world)
    made = (await api.query(CUT_OFF, _paper(shg, first, second)))["recordCutOff"]
    opening, _, _ = made["vouchers"]
    reject = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "typo"}) {
        voucher { status linked { status } } errors { code } } }"""
    rejected = (await api.query(reject, {"id": opening["id"]}, role=Role.APPROVER, subject="ap"))[
        "rejectVoucher"
    ]
    assert rejected["voucher"] == {"status": "REJECTED", "linked": [{"status": "REJECTED"}] * 2}
    loan = """query($id: ID!) { node(id: $id) { ... on Loan { status } } }"""
    assert (await api.query(loan, {"id": made["loans"][0]["id"]}))["node"]["status"] == "CANCELLED"
    corrected = _paper(shg, first, second, idempotencyKey="cutoff-2")
    redone = (await api.query(CUT_OFF, corrected))["recordCutOff"]
    assert redone["errors"] == [] and len(redone["vouchers"]) == 3


async def test_a_cut_off_is_reversed_whole(api: Api, world: World) -> None:
    shg, first, second = _shg(world)
    paper = _paper(shg, first, second)
    paper["input"]["members"][1]["loans"] = [
        {"outstanding": "4000", "annualRatePercent": "12", "monthsLeft": 4, "method": "FLAT",
         "nextDueOn": "2024-04-30"}
    ]  # fmt: skip
    made = (await api.query(CUT_OFF, paper))["recordCutOff"]
    assert made["errors"] == [] and len(made["vouchers"]) == 4
    done = await api.query(APPROVE, {"id": made["vouchers"][0]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    reverse = """mutation($id: ID!) { reverseVoucher(input: {voucherId: $id,
        reversedOn: "2024-04-02", reason: "loaded to the wrong group"}) {
        voucher { id linked { id } } errors { code } } }"""
    reversal = (await api.query(reverse, {"id": made["vouchers"][2]["id"]}))["reverseVoucher"]
    assert reversal["errors"] == [] and len(reversal["voucher"]["linked"]) == 3
    undone = await api.query(APPROVE, {"id": reversal["voucher"]["id"]}, role=Role.APPROVER)
    assert undone["approveVoucher"]["errors"] == []
    trial = """query($c: String!) { trialBalance(cboCode: $c) { lines { debit credit } } }"""
    lines = (await api.query(trial, {"c": shg}))["trialBalance"]["lines"]
    assert {(line["debit"], line["credit"]) for line in lines} <= {("0.00", "0.00")}


async def test_a_loan_the_group_owes_at_cut_off_runs_on_like_any_group_loan(
    api: Api, world: World
) -> None:
    shg, first, second = _shg(world)
    bank_loan = {
        "source": "BANK", "outstanding": "60000", "annualRatePercent": "12", "monthsLeft": 12,
        "method": "DECLINING", "nextDueOn": "2024-04-30", "dose": 2, "sanctionedLimit": "100000",
    }  # fmt: skip
    paper = _paper(shg, first, second, groupLoans=[bank_loan], idempotencyKey="g")
    made = (await api.query(CUT_OFF, paper))["recordCutOff"]
    assert made["errors"] == []
    owed = made["vouchers"][-1]
    assert {(x["account"], x["debit"], x["credit"]) for x in owed["lines"]} == {
        ("accumulated_surplus", "60000.00", "0.00"),
        ("loan_from_bank", "0.00", "60000.00"),
    }
    done = await api.query(APPROVE, {"id": owed["id"]}, role=Role.APPROVER, subject="ap")
    assert done["approveVoucher"]["errors"] == []
    sheet = (await api.query(SHEET, {"c": shg}))["balanceSheet"]
    # Owned 31,500; owed savings 12,500, the bank 60,000 and RF 15,000: surplus -56,000.
    assert {"account": "loan_from_bank", "amount": "60000.00"} in sheet["liabilities"]
    assert {"account": "accumulated_surplus", "amount": "-56000.00"} in sheet["funds"]
    # Its first instalment's interest, 1% of 60,000 a month on the declining balance.
    group_loan = next(x for x in made["loans"] if x["principal"] == "60000.00")
    paid = (
        await api.query(
            REPAY, {"input": {"loanId": group_loan["id"], "amount": "600", "paidOn": "2024-04-30"}}
        )
    )["recordRepayment"]
    assert paid["errors"] == []
    assert {(x["account"], x["debit"], x["credit"]) for x in paid["voucher"]["lines"]} == {
        ("bank", "0.00", "600.00"),
        ("interest_expense", "600.00", "0.00"),
    }


async def test_a_second_cut_off_is_refused(api: Api, world: World, sessions: Any) -> None:
    shg, first, second = _shg(world)
    await api.query(CUT_OFF, _paper(shg, first, second))
    backdated = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
        errors { code field message } } }"""
    before = {
        "cboCode": shg, "voucherDate": "2024-03-30", "narration": "Stationery",
        "lines": [{"account": "other_expenses", "debit": "5"}, {"account": "cash", "credit": "5"}],
    }  # fmt: skip
    assert (await api.query(backdated, {"input": before}))["recordVoucher"]["errors"] == [
        {
            "code": "INVALID",
            "field": "voucherDate",
            "message": "This date is before the books' cut-off",
        }
    ]
    on_the_day = {**before, "voucherDate": "2024-03-31"}
    assert (await api.query(backdated, {"input": on_the_day}))["recordVoucher"]["errors"] == []
    refused = (await api.query(CUT_OFF, _paper(shg, first, second, idempotencyKey="cutoff-2")))[
        "recordCutOff"
    ]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_STATE", "shgCode")]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Loan)) == 2


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"asOn": "2999-01-01"}, "asOn", "INVALID"),
        ({"cash": "-5"}, "cash", "INVALID"),
        ({"funds": [{"account": "cash", "amount": "5"}]}, "funds[0].account", "INVALID"),
        ({"members": [{"memberId": "99999999999"}]}, "members[0].memberId", "NOT_FOUND"),
        (
            {"members": [{"memberId": "FIRST", "loans": [{"outstanding": "100", "annualRatePercent": "24",
              "monthsLeft": 0, "method": "FLAT", "nextDueOn": "2024-04-30"}]}]},
            "members[0].loans[0].monthsLeft",
            "INVALID",
        ),
        (
            # A month and a day on: the paper schedule's next instalment is within the month.
            {"members": [{"memberId": "FIRST", "loans": [{"outstanding": "100", "annualRatePercent": "24",
              "monthsLeft": 2, "method": "FLAT", "nextDueOn": "2024-05-01"}]}]},
            "members[0].loans[0].nextDueOn",
            "INVALID",
        ),
    ],
)  # fmt: skip
async def test_bad_cut_offs_write_nothing(
    api: Api, world: World, sessions: Any, change: dict[str, Any], field: str, code: str
) -> None:
    shg, first, second = _shg(world)
    change = copy.deepcopy(change)  # the parameters are shared by both backends' runs
    for member in change.get("members", []):
        if member["memberId"] == "FIRST":
            member["memberId"] = first
    data = (await api.query(CUT_OFF, _paper(shg, first, second, **change)))["recordCutOff"]
    assert [(e["code"], e["field"]) for e in data["errors"]] == [(code, field)]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Voucher)) == 0
        assert await session.scalar(select(func.count()).select_from(Loan)) == 0


async def test_a_cut_off_racing_a_voucher_still_comes_first(
    api: Api, world: World, sessions: Any
) -> None:
    """Real concurrent connections: whichever wins, no voucher lands before a cut-off."""
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg")
    saving = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
        voucher { id } errors { code } } }"""
    for shg in shgs:
        first, second = sorted(m for m, t in world.members.items() if shg in t.ancestors)
        voucher = {
            "cboCode": shg, "voucherDate": "2024-04-07", "narration": "Savings",
            "lines": [{"account": "cash", "debit": "10"},
                      {"account": "savings_compulsory", "credit": "10", "memberId": first}],
        }  # fmt: skip
        books = _paper(shg, first, second, idempotencyKey=f"race-{shg}")
        await asyncio.gather(
            api.query(CUT_OFF, books),
            *(api.query(saving, {"input": voucher}) for _ in range(3)),
        )
    async with sessions() as session:
        for shg in shgs:
            cbo_id = world.cbos[shg].db_id
            rows = (
                await session.execute(
                    select(Voucher.id, Voucher.narration)
                    .where(Voucher.cbo_id == cbo_id)
                    .order_by(Voucher.id)
                )
            ).all()
            cut = [vid for vid, narration in rows if "cut-off" in narration]
            others = [vid for vid, narration in rows if "cut-off" not in narration]
            assert len(others) == 3
            if cut:  # the cut-off won: every other voucher came after it
                assert max(cut) < min(others), rows


FEDERATION = """mutation($input: RecordFederationCutOffInput!) {
    recordFederationCutOff(input: $input) {
        voucher { id status lines { account debit credit } } errors { code field } } }"""


def _vo_books(vo: str, **change: Any) -> dict[str, Any]:
    """Cash 2,000, bank 3,00,000 and 1,50,000 lent to its SHGs, against CIF 4,00,000 held
    and 50,000 owed to the CLF: net worth 2,000."""
    books = {
        "cboCode": vo, "asOn": "2024-03-31", "cash": "2000", "bank": "300000",
        "funds": [{"account": "community_investment_fund", "amount": "400000"}],
        "lending": [{"account": "loans_to_shgs", "amount": "150000"}],
        "borrowings": [{"account": "loan_from_clf", "amount": "50000"}],
    }  # fmt: skip
    return {"input": {**books, **change}}


async def test_a_federation_opens_its_books_from_paper_once(api: Api, world: World) -> None:
    vo = sorted(c for c, t in world.cbos.items() if t.kind == "vo")[0]
    made = (await api.query(FEDERATION, _vo_books(vo)))["recordFederationCutOff"]
    assert made["errors"] == []
    assert {(x["account"], x["debit"], x["credit"]) for x in made["voucher"]["lines"]} == {
        ("cash", "2000.00", "0.00"),
        ("bank", "300000.00", "0.00"),
        ("loans_to_shgs", "150000.00", "0.00"),
        ("community_investment_fund", "0.00", "400000.00"),
        ("loan_from_clf", "0.00", "50000.00"),
        ("accumulated_surplus", "0.00", "2000.00"),
    }
    done = await api.query(APPROVE, {"id": made["voucher"]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    books = await api.query(SHEET, {"c": vo})
    assert books["trialBalance"]["balanced"]
    assert books["balanceSheet"]["totalAssets"] == "452000.00"
    again = (await api.query(FEDERATION, _vo_books(vo, idempotencyKey="2")))[
        "recordFederationCutOff"
    ]
    assert again["errors"] == [{"code": "INVALID_STATE", "field": "cboCode"}]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"lending": [{"account": "loans_to_vos", "amount": "1"}]}, "lending[0].account", "INVALID"),
        ({"borrowings": [{"account": "loan_from_vo", "amount": "1"}]}, "borrowings[0].account",
         "INVALID"),  # a VO borrows from its CLF or a bank, not from a VO
        ({"cash": "-1"}, "cash", "INVALID"),
        ({"cboCode": "SHG"}, "cboCode", "INVALID"),  # an SHG's cut-off lists its members
    ],
)  # fmt: skip
async def test_bad_federation_cut_offs_write_nothing(
    api: Api, world: World, sessions: Any, change: dict[str, Any], field: str, code: str
) -> None:
    vo = sorted(c for c, t in world.cbos.items() if t.kind == "vo")[0]
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    if change.get("cboCode") == "SHG":
        change = {**change, "cboCode": shg}
    data = (await api.query(FEDERATION, _vo_books(vo, **change)))["recordFederationCutOff"]
    assert data == {"voucher": None, "errors": [{"code": code, "field": field}]}
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Voucher)) == 0


async def test_a_federation_cut_off_may_follow_its_groups_vouchers_but_not_predate_them(
    api: Api, world: World, sessions: Any
) -> None:
    vo = sorted(c for c, t in world.cbos.items() if t.kind == "vo")[0]
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg" and vo in t.ancestors)[0]
    await give_money(sessions, vo, bank_paise=20_000_00, on=date(2024, 4, 15))  # what it lends
    # A CIF loan made on the platform on 1 May writes into the VO's books first.
    loan = {
        "shgCode": shg, "source": "VO_CIF", "principal": "20000", "annualRatePercent": "12",
        "months": 10, "method": "FLAT", "disbursedOn": "2024-05-01", "firstDueOn": "2024-06-01",
    }  # fmt: skip
    assert (await api.query(DISBURSE, {"input": loan}))["disburseLoan"]["errors"] == []
    late = (await api.query(FEDERATION, _vo_books(vo, asOn="2024-06-30")))["recordFederationCutOff"]
    assert late["errors"] == [{"code": "INVALID_STATE", "field": "cboCode"}]
    made = (await api.query(FEDERATION, _vo_books(vo, idempotencyKey="2")))[
        "recordFederationCutOff"
    ]
    assert made["errors"] == []
    # Rejected, the cut-off never happened: it can be recorded again, on another date.
    reject = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "date"}) {
        errors { code } } }"""
    rejected = await api.query(reject, {"id": made["voucher"]["id"]}, role=Role.APPROVER)
    assert rejected["rejectVoucher"]["errors"] == []
    again = (await api.query(FEDERATION, _vo_books(vo, asOn="2024-03-01", idempotencyKey="3")))[
        "recordFederationCutOff"
    ]
    assert again["errors"] == []


async def test_a_cif_loan_owed_at_cut_off_is_repaid_into_both_books(api: Api, world: World) -> None:
    shg, first, second = _shg(world)
    vo = next(
        c for c in world.cbos[shg].ancestors if c in world.cbos and world.cbos[c].kind == "vo"
    )
    owed = {
        "source": "VO_CIF", "outstanding": "30000", "annualRatePercent": "12", "monthsLeft": 10,
        "method": "FLAT", "nextDueOn": "2024-04-30",
    }  # fmt: skip
    bad = _paper(shg, first, second, groupLoans=[{**owed, "monthsLeft": 0}])
    refused = (await api.query(CUT_OFF, bad))["recordCutOff"]["errors"]
    assert [(e["code"], e["field"]) for e in refused] == [("INVALID", "groupLoans[0].monthsLeft")]
    paper = _paper(shg, first, second, groupLoans=[owed], idempotencyKey="v")
    made = (await api.query(CUT_OFF, paper))["recordCutOff"]
    assert made["errors"] == []
    done = await api.query(APPROVE, {"id": made["vouchers"][0]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    # 3,000 principal and 300 interest a month (12% flat on 30,000), paid to the VO.
    group_loan = next(x for x in made["loans"] if x["principal"] == "30000.00")
    repay = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
        voucher { linked { cbo { code } lines { account debit credit } } } errors { code } } }"""
    paid = (
        await api.query(
            repay, {"input": {"loanId": group_loan["id"], "amount": "3300", "paidOn": "2024-04-30"}}
        )
    )["recordRepayment"]
    assert paid["errors"] == []
    [lender] = paid["voucher"]["linked"]
    assert lender["cbo"]["code"] == vo
    assert {(x["account"], x["debit"], x["credit"]) for x in lender["lines"]} == {
        ("bank", "3300.00", "0.00"),
        ("loans_to_shgs", "0.00", "3000.00"),
        ("interest_income", "0.00", "300.00"),
    }


async def test_a_loan_due_the_day_after_the_cut_off_takes_its_whole_instalment(
    api: Api, world: World
) -> None:
    """Its paper schedule's month began before the cut-off: the instalment due the next day
    carries that whole month's interest (200, 24% flat on 10,000), earned on paper."""
    shg, first, second = _shg(world)
    paper = _paper(shg, first, second)
    paper["input"]["members"][0]["loans"][0]["nextDueOn"] = "2024-04-01"
    made = (await api.query(CUT_OFF, paper))["recordCutOff"]
    assert made["errors"] == []
    done = await api.query(APPROVE, {"id": made["vouchers"][0]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    loan = next(x for x in made["loans"] if x["principal"] == "10000.00")
    paid = (
        await api.query(
            REPAY, {"input": {"loanId": loan["id"], "amount": "1200", "paidOn": "2024-04-01"}}
        )
    )["recordRepayment"]
    assert paid["errors"] == []
    assert {(x["account"], x["credit"]) for x in paid["voucher"]["lines"]} >= {
        ("interest_income", "200.00"),
        ("loans_to_members", "1000.00"),
    }


@pytest.mark.parametrize("account", ["loan_from_vo", "loan_from_clf", "loan_from_bank"])
async def test_a_debt_without_its_terms_is_refused(
    api: Api, world: World, sessions: Any, account: str
) -> None:
    """A bare balance on a loan account had no loan record: no repayment could be recorded
    against it, and a voucher written by hand may not move it, so it could never be cleared."""
    shg, first, second = _shg(world)
    bare = [{"account": account, "amount": "5000"}]
    paper = _paper(shg, first, second, borrowings=bare, groupLoans=[])
    [error] = (await api.query(CUT_OFF, paper))["recordCutOff"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID", "borrowings[0].account")
    assert "groupLoans" in error["message"]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Voucher)) == 0


async def test_what_a_federation_lent_or_owes_at_cut_off_can_be_cleared(
    api: Api, world: World
) -> None:
    """Its lending is the SHGs' CIF loans, loaded with their own cut-offs, whose repayments
    credit its loans_to_shgs; what it owes its CLF is repaid by an ordinary voucher."""
    shg, first, second = _shg(world)
    vo = next(
        c for c in world.cbos[shg].ancestors if c in world.cbos and world.cbos[c].kind == "vo"
    )
    books = _vo_books(vo, lending=[{"account": "loans_to_shgs", "amount": "30000"}])
    opened = (await api.query(FEDERATION, books))["recordFederationCutOff"]
    assert opened["errors"] == []
    done = await api.query(APPROVE, {"id": opened["voucher"]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    owed = {
        "source": "VO_CIF", "outstanding": "30000", "annualRatePercent": "12", "monthsLeft": 10,
        "method": "FLAT", "nextDueOn": "2024-04-30",
    }  # fmt: skip
    made = (await api.query(CUT_OFF, _paper(shg, first, second, groupLoans=[owed])))["recordCutOff"]
    assert made["errors"] == []
    done = await api.query(APPROVE, {"id": made["vouchers"][0]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    group_loan = next(x for x in made["loans"] if x["principal"] == "30000.00")
    repay = {"input": {"loanId": group_loan["id"], "amount": "3300", "paidOn": "2024-04-30"}}
    paid = (await api.query(REPAY, repay))["recordRepayment"]
    assert paid["errors"] == []
    drafts = (
        """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) { edges { node { id } } } }"""
    )
    [draft] = (await api.query(drafts, {"c": shg}))["vouchers"]["edges"]
    done = await api.query(APPROVE, {"id": draft["node"]["id"]}, role=Role.APPROVER)
    assert done["approveVoucher"]["errors"] == []
    by_hand = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
        errors { code field } } }"""
    to_clf = {
        "cboCode": vo, "voucherDate": "2024-05-02", "narration": "Repaid to the CLF",
        "lines": [{"account": "loan_from_clf", "debit": "1000"}, {"account": "bank", "credit": "1000"}],
    }  # fmt: skip
    assert (await api.query(by_hand, {"input": to_clf}))["recordVoucher"]["errors"] == []
    sheet = (await api.query(SHEET, {"c": vo}))["balanceSheet"]
    assert {"account": "loans_to_shgs", "amount": "27000.00"} in sheet["assets"]


async def test_a_big_group_s_cut_off_loads_every_member_s_savings(
    api: Api, world: World, sessions: Any
) -> None:
    """52 members with both kinds of savings make an opening voucher of 107 lines: the cap
    on a voucher typed line by line once refused the cut-off (lines is no input of it)."""
    shg, first, second = _shg(world)
    members = [first, second, *await enroll_members(sessions, shg, 50, first=2001)]
    books = _paper(
        shg, first, second, cash="8000", bank="0", funds=[], borrowings=[], groupLoans=[]
    )
    books["input"]["members"] = [
        {"memberId": m, "compulsorySavings": "10", "voluntarySavings": "5"} for m in members
    ]
    data = (await api.query(CUT_OFF, books))["recordCutOff"]
    assert data["errors"] == []
    (opening,) = data["vouchers"]
    # cash, 104 savings lines, and the surplus: 8,000 held less 780 saved
    assert len(opening["lines"]) == 106
    assert ("accumulated_surplus", "0.00", "7220.00") in {
        (line["account"], line["debit"], line["credit"]) for line in opening["lines"]
    }
