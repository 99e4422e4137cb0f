"""Microphone input behind one small interface (tests feed the same interface from WAV files).

A source delivers mono int16 PCM at its *own* rate (a laptop microphone usually
runs at 44.1 or 48 kHz; forcing 16 kHz gives garbage on many of them). The
consumer (:class:`FrameReader`) resamples to the recognizer's rate and cuts fixed
frames, and it is the same code whether the sound comes from sounddevice or from
the tests' WAV-file stand-in (``standins/microphone.py``), so tests exercise the real path.

sounddevice (and with it PortAudio) is imported only when a microphone is opened
or devices are listed, never at import time.
"""
from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

from voice.errors import UserError

PORTAUDIO_HINT = "install libportaudio2: sudo apt-get install libportaudio2"


class DeviceLost(UserError):
    """The microphone stopped delivering sound mid-session (unplugged, driver reset).

    The voice loop catches it, keeps the session and waits for the device to return.
    """

    def __init__(self, message: str = "the microphone stopped sending sound (unplugged?)"):
        super().__init__(message)


# --------------------------------------------------------------------------- devices

def import_sounddevice() -> Any:
    """sounddevice, or a UserError saying what to install."""
    try:
        import sounddevice
    except OSError as e:  # the Python package is there but libportaudio is not
        raise UserError(f"cannot use audio: {e}; {PORTAUDIO_HINT}") from None
    except ImportError:
        raise UserError("cannot use audio: the sounddevice package is missing; "
                        "install it with: pip install 'backtriage[voice]'") from None
    return sounddevice


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int          # max input channels
    outputs: int         # max output channels
    default_rate: float
    hostapi: str = ""
    is_default_input: bool = False
    is_default_output: bool = False


def _refresh(sd: Any) -> None:
    """Make PortAudio scan again: it caches the device list from its first use,
    so a microphone plugged back in is invisible until it re-initialises."""
    try:
        sd._terminate()
        sd._initialize()
    except Exception:  # private API; a stale list is better than a crash
        pass


def list_devices(refresh: bool = False) -> list[Device]:
    sd = import_sounddevice()
    if refresh:
        _refresh(sd)
    raw = sd.query_devices()
    try:
        hostapis = [h["name"] for h in sd.query_hostapis()]
    except Exception:
        hostapis = []
    default_in, default_out = _defaults(sd)
    devices = []
    for d in raw:
        api = d.get("hostapi", -1)
        devices.append(Device(
            index=int(d["index"]), name=str(d["name"]),
            inputs=int(d["max_input_channels"]), outputs=int(d["max_output_channels"]),
            default_rate=float(d["default_samplerate"]),
            hostapi=hostapis[api] if 0 <= api < len(hostapis) else "",
            is_default_input=int(d["index"]) == default_in,
            is_default_output=int(d["index"]) == default_out,
        ))
    return devices


def _defaults(sd: Any) -> tuple[int, int]:
    try:
        din, dout = sd.default.device
        return (int(din) if din is not None else -1, int(dout) if dout is not None else -1)
    except Exception:
        return -1, -1


def resolve_device(spec: str | int | None, kind: str, devices: Sequence[Device] | None = None) -> Device:
    """The device for ``--input-device``/``--output-device``: an index, a name fragment, or empty for the default."""
    if kind not in ("input", "output"):
        raise ValueError(kind)
    devices = list_devices() if devices is None else list(devices)
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    if not usable:
        raise UserError(f"no audio {kind} device found; "
                        + ("plug in a microphone (or headset) and try again"
                           if kind == "input" else "plug in speakers or headphones and try again")
                        + "; 'backtriage devices' lists what the system sees")
    spec = "" if spec is None else str(spec).strip()
    names = ", ".join(f"{d.index}: {d.name}" for d in usable)
    if not spec:
        for d in usable:
            if d.is_default_input if kind == "input" else d.is_default_output:
                return d
        return usable[0]  # no system default set: the first one that can do the job
    if spec.lstrip("-").isdigit():
        for d in usable:
            if d.index == int(spec):
                return d
        raise UserError(f"there is no {kind} device number {spec}; {kind} devices: {names}")
    fragment = spec.lower()
    matches = [d for d in usable if fragment in d.name.lower()]
    if not matches:
        raise UserError(f"no {kind} device has '{spec}' in its name; {kind} devices: {names}")
    return matches[0]


# --------------------------------------------------------------------------- resampling

