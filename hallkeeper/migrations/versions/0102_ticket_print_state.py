"""ticket print state: whether each ticket came out of the kiosk's printer, waits for it, or
will not print (and why)

Revision ID: 0102
Revises: 0101
Create Date: 2026-12-20 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0102'
down_revision: str | None = '0101'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('queue_ticket_print',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('cause', sa.String(length=24), nullable=True),
    sa.Column('prints', sa.Integer(), nullable=False),
    sa.Column('reprint_by', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['queue_ticket.id'], ),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    with op.batch_alter_table('queue_ticket_print', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_ticket_print_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('queue_ticket_print', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_ticket_print_state'))
    op.drop_table('queue_ticket_print')
