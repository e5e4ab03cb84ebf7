"""Loan arithmetic in paise: schedules (flat and declining balance), repayment allocation,
overdues, days past due and portfolio at risk.

Plain functions over plain values, so every rule can be checked against
sums done by hand. Rounding is half-up to the paisa; the last instalment
absorbs what rounding left over, so principal always sums exactly.

>>> loan = schedule(1_200_000, 2400, 12, InterestMethod.FLAT, date(2024, 5, 1))
>>> [(i.principal_paise, i.interest_paise) for i in loan[:2]]
[(100000, 24000), (100000, 24000)]

Every instalment carries one month's interest, the first too, so the
first due date must fall about a month after disbursement
(:func:`first_due_bounds`: a month, give or take a week; a loan loaded at
cut-off, within a month of the cut-off, its paper schedule's next
instalment). Refusing a first period far from a month, rather than
charging the first instalment by its days, keeps the schedule the flat,
equal instalments the group agreed to and every instalment one month's
interest; a one-day or a one-year first period would otherwise earn a
month's interest in a day, or a year's as one month's.

Interest is earned by the calendar, not taken as the schedule lists it.
Each instalment's interest is earned evenly over the days of its period
(disbursement to the first due date, then due date to due date), so on
every due date exactly the schedule's interest has been earned, and a
repayment made on the day of disbursement pays no interest at all:

- **flat**: each period earns its instalment's interest, on the principal
  lent, until the loan is repaid;
- **declining balance**: each period earns its instalment's interest scaled
  by the principal actually outstanding over the schedule's (paying early
  earns less interest, paying late more), from disbursement or the last
  repayment.

Nothing is earned after the last due date (the loan terms carry no penal
interest). A repayment pays the interest earned and not yet paid by its
day first, then principal; anything beyond is an advance, which the loan
refuses. Earned interest is carried exactly and rounded (half-up, to the
paisa) only when a repayment takes it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from core.errors import DomainError, ErrorCode


class InterestMethod(StrEnum):
    FLAT = "flat"
    DECLINING = "declining"


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    principal_paise: int
    interest_paise: int

    @property
    def total_paise(self) -> int:
        return self.principal_paise + self.interest_paise


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# How far the first due date may stray from a month after disbursement: monthly meetings
# on a weekday ("the second Tuesday") drift a few days either way from the date.
FIRST_DUE_SLACK = timedelta(days=7)


def first_due_bounds(disbursed_on: date, *, at_cut_off: bool = False) -> tuple[date, date]:
    """The first and last day the first instalment may fall due on.

    A month after disbursement, give or take :data:`FIRST_DUE_SLACK`. A loan
    loaded at cut-off runs on its paper schedule, whose next instalment falls
    within the month after the cut-off, and carries a whole month's interest,
    the part before the cut-off earned on paper and not yet collected.
    """
    a_month_on = add_months(disbursed_on, 1)
    if at_cut_off:
        return disbursed_on + timedelta(days=1), a_month_on
    return a_month_on - FIRST_DUE_SLACK, a_month_on + FIRST_DUE_SLACK


def _paise(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def schedule(
    principal_paise: int,
    annual_rate_bp: int,
    months: int,
    method: InterestMethod,
    first_due_on: date,
) -> list[Instalment]:
    """Monthly instalments; the rate is in basis points a year (2400 = 24% p.a.)."""
    if principal_paise <= 0 or months <= 0 or annual_rate_bp < 0:
        raise ValueError("a loan needs a positive principal and term and a non-negative rate")
    monthly_rate = Decimal(annual_rate_bp) / Decimal(12 * 10_000)
    due = [add_months(first_due_on, k) for k in range(months)]
    if method is InterestMethod.FLAT or monthly_rate == 0:
        total_interest = _paise(Decimal(principal_paise) * monthly_rate * months)
        principal_each, interest_each = principal_paise // months, total_interest // months
        instalments = [
            Instalment(k + 1, due[k], principal_each, interest_each) for k in range(months - 1)
        ]
        instalments.append(
            Instalment(
                months,
                due[-1],
                principal_paise - principal_each * (months - 1),
                total_interest - interest_each * (months - 1),
            )
        )
        return instalments
    growth = (1 + monthly_rate) ** months
    emi = _paise(Decimal(principal_paise) * monthly_rate * growth / (growth - 1))
    balance = principal_paise
    instalments = []
    for k in range(months):
        interest = _paise(Decimal(balance) * monthly_rate)
        principal = balance if k == months - 1 else emi - interest
        instalments.append(Instalment(k + 1, due[k], principal, interest))
        balance -= principal
    return instalments


@dataclass(frozen=True)
class Repayment:
    paid_on: date
    amount_paise: int


@dataclass(frozen=True)
class LoanPosition:
    principal_outstanding_paise: int
    interest_paid_paise: int
    principal_paid_paise: int
    overdue_paise: int  # due by the date and not yet paid
    days_past_due: int  # age of the oldest unpaid due instalment
    advance_paise: int  # paid beyond the interest earned and the principal owed


@dataclass(frozen=True)
class _Period:
    start: date
    end: date  # the instalment's due date
    interest_paise: int  # as the schedule sets it
    scheduled_outstanding_paise: int  # principal the schedule expects through the period


def _periods(instalments: list[Instalment], disbursed_on: date) -> list[_Period]:
    periods = []
    start, scheduled = disbursed_on, sum(i.principal_paise for i in instalments)
    for instalment in instalments:
        periods.append(_Period(start, instalment.due_on, instalment.interest_paise, scheduled))
        start, scheduled = instalment.due_on, scheduled - instalment.principal_paise
    return periods


def _earned(
    periods: list[_Period], start: date, end: date, outstanding: int, declining: bool
) -> Fraction:
    """Interest earned over the days from ``start`` to ``end`` on ``outstanding`` principal."""
    earned = Fraction(0)
    for period in periods:
        days = (min(end, period.end) - max(start, period.start)).days
        if days <= 0:
            continue
        share = Fraction(period.interest_paise * days, (period.end - period.start).days)
        if declining:
            share *= Fraction(outstanding, period.scheduled_outstanding_paise)
        earned += share
    return earned


def _half_up(amount: Fraction) -> int:
    return (2 * amount.numerator + amount.denominator) // (2 * amount.denominator)


def position(
    instalments: list[Instalment],
    repayments: list[Repayment],
    as_of: date,
    *,
    disbursed_on: date,
    method: InterestMethod,
) -> LoanPosition:
    """Where a loan stands on ``as_of``, from the repayments made by then, in date order.

    Each repayment pays the interest earned by its day and not yet paid,
    then principal. Overdue is the principal the schedule has fallen due
    and not been paid, with the interest earned to the last due date and
    not paid; days past due count from the oldest due date not met so.
    """
    if instalments and instalments[0].due_on <= disbursed_on:
        raise ValueError("the first instalment falls after disbursement")
    periods = _periods(instalments, disbursed_on)
    declining = method is InterestMethod.DECLINING
    principal = sum(i.principal_paise for i in instalments)
    paid = sorted((r for r in repayments if r.paid_on <= as_of), key=lambda r: r.paid_on)
    due_dates = [i.due_on for i in instalments if i.due_on <= as_of]
    # One walk through the days: repayments, and the interest earned by each due date.
    events = sorted(
        [(r.paid_on, 1, r.amount_paise) for r in paid] + [(d, 0, 0) for d in due_dates],
        key=lambda event: (event[0], event[1]),
    )
    earned = Fraction(0)
    since = disbursed_on
    interest_paid = principal_paid = advance = 0
    earned_by_due: list[int] = []
    for day, is_repayment, amount in events:
        outstanding = principal - principal_paid
        if outstanding > 0:
            earned += _earned(periods, since, day, outstanding, declining)
        since = max(since, day)
        if not is_repayment:
            earned_by_due.append(_half_up(earned))
            continue
        to_interest = min(amount, max(0, _half_up(earned) - interest_paid))
        to_principal = min(amount - to_interest, outstanding)
        interest_paid += to_interest
        principal_paid += to_principal
        advance += amount - to_interest - to_principal
    overdue, oldest_unpaid, principal_due = 0, None, 0
    for instalment, interest_due in zip(instalments, earned_by_due, strict=False):
        principal_due += instalment.principal_paise
        if oldest_unpaid is None and (
            principal_due > principal_paid or interest_due > interest_paid
        ):
            oldest_unpaid = instalment.due_on
    if earned_by_due:
        overdue = max(0, principal_due - principal_paid) + max(0, earned_by_due[-1] - interest_paid)
    return LoanPosition(
        principal_outstanding_paise=principal - principal_paid,
        interest_paid_paise=interest_paid,
        principal_paid_paise=principal_paid,
        overdue_paise=overdue,
        days_past_due=(as_of - oldest_unpaid).days if oldest_unpaid else 0,
        advance_paise=advance,
    )


def portfolio_at_risk(positions: list[LoanPosition], days: int = 30) -> Decimal:
    """PAR: the share of outstanding principal in loans more than ``days`` past due (0 to 1)."""
    outstanding = sum(p.principal_outstanding_paise for p in positions)
    if outstanding == 0:
        return Decimal(0)
    at_risk = sum(p.principal_outstanding_paise for p in positions if p.days_past_due > days)
    return Decimal(at_risk) / Decimal(outstanding)


# A rate as written: digits and at most a few decimals, read without Decimal, whose
# "1e900000" becomes a 900,000-digit integer (tens of seconds of CPU) in int().
_RATE = re.compile(r"(?P<whole>[0-9]{1,6})(?:\.(?P<fraction>[0-9]{1,8}))?")


def parse_rate_percent(text: str, field: str) -> int:
    """A yearly rate written in percent ("24", "12.5") as basis points (2400, 1250)."""
    written = _RATE.fullmatch(text.strip()) if len(text) <= 32 else None
    if written is None:
        raise DomainError(ErrorCode.INVALID, field, "Write the rate in percent a year, like 12.5")
    fraction = (written["fraction"] or "").rstrip("0")
    if len(fraction) > 2:
        raise DomainError(ErrorCode.INVALID, field, "Rates go to two decimals of a percent at most")
    return int(written["whole"]) * 100 + int(fraction.ljust(2, "0"))


def format_rate_percent(basis_points: int) -> str:
    """>>> format_rate_percent(1250)
    '12.50'"""
    return f"{basis_points // 100}.{basis_points % 100:02d}"
