"""Loan arithmetic against sums done by hand."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest

from core.errors import DomainError
from ledger.interest import (
    InterestMethod,
    LoanPosition,
    Repayment,
    add_months,
    first_due_bounds,
    parse_rate_percent,
    portfolio_at_risk,
    position,
    schedule,
)

# Rs 12,000 at 24% flat for 12 months: interest 12,000 x 24% x 1 year = Rs 2,880,
# so each month Rs 1,000 principal and Rs 240 interest. Lent on 10 April.
FLAT = schedule(1_200_000, 2400, 12, InterestMethod.FLAT, date(2024, 5, 10))
LENT = date(2024, 4, 10)


def _flat(paid: list[Repayment], on: date) -> LoanPosition:
    return position(FLAT, paid, on, disbursed_on=LENT, method=InterestMethod.FLAT)


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
    # On 10 May the first period's Rs 240 is earned; she pays 1,240. By 15 June another
    # 240 (to 10 June) and 5 of the next 30 days' 240 (Rs 40) are earned: of her 760,
    # 280 is interest and 480 principal. By 20 July three instalments are due (3 x 1,000
    # principal, 720 interest earned to 10 July) against 1,480 principal and 520 paid.
    paid = [Repayment(date(2024, 5, 10), 124_000), Repayment(date(2024, 6, 15), 76_000)]
    now = _flat(paid, date(2024, 7, 20))
    assert now.interest_paid_paise == 52_000
    assert now.principal_paid_paise == 148_000
    assert now.principal_outstanding_paise == 1_200_000 - 148_000
    assert now.overdue_paise == (300_000 - 148_000) + (72_000 - 52_000)
    assert now.days_past_due == (date(2024, 7, 20) - date(2024, 6, 10)).days  # 40
    assert now.advance_paise == 0


def test_a_repayment_on_the_day_of_disbursement_pays_no_interest() -> None:
    paid = [Repayment(LENT, 50_000), Repayment(LENT, 30_000)]
    now = _flat(paid, LENT)
    assert (now.interest_paid_paise, now.principal_paid_paise) == (0, 80_000)
    # Ten days in, a third of the first month's 240 is earned: 80.00.
    later = _flat([*paid, Repayment(date(2024, 4, 20), 10_000)], date(2024, 4, 20))
    assert (later.interest_paid_paise, later.principal_paid_paise) == (8_000, 82_000)
    assert later.overdue_paise == 0 and later.days_past_due == 0


def test_paying_off_early_saves_the_interest_not_yet_earned() -> None:
    # On 25 May: 240 earned to 10 May and 15 of 31 days of the next 240 (116.13).
    on = date(2024, 5, 25)
    owed = 1_200_000 + 24_000 + 11_613
    done = _flat([Repayment(on, owed + 500)], date(2025, 12, 31))
    assert (
        done.interest_paid_paise,
        done.principal_outstanding_paise,
        done.overdue_paise,
        done.days_past_due,
        done.advance_paise,
    ) == (35_613, 0, 0, 0, 500)


def test_declining_balance_earns_on_what_is_still_owed() -> None:
    # Rs 10,000 at 12% a year declining, lent 1 April, first due 1 May: the schedule's
    # 100.00 for April. Half repaid on 16 April (15 of 30 days: 50.00 earned), the other
    # half earns 1% a month: 15 more days of 50.00 for April's second half = 25.00.
    loan = schedule(1_000_000, 1200, 12, InterestMethod.DECLINING, date(2024, 5, 1))

    def at(paid: list[Repayment], on: date) -> LoanPosition:
        return position(
            loan, paid, on, disbursed_on=date(2024, 4, 1), method=InterestMethod.DECLINING
        )

    half = Repayment(date(2024, 4, 16), 505_000)
    assert at([half], date(2024, 4, 16)).interest_paid_paise == 5_000
    both = at([half, Repayment(date(2024, 5, 1), 502_500)], date(2024, 5, 1))
    assert (both.interest_paid_paise, both.principal_outstanding_paise) == (7_500, 0)
    # Paid as scheduled, it earns exactly the schedule's interest.
    on_time = at([Repayment(i.due_on, i.total_paise) for i in loan], date(2025, 4, 1))
    assert on_time.interest_paid_paise == sum(i.interest_paise for i in loan)
    assert on_time.principal_outstanding_paise == 0 and on_time.advance_paise == 0


def test_a_later_payment_is_not_counted_early() -> None:
    paid = [Repayment(date(2024, 8, 1), 124_000)]
    assert _flat(paid, date(2024, 5, 20)).days_past_due == 10


def test_paid_as_scheduled_the_interest_is_the_schedules() -> None:
    done = _flat([Repayment(i.due_on, i.total_paise) for i in FLAT], date(2025, 12, 31))
    assert done.interest_paid_paise == 288_000
    assert (done.principal_outstanding_paise, done.overdue_paise, done.advance_paise) == (0, 0, 0)


def test_portfolio_at_risk_30() -> None:
    on = date(2024, 7, 20)
    fine = _flat([Repayment(date(2024, 7, 10), 372_000)], on)  # up to date
    late = _flat([Repayment(date(2024, 5, 10), 124_000)], on)  # 40 days past due
    slightly = _flat([Repayment(date(2024, 6, 10), 248_000)], on)  # 10 days past due
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


def test_the_first_instalment_falls_about_a_month_on() -> None:
    assert first_due_bounds(date(2024, 4, 10)) == (date(2024, 5, 3), date(2024, 5, 17))
    # From the 31st, a month on is the next month's last day.
    assert first_due_bounds(date(2024, 1, 31)) == (date(2024, 2, 22), date(2024, 3, 7))
    # Loaded at cut-off: the paper schedule's next instalment, within the month after it.
    assert first_due_bounds(date(2024, 3, 31), at_cut_off=True) == (
        date(2024, 4, 1),
        date(2024, 4, 30),
    )
