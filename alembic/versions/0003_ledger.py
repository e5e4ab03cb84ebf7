"""Ledger: vouchers, lines, posted balances, internal loans and repayments, meetings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:02:15.168242
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_balance',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cbo_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account', sa.String(length=48), nullable=False),
    sa.Column('member_pk', sa.BigInteger(), nullable=False),
    sa.Column('balance_paise', sa.BigInteger(), nullable=False),
    sa.Column('district_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cbo_id'], ['cbo.id'], name=op.f('fk_ledger_balance_cbo_id_cbo')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_balance')),
    sa.UniqueConstraint('cbo_id', 'account', 'member_pk', name=op.f('uq_ledger_balance_cbo_id_account_member_pk'))
    )
    op.create_table('meeting',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shg_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=128), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state_id', sa.BigInteger(), nullable=False),
    sa.Column('district_id', sa.BigInteger(), nullable=False),
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('gp_id', sa.BigInteger(), nullable=True),
    sa.Column('village_id', sa.BigInteger(), nullable=True),
    sa.Column('clf_id', sa.BigInteger(), nullable=True),
    sa.Column('vo_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['shg_id'], ['cbo.id'], name=op.f('fk_meeting_shg_id_cbo')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('shg_id', 'held_on', name=op.f('uq_meeting_shg_id_held_on'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_block_id_scan', ['block_id', 'id'], unique=False)
        batch_op.create_index('ix_meeting_district_id_scan', ['district_id', 'id'], unique=False)
        batch_op.create_index('ix_meeting_state_id_scan', ['state_id', 'id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('meeting_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_attendance_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], name=op.f('fk_attendance_member_pk_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_pk', name=op.f('uq_attendance_meeting_id_member_pk'))
    )
    op.create_table('loan',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cbo_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('principal_paise', sa.BigInteger(), nullable=False),
    sa.Column('annual_rate_bp', sa.BigInteger(), nullable=False),
    sa.Column('months', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('disbursed_on', sa.Date(), nullable=False),
    sa.Column('first_due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'active', 'closed', 'cancelled', name='loanstatus', native_enum=False, length=16), nullable=False),
    sa.Column('disbursement_voucher_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('state_id', sa.BigInteger(), nullable=False),
    sa.Column('district_id', sa.BigInteger(), nullable=False),
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('gp_id', sa.BigInteger(), nullable=True),
    sa.Column('village_id', sa.BigInteger(), nullable=True),
    sa.Column('clf_id', sa.BigInteger(), nullable=True),
    sa.Column('vo_id', sa.BigInteger(), nullable=True),
    sa.Column('shg_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['cbo_id'], ['cbo.id'], name=op.f('fk_loan_cbo_id_cbo')),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], name=op.f('fk_loan_member_pk_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan'))
    )
    with op.batch_alter_table('loan', schema=None) as batch_op:
        batch_op.create_index('ix_loan_block_id_scan', ['block_id', 'id'], unique=False)
        batch_op.create_index('ix_loan_cbo', ['cbo_id', 'id'], unique=False)
        batch_op.create_index('ix_loan_district_id_scan', ['district_id', 'id'], unique=False)
        batch_op.create_index('ix_loan_member', ['member_pk', 'id'], unique=False)
        batch_op.create_index('ix_loan_state_id_scan', ['state_id', 'id'], unique=False)

    op.create_table('voucher',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cbo_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('voucher_date', sa.Date(), nullable=False),
    sa.Column('narration', sa.String(length=256), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'rejected', name='voucherstatus', native_enum=False, length=16), nullable=False),
    sa.Column('total_paise', sa.BigInteger(), nullable=False),
    sa.Column('reverses_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('loan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('meeting_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('made_by', sa.String(length=128), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_by', sa.String(length=128), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.String(length=256), nullable=True),
    sa.Column('state_id', sa.BigInteger(), nullable=False),
    sa.Column('district_id', sa.BigInteger(), nullable=False),
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('gp_id', sa.BigInteger(), nullable=True),
    sa.Column('village_id', sa.BigInteger(), nullable=True),
    sa.Column('clf_id', sa.BigInteger(), nullable=True),
    sa.Column('vo_id', sa.BigInteger(), nullable=True),
    sa.Column('shg_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['cbo_id'], ['cbo.id'], name=op.f('fk_voucher_cbo_id_cbo')),
    sa.ForeignKeyConstraint(['loan_id'], ['loan.id'], name=op.f('fk_voucher_loan_id_loan')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_voucher_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['reverses_id'], ['voucher.id'], name=op.f('fk_voucher_reverses_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher'))
    )
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.create_index('ix_voucher_block_id_scan', ['block_id', 'id'], unique=False)
        batch_op.create_index('ix_voucher_cbo_date', ['cbo_id', 'voucher_date', 'id'], unique=False)
        batch_op.create_index('ix_voucher_clf_id_scan', ['clf_id', 'id'], unique=False)
        batch_op.create_index('ix_voucher_district_id_scan', ['district_id', 'id'], unique=False)
        batch_op.create_index('ix_voucher_gp_id_scan', ['gp_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_loan_id'), ['loan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_reverses_id'), ['reverses_id'], unique=False)
        batch_op.create_index('ix_voucher_shg_id_scan', ['shg_id', 'id'], unique=False)
        batch_op.create_index('ix_voucher_state_id_scan', ['state_id', 'id'], unique=False)
        batch_op.create_index('ix_voucher_village_id_scan', ['village_id', 'id'], unique=False)
        batch_op.create_index('ix_voucher_vo_id_scan', ['vo_id', 'id'], unique=False)

    op.create_table('loan_repayment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('loan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('voucher_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_paise', sa.BigInteger(), nullable=False),
    sa.Column('principal_paise', sa.BigInteger(), nullable=False),
    sa.Column('interest_paise', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loan.id'], name=op.f('fk_loan_repayment_loan_id_loan')),
    sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_loan_repayment_voucher_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_repayment'))
    )
    with op.batch_alter_table('loan_repayment', schema=None) as batch_op:
        batch_op.create_index('ix_loan_repayment_loan', ['loan_id', 'id'], unique=False)

    op.create_table('voucher_line',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('voucher_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account', sa.String(length=48), nullable=False),
    sa.Column('member_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('amount_paise', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], name=op.f('fk_voucher_line_member_pk_member')),
    sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_voucher_line_voucher_id_voucher')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_line'))
    )
    with op.batch_alter_table('voucher_line', schema=None) as batch_op:
        batch_op.create_index('ix_voucher_line_member', ['member_pk', 'voucher_id'], unique=False)
        batch_op.create_index('ix_voucher_line_voucher', ['voucher_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('voucher_line', schema=None) as batch_op:
        batch_op.drop_index('ix_voucher_line_voucher')
        batch_op.drop_index('ix_voucher_line_member')

    op.drop_table('voucher_line')
    with op.batch_alter_table('loan_repayment', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_repayment_loan')

    op.drop_table('loan_repayment')
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_index('ix_voucher_vo_id_scan')
        batch_op.drop_index('ix_voucher_village_id_scan')
        batch_op.drop_index('ix_voucher_state_id_scan')
        batch_op.drop_index('ix_voucher_shg_id_scan')
        batch_op.drop_index(batch_op.f('ix_voucher_reverses_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_loan_id'))
        batch_op.drop_index('ix_voucher_gp_id_scan')
        batch_op.drop_index('ix_voucher_district_id_scan')
        batch_op.drop_index('ix_voucher_clf_id_scan')
        batch_op.drop_index('ix_voucher_cbo_date')
        batch_op.drop_index('ix_voucher_block_id_scan')

    op.drop_table('voucher')
    with op.batch_alter_table('loan', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_state_id_scan')
        batch_op.drop_index('ix_loan_member')
        batch_op.drop_index('ix_loan_district_id_scan')
        batch_op.drop_index('ix_loan_cbo')
        batch_op.drop_index('ix_loan_block_id_scan')

    op.drop_table('loan')
    op.drop_table('attendance')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_state_id_scan')
        batch_op.drop_index('ix_meeting_district_id_scan')
        batch_op.drop_index('ix_meeting_block_id_scan')

    op.drop_table('meeting')
    op.drop_table('ledger_balance')
