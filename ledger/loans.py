"""An SHG's loans: internal loans from its corpus to members, and loans to the group from
its VO or CLF (CIF) or a bank (bank linkage): disbursement, repayment, position.

The schedule, the interest-first split and overdue work alike for both; the
accounts differ. An internal loan moves the member's loan account and the
group's cash, or its bank account when the group lends from there (only as
far as it holds the money; interest is income); a loan to the group moves
the bank account and the group's borrowing from that lender (interest is an
expense). A bank loan carries its dose (first, second … linkage) and stays
within the limit the bank sanctioned.

A CIF loan is also the lender's: each of its vouchers in the SHG's books has
its like in the VO's or CLF's (loans to SHGs, bank, interest income), as one
entry, so it is recorded and checked by someone who sees the lender's books,
and the two books move together (:mod:`ledger.vouchers`). The lender is
fixed when the loan is made; a loan the group owed at its cut-off is part of
the lender's own opening balance, and its repayments reach both books.

Both steps are vouchers and go through maker–checker: a loan is pending until
its disbursement voucher is approved (and cancelled if it is rejected); a
repayment counts once its voucher is approved and not reversed. A repayment
is split when recorded, interest due first and then principal, against the
loan's schedule and the repayments already recorded, with interest earned
by the calendar (:mod:`ledger.interest`): so repayments are recorded in date
order, none before the loan's last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.errors import DomainError, ErrorCode
from core.money import check_paise
from hierarchy.cbos import check_transacting
from hierarchy.fields import check_not_before, check_not_future
from hierarchy.lookup import cbo_by_code, member_by_member_id
from hierarchy.members import check_can_take_part
from hierarchy.models import Cbo, CboKind, Member, MemberStatus
from ledger.interest import InterestMethod, Repayment, first_due_bounds
from ledger.loan_book import counted_repayments, position_after
from ledger.models import LEDGER_ANCESTORS, Loan, LoanRepayment, LoanSource, LoanStatus
from ledger.vouchers import LineInput, NewVoucher, link, record_voucher

_MAKERS = (Role.ADMIN, Role.BOOKKEEPER)
MAX_RATE_BP = 6000  # 60% a year: above any SHG's internal rate
MAX_MONTHS = 120


BORROWED_FROM = {
    LoanSource.VO_CIF: "loan_from_vo",
    LoanSource.CLF_CIF: "loan_from_clf",
    LoanSource.BANK: "loan_from_bank",
}


class PaidFrom(StrEnum):
    """Where the group pays an internal loan out of."""

    CASH = "cash"
    BANK = "bank"


@dataclass(frozen=True)
class NewLoan:
    shg_code: str
    member_id: str | None
    principal_paise: int
    annual_rate_bp: int
    months: int
    method: InterestMethod
    disbursed_on: date
    first_due_on: date
    # A loan outstanding when the group came on the platform, recorded from
    # the paper books at cut-off: what it lent a member came out of its
    # accumulated surplus, not today's cash; what it owes a lender goes
    # against that surplus, not into today's bank account.
    at_cut_off: bool = False
    source: LoanSource = LoanSource.SHG_CORPUS
    dose: int | None = None  # bank linkage only
    sanctioned_limit_paise: int | None = None  # bank linkage only
    # An internal loan is paid out of the group's cash (None) or bank account; a loan to
    # the group always arrives in its bank account.
    paid_from: PaidFrom | None = None


async def disburse_loan(
    session: AsyncSession, principal: Principal, new: NewLoan, *, today: date | None = None
) -> Loan:
    """Record the loan (pending) and its disbursement voucher (a draft for a checker)."""
    principal.require(*_MAKERS)
    check_paise(new.principal_paise, "principal")
    if new.principal_paise == 0:
        raise DomainError(ErrorCode.INVALID, "principal", "A loan lends something")
    if not 0 <= new.annual_rate_bp <= MAX_RATE_BP:
        raise DomainError(ErrorCode.INVALID, "annualRate", "The rate is 0% to 60% a year")
    if not 1 <= new.months <= MAX_MONTHS:
        raise DomainError(ErrorCode.INVALID, "months", f"A loan runs 1 to {MAX_MONTHS} months")
    check_not_future(new.disbursed_on, "disbursedOn", today or date.today())
    earliest, latest = first_due_bounds(new.disbursed_on, at_cut_off=new.at_cut_off)
    if not earliest <= new.first_due_on <= latest:
        when = (
            "The next instalment falls within a month of the cut-off"
            if new.at_cut_off
            else "The first instalment falls a month after disbursement, give or take a week"
        )
        raise DomainError(
            ErrorCode.INVALID,
            "firstDueOn",
            f"{when}: {earliest.isoformat()} to {latest.isoformat()}",
        )
    _check_lender(new)
    shg = await cbo_by_code(session, principal.scope, new.shg_code, CboKind.SHG)
    if shg is None:
        raise DomainError(ErrorCode.NOT_FOUND, "shgCode", "No SHG with this code in your scope")
    check_transacting(shg, "shgCode")
    member = None
    if new.source is LoanSource.SHG_CORPUS:
        member = await member_by_member_id(session, principal.scope, new.member_id or "")
        if member is None or member.shg_id != shg.id:
            raise DomainError(ErrorCode.NOT_FOUND, "memberId", "No such member in this SHG")
        check_can_take_part(member, "memberId")
        check_not_before(new.disbursed_on, member.joined_on, "disbursedOn", "she joined the SHG")
    else:
        check_not_before(new.disbursed_on, shg.formed_on, "disbursedOn", "the SHG was formed")
    lender_id = _lender_id(shg, new.source)
    # A loan the group owed at its cut-off moved no money now: for the lender it is part
    # of the loans to SHGs its own cut-off loads. Its repayments reach both books.
    lender = None
    if lender_id is not None and not new.at_cut_off:
        lender = await _seen_lender(session, principal, lender_id, "source")
    loan = Loan(
        cbo_id=shg.id,
        member_pk=member.id if member else None,
        source=new.source.value,
        dose=new.dose,
        sanctioned_limit_paise=new.sanctioned_limit_paise,
        principal_paise=new.principal_paise,
        annual_rate_bp=new.annual_rate_bp,
        months=new.months,
        method=new.method.value,
        disbursed_on=new.disbursed_on,
        first_due_on=new.first_due_on,
        status=LoanStatus.PENDING,
        created_by=principal.subject,
        lender_cbo_id=lender_id,
    )
    for column in LEDGER_ANCESTORS:
        setattr(loan, column, getattr(shg, column))
    session.add(loan)
    await session.flush()
    amount = new.principal_paise
    if member is None:  # to the group: money into its bank account, owed to the lender
        lender_name = new.source.value.replace("_", " ")
        received, narration = (
            ("accumulated_surplus", f"Loan {loan.id} owed at cut-off ({lender_name})")
            if new.at_cut_off
            else ("bank", f"Loan {loan.id} received ({lender_name})")
        )
        lines = (
            LineInput(received, debit_paise=amount),
            LineInput(BORROWED_FROM[new.source], credit_paise=amount),
        )
    else:
        source, narration = (
            ("accumulated_surplus", f"Loan {loan.id} outstanding at cut-off")
            if new.at_cut_off
            else ((new.paid_from or PaidFrom.CASH).value, f"Loan {loan.id} disbursed")
        )
        lines = (
            LineInput("loans_to_members", debit_paise=amount, member_id=member.member_id),
            LineInput(source, credit_paise=amount),
        )
    ours = NewVoucher(shg.code, new.disbursed_on, narration, lines)
    voucher = await record_voucher(
        session, principal, ours, today=today, date_field="disbursedOn", amount_field="principal"
    )
    voucher.loan_id = loan.id
    loan.disbursement_voucher_id = voucher.id
    if lender is not None:
        lent = (
            LineInput("loans_to_shgs", debit_paise=amount),
            LineInput("bank", credit_paise=amount),
        )
        narration = f"CIF loan {loan.id} to SHG {shg.code}"
        theirs = NewVoucher(lender.code, new.disbursed_on, narration, lent)
        link(
            voucher,
            await record_voucher(
                session,
                principal,
                theirs,
                today=today,
                date_field="disbursedOn",
                amount_field="principal",
            ),
        )
    await session.flush()
    return loan


def _lender_id(shg: Cbo, source: LoanSource) -> int | None:
    """The VO or CLF a CIF loan comes from; None for the SHG's own or a bank loan."""
    if source not in (LoanSource.VO_CIF, LoanSource.CLF_CIF):
        return None
    lender_id = shg.vo_id if source is LoanSource.VO_CIF else shg.clf_id
    if lender_id is None:
        raise DomainError(
            ErrorCode.INVALID_STATE, "source", "This SHG has no such federation to borrow from"
        )
    return lender_id


