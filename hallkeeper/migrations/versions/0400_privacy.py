"""privacy: retention marks and offboarding steps

Revision ID: 0400
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0400'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = ('privacy',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retention_mark',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('kept_from', sa.Date(), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind')
    )
    op.create_table('offboard_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_no', sa.String(length=20), nullable=False),
    sa.Column('pin', sa.String(length=20), nullable=False),
    sa.Column('device_sn', sa.String(length=64), nullable=False),
    sa.Column('protocol', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('command_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('offboard_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offboard_step_staff_no'), ['staff_no'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('offboard_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offboard_step_staff_no'))

    op.drop_table('offboard_step')
    op.drop_table('retention_mark')
