"""The month built a chunk of people at a time: one builder behind the API's download, the CLI
and the report worker process.

`month_pieces` evaluates the month a chunk of people after another and yields after each: a
CSV or JSON month yields its text as it goes; an XLSX month is written into the file it is
given (a write-only workbook) and yields ``b""`` per chunk. Whoever drives it decides between
chunks whether to go on (the client is still there, the service is not stopping, the job is
not cancelled).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Collection, Generator, Iterable, Iterator
from datetime import datetime
from typing import IO

from fastapi.encoders import jsonable_encoder
from sqlalchemy import Engine
from sqlmodel import select

from attendance.common import context
from attendance.export import csv_parts
from attendance.reports import MonthReport, month_chunks, month_dates
from attendance.sheet import sheet_steps
from hallbase.db import read_session
from hallbase.models import Hall
from hallbase.settings import Settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX}
FORMATS = tuple(MEDIA)
PIECE = 64 * 1024
Progress = Callable[[int, int], None]  # people evaluated so far, people in the month


def _json_parts(year: int, month: int, chunks: Iterable[MonthReport]) -> Iterator[str]:
    """``{"month", "dates", "data", "days"}`` as the route always answered, chunk by chunk;
    the days wait in a temporary file until the rows are out."""
    dates = [d.isoformat() for d in month_dates(year, month)]
    head = json.dumps({"month": f"{year}-{month:02d}", "dates": dates}, ensure_ascii=False)
    yield head[:-1] + ',"data":['
    sep = ""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as days:
        for chunk in chunks:
            rows = jsonable_encoder(chunk.rows)
            text = ",".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows)
            yield sep + text if text else ""
            sep = "," if text or sep else ""
            for no, statuses in chunk.days.items():
                days.write(("," if days.tell() else "") + json.dumps(no) + ":")
                days.write(json.dumps(statuses, separators=(",", ":")))
        yield '],"days":{'
        days.seek(0)
        while piece := days.read(PIECE):
            yield piece
    yield "}}"


def _counted(
    chunks: Iterable[MonthReport], total: int, progress: Progress
) -> Iterator[MonthReport]:
    """``chunks``, telling ``progress`` the people evaluated after each."""
    done = 0
    progress(done, total)
    for chunk in chunks:
        yield chunk
        done += chunk.people
        progress(done, total)


def month_pieces(
    engine: Engine,
    settings: Settings,
    year: int,
    month: int,
    now: datetime,
    fmt: str,
    out: IO[bytes],
    staff_nos: Collection[str] | None = None,
    progress: Progress | None = None,
) -> Generator[bytes]:
    """The month's pieces to send (CSV, JSON), or b"" after each chunk written to ``out``
    (XLSX); ``staff_nos``: only these people (None: everyone)."""
    if fmt not in MEDIA:
        raise ValueError(f"format {fmt!r}: one of {', '.join(FORMATS)}")
    with read_session(engine) as session:
        ctx = context(session, settings, [month_dates(year, month)[0]])
        chunks: Iterable[MonthReport] = month_chunks(
            session, ctx, year, month, now, staff_nos=staff_nos
        )
        if progress is not None:
            people = set(ctx.staff) if staff_nos is None else set(staff_nos) & set(ctx.staff)
            chunks = _counted(chunks, len(people), progress)
        if fmt == "xlsx":
            hall = session.exec(select(Hall)).first()
            for _ in sheet_steps(out, year, month, chunks, hall.name if hall else ""):
                yield b""
            return
        dates = month_dates(year, month)
        parts = csv_parts(dates, chunks) if fmt == "csv" else _json_parts(year, month, chunks)
        for part in parts:
            yield part.encode()
