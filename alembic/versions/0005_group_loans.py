"""group loans: CIF and bank-linkage loans to an SHG beside internal loans

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:25:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite alters a column's nullability only by rebuilding the table: batch mode.
    with op.batch_alter_table('loan') as batch:
        batch.alter_column(
            'member_pk', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True
        )
        batch.add_column(
            sa.Column('source', sa.String(length=16), nullable=False, server_default='shg_corpus')
        )
        batch.add_column(sa.Column('dose', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('sanctioned_limit_paise', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('loan') as batch:
        batch.drop_column('sanctioned_limit_paise')
        batch.drop_column('dose')
        batch.drop_column('source')
        batch.alter_column(
            'member_pk', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False
        )
