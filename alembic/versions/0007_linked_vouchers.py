"""voucher entries and fund releases: vouchers checked as one, funds down the chain,
a CIF loan's lender, the entry that loaded a cut-off

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # SQLite adds a foreign key only by rebuilding the table: batch mode.
    with op.batch_alter_table('voucher') as batch:
        batch.add_column(sa.Column('entry_id', _ID, nullable=True))
        batch.create_foreign_key(batch.f('fk_voucher_entry_id_voucher'), 'voucher', ['entry_id'], ['id'])
        batch.create_index(batch.f('ix_voucher_entry_id'), ['entry_id'], unique=False)
    with op.batch_alter_table('loan') as batch:
        batch.add_column(sa.Column('lender_cbo_id', _ID, nullable=True))
        batch.create_foreign_key(batch.f('fk_loan_lender_cbo_id_cbo'), 'cbo', ['lender_cbo_id'], ['id'])
    op.add_column('cbo', sa.Column('cut_off_entry_id', sa.BigInteger(), nullable=True))
    op.create_table(
        'fund_release',
        sa.Column('id', _ID, nullable=False),
        sa.Column('fund', sa.String(length=48), nullable=False),
        sa.Column('from_cbo_id', _ID, nullable=True),
        sa.Column('to_cbo_id', _ID, nullable=False),
        sa.Column('amount_paise', sa.BigInteger(), nullable=False),
        sa.Column('released_on', sa.Date(), nullable=False),
        sa.Column('voucher_id', _ID, nullable=False),
        sa.Column('created_by', sa.String(length=128), nullable=False),
        sa.Column('shg_id', sa.BigInteger(), nullable=True),
        sa.Column('state_id', sa.BigInteger(), nullable=False),
        sa.Column('district_id', sa.BigInteger(), nullable=False),
        sa.Column('block_id', sa.BigInteger(), nullable=False),
        sa.Column('gp_id', sa.BigInteger(), nullable=True),
        sa.Column('village_id', sa.BigInteger(), nullable=True),
        sa.Column('clf_id', sa.BigInteger(), nullable=True),
        sa.Column('vo_id', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['from_cbo_id'], ['cbo.id'], name=op.f('fk_fund_release_from_cbo_id_cbo')),
        sa.ForeignKeyConstraint(['to_cbo_id'], ['cbo.id'], name=op.f('fk_fund_release_to_cbo_id_cbo')),
        sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_fund_release_voucher_id_voucher')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_release')),
    )
    op.create_index('ix_fund_release_to', 'fund_release', ['to_cbo_id', 'id'])
    op.create_index('ix_fund_release_from', 'fund_release', ['from_cbo_id', 'id'])
    for column in ('state_id', 'district_id', 'block_id'):
        op.create_index(f'ix_fund_release_{column}_scan', 'fund_release', [column, 'id'])


def downgrade() -> None:
    op.drop_table('fund_release')
    with op.batch_alter_table('cbo') as batch:
        batch.drop_column('cut_off_entry_id')
    with op.batch_alter_table('loan') as batch:
        batch.drop_constraint('fk_loan_lender_cbo_id_cbo', type_='foreignkey')
        batch.drop_column('lender_cbo_id')
    with op.batch_alter_table('voucher') as batch:
        batch.drop_index('ix_voucher_entry_id')
        batch.drop_constraint('fk_voucher_entry_id_voucher', type_='foreignkey')
        batch.drop_column('entry_id')
