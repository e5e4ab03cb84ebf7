"""Her passbook: her books in each SHG kept apart, interest and fines she paid, and only the
SHGs inside the reader's scope, before and after a transfer."""

from __future__ import annotations

from typing import Any

import pytest

from core.access import Role
from tests.conftest import Api
from tests.world import World, build_world

RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id } errors { code field } } }"""
DRAFTS = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) { edges { node { id } } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { errors { code } } }"""
MEETING = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
    errors { code field } } }"""
DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id } errors { code field } } }"""
REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
    voucher { lines { account credit member { memberId } } } errors { code field } } }"""
TRANSFER = """mutation($input: TransferMemberInput!) { transferMember(input: $input) {
    errors { code field } } }"""
PASSBOOK = """query($m: String!) { passbook(memberId: $m) { interestPaid finesPaid
    balances { shg { code } account balance }
    entries { shg { code } narration account debit credit balance } } }"""
BOOKS = """query($c: String!) { vouchers(cboCode: $c) { edges { node { narration
    lines { account member { memberId name shg { code } } } } } } }"""
MEMBER = """query($m: String!) { member(memberId: $m) { memberId } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on Voucher { narration } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


def _place(world: World, shg: str, kind: str) -> str:
    return next(
        c for c in world.cbos[shg].ancestors if c in world.geo and world.geo[c].kind == kind
    )


async def _approve_drafts(api: Api, shg: str) -> None:
    """Approve until no draft is left: a meeting's vouchers are one entry, approved together."""
    while edges := (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]:
        answer = await api.query(APPROVE, {"id": edges[0]["node"]["id"]}, role=Role.APPROVER)
        assert answer["approveVoucher"]["errors"] == []


async def _meeting(api: Api, shg: str, on: str, *members: tuple[str, str, str]) -> None:
    """A meeting of ``(member, savings, fine)``, its vouchers approved."""
    present = [{"memberId": member, "present": True, "savings": savings, "fine": fine}
               for member, savings, fine in members]  # fmt: skip
    meeting = {"shgCode": shg, "heldOn": on, "members": present}
    answer = await api.query(MEETING, {"input": meeting}, subject="bk-1")
    assert answer["recordMeeting"]["errors"] == []
    await _approve_drafts(api, shg)


async def test_her_passbook_shows_the_interest_and_fines_she_paid(api: Api, world: World) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    member, neighbour = sorted(m for m, t in world.members.items() if shg in t.ancestors)
    await _meeting(api, shg, "2024-04-07", (member, "1000", "5"), (neighbour, "0", "3"))
    loan = {"shgCode": shg, "memberId": member, "principal": "600", "annualRatePercent": "24",
            "months": 6, "method": "FLAT", "disbursedOn": "2024-04-10",
            "firstDueOn": "2024-05-10"}  # fmt: skip
    lent = (await api.query(DISBURSE, {"input": loan}, subject="bk-1"))["disburseLoan"]
    assert lent["errors"] == []
    await _approve_drafts(api, shg)
    repay = {"loanId": lent["loan"]["id"], "amount": "112", "paidOn": "2024-05-10"}
    repaid = (await api.query(REPAY, {"input": repay}, subject="bk-1"))["recordRepayment"]
    assert repaid["errors"] == []
    await _approve_drafts(api, shg)
    [interest] = [
        line for line in repaid["voucher"]["lines"] if line["account"] == "interest_income"
    ]
    assert interest["member"] == {"memberId": member} and interest["credit"] != "0.00"

    book = (await api.query(PASSBOOK, {"m": member}))["passbook"]
    assert book["finesPaid"] == "5.00" and book["interestPaid"] == interest["credit"]
    paid = {(b["account"], b["balance"]) for b in book["balances"]}
    assert {("fines", "5.00"), ("interest_income", interest["credit"])} <= paid
    assert ("fines", "5.00") in {(e["account"], e["credit"]) for e in book["entries"]}
    assert ("interest_income", interest["credit"]) in {
        (e["account"], e["credit"]) for e in book["entries"]
    }
    # Her neighbour's fine is hers, not this member's.
    other = (await api.query(PASSBOOK, {"m": neighbour}))["passbook"]
    assert other["finesPaid"] == "3.00" and other["interestPaid"] == "0.00"


async def test_after_a_transfer_each_scope_sees_only_its_own_shgs_books(
    api: Api, world: World
) -> None:
    shgs = sorted(c for c, t in world.cbos.items() if t.kind == "shg")
    old = shgs[0]
    district = _place(world, old, "district")
    new = next(
        s
        for s in shgs
        if district in world.cbos[s].ancestors
        and _place(world, s, "block") != _place(world, old, "block")
    )
    member = sorted(m for m, t in world.members.items() if old in t.ancestors)[0]
    await _meeting(api, old, "2024-04-07", (member, "500", "5"))
    payout = {"cboCode": old, "voucherDate": "2024-04-30", "narration": "Savings returned at old",
              "lines": [{"account": "savings_compulsory", "debit": "500", "memberId": member},
                        {"account": "cash", "credit": "500"}]}  # fmt: skip
    recorded = (await api.query(RECORD, {"input": payout}, subject="bk-1"))["recordVoucher"]
    assert recorded["errors"] == []
    await _approve_drafts(api, old)
    move = {"memberId": member, "toShgCode": new, "transferredOn": "2024-05-01",
            "reason": "married into another village"}  # fmt: skip
    assert (await api.query(TRANSFER, {"input": move}))["transferMember"]["errors"] == []
    await _meeting(api, new, "2024-05-05", (member, "200", "3"))

    # Where both SHGs are in scope, each keeps its own balances: nothing overwritten or added.
    everywhere = (await api.query(PASSBOOK, {"m": member}, role=Role.ANALYST))["passbook"]
    assert (
        everywhere
        == (await api.query(PASSBOOK, {"m": member}, role=Role.ANALYST, scope=district))["passbook"]
    )
    assert [(b["shg"]["code"], b["account"], b["balance"]) for b in everywhere["balances"]] == [
        (new, "savings_compulsory", "200.00"),
        (new, "fines", "3.00"),
        (old, "savings_compulsory", "0.00"),
        (old, "fines", "5.00"),
    ]
    assert everywhere["finesPaid"] == "8.00"

    # Her new SHG's village sees her new books only: none of the old SHG's narrations.
    for scope in (_place(world, new, "village"), _place(world, new, "block"), new):
        book = (await api.query(PASSBOOK, {"m": member}, role=Role.ANALYST, scope=scope))[
            "passbook"
        ]
        assert {e["shg"]["code"] for e in book["entries"]} == {new}, scope
        assert all("old" not in e["narration"] for e in book["entries"])
        assert [(b["account"], b["balance"]) for b in book["balances"]] == [
            ("savings_compulsory", "200.00"),
            ("fines", "3.00"),
        ]
        assert book["finesPaid"] == "3.00"
        hidden = await api.query(NODE, {"id": recorded["voucher"]["id"]}, role=Role.ANALYST,
                                 scope=scope)  # fmt: skip
        assert hidden == {"node": None}

    # Her former SHG's scope no longer sees her at all: no passbook, no member, and its own
    # books' lines that name her lead nowhere.
    for scope in (_place(world, old, "village"), _place(world, old, "block"), old):
        seen = await api.query(PASSBOOK, {"m": member}, role=Role.ANALYST, scope=scope)
        assert seen == {"passbook": None}, scope
        assert await api.query(MEMBER, {"m": member}, role=Role.ANALYST, scope=scope) == {
            "member": None
        }
        books = await api.query(BOOKS, {"c": old}, role=Role.ANALYST, scope=scope)
        narrations = [edge["node"]["narration"] for edge in books["vouchers"]["edges"]]
        assert "Savings returned at old" in narrations
        assert new not in str(books) and "name" not in str(books)
