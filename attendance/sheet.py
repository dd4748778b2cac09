"""The month's XLSX (月度考勤表), written as it goes: rows streamed into the file a chunk of
people at a time (`attendance.xlsx_stream`), so that its time grows with the people and its
memory does not."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from attendance.reports import MonthReport, month_dates
from attendance.sheet_rows import (
    HEAD,
    SIGNATURES,
    Totals,
    half_absent,
    header,
    person_lines,
    symbols,
)
from attendance.xlsx_stream import PageSetup, SheetLayout, StreamingSheet, Style
from hallbase.words import label, t

# The sheet's cell styles, by their index in the file (0: a plain cell).
TITLE, HEADING, DAY, BAD_DAY, WRAPPED = 1, 2, 3, 4, 5
STYLES = (
    Style(bold=True, size=14, center=True),
    Style(bold=True, fill="DDE6F4", center=True, wrap=True),
    Style(center=True),
    Style(center=True, fill="F8D7D4"),
    Style(wrap=True),
)
BAD = frozenset({"absent", "missing", "late", "early", "off_post"})


def _layout(year: int, month: int, columns: int, days: int) -> SheetLayout:
    """Widths, the frozen panes and the print setup: A4 landscape, one page wide, the title
    and the column titles repeated on every page, page numbers in the footer."""
    widths: dict[int, float] = {2: 10, 3: 22, columns: 48}
    widths.update({len(HEAD) + 1 + i: 4 for i in range(days)})
    page = PageSetup(title_rows=(1, 2), footer=t("sheet.footer"))
    return SheetLayout(f"{year}-{month:02d}", widths, freeze=(3, 2), page=page)


def _row_styles(statuses: list[str], columns: int) -> list[int]:
    """A person's line: days centred, bad days filled, the steps wrapped."""
    first = len(HEAD)
    styles = [0] * columns
    for d, status in enumerate(statuses):
        styles[first + d] = BAD_DAY if status in BAD else DAY
    styles[-1] = WRAPPED
    return styles


def write_sheet(
    target: str | IO[bytes], year: int, month: int, chunks: Iterable[MonthReport], hall_name: str
) -> None:
    """The monthly sheet into ``target``: a row per person, a column per day, totals, legend,
    signature lines."""
    for _ in sheet_steps(target, year, month, chunks, hall_name):
        pass


def sheet_steps(
    target: str | IO[bytes], year: int, month: int, chunks: Iterable[MonthReport], hall_name: str
) -> Iterator[int]:
    """Write the sheet into ``target``, pausing after each chunk with the people written so
    far; the file is complete when the steps are (closing them early leaves it unwritten)."""
    dates = month_dates(year, month)
    titles = header(dates)
    columns = len(titles)
    ws = StreamingSheet(target, _layout(year, month, columns, len(dates)), STYLES)
    ws.append([t("sheet.title", hall=hall_name, year=year, month=month)], TITLE)
    ws.merge(1, columns, 1)
    ws.append(titles, HEADING)
    totals = Totals(len(dates))
    people = 0
    for chunk in chunks:
        for row, line in zip(chunk.rows, person_lines(chunk), strict=True):
            ws.append(line, _row_styles(chunk.days[row["staff_no"]], columns))
            people += 1
        totals.add(chunk)
        yield people
    tail: list[list[Any]] = [totals.line(), [], [t("sheet.legend")]]
    tail += [[symbol, label("status", status)] for status, symbol in symbols().items() if symbol]
    tail.append([half_absent(), t("sheet.half_absent_text")])
    tail.append([t("sheet.blank"), label("status", "off")])
    tail.append([])
    # Spread over the width, each in a cell with empty neighbours so that its line shows.
    signed: list[Any] = [None] * columns
    for i, key in enumerate([*SIGNATURES, "date"]):
        signed[i * columns // 4] = f"{t(f'sheet.sign.{key}')}________________"
    tail.append(signed)
    for line in tail:
        ws.append(line)
    ws.close()
