"""The streamed XLSX read back by openpyxl: values, styles, layout and print setup."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from openpyxl import load_workbook

from attendance.xlsx_stream import (
    PageSetup,
    SheetLayout,
    StreamingSheet,
    Style,
    column_letter,
)


def test_column_letters() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"
    ]  # fmt: skip


def test_a_streamed_sheet_reads_back_whole() -> None:
    out = io.BytesIO()
    layout = SheetLayout(
        "2026-03",
        widths={2: 10, 3: 22},
        freeze=(3, 2),
        page=PageSetup(title_rows=(1, 2), footer="第 &P 页 / 共 &N 页"),
    )
    styles = (Style(bold=True, size=14, center=True), Style(center=True, fill="F8D7D4"))
    sheet = StreamingSheet(out, layout, styles)
    sheet.append(["月度考勤表"], 1)
    sheet.merge(1, 5, 1)
    sheet.append(["工号", "姓名", "单位", "1", "2"])
    sheet.append(["SC001", "李<明>&\x07", None, "迟", 3], [0, 0, 0, 2, 0])
    sheet.append([True, 2.5, "", None, "  leading and trailing  "])
    sheet.close()

    raw = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for name in z.namelist():  # every part is well-formed XML
            ElementTree.fromstring(z.read(name))
    ws = load_workbook(io.BytesIO(raw)).active
    assert ws is not None and ws.title == "2026-03"
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == "月度考勤表" and values[1] == ["工号", "姓名", "单位", "1", "2"]
    assert values[2] == ["SC001", "李<明>&", None, "迟", 3]  # the control character dropped
    assert values[3] == [True, 2.5, None, None, "  leading and trailing  "]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14 and ws["A1"].alignment.horizontal == "center"
    assert ws["D3"].fill.fgColor.rgb == "FFF8D7D4" and ws["D3"].alignment.horizontal == "center"
    assert not ws["A3"].font.b and ws["A3"].fill.fill_type is None
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:E1"}
    assert ws.freeze_panes == "D3"
    assert ws.column_dimensions["C"].width == 22
    assert ws.print_title_rows == "$1:$2" and ws.print_area == "'2026-03'!$A$1:$E$4"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"
