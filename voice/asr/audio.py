"""WAV reading for recognizers (numpy only, imported inside functions); resampling is voice.audio's."""
from __future__ import annotations

import os
import stat
import struct
from pathlib import Path

from voice.audio import resample
from voice.errors import UserError

__all__ = ["from_pcm16", "read_file_capped", "read_wav", "resample", "to_pcm16", "wav_pcm16"]


def _riff_chunks(data: bytes):
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        yield cid, data[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)  # chunks are padded to even length


# Limits for an audio answer (a hostile path or header must not hang, fill memory or burn CPU):
MAX_SECONDS = 60.0                 # an answer is a few seconds; the recorder stops at max_answer_s (15 s)
MAX_BYTES = 64 * 1024 * 1024       # 60 s of 8-channel 32-bit 48 kHz audio is under 100 MB; a WAV answer is far less
RATES = (8000, 192000)             # sample rates accepted, Hz
CHANNELS = (1, 8)


def read_file_capped(path: str | Path, limit: int = MAX_BYTES, what: str = "audio file") -> bytes:
    """The bytes of a regular file no bigger than ``limit``. Devices (/dev/zero, /dev/urandom),
    FIFOs and folders are refused without blocking on them; UserError says what is wrong."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused right after by fstat.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise UserError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise UserError(f"{what} {path} is a folder, not a file") from None
    except OSError as e:
        raise UserError(f"cannot open {what} {path} ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UserError(f"{what} {path} is not a regular file (a device, pipe or folder); give a .wav file")
        if st.st_size > limit:
            raise UserError(f"{what} {path} is too big ({st.st_size / 1e6:.0f} MB; at most {limit / 1e6:.0f} MB)")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)   # the file may have grown since fstat
    except OSError as e:
        raise UserError(f"cannot read {what} {path} ({e.strerror or e})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UserError(f"{what} {path} is too big (more than {limit / 1e6:.0f} MB)")
    return data


def read_wav(path: str | Path, max_seconds: float = MAX_SECONDS):
    """(samples as float32 mono in [-1, 1], sample rate) from a WAV of any rate and channel count:
    8/16/24/32-bit integer or 32/64-bit float, plain or WAVE_FORMAT_EXTENSIBLE (which Python
    3.11's ``wave`` cannot read, and which sox writes for 24-bit and multichannel files).
    Only a regular file with a sane header, at most ``max_seconds`` long, is read."""
    import numpy as np

    data = read_file_capped(path)
    fix = f"convert it, e.g. sox {path} -b 16 out.wav"
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise UserError(f"{path} is not a WAV file; {fix}")
    fmt = raw = None
    for cid, body in _riff_chunks(data):
        if cid == b"fmt ":
            fmt = body
        elif cid == b"data":
            raw = body
    if fmt is None or raw is None or len(fmt) < 16:
        raise UserError(f"{path} is a damaged WAV file (no format or data); {fix}")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == 0xFFFE and len(fmt) >= 26:  # extensible: the real format is in the sub-format GUID
        tag = struct.unpack_from("<H", fmt, 24)[0]
    if not CHANNELS[0] <= channels <= CHANNELS[1] or not RATES[0] <= rate <= RATES[1] or bits not in (8, 16, 24, 32, 64):
        raise UserError(f"{path} has an implausible WAV header ({channels} channel(s), {rate} Hz, {bits}-bit); {fix}")
    width = bits // 8
    seconds = len(raw) / (width * channels * rate)
    if seconds > max_seconds:
        raise UserError(f"{path} is {seconds:.0f} s long; an answer may be at most {max_seconds:.0f} s")
    raw = raw[: len(raw) - len(raw) % max(width * channels, 1)]
    if tag == 3 and width in (4, 8):
        x = np.frombuffer(raw, "<f4" if width == 4 else "<f8").astype(np.float32)
    elif tag == 1 and width == 1:  # 8-bit WAV is unsigned
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif tag == 1 and width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(ints >= 1 << 23, ints - (1 << 24), ints) / float(1 << 23)).astype(np.float32)
    elif tag == 1 and width in (2, 4):
        dtype = "<i2" if width == 2 else "<i4"
        x = (np.frombuffer(raw, dtype) / float(1 << (8 * width - 1))).astype(np.float32)
    else:
        raise UserError(f"{path}: this WAV encoding (format {tag}, {bits}-bit) is not supported; {fix}")
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    return x, rate


def to_pcm16(x) -> bytes:
    """Float samples in [-1, 1] to 16-bit little-endian PCM bytes."""
    import numpy as np

    return (np.clip(np.asarray(x, dtype=np.float32), -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def from_pcm16(pcm16: bytes):
    import numpy as np

    return np.frombuffer(pcm16[: len(pcm16) - len(pcm16) % 2], "<i2").astype(np.float32) / 32768.0


def wav_pcm16(path: str | Path, rate: int) -> bytes:
    """A WAV file as 16-bit mono PCM at ``rate``, ready for ``Recognizer.accept``."""
    x, src = read_wav(path)
    return to_pcm16(resample(x, src, rate))
