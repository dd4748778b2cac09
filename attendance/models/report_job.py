"""A report built in the background by a worker process: its state, progress and file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime

# queued -> running -> done | failed | cancelled; a done job's file is removed when it expires.
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


class ReportJob(SQLModel, table=True):
    """One month sheet asked for by someone: built by a worker process, kept for a while."""

    __tablename__ = "report_job"
    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7)  # YYYY-MM
    format: str = Field(max_length=4)  # xlsx, csv, json
    state: str = Field(default="queued", max_length=10, index=True)
    people_done: int = 0
    people_total: int = 0
    # Whose month: the staff numbers the asker may see (a window lead's scope); None: everyone.
    scope: list[str] | None = Field(default=None, sa_column=Column(JSON))
    owner: str = Field(max_length=80)  # the asker (kind:id); only they see the job
    asked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    file: str = Field(default="", max_length=200)  # in the data directory's reports folder
    error: str = Field(default="", max_length=500)
