"""OUT/report.html: the run's findings with their evidence highlighted, in one self-contained
file to send by e-mail (styles inline, no script, no font or image fetched: it opens offline).

It shows the review decisions stored so far and carries them as a CSV download (a data: link).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

from vanban.outputs.files import atomic_open

#: the report may load nothing at all; styles are inline
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


_BODY = "\x00vanban-report-body\x00"
_BATCH = 200  # documents whose findings are read in one query


def _report_parts(out: Path) -> Iterator[str]:
    """The report of the run in OUT, piece by piece (a document at a time), so that a
    large run's report is written without holding it in memory."""
    from vanban.review import html as H
    from vanban.review.server import _explanations
    from vanban.review.store import RunStore

    store = RunStore(out)
    docs = store.documents()
    explanations = _explanations()
    head_extra = f'<meta http-equiv="Content-Security-Policy" content="{H.esc(REPORT_CSP)}">'
    prefix, suffix = H.page("Báo cáo phát hiện · vanban", _BODY, head_extra=head_extra, styles=H.CSS,
                            heading="vanban · Báo cáo phát hiện").split(_BODY)
    total = {s: sum(d.counts.get(s, 0) for d in docs) for s in ("error", "warning", "info")}
    yield prefix
    yield (
        f"<h2>Tóm tắt: {len(docs)} văn bản, {total['error']} lỗi, {total['warning']} cảnh báo, {total['info']} lưu ý</h2>"
        '<table><thead><tr><th>Văn bản</th><th>Trích yếu</th><th>Lỗi</th><th>Cảnh báo</th><th>Lưu ý</th>'
        "<th>Đã xem xét</th></tr></thead><tbody>"
    )
    for d in docs:
        yield (f'<tr><td><a href="#doc-{H.esc(d.doc_id)}">{H.esc(H.doc_title(d))}</a><div class="muted">{H.esc(d.name)}</div></td>'
               f"<td>{H.esc(d.subject)}</td>{H.counts_html(d)}</tr>")
    yield "</tbody></table>"
    export = store.export_rows()
    if export:
        data = base64.b64encode(("\ufeff" + store.export_csv()).encode("utf-8")).decode("ascii")
        yield (f'<p><a download="reviews.csv" href="data:text/csv;charset=utf-8;base64,{data}">'
               f"Tải CSV {len(export)} quyết định xem xét</a></p>")
    for start in range(0, len(docs), _BATCH):
        batch = docs[start : start + _BATCH]
        findings = store.findings_of([d.doc_id for d in batch if d.status == "ok"])  # one query a batch
        for d in batch:
            head = (
                f'<section class="report-doc" id="doc-{H.esc(d.doc_id)}"><h2>{H.esc(H.doc_title(d))}</h2>'
                f'<p class="docmeta">{H.esc(d.subject)}<br>{H.esc(d.source)}</p>'
            )
            if d.status == "duplicate":  # same name and bytes as another input: its findings are there
                body = '<p class="muted">Trùng tên và nội dung với một văn bản khác trong lần chạy (xem documents.csv).</p>'
            elif d.status != "ok":
                body = f'<p class="decision stale">Không xử lý được: {H.esc(d.error)}</p>'
            else:
                body = H.findings_html(findings.get(d.doc_id, []), {d.doc_id: store.text(d.doc_id)}, explanations,
                                       interactive=False)
            yield head + body + "</section>"
    yield suffix


def report_html(out: Path) -> str:
    """The report of the run in OUT as an HTML string."""
    return "".join(_report_parts(out))


def write_report(out: Path) -> Path:
    """Write OUT/report.html from OUT/vanban.sqlite and OUT/docs, a document at a time; returns its path."""
    out = Path(out)
    path = out / "report.html"
    with atomic_open(path, "w", encoding="utf-8") as f:
        for part in _report_parts(out):
            f.write(part)
    return path
