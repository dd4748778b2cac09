"""queue: partial indexes for a window's call and its state changes

- The waiting tickets that may be called before the others. A window's call looked for its
  next citizen with one statement ordered by the calling order's CASE, which sorted every
  waiting ticket of the window's services (0.86 ms a call at 3,000 waiting, bench/queue_stats.py).
  Now the few tickets that may go first (a transfer leg at the head, an appointment, the
  priority channel) have a partial index of their own; everyone else is found in
  ix_queue_ticket_waiting, already in issue order.
- The windows' open state periods. Each state change closes the window's open period: with
  only the index on the window's number, that read every period the window ever had (29.6 ms
  a change at 50,000 periods a window, about a year of a busy window: bench/window_history.py).

Revision ID: 0105
Revises: 0104
Create Date: 2026-12-07 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0105'
down_revision: str | None = '0104'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As kiosk.models.SPECIAL_WAITING when this revision was written (a migration does not follow
# later changes of the model).
SPECIAL_WAITING = "status = 'waiting' AND (head OR channel IN ('appointment', 'priority'))"
OPEN_PERIOD = '"end" IS NULL'


def upgrade() -> None:
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.create_index(
            'ix_queue_ticket_special',
            ['status', 'day', 'service_id'],
            unique=False,
            sqlite_where=sa.text(SPECIAL_WAITING),
            postgresql_where=sa.text(SPECIAL_WAITING),
        )
    with op.batch_alter_table('queue_window_history', schema=None) as batch_op:
        batch_op.create_index(
            'ix_queue_window_history_open',
            ['window_number'],
            unique=False,
            sqlite_where=sa.text(OPEN_PERIOD),
            postgresql_where=sa.text(OPEN_PERIOD),
        )


def downgrade() -> None:
    with op.batch_alter_table('queue_window_history', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_window_history_open')
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_ticket_special')
