"""HTML for the review page and the e-mailed report: findings with their evidence highlighted
in the surrounding text, documents with their counts, a task table beside its source.

Every value that reaches the HTML goes through `esc` (document text is untrusted).
The functions return strings; the server and `outputs.report` wrap them in a page.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from vanban.review.store import DocumentView, FindingView, Review

SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Lưu ý"}
STATE_LABELS = {"open": "Chưa xem", "confirmed": "Đã xác nhận", "dismissed": "Đã bác bỏ", "stale": "Cần xem lại"}
PART_LABELS = {"decision": "Quyết định", "plan": "Kế hoạch", "appendix": "Phụ lục"}
CATEGORY_LABELS = {
    "self_reference_mismatch": "Tự dẫn chiếu không khớp",
    "year_out_of_scope": "Năm ngoài phạm vi",
    "year_conflict_in_row": "Năm mâu thuẫn trong một dòng",
    "deadline_conflict": "Thời hạn mâu thuẫn",
    "citation_conflict": "Trích dẫn mâu thuẫn",
    "invalid_reference": "Dẫn chiếu không hợp lệ",
    "numbering_gap": "Đánh số không liên tục",
    "structure_mismatch": "Cấu trúc không khớp",
    "missing_field": "Thiếu thông tin",
    "unmeasurable_target": "Chỉ tiêu không đo được",
    "inconsistent_name": "Tên gọi không thống nhất",
    "typo": "Lỗi chính tả",
}
#: characters of context kept on each side of the evidence in a long paragraph
CONTEXT_CHARS = 240


def esc(v: Any) -> str:
    """Text for HTML (content or a quoted attribute)."""
    return "" if v is None else html.escape(str(v), quote=True)


def category_label(c: str) -> str:
    return CATEGORY_LABELS.get(c, c)


# --------------------------------------------------------------------------- evidence in context


def _find_span(text: str, ev: dict[str, Any]) -> tuple[int, int] | None:
    """Where the evidence is in the text: its offsets when they are sound, else its text searched for."""
    start, end = ev.get("start"), ev.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return start, end
    needle = (ev.get("text") or "").strip()
    if not needle:
        return None
    line = ev.get("line")
    if isinstance(line, int) and line >= 1:
        lines = text.split("\n")
        if line <= len(lines):
            at = lines[line - 1].find(needle)
            if at >= 0:
                off = sum(len(l) + 1 for l in lines[: line - 1])
                return off + at, off + at + len(needle)
    at = text.find(needle)
    return (at, at + len(needle)) if at >= 0 else None


def _with_tabs(segment: str) -> str:
    """Escaped text in which a tab (the cell boundary of a table row) shows as a rule."""
    return '<span class="cell-sep" aria-hidden="true"> │ </span>'.join(esc(p) for p in segment.split("\t"))


def where_label(ev: dict[str, Any]) -> str:
    bits = []
    if ev.get("page") is not None:
        bits.append(f"trang {ev['page']}")
    if ev.get("line") is not None:
        bits.append(f"dòng {ev['line']}")
    if ev.get("part"):
        bits.append(PART_LABELS.get(ev["part"], ev["part"]))
    return " · ".join(str(b) for b in bits)


def evidence_html(text: str | None, ev: dict[str, Any]) -> str:
    """One piece of evidence: the paragraph or table row around it, the evidence marked, and where it is."""
    where = esc(where_label(ev))
    span = _find_span(text, ev) if text else None
    if span is None:  # e.g. the "(phần ký)" of a missing signature: nothing in the text to mark
        quoted = esc(ev.get("text") or "")
        where = f"{where} · không có trong văn bản" if where else "không có trong văn bản"
        return f'<div class="ev"><div class="where">{where}</div><p class="src absent">{quoted}</p></div>'
    start, end = span
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    b = len(text) if b < 0 else b
    pre_cut, post_cut = a < start - CONTEXT_CHARS, b > end + CONTEXT_CHARS
    a, b = max(a, start - CONTEXT_CHARS), min(b, end + CONTEXT_CHARS)
    is_row = "\t" in text[a:b]
    body = (
        ("… " if pre_cut else "")
        + _with_tabs(text[a:start])
        + "<mark>" + _with_tabs(text[start:end]) + "</mark>"
        + _with_tabs(text[end:b])
        + (" …" if post_cut else "")
    )
    kind = "hàng bảng" if is_row else "đoạn"
    label = f"{where} · {kind}" if where else kind
    return f'<div class="ev"><div class="where">{label}</div><p class="src{" row" if is_row else ""}">{body}</p></div>'


# --------------------------------------------------------------------------- findings


def badge(kind: str, value: str, label: str) -> str:
    return f'<span class="badge {esc(kind)}-{esc(value)}">{esc(label)}</span>'


def review_line(f: FindingView) -> str:
    """What the reviewer decided, or that an earlier decision needs a new look."""
    r: Review | None = f.review
    if r is None:
        return '<p class="decision" data-role="decision">Chưa có quyết định.</p>'
    who = f"{esc(r.reviewer or '?')}, {esc(vn_datetime(r.decided_at))}"
    said = STATE_LABELS.get(r.state, r.state)
    note = f' — “{esc(r.note)}”' if r.note else ""
    if f.state == "stale":
        return (
            f'<p class="decision stale" data-role="decision">Cần xem lại: trước đây {esc(said.lower())} '
            f"({who}){note}, nhưng văn bản hoặc bằng chứng đã thay đổi.</p>"
        )
    return f'<p class="decision" data-role="decision">{esc(said)} ({who}){note}</p>'


def finding_html(
    f: FindingView, text: str | None, explanation: str | None, *, interactive: bool, doc_label: str | None = None
) -> str:
    """One finding: badges, the Vietnamese message (English behind a toggle), the evidence in
    context, the rule's explanation, the decision, and (on the served page) the decision form."""
    head = (
        badge("sev", f.severity, SEVERITY_LABELS.get(f.severity, f.severity))
        + badge("state", f.state, STATE_LABELS.get(f.state, f.state))
        + f'<span class="cat">{esc(category_label(f.category))}</span>'
        + f'<code class="rule">{esc(f.rule)}</code>'
    )
    if doc_label:
        head += f'<span class="doc-label">{doc_label}</span>'
    evidence = "".join(evidence_html(text, e) for e in f.evidence) or '<p class="muted">(không có bằng chứng)</p>'
    parts = [
        f'<article class="finding sev-{esc(f.severity)}" id="f-{esc(f.fingerprint)}" data-state="{esc(f.state)}">',
        f'<header class="finding-head">{head}</header>',
        f'<p class="msg" lang="vi">{esc(f.message)}</p>',
        f'<details class="en"><summary>English</summary><p lang="en">{esc(f.message_en)}</p></details>',
        evidence,
    ]
    if explanation:
        parts.append(
            f'<details class="why"><summary>Vì sao quy tắc này báo? (giải thích bằng tiếng Anh)</summary>'
            f'<pre lang="en">{esc(inspect.cleandoc(explanation))}</pre></details>'
        )
    parts.append(review_line(f))
    if interactive:
        parts.append(
            f'<form class="decide" data-doc="{esc(f.doc_id)}" data-fp="{esc(f.fingerprint)}">'
            f'<label>Ghi chú <textarea name="note" maxlength="2000" rows="2">{esc(f.review.note if f.review else "")}</textarea></label>'
            '<div class="buttons">'
            '<button type="submit" name="state" value="confirmed" class="btn-confirm">Xác nhận</button>'
            '<button type="submit" name="state" value="dismissed" class="btn-dismiss">Bác bỏ</button>'
            '<span class="status" role="status"></span></div></form>'
        )
    parts.append("</article>")
    return "\n".join(parts)


