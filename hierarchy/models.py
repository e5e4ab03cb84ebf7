"""Tables of the hierarchy: geo units, community-based organisations (CBOs) and members.

Both hierarchies have a fixed depth, so every row carries the ids of all its
ancestors, itself included (a block row has ``block_id`` = its own id). A scope
check is then one indexed equality on one column, the same on SQLite and
PostgreSQL, and a subtree is one index range.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, BigId, UtcDateTime, string_enum, utc_now


class GeoLevel(StrEnum):
    STATE = "state"
    DISTRICT = "district"
    BLOCK = "block"
    GRAM_PANCHAYAT = "gram_panchayat"
    VILLAGE = "village"

    @property
    def column(self) -> str:
        """The ancestor column that holds a unit of this level."""
        return ANCESTOR_COLUMN[self]

    @property
    def parent(self) -> GeoLevel | None:
        index = GEO_LEVELS.index(self)
        return GEO_LEVELS[index - 1] if index else None

    @property
    def child(self) -> GeoLevel | None:
        index = GEO_LEVELS.index(self)
        return GEO_LEVELS[index + 1] if index + 1 < len(GEO_LEVELS) else None


GEO_LEVELS = list(GeoLevel)


class CboKind(StrEnum):
    CLF = "clf"
    VO = "vo"
    SHG = "shg"

    @property
    def column(self) -> str:
        return ANCESTOR_COLUMN[self]


ANCESTOR_COLUMN: dict[GeoLevel | CboKind, str] = {
    GeoLevel.STATE: "state_id",
    GeoLevel.DISTRICT: "district_id",
    GeoLevel.BLOCK: "block_id",
    GeoLevel.GRAM_PANCHAYAT: "gp_id",
    GeoLevel.VILLAGE: "village_id",
    CboKind.CLF: "clf_id",
    CboKind.VO: "vo_id",
    CboKind.SHG: "shg_id",
}
GEO_COLUMNS = [level.column for level in GEO_LEVELS]

# Where each kind of CBO sits in the geography.
CBO_GEO_LEVEL = {
    CboKind.CLF: GeoLevel.BLOCK,
    CboKind.VO: GeoLevel.GRAM_PANCHAYAT,
    CboKind.SHG: GeoLevel.VILLAGE,
}
# Which kind of CBO each kind federates into.
CBO_PARENT_KIND = {CboKind.VO: CboKind.CLF, CboKind.SHG: CboKind.VO}


class CboStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    CLOSED = "closed"


class MeetingFrequency(StrEnum):
    """How often an SHG has agreed to meet: its meetings are judged against this."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    # Held at enrolment as a possible duplicate: she cannot transact until
    # a reviewer clears her (dedup.review).
    PENDING = "pending"
    EXITED = "exited"


class Relation(StrEnum):
    HUSBAND = "husband"
    FATHER = "father"
    MOTHER = "mother"
    OTHER = "other"


class Gender(StrEnum):
    F = "F"
    M = "M"
    T = "T"


class SocialCategory(StrEnum):
    SC = "sc"
    ST = "st"
    OBC = "obc"
    MINORITY = "minority"
    GENERAL = "general"
    OTHER = "other"


_enum = string_enum


def _ancestor_indexes(table: str, columns: list[str], *lead: str) -> tuple[Index, ...]:
    """Index ``(ancestor, [lead...], id)`` for every ancestor column.

    One equality on the ancestor then walks the index in id order, which is
    what keyset pagination asks for.
    """
    return tuple(Index(f"ix_{table}_{col}_scan", col, *lead, "id") for col in columns)


