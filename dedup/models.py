"""Tables of the dedup engine: members' blocking keys and the review queue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, BigId, UtcDateTime, string_enum, utc_now


class MatchKey(Base):
    """One blocking key of one member (:mod:`dedup.blocking`), indexed for candidate lookup.

    Derived from her profile and rewritten whenever it changes, like an
    index: the profile and the audit log hold the history.
    """

    __tablename__ = "match_key"
    __table_args__ = (Index("ix_match_key_key", "key", "member_pk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_pk: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    key: Mapped[str] = mapped_column(String(96))
    district_id: Mapped[int] = mapped_column(BigInteger)


class CandidateStatus(StrEnum):
    OPEN = "open"
    DUPLICATE = "duplicate"
    NOT_DUPLICATE = "not_duplicate"


class FoundBy(StrEnum):
    ENROLMENT = "enrolment"
    SWEEP = "sweep"
    # The digit sweep (dedup.digit_sweep): a member whose numbers were typed in another script.
    DIGIT_REPAIR = "digit_repair"


class DuplicateCandidate(Base):
    """A pair of members who may be one woman, waiting for (or holding) a reviewer's decision.

    ``member_a_pk`` is the earlier membership, ``member_b_pk`` the later
    one, which a DUPLICATE decision ends. One row per pair, ever: a
    NOT_DUPLICATE decision stays and the pair is never raised again. The
    ancestor ids are the later member's, and follow her when she transfers
    (:func:`dedup.online.follow_transfer`), so a reviewer sees the pairs whose
    later membership is in scope, and only while it is.
    """

    __tablename__ = "duplicate_candidate"
    __table_args__ = (
        UniqueConstraint("member_a_pk", "member_b_pk"),
        *(
            Index(f"ix_duplicate_candidate_{col}_scan", col, "status", "id")
            for col in (
                "state_id",
                "district_id",
                "block_id",
                "gp_id",
                "village_id",
                "clf_id",
                "vo_id",
                "shg_id",
            )
        ),
        Index("ix_duplicate_candidate_status_scan", "status", "id"),
        Index("ix_duplicate_candidate_member_b", "member_b_pk", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_a_pk: Mapped[int] = mapped_column(ForeignKey("member.id"))
    member_b_pk: Mapped[int] = mapped_column(ForeignKey("member.id"))
    probability: Mapped[float] = mapped_column(Float)
    # Per comparison: {"field": ..., "level": ..., "weight": ...}; no values, so no PII.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[CandidateStatus] = mapped_column(string_enum(CandidateStatus))
    found_by: Mapped[FoundBy] = mapped_column(string_enum(FoundBy))
    found_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(String(512))
    state_id: Mapped[int] = mapped_column(BigInteger)
    district_id: Mapped[int] = mapped_column(BigInteger)
    block_id: Mapped[int] = mapped_column(BigInteger)
    gp_id: Mapped[int] = mapped_column(BigInteger)
    village_id: Mapped[int] = mapped_column(BigInteger)
    clf_id: Mapped[int | None] = mapped_column(BigInteger)
    vo_id: Mapped[int | None] = mapped_column(BigInteger)
    shg_id: Mapped[int] = mapped_column(BigInteger)
