"""cbo.cut_off_on: the date a group's paper books came onto the platform

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cbo', sa.Column('cut_off_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cbo') as batch:
        batch.drop_column('cut_off_on')