async def _seen_lender(
    session: AsyncSession, principal: Principal, lender_id: int, field: str
) -> Cbo:
    """The lender's CBO, which the maker must see: its books are written too."""
    lender = await session.scalar(
        select(Cbo).where(Cbo.id == lender_id, principal.scope.clause(Cbo))
    )
    if lender is None:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            field,
            "A CIF loan moves the lender's books too: someone who sees them records it",
        )
    check_transacting(lender, field)
    return lender


def _check_lender(new: NewLoan) -> None:
    """Who lends decides what else the loan must say."""
    if new.source is LoanSource.SHG_CORPUS:
        if new.at_cut_off and new.paid_from is not None:
            raise DomainError(
                ErrorCode.INVALID, "paidFrom", "A loan at cut-off was paid out before the books"
            )
        if not new.member_id:
            raise DomainError(ErrorCode.REQUIRED, "memberId", "Name the member she lends to")
        if new.dose is not None or new.sanctioned_limit_paise is not None:
            raise DomainError(ErrorCode.INVALID, "dose", "Only a bank loan has a dose and limit")
        return
    if new.member_id:
        raise DomainError(ErrorCode.INVALID, "memberId", "A loan to the group names no member")
    if new.paid_from is not None:
        raise DomainError(
            ErrorCode.INVALID, "paidFrom", "A loan to the group arrives in its bank account"
        )
    if new.source is not LoanSource.BANK:
        if new.dose is not None or new.sanctioned_limit_paise is not None:
            raise DomainError(ErrorCode.INVALID, "dose", "Only a bank loan has a dose and limit")
        return
    if new.dose is None or not 1 <= new.dose <= 10:
        raise DomainError(ErrorCode.INVALID, "dose", "A bank linkage dose is 1 to 10")
    if new.sanctioned_limit_paise is None:
        raise DomainError(ErrorCode.REQUIRED, "sanctionedLimit", "Give the sanctioned limit")
    check_paise(new.sanctioned_limit_paise, "sanctionedLimit")
    if new.principal_paise > new.sanctioned_limit_paise:
        raise DomainError(
            ErrorCode.INVALID, "principal", "The bank lends no more than it sanctioned"
        )


