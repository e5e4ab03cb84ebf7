"""Internal loans through the API: maker–checker on both legs, interest-first splits, overdues, PAR."""

from __future__ import annotations

import time
from typing import Any

import pytest

from core.access import Role
from tests.conftest import Api
from tests.world import World, build_world

DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id status principal annualRatePercent schedule { principal interest } }
    errors { code field message } } }"""
REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
    loan { status } voucher { id status lines { account debit credit } } errors { code field message } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { voucher { status } errors { code } } }"""
REJECT = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "wrong amount"}) { errors { code } } }"""
LOAN = """query($id: ID!, $on: Date) { node(id: $id) { ... on Loan { status
    position(asOf: $on) { principalOutstanding principalPaid interestPaid overdue daysPastDue } } } }"""
DRAFTS = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) { edges { node { id narration } } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions, money_paise=100_000_00)


def _shg(world: World) -> tuple[str, list[str]]:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    return shg, sorted(m for m, t in world.members.items() if shg in t.ancestors)


def _loan(shg: str, member: str, **change: Any) -> dict[str, Any]:
    loan = {
        "shgCode": shg,
        "memberId": member,
        "principal": "12000",
        "annualRatePercent": "24",
        "months": 12,
        "method": "FLAT",
        "disbursedOn": "2024-04-10",
        "firstDueOn": "2024-05-10",
    }
    return {"input": {**loan, **change}}


async def _approve_latest_draft(api: Api, shg: str) -> None:
    drafts = (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]
    for edge in drafts:
        result = await api.query(
            APPROVE, {"id": edge["node"]["id"]}, role=Role.APPROVER, subject="ap-1"
        )
        assert result["approveVoucher"]["errors"] == []


async def _active_loan(api: Api, world: World) -> tuple[str, str]:
    shg, members = _shg(world)
    loan = (await api.query(DISBURSE, _loan(shg, members[0]), subject="bk-1"))["disburseLoan"][
        "loan"
    ]
    assert loan["status"] == "PENDING"
    await _approve_latest_draft(api, shg)
    return shg, loan["id"]


async def test_disbursement_waits_for_a_checker_and_follows_the_schedule(
    api: Api, world: World
) -> None:
    shg, members = _shg(world)
    data = (await api.query(DISBURSE, _loan(shg, members[0]), subject="bk-1"))["disburseLoan"]
    loan = data["loan"]
    assert loan["principal"] == "12000.00" and loan["annualRatePercent"] == "24.00"
    assert {(i["principal"], i["interest"]) for i in loan["schedule"]} == {("1000.00", "240.00")}
    assert (await api.query(LOAN, {"id": loan["id"]}))["node"]["status"] == "PENDING"
    await _approve_latest_draft(api, shg)
    assert (await api.query(LOAN, {"id": loan["id"]}))["node"]["status"] == "ACTIVE"
    trial = (
        await api.query(
            "query($c: String!) { trialBalance(cboCode: $c) { lines { account debit credit } } }",
            {"c": shg},
        )
    )["trialBalance"]["lines"]
    assert {"account": "loans_to_members", "debit": "12000.00", "credit": "0.00"} in trial


async def test_repayment_is_split_interest_first_and_ages_the_overdue(
    api: Api, world: World
) -> None:
    shg, loan_id = await _active_loan(api, world)
    data = (
        await api.query(
            REPAY,
            {"input": {"loanId": loan_id, "amount": "2000", "paidOn": "2024-06-15"}},
            subject="bk-1",
        )
    )["recordRepayment"]
    assert sorted(
        (line["account"], line["debit"], line["credit"]) for line in data["voucher"]["lines"]
    ) == [
        ("cash", "2000.00", "0.00"),
        ("interest_income", "0.00", "520.00"),  # 10 May, 10 June, 5 of 30 days to 10 July
        ("loans_to_members", "0.00", "1480.00"),
    ]
    before = (await api.query(LOAN, {"id": loan_id, "on": "2024-07-20"}))["node"]["position"]
    assert before["principalPaid"] == "0.00"  # not counted until approved
    await api.query(APPROVE, {"id": data["voucher"]["id"]}, role=Role.APPROVER, subject="ap-1")
    after = (await api.query(LOAN, {"id": loan_id, "on": "2024-07-20"}))["node"]["position"]
    assert after == {
        "principalOutstanding": "10520.00",
        "principalPaid": "1480.00",
        "interestPaid": "520.00",
        "overdue": "1720.00",  # 3,000 principal and 720 interest due by 10 July, less 2,000
        "daysPastDue": 40,
    }
    par = await api.query(
        'query($c: String!) { portfolioAtRisk(shgCode: $c, asOf: "2024-07-20") }', {"c": shg}
    )
    assert par == {"portfolioAtRisk": "1.0000"}
    on_time = await api.query(
        'query($c: String!) { portfolioAtRisk(shgCode: $c, asOf: "2024-06-20") }', {"c": shg}
    )
    assert on_time == {"portfolioAtRisk": "0.0000"}


async def test_a_repaid_loan_closes_refuses_more_and_reopens_if_reversed(
    api: Api, world: World
) -> None:
    _, loan_id = await _active_loan(api, world)
    # Paid off on 15 June: 12,000 and the interest earned by then (520), not the schedule's.
    too_much = await api.query(
        REPAY, {"input": {"loanId": loan_id, "amount": "12520.01", "paidOn": "2024-06-15"}}
    )
    assert too_much["recordRepayment"]["errors"][0]["field"] == "amount"
    full = (
        await api.query(
            REPAY,
            {"input": {"loanId": loan_id, "amount": "12520", "paidOn": "2024-06-15"}},
            subject="bk-1",
        )
    )["recordRepayment"]
    await api.query(APPROVE, {"id": full["voucher"]["id"]}, role=Role.APPROVER, subject="ap-1")
    assert (await api.query(LOAN, {"id": loan_id}))["node"]["status"] == "CLOSED"
    closed = await api.query(
        REPAY, {"input": {"loanId": loan_id, "amount": "1", "paidOn": "2024-06-16"}}
    )
    assert closed["recordRepayment"]["errors"] == [
        {"code": "INVALID_STATE", "field": "loanId", "message": "This loan is closed"}
    ]
    reversal = await api.query(
        """mutation($id: ID!) { reverseVoucher(input: {voucherId: $id, reversedOn: "2024-06-20", reason: "bounced"}) {
            voucher { id } errors { code } } }""",
        {"id": full["voucher"]["id"]},
        subject="bk-1",
    )
    await api.query(
        APPROVE,
        {"id": reversal["reverseVoucher"]["voucher"]["id"]},
        role=Role.APPROVER,
        subject="ap-1",
    )
    assert (await api.query(LOAN, {"id": loan_id}))["node"]["status"] == "ACTIVE"


async def test_a_rejected_disbursement_cancels_the_loan(api: Api, world: World) -> None:
    shg, members = _shg(world)
    loan = (await api.query(DISBURSE, _loan(shg, members[0]), subject="bk-1"))["disburseLoan"][
        "loan"
    ]
    [draft] = (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]
    await api.query(REJECT, {"id": draft["node"]["id"]}, role=Role.APPROVER, subject="ap-1")
    assert (await api.query(LOAN, {"id": loan["id"]}))["node"]["status"] == "CANCELLED"
    refused = await api.query(
        REPAY, {"input": {"loanId": loan["id"], "amount": "10", "paidOn": "2024-05-01"}}
    )
    assert refused["recordRepayment"]["errors"][0]["code"] == "INVALID_STATE"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"principal": "-5"}, "principal"),
        ({"principal": "100.001"}, "principal"),
        ({"annualRatePercent": "61"}, "annualRate"),
        ({"annualRatePercent": "12.345"}, "annualRatePercent"),
        ({"months": 0}, "months"),
        ({"firstDueOn": "2024-04-01"}, "firstDueOn"),
        ({"disbursedOn": "2999-01-01"}, "disbursedOn"),
        ({"memberId": "99999999999"}, "memberId"),
    ],
)
async def test_bad_loans_are_refused(
    api: Api, world: World, change: dict[str, Any], field: str
) -> None:
    shg, members = _shg(world)
    data = (await api.query(DISBURSE, _loan(shg, members[0], **change)))["disburseLoan"]
    assert data["loan"] is None and data["errors"][0]["field"] == field
    assert (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"] == []


async def test_a_stale_split_is_refused_at_approval(api: Api, world: World) -> None:
    _, loan_id = await _active_loan(api, world)

    async def repay(amount: str, day: str) -> str:
        data = await api.query(
            REPAY, {"input": {"loanId": loan_id, "amount": amount, "paidOn": day}}, subject="bk-1"
        )
        return str(data["recordRepayment"]["voucher"]["id"])

    # Recorded after the first (240 interest, 60 principal), the second (500) pays the 240
    # earned since and 260 principal; without the first it would pay 480 and 20.
    first, second, third = (
        await repay("300", "2024-05-10"),
        await repay("500", "2024-06-10"),
        await repay("100", "2024-07-10"),
    )
    # Approving out of order is fine while nothing before is withdrawn.
    assert (await api.query(APPROVE, {"id": third}, role=Role.APPROVER, subject="ap-1"))[
        "approveVoucher"
    ]["errors"] == []
    await api.query(REJECT, {"id": first}, role=Role.APPROVER, subject="ap-1")
    stale = (await api.query(APPROVE, {"id": second}, role=Role.APPROVER, subject="ap-1"))[
        "approveVoucher"
    ]
    assert stale["errors"] == [{"code": "INVALID_STATE"}]


REVERSE_ON = """mutation($id: ID!) { reverseVoucher(input: {voucherId: $id, reversedOn: "2024-07-01", reason: "wrong"}) {
    voucher { id } errors { code field message } } }"""


async def test_repayments_are_undone_newest_first(api: Api, world: World) -> None:
    """Reversing a repayment later ones rest on would leave their posted splits wrong."""
    _, loan_id = await _active_loan(api, world)

    async def repay(amount: str, on: str) -> str:
        data = await api.query(
            REPAY, {"input": {"loanId": loan_id, "amount": amount, "paidOn": on}}, subject="bk-1"
        )
        return str(data["recordRepayment"]["voucher"]["id"])

    async def approve(voucher_id: str) -> list[dict[str, Any]]:
        done = await api.query(APPROVE, {"id": voucher_id}, role=Role.APPROVER, subject="ap-1")
        errors: list[dict[str, Any]] = done["approveVoucher"]["errors"]
        return errors

    async def reverse(voucher_id: str) -> dict[str, Any]:
        result: dict[str, Any] = (await api.query(REVERSE_ON, {"id": voucher_id}, subject="bk-1"))[
            "reverseVoucher"
        ]
        return result

    first = await repay("1240", "2024-05-10")
    assert await approve(first) == []
    # The reversal of the first is recorded while it is still the newest...
    undo_first = (await reverse(first))["voucher"]["id"]
    # ...then a second repayment is recorded and posted on top of it.
    second = await repay("1240", "2024-06-10")
    assert await approve(second) == []
    assert [e["code"] for e in await approve(undo_first)] == ["INVALID_STATE"]
    refused = await reverse(first)  # a reversal is already pending for it
    assert refused["errors"][0]["code"] == "INVALID_STATE"
    disbursement = (await api.query(DRAFTS, {"c": _shg(world)[0]}))["vouchers"]["edges"]
    assert [edge["node"]["id"] for edge in disbursement] == [undo_first]  # nothing else pending
    # Newest first works.
    undo_second = (await reverse(second))["voucher"]["id"]
    assert await approve(undo_second) == []
    assert await approve(undo_first) == []
    position = (await api.query(LOAN, {"id": loan_id, "on": "2024-06-10"}))["node"]["position"]
    assert position["principalPaid"] == "0.00" and position["interestPaid"] == "0.00"


GROUP_LOAN = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id status source dose sanctionedLimit member { memberId } }
    errors { code field message } } }"""
