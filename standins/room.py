"""The room between the loudspeaker and the microphone: what a microphone hears while the product speaks.

    card = FakeSoundCard(rate=48000, realtime=True)
    room = Room(card, path="desk")            # the card's played samples -> echo path -> microphone
    room.say(patient_wav, at=t)               # a patient speaking (perf_counter time), in the same room
    source = room.microphone()                # an AudioSource (48 kHz, realtime) with chunk_time stamps

An echo path is the loudspeaker and the room as sox renders them: a delay (speaker, air and the
cards' buffers), the small speaker's band (high-pass, low-pass), reverberation, a level (how loud the
prompt comes back into a laptop's microphone) and, on the loud path, the speaker's distortion.
The echo is rendered from the exact samples the product's player handed the card, placed at the
time they reached it and cut where the player stopped the card. Only the microphone and the
speaker are stand-ins: the player, the resampling and everything after the microphone run for real.
"""
from __future__ import annotations

import subprocess
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EchoPath:
    name: str
    delay_s: float          # loudspeaker -> microphone, plus the cards' buffers
    gain_db: float          # the played prompt's level at the microphone, relative to what was played
    effects: tuple[str, ...]  # sox effects after the delay (band, reverb, distortion)


# Laptop-speaker paths (echo at the microphone about -30 to -18 dBFS for espeak's full-scale prompt).
ECHO_PATHS = {
    "desk": EchoPath("desk", 0.012, -9.0, ("highpass", "250", "lowpass", "7000", "reverb", "20", "50", "20")),
    "room": EchoPath("room", 0.030, -12.0, ("highpass", "200", "lowpass", "6000", "reverb", "60", "50", "80")),
    "loud": EchoPath("loud", 0.008, -3.0, ("highpass", "350", "overdrive", "6", "lowpass", "7500",
                                           "reverb", "30", "50", "40")),
}


