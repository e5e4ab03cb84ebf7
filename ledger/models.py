"""Tables of the books: vouchers, their lines, and the balances posting keeps.

A voucher belongs to one CBO and carries that CBO's ancestor ids, so scope
filtering works on the books exactly as on the registers. Its lines balance
to zero in integer paise (debits positive, credits negative). Only approved
vouchers move balances; an approved voucher is never changed again, only
reversed by another voucher that points back at it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, BigId, UtcDateTime, utc_now


class LoanStatus(StrEnum):
    PENDING = "pending"  # disbursement voucher awaiting approval
    ACTIVE = "active"
    CLOSED = "closed"  # repaid in full
    CANCELLED = "cancelled"  # disbursement rejected


class LoanSource(StrEnum):
    """Where an SHG's loan comes from: its own corpus (to a member) or a lender (to the group)."""

    SHG_CORPUS = "shg_corpus"  # an internal loan to one member
    VO_CIF = "vo_cif"  # Community Investment Fund through the VO
    CLF_CIF = "clf_cif"  # Community Investment Fund from the CLF
    BANK = "bank"  # bank linkage: a dose within a sanctioned limit


class VoucherStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


_STATUS = Enum(
    VoucherStatus,
    native_enum=False,
    length=16,
    validate_strings=True,
    values_callable=lambda members: [m.value for m in members],
)
LEDGER_ANCESTORS = [
    "state_id",
    "district_id",
    "block_id",
    "gp_id",
    "village_id",
    "clf_id",
    "vo_id",
    "shg_id",
]


class CboAncestors:
    """The ancestor ids of the CBO a row of the books belongs to, copied from that CBO,
    so the one scope filter covers the books as it covers the registers."""

    state_id: Mapped[int] = mapped_column(BigInteger)
    district_id: Mapped[int] = mapped_column(BigInteger)
    block_id: Mapped[int] = mapped_column(BigInteger)
    gp_id: Mapped[int | None] = mapped_column(BigInteger)
    village_id: Mapped[int | None] = mapped_column(BigInteger)
    clf_id: Mapped[int | None] = mapped_column(BigInteger)
    vo_id: Mapped[int | None] = mapped_column(BigInteger)


class Voucher(CboAncestors, Base):
    __tablename__ = "voucher"
    __table_args__ = (
        *(Index(f"ix_voucher_{col}_scan", col, "id") for col in LEDGER_ANCESTORS),
        Index("ix_voucher_cbo_date", "cbo_id", "voucher_date", "id"),
        # A CBO's drafts, which a new voucher's cash and bank are checked against.
        Index("ix_voucher_cbo_status", "cbo_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cbo_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    voucher_date: Mapped[date] = mapped_column(Date)
    narration: Mapped[str] = mapped_column(String(256))
    status: Mapped[VoucherStatus] = mapped_column(_STATUS)
    total_paise: Mapped[int] = mapped_column(BigInteger)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("voucher.id"), index=True)
    # Set on a loan's disbursement and repayment vouchers.
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"), index=True)
    # Set on the vouchers a meeting produced.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    # Vouchers that are one entry share its first voucher's id here and are
    # approved, rejected and reversed together (ledger.vouchers): the two
    # sides of money moving between two CBOs' books (a CIF loan, a fund
    # released down the chain), the vouchers of one cut-off.
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("voucher.id"), index=True)
    made_by: Mapped[str] = mapped_column(String(128))
    made_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    checked_by: Mapped[str | None] = mapped_column(String(128))
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(String(256))
    shg_id: Mapped[int | None] = mapped_column(BigInteger)


class VoucherLine(Base):
    __tablename__ = "voucher_line"
    __table_args__ = (
        Index("ix_voucher_line_voucher", "voucher_id"),
        Index("ix_voucher_line_member", "member_pk", "voucher_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id"))
    account: Mapped[str] = mapped_column(String(48))
    member_pk: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    # Debit positive, credit negative; a voucher's lines sum to zero.
    amount_paise: Mapped[int] = mapped_column(BigInteger)


