"""`vanban review OUT`: the review page, served on 127.0.0.1 from the run's database.

Routes (GET): `/` the documents, `/findings` every finding, `/doc/<doc_id>` one
document's findings, `/doc/<doc_id>/tasks` its task table beside its text,
`/export.csv` the decisions, `/static/app.css|app.js`. POST `/api/review` stores
a decision: a JSON body `{doc_id, fingerprint, state, note, reviewer}` with the
page's CSRF token in the `X-CSRF-Token` header.

Defences, since document text is untrusted and a browser may be tricked into
calling a local server: only Host 127.0.0.1:PORT or localhost:PORT is served
(DNS rebinding); a strict Content-Security-Policy (scripts and styles from this
server only, nothing inline); every value escaped; the script writes with
textContent only; POSTs need JSON, the per-server token and a same-origin Origin.
"""

from __future__ import annotations

import hmac
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from vanban.review import html as H
from vanban.review.connections import BoundedServer, DeadlineHandler
from vanban.review.store import ReviewError, RunStore

MAX_BODY = 16 * 1024

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

APP_JS = r"""
"use strict";
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";
  var who = document.getElementById("reviewer");
  var KEY = "vanban.reviewer";
  var LABELS = {confirmed: "Đã xác nhận", dismissed: "Đã bác bỏ"};
  function remember(name) { try { localStorage.setItem(KEY, name); } catch (e) {} }
  if (who) {
    try { who.value = localStorage.getItem(KEY) || ""; } catch (e) {}
    who.addEventListener("change", function () { remember(who.value.trim()); });
  }
  function fail(status, text) { status.textContent = text; status.classList.add("error"); }
  document.querySelectorAll("form.decide").forEach(function (form) {
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var state = ev.submitter ? ev.submitter.value : "";
      var status = form.querySelector(".status");
      status.className = "status";
      var name = who ? who.value.trim() : "";
      if (!name) { fail(status, "Hãy nhập tên người xem xét ở đầu trang."); if (who) who.focus(); return; }
      remember(name);
      status.textContent = "Đang lưu…";
      var resp, data;
      try {
        resp = await fetch("/api/review", {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
          body: JSON.stringify({doc_id: form.dataset.doc, fingerprint: form.dataset.fp, state: state,
                                note: form.elements.note.value, reviewer: name})
        });
        data = await resp.json();
      } catch (e) { fail(status, "Không lưu được: không kết nối được máy chủ."); return; }
      if (!resp.ok) { fail(status, "Không lưu được: " + (data && data.error ? data.error : resp.status)); return; }
      var card = form.closest(".finding");
      card.dataset.state = data.state;
      var badge = card.querySelector(".finding-head .badge[class*='state-']");
      if (badge) { badge.className = "badge state-" + data.state; badge.textContent = LABELS[data.state]; }
      var line = card.querySelector("[data-role=decision]");
      if (line) {
        line.className = "decision";
        line.textContent = LABELS[data.state] + " (" + data.reviewer + ", " + data.decided_at + ")" +
          (data.note ? " — “" + data.note + "”" : "");
      }
      status.textContent = "Đã lưu.";
    });
  });
})();
"""


def _explanations() -> dict[str, str]:
    """rule id -> the rule's docstring (empty when the rules cannot be loaded: the page still works)."""
    try:
        from vanban.rules.engine import load_rules

        return {rid: r.explanation for rid, r in load_rules().items()}
    except Exception as e:  # a rule module being edited must not take the review page down
        print(f"vanban review: rule explanations unavailable ({type(e).__name__}: {e})", file=sys.stderr)
        return {}


class ReviewServer(BoundedServer, ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, out: Path, port: int = 0, *, quiet: bool = True, **limits: Any):
        self.init_limits(**limits)  # threads, timeouts: vanban.review.connections
        self.store = RunStore(out)
        self.csrf_token = secrets.token_urlsafe(32)
        self.explanations = _explanations()
        self.quiet = quiet
        super().__init__(("127.0.0.1", port), ReviewHandler)
        self.port = self.server_address[1]
        self.allowed_hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def _nav() -> str:
    return '<a href="/">Văn bản</a><a href="/findings">Tất cả phát hiện</a><a href="/export.csv">Tải CSV các quyết định</a>'


