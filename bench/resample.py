"""CPU per block of the one resampler (voice.audio.Resampler, soxr at voice.audio.QUALITY) against the one it replaced.

    python bench/resample.py
    python bench/resample.py --seconds 60

What each figure includes: CPU time of this thread (``time.thread_time``) for resampling int16
audio in the blocks the product uses, the conversion to and from int16 included: the player's
blocks (espeak-ng's 22,050 Hz speech to a 48 kHz sound card, 8,192 output samples a block,
voice.speaker._resampled) and the microphone's chunks (48 and 44.1 kHz to the recognizer's 16 kHz,
20 ms a chunk, voice.audio.FrameReader). The signal is speech-like noise (a fixed seed). The
baseline, in the same run, interleaved round by round, is a frozen copy of the resampler before
(linear interpolation; going down, scipy's 8th-order Butterworth low-pass first).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the package, not bench/intents.py

from bench._stats import load, pct  # noqa: E402
from voice.audio import Resampler  # noqa: E402
from voice.speaker import RESAMPLED_BLOCK  # noqa: E402


class LinearBefore:
    """voice.audio.Resampler as it was before soxr (frozen for the baseline)."""

    def __init__(self, src_rate: int, dst_rate: int):
        import numpy as np

        self.np, self.step = np, src_rate / dst_rate
        self.same = src_rate == dst_rate
        self.pos, self.carry = 0.0, np.zeros(0, np.float64)
        self.sos = self.zi = None
        if dst_rate < src_rate:
            from scipy.signal import butter, sosfilt_zi

            self.sos = butter(8, 0.9 * dst_rate / src_rate, output="sos")
            self.zi = sosfilt_zi(self.sos) * 0.0

    def process(self, pcm, last: bool = False):
        np = self.np
        x = np.asarray(pcm, dtype=np.int16)
        if self.same:
            return x
        y = x.astype(np.float64)
        if self.sos is not None:
            from scipy.signal import sosfilt

            y, self.zi = sosfilt(self.sos, y, zi=self.zi)
        buf = np.concatenate([self.carry, y])
        n = len(buf)
        if n < 2 or self.pos > n - 1:
            self.carry = buf[-1:] if n else self.carry
            if n:
                self.pos -= n - 1
            return np.zeros(0, np.int16)
        count = int((n - 1 - self.pos) // self.step) + 1
        out = np.interp(self.pos + self.step * np.arange(count), np.arange(n), buf)
        self.pos = self.pos + self.step * count - (n - 1)
        self.carry = buf[-1:]
        return np.clip(np.rint(out), -32768, 32767).astype(np.int16)


def per_block(make, x, block: int) -> list[float]:
    r = make()
    times = []
    for i in range(0, len(x), block):
        t0 = time.thread_time()
        r.process(x[i:i + block], last=i + block >= len(x))
        times.append(time.thread_time() - t0)
    return times


def main() -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30.0, help="audio per case and round (default 30 s)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"resampling CPU per block, soxr ({__import__('soxr').__version__}) against the linear resampler "
          f"before; {args.seconds:g} s of audio x {args.rounds} rounds a case; load {load()}")
    cases = [("player 22050 -> 48000 Hz", 22050, 48000, max(256, RESAMPLED_BLOCK * 22050 // 48000)),
             ("microphone 48000 -> 16000 Hz", 48000, 16000, int(48000 * 0.02)),
             ("microphone 44100 -> 16000 Hz", 44100, 16000, int(44100 * 0.02))]
    for label, src, dst, block in cases:
        x = np.clip(rng.normal(0, 3000, int(src * args.seconds)), -32768, 32767).astype(np.int16)
        now, before = [], []
        for _ in range(args.rounds):
            now += per_block(lambda: Resampler(src, dst), x, block)
            before += per_block(lambda: LinearBefore(src, dst), x, block)
        audio_s = block / src
        print(f"  {label}, {block} samples in ({audio_s * 1000:.0f} ms of audio) a block:")
        for name, t in (("soxr (now)", now), ("linear (before)", before)):
            print(f"    {name:16} p50 {pct(t, 50) * 1e6:7.0f} us  p95 {pct(t, 95) * 1e6:7.0f} us  "
                  f"({sum(t) / (len(t) * audio_s) * 100:.2f}% of a core)")
        print(f"    ratio now / before: p50 x{pct(now, 50) / pct(before, 50):.2f}, "
              f"total x{sum(now) / sum(before):.2f}")
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
