"""OUT/report.html: the run's findings with their evidence highlighted, grouped by document and
severity, for people who will not open the review page: self-contained (styles inline, no
script, nothing fetched: it opens offline and can be sent by e-mail).

It says when and on what the run was made (date, input folder, counts, vanban version), shows
the review decisions stored so far and carries them as a CSV download (a data: link). A run of
up to SINGLE_FILE_MAX documents is one file; a larger one is an index in report.html and a page
per document in OUT/report/, so that each page stays small enough to open and read. Each page
explains the rules it uses once, at its end.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from markupsafe import Markup

from vanban.outputs.files import atomic_open

#: the report may load nothing at all; styles are inline
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
#: up to this many documents the report is one file; beyond, an index and a page per document
SINGLE_FILE_MAX = 50
#: in one file, documents are shown open up to this many, collapsed beyond (the index leads to them)
OPEN_MAX = 10
PAGES_DIR = "report"

_BODY = "@@vanban-report-body@@"
_BATCH = 200  # documents whose findings are read in one query


class _Report:
    """What every page of one report shares: the store, the rules' texts, the frame of a page."""

    def __init__(self, out: Path, *, counted: bool):
        from vanban import __version__
        from vanban.review import labels as L
        from vanban.review.render import macro, render, static
        from vanban.review.server import _explanations
        from vanban.review.store import RunStore

        self.store = RunStore(out)
        self.docs = self.store.documents(counts=counted)  # else counted as the findings are read (one pass)
        self.texts = L.rule_texts(_explanations())
        self.order = {rid: i for i, rid in enumerate(sorted(self.texts, key=lambda r: L.vn_sort_key(self.texts[r].name)))}
        self.run = self.store.run_info()
        self.now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.version = __version__
        self.part: Callable[[str], Any] = lambda name: macro("report_parts.html", name)
        css = Markup(_minified(static("app.css").decode("utf-8")))  # the package's own file, not document text
        self.frame = lambda title, home: render(
            "report.html", title=title, inline_css=css, csp=REPORT_CSP, home=home, body=_BODY,
        ).split(_BODY)

    def heading(self, *, split: bool) -> str:
        """The report's title, when and on what the run was made, and the decisions as a CSV link."""
        from vanban.review.labels import SEVERITY_LABELS

        totals = {s: sum(d.counts.get(s, 0) for d in self.docs) for s in SEVERITY_LABELS}
        states: dict[str, int] = {}
        for d in self.docs:
            for k, v in d.states.items():
                states[k] = states.get(k, 0) + v
        failed = sum(d.status not in ("ok", "duplicate") for d in self.docs)
        n_csv = len(self.store.export_rows())
        csv = base64.b64encode(("\ufeff" + self.store.export_csv()).encode("utf-8")).decode("ascii") if n_csv else ""
        info = self.part("run_info")(self.run, self.now, len(self.docs), failed, totals, states, self.version)
        return str(self.part("heading")(len(self.docs), info, csv, n_csv, split))

    def cards_by_severity(self, d: Any, findings: list[Any]) -> list[tuple[str, list[Any]]]:
        from vanban.review import pages as P
        from vanban.review.labels import SEVERITY_LABELS

        text = self.store.text(d.doc_id) if findings else None
        groups = []
        for sev in SEVERITY_LABELS:
            cards = [P.card(f, self.texts, doc=None, text=text, excerpts=True) for f in findings if f.severity == sev]
            if cards:
                groups.append((sev, cards))
        return groups

    def glossary(self, rules: set[str]) -> str:
        texts = [self.texts[r] for r in sorted((r for r in rules if r in self.texts), key=self.order.__getitem__)]
        return str(self.part("glossary")(texts))