class LedgerBalance(Base):
    """The running balance of one account (and member, for member accounts) of one CBO.

    Kept by posting, so a trial balance reads a handful of rows however long
    the history. ``member_pk`` is 0 for accounts without a member sub-ledger
    (0 rather than NULL, so the unique key holds on every database).
    """

    __tablename__ = "ledger_balance"
    __table_args__ = (UniqueConstraint("cbo_id", "account", "member_pk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cbo_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    account: Mapped[str] = mapped_column(String(48))
    member_pk: Mapped[int] = mapped_column(BigInteger)
    balance_paise: Mapped[int] = mapped_column(BigInteger)
    district_id: Mapped[int] = mapped_column(BigInteger)


class FundRelease(CboAncestors, Base):
    """A community fund (RF, CIF, VRF, CEF) released to a CBO, by the state mission or by
    the federation above it, as a grant: one voucher in each book it moves.

    The ancestors are the receiver's, which include the releasing federation's
    own id, so the one scope filter shows a release to both sides.
    """

    __tablename__ = "fund_release"
    __table_args__ = (
        Index("ix_fund_release_to", "to_cbo_id", "id"),
        Index("ix_fund_release_from", "from_cbo_id", "id"),
        *(
            Index(f"ix_fund_release_{col}_scan", col, "id")
            for col in ("state_id", "district_id", "block_id")
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fund: Mapped[str] = mapped_column(String(48))  # the fund's account code
    from_cbo_id: Mapped[int | None] = mapped_column(ForeignKey("cbo.id"))  # None: the mission
    to_cbo_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    amount_paise: Mapped[int] = mapped_column(BigInteger)
    released_on: Mapped[date] = mapped_column(Date)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id"))  # the receiver's
    created_by: Mapped[str] = mapped_column(String(128))
    shg_id: Mapped[int | None] = mapped_column(BigInteger)


_LOAN_STATUS = Enum(
    LoanStatus,
    native_enum=False,
    length=16,
    validate_strings=True,
    values_callable=lambda members: [m.value for m in members],
)


class Loan(CboAncestors, Base):
    """A loan of an SHG: from its corpus to one of its members, or to the group from its VO,
    its CLF (CIF) or a bank (bank linkage). The schedule, repayment split, overdue and
    days past due work the same for both; only the accounts differ."""

    __tablename__ = "loan"
    __table_args__ = (
        Index("ix_loan_cbo", "cbo_id", "id"),
        Index("ix_loan_member", "member_pk", "id"),
        *(
            Index(f"ix_loan_{col}_scan", col, "id")
            for col in ("state_id", "district_id", "block_id")
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cbo_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    member_pk: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    source: Mapped[str] = mapped_column(String(16), default=LoanSource.SHG_CORPUS.value)
    dose: Mapped[int | None] = mapped_column(BigInteger)  # bank linkage: 1st, 2nd … loan
    sanctioned_limit_paise: Mapped[int | None] = mapped_column(BigInteger)
    # A CIF loan's VO or CLF, fixed when it was lent (the group may join another VO later):
    # its repayments post in that lender's books too.
    lender_cbo_id: Mapped[int | None] = mapped_column(ForeignKey("cbo.id"))
    principal_paise: Mapped[int] = mapped_column(BigInteger)
    annual_rate_bp: Mapped[int] = mapped_column(BigInteger)
    months: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(16))
    disbursed_on: Mapped[date] = mapped_column(Date)
    first_due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[LoanStatus] = mapped_column(_LOAN_STATUS)
    disbursement_voucher_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(128))
    shg_id: Mapped[int | None] = mapped_column(BigInteger)


class LoanRepayment(Base):
    """A repayment as recorded, split into interest and principal when it was recorded."""

    __tablename__ = "loan_repayment"
    __table_args__ = (Index("ix_loan_repayment_loan", "loan_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"))
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id"))
    paid_on: Mapped[date] = mapped_column(Date)
    amount_paise: Mapped[int] = mapped_column(BigInteger)
    principal_paise: Mapped[int] = mapped_column(BigInteger)
    interest_paise: Mapped[int] = mapped_column(BigInteger)


class Meeting(CboAncestors, Base):
    """An SHG's meeting, recorded once and closed: its vouchers are one entry, corrected only
    by reversal. It is checked like a voucher (draft, then approved or rejected by someone
    other than its recorder), with its vouchers or alone when it moved no money. One meeting
    a day stands; a rejected or reversed one did not (ledger.meetings)."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_shg_day", "shg_id", "held_on"),
        Index("ix_meeting_shg", "shg_id", "id"),  # an SHG's meetings, paged
        *(
            Index(f"ix_meeting_{col}_scan", col, "id")
            for col in ("state_id", "district_id", "block_id")
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shg_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    held_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    status: Mapped[VoucherStatus] = mapped_column(
        _STATUS, default=VoucherStatus.DRAFT, server_default=VoucherStatus.DRAFT.value
    )
    checked_by: Mapped[str | None] = mapped_column(String(128))
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(String(256))


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_pk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    member_pk: Mapped[int] = mapped_column(ForeignKey("member.id"))
    present: Mapped[bool] = mapped_column(Boolean)
