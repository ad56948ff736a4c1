"""Renderings of the seed decision as a Word file (with real merged cells) and, through
LibreOffice, as a PDF: what the same decision looks like when it arrives in those forms.

The body is the seed's text, one paragraph per paragraph (a line that a page break
split is one paragraph again, as in the original). The appendix is a real Word table
built from the hand-checked task table (tests/data/seed_expected/tasks.csv) and the
section titles written in the seed: a header row Word repeats on every page, section
rows merged across the six columns, and each task's TT and task cells merged down
over its products, as are the product rows' cells that repeat the row above (the
merges the text rendering flattened into empty cells).
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "samples" / "000_2460ae3cff98ef28.txt"
EXPECTED_TASKS = ROOT / "tests" / "data" / "seed_expected" / "tasks.csv"
HEADER = ["TT", "Nội dung, nhiệm vụ", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
FIELDS = ["task_no", "task", "product", "lead", "partners", "deadline"]


def _body_paragraphs(lines: list[str]) -> list[tuple[str, bool]]:
    """(text, bold) of the seed's body lines, rejoining a paragraph a page break split."""
    out: list[tuple[str, bool]] = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        bold = text.startswith("**") and text.endswith("**")
        text = text.strip("*") if bold else text
        if out and not out[-1][0].endswith((".", ";", ":", "!", "?", ")")) and (text[:1].islower() or text[:1].isdigit()) \
                and not re.match(r"^\d+\.\s", text):
            out[-1] = (out[-1][0] + " " + text, out[-1][1])
        else:
            out.append((text, bold))
    return out


def _section_titles(lines: list[str]) -> dict[str, str]:
    titles = {}
    for line in lines:
        cells = line.split("\t")
        if len(cells) > 1 and (m := re.match(r"^([IVX]+)\.\s+(.+)$", cells[0].strip())) and not any(c.strip() for c in cells[1:]):
            titles[m.group(1)] = cells[0].strip()
    return titles


def _vmerge(cell, restart: bool) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    v = OxmlElement("w:vMerge")
    if restart:
        v.set(qn("w:val"), "restart")
    tc_pr.append(v)


def seed_docx(path: Path) -> Path:
    """Write the seed as a .docx with its appendix as a real Word table; returns the path."""
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lines = SEED.read_text(encoding="utf-8").split("\n")
    table_start = next(i for i, l in enumerate(lines) if "\t" in l)
    appendix_start = next(i for i, l in enumerate(lines) if l.strip() == "**PHỤ LỤC**")
    document = docx.Document()
    for text, bold in _body_paragraphs(lines[:appendix_start]):
        document.add_paragraph().add_run(text).bold = bold

    # the appendix in a landscape section of its own, as real plans have it
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for text, bold in _body_paragraphs(lines[appendix_start:table_start]):
        document.add_paragraph().add_run(text).bold = bold

    with open(EXPECTED_TASKS, encoding="utf-8", newline="") as f:
        tasks = list(csv.DictReader(f))
    titles = _section_titles(lines)
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER):
        cell.text = text
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)

    prev: dict[str, str] | None = None
    for t in tasks:
        if prev is None or t["section"] != prev["section"]:
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[5])  # one cell across the six columns (gridSpan)
            merged.text = titles[t["section"]]
            prev = None
        row = table.add_row()
        same_task = prev is not None and (prev["section"], prev["task_no"]) == (t["section"], t["task_no"])
        values = [t[f] for f in FIELDS]
        for i, (cell, value) in enumerate(zip(row.cells, values)):
            field = FIELDS[i]
            if same_task and (field in ("task_no", "task") or (field in ("lead", "partners", "deadline") and prev[field] == value)):
                _vmerge(cell, restart=False)  # continues the cell above: no text of its own
                continue
            cell.text = value
        if same_task:
            above = table.rows[len(table.rows) - 2].cells
            for i, field in enumerate(FIELDS):
                if field in ("task_no", "task") or (field in ("lead", "partners", "deadline") and prev[field] == t[field]):
                    tc_pr = above[i]._tc.get_or_add_tcPr()
                    if tc_pr.find(qn("w:vMerge")) is None:
                        _vmerge(above[i], restart=True)
        prev = t
    document.save(path)
    return path


def seed_pdf(docx_path: Path, out_dir: Path, profile: Path, soffice: str = "soffice") -> Path:
    """The .docx rendering converted to PDF by LibreOffice."""
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
        check=True, capture_output=True, timeout=180,
    )
    return out_dir / (docx_path.stem + ".pdf")
