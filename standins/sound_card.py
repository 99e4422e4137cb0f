"""The product's real player on a stand-in sound card (the one part these machines lack).

    card = FakeSoundCard(rate=48000)
    player = real_player(card)           # voice.speaker.SoundDevicePlayer, unchanged
    speaker = Speaker(..., player=player)

Everything the product does before the card runs for real: looking the output device up,
resampling the 22,050 Hz speech to the device's own rate (``voice.audio.Resampler``),
handing the samples over and waiting for the stream. The card records when each block of
samples reached it (``card.handed``: perf_counter time, samples, rate; the last 1,000, so a
soak's memory figures are not the card's own list) with running totals (``blocks``,
``audio_s``) and, by default, reports the stream finished at once (``realtime=True``: it
stays active for the audio's duration, as a real card would).
"""
from __future__ import annotations

import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Iterator


class FakeSoundCard:
    """Stands in for the ``sounddevice`` module: one output device at ``rate`` Hz."""

    def __init__(self, rate: int = 48000, realtime: bool = False):
        self.rate, self.realtime = int(rate), realtime
        self.default = SimpleNamespace(device=(None, 0))
        self.handed: deque[tuple[float, int, int]] = deque(maxlen=1000)
        self.blocks, self.audio_s = 0, 0.0
        self._until = 0.0
        self._lock = threading.Lock()
        # called as ("play", time, samples, rate) and ("stop", time): the room stand-in's echo
        self.listeners: list[Any] = []

    # -- what voice.audio asks of sounddevice
    def query_devices(self) -> list[dict[str, Any]]:
        return [{"index": 0, "name": "bench sound card", "max_input_channels": 0, "max_output_channels": 2,
                 "default_samplerate": float(self.rate), "hostapi": 0}]

    def query_hostapis(self) -> list[dict[str, Any]]:
        return [{"name": "bench"}]

    def play(self, samples: Any, rate: int, device: Any = None, blocking: bool = False) -> None:
        now = time.perf_counter()
        if int(rate) != self.rate:
            raise ValueError(f"this card plays {self.rate} Hz only, not {rate} Hz")
        with self._lock:
            self.handed.append((now, len(samples), int(rate)))
            self.blocks += 1
            self.audio_s += len(samples) / rate
            self._until = time.monotonic() + (len(samples) / rate if self.realtime else 0.0)
        for listener in self.listeners:
            listener("play", now, samples, int(rate))

    def get_stream(self) -> SimpleNamespace:
        return SimpleNamespace(active=time.monotonic() < self._until)

    def stop(self) -> None:
        self._until = 0.0
        now = time.perf_counter()
        for listener in self.listeners:
            listener("stop", now)

    # -- for the benchmarks
    def first_after(self, t0: float) -> float | None:
        """When the first samples after ``t0`` reached the card (perf_counter), or None."""
        with self._lock:
            return next((t for t, _, _ in self.handed if t >= t0), None)

    def clear(self) -> None:
        with self._lock:
            self.handed.clear()


@contextmanager
def _as_sounddevice(card: FakeSoundCard) -> Iterator[None]:
    saved = sys.modules.get("sounddevice")
    sys.modules["sounddevice"] = card  # type: ignore[assignment]
    try:
        yield
    finally:
        if saved is None:
            sys.modules.pop("sounddevice", None)
        else:
            sys.modules["sounddevice"] = saved


def real_player(card: FakeSoundCard) -> Any:
    """The product's ``SoundDevicePlayer`` for the default output, bound to ``card``."""
    from voice.speaker import SoundDevicePlayer

    with _as_sounddevice(card):
        return SoundDevicePlayer(None)
