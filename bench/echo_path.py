"""Does the echo canceller change what the recognizer hears? (issues 23 and 20)

    python bench/echo_path.py              # Korean (Vosk, grammar) endpoint answers + English (Whisper tiny.en)
    python bench/echo_path.py --lang ko

Each answer (espeak-ng, the bench/endpoint.py Korean answers; a few English ones) is taken by the
product's turn runner (``voice.turn.TurnRunner.take_turn``: endpointing, the question's grammar,
the cross-check, ``Conversation.answer_heard``) at its question, through these microphone paths:
  plain      the stand-in microphone: 0.6 s of -55 dBFS noise, the answer, noise (48 kHz)
  plain+8ms  the same, 8 ms later (AEC3 delays its output by 8 ms): how much a shift alone changes
  aec        the same samples through voice.echo.EchoCancelledSource (real AEC3), nothing played
  aec+echo   the question said first (espeak-ng) and played into the reference tap; the stand-in
             room (standins/room.py, desk path) brings its echo back; the canceller runs through the
             question; the turn opens when the question ends (as in the loop), the answer 0.6 s later
  room       the same room signal with the canceller bypassed
Chunks are fed as fast as they are read (not real time), so a figure is about the signal, not timing.
A row differs when the understood intent or value differs from ``plain``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load  # noqa: E402

RATE = 48000
LEAD_S = 0.6
NOISE_DBFS = -55.0
EN = [("yes", "fever"), ("no", "fever"), ("I'm not sure", "fever"), ("about three weeks", "duration"),
      ("no problems with my bladder", "bladder_bowel"), ("yes I have", "legs")]
PATHS = ("plain", "plain+8ms", "aec", "aec+echo", "room")


class ArraySource:
    """An AudioSource playing one 48 kHz int16 array, then noise; ``chunk_time`` on the
    ``t0``-based timeline (as standins.room.RoomMicrophone stamps its chunks)."""

    def __init__(self, x, t0: float = 1000.0, chunk_s: float = 0.02, seed: int = 1):
        import numpy as np

        self.x, self.t0, self.sample_rate = x, t0, RATE
        self.chunk = int(RATE * chunk_s)
        self._rng = np.random.default_rng(seed)
        self.pos, self.chunk_time = 0, None

    def describe(self) -> str:
        return "array stand-in"

    def open(self) -> None:
        pass

    def read(self, timeout: float) -> bytes | None:
        import numpy as np

        piece = self.x[self.pos:self.pos + self.chunk]
        if len(piece) < self.chunk:  # past the end: room noise only
            n = noise(self.chunk - len(piece), self._rng)
            piece = np.concatenate([piece, n])
        self.chunk_time = self.t0 + self.pos / RATE
        self.pos += self.chunk
        return piece.astype(np.int16).tobytes()

    def close(self) -> None:
        pass

    def reopen(self) -> None:
        pass


def noise(n: int, rng):
    import numpy as np

    return np.clip(np.rint(rng.normal(0, 32768 * 10 ** (NOISE_DBFS / 20), n)), -32768, 32767).astype(np.int16)


def pcm(wav: Path, rate: int = RATE):
    import numpy as np

    from voice.asr.audio import wav_pcm16

    return np.frombuffer(wav_pcm16(wav, rate), np.int16).astype(np.float64)


def sources(answer: Path, question: Path, echo_path: str):
    """{path name: AudioSource} for one answer (see the module docstring)."""
    import numpy as np

    from standins.room import echo
    from voice.echo import EchoCancelledSource, EchoCanceller, ReferenceTap

    rng = np.random.default_rng(0)
    a = pcm(answer)
    lead = int(LEAD_S * RATE)
    plain = np.concatenate([np.zeros(lead), a, np.zeros(2 * RATE)])
    plain = np.clip(np.rint(plain + noise(len(plain), rng)), -32768, 32767).astype(np.int16)
    shifted = np.concatenate([noise(int(0.008 * RATE), rng), plain])
    out = {"plain": ArraySource(plain), "plain+8ms": ArraySource(shifted),
           "aec": EchoCancelledSource(ArraySource(plain), EchoCanceller(ReferenceTap()))}
    # the room: the question played at T0, its echo, then the answer LEAD_S after the question ended
    from voice.asr.audio import wav_pcm16

    q22 = np.frombuffer(wav_pcm16(question, 22050), np.int16)
    q_s = len(q22) / 22050
    e = echo(q22, 22050, echo_path, RATE).astype(np.float64)
    n = int((q_s + LEAD_S) * RATE) + len(a) + 2 * RATE
    mic = np.zeros(n)
    mic[:len(e)] += e[:n]
    start = int((q_s + LEAD_S) * RATE)
    mic[start:start + len(a)] += a
    mic = np.clip(np.rint(mic + noise(n, rng)), -32768, 32767).astype(np.int16)
    T0 = 1000.0
    tap = ReferenceTap()
    tap.played(q22, 22050, at=T0)
    room_src = ArraySource(mic, T0)
    cancelled = EchoCancelledSource(room_src, EchoCanceller(tap))
    # the canceller hears the whole question (as in the loop, barge-in listening), the turn opens after it
    while room_src.pos / RATE < q_s:
        cancelled.read(1.0)
    out["aec+echo"] = cancelled
    ended = int(room_src.pos)
    out["room"] = ArraySource(mic[ended:], T0 + ended / RATE)
    return out


def heard(lang: str, rec, tree, config, node: str, source) -> str:
    from triage.events import Heard
    from voice.turn import TurnRunner

    sys.path.insert(0, str(ROOT / "bench"))
    from endpoint import at

    c = at(tree, node, config)
    reply = TurnRunner(rec, source, config.listen, hears_own_voice=True).take_turn(c)
    h = next((e for e in reply.events if isinstance(e, Heard)), None)
    return f"{h.intent} {h.value}".replace(" None", "") + f" {h.transcript!r}" if h else "(nothing)"


def run(lang: str, echo_path: str, tmp: Path, out=print) -> dict[str, int]:
    from standins.speech import synth
    from triage import load_tree
    from voice.config import Config
    from voice.conversation import prepare
    from voice.languages import apply_language

    sys.path.insert(0, str(ROOT / "bench"))
    from endpoint import WHOLE, PAUSED, MORE_PAUSED, VOICE, SPEED, at, make_clip
    from spoken import recognizer

    config = apply_language(Config(), lang)
    tree = load_tree(None, lang)
    prepare(tree, lang)
    rec = recognizer(lang)
    if lang == "ko":
        items = []
        for i, (label, parts, node) in enumerate(WHOLE + PAUSED + MORE_PAUSED):
            wav, _ = make_clip(parts, None if len(parts) == 1 else 0.35, tmp / f"ko{i}.wav", tmp)
            items.append((label, wav, node))
    else:
        items = [(t, synth(t, tmp / f"en{i}.wav", voice="en-us", speed=150), node) for i, (t, node) in enumerate(EN)]
    differ = {p: 0 for p in PATHS[1:]}
    for label, wav, node in items:
        q = at(tree, node, config).question.text
        qwav = synth(q, tmp / f"q_{lang}_{node}.wav", voice=VOICE if lang == "ko" else "en-us",
                     speed=SPEED if lang == "ko" else 150)
        got = {p: heard(lang, rec, tree, config, node, s) for p, s in sources(wav, qwav, echo_path).items()}
        base = got["plain"].split(" '")[0]
        marks = []
        for p in PATHS[1:]:
            if got[p].split(" '")[0] != base:
                differ[p] += 1
                marks.append(p)
        out(f"  [{lang} {node}] {label!r}: " + "; ".join(f"{p}: {got[p]}" for p in PATHS)
            + (f"   DIFFERS: {', '.join(marks)}" if marks else ""))
    out(f"echo_path {lang}: {len(items)} answers; understood differently from plain: "
        + " ".join(f"{p}={differ[p]}" for p in PATHS[1:]) + f" (echo path {echo_path})")
    return differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", action="append", choices=("ko", "en"))
    ap.add_argument("--echo-path", default="desk")
    args = ap.parse_args()
    from voice.echo import available

    if available() is not None:
        raise SystemExit(f"echo_path bench: {available()}")
    print(f"echo path bench, load at start {load()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-echo-path-"))
    for lang in args.lang or ["ko", "en"]:
        run(lang, args.echo_path, tmp)
    print(f"load at end {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
