"""Connection handling of the review server: bounded threads, read timeouts, a deadline per request.

A local page still meets hostile clients (a script on the machine, a web page
making the browser open connections to 127.0.0.1), so (issue 14):

- every read or write on a connection waits at most `read_timeout` seconds, and
  a request (its line, headers and body) must arrive within `request_deadline`
  seconds in all: a client sending a byte now and then is cut off;
- at most `max_handlers` connections have a thread at once. When all are taken,
  the connection that has been open longest without sending a byte is closed to
  make room (idle connections cannot lock the page out); when none is idle, the
  new connection gets "503 busy" at once, without a thread;
- a body shorter than its Content-Length is answered 400 once the timeout passes;
- a client that goes away, or times out, is one line in the log at most, never a
  traceback.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from typing import Any

#: an idle connection younger than this is not closed to make room (it may be about to send)
MIN_IDLE_AGE = 0.25
_BUSY = ("HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n"
         "Connection: close\r\nContent-Length: {n}\r\n\r\n{body}")


class BoundedServer:
    """Mixin for a ThreadingHTTPServer: bounded handler threads, idle connections evicted first."""

    quiet: bool

    def init_limits(self, max_handlers: int = 32, read_timeout: float = 10.0, request_deadline: float = 30.0) -> None:
        self.max_handlers, self.read_timeout, self.request_deadline = max_handlers, read_timeout, request_deadline
        self._slots = threading.BoundedSemaphore(max_handlers)
        self._idle: dict[Any, float] = {}  # connections that have sent nothing yet -> when accepted
        self._idle_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            if not (self._evict_idle() and self._slots.acquire(timeout=1.0)):
                self._busy(request)
                return
        with self._idle_lock:
            self._idle[request] = time.monotonic()
        try:
            super().process_request(request, client_address)  # a thread of its own
        except BaseException:
            self._release(request)
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release(request)

    def _release(self, request) -> None:
        with self._idle_lock:
            self._idle.pop(request, None)
        self._slots.release()

    def mark_active(self, request) -> None:
        """The connection has sent something: it is no longer a candidate for eviction."""
        if request in self._idle:
            with self._idle_lock:
                self._idle.pop(request, None)

    def _evict_idle(self) -> bool:
        """Close the connection idle longest (its handler then ends); whether there was one."""
        now = time.monotonic()
        with self._idle_lock:
            old = [(t, id(r), r) for r, t in self._idle.items() if now - t >= MIN_IDLE_AGE]
            if not old:
                return False
            _, _, victim = min(old)
            del self._idle[victim]
        try:
            victim.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return True

    def _busy(self, request) -> None:
        body = "Máy chủ đang bận; hãy thử lại sau giây lát.\n".encode()
        try:
            request.settimeout(1.0)
            request.sendall(_BUSY.format(n=len(body), body="").encode() + body)
        except OSError:
            pass
        finally:
            self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """One line for a failed request, nothing for a client that went away or timed out."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or self.quiet:
            return
        print(f"vanban review: {client_address[0]}: request failed ({type(exc).__name__}: {exc})", file=sys.stderr)


class _DeadlineReader:
    """The request's input stream, each read bounded by the read timeout and the request's deadline."""

    def __init__(self, raw, handler: "DeadlineHandler", deadline: float):
        self._raw, self._handler, self._deadline = raw, handler, deadline

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took longer than its deadline")
        self._handler.connection.settimeout(min(self._handler.timeout, left))

    def readline(self, *args: Any) -> bytes:
        self._arm()
        line = self._raw.readline(*args)
        if line:
            self._handler.server.mark_active(self._handler.connection)
        return line

    def read(self, *args: Any) -> bytes:
        self._arm()
        return self._raw.read(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class DeadlineHandler:
    """Mixin for a BaseHTTPRequestHandler of a `BoundedServer`: timeouts and `read_body`."""

    server: Any
    connection: Any
    rfile: Any
    timeout: float | None

    def setup(self) -> None:
        self.timeout = self.server.read_timeout  # StreamRequestHandler sets it on the socket
        super().setup()
        self.rfile = _DeadlineReader(self.rfile, self, time.monotonic() + self.server.request_deadline)

    def end_headers(self) -> None:
        self.connection.settimeout(self.timeout)  # the answer gets the whole timeout to be written
        super().end_headers()

    def read_body(self, length: int) -> bytes | None:
        """The body of `length` bytes, or None when fewer came before the timeout or the end."""
        try:
            body = self.rfile.read(length)
        except (TimeoutError, ConnectionError):
            body = None
        if body is None or len(body) < length:
            self.close_connection = True
            return None
        return body
