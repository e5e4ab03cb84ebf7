"""Books under load: concurrent makers, checkers and replays across many SHGs stay balanced.

Clients record savings vouchers under idempotency keys, replay some of them
(as a phone retrying a sync would), approve, reject and reverse, all at once.
Afterwards, for every CBO and for the whole system, debits equal credits;
posted balances equal the sum of approved lines (per account, and per member
for member accounts); and each idempotency key wrote at most one voucher.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from core.access import Role
from hierarchy.demo import seed_demo
from hierarchy.models import Cbo, CboKind, Member
from ledger.models import LedgerBalance, Voucher, VoucherLine, VoucherStatus
from tests.conftest import Api

RECORD = """mutation($input: RecordVoucherInput!) { recordVoucher(input: $input) {
    voucher { id } errors { code } } }"""
APPROVE = """mutation($id: ID!, $key: String) { approveVoucher(input: {voucherId: $id, idempotencyKey: $key}) {
    voucher { id } errors { code } } }"""
REJECT = """mutation($id: ID!) { rejectVoucher(input: {voucherId: $id, reason: "recount"}) { errors { code } } }"""
REVERSE = """mutation($id: ID!, $key: String) { reverseVoucher(input: {voucherId: $id, reversedOn: "2026-03-31",
    reason: "entered twice", idempotencyKey: $key}) { voucher { id } errors { code } } }"""


async def test_concurrent_makers_checkers_and_replays_keep_every_book_balanced(
    api: Api, sessions: Any
) -> None:
    await seed_demo(sessions, members=2_500, seed=5)
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Cbo.code, Member.member_id)
                .join(Member, Member.shg_id == Cbo.id)
                .where(Cbo.kind == CboKind.SHG)
            )
        ).all()
    members_of: dict[str, list[str]] = defaultdict(list)
    for shg, member in rows:
        members_of[shg].append(member)
    shgs = sorted(members_of)
    assert len(shgs) >= 150
    rng = random.Random(11)
    maker, checker = (
        api.token(Role.BOOKKEEPER, subject="bk-load"),
        api.token(Role.APPROVER, subject="ap-load"),
    )
    keys_used: list[str] = []

    async def client(number: int) -> None:
        for step in range(12):
            shg = rng.choice(shgs)
            member = rng.choice(members_of[shg])
            amount = f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}"
            key = f"client-{number}:{step}"
            keys_used.append(key)
            payload = {
                "input": {
                    "cboCode": shg,
                    "voucherDate": "2026-03-01",
                    "narration": "Savings",
                    "idempotencyKey": key,
                    "lines": [
                        {"account": "cash", "debit": amount},
                        {"account": "savings_compulsory", "credit": amount, "memberId": member},
                    ],
                }
            }
            tries = [
                api.query(RECORD, payload, token=maker) for _ in range(rng.choice([1, 1, 2, 3]))
            ]
            answers = await asyncio.gather(*tries)
            ids = {a["recordVoucher"]["voucher"]["id"] for a in answers}
            assert len(ids) == 1, answers  # every retry answered with the first result
            voucher_id = ids.pop()
            fate = rng.random()
            if fate < 0.15:
                await api.query(REJECT, {"id": voucher_id}, token=checker)
                continue
            approvals = [
                api.query(APPROVE, {"id": voucher_id, "key": f"ap:{key}"}, token=checker)
                for _ in range(rng.choice([1, 2]))
            ]
            await asyncio.gather(*approvals)
            if fate > 0.85:
                reversal = await api.query(
                    REVERSE, {"id": voucher_id, "key": f"rev:{key}"}, token=maker
                )
                reversal_id = reversal["reverseVoucher"]["voucher"]["id"]
                await asyncio.gather(
                    *(
                        api.query(
                            APPROVE, {"id": reversal_id, "key": f"ap-rev:{key}"}, token=checker
                        )
                        for _ in range(2)
                    )
                )

    await asyncio.gather(*(client(n) for n in range(16)))

    async with sessions() as session:
        posted = (
            await session.execute(
                select(
                    Voucher.cbo_id,
                    VoucherLine.account,
                    VoucherLine.member_pk,
                    func.sum(VoucherLine.amount_paise),
                )
                .join(Voucher, Voucher.id == VoucherLine.voucher_id)
                .where(Voucher.status == VoucherStatus.APPROVED)
                .group_by(Voucher.cbo_id, VoucherLine.account, VoucherLine.member_pk)
            )
        ).all()
        balances = (
            await session.execute(
                select(
                    LedgerBalance.cbo_id,
                    LedgerBalance.account,
                    LedgerBalance.member_pk,
                    LedgerBalance.balance_paise,
                )
            )
        ).all()
        savings_vouchers = await session.scalar(
            select(func.count()).select_from(Voucher).where(Voucher.reverses_id.is_(None))
        )
        unbalanced = (
            await session.execute(
                select(VoucherLine.voucher_id)
                .group_by(VoucherLine.voucher_id)
                .having(func.sum(VoucherLine.amount_paise) != 0)
            )
        ).all()
    from_lines = {(cbo, account, member or 0): int(total) for cbo, account, member, total in posted}
    kept = {(cbo, account, member): int(balance) for cbo, account, member, balance in balances}
    assert {k: v for k, v in kept.items() if v} == {k: v for k, v in from_lines.items() if v}
    per_cbo: dict[int, int] = defaultdict(int)
    for (cbo, _account, _member), balance in kept.items():
        per_cbo[cbo] += balance
    assert all(total == 0 for total in per_cbo.values()), "a CBO's debits and credits differ"
    assert sum(kept.values()) == 0
    assert unbalanced == []
    assert savings_vouchers == len(
        keys_used
    )  # each key wrote exactly one voucher, however often sent
    assert len(per_cbo) > 50  # the load really spread across many SHGs
