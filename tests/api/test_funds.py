"""Community funds down the chain and CIF loans in the lender's books: one movement of
money, one voucher in each book, checked together (ledger.funds, ledger.vouchers)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from core.access import Role
from ledger.models import LedgerBalance
from tests.conftest import Api
from tests.world import World, build_world, give_money

RELEASE = """mutation($input: ReleaseFundInput!) { releaseFund(input: $input) {
    voucher { id status linked { id status cbo { code } } } errors { code field } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) {
    voucher { status linked { status } } errors { code field } } }"""
REJECT = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "wrong amount"}) {
    voucher { status linked { status } } errors { code } } }"""
REVERSE = """mutation($id: ID!) { reverseVoucher(input: {voucherId: $id, reversedOn: "2024-06-01",
    reason: "sent twice"}) { voucher { id linked { id } } errors { code } } }"""
TRIAL = """query($c: String!) { trialBalance(cboCode: $c) { balanced
    lines { account debit credit } } }"""
FLOW = """query($c: String!) { fundFlow(cboCode: $c) { cbo { code }
    totals { fund received released }
    releases { fund amount status releasedBy { code } releasedTo { code } } } }"""
DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id } errors { code field } } }"""
REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
    voucher { id linked { id } } errors { code field } } }"""
VOUCHER = """query($id: ID!) { node(id: $id) { ... on Voucher { status
    linked { id status cbo { code } lines { account debit credit } } } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _chain(world: World) -> tuple[str, str, str]:
    """A CLF, one of its VOs and one of that VO's SHGs."""
    vo = sorted(c for c, t in world.cbos.items() if t.kind == "vo")[0]
    clf = next(
        c for c in world.cbos[vo].ancestors if c in world.cbos and world.cbos[c].kind == "clf"
    )
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg" and vo in t.ancestors)[0]
    return clf, vo, shg


async def _release(api: Api, fund: str, to: str, amount: str, by: str | None = None) -> Any:
    release = {"fund": fund, "toCode": to, "fromCode": by, "amount": amount,
               "releasedOn": "2024-04-01"}  # fmt: skip
    return (await api.query(RELEASE, {"input": release}, role=Role.BOOKKEEPER, subject="bk"))[
        "releaseFund"
    ]


async def _approve(api: Api, voucher_id: str, scope: str = "") -> Any:
    return (
        await api.query(APPROVE, {"id": voucher_id}, role=Role.APPROVER, scope=scope, subject="ap")
    )["approveVoucher"]


async def _books(api: Api, code: str) -> dict[str, tuple[str, str]]:
    trial = (await api.query(TRIAL, {"c": code}))["trialBalance"]
    assert trial["balanced"]
    return {line["account"]: (line["debit"], line["credit"]) for line in trial["lines"]}


async def test_funds_flow_from_the_mission_through_clf_and_vo_to_an_shg(
    api: Api, world: World
) -> None:
    clf, vo, shg = _chain(world)
    steps = [
        ("CIF", clf, "1000000", None),  # the mission grants the CLF its CIF
        ("CIF", vo, "400000", clf),  # the CLF passes 4 lakh of it to the VO
        ("RF", vo, "30000", None),  # the mission's RF for two groups, through the VO
        ("RF", shg, "15000", vo),  # the VO passes one group's share on
    ]
    for fund, to, amount, by in steps:
        made = await _release(api, fund, to, amount, by)
        assert made["errors"] == [], made
        voucher = made["voucher"]
        assert voucher["status"] == "DRAFT"
        if by is None:  # the mission keeps its own books: one voucher
            assert voucher["linked"] == []
        else:
            assert [v["cbo"]["code"] for v in voucher["linked"]] == [by]
        checked = await _approve(api, voucher["id"])
        assert checked["errors"] == []
        assert checked["voucher"]["status"] == "APPROVED"
        assert checked["voucher"]["linked"] == [{"status": "APPROVED"}] * len(voucher["linked"])

    assert await _books(api, clf) == {
        "bank": ("600000.00", "0.00"),
        "community_investment_fund": ("0.00", "600000.00"),
    }
    assert await _books(api, vo) == {
        "bank": ("415000.00", "0.00"),
        "community_investment_fund": ("0.00", "400000.00"),
        "revolving_fund": ("0.00", "15000.00"),
    }
    assert await _books(api, shg) == {
        "bank": ("15000.00", "0.00"),
        "revolving_fund": ("0.00", "15000.00"),
    }
    flow = (await api.query(FLOW, {"c": vo}))["fundFlow"]
    assert flow["totals"] == [
        {"fund": "RF", "received": "30000.00", "released": "15000.00"},
        {"fund": "CIF", "received": "400000.00", "released": "0.00"},
    ]
    assert [(r["fund"], r["releasedBy"], r["releasedTo"]["code"]) for r in flow["releases"]] == [
        ("CIF", {"code": clf}, vo),
        ("RF", None, vo),
        ("RF", {"code": vo}, shg),
    ]
    # The group's own readers see what came to it; the VO is outside their scope.
    mine = (await api.query(FLOW, {"c": shg}, role=Role.ANALYST, scope=shg))["fundFlow"]
    assert [(r["amount"], r["releasedBy"]) for r in mine["releases"]] == [("15000.00", None)]


