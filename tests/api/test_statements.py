"""Balance sheet and receipts and payments, checked against hand-worked books."""

from __future__ import annotations

from typing import Any

import pytest

from core.access import Role
from tests.conftest import Api
from tests.world import World, build_world

RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id } errors { code field message } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) {
    voucher { status } errors { code } } }"""
SHEET = """query($c: String!) { balanceSheet(cboCode: $c) {
    assets { account amount } liabilities { account amount } funds { account amount }
    surplus totalAssets totalLiabilitiesAndFunds cbo { code } } }"""
CASH_BOOK = """query($c: String!, $s: Date!, $e: Date!) {
    receiptsAndPayments(cboCode: $c, start: $s, end: $e) {
    opening closing receipts { account amount } payments { account amount } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions)


async def _post(
    api: Api, shg: str, on: str, debit: str, credit: str, amount: str, **member: str
) -> None:
    lines = [{"account": debit, "debit": amount}, {"account": credit, "credit": amount}]
    for line in lines:
        if line["account"] in member:
            line["memberId"] = member[line["account"]]
    voucher = {"cboCode": shg, "voucherDate": on, "narration": "test", "lines": lines}
    made = (await api.query(RECORD, {"input": voucher}, role=Role.BOOKKEEPER, subject="bk"))[
        "recordVoucher"
    ]
    assert made["errors"] == [], made
    checked = await api.query(
        APPROVE, {"id": made["voucher"]["id"]}, role=Role.APPROVER, subject="ap"
    )
    assert checked["approveVoucher"]["voucher"]["status"] == "APPROVED"


async def _books(api: Api, world: World) -> str:
    """Savings 100, a deposit of 50 into the bank, a fine of 10, an expense of 20, RF 1,500."""
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    member = sorted(m for m, t in world.members.items() if shg in t.ancestors)[0]
    await _post(
        api, shg, "2024-04-07", "cash", "savings_compulsory", "100.00", savings_compulsory=member
    )
    await _post(api, shg, "2024-04-14", "bank", "cash", "50.00")
    await _post(api, shg, "2024-05-01", "cash", "fines", "10.00")
    await _post(api, shg, "2024-05-10", "other_expenses", "cash", "20.00")
    await _post(api, shg, "2024-06-01", "bank", "revolving_fund", "1500.00")
    return shg


async def test_the_balance_sheet_balances_and_shows_the_surplus(api: Api, world: World) -> None:
    shg = await _books(api, world)
    sheet = (await api.query(SHEET, {"c": shg}))["balanceSheet"]
    assert sheet["assets"] == [
        {"account": "cash", "amount": "40.00"},
        {"account": "bank", "amount": "1550.00"},
    ]
    assert sheet["liabilities"] == [{"account": "savings_compulsory", "amount": "100.00"}]
    assert sheet["funds"] == [{"account": "revolving_fund", "amount": "1500.00"}]
    assert sheet["surplus"] == "-10.00"
    assert sheet["totalAssets"] == sheet["totalLiabilitiesAndFunds"] == "1590.00"
    assert sheet["cbo"]["code"] == shg


async def test_receipts_and_payments_by_period_leave_out_deposits(api: Api, world: World) -> None:
    shg = await _books(api, world)

    async def period(start: str, end: str) -> dict[str, Any]:
        result: dict[str, Any] = (await api.query(CASH_BOOK, {"c": shg, "s": start, "e": end}))[
            "receiptsAndPayments"
        ]
        return result

    april = await period("2024-04-01", "2024-04-30")
    assert april == {
        "opening": "0.00",
        "closing": "100.00",
        "receipts": [{"account": "savings_compulsory", "amount": "100.00"}],
        "payments": [],  # the deposit only moved money from cash to bank
    }
    may = await period("2024-05-01", "2024-05-31")
    assert may == {
        "opening": "100.00",
        "closing": "90.00",
        "receipts": [{"account": "fines", "amount": "10.00"}],
        "payments": [{"account": "other_expenses", "amount": "20.00"}],
    }
    year = await period("2024-04-01", "2025-03-31")
    assert year["opening"] == "0.00" and year["closing"] == "1590.00"
    assert {r["account"] for r in year["receipts"]} == {
        "savings_compulsory",
        "fines",
        "revolving_fund",
    }


async def test_statements_refuse_a_backwards_period_and_hide_other_scopes(
    api: Api, world: World
) -> None:
    shg = await _books(api, world)
    response = await api.post(
        CASH_BOOK, {"c": shg, "s": "2024-05-01", "e": "2024-04-01"}, token=api.token()
    )
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INVALID", "field": "end"}
    elsewhere = sorted(
        c for c, t in world.geo.items() if t.kind == "block" and c not in world.cbos[shg].ancestors
    )[0]
    hidden = await api.query(SHEET, {"c": shg}, role=Role.ANALYST, scope=elsewhere)
    assert hidden == {"balanceSheet": None}
    hidden = await api.query(
        CASH_BOOK,
        {"c": shg, "s": "2024-04-01", "e": "2024-04-30"},
        role=Role.ANALYST,
        scope=elsewhere,
    )
    assert hidden == {"receiptsAndPayments": None}
