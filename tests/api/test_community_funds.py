"""cifPortfolio: where a VO's or CLF's CIF sits, checked against hand-worked loans."""

from __future__ import annotations

from typing import Any

import pytest

from core.access import Role
from tests.conftest import Api
from tests.world import World, build_world

DISBURSE = """mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) {
    loan { id } errors { code field } } }"""
REPAY = """mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
    voucher { id } errors { code field } } }"""
DRAFTS = """query($c: String!) { vouchers(cboCode: $c, status: DRAFT) { edges { node { id } } } }"""
APPROVE = """mutation($id: ID!) { approveVoucher(input: {voucherId: $id}) { errors { code } } }"""
PORTFOLIO = """query($c: String!) { cifPortfolio(cboCode: $c, asOf: "2024-07-15") {
    disbursed outstanding overdue par30 federation { code }
    loans { shg { code } loan { source principal } principalOutstanding overdue daysPastDue } } }"""


@pytest.fixture
async def world(sessions: Any) -> World:
    return await build_world(sessions, money_paise=100_000_00)


async def _approve_all(api: Api, shg: str) -> None:
    for edge in (await api.query(DRAFTS, {"c": shg}))["vouchers"]["edges"]:
        done = await api.query(
            APPROVE, {"id": edge["node"]["id"]}, role=Role.APPROVER, subject="ap"
        )
        assert done["approveVoucher"]["errors"] == []


async def _lend(api: Api, shg: str, source: str, principal: str, **bank: Any) -> str:
    loan = {
        "shgCode": shg, "source": source, "principal": principal, "annualRatePercent": "12",
        "months": 10, "method": "FLAT", "disbursedOn": "2024-04-10", "firstDueOn": "2024-05-10",
        **bank,
    }  # fmt: skip
    data = (await api.query(DISBURSE, {"input": loan}, subject="bk"))["disburseLoan"]
    assert data["errors"] == []
    await _approve_all(api, shg)
    return str(data["loan"]["id"])


async def test_a_federations_cif_is_traced_to_the_groups_that_hold_it(
    api: Api, world: World
) -> None:
    vo = sorted(c for c, t in world.cbos.items() if t.kind == "vo")[0]
    clf = next(
        c
        for c in world.cbos[vo].ancestors
        if world.cbos.get(c, None) and world.cbos[c].kind == "clf"
    )
    first, second = sorted(
        c for c, t in world.cbos.items() if t.kind == "shg" and vo in t.ancestors
    )
    # 50,000 from the VO at 12% flat over 10 months: 5,000 principal and 500 interest a month.
    through_vo = await _lend(api, first, "VO_CIF", "50000")
    paid = await api.query(
        REPAY,
        {"input": {"loanId": through_vo, "amount": "5500", "paidOn": "2024-05-10"}},
        subject="bk",
    )
    assert paid["recordRepayment"]["errors"] == []
    await _approve_all(api, first)
    await _lend(api, second, "CLF_CIF", "30000")  # 3,000 + 300 a month, nothing repaid
    await _lend(api, first, "BANK", "20000", dose=1, sanctionedLimit="20000")  # not CIF

    at_vo = (await api.query(PORTFOLIO, {"c": vo}))["cifPortfolio"]
    # By 15 July three instalments (May, June, July) are due: 16,500, of which 5,500 paid.
    assert at_vo == {
        "disbursed": "50000.00", "outstanding": "45000.00", "overdue": "11000.00",
        "par30": "1.0000", "federation": {"code": vo},
        "loans": [{"shg": {"code": first}, "loan": {"source": "VO_CIF", "principal": "50000.00"},
                   "principalOutstanding": "45000.00", "overdue": "11000.00", "daysPastDue": 35}],
    }  # fmt: skip
    at_clf = (await api.query(PORTFOLIO, {"c": clf}))["cifPortfolio"]
    # The CLF's own loan: three instalments of 3,300 due, none paid.
    assert (at_clf["disbursed"], at_clf["outstanding"], at_clf["overdue"]) == (
        "80000.00", "75000.00", "20900.00",
    )  # fmt: skip
    assert [(x["shg"]["code"], x["daysPastDue"]) for x in at_clf["loans"]] == [
        (first, 35),
        (second, 66),
    ]


async def test_only_federations_lend_cif_and_scope_holds(api: Api, world: World) -> None:
    shg = sorted(c for c, t in world.cbos.items() if t.kind == "shg")[0]
    response = await api.post(PORTFOLIO, {"c": shg}, token=api.token())
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID", "field": "cboCode"}
    vo = next(
        c for c in world.cbos[shg].ancestors if world.cbos.get(c) and world.cbos[c].kind == "vo"
    )
    elsewhere = sorted(
        c for c, t in world.geo.items() if t.kind == "block" and c not in world.cbos[vo].ancestors
    )[0]
    hidden = await api.query(PORTFOLIO, {"c": vo}, role=Role.ANALYST, scope=elsewhere)
    assert hidden == {"cifPortfolio": None}
