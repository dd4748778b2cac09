"""terminal binding: source address and push key of an ADMS terminal

Revision ID: 0201
Revises: 0200
Create Date: 2026-12-07 02:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0201'
down_revision: str | None = '0200'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('bind_address', sa.String(length=64), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('push_key_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_column('push_key_hash')
        batch_op.drop_column('bind_address')
