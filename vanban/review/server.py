"""`vanban review OUT`: the review page, served on 127.0.0.1 from the run's database.

Routes (GET): `/` the documents, `/doc/<key>` one document: its text with each finding
beside the passage it is about (`?view=full` unfolds the whole text, `?view=tasks` its task
table), where the key is the source path relative to the input folder (an older link by
doc_id is redirected); `/next?from=<key>` the next document with findings to review;
`/findings` every finding; `/export.csv` the decisions; `/static/...` the package's styles,
script and icon. POST `/api/review` stores a decision: a JSON body `{doc_id, fingerprint or
fingerprints, state, note, reviewer}`; POST `/api/undo` `{doc_id, fingerprints}` takes the
latest decision on those findings back. POSTs carry the page's CSRF token in `X-CSRF-Token`.

Defences, since document text is untrusted and a browser may be tricked into
calling a local server: only Host 127.0.0.1:PORT or localhost:PORT is served
(DNS rebinding); a strict Content-Security-Policy (scripts and styles from this
server only, nothing inline); every value escaped by the templates' autoescaping; the script
writes with textContent only; POSTs need JSON, the per-server token and a same-origin Origin.
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
from urllib.parse import parse_qs, quote, unquote, urlsplit

from vanban.review import labels as L
from vanban.review import pages as P
from vanban.review.connections import BoundedServer, DeadlineHandler
from vanban.review.render import STATIC_TYPES, render, static
from vanban.review.store import ReviewError, RunStore

MAX_BODY = 16 * 1024

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

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

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if host in self.server.allowed_hosts:
            return True
        self._send(421, "Host không được phép.\n".encode(), "text/plain; charset=utf-8")
        return False

    def _page(self, template: str, status: int = 200, **context: Any) -> None:
        self._html(status, render(template, csrf=self.server.csrf_token, **context))

    def _error_page(self, status: int, message: str, back: str = "") -> None:
        self._page("message.html", status, title="Không mở được trang" if status >= 500 else "Không tìm thấy",
                   message=message, back=back)

    def _redirect(self, location: str) -> None:
        self._send(303, b"", "text/plain; charset=utf-8", {"Location": location})

    def _rule_texts(self) -> dict[str, L.RuleText]:
        return L.rule_texts(self.server.explanations)

    # ------------------------------------------------------------------ GET

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items() if v}
        path = unquote(url.path)
        store = self.server.store
        try:
            if path == "/":
                return self._page("index.html", **P.index_context(store))
            if path == "/findings":
                return self._page("findings.html", **P.findings_context(store, query, self._rule_texts()))
            if path.startswith("/doc/"):
                return self._document(path[len("/doc/"):], query, url.query)
            if path == "/next":
                return self._next(query.get("from"))
            if path == "/export.csv":
                body = ("\ufeff" + store.export_csv()).encode("utf-8")
                return self._send(200, body, "text/csv; charset=utf-8", {"Content-Disposition": 'attachment; filename="reviews.csv"'})
            if path.startswith("/static/") and path[len("/static/"):] in STATIC_TYPES:
                name = path[len("/static/"):]
                return self._send(200, static(name), STATIC_TYPES[name])
            if path == "/favicon.ico":
                return self._send(200, static("favicon.svg"), STATIC_TYPES["favicon.svg"])
        except FileNotFoundError:
            return self._error_page(500, "Không đọc được cơ sở dữ liệu của lần chạy (vanban.sqlite).")
        self._error_page(404, "Không có trang này.")

    def _document(self, address: str, query: dict[str, str], raw_query: str) -> None:
        store = self.server.store
        doc_id, key = store.resolve(address)
        if doc_id is None and address.endswith("/tasks"):  # an older link: /doc/<doc_id>/tasks
            doc_id, key = store.resolve(address[: -len("/tasks")])
            raw_query = "view=tasks"
        if doc_id is None:
            return self._error_page(404, "Không có văn bản này trong lần chạy. Văn bản có thể đã được đổi tên, "
                                         "chuyển đi, hoặc không có trong thư mục đầu vào của lần chạy này.")
        if key != address:  # one address per document: the key
            return self._redirect(f"/doc/{quote(key, safe='/')}" + (f"?{raw_query}" if raw_query else ""))
        if query.get("view") == "tasks":
            return self._page("tasks.html", **P.tasks_context(store, doc_id))
        self._page("document.html", **P.document_context(store, doc_id, query, self._rule_texts()))

    def _next(self, after: str | None) -> None:
        d = P.next_to_review(self.server.store, after)
        if d is not None:
            return self._redirect(P.doc_href(d.key))
        back = P.doc_href(after) if after else ""
        self._page("message.html", title="Đã xem xét xong",
                   message="Không còn văn bản nào khác có phát hiện chưa xem xét hoặc cần xem lại.", back=back)

    # ------------------------------------------------------------------ POST

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        path = urlsplit(self.path).path
        if path not in ("/api/review", "/api/undo"):
            return self._json(404, {"error": "không có địa chỉ này"})
        data = self._read_json()
        if data is None:
            return
        fields = {}
        for key in ("doc_id", "fingerprint", "state", "note", "reviewer"):
            v = data.get(key)
            if v is not None and not isinstance(v, str):
                return self._json(400, {"error": f"{key} phải là chuỗi"})
            fields[key] = v
        fps = data.get("fingerprints")
        if fps is None:
            fps = [fields["fingerprint"]] if fields["fingerprint"] else []
        if not isinstance(fps, list) or not all(isinstance(x, str) and x for x in fps) or len(fps) > 1000:
            return self._json(400, {"error": "fingerprints phải là một danh sách chuỗi (tối đa 1000)"})
        if not fields["doc_id"] or not fps:
            return self._json(400, {"error": "thiếu doc_id hoặc fingerprint"})
        store = self.server.store
        try:
            if path == "/api/undo":
                views = store.undo(fields["doc_id"], fps)
                return self._json(200, {"findings": [P.finding_json(f) for f in views]})
            rvs = store.decide_many(fields["doc_id"], fps, fields["state"] or "", fields["note"], fields["reviewer"])
        except ReviewError as e:
            return self._json(400, {"error": str(e)})
        now = {f.fingerprint: f for f in store.findings(fields["doc_id"])}
        rv = rvs[0]
        self._json(200, {
            "doc_id": rv.doc_id, "fingerprint": rv.fingerprint, "state": rv.state, "note": rv.note or "",
            "reviewer": rv.reviewer, "decided_at": L.vn_datetime(rv.decided_at),
            "findings": [P.finding_json(now[r.fingerprint]) for r in rvs if r.fingerprint in now],
        })

    def _read_json(self) -> dict[str, Any] | None:
        """The POST's JSON object, after the origin, token, type and size checks (None: refused, answered)."""
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
        return data

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