def _sox(x: Any, rate: int, effects: list[str], out_rate: int) -> Any:
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        with wave.open(str(src), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(int(rate))
            w.writeframes(np.asarray(x, np.int16).tobytes())
        done = subprocess.run(["sox", "-D", str(src), "-r", str(out_rate), "-b", "16", str(dst), *effects,
                               "remix", "-"], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"sox failed: {done.stderr.strip()}")
        with wave.open(str(dst), "rb") as w:
            return np.frombuffer(w.readframes(w.getnframes()), np.int16).copy()


_IRS: dict[tuple[EchoPath, int], Any] = {}


def impulse_response(path: EchoPath, rate: int) -> Any:
    """The linear part of ``path`` (delay, gain, band, reverberation) as sox renders an impulse through it."""
    import numpy as np

    key = (path, int(rate))
    if key not in _IRS:
        imp = np.zeros(int(rate * 0.02), np.int16)
        imp[0] = 32767
        linear = [e for i, e in enumerate(path.effects)
                  if not (e == "overdrive" or (i and path.effects[i - 1] == "overdrive"))]
        # sox pads the reverb's tail itself; the impulse's own level is 0 dBFS, the gain is applied after
        ir = _sox(imp, rate, ["pad", f"{path.delay_s:g}", "1.0", *linear], rate).astype(np.float64) / 32767
        _IRS[key] = ir[:np.max(np.nonzero(np.abs(ir) > 1e-5)[0], initial=0) + 1] * 10 ** (path.gain_db / 20)
    return _IRS[key]


def echo(samples: Any, rate: int, path: str | EchoPath, out_rate: int = 16000) -> Any:
    """``samples`` (int16 at ``rate``) as the microphone hears them through ``path``, at ``out_rate``;
    the delay is included (the result starts when the samples started playing). The loud path's
    distortion (the small speaker driven hard) comes first, then the path's impulse response."""
    import numpy as np
    from scipy.signal import fftconvolve

    from voice.audio import resample

    p = ECHO_PATHS[path] if isinstance(path, str) else path
    x = np.asarray(samples, np.float64) / 32768.0
    if int(rate) != out_rate:
        x = resample(x, int(rate), out_rate).astype(np.float64)
    if "overdrive" in p.effects:
        drive = 10 ** (float(p.effects[p.effects.index("overdrive") + 1]) / 20)
        x = np.tanh(drive * x) / np.tanh(drive) * np.max(np.abs(x), initial=0)
    y = fftconvolve(x, impulse_response(p, out_rate))[:len(x) + int(p.delay_s * out_rate)]
    return np.clip(np.rint(y * 32768), -32768, 32767).astype(np.int16)


def dbfs(x: Any) -> float:
    import numpy as np

    x = np.asarray(x, np.float64)
    return float(10 * np.log10(np.mean(x * x) / 32768.0 ** 2 + 1e-12)) if len(x) else -120.0


class Room:
    """One room: a stand-in card's playback through an echo path, patients' speech and noise,
    summed into a microphone signal on the ``perf_counter`` timeline.

    Listens to ``card`` (a ``standins.sound_card.FakeSoundCard``): every block the player hands it
    is rendered through the echo path at once (so the room knows what sounds ahead, as air does),
    and a ``card.stop()`` cuts it."""

    def __init__(self, card: Any, path: str | EchoPath = "desk", rate: int = 48000, noise_dbfs: float = -60.0,
                 seed: int = 0):
        import numpy as np

        self._np = np
        self.card, self.rate = card, int(rate)
        self.path = ECHO_PATHS[path] if isinstance(path, str) else path
        self.noise_dbfs = noise_dbfs
        self._rng = np.random.default_rng(seed)
        self._sounds: list[tuple[float, Any, bool]] = []  # (start time, int16 at self.rate, an echo?)
        self._lock = threading.Lock()
        self._pending: list[tuple[float, list[Any], threading.Event]] = []  # echoes being rendered
        echo(np.zeros(160, np.int16), 16000, self.path, self.rate)  # sox's impulse response, made now
        card.listeners.append(self._card_event)

    def _settle(self, until: float) -> None:
        """Wait for the echoes of blocks played before ``until`` to be rendered (bounded)."""
        with self._lock:
            due = [p for p in self._pending if p[0] < until]
        for item in due:
            item[2].wait(5.0)
            with self._lock:
                if any(p is item for p in self._pending):
                    self._pending = [p for p in self._pending if p is not item]
                    if item[1][0] is not None:
                        self._sounds.append((item[0], item[1][0], True))

    def _card_event(self, kind: str, at: float, samples: Any = None, rate: int = 0) -> None:
        if kind == "play":
            # rendered in the background: the card's play() must return at once, as a real card's does
            # (the player stamps the reference when it returns); the microphone waits for the render
            entry: list[Any] = [None]
            done = threading.Event()

            def render() -> None:
                try:
                    entry[0] = echo(samples, rate, self.path, self.rate)
                finally:
                    done.set()
            with self._lock:
                self._pending.append((at, entry, done))
            threading.Thread(target=render, name="room-echo", daemon=True).start()
        elif kind == "stop":
            # what left the speaker before the cut still echoes; a sound past the cut never started
            cut = at + self.path.delay_s
            self._settle(at)
            with self._lock:
                kept = []
                for t0, x, is_echo in self._sounds:
                    if is_echo and t0 >= at:
                        continue
                    if is_echo:
                        x = x[:max(0, int((cut - t0) * self.rate))]
                    kept.append((t0, x, is_echo))
                self._sounds = kept

    def say(self, samples: Any, rate: int, at: float, gain_db: float = 0.0) -> None:
        """A person (or anything not played by the card) sounding at ``at``."""
        import numpy as np

        from voice.audio import resample

        x = np.asarray(samples, np.int16).astype(np.float32) * 10 ** (gain_db / 20)
        if int(rate) != self.rate:
            x = resample(x, int(rate), self.rate)
        with self._lock:
            self._sounds.append((at, np.clip(np.rint(x), -32768, 32767).astype(np.int16), False))

    def clear(self) -> None:
        self._settle(float("inf"))
        with self._lock:
            self._sounds = []

    def heard(self, start: float, n: int) -> Any:
        """The ``n`` microphone samples from ``start`` on (perf_counter), int16 at ``self.rate``."""
        np = self._np
        self._settle(start + n / self.rate)
        acc = np.zeros(n, np.float32)
        with self._lock:
            # sounds long over are dropped (a bench plays hundreds of prompts)
            self._sounds = [x for x in self._sounds if x[0] + len(x[1]) / self.rate > start - 2.0]
            sounds = list(self._sounds)
        for t0, x, _ in sounds:
            off = int(round((t0 - start) * self.rate))
            lo, hi = max(0, off), min(n, off + len(x))
            if lo < hi:
                acc[lo:hi] += np.asarray(x[lo - off:hi - off], np.float32)
        if self.noise_dbfs is not None:
            acc += self._rng.normal(0, 32768 * 10 ** (self.noise_dbfs / 20), n).astype(np.float32)
        return np.clip(np.rint(acc), -32768, 32767).astype(np.int16)

    def microphone(self, chunk_s: float = 0.02) -> "RoomMicrophone":
        return RoomMicrophone(self, chunk_s)


class RoomMicrophone:
    """An AudioSource on the room: chunks arrive in real time, each stamped with ``chunk_time``
    (perf_counter of its first sample), one chunk after it was captured (as a real device's)."""

    def __init__(self, room: Room, chunk_s: float = 0.02):
        self.room = room
        self.sample_rate = room.rate
        self.chunk = max(1, int(room.rate * chunk_s))
        self._open = False
        self._t0 = 0.0
        self._sent = 0
        self.chunk_time: float | None = None
        self.opened = 0

    def describe(self) -> str:
        return f"room stand-in ({self.room.path.name} echo, {self.sample_rate} Hz)"

    def open(self) -> None:
        self._open, self._t0, self._sent = True, time.perf_counter(), 0
        self.opened += 1

    def read(self, timeout: float) -> bytes | None:
        if not self._open:
            return None
        start = self._t0 + self._sent / self.sample_rate
        wait = start + self.chunk / self.sample_rate - time.perf_counter()
        if wait > timeout:
            time.sleep(timeout)
            return None
        if wait > 0:
            time.sleep(wait)
        self._sent += self.chunk
        self.chunk_time = start
        return self.room.heard(start, self.chunk).tobytes()

    def close(self) -> None:
        self._open = False

    def reopen(self) -> None:
        self.close()
