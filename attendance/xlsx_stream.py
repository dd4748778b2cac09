"""A one-sheet XLSX written as a stream: rows go straight into the zipped sheet as they come.

The month's sheet of a city (30,000 people, 45 columns) is over a million cells. A general
workbook library builds an object per cell and serialises it through an XML tree; here a row
is one formatted string, so the time is spent on the month, not on the file format. It writes
what the sheet needs and no more: inline strings and numbers, a handful of cell styles, column
widths, frozen panes, merged cells, print setup (paper, orientation, fit to width, titles
repeated on every page, print area) and a page footer. Checked with openpyxl (the tests) and
LibreOffice (values, and the printed pages); not yet opened in Excel or WPS here.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 does not allow (a control character in a name would break the file).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Style:
    """A cell style: bold and size of the font, a solid fill (RRGGBB), alignment."""

    bold: bool = False
    size: int = 11
    fill: str | None = None
    center: bool = False
    wrap: bool = False


@dataclass
class PageSetup:
    """How the sheet prints."""

    landscape: bool = True
    paper: int = 9  # A4
    fit_width: bool = True  # one page wide, as many pages tall as it takes
    title_rows: tuple[int, int] | None = None  # repeated at the top of every page
    centered: bool = True
    margin_side: float = 0.4  # inches
    footer: str = ""  # centred; Excel's codes: &P the page, &N the pages


@dataclass
class SheetLayout:
    """What precedes the rows in the file: set before the first row is written."""

    name: str
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column -> width
    freeze: tuple[int, int] | None = None  # (columns, rows) kept in view
    page: PageSetup = field(default_factory=PageSetup)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


class StreamingSheet:
    """One sheet written row by row into ``target``; `close` finishes the file."""

    def __init__(self, target: str | IO[bytes], layout: SheetLayout, styles: Sequence[Style]):
        self.layout = layout
        self.styles = list(styles)
        self.rows = 0
        self.width = 0
        self.merged: list[str] = []
        self._letters: list[str] = []  # column letters, as far as the widest row so far
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._put(HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">' + self._before_rows())
        self._put("<sheetData>")

    def _put(self, text: str) -> None:
        self._sheet.write(text.encode())

    def _before_rows(self) -> str:
        layout = self.layout
        out = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if layout.page.fit_width else ""
        if layout.freeze:
            cols, rows = layout.freeze
            cell = f"{column_letter(cols + 1)}{rows + 1}"
            out += (
                '<sheetViews><sheetView workbookViewId="0">'
                f'<pane xSplit="{cols}" ySplit="{rows}" topLeftCell="{cell}" '
                'activePane="bottomRight" state="frozen"/>'
                f'<selection pane="bottomRight" activeCell="{cell}" sqref="{cell}"/>'
                "</sheetView></sheetViews>"
            )
        out += '<sheetFormatPr defaultRowHeight="15"/>'
        if layout.widths:
            out += "<cols>"
            for col, width in sorted(layout.widths.items()):
                out += f'<col min="{col}" max="{col}" width="{width}" customWidth="1"/>'
            out += "</cols>"
        return out

    def append(self, values: Sequence[Any], styles: Sequence[int] | int = 0) -> None:
        """The next row: ``values`` from column A (None or "" leaves a cell empty); ``styles``
        one index into the sheet's styles per value, or one for the whole row (0: none)."""
        self.rows += 1
        row = self.rows
        letters = self._letters
        while len(letters) < len(values):
            letters.append(column_letter(len(letters) + 1))
        parts = [f'<row r="{row}">']
        for i, value in enumerate(values):
            style = styles if isinstance(styles, int) else styles[i]
            s = f' s="{style}"' if style else ""
            ref = f"{letters[i]}{row}"
            if value is None or value == "":
                if style:
                    parts.append(f'<c r="{ref}"{s}/>')
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                parts.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
            else:
                text = _text(str(value))
                parts.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                )
        parts.append("</row>")
        self.width = max(self.width, len(values))
        self._put("".join(parts))

    def merge(self, first_col: int, last_col: int, row: int) -> None:
        """Merge ``first_col``..``last_col`` (1-based) of ``row``."""
        self.merged.append(f"{column_letter(first_col)}{row}:{column_letter(last_col)}{row}")

    def close(self) -> None:
        """The rest of the sheet, then the workbook's other parts; the file is complete."""
        page = self.layout.page
        tail = "</sheetData>"
        if self.merged:
            tail += f'<mergeCells count="{len(self.merged)}">'
            tail += "".join(f'<mergeCell ref="{m}"/>' for m in self.merged)
            tail += "</mergeCells>"
        if page.centered:
            tail += '<printOptions horizontalCentered="1"/>'
        m = page.margin_side
        tail += f'<pageMargins left="{m}" right="{m}" top="1" bottom="1" '
        tail += 'header="0.5" footer="0.5"/>'
        fit = ' fitToWidth="1" fitToHeight="0"' if page.fit_width else ""
        orientation = "landscape" if page.landscape else "portrait"
        tail += f'<pageSetup paperSize="{page.paper}" orientation="{orientation}"{fit}/>'
        if page.footer:
            footer = _text(page.footer)
            tail += f"<headerFooter><oddFooter>&amp;C{footer}</oddFooter></headerFooter>"
        self._put(tail + "</worksheet>")
        self._sheet.close()
        parts = {
            "[Content_Types].xml": _content_types(),
            "_rels/.rels": _relationships([("rId1", f"{REL}/officeDocument", "xl/workbook.xml")]),
            "xl/_rels/workbook.xml.rels": _relationships(
                [
                    ("rId1", f"{REL}/worksheet", "worksheets/sheet1.xml"),
                    ("rId2", f"{REL}/styles", "styles.xml"),
                ]
            ),
            "xl/workbook.xml": self._workbook(),
            "xl/styles.xml": _styles(self.styles),
        }
        for name, text in parts.items():
            self._zip.writestr(name, text.encode())
        self._zip.close()

    def _workbook(self) -> str:
        name = self.layout.name
        quoted = "'" + name.replace("'", "''") + "'"
        names = []
        page = self.layout.page
        if page.title_rows:
            first, last = page.title_rows
            names.append(("_xlnm.Print_Titles", f"{quoted}!${first}:${last}"))
        if self.rows and self.width:
            corner = f"${column_letter(self.width)}${self.rows}"
            names.append(("_xlnm.Print_Area", f"{quoted}!$A$1:{corner}"))
        defined = "".join(
            f'<definedName name="{n}" localSheetId="0">{_text(v)}</definedName>' for n, v in names
        )
        return (
            HEAD
            + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{_text(name)}" sheetId="1" r:id="rId1"/></sheets>'
            + (f"<definedNames>{defined}</definedNames>" if defined else "")
            + "</workbook>"
        )


