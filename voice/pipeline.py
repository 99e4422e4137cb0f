"""What happens in one turn, as typed events: the one vocabulary the turn runner reports in.

:class:`voice.turn.TurnRunner` hands each event to an *observer* (any callable taking one
event) as it happens, in this order for an answer that was heard::

    ListeningStarted -> SpeechStarted -> PartialTranscript* -> Paused* -> (RepliedEarly -> Continued?)*
    -> EndOfSpeech -> Recognized -> CrossChecked -> ReplyReady -> FirstAudio

and ``ListeningStarted -> NothingHeard`` (no speech before the timeout) or ``MicrophoneLost``.
Every event carries ``at``, a ``time.perf_counter()`` reading (monotonic, the clock the
benches and the stand-in sound card use). Live captions, benchmarks and tests all watch a
turn through these events, so nothing in the turn is patched to time it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable


def now() -> float:
    return time.perf_counter()


@dataclass(frozen=True)
class TurnEvent:
    at: float = field(default_factory=now, kw_only=True)


@dataclass(frozen=True)
class ListeningStarted(TurnEvent):
    """The microphone is open for the answer to ``node`` (None: no open question, a kiosk's start screen)."""
    node: str | None
    grammar: tuple[str, ...] | None    # the phrases the recognizer is restricted to (None: open vocabulary)
    cross_check: bool
    recognizer: str                    # the backend that hears it ("vosk", "whisper")


@dataclass(frozen=True)
class SpeechStarted(TurnEvent):
    audio_s: float                     # where the speech starts in the listened audio


@dataclass(frozen=True)
class PartialTranscript(TurnEvent):
    text: str                          # the recognizer's running result, whenever it changes (never "")


@dataclass(frozen=True)
class Paused(TurnEvent):
    """The person paused long enough for the recognizer to be told (``Recognizer.checkpoint``)."""
    audio_s: float


@dataclass(frozen=True)
class RepliedEarly(TurnEvent):
    """``reply_after_s`` of silence after ``text``: the reply started while listening goes on."""
    text: str
    audio_s: float


@dataclass(frozen=True)
class Continued(TurnEvent):
    """The person spoke again after the reply started: it was stopped, the answer goes on."""
    audio_s: float


@dataclass(frozen=True)
class EndOfSpeech(TurnEvent):
    """Listening ended: ``at`` is when the end was decided."""
    reason: str                        # voice.endpoint END or MAX_LENGTH
    speech_start_s: float | None       # positions in the listened audio (after the dropped echo tail)
    speech_end_s: float | None
    decided_s: float


@dataclass(frozen=True)
class NothingHeard(TurnEvent):
    """No speech before the no-speech timeout."""


@dataclass(frozen=True)
class MicrophoneLost(TurnEvent):
    reason: str


@dataclass(frozen=True)
class Recognized(TurnEvent):
    """The recognizer's final result (``at``: when ``end()`` returned). The red-flag cross-check
    may still be running then: ``open_text`` is what it had by then (None if not yet in)."""
    text: str
    open_text: str | None
    recognizer: str
    transcript: Any = field(repr=False, compare=False)


@dataclass(frozen=True)
class CrossChecked(TurnEvent):
    """After the answer was understood: whether it waited for the cross-check, whether that was
    late (read back instead), and whether the open-vocabulary transcript backed the grammar's
    (None when there was none in time, or the grammar heard nothing)."""
    waited: bool
    late: bool
    agrees: bool | None


@dataclass(frozen=True)
class ReplyReady(TurnEvent):
    reply: Any = field(repr=False, compare=False)  # the voice.conversation.Reply


@dataclass(frozen=True)
class FirstAudio(TurnEvent):
    """The first samples of the reply were handed to the player (``at``)."""


Observer = Callable[[TurnEvent], None]


def quiet(event: TurnEvent) -> None:
    """The observer that watches nothing."""


class Recorder:
    """An observer that keeps every event (tests and benches read them back)."""

    def __init__(self) -> None:
        self.events: list[TurnEvent] = []

    def __call__(self, event: TurnEvent) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def last(self, kind: type) -> Any | None:
        found = self.of(kind)
        return found[-1] if found else None

    def clear(self) -> None:
        self.events.clear()
