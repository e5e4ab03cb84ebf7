"""Tables of identity: the nationwide Aadhaar registry, consents and issued ID cards.

The registry holds one row per membership that gave an Aadhaar number: its
keyed token (never the number) and whether that membership is active. A
unique index over the tokens of active rows is the hard guarantee of one
active membership per Aadhaar nationwide, held by the database itself under
concurrent enrolments. It is its own table so that, on Citus, it can be
distributed by the token while members are distributed by district.

Every signed ID card is recorded by its ``jti`` (never its contents) with its
expiry, so that a membership's end can revoke the cards she still holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, BigId, UtcDateTime, utc_now

TOKEN_LENGTH = 80


class AadhaarRegistration(Base):
    __tablename__ = "aadhaar_registration"
    __table_args__ = (
        Index(
            "uq_aadhaar_registration_active_token",
            "token",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_aadhaar_registration_member", "member_pk"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH))
    member_pk: Mapped[int] = mapped_column(ForeignKey("member.id"))
    active: Mapped[bool] = mapped_column(Boolean)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Consent(Base):
    """A member's consent to share eligibility facts with one named scheme."""

    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_member_scheme", "member_pk", "scheme"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_pk: Mapped[int] = mapped_column(ForeignKey("member.id"))
    scheme: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(256))
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    given_by: Mapped[str] = mapped_column(String(128))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(128))


class CardIssuance(Base):
    """One signed ID card: who it was for, until when it is valid, and whether it was revoked."""

    __tablename__ = "card_issuance"
    __table_args__ = (
        Index("ix_card_issuance_member", "member_pk"),
        # The revocation list: revoked cards that have not yet expired of themselves.
        Index(
            "ix_card_issuance_revoked",
            "expires_at",
            sqlite_where=text("revoked_at IS NOT NULL"),
            postgresql_where=text("revoked_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jti: Mapped[str] = mapped_column(String(32), unique=True)
    member_pk: Mapped[int] = mapped_column(ForeignKey("member.id"))
    shg_id: Mapped[int] = mapped_column(ForeignKey("cbo.id"))
    issued_by: Mapped[str] = mapped_column(String(128))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
