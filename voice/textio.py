"""Typed front ends: a terminal session and the JSON-lines protocol.

Both drive the same ``triage.Session`` as the voice loop and the kiosk; the only
difference is where answers come from and how events are shown.
"""
from __future__ import annotations

import json
import shutil
import sys
import textwrap
from typing import Any, Callable, Iterable, TextIO

from triage import Ask, End, Error, Event, Heard, Result, Say, Session, Slower
from triage.events import describe_answer
from voice.answers import answer_text, answer_transcript, grammar_for, needs_cross_check


# ---------------------------------------------------------------- terminal

_LABELS = {"self_care": "SELF-CARE", "soon": "BOOK AN APPOINTMENT", "urgent": "URGENT: TODAY",
           "emergency": "EMERGENCY"}


def _wrap(text: str) -> str:
    width = min(100, shutil.get_terminal_size((80, 24)).columns - 1)
    return textwrap.fill(text, width=max(40, width))


def show_event(event: Event, out: TextIO) -> None:
    if isinstance(event, Say):
        print(_wrap(event.text), file=out)
    elif isinstance(event, Ask):
        print(f"\n{_wrap(event.text)}", file=out)
    elif isinstance(event, Heard):
        if event.intent != "unknown":
            unit = "weeks" if event.intent == "duration" else ""
            print(f"  (understood: {describe_answer(event.intent, event.value, unit)})", file=out)
    elif isinstance(event, Slower):
        print("  (speaking more slowly)", file=out)
    elif isinstance(event, Result):
        bar = "=" * 60
        print(f"\n{bar}\n{_LABELS[event.disposition]}\n{_wrap(event.text)}\n{bar}", file=out)


def run_text(session: Session, inp: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """A typed session. Type 'help' for the words it knows; end of input (Ctrl-D) leaves."""
    for event in session.start():
        show_event(event, out)
    while not session.finished:
        print("> ", end="", file=out, flush=True)
        line = inp.readline()
        if not line:
            print("\nGoodbye.", file=out)
            return 0
        text = line.strip()
        if not text:
            continue
        for event in answer_text(session, text):
            show_event(event, out)
    return 0


# ---------------------------------------------------------------- JSON lines

def _emit(out: TextIO, payload: dict[str, Any]) -> None:
    out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    out.flush()


class AudioAnswers:
    """Turns ``{"audio": "path.wav"}`` answers into events with the configured recognizer (opened on first use)."""

    def __init__(self, open_recognizer: Callable[[], Any] | None):
        self._open = open_recognizer
        self._recognizer = None

    def answer(self, session: Session, path: str) -> list[Event]:
        from voice.asr import transcribe_wav

        if self._open is None:
            raise ValueError("audio answers need a speech recognizer; none is configured")
        if self._recognizer is None:
            self._recognizer = self._open()
        t = transcribe_wav(self._recognizer, path, grammar=grammar_for(session, self._recognizer),
                           cross_check=needs_cross_check(session))
        return answer_transcript(session, t)


def parse_line(line: str) -> dict[str, Any]:
    """One protocol line -> dict with exactly one of text / audio / intent. ValueError says what is wrong."""
    try:
        msg = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg}); send one object per line, "
                         'like {"text": "yes"} or {"audio": "answer.wav"}') from None
    if not isinstance(msg, dict):
        raise ValueError('each line must be a JSON object, like {"text": "yes"}')
    keys = [k for k in ("text", "audio", "intent") if k in msg]
    if len(keys) != 1:
        raise ValueError('each line needs exactly one of "text", "audio" or "intent"')
    if not isinstance(msg[keys[0]], str):
        raise ValueError(f'"{keys[0]}" must be a string')
    return msg


def run_jsonl(session: Session, inp: Iterable[str] = sys.stdin, out: TextIO = sys.stdout,
              audio: AudioAnswers | None = None) -> int:
    """The JSON-lines protocol: events out, one answer in after each ``ask``.

    A bad line gets an ``error`` event and the same question again; nothing
    already answered is lost. End of input ends the session cleanly.
    """
    audio = audio or AudioAnswers(None)

    def emit_all(events: list[Event]) -> None:
        for e in events:
            _emit(out, e.to_json())

    emit_all(session.start())
    lines = iter(inp)
    while not session.finished:
        line = next(lines, None)
        if line is None:
            break
        if not line.strip():
            continue
        ask = session.current
        try:
            msg = parse_line(line)
            if "intent" in msg:
                events = session.answer(msg["intent"], msg.get("value"), float(msg.get("confidence", 1.0)),
                                        transcript=msg.get("transcript", ""))
            elif "audio" in msg:
                events = audio.answer(session, msg["audio"])
            else:
                events = answer_text(session, msg["text"])
        except (ValueError, OSError) as e:
            _emit(out, Error(message=str(e)).to_json())
            _emit(out, ask.to_json())
            continue
        except Exception as e:  # a recognizer failure must not lose the session
            _emit(out, Error(message=f"could not use that answer: {e}").to_json())
            _emit(out, ask.to_json())
            continue
        emit_all(events)
    if not session.finished:  # end of input: leave cleanly
        _emit(out, End().to_json())
    return 0
