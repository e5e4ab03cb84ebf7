"""Vouchers and maker–checker: record a draft, approve or reject it, reverse what was posted.

A bookkeeper records; an approver (or admin) other than the maker approves,
and only then do balances move. A posted voucher never changes: a correction
is a reversal voucher pointing back at it, approved the same way.

Some entries take several vouchers: money moving between two CBOs (a VO's
CIF loan to an SHG, a fund released down the chain) is one voucher in each
book, and a cut-off is one voucher of balances and one per loan. Such
vouchers are linked into one entry (:func:`link`) and approved, rejected
and reversed together, by someone who sees every book they touch: no book
shows the money without the other, and no cut-off is half loaded. A
meeting's vouchers are one entry too, and checking the entry checks the
meeting (ledger.meetings). A community fund is never given away beyond
what the books hold of it, and no voucher takes cash or bank, or a member's
savings, below zero: at recording, against the posted balance and the drafts
still awaiting a checker; at approval, against the posted balance under the
row locks posting takes, so two drafts each fine alone never both post. What
a member paid the group (her interest, her fines) goes back to her only by
reversing the voucher she paid it in, never by a debit written line by line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Principal, Role
from core.audit import record_audit
from core.database import utc_now
from core.errors import DomainError, ErrorCode
from core.money import check_paise, format_rupees
from hierarchy.cbos import check_transacting
from hierarchy.fields import check_not_before, check_not_future
from hierarchy.lookup import cbo_by_code
from hierarchy.members import check_can_take_part
from hierarchy.models import Cbo, CboKind, Member, MemberStatus
from ledger.chart import ACCOUNTS, COMMUNITY_FUNDS, LOAN_ACCOUNTS, MONEY_HELD, SAVINGS
from ledger.loan_book import check_repayment_split, check_reversal_order, on_voucher_checked
from ledger.models import (
    LEDGER_ANCESTORS,
    LedgerBalance,
    Meeting,
    Voucher,
    VoucherLine,
    VoucherStatus,
)

# Who records books (vouchers, loans, meetings, cut-offs, releases); the API checks it
# before reading a mutation's input.
MAKERS = (Role.ADMIN, Role.BOOKKEEPER)
# Who checks them (vouchers, and meetings with or without vouchers).
CHECKERS = (Role.ADMIN, Role.APPROVER)
NO_MEMBER = 0
# A voucher typed line by line (record_manual_voucher) has at most this many lines: one of
# 20,000 made every read of its lines cost seconds. A meeting's savings voucher or a
# cut-off's opening one has a line per member and kind of saving, bounded by its own
# input lists instead: 100 lines serve an SHG of 49 (NRLM groups have 10 to 20), and the
# API's query cost charges a read of a voucher's lines this many, as in practice.
MAX_VOUCHER_LINES = 100


@dataclass(frozen=True)
class LineInput:
    account: str
    debit_paise: int = 0
    credit_paise: int = 0
    member_id: str | None = None


@dataclass(frozen=True)
class NewVoucher:
    cbo_code: str
    voucher_date: date
    narration: str
    lines: tuple[LineInput, ...]


def _text(value: str | None, field: str, what: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(ErrorCode.REQUIRED, field, f"Give {what}")
    if len(text) > 256:
        raise DomainError(
            ErrorCode.INVALID, field, f"{what.capitalize()} is at most 256 characters"
        )
    return text


def rejection_reason(reason: str | None) -> str:
    """Why a checker rejected a voucher or a meeting: required, on one line."""
    return _text(reason, "reason", "a reason")


async def _line_member(
    session: AsyncSession, cbo: Cbo, line: LineInput, field: str, on: date, date_field: str
) -> int:
    """The member a line names: one of this SHG on the voucher's date ``on``."""
    account = ACCOUNTS[line.account]
    if not line.member_id:
        if account.per_member:
            raise DomainError(
                ErrorCode.REQUIRED, f"{field}.memberId", "Name the member for this account"
            )
        return NO_MEMBER
    if not (account.per_member or account.paid_by_member):
        raise DomainError(
            ErrorCode.INVALID, f"{field}.memberId", "This account has no member ledger"
        )
    member = await active_member(session, cbo.id, line.member_id, f"{field}.memberId")
    # joined_on is the day she joined this SHG (a transfer resets it): before it, the
    # group's books are no business of hers.
    check_not_before(on, member.joined_on, date_field, "she joined the SHG")
    return member.id


