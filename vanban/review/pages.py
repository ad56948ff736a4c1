"""What each page of the review server shows, as data for its template: the documents, one
document with its findings beside its text, every finding, a task table. The report
(`outputs/report.py`) uses the finding cards too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from vanban.review import docview
from vanban.review import labels as L
from vanban.review.store import DocumentView, FindingView, RunStore

FILTER_KEYS = ("severity", "category", "rule", "state")
PAGE_SIZE = 100  # findings per page of the list of all findings


@dataclass
class Place:
    label: str  # "dòng 47 · Kế hoạch"
    href: str  # where the evidence is marked ("" when it is not in the text)
    absent: str = ""  # the evidence's own words when they are not in the text


@dataclass
class Card:
    """A finding as the page shows it."""

    f: FindingView
    rule_name: str
    explanation: str
    explanation_en: str
    places: list[Place]
    decision: str
    summary: str
    group: int = 0  # findings of the same rule in the document (bulk decisions when > 1)
    doc_title: str = ""
    doc_href: str = ""
    excerpts: list[docview.Excerpt] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.f.state in ("confirmed", "dismissed")


# --------------------------------------------------------------------------- texts shared with the script


def decision_text(f: FindingView) -> str:
    """The reviewer's decision in one sentence (empty when there is none)."""
    r = f.review
    if r is None:
        return ""
    who = f"{r.reviewer or '?'}, {L.vn_datetime(r.decided_at)}"
    note = f" — “{r.note}”" if r.note else ""
    said = L.STATE_LABELS.get(r.state, r.state)
    if f.state == "stale":
        return f"Cần xem lại: trước đây {said.lower()} ({who}){note}, nhưng văn bản hoặc bằng chứng đã thay đổi."
    return f"{said} ({who}){note}"


def summary_text(f: FindingView) -> str:
    """What a collapsed finding says after its state: who decided, and their note."""
    r = f.review
    if r is None or f.state not in ("confirmed", "dismissed"):
        return ""
    return f"{r.reviewer or '?'}" + (f" — {r.note}" if r.note else "")


def finding_json(f: FindingView) -> dict[str, Any]:
    """A finding's state for the script after a decision or an undo."""
    return {
        "fingerprint": f.fingerprint, "state": f.state, "state_label": L.STATE_LABELS.get(f.state, f.state),
        "decision": decision_text(f), "summary": summary_text(f),
    }


# --------------------------------------------------------------------------- addresses


def doc_href(key: str, **query: str) -> str:
    q = {k: v for k, v in query.items() if v}
    return f"/doc/{quote(key, safe='/')}" + (f"?{urlencode(q)}" if q else "")


def doc_title(d: DocumentView) -> str:
    date = L.vn_date(d.date)
    bits = [b for b in (d.type, f"số {d.number}" if d.number else None, f"ngày {date}" if date else None) if b]
    return " ".join(bits) or d.name


def place_label(ev: dict[str, Any]) -> str:
    bits = []
    if ev.get("page") is not None:
        bits.append(f"trang {ev['page']}")
    if ev.get("line") is not None:
        bits.append(f"dòng {ev['line']}")
    if ev.get("part"):
        bits.append(L.PART_LABELS.get(ev["part"], ev["part"]))
    return " · ".join(str(b) for b in bits) or "toàn văn bản"


# --------------------------------------------------------------------------- cards


def card(f: FindingView, texts: dict[str, L.RuleText], located: list[docview.Located] | None = None, *,
         base: str = "", group: int = 0, doc: DocumentView | None = None, text: str | None = None,
         excerpts: bool = False) -> Card:
    """A finding's card; `located` (its evidence found in the text) links each place to its mark."""
    t = texts.get(f.rule) or L.RuleText(f.rule, f.rule, "", "")
    places = []
    for i, ev in enumerate(f.evidence):
        loc = located[i] if located and i < len(located) else None
        marked = loc is not None and (loc.start >= 0 or loc.line is not None)  # its words, or where they should be
        places.append(Place(place_label(ev), f"{base}#e-{f.fingerprint}-{i}" if marked else "",
                            "" if loc is not None and loc.start >= 0 else (ev.get("text") or "")))
    seen: dict[str, int] = {}
    for p in places:  # two pieces of evidence on one line: "dòng 310 (1)", "dòng 310 (2)"
        seen[p.label] = seen.get(p.label, 0) + 1
    if any(n > 1 for n in seen.values()):
        count: dict[str, int] = {}
        for p in places:
            if seen[p.label] > 1:
                count[p.label] = count.get(p.label, 0) + 1
                p.label = f"{p.label} ({count[p.label]})"
    c = Card(f, t.name, t.explanation, t.explanation_en, places, decision_text(f), summary_text(f), group)
    if doc is not None:
        c.doc_title, c.doc_href = doc_title(doc), doc_href(doc.key) + f"#f-{f.fingerprint}"
    if excerpts:
        c.excerpts = [docview.excerpt(text, f, i, ev) for i, ev in enumerate(f.evidence)]
    return c


# --------------------------------------------------------------------------- filters


def apply_filters(findings: list[FindingView], selected: dict[str, str]) -> list[FindingView]:
    out = findings
    for key in FILTER_KEYS:
        if selected.get(key):
            out = [f for f in out if getattr(f, key) == selected[key]]
    return out


