"""punch assignment: unmapped punches credited to a staff member, with who, when and what

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('punch_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pin', sa.String(length=20), nullable=False),
    sa.Column('staff_no', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('first_punch', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_punch', sa.DateTime(timezone=True), nullable=True),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('credential', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_punch_assignment_pin'), 'punch_assignment', ['pin'], unique=False)
    op.create_index(
        op.f('ix_punch_assignment_staff_no'), 'punch_assignment', ['staff_no'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_punch_assignment_staff_no'), table_name='punch_assignment')
    op.drop_index(op.f('ix_punch_assignment_pin'), table_name='punch_assignment')
    op.drop_table('punch_assignment')
