"""The kiosk's HTTP side without a browser: the API, its refusals, and server-sent events.

Also the audit's kiosk-server defects (issue 13), each against the real server on loopback:
D6 Content-Length, D7 idle sockets / bounded threads / quiet hang-ups, D8 Host header and the
emergency cleared only by staff, D15 a result's summary written when the kiosk is stopped.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from triage import load_tree
from voice.kiosk.driver import KioskDriver
from voice.kiosk.server import MAX_BODY, KioskServer

IDLE_S = 0.5  # the test server's idle timeout, so closing an idle socket is seen quickly


@pytest.fixture
def server():
    d = KioskDriver(load_tree())
    with KioskServer(d, "127.0.0.1", 0, tick_s=0.05, idle_timeout_s=IDLE_S, body_timeout_s=IDLE_S,
                     max_connections=8) as s:
        yield s


def raw(server, data: bytes, read_timeout: float = 10.0) -> bytes:
    """Send raw bytes on a fresh connection; everything the server answers until it hangs up."""
    with socket.create_connection(server.address, timeout=read_timeout) as sock:
        sock.sendall(data)
        out = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return out
            out += chunk


def host(server) -> str:
    return "%s:%d" % server.address


def call(server, path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(server.url.rstrip("/") + path, data=data, headers=headers or {},
                                 method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_page_and_assets_are_served_uncached_with_a_strict_policy(server):
    status, headers, body = call(server, "/")
    assert status == 200 and b"<title>Back pain check</title>" in body
    assert headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for asset in ("/static/kiosk.js", "/static/kiosk.css"):
        assert call(server, asset)[0] == 200
    assert b"http" not in call(server, "/static/kiosk.css")[2]  # nothing fetched from elsewhere


@pytest.mark.parametrize("path", ["/static/../server.py", "/static/.hidden", "/static/nope.js", "/etc/passwd"])
def test_only_the_kiosk_files_are_served(server, path):
    assert call(server, path)[0] == 404


def test_tap_and_text_drive_the_session(server):
    status, _, body = call(server, "/api/start", {})
    assert status == 200 and json.loads(body)["screen"]["mode"] == "session"
    status, _, body = call(server, "/api/tap", {"intent": "no", "label": "No"})
    assert json.loads(body)["screen"]["heard"] == "I understood: no."
    status, _, body = call(server, "/api/text", {"text": "nope"})
    assert json.loads(body)["screen"]["heard"] == "I understood: no."
    assert json.loads(call(server, "/api/state")[2])["mode"] == "session"


@pytest.mark.parametrize("body,raw", [(None, b"not json"), (None, b"[1, 2]"), ({"intent": 3}, None),
                                      ({"intent": "number", "value": "ten"}, None)])
def test_malformed_requests_are_refused_and_change_nothing(server, body, raw):
    call(server, "/api/start", {})
    before = server.driver.screen()
    status, _, reply = call(server, "/api/tap", body, raw=raw)
    assert status == 400 and "error" in json.loads(reply)
    assert server.driver.screen()["question"] == before["question"] and server.driver.errors == 0


def test_other_sites_cannot_press_the_buttons(server):
    status, _, _ = call(server, "/api/start", {}, headers={"Origin": "http://evil.example"})
    assert status == 403 and server.driver.mode == "idle"
    own = server.url.rstrip("/")
    assert call(server, "/api/start", {}, headers={"Origin": own})[0] == 200


def test_too_long_text_is_refused(server):
    call(server, "/api/start", {})
    assert call(server, "/api/text", {"text": "yes " * 200})[0] == 400


def test_server_sent_events_push_each_new_screen(server):
    host, port = server.address
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host.encode(), port))
        f = sock.makefile("rb")
        assert b"200" in f.readline()
        while f.readline() not in (b"\r\n", b""):
            pass  # headers

        def next_screen():
            line = f.readline()
            while not line.startswith(b"data: "):
                line = f.readline()
            return json.loads(line[6:])

        assert next_screen()["mode"] == "idle"  # the current screen on connecting
        server.driver.tap("start")
        assert next_screen()["mode"] == "session"
        server.driver.caption_partial("yes I")
        assert next_screen()["caption"] == "yes I"


# ---------------------------------------------------------------- D6: Content-Length and body size

def test_negative_content_length_is_refused_without_reading_the_body(server):
    call(server, "/api/start", {})
    reply = raw(server, b"POST /api/tap HTTP/1.1\r\nHost: %s\r\nContent-Length: -1\r\n\r\n" % host(server).encode()
                + b'{"intent": "no"}' + b"x" * 100_000)
    assert reply.split(b" ")[1] == b"400" and server.driver.heard == ""


def test_a_huge_declared_body_is_refused_before_it_is_sent(server):
    with socket.create_connection(server.address, timeout=10) as sock:
        sock.sendall(b"POST /api/text HTTP/1.1\r\nHost: %s\r\nContent-Length: 100000000\r\n\r\n{"
                     % host(server).encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")  # answered with 99.99 MB still unsent


def test_a_chunked_body_over_the_cap_is_refused(server):
    body = json.dumps({"text": "y" * (MAX_BODY + 10)}).encode()
    reply = raw(server, b"POST /api/text HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
                % host(server).encode() + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert reply.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize("value", [b"abc", b"1, 2", b"99999999999999999999999"])
def test_malformed_content_length_is_a_400(server, value):
    reply = raw(server, b"POST /api/start HTTP/1.1\r\nHost: %s\r\nContent-Length: %s\r\n\r\n{}"
                % (host(server).encode(), value))
    assert reply.split(b" ")[1] == b"400"


def test_non_finite_or_boolean_tap_values_are_refused(server):
    call(server, "/api/start", {})
    for value in ("NaN", "Infinity", "-Infinity", "true"):
        raw_body = ('{"intent": "number", "value": %s}' % value).encode()
        assert call(server, "/api/tap", raw=raw_body)[0] == 400
    assert server.driver.heard == ""


# ---------------------------------------------------------------- D7: idle sockets, bounded threads, hang-ups

def test_a_silent_connection_is_closed_by_the_server(server):
    assert raw(server, b"") == b""  # recv() saw the server hang up (not our 10 s socket timeout)


def test_half_a_request_head_is_closed_by_the_server(server):
    assert raw(server, b"GET /api/state HTTP/1.1\r\nHost: %s\r\n" % host(server).encode()) == b""


def test_a_stalled_body_gets_408_and_the_connection_closes(server):
    reply = raw(server, b"POST /api/text HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n\r\n{\"te"
                % host(server).encode())
    assert reply.startswith(b"HTTP/1.1 408")


def test_connections_beyond_the_limit_are_refused_and_threads_stay_bounded(server):
    before = threading.active_count()
    socks = [socket.create_connection(server.address, timeout=10) for _ in range(server.max_connections + 4)]
    try:
        refused = 0
        for sock in socks[-4:]:
            refused += sock.recv(4096).startswith(b"HTTP/1.1 503")
        assert refused == 4 and server.refused == 4
        assert threading.active_count() == before  # connections are not threads
    finally:
        for sock in socks:
            sock.close()
    assert call(server, "/api/state")[0] == 200  # and it serves again once they are gone
    workers = [t for t in threading.enumerate() if t.name.startswith("kiosk-api")]
    assert 0 < len(workers) <= 4


def test_page_streams_are_bounded(server):
    socks = []
    try:
        for _ in range(server.max_streams):
            sock = socket.create_connection(server.address, timeout=10)
            sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n" % host(server).encode())
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            socks.append(sock)
        assert call(server, "/api/events")[0] == 503
    finally:
        for sock in socks:
            sock.close()


def _open_stream(server, cookie: str = "") -> socket.socket:
    sock = socket.create_connection(server.address, timeout=10)
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (host(server).encode(), extra.encode()))
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """Read what is left; True once the server has ended the stream (EOF)."""
    sock.settimeout(5)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except socket.timeout:
        return False


@pytest.fixture
def roomy_server():
    """Room for more connections than streams, so the stream rule is what refuses."""
    with KioskServer(KioskDriver(load_tree()), "127.0.0.1", 0, tick_s=0.05, idle_timeout_s=IDLE_S,
                     body_timeout_s=IDLE_S, max_connections=32) as s:
        yield s


def test_the_kiosk_pages_own_stream_always_gets_through(roomy_server):
    server = roomy_server
    status, headers, _ = call(server, "/")
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("backtriage_page=") and "HttpOnly" in headers["Set-Cookie"]
    socks = []
    try:
        socks = [_open_stream(server) for _ in range(server.max_streams)]  # local clients without the page
        assert call(server, "/api/events")[0] == 503  # another one without the page: still refused
        socks.append(_open_stream(server, cookie))  # the page's own: gets through ...
        assert _closed_by_server(socks[0])  # ... and the oldest stream without a page is dropped
        assert not any(s.page for s in server.streams if s.order == 0)
        assert call(server, "/api/events", headers={"Cookie": "backtriage_page=guessed"})[0] == 503
        for _ in range(server.max_streams - 1):  # the page reloaded again and again: only its own old streams go
            socks.append(_open_stream(server, cookie))
        assert sum(s.page for s in server.streams) == server.max_streams
        socks.append(_open_stream(server, cookie))
        assert _closed_by_server(socks[server.max_streams])  # the oldest page stream made room
        assert len(server.streams) == server.max_streams
    finally:
        for sock in socks:
            sock.close()


def test_clients_hanging_up_early_log_no_tracebacks(server, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    for request in (b"GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n",
                    b"POST /api/tap HTTP/1.1\r\nHost: %s\r\nContent-Length: 40\r\n\r\n{\"in",
                    b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n", b"\x16\x03\x01 not http at all\r\n\r\n"):
        sock = socket.create_connection(server.address, timeout=10)
        sock.sendall(request.replace(b"%s", host(server).encode()))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset, as from a closed tab or a pulled cable
    server.driver.tap("start")  # the live stream (if still open) gets a screen to write to a dead socket
    assert call(server, "/api/state")[0] == 200
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in capfd.readouterr().err


# ---------------------------------------------------------------- D8: Host header, emergency

@pytest.mark.parametrize("name", ["evil.example", "rebind.attacker.test", "127.0.0.1.nip.io", ""])
def test_requests_for_another_host_name_are_refused(server, name):
    port = server.address[1]
    headers = {"Host": f"{name}:{port}" if name else ""}
    assert call(server, "/api/state", headers=headers)[0] == 421
    # A rebinding page sends its own name as Host and as Origin: same-origin to the browser, still refused.
    headers["Origin"] = f"http://{name}:{port}"
    status, _, _ = call(server, "/api/start", {}, headers=headers)
    assert status == 421 and server.driver.mode == "idle"


def test_own_names_are_accepted(server):
    port = server.address[1]
    for name in ("127.0.0.1", "localhost", "LOCALHOST"):
        assert call(server, "/api/state", headers={"Host": f"{name}:{port}"})[0] == 200
    assert call(server, "/api/state", headers={"Host": "localhost:1"})[0] == 421  # another port
    assert call(server, "/api/start", {}, headers={"Origin": "null"})[0] == 403


def to_emergency(server):
    call(server, "/api/start", {})
    call(server, "/api/tap", {"intent": "yes"})
    call(server, "/api/tap", {"intent": "yes"})
    assert server.driver.emergency()


def test_an_emergency_is_not_cleared_by_start_finish_taps_or_words(server):
    to_emergency(server)
    for path, body in (("/api/start", {}), ("/api/finish", {}), ("/api/tap", {"intent": "finish"}),
                       ("/api/tap", {"intent": "start"}), ("/api/text", {"text": "start"}),
                       ("/api/staff", {"action": "release"}), ("/api/staff", {"code": "1234"})):
        status, _, reply = call(server, path, body)
        assert status == 200 and json.loads(reply)["ok"] is False, path
    assert server.driver.emergency()
    assert call(server, "/api/staff", {"action": "hold"})[0] == 400


def test_staff_clear_an_emergency_by_press_and_hold(server):
    to_emergency(server)
    server.driver.staff_hold_s = 1.0  # the real clock here
    assert json.loads(call(server, "/api/staff", {"action": "press"})[2])["ok"] is True
    assert json.loads(call(server, "/api/staff", {"action": "release"})[2])["ok"] is False  # a tap, not a hold
    assert server.driver.emergency()
    call(server, "/api/staff", {"action": "press"})
    time.sleep(1.05)
    status, _, reply = call(server, "/api/staff", {"action": "release"})
    assert json.loads(reply)["ok"] is True and json.loads(reply)["screen"]["mode"] == "idle"


# ---------------------------------------------------------------- D15: stopping with a result on screen

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_kiosk_with_a_result_on_screen_writes_its_summary(tmp_path, sig):
    folder = tmp_path / "handoff"
    config = tmp_path / "clinic.toml"
    config.write_text(f'[handoff]\nenabled = true\nfolder = "{folder}"\n', encoding="utf-8")
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "voice", "--config", str(config), "kiosk", "--no-voice",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert "screen at" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"

        def post(path, body):
            req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())["screen"]

        screen = post("/api/start", {})
        while screen["expects"] == "yesno":  # every red-flag question the tree asks
            screen = post("/api/tap", {"intent": "no"})
        post("/api/tap", {"intent": "number", "value": 30, "label": "30"})
        screen = post("/api/tap", {"intent": "duration", "value": 1, "label": "1 week"})
        assert screen["result"]["disposition"] == "self_care" and screen["question"]  # "hear more?" open
        assert not folder.exists() or not list(folder.glob("backtriage-*"))  # not handed off yet
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert sorted(p.suffix for p in folder.glob("backtriage-*")) == [".json", ".txt"]