def _minified(css: str) -> str:
    """The stylesheet without its comments and spaces (it is inlined in every page of a report)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};])\s*", r"\1", css).strip()


def _batches(rep: _Report, *, count: bool = False) -> Iterator[tuple[Any, list[Any]]]:
    """(document, its findings) for every document, reading the findings a batch of documents at a time
    (`count`: and counting them on the document)."""
    for start in range(0, len(rep.docs), _BATCH):
        batch = rep.docs[start : start + _BATCH]
        findings = rep.store.findings_of([d.doc_id for d in batch if d.status == "ok"])
        for d in batch:
            mine = findings.get(d.doc_id, [])
            if count:
                for f in mine:
                    d.counts[f.severity] = d.counts.get(f.severity, 0) + 1
                    d.states[f.state] = d.states.get(f.state, 0) + 1
            yield d, sorted(mine, key=lambda f: (f.first_line, f.rule))


def _single(rep: _Report) -> Iterator[str]:
    """The report in one file: the run, the index, each document's findings, the rules' explanations."""
    from vanban.review.pages import doc_title

    prefix, suffix = rep.frame("Báo cáo phát hiện", "#")
    yield prefix
    yield rep.heading(split=False)
    index, row = rep.part("index_head"), rep.part("index_row")
    yield str(index()) + "".join(str(row(d, f"#doc-{i}", doc_title(d))) for i, d in enumerate(rep.docs, 1)) + str(rep.part("index_tail")())
    used: set[str] = set()
    open_all = len(rep.docs) <= OPEN_MAX
    for i, (d, findings) in enumerate(_batches(rep), 1):
        used.update(f.rule for f in findings)
        yield str(rep.part("document")(d, doc_title(d), f"doc-{i}", rep.cards_by_severity(d, findings), open_all))
    yield rep.glossary(used)
    yield suffix


def page_name(key: str) -> str:
    """The file of a document's page: its key made a safe file name, with a hash of the key (unique)."""
    slug = re.sub(r"[^0-9A-Za-z._-]+", "_", key)[-80:].strip("._") or "van-ban"
    return f"{slug}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}.html"


def _split(rep: _Report, out: Path) -> Iterator[str]:
    """report.html as the run and an index; each document with findings on its page in OUT/report/."""
    from vanban.review.pages import doc_title

    folder = out / PAGES_DIR
    folder.mkdir(exist_ok=True)
    written: set[str] = set()
    rows = []
    for d, findings in _batches(rep, count=True):
        name = page_name(d.key) if findings or d.status != "ok" else ""
        if name:
            _write_document_page(rep, folder / name, d, findings)
            written.add(name)
        rows.append(str(rep.part("index_row")(d, f"{PAGES_DIR}/{name}" if name else "", doc_title(d))))
    for old in folder.glob("*.html"):  # pages of documents no longer in the run
        if old.name not in written:
            old.unlink(missing_ok=True)
    prefix, suffix = rep.frame("Báo cáo phát hiện", "#")
    yield prefix
    yield rep.heading(split=True)
    yield str(rep.part("index_head")()) + "".join(rows) + str(rep.part("index_tail")())
    yield suffix


def _write_document_page(rep: _Report, path: Path, d: Any, findings: list[Any]) -> None:
    """A document's page, written only when it differs from the one there (a re-run rewrites nothing else)."""
    from vanban.review.pages import doc_title

    prefix, suffix = rep.frame(doc_title(d), "../report.html")
    body = str(rep.part("document")(d, doc_title(d), "doc", rep.cards_by_severity(d, findings), True))
    page = prefix + body + rep.glossary({x.rule for x in findings}) + suffix
    try:
        if path.read_text(encoding="utf-8") == page:
            return
    except (OSError, UnicodeDecodeError):
        pass
    with atomic_open(path, "w", encoding="utf-8", durable=False) as f:
        f.write(page)


def _report_parts(out: Path) -> Iterator[str]:
    """The report of the run in OUT, piece by piece (a document at a time)."""
    from vanban.review.store import RunStore

    if len(RunStore(out).documents(counts=False)) > SINGLE_FILE_MAX:
        yield from _split(_Report(out, counted=False), out)
        return
    yield from _single(_Report(out, counted=True))
    folder = out / PAGES_DIR
    if folder.is_dir():  # a larger run wrote pages here before
        for old in folder.glob("*.html"):
            old.unlink(missing_ok=True)


def write_report(out: Path) -> Path:
    """Write OUT/report.html (and OUT/report/ for a large run) from OUT/vanban.sqlite and OUT/docs; returns its path."""
    out = Path(out)
    path = out / "report.html"
    with atomic_open(path, "w", encoding="utf-8") as f:
        for part in _report_parts(out):
            f.write(part)
    return path