def findings_html(
    findings: Iterable[FindingView], texts: dict[str, str | None], explanations: dict[str, str], *, interactive: bool,
    doc_labels: dict[str, str] | None = None,
) -> str:
    out = [
        finding_html(
            f, texts.get(f.doc_id), explanations.get(f.rule), interactive=interactive,
            doc_label=(doc_labels or {}).get(f.doc_id),
        )
        for f in findings
    ]
    return "\n".join(out) if out else '<p class="empty">Không có phát hiện nào khớp bộ lọc.</p>'


def counts_html(d: DocumentView) -> str:
    cells = "".join(
        f'<td class="num">{badge("sev", s, str(d.counts.get(s, 0))) if d.counts.get(s) else "0"}</td>'
        for s in ("error", "warning", "info")
    )
    reviewed = d.states.get("confirmed", 0) + d.states.get("dismissed", 0)
    total = sum(d.counts.values())
    stale = d.states.get("stale", 0)
    stale_html = f' {badge("state", "stale", f"{stale} cần xem lại")}' if stale else ""
    return cells + f'<td class="num">{reviewed}/{total}{stale_html}</td>'


def filter_form(action: str, selected: dict[str, str], categories: Iterable[str], hidden: dict[str, str] | None = None) -> str:
    """GET filters by severity, category and review state (works without script)."""

    def select(name: str, label: str, options: list[tuple[str, str]]) -> str:
        opts = ['<option value="">Tất cả</option>'] + [
            f'<option value="{esc(v)}"{" selected" if selected.get(name) == v else ""}>{esc(t)}</option>' for v, t in options
        ]
        return f'<label>{esc(label)} <select name="{esc(name)}">{"".join(opts)}</select></label>'

    hidden_inputs = "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in (hidden or {}).items())
    return (
        f'<form class="filters" method="get" action="{esc(action)}">{hidden_inputs}'
        + select("severity", "Mức độ", list(SEVERITY_LABELS.items()))
        + select("category", "Loại", [(c, category_label(c)) for c in sorted(set(categories))])
        + select("state", "Trạng thái xem xét", list(STATE_LABELS.items()))
        + '<button type="submit">Lọc</button></form>'
    )


