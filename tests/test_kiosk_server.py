"""The kiosk's HTTP side without a browser: the API, its refusals, and server-sent events."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from triage import load_tree
from voice.kiosk.driver import KioskDriver
from voice.kiosk.server import KioskServer


@pytest.fixture
def server():
    d = KioskDriver(load_tree())
    with KioskServer(d, "127.0.0.1", 0, tick_s=0.05) as s:
        yield s


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
    status, _, body = call(server, "/api/tap", {"intent": "yes", "label": "Yes"})
    assert json.loads(body)["screen"]["heard"] == "I understood: yes."
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
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n")
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
