"""Property-based fault suite (hypothesis): hostile protocol lines, tree files and config files.
Whatever comes in: no traceback, no hang, strict JSON out, and every session still answers
(bench/faults.py runs the same generators as a longer seeded campaign and prints the figures)."""
from __future__ import annotations

import copy
import logging
import io
import json
import random
import types

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from standins import hostile
from triage import TreeError, load_tree
from triage.tree import SHIPPED_TREE, parse_tree, tomllib
from voice.config import ConfigError, load_config, to_toml, validate
from voice.conversation import Conversation
from voice.textio import run_jsonl

TREE = load_tree()
RAW_TREE = tomllib.loads(SHIPPED_TREE.read_text(encoding="utf-8"))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- JSON lines, in-process (many examples)

class Feeder:
    """stdin for run_jsonl that answers like a client: the planned hostile lines before the k-th
    answer, then a plain answer to whatever is asked; end of input once a result is out."""

    def __init__(self, out: io.StringIO, plan: dict[int, list[bytes]]):
        self.out, self.plan, self.asked = out, {k: list(v) for k, v in plan.items()}, 0
        self.pending = b""

    def events(self) -> list[dict]:
        return [json.loads(x, parse_constant=lambda t: pytest.fail(f"{t} in the output"))
                for x in self.out.getvalue().splitlines()]

    def readline(self, limit: int = -1) -> bytes:
        if not self.pending:
            self.pending = self._next_line()
        cut = len(self.pending) if limit < 0 else limit
        line, self.pending = self.pending[:cut], self.pending[cut:]
        return line

    def _next_line(self) -> bytes:
        events = self.events()
        if any(e["event"] in ("result", "end") for e in events) or self.asked > 200:
            return b""
        if self.plan.get(self.asked):
            return self.plan[self.asked].pop(0) + b"\n"
        ask = [e for e in events if e["event"] == "ask"][-1]
        answer = "yes" if self.asked == 0 or ask.get("confirm") else hostile.REPLY[ask["expects"]]
        self.asked += 1
        return json.dumps({"text": answer}).encode() + b"\n"


@FAST
@given(rnd=st.randoms(use_true_random=False), where=st.lists(st.integers(0, 16), min_size=1, max_size=6))
def test_jsonl_hostile_lines_never_break_a_session(rnd, where):
    plan: dict[int, list[bytes]] = {}
    for k in where:
        plan.setdefault(k, []).append(hostile.hostile_line(rnd))
    out = io.StringIO()
    feeder = Feeder(out, plan)
    conversation = Conversation(TREE)
    assert run_jsonl(conversation, types.SimpleNamespace(buffer=feeder), out) == 0
    events = feeder.events()
    assert all(e["event"] in hostile.EVENTS for e in events)
    # (hostile lines are never valid answers, so none can stop the session before its result)
    assert conversation.result is not None, "the session did not reach a result"
    # every refused line was followed by the same question again
    for i, e in enumerate(events):
        if e["event"] == "error":
            before = [x for x in events[:i] if x["event"] == "ask"][-1]
            assert events[i + 1]["event"] == "ask" and events[i + 1]["node"] == before["node"]


# ---------------------------------------------------------------- JSON lines, real subprocess

@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), where=st.lists(st.integers(0, 16), min_size=1, max_size=5),
       encoding=st.sampled_from(["", "utf-8", "utf-8:strict", "ascii"]))
def test_jsonl_subprocess_survives_hostile_lines(rnd, where, encoding):
    plan: dict[int, list[bytes]] = {}
    for k in where:
        plan.setdefault(k, []).append(hostile.hostile_line(rnd))
    run = hostile.drive_jsonl(plan, env={"PYTHONIOENCODING": encoding})
    assert not run.hung and not run.traceback, run.stderr[-2000:]
    assert run.bad_output == [] and run.lost == []
    assert run.result is not None


# ---------------------------------------------------------------- tree files

@FAST
@given(rnd=st.randoms(use_true_random=False))
def test_hostile_tree_data_is_a_tree_error_or_a_working_tree(rnd):
    data = hostile.mutate_tree(rnd, copy.deepcopy(RAW_TREE))
    try:
        tree = parse_tree(data, "fuzz.toml")
    except TreeError as e:
        assert e.problems and all(isinstance(p, str) and "\n" not in p for p in e.problems)
        return
    # it passed validation: then a whole session runs on it
    assert hostile.session_finishes(tree)


@FAST
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_any_text_as_a_tree_file_is_a_tree_error(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("tree") / "t.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    with pytest.raises(TreeError):
        load_tree(path)


# ---------------------------------------------------------------- config files

@FAST
@given(rnd=st.randoms(use_true_random=False))
def test_hostile_config_is_a_config_error_or_a_valid_config(rnd, tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "clinic.toml"
    path.write_text(hostile.hostile_config(rnd), encoding="utf-8", errors="surrogatepass")
    try:
        config = load_config(path)
    except ConfigError as e:
        assert str(e) and all(line.startswith(str(path)) or "not valid TOML" in line or "folder" in line
                              for line in str(e).splitlines())
        return
    assert validate(config) == []
    again = path.with_name("again.toml")
    again.write_text(to_toml(config), encoding="utf-8")
    assert load_config(again) == config
    Conversation.from_config(TREE, config).start()


def test_the_generators_cover_the_audit_inputs():
    """The campaign includes the audit's own reproductions (NaN ages, surrogates, format specs...)."""
    rnd = random.Random(0)
    lines = b"\n".join(hostile.hostile_line(rnd) for _ in range(400))
    for needle in (b"NaN", b"Infinity", b"\\ud800", b"/dev/zero", b"[[[[[[[[[["):
        assert needle in lines


# ---------------------------------------------------------------- the kiosk HTTP API, on 127.0.0.1 only

class _Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.seen.append(f"{record.name}: {record.getMessage()[:200]}")


@pytest.fixture(scope="module")
def kiosk_port():
    import socket
    import threading

    from voice.config import Config
    from voice.kiosk.app import run_kiosk

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stop = threading.Event()
    catcher = _Tracebacks()
    logging.getLogger().addHandler(catcher)
    thread = threading.Thread(target=run_kiosk, args=(Config(), TREE),
                              kwargs={"port": port, "voice": False, "stop": stop}, daemon=True)
    thread.start()
    while hostile.kiosk_request(port, "GET", "/api/state", headers={"Host": f"127.0.0.1:{port}"})[0] != 200:
        assert thread.is_alive()
    yield port, catcher
    stop.set()
    thread.join(30)
    logging.getLogger().removeHandler(catcher)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(rnd=st.randoms(use_true_random=False))
def test_kiosk_http_api_refuses_hostile_requests_and_keeps_answering(kiosk_port, rnd):
    port, catcher = kiosk_port
    for _ in range(8):
        method, path, body, headers = hostile.hostile_request(rnd, f"127.0.0.1:{port}")
        status, _, hung = hostile.kiosk_request(port, method, path, body, headers)
        assert not hung, f"no reply to {method} {path[:60]} {headers}"
        assert status is None or 200 <= status < 600
    assert hostile.kiosk_still_answers(port)
    assert catcher.seen == []
