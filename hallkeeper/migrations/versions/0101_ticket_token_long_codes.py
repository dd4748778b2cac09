"""ticket token, long appointment codes: the citizen's unguessable handle on a ticket, and
check-in codes of 16 digits (the column widens; codes already given stay valid)

Revision ID: 0101
Revises: 0100
Create Date: 2026-12-07 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0101'
down_revision: str | None = '0100'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_token', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_queue_ticket_public_token'), ['public_token'], unique=True)
    with op.batch_alter_table('queue_appointment', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=12), type_=sa.String(length=20), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('queue_appointment', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=20), type_=sa.String(length=12), existing_nullable=False)
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_ticket_public_token'))
        batch_op.drop_column('public_token')