async def test_a_federation_passes_on_only_what_its_books_hold(
    api: Api, world: World, sessions: Any
) -> None:
    _, vo, shg = _chain(world)
    received = await _release(api, "RF", vo, "15000")
    assert (await _approve(api, received["voucher"]["id"]))["errors"] == []
    await give_money(sessions, vo, bank_paise=100_000_00)  # bank enough: the fund is short
    first = await _release(api, "RF", shg, "10000", vo)
    second = await _release(api, "RF", shg, "10000", vo)  # each fits alone; both do not
    assert (await _approve(api, first["voucher"]["id"]))["errors"] == []
    refused = await _approve(api, second["voucher"]["id"])
    assert refused["errors"] == [{"code": "INSUFFICIENT_FUNDS", "field": "voucherId"}]
    assert (await _books(api, vo))["revolving_fund"] == ("0.00", "5000.00")
    assert (await _books(api, shg))["bank"] == ("10000.00", "0.00")
    status = (await api.query(VOUCHER, {"id": second["voucher"]["id"]}))["node"]
    assert status["status"] == "DRAFT" and status["linked"][0]["status"] == "DRAFT"


@pytest.mark.parametrize(
    ("fund", "to", "by", "field", "code"),
    [
        ("RF", "shg", "clf-of-another", "fromCode", "OUTSIDE_PARENT"),
        ("RF", "vo", "shg", "fromCode", "OUTSIDE_PARENT"),  # a group passes nothing up
        ("CEF", "shg", None, "fund", "INVALID"),  # an SHG keeps no enterprise fund
        ("RF", "shg", "vo", "amount", "INVALID"),
    ],
)
async def test_a_release_that_cannot_be_is_refused_and_writes_nothing(
    api: Api, world: World, fund: str, to: str, by: str | None, field: str, code: str
) -> None:
    clf, vo, shg = _chain(world)
    other_clf = sorted(c for c, t in world.cbos.items() if t.kind == "clf" and c != clf)[0]
    codes = {"shg": shg, "vo": vo, "clf-of-another": other_clf, None: None}
    amount = "-5" if field == "amount" else "100"
    made = await _release(api, fund, codes[to], amount, codes[by])  # type: ignore[arg-type]  # keys of codes
    assert made == {"voucher": None, "errors": [{"code": code, "field": field}]}
    assert (await api.query(FLOW, {"c": codes[to]}))["fundFlow"]["releases"] == []  # type: ignore[index]  # ditto