def filter_options(findings: list[FindingView], texts: dict[str, L.RuleText]) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter, category and rule lists in Vietnamese alphabetical order."""
    cats = {f.category for f in findings}
    rules = {f.rule for f in findings}
    return {
        "severity": list(L.SEVERITY_LABELS.items()),
        "category": sorted(((c, L.category_label(c)) for c in cats), key=lambda o: L.vn_sort_key(o[1])),
        "rule": sorted(((r, L.rule_name(texts, r)) for r in rules), key=lambda o: L.vn_sort_key(o[1])),
        "state": list(L.STATE_LABELS.items()),
    }


def selected_filters(query: dict[str, str]) -> dict[str, str]:
    return {k: query[k] for k in FILTER_KEYS if query.get(k)}


# --------------------------------------------------------------------------- pages


def index_context(store: RunStore) -> dict[str, Any]:
    docs = store.documents()
    totals = {s: sum(d.counts.get(s, 0) for d in docs) for s in L.SEVERITY_LABELS}
    versions = store.versions()
    changed = {d.doc_id: _changed(versions.get(d.key, []), d) for d in docs}
    return {
        "title": "Các văn bản", "docs": docs, "totals": totals, "changed": changed, "doc_title": doc_title,
        "doc_href": doc_href, "to_review": sum(d.to_review for d in docs), "reviewed": sum(d.reviewed for d in docs),
        "stale": sum(d.states.get("stale", 0) for d in docs), "run": store.run_info(),
    }


def _changed(versions: list[dict[str, Any]], d: DocumentView) -> str:
    """When this document's content last changed (dd/mm/yyyy), if it had another content before."""
    if len(versions) < 2 or not d.sha256:
        return ""
    now = next((v for v in versions if v["sha256"] == d.sha256), versions[-1])
    return L.vn_datetime(now["first_seen"])


def document_context(store: RunStore, doc_id: str, query: dict[str, str], texts: dict[str, L.RuleText]) -> dict[str, Any]:
    """One document: its text with the findings beside the lines they are about."""
    docs = store.documents(counts=False)
    pos = next(i for i, d in enumerate(docs) if d.doc_id == doc_id)
    d = store.document(doc_id)
    versions = store.versions(d.key)
    findings = store.findings(doc_id)
    selected = selected_filters(query)
    shown = apply_filters(findings, selected)
    text = store.text(doc_id)
    groups: dict[str, int] = {}
    for f in findings:
        groups[f.rule] = groups.get(f.rule, 0) + 1
    view = docview.build(text, shown) if text is not None else None
    if view is not None:
        docview.mark_done(view, {f.fingerprint for f in shown if f.state in ("confirmed", "dismissed")})
    located = docview.locate_all(text, shown) if text is not None else {}
    cards = {f.fingerprint: card(f, texts, located.get(f.fingerprint), group=groups[f.rule]) for f in shown}
    if view is not None:
        order = sorted(cards, key=lambda fp: (view.anchors.get(fp, -1), _first_start(located[fp])))
        top, rows = docview.rows(view, cards, order, fold=query.get("view") != "full")
    else:
        top, rows = list(cards.values()), []
    return {
        "title": doc_title(d), "doc": d, "text_missing": text is None, "top": top, "rows": rows,
        "findings": findings, "shown": shown, "selected": selected, "options": filter_options(findings, texts),
        "full": query.get("view") == "full", "href": doc_href(d.key), "tasks_href": doc_href(d.key, view="tasks"),
        "prev": docs[pos - 1] if pos > 0 else None, "next": docs[pos + 1] if pos + 1 < len(docs) else None,
        "position": pos + 1, "count": len(docs), "versions": versions, "changed": _changed(versions, d),
        "orphans": store.orphans(doc_id), "n_tasks": len(store.tasks(doc_id)), "doc_href": doc_href,
        "doc_title": doc_title,
    }


def _first_start(locs: list[docview.Located]) -> int:
    return next((s.start for s in locs if s.start >= 0), -1)


def findings_context(store: RunStore, query: dict[str, str], texts: dict[str, L.RuleText]) -> dict[str, Any]:
    """Every finding of the run, a page at a time, each with its evidence in context."""
    findings = store.findings()
    selected = selected_filters(query)
    shown = apply_filters(findings, selected)
    try:
        page = max(1, int(query.get("page") or 1))
    except ValueError:
        page = 1
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(page, pages)
    part = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    docs = {d.doc_id: d for d in store.documents(counts=False)}
    text_of = {doc_id: store.text(doc_id) for doc_id in {f.doc_id for f in part}}
    cards = [
        card(f, texts, docview.locate_all(text_of[f.doc_id], [f])[f.fingerprint] if text_of[f.doc_id] else None,
             base=doc_href(docs[f.doc_id].key) if f.doc_id in docs else "", doc=docs.get(f.doc_id),
             text=text_of[f.doc_id], excerpts=True)
        for f in part
    ]
    link = lambda n: "/findings?" + urlencode({**selected, "page": str(n)})  # noqa: E731
    return {
        "title": "Tất cả phát hiện", "cards": cards, "findings": findings, "shown": shown, "selected": selected,
        "options": filter_options(findings, texts), "page": page, "pages": pages,
        "prev_href": link(page - 1) if page > 1 else "", "next_href": link(page + 1) if page < pages else "",
    }


def tasks_context(store: RunStore, doc_id: str) -> dict[str, Any]:
    d = store.document(doc_id)
    return {
        "title": f"Bảng nhiệm vụ · {doc_title(d)}", "doc": d, "tasks": store.tasks(doc_id), "href": doc_href(d.key),
        "doc_title": doc_title,
    }


def next_to_review(store: RunStore, after: str | None) -> DocumentView | None:
    """The next document (after the one keyed `after`, wrapping around) with findings to review."""
    docs = store.documents()
    start = next((i + 1 for i, d in enumerate(docs) if d.key == after), 0)
    for d in docs[start:] + docs[:start]:
        if d.to_review and d.key != after:
            return d
    return None
