"""ticket print state: the printer a ticket printed on or waits for (several printers)

Revision ID: 0103
Revises: 0102
Create Date: 2027-01-10 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0103'
down_revision: str | None = '0102'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('queue_ticket_print', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printer', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('queue_ticket_print', schema=None) as batch_op:
        batch_op.drop_column('printer')
