"""The kiosk's screen: a local web page, live over server-sent events, buttons posting back.

Routes (all on 127.0.0.1 by default; nothing is loaded from the internet):
  GET  /                 the page (static/index.html, kiosk.css, kiosk.js)
  GET  /api/labels       the page's own words in each language on offer (languages/<lang>/kiosk.toml)
  GET  /api/state        the current screen as JSON
  GET  /api/events       server-sent events: one ``data:`` line of screen JSON per change
  POST /api/tap          {"intent": "yes", "value": null, "label": "Yes"}: a button
  POST /api/text         {"text": "..."}: a typed answer
  POST /api/start        {} (the clinic's language) or {"lang": "es"}: a language button
  POST /api/more-time, /api/finish
  POST /api/staff        {"action": "press" | "release"} or {"code": "1234"}: staff clear an emergency (a
                         wrong code is answered late, then codes are refused for a while: voice/kiosk/staff.py;
                         "staff": {"checked", "retry_in_s", "locked"} says which)
  POST /api/input        {"via": "tap" | "press"}: how the screen is being used (the kiosk's words say "Tap
                         Start" or "Press Start"; "default": true for the screen's own, each patient's
                         start); every other POST may say "via" too
Responses are never cached (``no-store``) so no answer stays in the browser's cache.

The HTTP side is aiohttp (one event-loop thread) rather than ``http.server``, because it
brings what a kiosk left running for months needs: idle connections closed after
``idle_timeout_s`` (a client that connects and sends nothing, or half a request, no longer
holds anything for ever), request heads and bodies capped, a malformed Content-Length
refused by its parser, and hang-ups handled without tracebacks. On top of it, this module:
- accepts only requests whose Host is the kiosk's own address (a page on a DNS-rebinding
  domain resolves to 127.0.0.1 but still sends its own name as Host) and whose Origin, when
  sent, is the kiosk page itself;
- reads at most ``MAX_BODY`` bytes per request, within ``body_timeout_s``;
- bounds connections (``max_connections``: more are answered 503 and closed) and page
  streams (``max_streams``), and runs driver calls on a small fixed pool of threads.
"""
from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import logging
import queue
import secrets
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

from voice.kiosk.driver import KioskDriver

log = logging.getLogger("backtriage.kiosk")

STATIC = Path(__file__).with_name("static")
TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
         ".svg": "image/svg+xml", ".png": "image/png"}
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
           "Referrer-Policy": "no-referrer"}
PAGE_COOKIE = "backtriage_page"  # set when the page is served: its own stream outranks any other client's
KEEPALIVE_S = 15.0  # a comment line on an idle event stream; also how a closed page is noticed
MAX_BODY = 4096
LOOPBACK = ("127.0.0.1", "localhost", "::1")
BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """Host header values that name this server: its own address and port, never another name."""
    names = {host}
    if host in LOOPBACK:
        names.update(LOOPBACK)
    elif host in ("", "0.0.0.0", "::"):  # every interface: this machine's own names and addresses
        names.update(LOOPBACK)
        try:
            hostname, aliases, addresses = socket.gethostbyname_ex(socket.gethostname())
            names.update([hostname, *aliases, *addresses])
        except OSError:
            pass
    out = set()
    for n in names:
        n = n.lower()
        out.add(f"[{n}]:{port}" if ":" in n else f"{n}:{port}")
        if port == 80:
            out.add(f"[{n}]" if ":" in n else n)
    return frozenset(out)


class _Stream(queue.Queue):
    """A driver subscriber queue that wakes the event loop when the driver publishes a screen."""

    def __init__(self, loop: asyncio.AbstractEventLoop, page: bool = False, order: int = 0):
        super().__init__(maxsize=64)
        self.loop = loop
        self.ready = asyncio.Event()
        self.page = page  # opened by a page this server served (it carries the page cookie)
        self.order = order  # opening order: the oldest is dropped first
        self.dropped = False  # pushed out by a page's stream: the loop ends it

    def _put(self, item: Any) -> None:
        super()._put(item)
        try:
            self.loop.call_soon_threadsafe(self.ready.set)
        except RuntimeError:  # the loop has stopped: nobody is listening any more
            pass


