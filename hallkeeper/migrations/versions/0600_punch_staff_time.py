"""reports: punches indexed by (staff_no, device_time), in place of staff_no alone

A chunk of a month's people reads its own punches of the month through this index; through
the time index alone every chunk read the whole month's punches (quadratic in the people).

Revision ID: 0600
Revises: 0011
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0600'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = ('reports',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_punch_staff_time', 'punch', ['staff_no', 'device_time'], unique=False)
    op.drop_index('ix_punch_staff_no', table_name='punch')


def downgrade() -> None:
    op.create_index('ix_punch_staff_no', 'punch', ['staff_no'], unique=False)
    op.drop_index('ix_punch_staff_time', table_name='punch')
