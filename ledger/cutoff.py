"""The cut-off entry: a group's paper books brought onto the platform, once.

A group that kept registers before it came on the platform starts with
what those registers say on the cut-off date: cash and bank, each member's
savings and the loans she still owes, the funds it has received (RF, CIF,
VRF) and what it owes its VO, CLF or bank. The entry is vouchers like any
other, drafts for a checker:

- one voucher of the balances: cash and bank debited; savings and funds
  credited; the difference on ``accumulated_surplus``;
- one voucher per outstanding loan, debiting her loan account against
  ``accumulated_surplus`` and opening the loan (pending until approved) with
  its remaining schedule, so repayments at later meetings split into
  interest and principal as for any loan;
- one voucher per loan the group itself still owes its VO, CLF or bank
  (``group_loans``), crediting the borrowing against ``accumulated_surplus``
  and opening it with its remaining schedule, so ``recordRepayment`` works
  on it as on any group loan. ``borrowings`` takes no balance for an SHG:
  a bare balance on a loan account would have no loan record, so no
  repayment could be recorded against it, and a voucher written by hand
  may not move a loan account (:func:`ledger.vouchers.record_voucher`), so
  the group would owe it for ever. A debt whose terms the registers do not
  show is loaded as a group loan with the terms the lender confirms.

Together they leave ``accumulated_surplus`` holding what the group owned
less what it owed: its net worth on the cut-off date. They are one entry
(:func:`ledger.vouchers.link`): approved, rejected or reversed together, so
a group's opening books are never half loaded.

A VO or CLF that kept paper books opens its own the same way, with
balances only (:func:`record_federation_cut_off`): cash, bank, the funds it
holds, what it has lent to SHGs (and a CLF to VOs) and what it owes; the
loans themselves sit, one by one, in the borrowing SHGs' books. So its
``loans_to_shgs`` balance, unlike an SHG's bare borrowing, is cleared: each
repayment of an SHG's CIF loan, loaded with the SHG's own cut-off, credits
it in the lender's books too. What a VO owes its CLF or a bank is no loan
record's account in its books, and ordinary vouchers repay it.

A cut-off comes first: it is refused once the CBO has any voucher that
was not rejected, and afterwards no voucher is dated before it. Its audit
entry (``cutoff.recorded``) lists its vouchers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.errors import DomainError, ErrorCode
from core.money import check_paise
from hierarchy.fields import check_not_before, check_not_future
from hierarchy.models import Cbo, CboKind
from ledger.chart import COMMUNITY_FUNDS, accounts_for
from ledger.interest import InterestMethod
from ledger.loans import NewLoan, disburse_loan
from ledger.models import Loan, LoanSource, Voucher, VoucherStatus
from ledger.vouchers import (
    LineInput,
    NewVoucher,
    active_member,
    link,
    locked_cbo,
    locked_shg,
    record_voucher,
)

FUNDS = ("revolving_fund", "community_investment_fund", "vulnerability_reduction_fund")
BORROWINGS = ("loan_from_vo", "loan_from_clf", "loan_from_bank")
LENDING = ("loans_to_shgs", "loans_to_vos")


@dataclass(frozen=True)
class LoanAtCutOff:
    outstanding_paise: int  # principal still owed
    annual_rate_bp: int
    months_left: int
    method: InterestMethod
    next_due_on: date


@dataclass(frozen=True)
class MemberAtCutOff:
    member_id: str
    compulsory_savings_paise: int = 0
    voluntary_savings_paise: int = 0
    loans: tuple[LoanAtCutOff, ...] = ()


@dataclass(frozen=True)
class GroupLoanAtCutOff:
    """A loan the group itself still owes its VO, CLF or bank, and what is left of it."""

    source: LoanSource  # VO_CIF, CLF_CIF or BANK
    outstanding_paise: int
    annual_rate_bp: int
    months_left: int
    method: InterestMethod
    next_due_on: date
    dose: int | None = None  # bank linkage only
    sanctioned_limit_paise: int | None = None


@dataclass(frozen=True)
class NewCutOff:
    shg_code: str
    as_on: date
    cash_paise: int
    bank_paise: int
    members: tuple[MemberAtCutOff, ...]
    funds: tuple[tuple[str, int], ...] = ()  # (account, paise) from FUNDS
    borrowings: tuple[tuple[str, int], ...] = ()  # refused with an amount: see the docstring
    group_loans: tuple[GroupLoanAtCutOff, ...] = ()  # borrowings with their schedules


@dataclass(frozen=True)
class CutOff:
    shg_id: int
    vouchers: list[Voucher]
    loans: list[Loan]


def _amounts(pairs: tuple[tuple[str, int], ...], allowed: tuple[str, ...], field: str) -> None:
    seen: set[str] = set()
    for index, (account, paise) in enumerate(pairs):
        if account not in allowed:
            raise DomainError(
                ErrorCode.INVALID, f"{field}[{index}].account", f"One of {', '.join(allowed)}"
            )
        if account in seen:
            raise DomainError(ErrorCode.DUPLICATE, f"{field}[{index}].account", "Listed twice")
        seen.add(account)
        check_paise(paise, f"{field}[{index}].amount")


# disburse_loan's field names as the cut-off's input names them.
_LOAN_FIELDS = {
    "principal": "outstanding",
    "months": "monthsLeft",
    "firstDueOn": "nextDueOn",
    "annualRate": "annualRatePercent",
}


async def _open_loan(
    session: AsyncSession, principal: Principal, new: NewLoan, where: str, today: date
) -> Loan:
    """A loan outstanding at the cut-off, opened with its remaining schedule; a refusal
    names the entry of the cut-off, and the field, as the cut-off's input does."""
    try:
        return await disburse_loan(session, principal, new, today=today)
    except DomainError as error:
        if error.field == "disbursedOn":  # the cut-off's own date: not the loan's to fix
            raise DomainError(error.code, "asOn", error.message) from error
        named = _LOAN_FIELDS.get(error.field or "", error.field)
        raise DomainError(
            error.code, f"{where}.{named}" if named else where, error.message
        ) from error


