"""Typed front ends: a terminal session and the JSON-lines protocol.

Both are thin adapters over :class:`voice.conversation.Conversation`, like the voice
loop and the kiosk: the only difference is where answers come from and how replies are shown.
"""
from __future__ import annotations

import json
import shutil
import sys
import textwrap
from typing import Any, Callable, Iterable, Iterator, TextIO

from triage import End
from triage.messages import messages
from voice.conversation import Conversation, Reply


# ---------------------------------------------------------------- terminal

def _wrap(text: str) -> str:
    width = min(100, shutil.get_terminal_size((80, 24)).columns - 1)
    return textwrap.fill(text, width=max(40, width))


def show_reply(reply: Reply, out: TextIO, lang: str = "en") -> None:
    """A reply as terminal lines: acknowledgement, explanations, the result card, the next question."""
    if reply.heard:
        print(f"  ({reply.heard})", file=out)
    if reply.slower:
        print(f"  {messages(lang)('voice.speaking_slower')}", file=out)
    if reply.result and reply.result.emergency:
        _show_result(reply, out)
    for line in reply.lines:
        print(_wrap(line), file=out)
    if reply.result and not reply.result.emergency:
        _show_result(reply, out)
    if reply.question:
        print(f"\n{_wrap(reply.question.text)}", file=out)


def _show_result(reply: Reply, out: TextIO) -> None:
    bar = "=" * 60
    print(f"\n{bar}\n{reply.result.label}\n{_wrap(reply.result.text)}\n{bar}", file=out)


MAX_LINE = 64 * 1024  # bytes in one line of input: an answer is a few words, a protocol line a few hundred bytes


class LineProblem(str):
    """What is wrong with a line of input, in English (the JSON-lines protocol's error), that
    can also be said in another language: its catalogue ``key`` and the values to ``fill`` it with."""

    def __new__(cls, key: str, **fill: Any) -> "LineProblem":
        self = super().__new__(cls, messages("en")(key, **fill))
        self.key, self.fill = key, fill
        return self

    def said_in(self, lang: str) -> str:
        return messages(lang)(self.key, **self.fill)

    def __reduce__(self):  # a copy (dataclasses.asdict deep-copies events) is the plain English text
        return str, (str(self),)


def input_lines(stream: Any, limit: int = MAX_LINE) -> Iterator[tuple[str | None, str | None]]:
    """Lines of input as ``(text, None)``, or ``(None, problem)`` for a line that cannot be used.

    Bytes are decoded here, line by line, rather than by the stream: one invalid byte or an
    endless line is then a problem with that line, and the lines before and after still count.
    A closed stdin (None) is simply the end of input."""
    if stream is None:
        return
    raw = getattr(stream, "buffer", None)
    if raw is None:  # already text (a StringIO, a list of lines)
        for line in stream:
            yield (None, LineProblem("voice.line_too_long_chars", limit=limit)) if len(line) > limit else (line, None)
        return
    while True:
        line = raw.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := raw.readline(limit)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the endless line, without keeping it
            yield None, LineProblem("voice.line_too_long_bytes", limit=limit)
            continue
        try:
            yield line.decode("utf-8"), None
        except UnicodeDecodeError as e:
            yield None, LineProblem("voice.line_not_utf8", position=e.start)


def run_text(conversation: Conversation, inp: Any = sys.stdin, out: TextIO = sys.stdout) -> int:
    """A typed session. Type 'help' for the words it knows; end of input (Ctrl-D) leaves."""
    lang, say = conversation.lang, conversation.messages
    show_reply(conversation.start(), out, lang)
    lines = input_lines(inp)
    while not conversation.finished:
        print("> ", end="", file=out, flush=True)
        line, problem = next(lines, ("", None))
        if problem:
            detail = problem.said_in(lang) if isinstance(problem, LineProblem) else problem
            show_reply(conversation.error(say("voice.retype", problem=detail)), out, lang)
            continue
        if not line:
            print(f"\n{say('voice.goodbye')}", file=out)
            return 0
        text = line.strip()
        if text:
            show_reply(conversation.answer_text(text), out, lang)
    return 0