VOUCHER_LINES = (
    """query($id: ID!) { node(id: $id) { ... on Voucher { lines { account debit credit } } } }"""
)


def _bank_loan(shg: str, **change: Any) -> dict[str, Any]:
    loan = {
        "shgCode": shg, "source": "BANK", "dose": 1, "sanctionedLimit": "100000",
        "principal": "60000", "annualRatePercent": "12", "months": 12, "method": "FLAT",
        "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10",
    }  # fmt: skip
    return {"input": {**loan, **change}}


async def test_a_bank_linkage_loan_is_the_groups_debt(api: Api, world: World) -> None:
    shg, _ = _shg(world)
    made = (await api.query(GROUP_LOAN, _bank_loan(shg), subject="bk-1"))["disburseLoan"]
    assert made["errors"] == []
    loan = made["loan"]
    assert (loan["source"], loan["dose"], loan["sanctionedLimit"], loan["member"]) == (
        "BANK", 1, "100000.00", None,
    )  # fmt: skip
    [draft] = (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]
    lines = (await api.query(VOUCHER_LINES, {"id": draft["node"]["id"]}))["node"]["lines"]
    assert {(x["account"], x["debit"], x["credit"]) for x in lines} == {
        ("bank", "60000.00", "0.00"),
        ("loan_from_bank", "0.00", "60000.00"),
    }
    await _approve_latest_draft(api, shg)
    assert (await api.query(LOAN, {"id": loan["id"]}))["node"]["status"] == "ACTIVE"
    # The first instalment: 600 interest (12% flat on 60,000), 5,000 principal, from the bank.
    paid = (
        await api.query(
            REPAY, {"input": {"loanId": loan["id"], "amount": "5600", "paidOn": "2024-05-10"}}
        )
    )["recordRepayment"]
    assert {(x["account"], x["debit"], x["credit"]) for x in paid["voucher"]["lines"]} == {
        ("bank", "0.00", "5600.00"),
        ("loan_from_bank", "5000.00", "0.00"),
        ("interest_expense", "600.00", "0.00"),
    }
    # Overdue to the bank, but not the group's portfolio at risk: no member owes it.
    par = await api.query(
        'query($c: String!) { portfolioAtRisk(shgCode: $c, asOf: "2025-01-01") }', {"c": shg}
    )
    assert par == {"portfolioAtRisk": "0.0000"}
    cif = (
        await api.query(
            GROUP_LOAN,
            _bank_loan(shg, source="VO_CIF", dose=None, sanctionedLimit=None, principal="50000"),
        )
    )["disburseLoan"]
    assert cif["errors"] == [] and cif["loan"]["source"] == "VO_CIF"
    drafts = (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]
    lines = (await api.query(VOUCHER_LINES, {"id": drafts[-1]["node"]["id"]}))["node"]["lines"]
    assert {(x["account"], x["credit"]) for x in lines} >= {("loan_from_vo", "50000.00")}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"principal": "100000.01"}, "principal", "INVALID"),  # over the sanctioned limit
        ({"dose": None}, "dose", "INVALID"),
        ({"sanctionedLimit": None}, "sanctionedLimit", "REQUIRED"),
        ({"memberId": "X"}, "memberId", "INVALID"),  # a loan to the group names no member
        ({"source": "VO_CIF"}, "dose", "INVALID"),  # only a bank loan has a dose
        ({"source": "SHG_CORPUS", "dose": None, "sanctionedLimit": None}, "memberId", "REQUIRED"),
    ],
)
async def test_group_loans_refuse_what_their_lender_rules_out(
    api: Api, world: World, change: dict[str, Any], field: str, code: str
) -> None:
    shg, _ = _shg(world)
    data = (await api.query(GROUP_LOAN, _bank_loan(shg, **change)))["disburseLoan"]
    assert data["loan"] is None
    assert [(e["field"], e["code"]) for e in data["errors"]] == [(field, code)]
    assert (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"] == []


async def test_a_meeting_repays_members_loans_not_the_groups(api: Api, world: World) -> None:
    shg, members = _shg(world)
    bank = (await api.query(GROUP_LOAN, _bank_loan(shg), subject="bk-1"))["disburseLoan"]["loan"]
    await _approve_latest_draft(api, shg)
    meeting = {
        "shgCode": shg, "heldOn": "2024-05-10",
        "members": [{"memberId": members[0], "present": True}],
        "repayments": [{"loanId": bank["id"], "amount": "5600"}],
    }  # fmt: skip
    data = await api.query(
        """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
            meeting { id } errors { code field } } }""",
        {"input": meeting},
    )
    assert data["recordMeeting"] == {
        "meeting": None,
        "errors": [{"code": "NOT_FOUND", "field": "repayments[0].loanId"}],
    }


async def test_interest_is_earned_by_the_day_not_taken_by_the_schedule(
    api: Api, world: World
) -> None:
    """Two repayments on the day of disbursement pay principal only; ten days on, a third
    of the first month's interest (240) is due; a repayment dated before another is refused."""
    shg, loan_id = await _active_loan(api, world)  # 12,000 at 24% flat, lent on 10 April

    async def repay(amount: str, on: str) -> dict[str, Any]:
        data: dict[str, Any] = (
            await api.query(
                REPAY,
                {"input": {"loanId": loan_id, "amount": amount, "paidOn": on}},
                subject="bk-1",
            )
        )["recordRepayment"]
        return data

    for amount in ("500", "300"):
        made = await repay(amount, "2024-04-10")
        assert made["errors"] == []
        assert {(x["account"], x["credit"]) for x in made["voucher"]["lines"]} == {
            ("cash", "0.00"),
            ("loans_to_members", f"{amount}.00"),
        }
    await _approve_latest_draft(api, shg)
    now = (await api.query(LOAN, {"id": loan_id, "on": "2024-04-10"}))["node"]["position"]
    assert (now["interestPaid"], now["principalPaid"]) == ("0.00", "800.00")
    later = await repay("100", "2024-04-20")
    assert {(x["account"], x["credit"]) for x in later["voucher"]["lines"]} == {
        ("cash", "0.00"),
        ("interest_income", "80.00"),
        ("loans_to_members", "20.00"),
    }
    earlier = await repay("100", "2024-04-15")
    assert [(e["code"], e["field"]) for e in earlier["errors"]] == [("INVALID", "paidOn")]


@pytest.mark.parametrize("amount", ["1e900000", "1e999999", "1" * 10_000])
async def test_a_partner_is_refused_before_the_amount_is_read(
    api: Api, world: World, amount: str
) -> None:
    """`1e900000` from a partner once held the server for 20 s before the role was checked."""
    _, loan_id = await _active_loan(api, world)
    repay = {"input": {"loanId": loan_id, "amount": amount, "paidOn": "2024-05-10"}}
    started = time.perf_counter()
    refused = (await api.query(REPAY, repay, role=Role.PARTNER))["recordRepayment"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert time.perf_counter() - started < 1
    # A bookkeeper who may record it gets a typed error for the amount, not an internal one.
    refused = (await api.query(REPAY, repay, subject="bk-1"))["recordRepayment"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID", "amount")]


@pytest.mark.parametrize(
    ("disbursed", "first_due", "accepted"),
    [
        ("2024-04-10", "2024-04-11", False),  # one day would earn a whole month's 240
        ("2023-04-10", "2024-04-10", False),  # a year would earn one month's 240, not 2,880
        ("2024-04-10", "2024-05-02", False),
        ("2024-04-10", "2024-05-03", True),  # a month, less a week
        ("2024-04-10", "2024-05-17", True),  # a month, and a week
        ("2024-04-10", "2024-05-18", False),
        ("2024-01-31", "2024-02-29", True),  # a month from the 31st ends on the month's last day
    ],
)
async def test_the_first_instalment_falls_about_a_month_after_disbursement(
    api: Api, world: World, disbursed: str, first_due: str, accepted: bool
) -> None:
    """Each instalment carries one month's interest, the first too: a first period far from
    a month would earn that month's interest in a day, or a year's interest as one month's."""
    shg, members = _shg(world)
    change = {"disbursedOn": disbursed, "firstDueOn": first_due}
    data = (await api.query(DISBURSE, _loan(shg, members[0], **change)))["disburseLoan"]
    if accepted:
        assert data["errors"] == [] and data["loan"]["schedule"][0]["interest"] == "240.00"
        return
    assert data["loan"] is None
    [error] = data["errors"]
    assert (error["code"], error["field"]) == ("INVALID", "firstDueOn")
    assert "a month after disbursement, give or take a week" in error["message"]
    assert (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"] == []
