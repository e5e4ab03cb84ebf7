"""Recording a voucher: the rules that hold whoever calls, API or not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from core.database import transaction
from core.errors import DomainError, ErrorCode
from ledger.models import Voucher
from ledger.vouchers import MAX_VOUCHER_LINES, LineInput, NewVoucher, record_manual_voucher
from tests.world import MAKER, build_world


async def test_a_voucher_typed_line_by_line_has_at_most_the_capped_number_of_lines(
    sessions: Any,
) -> None:
    """A 20,000-line voucher was recorded, and every read of its lines then cost seconds."""
    world = await build_world(sessions)
    shg = sorted(code for code, thing in world.cbos.items() if thing.kind == "shg")[0]
    count = MAX_VOUCHER_LINES  # cash in, from count - 1 incomes of one rupee each
    incomes = [LineInput("other_income", credit_paise=100) for _ in range(count - 1)]
    lines = (LineInput("cash", debit_paise=100 * (count - 1)), *incomes)
    async with transaction(sessions) as session:
        await record_manual_voucher(
            session, MAKER, NewVoucher(shg, date(2024, 4, 1), "many", lines)
        )
    too_many = (*lines, LineInput("other_income", credit_paise=0))
    with pytest.raises(DomainError) as refused:
        async with transaction(sessions) as session:
            await record_manual_voucher(
                session, MAKER, NewVoucher(shg, date(2024, 4, 1), "too many", too_many)
            )
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID, "lines")
    assert f"at most {MAX_VOUCHER_LINES} lines" in refused.value.message
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Voucher)) == 1
