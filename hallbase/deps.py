"""Dependencies shared by the routes: sessions, settings and paging (who may call what:
`hallbase.auth.allow`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session

from hallbase.db import read_session, write_session
from hallbase.settings import Settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _write(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


def _read(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    with read_session(engine) as session:
        yield session


@dataclass(frozen=True)
class Page:
    """A listing's page: at most ``limit`` rows after skipping ``offset``."""

    limit: int
    offset: int

    def echo(self) -> dict[str, Any]:
        """The page's bounds, returned beside the rows and the total ``count``."""
        return {"limit": self.limit, "offset": self.offset}


def page(
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page:
    """Listings that can grow are paged: ``?limit=&offset=``, the answer has the total."""
    return Page(limit, offset)


# scope="function": the transaction commits before the response is sent, so a client that
# got 200 can read its own write at once (and a failed commit is an error, not a 200).
SessionDep = Annotated[Session, Depends(_write, scope="function")]
ReadSessionDep = Annotated[Session, Depends(_read, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
PageDep = Annotated[Page, Depends(page)]