async def record_repayment(
    session: AsyncSession,
    principal: Principal,
    loan_id: int,
    amount_paise: int,
    paid_on: date,
    *,
    today: date | None = None,
) -> LoanRepayment:
    principal.require(*_MAKERS)
    check_paise(amount_paise, "amount")
    if amount_paise == 0:
        raise DomainError(ErrorCode.INVALID, "amount", "A repayment pays something")
    loan = await session.scalar(
        select(Loan).where(Loan.id == loan_id, principal.scope.clause(Loan)).with_for_update()
    )
    if loan is None:
        raise DomainError(ErrorCode.NOT_FOUND, "loanId", "No loan with this id in your scope")
    if loan.status is not LoanStatus.ACTIVE:
        raise DomainError(ErrorCode.INVALID_STATE, "loanId", f"This loan is {loan.status.value}")
    check_not_future(paid_on, "paidOn", today or date.today())
    check_not_before(paid_on, loan.disbursed_on, "paidOn", "the loan was disbursed")
    earlier = await counted_repayments(session, loan, drafts=True)
    if earlier:  # interest is earned day by day: each split rests on the ones before it
        check_not_before(paid_on, earlier[-1].paid_on, "paidOn", "the loan's last repayment")
    paid = [Repayment(r.paid_on, r.amount_paise) for r in earlier]
    before = position_after(loan, paid, date.max)
    after = position_after(loan, [*paid, Repayment(paid_on, amount_paise)], date.max)
    if after.advance_paise > 0:
        raise DomainError(ErrorCode.INVALID, "amount", "This is more than is owed on the loan")
    to_interest = after.interest_paid_paise - before.interest_paid_paise
    to_principal = after.principal_paid_paise - before.principal_paid_paise
    shg = await session.get(Cbo, loan.cbo_id)
    assert shg is not None
    check_transacting(shg, "loanId")
    source = LoanSource(loan.source)
    lender = (
        None
        if loan.lender_cbo_id is None
        else await _seen_lender(session, principal, loan.lender_cbo_id, "loanId")
    )
    if source is LoanSource.SHG_CORPUS:  # she pays the group, in cash at the meeting
        member = await session.get(Member, loan.member_pk)
        assert member is not None
        if member.shg_id != loan.cbo_id or member.status is not MemberStatus.ACTIVE:
            # Only a membership ended before leaving required settlement (ledger.settlement)
            # leaves a loan behind; say so of the loan asked about, not of a voucher line.
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "loanId",
                "Its borrower has left this SHG, so it takes no repayment in her name here",
            )
        lines = [LineInput("cash", debit_paise=amount_paise)]
        if to_principal:
            lines.append(
                LineInput("loans_to_members", credit_paise=to_principal, member_id=member.member_id)
            )
        if to_interest:
            lines.append(
                LineInput("interest_income", credit_paise=to_interest, member_id=member.member_id)
            )
    else:  # the group pays its lender from its bank account
        lines = [LineInput("bank", credit_paise=amount_paise)]
        if to_principal:
            lines.append(LineInput(BORROWED_FROM[source], debit_paise=to_principal))
        if to_interest:
            lines.append(LineInput("interest_expense", debit_paise=to_interest))
    ours = NewVoucher(shg.code, paid_on, f"Loan {loan.id} repayment", tuple(lines))
    voucher = await record_voucher(
        session, principal, ours, today=today, date_field="paidOn", amount_field="amount"
    )
    voucher.loan_id = loan.id
    if lender is not None:
        received = [LineInput("bank", debit_paise=amount_paise)]
        if to_principal:
            received.append(LineInput("loans_to_shgs", credit_paise=to_principal))
        if to_interest:
            received.append(LineInput("interest_income", credit_paise=to_interest))
        narration = f"CIF loan {loan.id} repayment from SHG {shg.code}"
        theirs = NewVoucher(lender.code, paid_on, narration, tuple(received))
        link(
            voucher,
            await record_voucher(
                session, principal, theirs, today=today, date_field="paidOn", amount_field="amount"
            ),
        )
    repayment = LoanRepayment(
        loan_id=loan.id,
        voucher_id=voucher.id,
        paid_on=paid_on,
        amount_paise=amount_paise,
        principal_paise=to_principal,
        interest_paise=to_interest,
    )
    session.add(repayment)
    await session.flush()
    return repayment
