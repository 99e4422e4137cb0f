"""Hostile inputs for the fault suite: protocol lines, tree and config files, kiosk requests.

Plain functions of a ``random.Random``, so the property tests (hypothesis hands them its own
``Random``, which it shrinks) and ``bench/faults.py`` (a seeded campaign) share them. Each driver
returns what it saw; the callers decide what counts as a traceback, a hang or lost data.
"""
from __future__ import annotations

import json
import math
import os
import random
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = {"say", "ask", "heard", "result", "end", "error", "slower"}
# Plain answers for each kind of question: the "valid tail" that must still finish a session.
REPLY = {"yesno": "no", "number": "forty", "duration": "a week"}

# Values the audit used and their relatives: wrong types, non-numbers, huge, control characters, injections.
NASTY = [
    math.nan, math.inf, -math.inf, -5, -0.0, 1e308, 10**4000, 2**63, True, False, None, 0, 1, 0.5,
    "", " ", "\ud800", "\udfff", "\x00", "\x1b[2J\x1b[31m", "911\nnow", "{clinic:>1500000000}",
    "{clinic.__class__.__mro__}", "{0}", "{", "}", "{{}}", "a" * 70_000, "ж" * 50, "../../etc/passwd",
    "/dev/zero", "/dev/urandom", "NaN", [], {}, [[["fever"]]], [1, "a"], {"a": {"b": []}},
]
# NASTY less the values that are a valid confidence (a finite number from 0 to 1, not a bool).
BAD_CONFIDENCES = [v for v in NASTY if isinstance(v, bool) or not isinstance(v, (int, float))
                   or not (isinstance(v, int) or math.isfinite(v)) or not 0 <= v <= 1]
KEYS = ["text", "audio", "intent", "value", "confidence", "transcript", "label", "extra", ""]


def nasty(rnd: random.Random) -> Any:
    return rnd.choice(NASTY)


def hostile_line(rnd: random.Random) -> bytes:
    """One bad protocol line (without its newline). Never a plain valid answer."""
    kind = rnd.randrange(9)
    if kind == 0:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 120))).replace(b"\n", b"\xff")
    if kind == 1:
        return b"[" * rnd.choice([10, 1000, 100_000])
    if kind == 2:
        return b'{"text": "' + b"x" * rnd.choice([70_000, 200_000]) + b'"}'
    if kind == 3:  # a number at the wrong place or of the wrong kind
        value = rnd.choice([math.nan, math.inf, -math.inf, -5, 1e999, True, "40", 10**5000 if rnd.random() < .3
                            else 10**400, [40], {"v": 1}])
        return _dumps({"intent": rnd.choice(["number", "duration"]), "value": value})
    if kind == 4:  # only confidences the protocol must refuse: a valid one would make a real answer
        return _dumps({"intent": rnd.choice(["yes", "no", "unsure"]), "confidence": rnd.choice(BAD_CONFIDENCES)
                       if rnd.random() < .8 else 5})
    if kind == 5:
        return _dumps({rnd.choice(KEYS): nasty(rnd) for _ in range(rnd.randrange(0, 4))})
    if kind == 6:
        return _dumps(nasty(rnd))
    if kind == 7:
        return _dumps({"text": rnd.choice(["\ud800", "\udfff x"]), "transcript": nasty(rnd)})
    return _dumps({"audio": rnd.choice(["/dev/zero", "/dev/urandom", "/etc/passwd", "", "/nonexistent.wav",
                                        str(ROOT), "\ud800"])})


def _dumps(obj: Any) -> bytes:
    try:
        text = json.dumps(obj)  # NaN and Infinity come out as the bare tokens the audit sent
    except (ValueError, RecursionError):  # an integer too long to print
        text = '{"intent": "number", "value": ' + "9" * 5000 + "}"
    return text.encode("utf-8", "surrogatepass")


def answered(line: bytes) -> bool:
    """Whether the protocol answers this line (whitespace-only lines are skipped without a reply)."""
    try:
        return bool(line.decode("utf-8").strip())
    except UnicodeDecodeError:
        return True


@dataclass
class Run:
    """What one driven session showed."""
    events: list[dict] = field(default_factory=list)
    stderr: str = ""
    returncode: int | None = None
    hung: bool = False
    bad_output: list[str] = field(default_factory=list)   # stdout lines that are not strict JSON events
    lost: list[str] = field(default_factory=list)         # what was answered but went missing

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stderr or (self.returncode not in (0, None) and not self.hung)

    @property
    def result(self) -> dict | None:
        return next((e for e in self.events if e["event"] == "result"), None)


