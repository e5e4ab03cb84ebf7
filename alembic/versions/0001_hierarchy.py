"""Hierarchy (geo units, CBOs, members), audit log and idempotency records.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:48:38.523954
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_entity_type_audit_event_entity_id'), ['entity_type', 'entity_id'], unique=False)

    op.create_table('geo_unit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('level', sa.Enum('state', 'district', 'block', 'gram_panchayat', 'village', name='geolevel', native_enum=False, length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('lgd_code', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('state_id', sa.BigInteger(), nullable=True),
    sa.Column('district_id', sa.BigInteger(), nullable=True),
    sa.Column('block_id', sa.BigInteger(), nullable=True),
    sa.Column('gp_id', sa.BigInteger(), nullable=True),
    sa.Column('village_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['geo_unit.id'], name=op.f('fk_geo_unit_parent_id_geo_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_geo_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_geo_unit_code'))
    )
    with op.batch_alter_table('geo_unit', schema=None) as batch_op:
        batch_op.create_index('ix_geo_unit_block_id_scan', ['block_id', 'id'], unique=False)
        batch_op.create_index('ix_geo_unit_district_id_scan', ['district_id', 'id'], unique=False)
        batch_op.create_index('ix_geo_unit_gp_id_scan', ['gp_id', 'id'], unique=False)
        batch_op.create_index('ix_geo_unit_parent_scan', ['parent_id', 'id'], unique=False)
        batch_op.create_index('ix_geo_unit_state_id_scan', ['state_id', 'id'], unique=False)
        batch_op.create_index('ix_geo_unit_village_id_scan', ['village_id', 'id'], unique=False)

    op.create_table('idempotency_record',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject', sa.String(length=128), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('operation', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('result_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('subject', 'key', name=op.f('uq_idempotency_record_subject_key'))
    )
    op.create_table('cbo',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.Enum('clf', 'vo', 'shg', name='cbokind', native_enum=False, length=8), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'closed', name='cbostatus', native_enum=False, length=16), nullable=False),
    sa.Column('formed_on', sa.Date(), nullable=False),
    sa.Column('geo_unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('state_id', sa.BigInteger(), nullable=False),
    sa.Column('district_id', sa.BigInteger(), nullable=False),
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('gp_id', sa.BigInteger(), nullable=True),
    sa.Column('village_id', sa.BigInteger(), nullable=True),
    sa.Column('clf_id', sa.BigInteger(), nullable=True),
    sa.Column('vo_id', sa.BigInteger(), nullable=True),
    sa.Column('shg_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=128), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=128), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['geo_unit_id'], ['geo_unit.id'], name=op.f('fk_cbo_geo_unit_id_geo_unit')),
    sa.ForeignKeyConstraint(['parent_id'], ['cbo.id'], name=op.f('fk_cbo_parent_id_cbo')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cbo')),
    sa.UniqueConstraint('code', name=op.f('uq_cbo_code'))
    )
    with op.batch_alter_table('cbo', schema=None) as batch_op:
        batch_op.create_index('ix_cbo_block_id_scan', ['block_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_cbo_clf_id_scan', ['clf_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_cbo_district_id_scan', ['district_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_cbo_gp_id_scan', ['gp_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_cbo_parent_scan', ['parent_id', 'id'], unique=False)
        batch_op.create_index('ix_cbo_shg_id_scan', ['shg_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_cbo_state_id_scan', ['state_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_cbo_village_id_scan', ['village_id', 'kind', 'id'], unique=False)
        batch_op.create_index('ix_cbo_vo_id_scan', ['vo_id', 'kind', 'id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('relative_name', sa.String(length=128), nullable=True),
    sa.Column('relation', sa.Enum('husband', 'father', 'mother', 'other', name='relation', native_enum=False, length=16), nullable=True),
    sa.Column('gender', sa.Enum('F', 'M', 'T', name='gender', native_enum=False), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('mobile', sa.String(length=10), nullable=True),
    sa.Column('social_category', sa.Enum('sc', 'st', 'obc', 'minority', 'general', 'other', name='socialcategory', native_enum=False, length=16), nullable=True),
    sa.Column('status', sa.Enum('active', 'exited', name='memberstatus', native_enum=False, length=16), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('exited_on', sa.Date(), nullable=True),
    sa.Column('shg_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('vo_id', sa.BigInteger(), nullable=True),
    sa.Column('clf_id', sa.BigInteger(), nullable=True),
    sa.Column('state_id', sa.BigInteger(), nullable=False),
    sa.Column('district_id', sa.BigInteger(), nullable=False),
    sa.Column('block_id', sa.BigInteger(), nullable=False),
    sa.Column('gp_id', sa.BigInteger(), nullable=False),
    sa.Column('village_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shg_id'], ['cbo.id'], name=op.f('fk_member_shg_id_cbo')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('member_id', name=op.f('uq_member_member_id'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_block_id_scan', ['block_id', 'id'], unique=False)
        batch_op.create_index('ix_member_clf_id_scan', ['clf_id', 'id'], unique=False)
        batch_op.create_index('ix_member_district_id_scan', ['district_id', 'id'], unique=False)
        batch_op.create_index('ix_member_gp_id_scan', ['gp_id', 'id'], unique=False)
        batch_op.create_index('ix_member_shg_id_scan', ['shg_id', 'id'], unique=False)
        batch_op.create_index('ix_member_state_id_scan', ['state_id', 'id'], unique=False)
        batch_op.create_index('ix_member_village_id_scan', ['village_id', 'id'], unique=False)
        batch_op.create_index('ix_member_vo_id_scan', ['vo_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_vo_id_scan')
        batch_op.drop_index('ix_member_village_id_scan')
        batch_op.drop_index('ix_member_state_id_scan')
        batch_op.drop_index('ix_member_shg_id_scan')
        batch_op.drop_index('ix_member_gp_id_scan')
        batch_op.drop_index('ix_member_district_id_scan')
        batch_op.drop_index('ix_member_clf_id_scan')
        batch_op.drop_index('ix_member_block_id_scan')

    op.drop_table('member')
    with op.batch_alter_table('cbo', schema=None) as batch_op:
        batch_op.drop_index('ix_cbo_vo_id_scan')
        batch_op.drop_index('ix_cbo_village_id_scan')
        batch_op.drop_index('ix_cbo_state_id_scan')
        batch_op.drop_index('ix_cbo_shg_id_scan')
        batch_op.drop_index('ix_cbo_parent_scan')
        batch_op.drop_index('ix_cbo_gp_id_scan')
        batch_op.drop_index('ix_cbo_district_id_scan')
        batch_op.drop_index('ix_cbo_clf_id_scan')
        batch_op.drop_index('ix_cbo_block_id_scan')

    op.drop_table('cbo')
    op.drop_table('idempotency_record')
    with op.batch_alter_table('geo_unit', schema=None) as batch_op:
        batch_op.drop_index('ix_geo_unit_village_id_scan')
        batch_op.drop_index('ix_geo_unit_state_id_scan')
        batch_op.drop_index('ix_geo_unit_parent_scan')
        batch_op.drop_index('ix_geo_unit_gp_id_scan')
        batch_op.drop_index('ix_geo_unit_district_id_scan')
        batch_op.drop_index('ix_geo_unit_block_id_scan')

    op.drop_table('geo_unit')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_entity_type_audit_event_entity_id'))

    op.drop_table('audit_event')