async def record_cut_off(
    session: AsyncSession, principal: Principal, new: NewCutOff, *, today: date | None = None
) -> CutOff:
    principal.require(Role.ADMIN, Role.BOOKKEEPER)
    today = today or date.today()
    shg = await locked_shg(session, principal, new.shg_code)
    await _check_first(session, shg, new.as_on, today, "shgCode")
    check_paise(new.cash_paise, "cash")
    check_paise(new.bank_paise, "bank")
    _amounts(new.funds, FUNDS, "funds")
    _amounts(new.borrowings, BORROWINGS, "borrowings")
    for index, (_, amount) in enumerate(new.borrowings):
        if amount:  # nothing could ever repay it: see the module's docstring
            raise DomainError(
                ErrorCode.INVALID,
                f"borrowings[{index}].account",
                "A loan the group owes is loaded with its terms in groupLoans, "
                "so its repayments can be recorded",
            )
    for index, debt in enumerate(new.group_loans):
        if debt.source is LoanSource.SHG_CORPUS:
            raise DomainError(
                ErrorCode.INVALID, f"groupLoans[{index}].source", "A loan the group owes a lender"
            )
    seen: set[str] = set()
    for index, entry in enumerate(new.members):
        field = f"members[{index}]"
        if entry.member_id in seen:
            raise DomainError(ErrorCode.DUPLICATE, f"{field}.memberId", "She is listed twice")
        seen.add(entry.member_id)
        await active_member(session, shg.id, entry.member_id, f"{field}.memberId")
        check_paise(entry.compulsory_savings_paise, f"{field}.compulsorySavings")
        check_paise(entry.voluntary_savings_paise, f"{field}.voluntarySavings")

    credits = [
        LineInput(account, credit_paise=amount, member_id=entry.member_id)
        for entry in new.members
        for account, amount in (
            ("savings_compulsory", entry.compulsory_savings_paise),
            ("savings_voluntary", entry.voluntary_savings_paise),
        )
        if amount
    ]
    credits += [LineInput(account, credit_paise=amount) for account, amount in new.funds if amount]
    debits = [
        LineInput(account, debit_paise=amount)
        for account, amount in (("cash", new.cash_paise), ("bank", new.bank_paise))
        if amount
    ]
    # Owed less held: the group's net worth, less what its members still owe it.
    lines = _with_surplus(debits, credits)
    if not lines and not any(entry.loans for entry in new.members) and not new.group_loans:
        raise DomainError(ErrorCode.REQUIRED, "members", "A cut-off loads at least one balance")

    vouchers: list[Voucher] = []
    if lines:
        vouchers.append(await _opening(session, principal, shg, new.as_on, lines, today))
    loans: list[Loan] = []
    for index, entry in enumerate(new.members):
        for number, owed in enumerate(entry.loans):
            loan = await _open_loan(
                session,
                principal,
                NewLoan(
                    shg_code=shg.code,
                    member_id=entry.member_id,
                    principal_paise=owed.outstanding_paise,
                    annual_rate_bp=owed.annual_rate_bp,
                    months=owed.months_left,
                    method=owed.method,
                    disbursed_on=new.as_on,
                    first_due_on=owed.next_due_on,
                    at_cut_off=True,
                ),
                f"members[{index}].loans[{number}]",
                today,
            )
            loans.append(loan)
    for index, debt in enumerate(new.group_loans):
        loans.append(
            await _open_loan(
                session,
                principal,
                NewLoan(
                    shg_code=shg.code,
                    member_id=None,
                    principal_paise=debt.outstanding_paise,
                    annual_rate_bp=debt.annual_rate_bp,
                    months=debt.months_left,
                    method=debt.method,
                    disbursed_on=new.as_on,
                    first_due_on=debt.next_due_on,
                    at_cut_off=True,
                    source=debt.source,
                    dose=debt.dose,
                    sanctioned_limit_paise=debt.sanctioned_limit_paise,
                ),
                f"groupLoans[{index}]",
                today,
            )
        )
    for loan in loans:
        disbursement = await session.get(Voucher, loan.disbursement_voucher_id)
        assert disbursement is not None
        vouchers.append(disbursement)
    await _close(session, principal, shg, new.as_on, vouchers)
    return CutOff(shg.id, vouchers, loans)


