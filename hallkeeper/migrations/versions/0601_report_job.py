"""reports: month sheets built in the background by a worker process

Revision ID: 0601
Revises: 0600
Create Date: 2026-12-07 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0601'
down_revision: str | None = '0600'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('format', sa.String(length=4), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('people_done', sa.Integer(), nullable=False),
    sa.Column('people_total', sa.Integer(), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=True),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('file', sa.String(length=200), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_report_job_state'), 'report_job', ['state'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_report_job_state'), table_name='report_job')
    op.drop_table('report_job')
