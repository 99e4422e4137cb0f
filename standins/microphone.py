"""The microphone stand-in for tests and benchmarks: scripted answers from WAV files.

It implements :class:`voice.audio.AudioSource`, so everything after it (resampling,
endpointing, recognizers, the conversation) runs exactly as with a real microphone.
Kept out of the product: nothing in ``voice/`` plays scripted audio.
"""
from __future__ import annotations

import time
from typing import Any, Iterable

from voice.audio import AudioSource, DeviceLost


class ScriptedSource(AudioSource):
    """Stand-in for a microphone: plays scripted answers from WAV files.

    Each ``open()`` (one per question) starts the next turn: ``lead_s`` of room
    noise, the turn's speech, then room noise until ``close()``. A turn is a WAV
    path, a list of paths (spoken one after another), ``None`` (the person says
    nothing), :data:`UNPLUG` (the device vanishes during that turn and
    ``reopen()`` fails ``unplugged_attempts`` times before it is back), or a
    callable returning one of those when the turn starts. Chunks are
    ``chunk_s`` long at ``sample_rate`` (48 kHz by default, like a laptop
    microphone, so the consumer's resampling runs); with ``realtime=True`` they
    arrive at the pace a real device would deliver them.
    """

    UNPLUG = object()

    def __init__(self, turns: Iterable[Any], sample_rate: int = 48000, chunk_s: float = 0.02,
                 lead_s: float = 0.5, noise_dbfs: float | None = -60.0, realtime: bool = False,
                 unplugged_attempts: int = 2, seed: int = 0):
        import numpy as np

        self._np = np
        self.turns = list(turns)
        self.sample_rate = int(sample_rate)
        self.chunk = max(1, int(self.sample_rate * chunk_s))
        self.lead = int(self.sample_rate * lead_s)
        self.noise_dbfs = noise_dbfs
        self.realtime = realtime
        self.unplugged_attempts = unplugged_attempts
        self._rng = np.random.default_rng(seed)
        self._turn = -1
        self._open = False
        self._buf = np.zeros(0, np.int16)
        self._pos = 0
        self._t0 = 0.0
        self._sent = 0
        self._lost = False
        self._lost_now = False
        self._failures_left = 0
        self.opened = 0          # how many times the input was opened (tests check it is shut while speaking)
        self.delivered_s = 0.0   # seconds of audio handed out in total

    def describe(self) -> str:
        return f"scripted stand-in ({self.sample_rate} Hz)"

    def _noise(self, n: int) -> Any:
        np = self._np
        if self.noise_dbfs is None:
            return np.zeros(n, np.int16)
        amp = 32768 * 10 ** (self.noise_dbfs / 20)
        return np.clip(self._rng.normal(0, amp, n), -32768, 32767).astype(np.int16)

    def _speech(self, item: Any) -> Any:
        np = self._np
        paths = item if isinstance(item, (list, tuple)) else [item]
        from voice.asr.audio import wav_pcm16

        parts = [np.frombuffer(wav_pcm16(p, self.sample_rate), np.int16) for p in paths]
        return np.concatenate(parts) if parts else np.zeros(0, np.int16)

    def open(self) -> None:
        if self._lost:
            raise DeviceLost()
        np = self._np
        self._turn += 1
        item = self.turns[self._turn] if self._turn < len(self.turns) else None
        if callable(item):
            item = item()  # a stand-in patient choosing its answer when the question is asked
        self._lost_now = item is self.UNPLUG
        speech = np.zeros(0, np.int16) if item is None or item is self.UNPLUG else self._speech(item)
        lead = self._noise(self.lead)
        if len(speech):
            speech = np.clip(speech.astype(np.int32) + self._noise(len(speech)), -32768, 32767).astype(np.int16)
        self._buf = np.concatenate([lead, speech])
        self.speech_start_s = self.lead / self.sample_rate
        self.speech_end_s = (self.lead + len(speech)) / self.sample_rate
        self._pos = 0
        self._sent = 0
        self._t0 = time.monotonic()
        self._open = True
        self.opened += 1

    def read(self, timeout: float) -> bytes | None:
        if not self._open:
            return None
        if self._lost_now and self._pos >= self.lead:
            self._open, self._lost, self._failures_left = False, True, self.unplugged_attempts
            raise DeviceLost()
        if self.realtime:
            due = self._t0 + self._sent / self.sample_rate
            wait = due - time.monotonic()
            if wait > timeout:
                time.sleep(timeout)
                return None
            if wait > 0:
                time.sleep(wait)
        end = self._pos + self.chunk
        if end <= len(self._buf):
            out = self._buf[self._pos:end]
        else:  # past the script: the room stays quiet
            have = self._buf[self._pos:] if self._pos < len(self._buf) else self._np.zeros(0, self._np.int16)
            out = self._np.concatenate([have, self._noise(self.chunk - len(have))])
        self._pos = end
        self._sent += self.chunk
        self.delivered_s += self.chunk / self.sample_rate
        return out.tobytes()

    def close(self) -> None:
        self._open = False

    def reopen(self) -> None:
        self.close()
        if self._lost:
            if self._failures_left > 0:
                self._failures_left -= 1
                raise DeviceLost()
            self._lost = False  # back; the next open() plays the next turn (the answer to the re-asked question)
