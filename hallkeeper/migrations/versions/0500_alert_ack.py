"""alerts: acknowledgement, follow-up and quiet-hours hold on the outbox

Revision ID: 0500
Revises: 0002
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0500'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = ('alerts',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acked_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('ack_note', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('ack_via', sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column('repeats', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hold_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_alert_outbox_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_outbox_created_at'))
        batch_op.drop_column('hold_until')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('repeats')
        batch_op.drop_column('ack_via')
        batch_op.drop_column('ack_note')
        batch_op.drop_column('acked_by')
        batch_op.drop_column('acked_by_id')
        batch_op.drop_column('acked_at')