class KioskServer:
    """The HTTP server (an event loop in one thread) and the clock that drives timeouts (another)."""

    def __init__(self, driver: KioskDriver, host: str = "127.0.0.1", port: int = 8765, tick_s: float = 0.25, *,
                 idle_timeout_s: float = 30.0, body_timeout_s: float = 10.0, max_connections: int = 64,
                 max_streams: int = 8, workers: int = 4):
        self.driver = driver
        self.tick_s = tick_s
        self.idle_timeout_s = idle_timeout_s
        self.body_timeout_s = body_timeout_s
        self.max_connections = max_connections
        self.max_streams = max_streams
        # Bound here, so a port in use is an OSError from the constructor (app.py says so plainly).
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.create_server((host, port), family=family, backlog=128)
        self.sock.setblocking(False)
        self.address: tuple[str, int] = self.sock.getsockname()[:2]
        self.hosts = allowed_hosts(host, self.address[1])
        self.static_files = {p.name for p in STATIC.iterdir() if p.is_file()}
        self.streams: set[_Stream] = set()
        self.page_key = secrets.token_urlsafe(16)  # per start: a cookie from an earlier run is not a page's
        self._opened = itertools.count()
        self.refused = 0  # connections answered 503 because too many were open
        self.open_connections = 0  # counted at accept time (aiohttp registers them a moment later)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kiosk-api")
        self._stopping = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._server: asyncio.AbstractServer | None = None
        self._closing: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "KioskServer":
        self._threads = [threading.Thread(target=self._serve, name="kiosk-http", daemon=True),
                         threading.Thread(target=self._clock, name="kiosk-clock", daemon=True)]
        for t in self._threads:
            t.start()
        self._ready.wait(30)
        if self._failed is not None:
            raise self._failed
        return self

    def _serve(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._open())
        except BaseException as e:  # noqa: BLE001 - handed to start() to raise in the caller's thread
            self._failed = e
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_until_complete(self._closing.wait())
            loop.run_until_complete(self._close())
        finally:
            # Connections aiohttp had not finished with (a client mid-request at shutdown) end here,
            # quietly, instead of "Task was destroyed but it is pending".
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _open(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_BODY)
        app.router.add_get("/api/events", self._events)
        app.router.add_get("/api/state", self._state)
        app.router.add_get("/api/labels", self._labels)
        app.router.add_post("/api/{name}", self._post)
        app.router.add_get("/{path:.*}", self._static)
        # lingering_time: after a refused body, drain it at most this long, then hang up.
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, logger=_QuietLog(),
                                     keepalive_timeout=self.idle_timeout_s, shutdown_timeout=2.0,
                                     lingering_time=min(1.0, self.idle_timeout_s),
                                     max_line_size=4096, max_field_size=4096)
        await self._runner.setup()
        self._server = await asyncio.get_running_loop().create_server(self._connection, sock=self.sock)

    def _connection(self) -> asyncio.BaseProtocol:
        """One protocol per accepted connection; beyond ``max_connections`` a short 503 and close."""
        if self.open_connections >= self.max_connections:
            self.refused += 1
            return _Refuse()
        return _Counted(self._runner.server(), self)

    async def _close(self) -> None:
        self._closing.set()
        for stream in self.streams:
            stream.ready.set()  # each open stream sees _closing and ends
        self._server.close()
        await self._runner.cleanup()  # ends open requests and streams (they watch _closing)

    def _clock(self) -> None:
        while not self._stopping.wait(self.tick_s):
            self.driver.tick()

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._loop is not None and self._closing is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._closing.set)
            except RuntimeError:
                pass
        for t in self._threads:
            t.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.sock.close()

    def __enter__(self) -> "KioskServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ checks

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        """Every request: only for this server's own name (DNS rebinding), only from its own page."""
        host = (request.headers.get("Host") or "").lower()
        if host not in self.hosts:
            log.warning("refused a request for another host name")
            return _error(421, "this kiosk answers only to its own address")
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{host}":
            log.warning("refused a request from another site")
            return _error(403, "cross-origin request refused")
        try:
            response = await handler(request)
        except web.HTTPException as e:
            response = _error(e.status, e.reason.lower())
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    async def _call(self, fn: Callable, *args: Any) -> Any:
        """A driver call on the bounded pool: its lock may be held by the listener for a moment."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise _TooLarge()
        try:
            raw = await asyncio.wait_for(request.read(), self.body_timeout_s)
        except web.HTTPRequestEntityTooLarge:
            raise _TooLarge() from None
        except asyncio.TimeoutError:
            raise _Slow() from None
        data = json.loads(raw or b"{}")
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    # ------------------------------------------------------------------ GET

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(await self._call(self.driver.screen))

    async def _labels(self, request: web.Request) -> web.Response:
        return web.json_response(self.driver.page_labels())

    async def _static(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        if path == "/favicon.ico":
            return web.Response(status=204)
        name = "index.html" if path in ("/", "/index.html") else path.removeprefix("/static/")
        if "/" in name or name.startswith(".") or name not in self.static_files:
            return _error(404, "not found")
        f = STATIC / name
        response = web.Response(body=f.read_bytes(), content_type=TYPES.get(f.suffix, "application/octet-stream"),
                                charset="utf-8" if f.suffix in (".html", ".css", ".js", ".json") else None)
        if name == "index.html":
            response.set_cookie(PAGE_COOKIE, self.page_key, httponly=True, samesite="Strict", path="/")
        return response

    def _make_room(self, page: bool) -> bool:
        """Room for one more stream when all are taken: a page's stream pushes out the oldest stream without
        a page, else the oldest page stream (a reloaded page's old one); a stream without a page gets none."""
        if len(self.streams) < self.max_streams:
            return True
        if not page:
            return False
        others = [s for s in self.streams if not s.page]
        victim = min(others or self.streams, key=lambda s: s.order)
        victim.dropped = True
        self.streams.discard(victim)
        victim.ready.set()
        log.warning("dropped the oldest %s to let the kiosk page's own stream through",
                    "page stream" if victim.page else "stream without a page")
        return True

    async def _events(self, request: web.Request) -> web.StreamResponse:
        page = hmac.compare_digest(request.cookies.get(PAGE_COOKIE, ""), self.page_key)
        if not self._make_room(page):
            return _error(503, "too many open screens")
        stream = _Stream(asyncio.get_running_loop(), page, next(self._opened))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", **HEADERS})
        self.streams.add(stream)
        try:
            await response.prepare(request)
            await self._call(self.driver.subscribe, stream)
            while not self._closing.is_set() and not stream.dropped:
                try:
                    await asyncio.wait_for(stream.ready.wait(), KEEPALIVE_S)
                except asyncio.TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                stream.ready.clear()
                while True:
                    try:
                        snap = stream.get_nowait()
                    except queue.Empty:
                        break
                    await response.write(b"data: " + json.dumps(snap).encode("utf-8") + b"\n\n")
        except ConnectionError:
            log.debug("a screen stream closed")  # the page was closed or reloaded: nothing to report
        finally:
            self.streams.discard(stream)
            self.driver.unsubscribe(stream)
        return response

    # ------------------------------------------------------------------ POST

    async def _post(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        d = self.driver
        try:
            body = await self._body(request)
        except _TooLarge:
            return _error(413, f"request too large (at most {MAX_BODY} bytes)", close=True)
        except _Slow:
            return _error(408, "request body too slow", close=True)
        except (ValueError, UnicodeDecodeError):
            return _error(400, 'send a JSON object, like {"intent": "yes"}')
        if "via" in body:  # how this input was made (a touch, or keys and a mouse): the words follow
            await self._call(d.input_seen, body.get("via"), name == "input" and body.get("default") is True)
        if name == "input":
            ok = "via" in body
        elif name == "tap":
            intent = body.get("intent")
            value = body.get("value")
            if not isinstance(intent, str) or (value is not None and not _finite_number(value)):
                return _error(400, '"intent" must be a string and "value" a finite number')
            ok = await self._call(d.tap, intent, value, str(body.get("label", ""))[:80])
        elif name == "text":
            text = body.get("text")
            if not isinstance(text, str) or len(text) > 500:
                return _error(400, '"text" must be a string of at most 500 characters')
            ok = await self._call(d.text, text)
        elif name == "start":
            lang = body.get("lang")
            if lang is not None and not (isinstance(lang, str) and len(lang) <= 16):
                return _error(400, '"lang" must be a language code, like "es"')
            ok = await self._call(d.start, lang)
        elif name == "more-time":
            ok = await self._call(d.more_time)
        elif name == "finish":
            ok = await self._call(d.finish)
        elif name == "staff":
            action, code = body.get("action"), body.get("code")
            if code is not None:
                if not isinstance(code, str) or len(code) > 64:
                    return _error(400, '"code" must be a short string')
                t = await self._call(d.staff_code_entered, code)
                if t.hold_s > 0:  # a wrong code is answered late: this request waits, every other is served
                    await asyncio.sleep(t.hold_s)
                return web.json_response({"ok": bool(t), "staff": t.for_page(), "screen": await self._call(d.screen)})
            elif action in ("press", "release"):
                ok = await self._call(d.staff_press if action == "press" else d.staff_release)
            else:
                return _error(400, 'send {"action": "press"} / {"action": "release"}, or {"code": "..."}')
        else:
            return _error(404, "not found")
        return web.json_response({"ok": bool(ok), "screen": await self._call(d.screen)})


def _finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
        and abs(value) != float("inf")


def _error(status: int, message: str, close: bool = False) -> web.Response:
    r = web.json_response({"error": message}, status=status, headers=HEADERS)
    if close:  # the rest of the body is not read: the connection cannot be reused
        r.force_close()
    return r


class _TooLarge(Exception):
    pass


class _Slow(Exception):
    pass


class _Counted(asyncio.Protocol):
    """aiohttp's protocol for one connection, counted from accept to close for ``max_connections``."""

    def __init__(self, inner: asyncio.Protocol, server: KioskServer):
        self.inner, self.server = inner, server
        server.open_connections += 1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.open_connections -= 1
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class _QuietLog:
    """aiohttp's server logger: malformed requests and hang-ups are routine on a kiosk, one quiet line each.

    Anything else (a bug in a handler) is logged as an error with its type, never a traceback
    or a message (which could quote a patient's answer).
    """

    ROUTINE = (ConnectionError, asyncio.TimeoutError)

    def debug(self, msg: str, *args: Any, **kw: Any) -> None:
        log.debug("http: " + msg, *args)

    info = warning = debug

    def error(self, msg: str, *args: Any, exc_info: Any = None, **kw: Any) -> None:
        from aiohttp.http_exceptions import HttpProcessingError

        exc = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if exc is None or isinstance(exc, self.ROUTINE + (HttpProcessingError,)):
            log.debug("http: %s (%s)", msg.split(" from ")[0], type(exc).__name__ if exc else "-")
        else:
            log.error("http: %s (%s)", msg.split(" from ")[0], type(exc).__name__)

    exception = error


class _Refuse(asyncio.Protocol):
    """Too many connections open: say so and hang up (the page's EventSource retries by itself)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(BUSY)  # type: ignore[attr-defined]
        transport.close()
