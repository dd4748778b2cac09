"""Services (办理事项) that tickets are taken for."""

from __future__ import annotations

from datetime import time

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class ServiceBase(SQLModel):
    code: str = Field(index=True, unique=True, max_length=40)
    name: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)
    group: str = Field(default="", max_length=40)
    prefix: str = Field(unique=True, max_length=1)
    kind: str = Field(default="instant", max_length=10)
    promised_days: int | None = None
    max_wait_minutes: int = 30
    max_service_minutes: int = 20
    daily_quota: int | None = None
    open_from: time = time(8, 30)
    open_to: time = time(17, 30)


class Service(ServiceBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    documents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
