"""A minimal streaming .xlsx writer, for benchmark-sized files.

openpyxl's write-only mode serialises every cell through an XML tree
(about 15 µs per cell without lxml: 2 000 rows/s for a 34-column export).
This writer formats the XML as text straight into the zip entry (about 6x
faster end to end, generation included) and supports exactly what the
exports need: several sheets, text, integers, dates (as date cells) and
merged cells.  The result opens with
openpyxl, python-calamine and Excel.

The API mirrors the part of openpyxl's used by :mod:`crm.sampledata.files`::

    wb = FastWorkbook(path)
    ws = wb.create_sheet("客户档案")
    ws.merge("A1:AH1")      # before the first append
    ws.append(["text", 12, date(2025, 3, 5), None])
    wb.save()
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from openpyxl.utils import get_column_letter

_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system)
_STAMP = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: same rows, same bytes
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         "<sheetData>")
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class FastSheet:
    """A worksheet being streamed into the zip file."""

    def __init__(self, book: FastWorkbook, name: str, entry) -> None:
        self.title = name
        self._book = book
        self._fh = entry
        self._row = 0
        self._merges: list[str] = []
        self._cols: list[str] = []
        self._buf: list[str] = []
        self._fh.write(_HEAD.encode())

    def merge(self, ref: str) -> None:
        """Merge a cell range such as ``A1:AH1``."""
        self._merges.append(ref)

    def append(self, values) -> None:
        """Add a row: str (inline text), int/float (number), date (date cell), None (empty)."""
        self._row += 1
        row = self._row
        cols = self._cols
        while len(cols) < len(values):
            cols.append(get_column_letter(len(cols) + 1))
        parts = [f'<row r="{row}">']
        for k, v in enumerate(values):
            if v is None or v == "":
                continue
            ref = f"{cols[k]}{row}"
            if isinstance(v, str):
                if "&" in v or "<" in v or ">" in v:
                    v = v.translate(_ESCAPE)
                if v[0] == " " or v[-1] == " ":
                    parts.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>')
                else:
                    parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
            elif isinstance(v, bool):
                parts.append(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                parts.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif isinstance(v, date):
                parts.append(f'<c r="{ref}" s="1"><v>{v.toordinal() - _EPOCH}</v></c>')
            else:
                raise TypeError(f"cannot write {type(v).__name__} to a cell")
        parts.append("</row>")
        buf = self._buf
        buf.append("".join(parts))
        if len(buf) >= 512:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            self._fh.write("".join(self._buf).encode())
            self._buf.clear()

    def close(self) -> None:
        self._flush()
        tail = "</sheetData>"
        if self._merges:
            tail += f'<mergeCells count="{len(self._merges)}">'
            tail += "".join(f'<mergeCell ref="{m}"/>' for m in self._merges) + "</mergeCells>"
        self._fh.write((tail + "</worksheet>").encode())
        self._fh.close()


class FastWorkbook:
    """An .xlsx file written sheet by sheet (one sheet open at a time)."""

    def __init__(self, path: str | Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[str] = []
        self._open: FastSheet | None = None

    def create_sheet(self, name: str) -> FastSheet:
        if self._open is not None:
            self._open.close()
        self._sheets.append(name)
        entry = self._zip.open(self._info(f"xl/worksheets/sheet{len(self._sheets)}.xml"), "w",
                               force_zip64=True)
        self._open = FastSheet(self, name, entry)
        return self._open

    @staticmethod
    def _info(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=_STAMP)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def save(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
        zip_ = self._zip
        n = len(self._sheets)

        class _Z:  # writestr with fixed timestamps
            @staticmethod
            def writestr(name: str, text: str) -> None:
                zip_.writestr(self._info(name), text, compresslevel=1)

        z = _Z
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=k) for k in range(1, n + 1))))
        z.writestr("_rels/.rels", _ROOT_RELS)
        sheets = "".join(
            f'<sheet name="{name.translate(_ESCAPE)}" sheetId="{k}" r:id="rId{k}"/>'
            for k, name in enumerate(self._sheets, 1))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>"))
        rels = "".join(
            f'<Relationship Id="rId{k}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{k}.xml"/>' for k in range(1, n + 1))
        rels += (f'<Relationship Id="rId{n + 1}" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
                 'Target="styles.xml"/>')
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>"))
        z.writestr("xl/styles.xml", _STYLES)
        zip_.close()
