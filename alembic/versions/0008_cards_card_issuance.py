"""Issued ID cards: each card's jti, expiry and revocation, so an exit revokes her cards

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'card_issuance',
        sa.Column('id', _ID, nullable=False),
        sa.Column('jti', sa.String(length=32), nullable=False),
        sa.Column('member_pk', _ID, nullable=False),
        sa.Column('shg_id', _ID, nullable=False),
        sa.Column('issued_by', sa.String(length=128), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_reason', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['member_pk'], ['member.id'], name=op.f('fk_card_issuance_member_pk_member')),
        sa.ForeignKeyConstraint(['shg_id'], ['cbo.id'], name=op.f('fk_card_issuance_shg_id_cbo')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_card_issuance')),
        sa.UniqueConstraint('jti', name=op.f('uq_card_issuance_jti')),
    )
    op.create_index('ix_card_issuance_member', 'card_issuance', ['member_pk'])
    op.create_index(
        'ix_card_issuance_revoked',
        'card_issuance',
        ['expires_at'],
        sqlite_where=sa.text('revoked_at IS NOT NULL'),
        postgresql_where=sa.text('revoked_at IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_table('card_issuance')