def _soxr() -> Any:
    try:
        import soxr
    except ImportError:
        raise UserError("resampling audio needs the soxr package: pip install 'backtriage[voice]'") from None
    return soxr


# soxr's "low quality" setting (still a windowed-sinc low-pass going down, so 8-24 kHz room noise
# does not fold into the speech band). Its "HQ" and "MQ" keep more of the top of the band, and the
# Korean Vosk model then heard nothing of espeak-ng's "네" at 120-180 words a minute, clean (3 of the
# clips tests/test_asr_vosk.py checks; the linear resampler before and "LQ" heard it). Over 48 Korean
# answers (8 texts, 3 speeds, clean and -20 dB) through a grammar, exactly right: linear 28, HQ 27,
# LQ 29, scipy's resample_poly 27. Samples are float32 inside: in int16 mode a chunked pass differs
# from one pass by up to 2 LSB (dither), in float32 not at all.
QUALITY = "LQ"


class Resampler:
    """The one resampler (soxr's streaming one): int16 chunks in at ``src_rate``, int16 out at
    ``dst_rate``, for the microphone (its own rate -> the recognizer's) and the player (speech ->
    the sound card's rate, block by block). The filter's state carries across chunks, so the
    chunking changes nothing: the same samples as one pass once the last chunk is given with
    ``last=True``; until then it holds back the filter's delay (about 8 ms)."""

    def __init__(self, src_rate: int, dst_rate: int):
        import numpy as np

        self.src_rate, self.dst_rate = int(src_rate), int(dst_rate)
        self._np = np
        self._stream = None if self.src_rate == self.dst_rate else \
            _soxr().ResampleStream(self.src_rate, self.dst_rate, 1, dtype="float32", quality=QUALITY)

    def process(self, pcm: Any, last: bool = False) -> Any:
        np = self._np
        x = np.asarray(pcm, dtype=np.int16)
        if self._stream is None:
            return x
        y = self._stream.resample_chunk(x.astype(np.float32), last=last)
        return np.clip(np.rint(y), -32768, 32767).astype(np.int16)


def resample(x: Any, src_rate: int, dst_rate: int) -> Any:
    """A whole signal of float samples resampled in one pass (soxr, as :class:`Resampler`)."""
    import numpy as np

    x = np.asarray(x, dtype=np.float32)
    if src_rate == dst_rate or len(x) == 0:
        return x
    return _soxr().resample(x, int(src_rate), int(dst_rate), quality=QUALITY).astype(np.float32)


# --------------------------------------------------------------------------- sources

@runtime_checkable
class AudioSource(Protocol):
    """Where answers come from. Only open while listening: the assistant never hears itself.

    ``open()`` starts delivery, ``read(timeout)`` returns the next chunk (bytes of
    mono int16 at ``sample_rate``) or None if nothing arrived in time, ``close()``
    stops delivery and drops anything buffered. ``reopen()`` is tried after a
    :class:`DeviceLost`; it raises DeviceLost again while the device is still gone.
    """

    sample_rate: int = 16000

    def open(self) -> None:
        raise NotImplementedError

    def read(self, timeout: float) -> bytes | None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def reopen(self) -> None:
        self.close()

    def describe(self) -> str:
        return type(self).__name__