@dataclass(frozen=True)
class NewFederationCutOff:
    """A VO's or CLF's paper books on its cut-off date: balances only (its CIF loans sit,
    loan by loan, in the SHGs' own books)."""

    cbo_code: str
    as_on: date
    cash_paise: int
    bank_paise: int
    funds: tuple[tuple[str, int], ...] = ()  # (account, paise): RF, CIF, VRF, CEF held
    lending: tuple[tuple[str, int], ...] = ()  # loans_to_shgs, loans_to_vos outstanding
    borrowings: tuple[tuple[str, int], ...] = ()  # loan_from_clf, loan_from_bank owed


async def record_federation_cut_off(
    session: AsyncSession,
    principal: Principal,
    new: NewFederationCutOff,
    *,
    today: date | None = None,
) -> Voucher:
    """A VO's or CLF's opening balances: one draft voucher, once, before any other."""
    principal.require(Role.ADMIN, Role.BOOKKEEPER)
    today = today or date.today()
    federation = await locked_cbo(session, principal, new.cbo_code, None, "cboCode")
    if federation.kind is CboKind.SHG:
        raise DomainError(
            ErrorCode.INVALID, "cboCode", "An SHG's cut-off, with its members, is recordCutOff"
        )
    await _check_first(session, federation, new.as_on, today, "cboCode")
    check_paise(new.cash_paise, "cash")
    check_paise(new.bank_paise, "bank")
    chart = {account.code for account in accounts_for(federation.kind)}
    _amounts(new.funds, tuple(a for a in COMMUNITY_FUNDS if a in chart), "funds")
    _amounts(new.lending, tuple(a for a in LENDING if a in chart), "lending")
    _amounts(new.borrowings, tuple(a for a in BORROWINGS if a in chart), "borrowings")
    debits = [
        LineInput(account, debit_paise=amount)
        for account, amount in (("cash", new.cash_paise), ("bank", new.bank_paise), *new.lending)
        if amount
    ]
    credits = [
        LineInput(account, credit_paise=amount)
        for account, amount in (*new.funds, *new.borrowings)
        if amount
    ]
    lines = _with_surplus(debits, credits)
    if not lines:
        raise DomainError(ErrorCode.REQUIRED, "cash", "A cut-off loads at least one balance")
    voucher = await _opening(session, principal, federation, new.as_on, lines, today)
    await _close(session, principal, federation, new.as_on, [voucher])
    return voucher