class ReviewHandler(DeadlineHandler, BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "vanban-review"
    sys_version = ""

    # ------------------------------------------------------------------ plumbing

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/html; charset=utf-8")

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _error_page(self, status: int, message: str) -> None:
        self._html(status, H.page("Lỗi", f'<h2>{status}</h2><p>{H.esc(message)}</p>', nav=_nav()))

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if host in self.server.allowed_hosts:
            return True
        self._send(421, "Host không được phép.\n".encode(), "text/plain; charset=utf-8")
        return False

    def _page(self, title: str, body: str, *, wide: bool = False) -> str:
        token = f'<meta name="csrf-token" content="{H.esc(self.server.csrf_token)}">'
        return H.page(
            title, body, nav=_nav(), head_extra=token, who=True, wide=wide,
            scripts='<script src="/static/app.js" defer></script>',
        )

    # ------------------------------------------------------------------ GET

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items() if v}
        parts = [unquote(p) for p in url.path.split("/") if p]
        try:
            if not parts:
                return self._html(200, self._index())
            if parts == ["findings"]:
                return self._html(200, self._findings(None, query))
            if len(parts) == 2 and parts[0] == "doc":
                return self._document(parts[1], query)
            if len(parts) == 3 and parts[0] == "doc" and parts[2] == "tasks":
                return self._tasks(parts[1])
            if parts == ["export.csv"]:
                body = ("\ufeff" + self.server.store.export_csv()).encode("utf-8")
                return self._send(200, body, "text/csv; charset=utf-8", {"Content-Disposition": 'attachment; filename="reviews.csv"'})
            if parts == ["static", "app.css"]:
                return self._send(200, H.CSS.encode(), "text/css; charset=utf-8")
            if parts == ["static", "app.js"]:
                return self._send(200, APP_JS.encode(), "text/javascript; charset=utf-8")
        except FileNotFoundError as e:
            return self._error_page(500, str(e))
        self._error_page(404, "Không có trang này.")

    def _index(self) -> str:
        docs = self.server.store.documents()
        rows = []
        for d in docs:
            status = "" if d.status == "ok" else f'<br><span class="muted">lỗi: {H.esc(d.error)}</span>'
            rows.append(
                f'<tr><td><a href="{H.esc(H.doc_href(d.doc_id))}">{H.esc(H.doc_title(d))}</a>'
                f'<div class="muted">{H.esc(d.name)}</div>{status}</td>'
                f'<td>{H.esc(d.subject)}</td>{H.counts_html(d)}'
                f'<td><a href="{H.esc(H.doc_href(d.doc_id, "/tasks"))}">Bảng nhiệm vụ</a></td></tr>'
            )
        table = (
            '<table><thead><tr><th>Văn bản</th><th>Trích yếu</th><th>Lỗi</th><th>Cảnh báo</th><th>Lưu ý</th>'
            "<th>Đã xem xét</th><th></th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            if rows else '<p class="empty">Lần chạy này chưa có văn bản nào.</p>'
        )
        body = f"<h2>Các văn bản ({len(docs)})</h2>{table}"
        return self._page("Các văn bản", body)

    def _findings(self, doc_id: str | None, query: dict[str, str]) -> str:
        store = self.server.store
        findings = store.findings(doc_id)
        shown = H.apply_filters(findings, query)
        texts = {d: store.text(d) for d in {f.doc_id for f in shown}}
        if doc_id is None:
            docs = {d.doc_id: d for d in store.documents()}
            labels = {
                d: f'<a href="{H.esc(H.doc_href(d))}">{H.esc(H.doc_title(docs[d]) if d in docs else d)}</a>' for d in texts
            }
            action, title, head = "/findings", "Tất cả phát hiện", "<h2>Tất cả phát hiện</h2>"
        else:
            labels = None
            d = store.document(doc_id)
            action, title = H.doc_href(doc_id), H.doc_title(d)
            head = (
                f"<h2>{H.esc(title)}</h2><p class=\"docmeta\">{H.esc(d.subject)}<br>{H.esc(d.source)} · "
                f'<a href="{H.esc(H.doc_href(doc_id, "/tasks"))}">Bảng nhiệm vụ và văn bản gốc</a></p>'
            )
            orphans = store.orphans(doc_id)
            if orphans:
                items = "".join(
                    f"<li>{H.esc(H.STATE_LABELS.get(o['state'], o['state']))} ({H.esc(o['reviewer'])}, {H.esc(o['decided_at'])}): "
                    f"{H.esc(o['message'])}{(' — “' + H.esc(o['note']) + '”') if o['note'] else ''}</li>"
                    for o in orphans
                )
                head += (
                    '<div class="finding sev-warning"><p class="decision stale">Cần xem lại: văn bản đã thay đổi; '
                    f"các quyết định sau trên phiên bản trước không còn khớp phát hiện nào.</p><ul>{items}</ul></div>"
                )
        filters = H.filter_form(action, query, [f.category for f in findings])
        count = f'<p class="muted">{len(shown)} / {len(findings)} phát hiện</p>'
        body = head + filters + count + H.findings_html(
            shown, texts, self.server.explanations, interactive=True, doc_labels=labels
        )
        return self._page(title, body)

    def _document(self, doc_id: str, query: dict[str, str]) -> None:
        if self.server.store.document(doc_id) is None:
            return self._error_page(404, "Không có văn bản này trong lần chạy.")
        self._html(200, self._findings(doc_id, query))

    def _tasks(self, doc_id: str) -> None:
        store = self.server.store
        d = store.document(doc_id)
        if d is None:
            return self._error_page(404, "Không có văn bản này trong lần chạy.")
        body = (
            f'<h2>{H.esc(H.doc_title(d))}</h2><p class="docmeta"><a href="{H.esc(H.doc_href(doc_id))}">← Các phát hiện</a></p>'
            + H.tasks_and_source_html(store.tasks(doc_id), store.text(doc_id))
        )
        self._html(200, self._page(f"Bảng nhiệm vụ · {H.doc_title(d)}", body, wide=True))

    # ------------------------------------------------------------------ POST

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        if urlsplit(self.path).path != "/api/review":
            return self._json(404, {"error": "không có địa chỉ này"})
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.allowed_origins:
            return self._json(403, {"error": "nguồn gọi không được phép"})
        if self.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
            return self._json(403, {"error": "nguồn gọi không được phép"})
        if not hmac.compare_digest(self.headers.get("X-CSRF-Token", ""), self.server.csrf_token):
            return self._json(403, {"error": "thiếu hoặc sai mã CSRF; hãy tải lại trang"})
        if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            return self._json(415, {"error": "nội dung phải là JSON"})
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            return self._json(411, {"error": "thiếu Content-Length"})
        if length < 0 or length > MAX_BODY:
            return self._json(413, {"error": "nội dung quá dài"})
        body = self.read_body(length)
        if body is None:
            return self._json(400, {"error": "nội dung ngắn hơn Content-Length"})
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._json(400, {"error": "JSON không hợp lệ"})
        if not isinstance(data, dict):
            return self._json(400, {"error": "JSON phải là một đối tượng"})
        fields = {}
        for key in ("doc_id", "fingerprint", "state", "note", "reviewer"):
            v = data.get(key)
            if v is not None and not isinstance(v, str):
                return self._json(400, {"error": f"{key} phải là chuỗi"})
            fields[key] = v
        if not fields["doc_id"] or not fields["fingerprint"]:
            return self._json(400, {"error": "thiếu doc_id hoặc fingerprint"})
        try:
            rv = self.server.store.decide(
                fields["doc_id"], fields["fingerprint"], fields["state"] or "", fields["note"], fields["reviewer"]
            )
        except ReviewError as e:
            return self._json(400, {"error": str(e)})
        self._json(200, {
            "doc_id": rv.doc_id, "fingerprint": rv.fingerprint, "state": rv.state, "note": rv.note or "",
            "reviewer": rv.reviewer, "decided_at": H.vn_datetime(rv.decided_at),
        })


def make_server(out: str | Path, port: int = 0, *, quiet: bool = True, **limits: Any) -> ReviewServer:
    """A review server bound to 127.0.0.1 (port 0: a free one); call serve_forever() on it.

    `limits`: max_handlers, read_timeout, request_deadline (see vanban.review.connections).
    """
    return ReviewServer(Path(out), port, quiet=quiet, **limits)


def start_in_thread(out: str | Path, port: int = 0, **limits: Any) -> tuple[ReviewServer, threading.Thread]:
    """A server running in a daemon thread (for tests and embedding); stop with `server.shutdown()`."""
    srv = make_server(out, port, **limits)
    t = threading.Thread(target=srv.serve_forever, name="vanban-review", daemon=True)
    t.start()
    return srv, t
