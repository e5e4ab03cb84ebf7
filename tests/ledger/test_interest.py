"""Loan arithmetic against sums done by hand."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest

from core.errors import DomainError
from ledger.interest import (
    InterestMethod,
    Repayment,
    add_months,
    parse_rate_percent,
    portfolio_at_risk,
    position,
    schedule,
)

# Rs 12,000 at 24% flat for 12 months: interest 12,000 x 24% x 1 year = Rs 2,880,
# so each month Rs 1,000 principal and Rs 240 interest.
FLAT = schedule(1_200_000, 2400, 12, InterestMethod.FLAT, date(2024, 5, 10))


def test_flat_schedule_by_hand() -> None:
    assert {(i.principal_paise, i.interest_paise) for i in FLAT} == {(100_000, 24_000)}
    assert [i.due_on for i in FLAT[:3]] == [date(2024, 5, 10), date(2024, 6, 10), date(2024, 7, 10)]
    assert sum(i.interest_paise for i in FLAT) == 288_000


def test_flat_rounding_goes_to_the_last_instalment() -> None:
    # Rs 1,000 at 10% flat for 3 months: interest Rs 25.00; principal 333.33 + 333.33 + 333.34.
    odd = schedule(100_000, 1000, 3, InterestMethod.FLAT, date(2024, 1, 1))
    assert [(i.principal_paise, i.interest_paise) for i in odd] == [
        (33_333, 833),
        (33_333, 833),
        (33_334, 834),
    ]


def test_declining_balance_schedule_by_hand() -> None:
    # Rs 10,000 at 12% a year = 1% a month for 12 months.
    # EMI = 10000 x 0.01 x 1.01^12 / (1.01^12 - 1) = 888.4879 -> Rs 888.49.
    # Month 1: interest 1% of 10,000.00 = 100.00, principal 788.49, balance 9,211.51.
    # Month 2: interest 1% of 9,211.51 = 92.1151 -> 92.12, principal 796.37, balance 8,415.14.
    # Month 3: interest 84.1514 -> 84.15, principal 804.34.
    loan = schedule(1_000_000, 1200, 12, InterestMethod.DECLINING, date(2024, 5, 1))
    assert [(i.principal_paise, i.interest_paise) for i in loan[:3]] == [
        (78_849, 10_000),
        (79_637, 9_212),
        (80_434, 8_415),
    ]
    assert all(i.total_paise == 88_849 for i in loan[:-1])
    assert sum(i.principal_paise for i in loan) == 1_000_000
    assert loan[-1].total_paise == 88_847  # the last instalment takes the rounding


def test_months_keep_the_day_or_the_month_end() -> None:
    assert [add_months(date(2024, 1, 31), k) for k in range(4)] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_repayments_pay_interest_first_then_principal() -> None:
    # Three instalments due by 20 July (3 x 1,240 = 3,720); she has paid Rs 2,000.
    # Instalment 1: 240 interest + 1,000 principal; instalment 2: 240 interest + 520 principal.
    paid = [Repayment(date(2024, 5, 10), 124_000), Repayment(date(2024, 6, 15), 76_000)]
    now = position(FLAT, paid, date(2024, 7, 20))
    assert now.interest_paid_paise == 48_000
    assert now.principal_paid_paise == 152_000
    assert now.principal_outstanding_paise == 1_200_000 - 152_000
    assert now.overdue_paise == 372_000 - 200_000
    assert now.days_past_due == (date(2024, 7, 20) - date(2024, 6, 10)).days  # 40
    assert now.advance_paise == 0


def test_a_later_payment_is_not_counted_early() -> None:
    paid = [Repayment(date(2024, 8, 1), 124_000)]
    assert position(FLAT, paid, date(2024, 5, 20)).days_past_due == 10


def test_paying_everything_and_more() -> None:
    total = sum(i.total_paise for i in FLAT)
    done = position(FLAT, [Repayment(date(2024, 5, 1), total + 500)], date(2025, 12, 31))
    assert (
        done.principal_outstanding_paise,
        done.overdue_paise,
        done.days_past_due,
        done.advance_paise,
    ) == (0, 0, 0, 500)


def test_portfolio_at_risk_30() -> None:
    on = date(2024, 7, 20)
    fine = position(FLAT, [Repayment(date(2024, 7, 10), 372_000)], on)  # up to date
    late = position(FLAT, [Repayment(date(2024, 5, 10), 124_000)], on)  # 40 days past due
    slightly = position(FLAT, [Repayment(date(2024, 6, 10), 248_000)], on)  # 10 days past due
    assert (fine.days_past_due, late.days_past_due, slightly.days_past_due) == (0, 40, 10)
    par = portfolio_at_risk([fine, late, slightly])
    expected = Decimal(late.principal_outstanding_paise) / Decimal(
        fine.principal_outstanding_paise
        + late.principal_outstanding_paise
        + slightly.principal_outstanding_paise
    )
    assert par == expected
    assert portfolio_at_risk([]) == 0


@pytest.mark.parametrize(
    ("principal", "rate", "months"), [(0, 1200, 12), (100, -1, 12), (100, 1200, 0)]
)
def test_impossible_loans_are_refused(principal: int, rate: int, months: int) -> None:
    with pytest.raises(ValueError, match="positive principal"):
        schedule(principal, rate, months, InterestMethod.FLAT, date(2024, 1, 1))


@pytest.mark.parametrize(
    ("text", "basis_points"), [("24", 2400), ("12.5", 1250), ("12.50", 1250), (" 0 ", 0)]
)
def test_rates_in_percent(text: str, basis_points: int) -> None:
    assert parse_rate_percent(text, "annualRatePercent") == basis_points


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.345", "two decimals"),
        ("1e900000", "percent a year"),
        ("1e999999", "percent a year"),
        ("-5", "percent a year"),
        ("NaN", "percent a year"),
        ("9" * 40, "percent a year"),
    ],
)
def test_bad_rates_are_refused_at_once(text: str, message: str) -> None:
    """Decimal('1e900000') turned into basis points held the event loop for tens of seconds."""
    started = time.perf_counter()
    with pytest.raises(DomainError, match=message) as refused:
        parse_rate_percent(text, "annualRatePercent")
    assert refused.value.field == "annualRatePercent"
    assert time.perf_counter() - started < 0.1
