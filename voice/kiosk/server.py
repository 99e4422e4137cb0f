"""The kiosk's screen: a local web page, live over server-sent events, buttons posting back.

Routes (all on 127.0.0.1 by default; nothing is loaded from the internet):
  GET  /                 the page (static/index.html, kiosk.css, kiosk.js)
  GET  /api/state        the current screen as JSON
  GET  /api/events       server-sent events: one ``data:`` line of screen JSON per change
  POST /api/tap          {"intent": "yes", "value": null, "label": "Yes"}: a button
  POST /api/text         {"text": "..."}: a typed answer
  POST /api/start, /api/more-time, /api/finish
Responses are never cached (``no-store``) so no answer stays in the browser's cache.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from voice.kiosk.driver import KioskDriver

log = logging.getLogger("backtriage.kiosk")

STATIC = Path(__file__).with_name("static")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
KEEPALIVE_S = 15.0
MAX_BODY = 4096


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("http: " + format, *args)  # paths only; bodies (answers) are never logged

    # ------------------------------------------------------------------ helpers

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, payload: Any, status: int = 200) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), "application/json")

    def _error(self, status: int, message: str) -> None:
        self._json({"error": message}, status)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request too large")
        raw = self.rfile.read(length) if length else b"{}"
        data = json.loads(raw or b"{}")
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    def _same_origin(self) -> bool:
        """Only the kiosk's own page may press its buttons (another site in a browser must not)."""
        origin = self.headers.get("Origin")
        if not origin or origin == "null":
            return origin is None
        return urlsplit(origin).netloc == self.headers.get("Host", "")

    # ------------------------------------------------------------------ GET

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = urlsplit(self.path).path
        if path == "/api/events":
            return self._events()
        if path == "/api/state":
            return self._json(self.server.driver.screen())
        if path == "/favicon.ico":
            return self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        name = "index.html" if path in ("/", "/index.html") else path.removeprefix("/static/")
        if "/" in name or name.startswith(".") or name not in self.server.static_files:
            return self._error(HTTPStatus.NOT_FOUND, "not found")
        f = STATIC / name
        self._send(HTTPStatus.OK, f.read_bytes(), TYPES.get(f.suffix, "application/octet-stream"))

    def _events(self) -> None:
        driver = self.server.driver
        q = driver.subscribe()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        idle = 0.0
        try:
            while not self.server.stopping.is_set():
                try:
                    snap = q.get(timeout=0.5)
                except queue.Empty:
                    idle += 0.5
                    if idle >= KEEPALIVE_S:  # also how a closed page is noticed
                        self.wfile.write(b": keepalive\n\n")
                        self.wfile.flush()
                        idle = 0.0
                    continue
                idle = 0.0
                self.wfile.write(b"data: " + json.dumps(snap).encode("utf-8") + b"\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            driver.unsubscribe(q)

    # ------------------------------------------------------------------ POST

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        if not self._same_origin():
            return self._error(HTTPStatus.FORBIDDEN, "cross-origin request refused")
        path = urlsplit(self.path).path
        try:
            body = self._body()
        except (ValueError, UnicodeDecodeError):
            return self._error(HTTPStatus.BAD_REQUEST, 'send a JSON object, like {"intent": "yes"}')
        d = self.server.driver
        if path == "/api/tap":
            intent = body.get("intent")
            value = body.get("value")
            if not isinstance(intent, str) or (value is not None and not isinstance(value, (int, float))):
                return self._error(HTTPStatus.BAD_REQUEST, '"intent" must be a string and "value" a number')
            ok = d.tap(intent, value, str(body.get("label", ""))[:80])
        elif path == "/api/text":
            text = body.get("text")
            if not isinstance(text, str) or len(text) > 500:
                return self._error(HTTPStatus.BAD_REQUEST, '"text" must be a string of at most 500 characters')
            ok = d.text(text)
        elif path == "/api/start":
            ok = d.start()
        elif path == "/api/more-time":
            ok = d.more_time()
        elif path == "/api/finish":
            ok = d.finish()
        else:
            return self._error(HTTPStatus.NOT_FOUND, "not found")
        self._json({"ok": bool(ok), "screen": d.screen()})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], driver: KioskDriver):
        self.driver = driver
        self.stopping = threading.Event()
        self.static_files = {p.name for p in STATIC.iterdir() if p.is_file()}
        super().__init__(addr, _Handler)


class KioskServer:
    """The HTTP server and the clock that drives timeouts, each in a background thread."""

    def __init__(self, driver: KioskDriver, host: str = "127.0.0.1", port: int = 8765, tick_s: float = 0.25):
        self.driver = driver
        self.tick_s = tick_s
        self.httpd = _Server((host, port), driver)
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "KioskServer":
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                             name="kiosk-http", daemon=True),
            threading.Thread(target=self._clock, name="kiosk-clock", daemon=True),
        ]
        for t in self._threads:
            t.start()
        return self

    def _clock(self) -> None:
        while not self.httpd.stopping.wait(self.tick_s):
            self.driver.tick()

    def stop(self) -> None:
        self.httpd.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> "KioskServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