def apply_filters(findings: list[FindingView], selected: dict[str, str]) -> list[FindingView]:
    out = findings
    for key, attr in (("severity", "severity"), ("category", "category"), ("state", "state")):
        if selected.get(key):
            out = [f for f in out if getattr(f, attr) == selected[key]]
    return out


def doc_href(doc_id: str, suffix: str = "", **query: str) -> str:
    q = {k: v for k, v in query.items() if v}
    return f"/doc/{quote(doc_id, safe='')}{suffix}" + (f"?{urlencode(q)}" if q else "")


def vn_date(iso: str | None) -> str | None:
    """2021-01-05 -> 05/01/2021, as Vietnamese documents write dates."""
    if iso and len(iso) == 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"
    return iso


def vn_datetime(iso: str | None) -> str:
    """2021-01-05T14:03:09+07:00 -> 05/01/2021 14:03 (the local time it was stored with)."""
    if not iso or len(iso) < 16 or iso[10] != "T":
        return iso or ""
    return f"{vn_date(iso[:10])} {iso[11:16]}"


def doc_title(d: DocumentView) -> str:
    date = vn_date(d.date)
    bits = [b for b in (d.type, f"số {d.number}" if d.number else None, f"ngày {date}" if date else None) if b]
    return " ".join(bits) or d.name


# --------------------------------------------------------------------------- task table beside the source


DEADLINE_KIND_LABELS = {
    "fixed": "cố định", "recurring": "định kỳ", "continuous": "thường xuyên", "by_reference": "theo văn bản khác",
    "unparsed": "chưa đọc được",
}
TASK_VIEW_COLUMNS = [
    ("task_no", "TT"), ("task", "Nhiệm vụ"), ("product", "Sản phẩm"), ("lead_canonical", "Chủ trì"),
    ("partners_canonical", "Phối hợp"), ("deadline", "Thời hạn"), ("deadline_kind", "Loại thời hạn"), ("line", "Dòng"),
]