def _strict_json(text: str) -> Any:
    def refuse(token: str) -> Any:
        raise ValueError(f"{token} is not JSON")
    return json.loads(text, parse_constant=refuse)


def drive_jsonl(plan: dict[int, list[bytes]], env: dict[str, str] | None = None, timeout: float = 30.0,
                cwd: Path | None = None) -> Run:
    """A real ``backtriage run --io jsonl`` process: before answering the k-th question, send
    ``plan[k]``'s hostile lines one by one; answer every question plainly (start: yes) until a result.

    Checks on the way: each hostile line is answered with the same question again (nothing already
    answered is lost, unless the line was itself understood as an answer), and no reply takes longer
    than ``timeout`` (a hang)."""
    proc = subprocess.Popen([sys.executable, "-m", "voice", "run", "--io", "jsonl"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd or ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    run = Run()
    buf = b""

    def read_reply() -> dict | None:
        """Events up to the next ask/result/end; None on a hang or the end of output."""
        nonlocal buf
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                try:
                    event = _strict_json(raw.decode("utf-8"))
                    assert isinstance(event, dict) and event.get("event") in EVENTS
                except (ValueError, AssertionError):
                    run.bad_output.append(raw[:200].decode("utf-8", "replace"))
                    continue
                run.events.append(event)
                if event["event"] in ("ask", "result", "end"):
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                run.hung = True
                return None
            if not select.select([proc.stdout], [], [], left)[0]:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            buf += chunk

    def send(data: bytes) -> bool:
        try:
            proc.stdin.write(data + b"\n")
            proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    try:
        last = read_reply()
        asked = 0
        while last is not None and last["event"] == "ask":
            for line in plan.get(asked, []):
                if not send(line):
                    break
                if not answered(line):
                    continue
                before, seen = last, len(run.events)
                last = read_reply()
                if last is None or last["event"] != "ask":
                    break
                # A line taken as an answer (understood, or a third "not understood" that moves on with
                # the cautious reading) may move on; a refused line must not.
                heard = any(e["event"] == "heard" for e in run.events[seen:])
                if last["node"] != before["node"] and not heard:
                    run.lost.append(f"after a bad line the question moved from {before['node']} to {last['node']}")
            if last is None or last["event"] != "ask":
                break
            answer = "yes" if asked == 0 else REPLY.get(last.get("expects"), "no")
            if last.get("confirm"):
                answer = "yes"
            if not send(json.dumps({"text": answer}).encode()):
                break
            asked += 1
            last = read_reply()
            if asked > 200:
                run.lost.append("the session never ended")
                break
        if run.result is None and not run.hung:
            run.lost.append("no result: the session did not finish")
    finally:
        try:
            _, err = proc.communicate(timeout=timeout)  # closes stdin: the end of input
        except subprocess.TimeoutExpired:
            run.hung = True
            proc.kill()
            _, err = proc.communicate()
        run.stderr = err.decode("utf-8", "replace")
        run.returncode = proc.returncode
    return run


# ---------------------------------------------------------------- tree and config files

def mutate_tree(rnd: random.Random, data: dict) -> dict:
    """The shipped tree's data with one to three fields replaced by hostile values (in place; returns it)."""
    for _ in range(rnd.randrange(1, 4)):
        section = rnd.choice(["meta", "nodes", "outcomes", "info", "top"])
        if section == "top":
            data[rnd.choice(["nodes", "outcomes", "meta", "extra"])] = nasty(rnd)
            continue
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        if section in ("nodes", "outcomes") and table:
            entry = table[rnd.choice(sorted(table))]
            if not isinstance(entry, dict):
                continue
            fields = sorted(entry) + ["when", "threshold", "default", "topics", "yes", "help", "colour"]
            entry[rnd.choice(fields)] = rnd.choice([nasty(rnd), "nowhere", "end", "start", 1e999, "{clinic:>9}"])
        else:
            table[rnd.choice(sorted(table) + ["start", "x"])] = nasty(rnd)
    return data


def toml_value(v: Any) -> str:
    from voice.config import _toml_value

    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    if v is None:
        return '""'
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 2**63:
        return str(2**63)  # TOML integers are 64-bit: a parse error, which must be a plain one too
    return _toml_value(v)


def hostile_config(rnd: random.Random) -> str:
    """A config file with known tables and settings set to hostile values (and some unknown ones)."""
    from dataclasses import fields

    from voice.config import Config

    sections = {f.name: [g.name for g in fields(getattr(Config(), f.name))] for f in fields(Config)
                if f.name != "tree"}
    lines = []
    if rnd.random() < .2:
        lines.append(f"tree = {toml_value(nasty(rnd))}")
    for _ in range(rnd.randrange(1, 4)):
        section = rnd.choice(sorted(sections) + ["nonsense"])
        lines.append(f"[{section}]" if section not in [ln.strip("[]") for ln in lines] else "")
        for _ in range(rnd.randrange(1, 4)):
            key = rnd.choice(sections.get(section, ["x"]) + ["colour"])
            lines.append(f"{key} = {toml_value(nasty(rnd))}")
    if rnd.random() < .1:
        lines.append("x = " + "[" * 3000 + "]" * 3000)
    return "\n".join(ln for ln in lines if ln) + "\n"


# ---------------------------------------------------------------- the kiosk HTTP API (127.0.0.1 only)

KIOSK_PATHS = ["/", "/api/state", "/api/tap", "/api/text", "/api/start", "/api/finish", "/api/more-time",
               "/api/staff", "/events", "/static/../../etc/passwd", "/" + "a" * 5000, "/api/tap?x=1", "//api/tap"]


def kiosk_request(port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                  timeout: float = 10.0) -> tuple[int | None, bytes, bool]:
    """(status or None, first bytes of the body, hung) for one raw request to 127.0.0.1:port."""
    import http.client
    import socket

    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        c.endheaders(body)
        r = c.getresponse()
        data = r.read(100_000) if path != "/events" else b""
        c.close()
        return r.status, data, False
    except (socket.timeout, TimeoutError):
        return None, b"", True
    except (OSError, http.client.HTTPException):
        return None, b"", False  # the server closed the connection: a refusal, not a hang


def hostile_request(rnd: random.Random, host: str) -> tuple[str, str, bytes, dict[str, str]]:
    """A random request: wrong methods, paths, Host and Origin headers, lying Content-Length, bad bodies.
    (No valid answer bodies: the point is that bad requests change nothing.)"""
    method = rnd.choice(["GET", "POST", "PUT", "DELETE", "OPTIONS", "BREW", "POST", "POST"])
    body = rnd.choice([b"", b"{}", b'{"intent": "number", "value": NaN}', b'{"intent": "number", "value": 1e999}',
                       b'{"intent": 5}', b"[" * 10000, bytes(rnd.randrange(256) for _ in range(200)),
                       b'{"text": "' + b"x" * 100_000 + b'"}', b'{"code": "' + b"9" * 100 + b'"}',
                       b'{"intent": "number", "value": -5}', b'{"intent": "\\ud800"}'])
    headers = {"Host": rnd.choice([host, "evil.example:80", "", "127.0.0.1", f"localhost:{host.split(':')[1]}"]),
               "Origin": rnd.choice([f"http://{host}", "http://evil.example", "null", ""]),
               "Content-Type": rnd.choice(["application/json", "text/plain", ""]),
               "Content-Length": rnd.choice([str(len(body)), "-1", "abc", "99999999999", str(len(body))])}
    if headers["Content-Length"] != str(len(body)):
        body = body[:100]
    return method, rnd.choice(KIOSK_PATHS), body, {k: v for k, v in headers.items() if v or k == "Host"}


def kiosk_still_answers(port: int) -> bool:
    """A patient can still start and answer: finish whatever is on screen, start, answer two questions."""
    host = f"127.0.0.1:{port}"
    hdr = {"Host": host, "Origin": f"http://{host}", "Content-Type": "application/json"}

    def post(path: str, payload: dict) -> dict | None:
        body = json.dumps(payload).encode()
        status, data, _ = kiosk_request(port, "POST", path, body, {**hdr, "Content-Length": str(len(body))})
        return json.loads(data) if status == 200 else None

    if post("/api/finish", {}) is None:
        return False
    steps = [post("/api/tap", {"intent": i}) for i in ("start", "no", "no")]  # Start, then two warning signs
    return all(s is not None for s in steps) and steps[-1]["ok"] and steps[-1]["screen"]["question"] != ""


def session_finishes(tree: Any, steps: int = 100) -> bool:
    """A typed session on ``tree``, answered plainly, reaches its end within ``steps`` answers."""
    from voice.conversation import Conversation

    conv = Conversation(tree)
    reply = conv.start()
    for _ in range(steps):
        if conv.finished:
            break
        q = reply.question
        reply = conv.answer_text("yes" if q is None or q.confirm else REPLY[q.expects])
    return conv.finished