def _relationships(items: list[tuple[str, str, str]]) -> str:
    rels = "".join(f'<Relationship Id="{i}" Type="{k}" Target="{t}"/>' for i, k, t in items)
    return HEAD + f'<Relationships xmlns="{PACKAGE_REL}">{rels}</Relationships>'


def _content_types() -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return (
        HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>'
        "</Types>"
    )


def _styles(styles: list[Style]) -> str:
    """styles.xml: index 0 is the default cell; each of ``styles`` is index 1, 2 ..."""
    fonts = [(False, 11)]
    fills = ["none", "gray125"]  # the two fills every workbook starts with
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
    for style in styles:
        font = (style.bold, style.size)
        if font not in fonts:
            fonts.append(font)
        fill = 0
        if style.fill:
            if style.fill not in fills:
                fills.append(style.fill)
            fill = fills.index(style.fill)
        align = ""
        if style.center or style.wrap:
            h = ' horizontal="center"' if style.center else ""
            w = ' wrapText="1"' if style.wrap else ""
            align = f"<alignment{h}{w}/>"
        xfs.append(
            f'<xf numFmtId="0" fontId="{fonts.index(font)}" fillId="{fill}" borderId="0" '
            f'xfId="0" applyFont="1" applyFill="{int(bool(fill))}" '
            f'applyAlignment="{int(bool(align))}">{align}</xf>'
        )
    font_xml = "".join(
        f'<font>{"<b/>" if bold else ""}<sz val="{size}"/><name val="Calibri"/></font>'
        for bold, size in fonts
    )
    fill_xml = "".join(
        f'<fill><patternFill patternType="{f}"/></fill>'
        if f in ("none", "gray125")
        else f'<fill><patternFill patternType="solid"><fgColor rgb="FF{f}"/></patternFill></fill>'
        for f in fills
    )
    return (
        HEAD + f'<styleSheet xmlns="{MAIN}">'
        f'<fonts count="{len(fonts)}">{font_xml}</fonts>'
        f'<fills count="{len(fills)}">{fill_xml}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
