"""alerts: per-outlet deliveries (DingTalk, WeCom) and the outlets' cursors

Revision ID: 0501
Revises: 0500
Create Date: 2026-12-07 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0501'
down_revision: str | None = '0500'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alert_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('outlet', sa.String(length=10), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert_outbox.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id', 'outlet')
    )
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_delivery_sent_at'), ['sent_at'], unique=False)
    op.create_table('alert_outlet_cursor',
    sa.Column('outlet', sa.String(length=10), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('outlet')
    )


def downgrade() -> None:
    op.drop_table('alert_outlet_cursor')
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_delivery_sent_at'))
    op.drop_table('alert_delivery')