async def _check_first(
    session: AsyncSession, cbo: Cbo, as_on: date, today: date, field: str
) -> None:
    """A cut-off is recorded once, on a day the CBO existed, and its books start there.

    An SHG's cut-off comes before any other voucher. A federation's may come
    after vouchers its SHGs' CIF loans and fund releases wrote into its books,
    so long as none is dated before it: its paper books end where those begin.
    """
    what = cbo.kind.value.upper()
    if cbo.cut_off_on is not None:
        raise DomainError(ErrorCode.INVALID_STATE, field, f"This {what} has its cut-off already")
    standing = [Voucher.cbo_id == cbo.id, Voucher.status != VoucherStatus.REJECTED]
    if cbo.kind is not CboKind.SHG:
        standing.append(Voucher.voucher_date < as_on)
    if await session.scalar(select(Voucher.id).where(*standing).limit(1)) is not None:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            field,
            f"This {what}'s books have begun: a cut-off comes before any other voucher",
        )
    check_not_future(as_on, "asOn", today)
    check_not_before(as_on, cbo.formed_on, "asOn", f"the {what} was formed")


def _with_surplus(debits: list[LineInput], credits: list[LineInput]) -> tuple[LineInput, ...]:
    """The opening lines balanced on ``accumulated_surplus``: what was held less what was
    owed, the CBO's net worth on the day."""
    gap = sum(line.credit_paise for line in credits) - sum(line.debit_paise for line in debits)
    if gap > 0:
        debits = [*debits, LineInput("accumulated_surplus", debit_paise=gap)]
    elif gap < 0:
        credits = [*credits, LineInput("accumulated_surplus", credit_paise=-gap)]
    return (*debits, *credits)


async def _opening(
    session: AsyncSession,
    principal: Principal,
    cbo: Cbo,
    as_on: date,
    lines: tuple[LineInput, ...],
    today: date,
) -> Voucher:
    opening = NewVoucher(cbo.code, as_on, "Opening balances at cut-off", lines)
    return await record_voucher(session, principal, opening, today=today, date_field="asOn")


async def _close(
    session: AsyncSession, principal: Principal, cbo: Cbo, as_on: date, vouchers: list[Voucher]
) -> None:
    """Make the cut-off's vouchers one entry, date the books from it, and audit it.

    The entry is checked as one, so a cut-off is never half loaded; rejecting it
    clears the date again (:func:`ledger.vouchers.reject_voucher`).
    """
    link(*vouchers)
    cbo.cut_off_on = as_on
    cbo.cut_off_entry_id = vouchers[0].entry_id
    await record_audit(
        session,
        actor=principal.subject,
        action="cutoff.recorded",
        entity_type="cbo",
        entity_id=cbo.id,
        detail={"as_on": as_on.isoformat(), "vouchers": [v.id for v in vouchers]},
    )