def tasks_and_source_html(tasks: list[dict[str, Any]], text: str | None) -> str:
    """The clean task table on the left, the source text with line numbers on the right; a task's
    line number links to its line."""
    head = "".join(f"<th>{esc(t)}</th>" for _, t in TASK_VIEW_COLUMNS)
    rows = []
    section = None
    for t in tasks:
        sec = t.get("section") or ""
        if sec != section:
            section = sec
            title = " ".join(x for x in (sec, t.get("section_title") or "") if x)
            if title:
                rows.append(f'<tr class="section"><td colspan="{len(TASK_VIEW_COLUMNS)}">{esc(title)}</td></tr>')
        cells = []
        for key, _ in TASK_VIEW_COLUMNS:
            v = t.get(key)
            if key == "deadline_kind":
                v = DEADLINE_KIND_LABELS.get(v, v)
            if key == "line" and isinstance(v, int):
                cells.append(f'<td class="num"><a href="#L{v}">{v}</a></td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        f'<table class="tasks"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        if rows else '<p class="empty">Văn bản này không có bảng nhiệm vụ.</p>'
    )
    if text is None:
        source = '<p class="empty">Không tìm thấy văn bản gốc (OUT/docs).</p>'
    else:
        lines = "".join(
            f'<div class="line" id="L{i}"><span class="ln">{i}</span><span class="lt">{_with_tabs(line) or "&nbsp;"}</span></div>'
            for i, line in enumerate(text.split("\n"), 1)
        )
        source = f'<div class="source">{lines}</div>'
    return (
        f'<div class="split"><section class="pane"><h2>Bảng nhiệm vụ ({len(tasks)} dòng)</h2>{table}</section>'
        f'<section class="pane"><h2>Văn bản gốc</h2>{source}</section></div>'
    )


# --------------------------------------------------------------------------- page shell

