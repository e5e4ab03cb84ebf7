"""an SHG's meeting frequency; a rejected meeting no longer holds its day; a CBO's drafts
by index (a new voucher's cash and bank are checked against them)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cbo') as batch:
        batch.add_column(
            sa.Column('meeting_frequency', sa.Enum('weekly', 'fortnightly', 'monthly',
                      name='meetingfrequency', native_enum=False, length=16),
                      server_default='weekly', nullable=False)
        )
    # One meeting a day that stands is kept by ledger.meetings under the SHG's lock: a
    # rejected meeting stays on record, and the day can be recorded again.
    with op.batch_alter_table('meeting') as batch:
        batch.drop_constraint('uq_meeting_shg_id_held_on', type_='unique')
        batch.create_index('ix_meeting_shg_day', ['shg_id', 'held_on'], unique=False)
    op.create_index('ix_voucher_cbo_status', 'voucher', ['cbo_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_voucher_cbo_status', table_name='voucher')
    with op.batch_alter_table('meeting') as batch:
        batch.drop_index('ix_meeting_shg_day')
        batch.create_unique_constraint('uq_meeting_shg_id_held_on', ['shg_id', 'held_on'])
    with op.batch_alter_table('cbo') as batch:
        batch.drop_column('meeting_frequency')
