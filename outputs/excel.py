"""OUT/vanban.xlsx for legal staff: one sheet per table, header row frozen and bold,
columns sized to their content, autofilter, and the findings sheet coloured by severity.

Every text cell is written as a string, never a formula: document text that starts
with "=" (`=HYPERLINK(...)`, `=WEBSERVICE(...)`, a DDE `=cmd|...`) stays text
(issue 14). The CSV files are raw data for systems and are not escaped."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from vanban.outputs import tables as T
from vanban.outputs.definitions import TABLES as DEFINITIONS
from vanban.outputs.files import atomic_path

#: the sheets, findings first (what legal staff open the workbook for), each with its table's columns
SHEETS: dict[str, list[str]] = {"findings": T.FINDING_COLUMNS, **T.TABLES}
#: columns of evidence spans (outputs/definitions.py), written one span a line ("dòng 12: text")
SPAN_COLUMNS = {c.name for t in DEFINITIONS.values() for c in t.columns if c.type == "spans"}
SEVERITY_FILL = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
MAX_WIDTH = 60
MAX_CELL = 32_000  # Excel keeps at most 32,767 characters in a cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def evidence_text(evidence: list[dict[str, Any]] | None) -> str:
    """Evidence as legal staff read it: one line per span, "line 12: text"."""
    lines = []
    for e in evidence or []:
        where = f"dòng {e['line']}" if e.get("line") else (f"trang {e['page']}" if e.get("page") else "")
        lines.append(f"{where}: {e.get('text', '')}" if where else str(e.get("text", "")))
    return "\n".join(lines)


def cell_value(column: str, v: Any) -> Any:
    if column in SPAN_COLUMNS and isinstance(v, list):
        v = evidence_text(v)
    if v is None:
        return None
    if isinstance(v, str):
        v = _ILLEGAL.sub("", v)
        return v if len(v) <= MAX_CELL else v[: MAX_CELL - 1] + "…"
    return v


def text_cell(ws, value: Any):
    """The value for a row of a write-only sheet: a string that openpyxl would take for a
    formula (it starts with "=") or an error code ("#N/A") becomes a cell typed as a string."""
    if isinstance(value, str) and value.startswith(("=", "#")):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def measure(widths: dict[str, int], rows: list[dict[str, Any]]) -> None:
    """Grow the per-column width (characters, capped) from these rows."""
    for r in rows:
        for c, v in r.items():
            if v is None:
                continue
            s = evidence_text(v) if c in SPAN_COLUMNS and isinstance(v, list) else str(v)
            n = min(max((len(x) for x in s.split("\n")), default=0), MAX_WIDTH)
            if n > widths.get(c, 0):
                widths[c] = n


def write_xlsx(path: Path, records: Callable[[], Iterable[dict[str, Any]]], widths: dict[str, dict[str, int]]) -> None:
    """Write the workbook in openpyxl's streaming mode, all sheets in one pass over the records."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {s: PatternFill("solid", start_color=c, end_color=c) for s, c in SEVERITY_FILL.items()}
    sheets = {}
    for table, cols in SHEETS.items():
        ws = sheets[table] = wb.create_sheet(table)
        ws.freeze_panes = "A2"
        for i, c in enumerate(cols, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(len(c), widths.get(table, {}).get(c, 0), 6) + 2
        header = []
        for c in cols:
            cell = WriteOnlyCell(ws, value=c)
            cell.font = bold
            header.append(cell)
        ws.append(header)
    counts = dict.fromkeys(SHEETS, 0)
    for rec in records():
        for table, cols in SHEETS.items():
            ws = sheets[table]
            for r in rec.get(table) or []:
                counts[table] += 1
                if table == "findings":
                    fill = fills.get(r.get("severity"))
                    row = []
                    for c in cols:
                        cell = WriteOnlyCell(ws, value=cell_value(c, r.get(c)))
                        if cell.data_type in ("f", "e"):
                            cell.data_type = "s"  # text, never a formula
                        cell.alignment = wrap
                        if fill is not None:
                            cell.fill = fill
                        row.append(cell)
                    ws.append(row)
                else:
                    ws.append([text_cell(ws, cell_value(c, r.get(c))) for c in cols])
    for table, cols in SHEETS.items():
        sheets[table].auto_filter.ref = f"A1:{get_column_letter(len(cols))}{counts[table] + 1}"
    with atomic_path(path) as tmp:
        wb.save(tmp)
