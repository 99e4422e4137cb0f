"""Taking the assistant's own voice out of the microphone's signal (barge-in's echo canceller).

    tap = ReferenceTap()                     # the player reports every block it hands the card
    player.tap = tap                         # voice.speaker.SoundDevicePlayer: tap.played(...) / tap.stopped()
    canceller = EchoCanceller(tap)           # WebRTC AEC3 (pywebrtc-audio), 16 kHz, 10 ms frames
    clean = canceller.process(mic, at)       # mic: int16 at 16 kHz whose first sample was captured at `at`
    source = EchoCancelledSource(mic_source, canceller)   # or: any AudioSource, cleaned, at 16 kHz

The reference is the exact samples the player played and when they started playing
(``time.perf_counter``). AEC3 only cancels an echo whose reference reached it BEFORE the echo
(measured: 20 ms late removed 7 dB instead of 36), so each microphone frame captured at ``t`` is
processed with the reference played from ``t + lead_s``: AEC3's own delay estimator then finds the
echo path's delay inside that lead (loudspeaker, air and the sound card's buffers: ~30 ms, with a
room's reverberation ~65 ms measured). Without pywebrtc-audio installed the canceller cannot be
built: :func:`available` says so, and the front ends keep the microphone shut while speaking.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

RATE = 16000
FRAME = RATE // 100  # AEC3 works in 10 ms frames


def available() -> str | None:
    """None when the echo canceller can run here, else why not (plain words)."""
    try:
        import pywebrtc_audio  # noqa: F401
    except ImportError:
        return "barge-in needs the echo canceller: pip install 'backtriage[voice]' (pywebrtc-audio)"
    return None


class ReferenceTap:
    """What the loudspeaker played: blocks of samples on a ``perf_counter`` timeline, at ``rate``.

    Thread-safe: the player reports from the speaking thread, the canceller reads from the
    listening thread. Only the last ``keep_s`` seconds are kept (a kiosk speaks all day)."""

    def __init__(self, rate: int = RATE, keep_s: float = 30.0):
        self.rate = int(rate)
        self.keep_s = float(keep_s)
        self._blocks: deque[tuple[float, Any]] = deque()  # (start time, int16 samples at self.rate)
        self._lock = threading.Lock()
        self.until = 0.0  # when the last sample played (or will) stops sounding

    def played(self, samples: Any, rate: int, at: float | None = None) -> None:
        """``samples`` (int16 mono at ``rate``) start sounding at ``at`` (perf_counter; now if None)."""
        import numpy as np

        from voice.audio import resample

        at = time.perf_counter() if at is None else float(at)
        x = np.asarray(samples, dtype=np.int16)
        if int(rate) != self.rate:
            x = np.clip(np.rint(resample(x, int(rate), self.rate)), -32768, 32767).astype(np.int16)
        with self._lock:
            self._blocks.append((at, x))
            self.until = max(self.until, at + len(x) / self.rate)
            while self._blocks and self._blocks[0][0] + len(self._blocks[0][1]) / self.rate < at - self.keep_s:
                self._blocks.popleft()

    def stopped(self, at: float | None = None) -> None:
        """Playback was cut at ``at`` (now if None): nothing after it sounds."""
        at = time.perf_counter() if at is None else float(at)
        with self._lock:
            kept: deque[tuple[float, Any]] = deque()
            for start, x in self._blocks:
                if start >= at:
                    continue
                n = int((at - start) * self.rate)
                kept.append((start, x[:n] if n < len(x) else x))
            self._blocks = kept
            self.until = min(self.until, at)

    def playing(self, at: float | None = None, tail_s: float = 0.0) -> bool:
        """Whether something sounds at ``at`` (or did within ``tail_s`` before it)."""
        at = time.perf_counter() if at is None else at
        with self._lock:
            return any(start <= at < start + len(x) / self.rate + tail_s for start, x in self._blocks)

    def reference(self, start: float, n: int) -> Any:
        """The ``n`` samples that sounded from ``start`` on (zeros where nothing played)."""
        import numpy as np

        out = np.zeros(n, np.int16)
        with self._lock:
            blocks = list(self._blocks)
        for t0, x in blocks:
            # sample offset of the block's first sample relative to `start`
            off = int(round((t0 - start) * self.rate))
            lo, hi = max(0, off), min(n, off + len(x))
            if lo < hi:
                out[lo:hi] = x[lo - off:hi - off]
        return out


class EchoCanceller:
    """WebRTC AEC3 (pywebrtc-audio) fed with the tap's reference, ``lead_s`` ahead of the microphone.

    :meth:`process` takes microphone samples of any length (int16, ``rate``) with the capture time of
    the first one, and returns the cleaned samples of every whole 10 ms frame so far (a remainder
    under 10 ms waits for the next call, so the output lags the input by less than one frame).
    ``last_far`` / ``last_near`` / ``last_out``: the latest frame's reference, input and output
    (for the barge-in detector, which weighs what is left against what was played)."""

    def __init__(self, tap: ReferenceTap, rate: int = RATE, lead_s: float = 0.06, stream_delay_ms: int = 0):
        if available() is not None:
            from voice.errors import UserError

            raise UserError(available())
        import numpy as np
        import pywebrtc_audio

        if int(rate) != tap.rate:
            raise ValueError(f"the tap runs at {tap.rate} Hz, the canceller at {rate} Hz")
        self._np = np
        self.tap, self.rate, self.lead_s = tap, int(rate), float(lead_s)
        self.frame = self.rate // 100
        self._aec = pywebrtc_audio.EchoCanceller(sample_rate=self.rate, num_channels=1,
                                                 stream_delay_ms=int(stream_delay_ms))
        self._pending = np.zeros(0, np.int16)
        self._pending_at = 0.0
        self.frames = 0
        self.last_far = self.last_near = self.last_out = np.zeros(self.frame, np.int16)
        self.last_frames: list[tuple[float, Any, Any]] = []  # the last call's (capture time, far, out) per frame

    def reset(self) -> None:
        self._aec.reset()
        self._pending = self._np.zeros(0, self._np.int16)

    def process(self, mic: Any, at: float) -> Any:
        np = self._np
        x = np.asarray(mic, dtype=np.int16)
        if len(self._pending):
            # a remainder and the new samples are one stream only when they follow on in time
            expected = self._pending_at + len(self._pending) / self.rate
            if abs(at - expected) > 0.05:
                self._pending = np.zeros(0, np.int16)
        if not len(self._pending):
            self._pending_at = at
        buf = np.concatenate([self._pending, x]) if len(self._pending) else x
        whole = len(buf) // self.frame * self.frame
        out = np.empty(whole, np.int16)
        self.last_frames = []
        for i in range(0, whole, self.frame):
            t = self._pending_at + i / self.rate
            near = buf[i:i + self.frame]
            far = self.tap.reference(t + self.lead_s, self.frame)
            out[i:i + self.frame] = self.last_out = self._aec.process(near, far)
            self.last_far, self.last_near = far, near
            self.last_frames.append((t, far, self.last_out))
            self.frames += 1
        self._pending = buf[whole:].copy()
        self._pending_at += whole / self.rate
        return out


def frame_dbfs(x: Any) -> float:
    import numpy as np

    x = np.asarray(x, np.float64)
    return float(10 * np.log10(np.mean(x * x) / 32768.0 ** 2 + 1e-12)) if len(x) else -120.0


class BargeInDetector:
    """The patient speaking over a playing prompt, from the canceller's 10 ms frames (reference, output).

    A frame is "voice" when what the canceller left is louder than ``level_dbfs`` AND than the loudest
    reference frame of the last ``far_window_s`` plus ``relative_db`` (what is left of a loud prompt
    scales with it); ``need`` voice frames among the last ``window`` fire it. AEC3 lets the first
    ~100 ms of a prompt's echo through when playback starts after a silence (it was the only cause of
    the false barge-ins measured before this guard): for ``start_guard_s`` after playback resumes from
    ``quiet_s`` of silence no frame is voice. The level adapts to the room: a room whose echo the
    canceller removes less well (long reverberation: 17 dB instead of 36) leaves more behind, so the
    level is at least the 99th percentile of what was left over the last ``learn_frames`` frames of
    prompts (the room's own residual echo; kept across prompts, :meth:`reset` keeps it) plus
    ``margin_db``. Chosen on a tuning set (bench/barge_in.py --tune: 12 questions x 3 echo paths, 7
    espeak-ng answers); the bench's own set is held out.
    """

    def __init__(self, level_dbfs: float = -40.0, relative_db: float = -25.0, need: int = 3, window: int = 5,
                 start_guard_s: float = 0.2, far_window_s: float = 0.2, quiet_s: float = 0.3,
                 frame_s: float = 0.01, margin_db: float = 6.0, learn_frames: int = 3000):
        self.level_dbfs, self.relative_db = float(level_dbfs), float(relative_db)
        self.need, self.window = int(need), max(int(window), int(need))
        self.guard = int(round(start_guard_s / frame_s))
        self.far_frames = max(1, int(round(far_window_s / frame_s)))
        self.quiet = int(round(quiet_s / frame_s))
        self.margin_db = float(margin_db)
        self._residual: deque[float] = deque(maxlen=int(learn_frames))  # this room's echo left over, dBFS
        self.level = self.level_dbfs  # the level in force (level_dbfs, or higher in a room that leaves more)
        self._since_update = 0
        self.reset()

    def reset(self) -> None:
        self._far: deque[float] = deque(maxlen=self.far_frames)
        self._hot: deque[bool] = deque(maxlen=self.window)
        self._silent = 10 ** 6  # reference frames in a row with nothing played (a prompt starts after silence)
        self._guard_left = 0
        self.fired = False

    def _learn(self, out_db: float) -> None:
        import numpy as np

        self._residual.append(out_db)
        self._since_update += 1
        if self._since_update >= 50 and len(self._residual) >= 200:  # every 0.5 s, once 2 s are known
            self._since_update = 0
            self.level = max(self.level_dbfs, float(np.percentile(self._residual, 99)) + self.margin_db)

    def frame(self, far: Any, out: Any) -> bool:
        """One 10 ms frame; True once, at the frame where the patient's speech is recognised."""
        far_db, out_db = frame_dbfs(far), frame_dbfs(out)
        if far_db < -70.0:
            self._silent += 1
        else:
            if self._silent >= self.quiet:
                self._guard_left = self.guard
            self._silent = 0
        self._far.append(far_db)
        hot = out_db > self.level and out_db > max(self._far) + self.relative_db
        if self._guard_left > 0:
            self._guard_left -= 1
            hot = False
        elif max(self._far) > -60.0:  # a prompt is sounding: what is left is (nearly always) its echo
            self._learn(out_db)
        self._hot.append(hot)
        if not self.fired and sum(self._hot) >= self.need:
            self.fired = True
            return True
        return False


class EchoCancelledSource:
    """An :class:`voice.audio.AudioSource` whose chunks have the assistant's voice taken out, at 16 kHz.

    The wrapped source's chunk capture time is its ``chunk_time`` attribute after ``read`` (perf_counter
    of the chunk's first sample: the room stand-in and a timestamping microphone set it); a source
    without one is taken to have captured the chunk just before handing it over."""

    def __init__(self, source: Any, canceller: EchoCanceller):
        from voice.audio import Resampler

        self.source, self.canceller = source, canceller
        self.sample_rate = canceller.rate
        self._Resampler = Resampler
        self.open_resampler()

    def open_resampler(self) -> None:
        self._resampler = self._Resampler(int(self.source.sample_rate), self.sample_rate)
        self._in = self._out = 0  # samples into / out of the resampler since opening

    def describe(self) -> str:
        return f"{self.source.describe()}, echo cancelled"

    def open(self) -> None:
        self.source.open()
        self.open_resampler()

    def read(self, timeout: float) -> bytes | None:
        import numpy as np

        chunk = self.source.read(timeout)
        if chunk is None:
            return None
        raw = np.frombuffer(chunk, dtype=np.int16)
        src = int(self.source.sample_rate)
        at = getattr(self.source, "chunk_time", None)
        if at is None:
            at = time.perf_counter() - len(raw) / src
        x = self._resampler.process(raw)
        # the resampler holds back its filter's delay: the first sample out now was captured
        # (in - out*src/dst) input samples before this chunk's first one
        start = at + (self._out * src / self.sample_rate - self._in) / src
        self._in += len(raw)
        self._out += len(x)
        return self.canceller.process(x, start).tobytes()

    def close(self) -> None:
        self.source.close()

    def reopen(self) -> None:
        self.source.reopen()
