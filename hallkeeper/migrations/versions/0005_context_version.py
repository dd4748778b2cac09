"""context version: a value every change of the attendance context's tables renews

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables an attendance context is read from (hallkeeper/attendance/context.py).
SOURCES = ('schedule', 'schedule_slot', 'window', 'staff', 'holiday_override', 'hall')
# A new random value, never a counter: a rolled-back change restores the old value, and a
# counter would then hand the same number to a different change.
PG_FUNCTION = 'hk_renew_context_version'


def upgrade() -> None:
    op.create_table('context_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute("INSERT INTO context_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE context_version SET version = floor(random() * 9.2e18)::bigint; "
            "RETURN NULL; END $$"
        )
        for table in SOURCES:
            op.execute(
                f'CREATE TRIGGER context_version_{table} AFTER INSERT OR UPDATE OR DELETE '
                f'OR TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()'
            )
        return
    for table in SOURCES:
        for event in ('INSERT', 'UPDATE', 'DELETE'):
            op.execute(
                f'CREATE TRIGGER context_version_{table}_{event.lower()} AFTER {event} '
                f'ON "{table}" BEGIN UPDATE context_version SET version = random(); END'
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in SOURCES:
            op.execute(f'DROP TRIGGER context_version_{table} ON "{table}"')
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
    else:
        for table in SOURCES:
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER context_version_{table}_{event}')
    op.drop_table('context_version')