async def locked_shg(session: AsyncSession, principal: Principal, shg_code: str) -> Cbo:
    """The SHG, locked for a step that must see its books whole (a meeting, a cut-off)."""
    return await locked_cbo(session, principal, shg_code, CboKind.SHG, "shgCode")


async def locked_cbo(
    session: AsyncSession, principal: Principal, code: str, kind: CboKind | None, field: str
) -> Cbo:
    """The CBO (of ``kind``, if given), open and locked for a step that must see its books
    whole; a refusal names ``field``."""
    cbo = await cbo_by_code(session, principal.scope, code, kind, for_update=True)
    what = kind.value.upper() if kind else "CBO"
    if cbo is None:
        raise DomainError(ErrorCode.NOT_FOUND, field, f"No {what} with this code in your scope")
    check_transacting(cbo, field)
    return cbo


async def active_member(session: AsyncSession, shg_id: int, member_id: str, field: str) -> Member:
    """A current member of this SHG, or a typed refusal naming ``field``."""
    member = await session.scalar(
        select(Member).where(Member.member_id == member_id.strip(), Member.shg_id == shg_id)
    )
    if member is None:
        raise DomainError(ErrorCode.NOT_FOUND, field, "No such member in this SHG")
    check_can_take_part(member, field)
    return member


async def record_manual_voucher(
    session: AsyncSession, principal: Principal, new: NewVoucher, *, today: date | None = None
) -> Voucher:
    """Record a draft written line by line (not by a loan, meeting, release or cut-off).

    It may not move an account a loan's record stands behind: a loan made
    so would have no terms, schedule or borrower to collect from, so the
    maker is sent to the loan mutations, which write the record and its
    vouchers together.
    """
    principal.require(*MAKERS)
    if len(new.lines) > MAX_VOUCHER_LINES:
        raise DomainError(
            ErrorCode.INVALID, "lines", f"A voucher has at most {MAX_VOUCHER_LINES} lines"
        )
    cbo = await cbo_by_code(session, principal.scope, new.cbo_code)
    for index, line in enumerate(new.lines):
        if cbo is not None and cbo.kind in LOAN_ACCOUNTS.get(line.account, frozenset()):
            raise DomainError(
                ErrorCode.INVALID,
                f"lines[{index}].account",
                "Loans move this account: record them with disburseLoan and recordRepayment, "
                "which keep the loan's record",
            )
        if line.debit_paise and line.member_id and ACCOUNTS[line.account].paid_by_member:
            # What she paid (her interest, her fines) is given back by reversing the voucher
            # she paid it in; a debit here could give back more than she ever paid.
            raise DomainError(
                ErrorCode.INVALID,
                f"lines[{index}].debit",
                "What a member paid is given back by reversing the voucher she paid it in",
            )
    return await record_voucher(session, principal, new, today=today)