# ---------------------------------------------------------------- JSON lines

def _emit(out: TextIO, payload: dict[str, Any]) -> None:
    out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    out.flush()


class AudioAnswers:
    """Turns ``{"audio": "path.wav"}`` answers into replies with the configured recognizer (opened
    on first use), through the one turn runner (voice.turn) as a whole recording."""

    def __init__(self, open_recognizer: Callable[[], Any] | None):
        self._open = open_recognizer
        self._runner: Any = None

    def answer(self, conversation: Conversation, path: str) -> Reply:
        from voice.turn import Recording, TurnRunner

        if self._open is None:
            raise ValueError("audio answers need a speech recognizer; none is configured")
        if self._runner is None:
            self._runner = TurnRunner(self._open())
        hearing = self._runner.hear(conversation, Recording(path))
        return self._runner.answer(conversation, hearing)


def parse_line(line: str) -> dict[str, Any]:
    """One protocol line -> dict with exactly one of text / audio / intent. ValueError says what is wrong."""
    try:
        msg = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg}); send one object per line, "
                         'like {"text": "yes"} or {"audio": "answer.wav"}') from None
    except RecursionError:
        raise ValueError("not valid JSON here (nested too deeply); send one flat object per line") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise ValueError("not valid JSON here (a number with too many digits)") from None
    if not isinstance(msg, dict):
        raise ValueError('each line must be a JSON object, like {"text": "yes"}')
    keys = [k for k in ("text", "audio", "intent") if k in msg]
    if len(keys) != 1:
        raise ValueError('each line needs exactly one of "text", "audio" or "intent"')
    if not isinstance(msg[keys[0]], str):
        raise ValueError(f'"{keys[0]}" must be a string')
    for key in (keys[0], "transcript"):
        if isinstance(msg.get(key), str) and not _is_text(msg[key]):
            raise ValueError(f'"{key}" is not valid text (it holds a lone surrogate such as \\ud800)')
    return msg


def _is_text(value: str) -> bool:
    """True when ``value`` can be written out as UTF-8 (JSON allows lone surrogates; UTF-8 does not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def run_jsonl(conversation: Conversation, inp: Iterable[str] = sys.stdin, out: TextIO = sys.stdout,
              audio: AudioAnswers | None = None) -> int:
    """The JSON-lines protocol: events out, one answer in after each ``ask``.

    A bad line gets an ``error`` event and the same question again; nothing
    already answered is lost. End of input ends the session cleanly.
    """
    audio = audio or AudioAnswers(None)

    def emit(reply: Reply) -> None:
        for e in reply.events:
            event = e.to_json()
            if event["event"] in ("ask", "result"):
                event["lang"] = conversation.lang  # the language the question or result is in
            _emit(out, event)

    emit(conversation.start())
    lines = input_lines(inp)
    while not conversation.finished:
        line, problem = next(lines, (None, None))
        if problem:
            emit(conversation.error(problem))
            continue
        if line is None:
            break
        if not line.strip():
            continue
        try:
            msg = parse_line(line)
            if "intent" in msg:
                reply = conversation.tap(msg["intent"], msg.get("value"), confidence=msg.get("confidence", 1.0),
                                         transcript=str(msg.get("transcript", "")))
            elif "audio" in msg:
                reply = audio.answer(conversation, msg["audio"])
            else:
                reply = conversation.answer_text(msg["text"])
        except (ValueError, OSError) as e:
            reply = conversation.error(str(e))
        except Exception as e:  # a recognizer failure must not lose the session
            reply = conversation.error(f"could not use that answer: {e}")
        emit(reply)
    if not conversation.finished:  # end of input: leave cleanly
        _emit(out, End().to_json())
    return 0
