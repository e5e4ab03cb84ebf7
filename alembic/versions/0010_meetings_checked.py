"""a meeting is checked like a voucher: its own status, checker and reason, so one that
moved no money waits for a second person too; an SHG's meetings by id, for the list

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# A meeting with vouchers was checked when they were (they go as one entry): it takes
# their status and checker. One without vouchers was never checked by anyone, so it
# stays a draft for a checker; marking it approved here would make this migration its
# checker.
_FROM_VOUCHERS = """
UPDATE meeting SET
    status = :status,
    checked_by = (SELECT v.checked_by FROM voucher v WHERE v.meeting_id = meeting.id
                  ORDER BY v.id LIMIT 1),
    checked_at = (SELECT v.checked_at FROM voucher v WHERE v.meeting_id = meeting.id
                  ORDER BY v.id LIMIT 1),
    rejection_reason = (SELECT v.rejection_reason FROM voucher v
                        WHERE v.meeting_id = meeting.id ORDER BY v.id LIMIT 1)
WHERE EXISTS (SELECT 1 FROM voucher v WHERE v.meeting_id = meeting.id AND v.status = :status)
"""


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: SQLite rebuilds a table in batch mode, and the
    # meeting table has rows pointing at it (attendance, vouchers) that a rebuild would
    # trip over. The status keeps its server default, which the model declares too.
    op.add_column(
        "meeting",
        sa.Column(
            "status",
            sa.Enum(
                "draft", "approved", "rejected", name="voucherstatus", native_enum=False, length=16
            ),
            server_default="draft",
            nullable=False,
        ),
    )
    op.add_column("meeting", sa.Column("checked_by", sa.String(length=128), nullable=True))
    op.add_column("meeting", sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("meeting", sa.Column("rejection_reason", sa.String(length=256), nullable=True))
    op.create_index("ix_meeting_shg", "meeting", ["shg_id", "id"], unique=False)
    for status in ("approved", "rejected"):
        op.execute(sa.text(_FROM_VOUCHERS).bindparams(status=status))


def downgrade() -> None:
    op.drop_index("ix_meeting_shg", table_name="meeting")
    for column in ("rejection_reason", "checked_at", "checked_by", "status"):
        op.drop_column("meeting", column)