async def test_both_books_are_checked_together_by_someone_who_sees_both(
    api: Api, world: World
) -> None:
    _, vo, shg = _chain(world)
    grant = await _release(api, "RF", vo, "20000")
    assert (await _approve(api, grant["voucher"]["id"]))["errors"] == []
    made = await _release(api, "RF", shg, "8000", vo)
    voucher_id = made["voucher"]["id"]
    # The group's own approver cannot post money out of the VO's books.
    refused = await _approve(api, voucher_id, scope=shg)
    assert refused["errors"] == [{"code": "FORBIDDEN", "field": "voucherId"}]
    assert "bank" not in await _books(api, shg)
    # Rejecting one side rejects both.
    rejected = (
        await api.query(REJECT, {"id": voucher_id}, role=Role.APPROVER, scope=vo, subject="ap")
    )["rejectVoucher"]
    assert rejected["voucher"] == {"status": "REJECTED", "linked": [{"status": "REJECTED"}]}
    # Posted, then reversed: the reversal is a pair too and restores both books.
    again = await _release(api, "RF", shg, "8000", vo)
    assert (await _approve(api, again["voucher"]["id"], scope=vo))["errors"] == []
    reversal = (
        await api.query(REVERSE, {"id": again["voucher"]["id"]}, role=Role.BOOKKEEPER, subject="bk")
    )["reverseVoucher"]
    assert reversal["errors"] == [] and len(reversal["voucher"]["linked"]) == 1
    assert (await _approve(api, reversal["voucher"]["linked"][0]["id"]))["errors"] == []
    assert (await _books(api, vo))["revolving_fund"] == ("0.00", "20000.00")
    assert (await _books(api, shg)).get("bank", ("0.00", "0.00")) == ("0.00", "0.00")
    flow = """query($c: String!) { fundFlow(cboCode: $c) { totals { received }
        releases { status reversed } } }"""
    seen = (await api.query(flow, {"c": shg}))["fundFlow"]
    assert seen == {
        "totals": [],  # nothing the group received still stands
        "releases": [
            {"status": "REJECTED", "reversed": False},
            {"status": "APPROVED", "reversed": True},
        ],
    }


async def test_only_state_level_staff_record_a_release_from_the_mission(
    api: Api, world: World
) -> None:
    _, vo, shg = _chain(world)
    release = {"fund": "RF", "toCode": shg, "amount": "100", "releasedOn": "2024-04-01"}
    refused = (
        await api.query(RELEASE, {"input": release}, role=Role.BOOKKEEPER, scope=vo, subject="b")
    )["releaseFund"]
    assert refused == {"voucher": None, "errors": [{"code": "FORBIDDEN", "field": "fromCode"}]}
    state = next(
        c for c, t in world.geo.items() if t.kind == "state" and c in world.cbos[shg].ancestors
    )
    made = (
        await api.query(RELEASE, {"input": release}, role=Role.BOOKKEEPER, scope=state, subject="b")
    )["releaseFund"]
    assert made["errors"] == []