async def record_voucher(
    session: AsyncSession,
    principal: Principal,
    new: NewVoucher,
    *,
    today: date | None = None,
    date_field: str = "voucherDate",
    amount_field: str | None = None,
) -> Voucher:
    """Record a draft. ``date_field`` and ``amount_field`` name the date, and the amount
    the CBO lacks the cash or bank for, in a refusal, for a caller whose own input names
    them otherwise (a loan's ``disbursedOn`` and ``principal``, a release's
    ``releasedOn`` and ``amount``)."""
    principal.require(*MAKERS)
    narration = _text(new.narration, "narration", "a narration")
    # Shared lock: vouchers of one CBO go side by side, but wait for a cut-off (which must
    # come first) and are seen by it.
    cbo = await cbo_by_code(session, principal.scope, new.cbo_code, for_share=True)
    if cbo is None:
        raise DomainError(ErrorCode.NOT_FOUND, "cboCode", "No CBO with this code in your scope")
    check_transacting(cbo, "cboCode")
    check_not_future(new.voucher_date, date_field, today or date.today())
    check_not_before(new.voucher_date, cbo.formed_on, date_field, "the CBO was formed")
    if cbo.cut_off_on is not None:
        check_not_before(new.voucher_date, cbo.cut_off_on, date_field, "the books' cut-off")
    if len(new.lines) < 2:
        raise DomainError(ErrorCode.INVALID, "lines", "A voucher has at least two lines")
    rows: list[VoucherLine] = []
    for index, line in enumerate(new.lines):
        field = f"lines[{index}]"
        account = ACCOUNTS.get(line.account)
        if account is None or cbo.kind not in account.kinds:
            raise DomainError(
                ErrorCode.INVALID,
                f"{field}.account",
                f"No such account in a {cbo.kind.value.upper()}'s books",
            )
        debit = check_paise(line.debit_paise, f"{field}.debit")
        credit = check_paise(line.credit_paise, f"{field}.credit")
        if (debit > 0) == (credit > 0):
            raise DomainError(ErrorCode.INVALID, field, "Each line is either a debit or a credit")
        member_pk = await _line_member(session, cbo, line, field, new.voucher_date, date_field)
        rows.append(
            VoucherLine(
                account=line.account, member_pk=member_pk or None, amount_paise=debit - credit
            )
        )
    debits = sum(row.amount_paise for row in rows if row.amount_paise > 0)
    credits = -sum(row.amount_paise for row in rows if row.amount_paise < 0)
    if debits != credits:
        raise DomainError(
            ErrorCode.UNBALANCED,
            "lines",
            f"Debits (₹{format_rupees(debits)}) and credits (₹{format_rupees(credits)}) "
            f"differ by ₹{format_rupees(abs(debits - credits))}",
        )
    short = await _short_of_money(session, cbo.id, rows)
    if short is not None:
        first = next(
            i for i, row in enumerate(rows) if row.account == short and row.amount_paise < 0
        )
        raise _insufficient(short, amount_field or f"lines[{first}].credit")
    unsaved = await _short_of_savings(session, cbo.id, rows)
    if unsaved is not None:
        first = next(
            i
            for i, row in enumerate(rows)
            if (row.account, row.member_pk) == unsaved and row.amount_paise > 0
        )
        raise _unsaved(unsaved[0], f"lines[{first}].debit")
    voucher = Voucher(
        cbo_id=cbo.id,
        voucher_date=new.voucher_date,
        narration=narration,
        status=VoucherStatus.DRAFT,
        total_paise=debits,
        made_by=principal.subject,
    )
    for column in LEDGER_ANCESTORS:
        setattr(voucher, column, getattr(cbo, column))
    return await _save(session, principal, voucher, rows, "voucher.recorded")


def _insufficient(account: str, field: str) -> DomainError:
    return DomainError(
        ErrorCode.INSUFFICIENT_FUNDS,
        field,
        f"This pays out more than the {ACCOUNTS[account].name.lower()} holds",
    )


def _money_out(rows: list[VoucherLine]) -> list[str]:
    """The accounts of money held (cash, bank) that these lines take money out of, net."""
    moves: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.account in MONEY_HELD:
            moves[row.account] += row.amount_paise
    return sorted(account for account, amount in moves.items() if amount < 0)