class MicrophoneSource(AudioSource):
    """A sounddevice input stream at the device's own default rate, mono, int16.

    PortAudio calls ``_callback`` on its own thread; the callback only copies the
    bytes into a queue (the Vosk microphone example's pattern), so nothing slow
    ever runs inside the audio thread and no input is dropped.
    """

    def __init__(self, device: str | int | None = None, block_s: float = 0.02, stall_s: float = 1.5):
        self.spec = device
        self.block_s = block_s
        self.stall_s = stall_s  # no audio for this long while open means the device is gone
        self._sd = import_sounddevice()
        self._stream: Any = None
        self._q: queue.Queue[tuple[float, bytes]] = queue.Queue()
        self._last = 0.0
        self.overflows = 0
        self.chunk_time: float | None = None  # capture time of the last chunk read's first sample
        self._choose()

    def _choose(self, refresh: bool = False) -> None:
        self.device = resolve_device(self.spec, "input", list_devices(refresh=refresh))
        self.sample_rate = int(self.device.default_rate)
        try:
            self._sd.check_input_settings(device=self.device.index, channels=1, dtype="int16",
                                          samplerate=self.sample_rate)
        except Exception as e:
            raise UserError(f"the input device '{self.device.name}' does not accept {self.sample_rate} Hz "
                            f"mono 16-bit sound ({e}); pick another with --input-device "
                            "(see 'backtriage devices')") from None

    def describe(self) -> str:
        return f"{self.device.name} ({self.sample_rate} Hz)"

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        # when the block's first sample was captured (perf_counter): the echo canceller matches it
        # with what the speaker played then (voice.echo); PortAudio's own clock gives the block's age
        now = time.perf_counter()
        try:
            age = float(time_info.currentTime - time_info.inputBufferAdcTime)
            age = age if 0.0 <= age < 1.0 else frames / self.sample_rate
        except Exception:
            age = frames / self.sample_rate
        self._q.put((now - age, bytes(indata)))

    def open(self) -> None:
        self._q = queue.Queue()
        try:
            self._stream = self._sd.RawInputStream(
                samplerate=self.sample_rate, blocksize=max(1, int(self.sample_rate * self.block_s)),
                device=self.device.index, channels=1, dtype="int16", callback=self._callback)
            self._stream.start()
        except self._sd.PortAudioError as e:
            self._stream = None
            raise DeviceLost(f"cannot open the microphone '{self.device.name}': {e}") from None
        self._last = time.monotonic()

    def read(self, timeout: float) -> bytes | None:
        try:
            self.chunk_time, chunk = self._q.get(timeout=timeout)
        except queue.Empty:
            stream = self._stream
            if stream is None or not stream.active or time.monotonic() - self._last > self.stall_s:
                raise DeviceLost() from None
            return None
        self._last = time.monotonic()
        return chunk

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # a vanished device may refuse even to close
                pass
        self._q = queue.Queue()

    def reopen(self) -> None:
        self.close()
        try:
            self._choose(refresh=True)
        except UserError as e:
            raise DeviceLost(str(e)) from None
        self.open()   # proves the stream really runs again
        self.close()  # ...and stays shut until the next question is asked


def wait_for_device(source: AudioSource, notify: Callable[[str], None], poll_s: float = 2.0,
                    give_up_s: float | None = None, sleep: Callable[[float], None] = time.sleep) -> bool:
    """After a DeviceLost: tell the person once, then retry until the device is back.

    Returns True when it is usable again, False if ``give_up_s`` passed first.
    """
    notify("The microphone has stopped working. Your answers so far are kept. "
           "I will carry on as soon as it is back.")
    waited = 0.0
    while True:
        try:
            source.reopen()
            return True
        except DeviceLost:
            if give_up_s is not None and waited >= give_up_s:
                return False
            sleep(poll_s)
            waited += poll_s


# --------------------------------------------------------------------------- consumer

class FrameReader:
    """Turns a source's chunks into fixed frames at the recognizer's rate.

    ``discard_s`` of audio right after opening is dropped: the room's echo of the
    assistant's own last words (config listen.echo_tail_s).
    """

    def __init__(self, source: AudioSource, rate: int, frame_s: float = 0.02, discard_s: float = 0.0):
        import numpy as np

        self._np = np
        self.source = source
        self.rate = int(rate)
        self.frame = max(1, int(round(self.rate * frame_s)))
        self.frame_s = self.frame / self.rate
        self._resampler = Resampler(source.sample_rate, self.rate)
        self._pending = np.zeros(0, np.int16)
        self._discard = int(round(self.rate * discard_s))
        self.frames_out = 0

    def next_frame(self, timeout: float = 0.5) -> Any | None:
        """The next frame (int16 array of ``self.frame`` samples) or None if the source was silent for ``timeout``."""
        np = self._np
        while len(self._pending) < self.frame:
            chunk = self.source.read(timeout)
            if chunk is None:
                return None
            samples = self._resampler.process(np.frombuffer(chunk, dtype=np.int16))
            if self._discard:
                drop = min(self._discard, len(samples))
                samples = samples[drop:]
                self._discard -= drop
            self._pending = np.concatenate([self._pending, samples])
        frame, self._pending = self._pending[:self.frame], self._pending[self.frame:]
        self.frames_out += 1
        return frame

    @property
    def position_s(self) -> float:
        """Seconds of (kept) audio handed out so far."""
        return self.frames_out * self.frame_s


def open_microphone(spec: str | int | None = None) -> MicrophoneSource:
    return MicrophoneSource(spec)