async def test_a_cif_loan_and_its_repayment_are_in_the_lenders_books_too(
    api: Api, world: World, sessions: Any
) -> None:
    _, vo, shg = _chain(world)
    await give_money(sessions, vo, bank_paise=50_000_00)  # what it lends
    loan = {
        "shgCode": shg, "source": "VO_CIF", "principal": "50000", "annualRatePercent": "12",
        "months": 10, "method": "FLAT", "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10",
    }  # fmt: skip
    # The group's bookkeeper alone cannot write into the VO's books.
    alone = (
        await api.query(DISBURSE, {"input": loan}, role=Role.BOOKKEEPER, scope=shg, subject="bk")
    )["disburseLoan"]
    assert alone == {"loan": None, "errors": [{"code": "FORBIDDEN", "field": "source"}]}
    made = (
        await api.query(DISBURSE, {"input": loan}, role=Role.BOOKKEEPER, scope=vo, subject="bk")
    )["disburseLoan"]
    assert made["errors"] == []
    drafts = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) {
        edges { node { id } } } }"""
    lender_draft = (await api.query(drafts, {"c": vo}))["vouchers"]["edges"][0]["node"]["id"]
    assert (await _approve(api, lender_draft, scope=vo))["errors"] == []  # posts both sides
    # 5,000 principal and 500 interest a month (12% flat on 50,000).
    paid = (
        await api.query(
            REPAY,
            {"input": {"loanId": made["loan"]["id"], "amount": "5500", "paidOn": "2024-05-10"}},
            role=Role.BOOKKEEPER,
            scope=vo,
            subject="bk",
        )
    )["recordRepayment"]
    assert paid["errors"] == []
    [seen] = (await api.query(VOUCHER, {"id": paid["voucher"]["id"]}))["node"]["linked"]
    assert seen["cbo"]["code"] == vo
    assert {(x["account"], x["debit"], x["credit"]) for x in seen["lines"]} == {
        ("bank", "5500.00", "0.00"),
        ("loans_to_shgs", "0.00", "5000.00"),
        ("interest_income", "0.00", "500.00"),
    }
    assert (await _approve(api, paid["voucher"]["id"], scope=vo))["errors"] == []
    assert await _books(api, vo) == {
        "bank": ("5500.00", "0.00"),  # 50,000 held, lent, 5,500 back
        "other_income": ("0.00", "50000.00"),
        "loans_to_shgs": ("45000.00", "0.00"),
        "interest_income": ("0.00", "500.00"),
    }
    assert await _books(api, shg) == {
        "bank": ("44500.00", "0.00"),
        "loan_from_vo": ("0.00", "45000.00"),
        "interest_expense": ("500.00", "0.00"),
    }


async def test_two_checkers_taking_both_sides_at_once_post_the_entry_once(
    api: Api, world: World, sessions: Any
) -> None:
    """Real concurrent connections: the two vouchers of one entry are locked in one order, so
    checkers approving either side at once neither deadlock nor post it twice."""
    _, vo, shg = _chain(world)
    grant = await _release(api, "RF", vo, "50000")
    assert (await _approve(api, grant["voucher"]["id"]))["errors"] == []
    for _ in range(5):
        made = await _release(api, "RF", shg, "1000", vo)
        sides = [made["voucher"]["id"], made["voucher"]["linked"][0]["id"]]
        results = await asyncio.gather(*(_approve(api, side, scope=vo) for side in sides * 2))
        assert sorted(len(r["errors"]) for r in results) == [0, 1, 1, 1], results
        assert {e["code"] for r in results for e in r["errors"]} == {"INVALID_STATE"}
    assert (await _books(api, vo))["revolving_fund"] == ("0.00", "45000.00")
    assert (await _books(api, shg))["revolving_fund"] == ("0.00", "5000.00")
    async with sessions() as session:  # one balance row per account and book, no duplicates
        rows = await session.scalar(select(func.count()).select_from(LedgerBalance))
        assert rows == 4  # VO bank and RF, SHG bank and RF


async def test_entries_over_the_same_two_books_approved_from_opposite_sides_do_not_deadlock(
    api: Api, world: World
) -> None:
    """Real concurrent connections: one checker takes each entry by the VO's voucher, the other
    by the group's; both post, because every entry locks the two books in one order."""
    _, vo, shg = _chain(world)
    grant = await _release(api, "RF", vo, "100000")
    assert (await _approve(api, grant["voucher"]["id"]))["errors"] == []
    for _ in range(4):
        first, second = [await _release(api, "RF", shg, "1000", vo) for _ in range(2)]
        by_group = first["voucher"]["id"]  # the receiver's voucher
        by_vo = second["voucher"]["linked"][0]["id"]
        results = await asyncio.gather(
            _approve(api, by_group, scope=vo), _approve(api, by_vo, scope=vo)
        )
        assert [r["errors"] for r in results] == [[], []], results
    assert (await _books(api, shg))["revolving_fund"] == ("0.00", "8000.00")
    assert (await _books(api, vo))["revolving_fund"] == ("0.00", "92000.00")


async def test_fund_flow_reads_a_fixed_number_of_statements_however_many_releases(
    api: Api, world: World, statements: list[str]
) -> None:
    _, vo, _ = _chain(world)
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg" and vo in t.ancestors)
    grant = await _release(api, "RF", vo, "100000")
    assert (await _approve(api, grant["voucher"]["id"]))["errors"] == []
    query = """query($c: String!) { fundFlow(cboCode: $c) { totals { fund received released }
        releases(first: 20) { amount releasedBy { code } releasedTo { code }
                   voucher { status linked { cbo { code } lines { account } } } } } }"""
    counts, shown = [], []
    for _ in range(3):  # each round releases once more to every group
        for shg in shgs:
            made = await _release(api, "RF", shg, "1000", vo)
            assert (await _approve(api, made["voucher"]["id"]))["errors"] == []
        statements.clear()
        flow = (await api.query(query, {"c": vo}))["fundFlow"]
        counts.append(len(statements))
        shown.append(len(flow["releases"]))
        assert all(r["voucher"]["linked"] for r in flow["releases"][1:])
    assert shown == [1 + len(shgs), 1 + 2 * len(shgs), 1 + 3 * len(shgs)]
    # The CBO; the releases with their status; the vouchers; their entries; the entries'
    # lines; the givers and receivers (CBOs by id).
    assert counts == [6, 6, 6], statements