CSS = """
:root { --fg:#1d2330; --muted:#5b6475; --bg:#f6f7f9; --card:#fff; --line:#d9dde5; --accent:#1f5fa8;
        --err:#b42318; --err-bg:#fde8e6; --warn:#8a5300; --warn-bg:#fff1d6; --info:#245a8d; --info-bg:#e5f0fb;
        --ok:#1b6e3a; --ok-bg:#e2f4e8; --stale:#7a3fa0; --stale-bg:#f1e6f8; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.5 "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif; color:var(--fg); background:var(--bg); }
header.top { background:#fff; border-bottom:1px solid var(--line); padding:10px 24px; display:flex; gap:24px; align-items:center; flex-wrap:wrap; }
header.top h1 { font-size:18px; margin:0; }
header.top nav a { margin-right:16px; }
header.top .who { margin-left:auto; font-size:14px; }
header.top .who input { width:14em; padding:3px 6px; }
main { max-width:1180px; margin:0 auto; padding:16px 24px 48px; }
main.wide { max-width:none; }
a { color:var(--accent); }
h2 { font-size:17px; margin:18px 0 8px; }
.muted, .where { color:var(--muted); font-size:13px; }
table { border-collapse:collapse; background:var(--card); width:100%; }
th, td { border:1px solid var(--line); padding:5px 8px; text-align:left; vertical-align:top; }
th { background:#eef1f5; font-weight:600; }
td.num { text-align:right; white-space:nowrap; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; margin-right:6px; }
.sev-error.badge, .badge.sev-error { color:var(--err); background:var(--err-bg); }
.badge.sev-warning { color:var(--warn); background:var(--warn-bg); }
.badge.sev-info { color:var(--info); background:var(--info-bg); }
.badge.state-open { color:var(--muted); background:#eceff3; }
.badge.state-confirmed { color:var(--ok); background:var(--ok-bg); }
.badge.state-dismissed { color:#4a4f59; background:#e4e6ea; }
.src.absent { font-style:italic; color:var(--muted); }
.badge.state-stale { color:var(--stale); background:var(--stale-bg); }
.finding { background:var(--card); border:1px solid var(--line); border-left:5px solid var(--info); border-radius:6px; padding:10px 14px; margin:12px 0; }
.finding.sev-error { border-left-color:var(--err); }
.finding.sev-warning { border-left-color:#d08a00; }
.finding[data-state="dismissed"] { opacity:.75; }
.finding-head { display:flex; flex-wrap:wrap; gap:4px; align-items:center; }
.cat { font-size:13px; color:var(--muted); margin-right:8px; }
code.rule { font-size:12px; color:var(--muted); }
.doc-label { margin-left:auto; font-size:13px; }
.msg { font-size:16px; margin:8px 0 4px; }
details { margin:4px 0; }
details summary { cursor:pointer; color:var(--accent); font-size:13px; }
details pre { white-space:pre-wrap; font: 13px/1.45 inherit; background:#f3f5f8; padding:8px; border-radius:4px; margin:4px 0; }
.ev { margin:8px 0; }
.src { margin:2px 0; padding:8px 10px; background:#fafbfc; border:1px solid var(--line); border-radius:4px; white-space:pre-wrap; word-break:break-word; }
.src.row { font-size:14px; }
.cell-sep { color:#9aa3b2; }
mark { background:#ffe066; padding:0 1px; border-radius:2px; }
.decision { font-size:14px; margin:6px 0; }
.decision.stale { color:var(--stale); font-weight:600; }
form.decide { display:flex; gap:12px; align-items:flex-end; flex-wrap:wrap; margin-top:4px; }
form.decide label { flex:1 1 320px; font-size:13px; color:var(--muted); }
form.decide textarea { display:block; width:100%; font:inherit; padding:4px 6px; }
.buttons { display:flex; gap:8px; align-items:center; }
button { font:inherit; padding:4px 12px; border:1px solid var(--line); border-radius:4px; background:#fff; cursor:pointer; }
.btn-confirm { border-color:var(--ok); color:var(--ok); }
.btn-dismiss { border-color:#6b7280; color:#374151; }
.status { font-size:13px; color:var(--muted); }
.status.error { color:var(--err); }
form.filters { display:flex; gap:14px; align-items:center; flex-wrap:wrap; background:var(--card); border:1px solid var(--line); border-radius:6px; padding:8px 12px; }
form.filters select { font:inherit; }
.empty { color:var(--muted); font-style:italic; }
.split { display:grid; grid-template-columns: 1.2fr 1fr; gap:16px; }
.pane { min-width:0; }
.pane table.tasks { font-size:13px; }
.pane tr.section td { background:#eef1f5; font-weight:600; }
.source { background:var(--card); border:1px solid var(--line); height:80vh; overflow:auto; font-size:13px; }
.line { display:flex; }
.line:target { background:#fff3b0; }
.ln { flex:0 0 3.5em; text-align:right; padding-right:8px; color:#9aa3b2; user-select:none; }
.lt { white-space:pre-wrap; word-break:break-word; }
.pane:first-child { max-height:84vh; overflow:auto; }
.docmeta { color:var(--muted); margin:0 0 8px; }
.report-doc { margin-top:28px; border-top:2px solid var(--line); }
@media (max-width: 1000px) { .split { grid-template-columns:1fr; } }
"""


def page(title: str, body: str, *, nav: str = "", head_extra: str = "", who: bool = False, wide: bool = False,
         styles: str | None = None, scripts: str = "", heading: str = "vanban · Xem xét phát hiện") -> str:
    """An HTML document; `styles` inline (the report) or the served stylesheet link."""
    style = f"<style>{styles}</style>" if styles is not None else '<link rel="stylesheet" href="/static/app.css">'
    who_html = (
        '<div class="who"><label>Người xem xét: <input id="reviewer" type="text" maxlength="100" '
        'autocomplete="name" placeholder="Họ và tên"></label></div>'
        if who else ""
    )
    main_class = ' class="wide"' if wide else ""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{head_extra}<title>{esc(title)}</title>{style}</head><body>"
        f'<header class="top"><h1>{esc(heading)}</h1><nav>{nav}</nav>{who_html}</header>'
        f"<main{main_class}>"
        f"{body}</main>{scripts}</body></html>\n"
    )
