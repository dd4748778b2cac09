"""device lease: which instance drives a set of devices (queue printer, boards, keypads)

Revision ID: 0202
Revises: 0201
Create Date: 2026-12-20 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0202'
down_revision: str | None = '0201'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'device_lease',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('owner', sa.String(length=160), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('device_lease')
