"""field sizes the parsers accept; quarantined records stored once per terminal and record

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 23:00:00.000000
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, old length, new length): serials up to 64 and PINs up to 24 characters, as
# the terminals' parsers accept (PostgreSQL refused longer values and failed whole batches).
WIDER = (
    ('device', 'serial', 40, 64),
    ('punch', 'device_sn', 40, 64),
    ('punch', 'pin', 20, 24),
    ('quarantined_record', 'device_sn', 40, 64),
    ('quarantined_record', 'pin', 20, 24),
)


def _digest(raw: bytes, reason: str) -> str:
    # As hallkeeper.attendance.quarantine.digest at the time of this revision.
    return hashlib.sha256(raw if raw else reason.encode()).hexdigest()


def upgrade() -> None:
    for table, column, old, new in WIDER:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=old), type_=sa.String(length=new)
            )
    with op.batch_alter_table('quarantined_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column('repeats', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('last_received_at', sa.DateTime(timezone=True), nullable=True)
        )
    # Records kept so far: one row per (terminal, record), the others counted as repeats.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text('SELECT id, device_sn, raw, reason FROM quarantined_record ORDER BY id')
    ).all()
    first: dict[tuple[str, str], list[int]] = {}
    for id_, device_sn, raw, reason in rows:
        key = (device_sn, _digest(bytes(raw), reason))
        first.setdefault(key, []).append(id_)
    for (_sn, digest), ids in first.items():
        bind.execute(
            sa.text('UPDATE quarantined_record SET digest = :d, repeats = :n WHERE id = :i'),
            {'d': digest, 'n': len(ids) - 1, 'i': ids[0]},
        )
        for extra in ids[1:]:
            bind.execute(sa.text('DELETE FROM quarantined_record WHERE id = :i'), {'i': extra})
    with op.batch_alter_table('quarantined_record', schema=None) as batch_op:
        batch_op.alter_column('digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('repeats', server_default=None)
        batch_op.create_unique_constraint('uq_quarantine_natural', ['device_sn', 'digest'])


def downgrade() -> None:
    with op.batch_alter_table('quarantined_record', schema=None) as batch_op:
        batch_op.drop_constraint('uq_quarantine_natural', type_='unique')
        batch_op.drop_column('last_received_at')
        batch_op.drop_column('repeats')
        batch_op.drop_column('digest')
    for table, column, old, new in WIDER:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=new), type_=sa.String(length=old)
            )