async def _short_of_money(
    session: AsyncSession, cbo_id: int, rows: list[VoucherLine]
) -> str | None:
    """The account of money held that a new draft would overdraw, None if neither: counted
    against the posted balance and every draft still awaiting a checker (as the books will
    stand once they are all approved; approval checks again against what did post)."""
    out = _money_out(rows)
    if not out:
        return None
    posted: dict[str, int] = {
        account: balance
        for account, balance in await session.execute(
            select(LedgerBalance.account, LedgerBalance.balance_paise).where(
                LedgerBalance.cbo_id == cbo_id,
                LedgerBalance.account.in_(out),
                LedgerBalance.member_pk == NO_MEMBER,
            )
        )
    }
    pending: dict[str, int] = {
        account: int(amount or 0)
        for account, amount in await session.execute(
            select(VoucherLine.account, func.sum(VoucherLine.amount_paise))
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(
                Voucher.cbo_id == cbo_id,
                Voucher.status == VoucherStatus.DRAFT,
                VoucherLine.account.in_(out),
            )
            .group_by(VoucherLine.account)
        )
    }
    for account in out:
        move = sum(row.amount_paise for row in rows if row.account == account)
        if posted.get(account, 0) + pending.get(account, 0) + move < 0:
            return account
    return None


def _unsaved(account: str, field: str) -> DomainError:
    return DomainError(
        ErrorCode.INSUFFICIENT_FUNDS,
        field,
        f"This pays her more {account.removeprefix('savings_')} savings than she has saved",
    )


def _savings_out(rows: list[VoucherLine]) -> list[tuple[str, int]]:
    """Each (savings account, member) these lines pay out of, net."""
    moves: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        if row.account in SAVINGS and row.member_pk:
            moves[(row.account, row.member_pk)] += row.amount_paise
    return sorted(key for key, amount in moves.items() if amount > 0)  # debit: paid out


async def _short_of_savings(
    session: AsyncSession, cbo_id: int, rows: list[VoucherLine]
) -> tuple[str, int] | None:
    """The (savings account, member) a new draft would pay out beyond what she has saved,
    None if none: counted as :func:`_short_of_money` counts cash, against the posted
    balance and every draft still awaiting a checker."""
    for account, member_pk in _savings_out(rows):
        mine = (
            VoucherLine.account == account,
            VoucherLine.member_pk == member_pk,
        )
        posted = await session.scalar(
            select(LedgerBalance.balance_paise).where(
                LedgerBalance.cbo_id == cbo_id,
                LedgerBalance.account == account,
                LedgerBalance.member_pk == member_pk,
            )
        )
        pending = await session.scalar(
            select(func.sum(VoucherLine.amount_paise))
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(Voucher.cbo_id == cbo_id, Voucher.status == VoucherStatus.DRAFT, *mine)
        )
        move = sum(
            row.amount_paise for row in rows if (row.account, row.member_pk) == (account, member_pk)
        )
        if (posted or 0) + int(pending or 0) + move > 0:  # debit-positive: she'd owe it
            return account, member_pk
    return None


async def _save(
    session: AsyncSession,
    principal: Principal,
    voucher: Voucher,
    rows: list[VoucherLine],
    action: str,
) -> Voucher:
    session.add(voucher)
    await session.flush()
    for row in rows:
        row.voucher_id = voucher.id
    session.add_all(rows)
    await record_audit(
        session,
        actor=principal.subject,
        action=action,
        entity_type="voucher",
        entity_id=voucher.id,
        detail={"cbo_id": voucher.cbo_id, "total_paise": voucher.total_paise},
    )
    await session.flush()
    return voucher


