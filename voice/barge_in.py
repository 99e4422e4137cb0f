"""Barge-in: the patient speaks over a prompt, the prompt stops and their words are the answer.

    ears = BargeIn.from_config(config, microphone, speaker)   # None when off or impossible (says why)
    heard = ears.listen_while(lambda: saying.is_alive(), speaker.stop)
    runner.take_turn(conversation, source=heard or ears.source)

While the assistant speaks, the microphone stays open; its signal goes through the echo canceller
(``voice.echo``: the player's own samples are the reference) and the barge-in detector. When the
detector fires, ``stop`` cuts the prompt at once (``Speaker.stop``) and the listener hands back a
source that replays the cleaned audio from ``keep_s`` before the detection and then carries on live:
the turn runner hears the whole answer, its first syllable included. With barge-in off (``[barge_in]
enabled = false``) or without the echo canceller, nothing changes: the microphone is shut while
speaking, as before.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable

from voice.echo import BargeInDetector, EchoCancelledSource, EchoCanceller, ReferenceTap, available


class Carried:
    """The cleaned audio from just before the barge-in, then the live (still open) source."""

    def __init__(self, source: EchoCancelledSource, chunks: list[bytes]):
        self.source, self.sample_rate = source, source.sample_rate
        self._chunks = deque(chunks)
        self.opened = False

    def describe(self) -> str:
        return self.source.describe()

    def open(self) -> None:
        self.opened = True  # it is open already: reopening would lose what is being said now

    def read(self, timeout: float) -> bytes | None:
        if self._chunks:
            return self._chunks.popleft()
        return self.source.read(timeout)

    def close(self) -> None:
        self._chunks.clear()
        self.source.close()

    def reopen(self) -> None:
        self._chunks.clear()
        self.source.reopen()


class BargeIn:
    """Listens through the echo canceller while the assistant speaks (see the module's docstring).

    ``detected_at``: perf_counter when the last barge-in was recognised (None: none); ``speech_at``:
    the capture time of the frame that fired it."""

    def __init__(self, source: EchoCancelledSource, detector: BargeInDetector | None = None,
                 keep_s: float = 0.5, max_s: float = 600.0):
        self.source = source
        self.detector = detector or BargeInDetector()
        self.keep_s, self.max_s = float(keep_s), float(max_s)
        self.detected_at: float | None = None
        self.speech_at: float | None = None
        self.prompts = self.barge_ins = 0

    @classmethod
    def from_config(cls, config: Any, microphone: Any, speaker: Any,
                    notify: Callable[[str], None] | None = None) -> "BargeIn | None":
        """Barge-in for ``microphone`` and ``speaker`` (a ``voice.speaker.Speaker`` whose player gets the
        reference tap), or None when ``[barge_in] enabled`` is false, speech is off, or the echo
        canceller is missing (``notify`` is told why, in plain words)."""
        settings = config.barge_in
        if not settings.enabled:
            return None
        player = getattr(speaker, "player", None)
        why = available()
        if why is None and (player is None or not hasattr(player, "stop")):
            why = "barge-in is off: the speech output cannot be stopped or tapped"
        if why is not None:
            if notify is not None:
                notify(why)
            return None
        tap = ReferenceTap()
        player.tap = tap
        canceller = EchoCanceller(tap, lead_s=settings.lead_s)
        detector = BargeInDetector(level_dbfs=settings.level_dbfs, need=settings.frames,
                                   start_guard_s=settings.start_guard_s)
        return cls(EchoCancelledSource(microphone, canceller), detector)

    def listen_while(self, busy: Callable[[], bool], stop: Callable[[], None],
                     cancelled: threading.Event | None = None) -> Carried | None:
        """Listen while ``busy()``; when the patient speaks over it, call ``stop()`` and return the
        source to hear their answer from (open; its ``close`` shuts the microphone). None when the
        prompt ended with nobody speaking over it (the microphone is shut again then)."""
        self.detector.reset()
        self.detected_at = self.speech_at = None
        self.prompts += 1
        keep = max(1, int(self.keep_s / 0.02))
        recent: deque[bytes] = deque(maxlen=keep)  # ~20 ms chunks of cleaned audio
        self.source.open()
        handed = False
        try:
            deadline = time.monotonic() + self.max_s
            while busy() and time.monotonic() < deadline and not (cancelled is not None and cancelled.is_set()):
                chunk = self.source.read(0.1)
                if chunk is None:
                    continue
                recent.append(chunk)
                for t, far, out in self.source.canceller.last_frames:
                    if self.detector.frame(far, out):
                        self.detected_at, self.speech_at = time.perf_counter(), t
                        stop()
                        self.barge_ins += 1
                        handed = True
                        return Carried(self.source, list(recent))
            return None
        finally:
            if not handed:
                self.source.close()
