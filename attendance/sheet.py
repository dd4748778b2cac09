"""The month's XLSX (月度考勤表), written as it goes: a write-only workbook, a chunk of people
at a time, so that its time grows with the people and its memory does not."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

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
from hallbase.words import label, t

HEAD_FILL = PatternFill("solid", fgColor="DDE6F4")
BAD_FILL = PatternFill("solid", fgColor="F8D7D4")
BAD = frozenset({"absent", "missing", "late", "early", "off_post"})


def _print_setup(ws: WriteOnlyWorksheet) -> None:
    """A4 landscape, one page wide, the title and the column titles repeated on every page
    (set before the first row: the sheet's properties precede the rows in the file)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = t("sheet.footer")


class _Cells:
    """Styled cells reused row after row: a write-only sheet writes each row as it is
    appended, so one cell per day and style serves every person. The other columns go as
    plain values (the sheet's own cell takes them without a style)."""

    def __init__(self, ws: WriteOnlyWorksheet, days: int) -> None:
        center, wrap = Alignment(horizontal="center"), Alignment(wrap_text=True)
        self.day = [WriteOnlyCell(ws) for _ in range(days)]
        self.bad = [WriteOnlyCell(ws) for _ in range(days)]
        for good, bad in zip(self.day, self.bad, strict=True):
            good.alignment = bad.alignment = center
            bad.fill = BAD_FILL
        self.last = WriteOnlyCell(ws)
        self.last.alignment = wrap
        self.first_day = len(HEAD)

    def row(self, line: list[Any], statuses: list[str]) -> list[Any]:
        """The person's line: days centred, bad days filled, the steps wrapped."""
        first = self.first_day
        out = line[:first]
        for d, status in enumerate(statuses):
            cell = self.bad[d] if status in BAD else self.day[d]
            cell.value = line[first + d]
            out.append(cell)
        out += line[first + len(statuses) : -1]
        self.last.value = line[-1]
        out.append(self.last)
        return out


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
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{year}-{month:02d}")
    # Widths and the frozen panes come before the rows in the file: set before any append.
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 22
    for i in range(len(dates)):
        ws.column_dimensions[get_column_letter(len(HEAD) + 1 + i)].width = 4
    ws.column_dimensions[get_column_letter(len(titles))].width = 48
    ws.freeze_panes = "D3"
    _print_setup(ws)
    title = WriteOnlyCell(ws, t("sheet.title", hall=hall_name, year=year, month=month))
    title.font, title.alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    ws.append([title])
    ws.merged_cells.add(CellRange(min_row=1, min_col=1, max_row=1, max_col=len(titles)))
    heads = []
    for text in titles:
        cell = WriteOnlyCell(ws, text)
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        heads.append(cell)
    ws.append(heads)
    rows = 2
    cells = _Cells(ws, len(dates))
    totals = Totals(len(dates))
    for chunk in chunks:
        for row, line in zip(chunk.rows, person_lines(chunk), strict=True):
            ws.append(cells.row(line, chunk.days[row["staff_no"]]))
            rows += 1
        totals.add(chunk)
        yield rows - 2
    tail: list[list[Any]] = [totals.line(), [], [t("sheet.legend")]]
    tail += [[symbol, label("status", status)] for status, symbol in symbols().items() if symbol]
    tail.append([half_absent(), t("sheet.half_absent_text")])
    tail.append([t("sheet.blank"), label("status", "off")])
    tail.append([])
    # Spread over the width, each in a cell with empty neighbours so that its line shows.
    signed: list[Any] = [None] * len(titles)
    for i, key in enumerate([*SIGNATURES, "date"]):
        signed[i * len(titles) // 4] = f"{t(f'sheet.sign.{key}')}________________"
    tail.append(signed)
    for line in tail:
        ws.append(line)
    ws.print_area = f"A1:{get_column_letter(len(titles))}{rows + len(tail)}"
    wb.save(target)