class GeoUnit(Base):
    """A state, district, block, gram panchayat or village."""

    __tablename__ = "geo_unit"
    __table_args__ = (
        *_ancestor_indexes("geo_unit", GEO_COLUMNS),
        Index("ix_geo_unit_parent_scan", "parent_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    level: Mapped[GeoLevel] = mapped_column(_enum(GeoLevel))
    # Platform-wide unique: the LGD code qualified by level (LGD codes repeat across levels).
    code: Mapped[str] = mapped_column(String(32), unique=True)
    lgd_code: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("geo_unit.id"))
    state_id: Mapped[int | None] = mapped_column(BigInteger)
    district_id: Mapped[int | None] = mapped_column(BigInteger)
    block_id: Mapped[int | None] = mapped_column(BigInteger)
    gp_id: Mapped[int | None] = mapped_column(BigInteger)
    village_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class Cbo(Base):
    """A community-based organisation: a CLF (per block), a VO (per GP) or an SHG (per village).

    Created as a draft, approved by a second person, later closed; the row
    keeps who did each step and the audit log keeps the history.
    """

    __tablename__ = "cbo"
    __table_args__ = (
        *_ancestor_indexes("cbo", [*GEO_COLUMNS, "clf_id", "vo_id", "shg_id"], "kind"),
        Index("ix_cbo_parent_scan", "parent_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[CboKind] = mapped_column(_enum(CboKind, 8))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    status: Mapped[CboStatus] = mapped_column(_enum(CboStatus))
    formed_on: Mapped[date] = mapped_column(Date)
    # The date its paper books were brought onto the platform (ledger.cutoff):
    # its books start there, so no voucher is dated before it.
    cut_off_on: Mapped[date | None] = mapped_column(Date)
    # The voucher entry that loaded it (ledger.cutoff): rejecting that entry undoes the
    # cut-off, so the CBO can record it again.
    cut_off_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    geo_unit_id: Mapped[int] = mapped_column(ForeignKey("geo_unit.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cbo.id"))
    state_id: Mapped[int] = mapped_column(BigInteger)
    district_id: Mapped[int] = mapped_column(BigInteger)
    block_id: Mapped[int] = mapped_column(BigInteger)
    gp_id: Mapped[int | None] = mapped_column(BigInteger)
    village_id: Mapped[int | None] = mapped_column(BigInteger)
    clf_id: Mapped[int | None] = mapped_column(BigInteger)
    vo_id: Mapped[int | None] = mapped_column(BigInteger)
    shg_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(128))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(256))
    # An SHG's agreed rhythm of meetings (ledger.grading); federations keep the default.
    meeting_frequency: Mapped[MeetingFrequency] = mapped_column(
        _enum(MeetingFrequency), default=MeetingFrequency.WEEKLY, server_default="weekly"
    )


class Member(Base):
    """A woman's membership of one SHG, with her basic profile."""

    __tablename__ = "member"
    __table_args__ = _ancestor_indexes("member", [*GEO_COLUMNS, "clf_id", "vo_id", "shg_id"])

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The digital member ID: random, check-digited, never reused.
    member_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    relative_name: Mapped[str | None] = mapped_column(String(128))
    relation: Mapped[Relation | None] = mapped_column(_enum(Relation))
    gender: Mapped[Gender] = mapped_column(_enum(Gender, 1))
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    mobile: Mapped[str | None] = mapped_column(String(10))
    # Identity numbers are never stored: the Aadhaar token lives in the
    # registry (identity.models); here only the last four digits, for display.
    aadhaar_last4: Mapped[str | None] = mapped_column(String(4))
    bank_token: Mapped[str | None] = mapped_column(String(80), index=True)
    bank_last4: Mapped[str | None] = mapped_column(String(4))
    bank_ifsc: Mapped[str | None] = mapped_column(String(11))
    social_category: Mapped[SocialCategory | None] = mapped_column(_enum(SocialCategory))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus))
    joined_on: Mapped[date] = mapped_column(Date)
    exited_on: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(256))
    shg_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    vo_id: Mapped[int | None] = mapped_column(BigInteger)
    clf_id: Mapped[int | None] = mapped_column(BigInteger)
    state_id: Mapped[int] = mapped_column(BigInteger)
    district_id: Mapped[int] = mapped_column(BigInteger)
    block_id: Mapped[int] = mapped_column(BigInteger)
    gp_id: Mapped[int] = mapped_column(BigInteger)
    village_id: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class MembershipPeriod(Base):
    """One stretch of a member's time in one SHG; a transfer closes one and opens the next."""

    __tablename__ = "membership_period"
    __table_args__ = (Index("ix_membership_period_member", "member_pk", "joined_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_pk: Mapped[int] = mapped_column(ForeignKey("member.id"))
    shg_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(String(256))