async def _for_change(
    session: AsyncSession, principal: Principal, voucher_id: int
) -> list[Voucher]:
    """The voucher, then the others of its entry, all locked.

    Locked in id order, so two checkers taking two vouchers of one entry at
    once queue rather than deadlock. The caller must see every one of them.
    """
    voucher = await session.scalar(
        select(Voucher).where(Voucher.id == voucher_id, principal.scope.clause(Voucher))
    )
    if voucher is None:
        raise DomainError(ErrorCode.NOT_FOUND, "voucherId", "No voucher with this id in your scope")
    entry_id = voucher.entry_id
    entry = Voucher.id == voucher.id if entry_id is None else Voucher.entry_id == entry_id
    locked = (
        await session.scalars(
            select(Voucher)
            .where(entry, principal.scope.clause(Voucher))
            .order_by(Voucher.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    if entry_id is not None:
        whole = await session.scalar(select(func.count()).select_from(Voucher).where(entry))
        if len(locked) != whole:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                "voucherId",
                "This voucher moves another CBO's books too: someone who sees both books checks it",
            )
    return sorted(locked, key=lambda row: row.id != voucher_id)


def link(*vouchers: Voucher) -> None:
    """Make vouchers (already flushed) one entry, checked and reversed as one."""
    first = min(voucher.id for voucher in vouchers)
    for voucher in vouchers:
        voucher.entry_id = first


async def _lines(session: AsyncSession, voucher: Voucher) -> list[VoucherLine]:
    return list(
        (
            await session.scalars(select(VoucherLine).where(VoucherLine.voucher_id == voucher.id))
        ).all()
    )


async def _post(session: AsyncSession, voucher: Voucher) -> list[VoucherLine]:
    """Move balances by the voucher's lines (one locked row per account and member)."""
    lines = await _lines(session, voucher)
    moves: dict[tuple[str, int], int] = defaultdict(int)
    for line in lines:
        moves[(line.account, line.member_pk or NO_MEMBER)] += line.amount_paise
    for (account, member_pk), amount in sorted(moves.items()):
        balance = await session.scalar(
            select(LedgerBalance)
            .where(
                LedgerBalance.cbo_id == voucher.cbo_id,
                LedgerBalance.account == account,
                LedgerBalance.member_pk == member_pk,
            )
            .with_for_update()
        )
        if balance is None:
            session.add(
                LedgerBalance(
                    cbo_id=voucher.cbo_id,
                    account=account,
                    member_pk=member_pk,
                    balance_paise=amount,
                    district_id=voucher.district_id,
                )
            )
        else:
            balance.balance_paise += amount
    await session.flush()  # the next voucher of an entry must find the rows this one added
    return lines


def _check_draft(vouchers: list[Voucher], principal: Principal, verb: str) -> None:
    for voucher in vouchers:
        if voucher.status is not VoucherStatus.DRAFT:
            raise DomainError(
                ErrorCode.INVALID_STATE, "voucherId", f"This voucher is {voucher.status.value}"
            )
        if voucher.made_by == principal.subject:
            raise DomainError(
                ErrorCode.SELF_APPROVAL,
                "voucherId",
                f"A voucher is {verb} by someone other than its maker",
            )


async def _check_funds_held(
    session: AsyncSession, voucher: Voucher, lines: list[VoucherLine]
) -> None:
    """A community fund released or spent only out of what the books hold of it."""
    debited = {
        line.account for line in lines if line.account in COMMUNITY_FUNDS and line.amount_paise > 0
    }
    for account in sorted(debited):
        held = await session.scalar(
            select(LedgerBalance.balance_paise).where(
                LedgerBalance.cbo_id == voucher.cbo_id,
                LedgerBalance.account == account,
                LedgerBalance.member_pk == NO_MEMBER,
            )
        )
        if (held or 0) > 0:  # debit-positive: more went out than came in
            raise DomainError(
                ErrorCode.INSUFFICIENT_FUNDS,
                "voucherId",
                f"The books hold less {ACCOUNTS[account].name} than this voucher gives out",
            )


async def _check_money_held(
    session: AsyncSession, voucher: Voucher, lines: list[VoucherLine]
) -> None:
    """Cash or bank paid out only from what posted: read after posting, under the lock
    posting took on the balance row, so a second approval waits for the first and sees it."""
    for account in _money_out(lines):
        held = await session.scalar(
            select(LedgerBalance.balance_paise).where(
                LedgerBalance.cbo_id == voucher.cbo_id,
                LedgerBalance.account == account,
                LedgerBalance.member_pk == NO_MEMBER,
            )
        )
        if (held or 0) < 0:
            raise _insufficient(account, "voucherId")


async def _check_savings_held(
    session: AsyncSession, voucher: Voucher, lines: list[VoucherLine]
) -> None:
    """Her savings paid out only from what posted: read after posting, under the lock
    posting took on her balance row, as :func:`_check_money_held` reads cash."""
    for account, member_pk in _savings_out(lines):
        held = await session.scalar(
            select(LedgerBalance.balance_paise).where(
                LedgerBalance.cbo_id == voucher.cbo_id,
                LedgerBalance.account == account,
                LedgerBalance.member_pk == member_pk,
            )
        )
        if (held or 0) > 0:
            raise _unsaved(account, "voucherId")


async def approve_voucher(session: AsyncSession, principal: Principal, voucher_id: int) -> Voucher:
    principal.require(*CHECKERS)
    vouchers = await _for_change(session, principal, voucher_id)
    _check_draft(vouchers, principal, "approved")
    for voucher in vouchers:
        # A CBO closed (or never approved) since the voucher was recorded keeps no books.
        cbo = await session.get(Cbo, voucher.cbo_id)
        assert cbo is not None
        check_transacting(cbo, "voucherId")
        # A draft recorded as she left (the two raced) must not post to her closed books.
        await _check_members_still_here(session, voucher, await _lines(session, voucher))
        await check_repayment_split(session, voucher)
        if voucher.reverses_id is not None:
            original = await session.get(Voucher, voucher.reverses_id)
            assert original is not None
            await check_reversal_order(session, original, "voucherId")
    # Books are posted in one order, whichever voucher was asked for: two entries
    # touching the same two books lock their balance rows alike and never deadlock.
    posted = []
    for voucher in sorted(vouchers, key=lambda row: (row.cbo_id, row.id)):
        posted.append((voucher, await _post(session, voucher)))
    # Once the whole entry is in: a meeting's deposit may bank the savings it took.
    for voucher, lines in posted:
        await _check_funds_held(session, voucher, lines)
        await _check_money_held(session, voucher, lines)
        await _check_savings_held(session, voucher, lines)
    await _checked(session, principal, vouchers, VoucherStatus.APPROVED)
    return vouchers[0]


async def reject_voucher(
    session: AsyncSession, principal: Principal, voucher_id: int, reason: str
) -> Voucher:
    principal.require(*CHECKERS)
    why = rejection_reason(reason)
    vouchers = await _for_change(session, principal, voucher_id)
    _check_draft(vouchers, principal, "checked")
    for voucher in vouchers:
        voucher.rejection_reason = why
    await _checked(session, principal, vouchers, VoucherStatus.REJECTED)
    if vouchers[0].entry_id is not None:  # a rejected cut-off never happened: redo it
        await session.execute(
            update(Cbo)
            .where(Cbo.cut_off_entry_id == vouchers[0].entry_id)
            .values(cut_off_on=None, cut_off_entry_id=None)
        )
    return vouchers[0]


async def _checked(
    session: AsyncSession, principal: Principal, vouchers: list[Voucher], status: VoucherStatus
) -> None:
    """Mark an entry's vouchers approved or rejected, keep their loans and meeting in step,
    audit each."""
    now = utc_now()
    for voucher in vouchers:
        voucher.status = status
        voucher.checked_by = principal.subject
        voucher.checked_at = now
    meetings = {voucher.meeting_id for voucher in vouchers if voucher.meeting_id is not None}
    if meetings:  # a meeting is checked with its entry: approving one approves the other
        await session.execute(
            update(Meeting)
            .where(Meeting.id.in_(meetings))
            .values(
                status=status,
                checked_by=principal.subject,
                checked_at=now,
                rejection_reason=vouchers[0].rejection_reason,
            )
            .execution_options(synchronize_session="fetch")
        )
    await session.flush()  # the loan's view of its vouchers must see the new statuses
    for voucher in vouchers:
        await on_voucher_checked(session, voucher)
        await record_audit(
            session,
            actor=principal.subject,
            action=f"voucher.{status.value}",
            entity_type="voucher",
            entity_id=voucher.id,
            detail={"cbo_id": voucher.cbo_id},
        )
    await session.flush()


async def reverse_voucher(
    session: AsyncSession,
    principal: Principal,
    voucher_id: int,
    on: date,
    reason: str,
    *,
    today: date | None = None,
) -> Voucher:
    """Record (as a draft for a checker) the voucher that undoes a posted one, in books
    still kept: every CBO of its entry must still transact."""
    principal.require(*MAKERS)
    why = _text(reason, "reason", "a reason")
    originals = await _for_change(session, principal, voucher_id)
    for cbo_id in sorted({original.cbo_id for original in originals}):
        # Shared-locked, as a voucher recorded: a close under way finishes first, and is seen.
        cbo = await session.scalar(
            select(Cbo)
            .where(Cbo.id == cbo_id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
        assert cbo is not None
        check_transacting(cbo, "voucherId")
    check_not_future(on, "reversedOn", today or date.today())
    reversals = [await _reversal(session, principal, original, on, why) for original in originals]
    if len(reversals) > 1:
        link(*reversals)
        await session.flush()
    return reversals[0]


async def _check_members_still_here(
    session: AsyncSession, original: Voucher, lines: list[VoucherLine]
) -> None:
    """A voucher posted (or a reversal) moves the balances of the members it names, so each
    must still belong to the CBO: one who left it left square (ledger.settlement), and her
    books there stay shut."""
    named = {line.member_pk for line in lines if line.member_pk is not None}
    if not named:
        return
    here = set(
        (
            await session.scalars(
                select(Member.id).where(
                    Member.id.in_(named),
                    Member.shg_id == original.cbo_id,
                    Member.status == MemberStatus.ACTIVE,
                )
            )
        ).all()
    )
    if named - here:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            "voucherId",
            "This voucher names a member who has left this SHG: her books here are closed",
        )


async def _reversal(
    session: AsyncSession, principal: Principal, original: Voucher, on: date, why: str
) -> Voucher:
    if original.status is not VoucherStatus.APPROVED:
        raise DomainError(ErrorCode.INVALID_STATE, "voucherId", "Only posted vouchers are reversed")
    if original.reverses_id is not None:
        raise DomainError(
            ErrorCode.INVALID_STATE, "voucherId", "A reversal is not reversed; record a new voucher"
        )
    already = await session.scalar(
        select(Voucher.id).where(
            Voucher.reverses_id == original.id, Voucher.status != VoucherStatus.REJECTED
        )
    )
    if already is not None:
        raise DomainError(
            ErrorCode.INVALID_STATE, "voucherId", "This voucher already has a reversal"
        )
    check_not_before(on, original.voucher_date, "reversedOn", "the voucher's own date")
    await check_reversal_order(session, original, "voucherId")
    lines = await _lines(session, original)
    await _check_members_still_here(session, original, lines)
    reversal = Voucher(
        cbo_id=original.cbo_id,
        voucher_date=on,
        narration=f"Reversal of voucher {original.id}: {why}"[:256],
        status=VoucherStatus.DRAFT,
        total_paise=original.total_paise,
        reverses_id=original.id,
        loan_id=original.loan_id,
        made_by=principal.subject,
    )
    for column in LEDGER_ANCESTORS:
        setattr(reversal, column, getattr(original, column))
    rows = [
        VoucherLine(account=line.account, member_pk=line.member_pk, amount_paise=-line.amount_paise)
        for line in lines
    ]
    short = await _short_of_money(session, original.cbo_id, rows)
    if short is not None:  # undoing money received, when it is no longer held
        raise _insufficient(short, "voucherId")
    unsaved = await _short_of_savings(session, original.cbo_id, rows)
    if unsaved is not None:  # undoing her savings, when they have been paid out to her
        raise _unsaved(unsaved[0], "voucherId")
    return await _save(session, principal, reversal, rows, "voucher.reversal_recorded")
