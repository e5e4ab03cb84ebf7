"""Identity: the Aadhaar registry, bank tokens, membership periods and consent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 02:15:41.473866
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('aadhaar_registration',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('token', sa.String(length=80), nullable=False),
    sa.Column('member_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], name=op.f('fk_aadhaar_registration_member_pk_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aadhaar_registration'))
    )
    with op.batch_alter_table('aadhaar_registration', schema=None) as batch_op:
        batch_op.create_index('ix_aadhaar_registration_member', ['member_pk'], unique=False)
        batch_op.create_index('uq_aadhaar_registration_active_token', ['token'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.create_table('consent',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scheme', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=256), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('given_by', sa.String(length=128), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], name=op.f('fk_consent_member_pk_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index('ix_consent_member_scheme', ['member_pk', 'scheme'], unique=False)

    op.create_table('membership_period',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shg_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('left_reason', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], name=op.f('fk_membership_period_member_pk_member')),
    sa.ForeignKeyConstraint(['shg_id'], ['cbo.id'], name=op.f('fk_membership_period_shg_id_cbo')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_period'))
    )
    with op.batch_alter_table('membership_period', schema=None) as batch_op:
        batch_op.create_index('ix_membership_period_member', ['member_pk', 'joined_on'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aadhaar_last4', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('bank_token', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('bank_last4', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('bank_ifsc', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('exit_reason', sa.String(length=256), nullable=True))
        batch_op.create_index(batch_op.f('ix_member_bank_token'), ['bank_token'], unique=False)

    # Every existing member has been in her SHG since she joined.
    op.execute(
        "INSERT INTO membership_period (member_pk, shg_id, joined_on, left_on, left_reason) "
        "SELECT id, shg_id, joined_on, exited_on, NULL FROM member"
    )


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_bank_token'))
        batch_op.drop_column('exit_reason')
        batch_op.drop_column('bank_ifsc')
        batch_op.drop_column('bank_last4')
        batch_op.drop_column('bank_token')
        batch_op.drop_column('aadhaar_last4')

    with op.batch_alter_table('membership_period', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_period_member')

    op.drop_table('membership_period')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_member_scheme')

    op.drop_table('consent')
    with op.batch_alter_table('aadhaar_registration', schema=None) as batch_op:
        batch_op.drop_index('uq_aadhaar_registration_active_token', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))
        batch_op.drop_index('ix_aadhaar_registration_member')

    op.drop_table('aadhaar_registration')
