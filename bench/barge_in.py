"""Barge-in: patient speech over a playing prompt, through the product's own playback and a room's echo.

    python bench/barge_in.py             # 12 speech trials per echo path, 100 echo-only prompts (34/33/33)
    python bench/barge_in.py --quick     # 3 speech trials per path, 3 echo-only prompts per path
    python bench/barge_in.py --tune      # the set the detector was tuned on (not the held-out one)

The chain, in real time, nothing replaced but the loudspeaker and the microphone: the tree's
questions rendered by pyttsx3 (``voice.speaker.Speaker``), played by the product's
``SoundDevicePlayer`` (resampling to a 48 kHz card, its reference tap) on the stand-in card; the
room (``standins/room.py``) renders what the card was handed through an echo path (sox's delay,
small-speaker band, reverberation; the loud path's distortion) and mixes in the patient
(espeak-ng, 4 voices, 3 speeds, -35 to -29 dBFS at the microphone) and -60 dBFS of noise; the
microphone stand-in delivers 20 ms chunks in real time; the product's ``voice.barge_in.BargeIn``
(from the default config) listens through ``voice.echo``'s canceller and detector and calls
``Speaker.stop``. One room, canceller and speaker per echo path for all its trials (as a kiosk's).

Figures per echo path:
  detect ms   wall time from the patient's voice onset (the first 10 ms of their recording above
              -50 dBFS, placed in the room at a known perf_counter time) to the detector firing in the
              listener (includes the chunk's 20 ms, the canceller, the detector, the listener's lag)
  stopped ms  the same onset to the stand-in card being stopped (the prompt is silent from then on)
  missed      speech trials in which the prompt played on to its end (or the detector fired > 1 s late)
  false       prompts stopped with nobody speaking: echo-only prompts, plus speech trials that fired
              before the onset
The held-out set (default) is the tree's questions 12-19 and patient wordings the detector was never
tuned on; --tune runs the questions 0-11 and the answers it was tuned on.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stats import load, pct  # noqa: E402

HELD_OUT = ["yes it does", "no, not at all", "I think so", "hold on", "yes", "no", "sorry, say that again",
            "it hurts when I walk", "yes, since Monday", "wait"]
TUNE = ["yes", "no", "yes I have", "stop", "wait, no", "no I haven't", "yes, a little"]
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3")
SPEEDS = (130, 160, 180)
PATHS = ("desk", "room", "loud")


def prompts(tune: bool) -> list[str]:
    from voice.config import Config
    from voice.sessions import tree_from

    texts = [n.text.replace("{emergency_number}", "911") for n in tree_from(None, Config()).nodes.values()
             if getattr(n, "text", None)]
    return texts[:12] if tune else texts[12:]


def patient(i: int, text: str, tmp: Path, rng: np.random.Generator) -> tuple[np.ndarray, int, float]:
    """(samples at 16 kHz with the level at the microphone, rate, voice onset in the recording, s)."""
    from standins.speech import synth

    wav = synth(text, tmp / f"p{i}.wav", voice=VOICES[i % len(VOICES)], speed=SPEEDS[i % len(SPEEDS)], rate=16000)
    with wave.open(str(wav), "rb") as w:
        x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float64)
    rms = np.sqrt(np.mean(x ** 2))
    target = 32768 * 10 ** (rng.uniform(-35, -29) / 20)
    x = np.clip(x * target / rms, -32768, 32767).astype(np.int16)
    frames = x[:len(x) // 160 * 160].astype(np.float64).reshape(-1, 160)
    db = 10 * np.log10((frames ** 2).mean(1) / 32768 ** 2 + 1e-12)
    return x, 16000, float(np.nonzero(db > -50)[0][0] * 0.01)


class Path_:
    """One room: card, room, the product's player and speaker, barge-in from the default config."""

    def __init__(self, name: str, seed: int):
        from standins.room import Room
        from standins.sound_card import FakeSoundCard, real_player
        from voice.barge_in import BargeIn
        from voice.config import Config
        from voice.speaker import Speaker

        self.name = name
        self.card = FakeSoundCard(48000, realtime=True)
        self.room = Room(self.card, name, seed=seed)
        self.speaker = Speaker(player=real_player(self.card), caption=None, cache_size=64)
        self.ears = BargeIn.from_config(Config(), self.room.microphone(), self.speaker, notify=print)
        if self.ears is None:
            raise SystemExit("barge_in: the echo canceller is missing (pip install pywebrtc-audio)")
        self.events: list[tuple[str, float]] = []
        self.card.listeners.append(lambda kind, at, *a: self.events.append((kind, at)))

    def trial(self, text: str, person: tuple[np.ndarray, int, float] | None, offset_s: float) -> dict:
        self.events.clear()
        said = threading.Thread(target=self.speaker.say, args=(text,), daemon=True)
        said.start()
        onset = None
        if person is not None:
            deadline = time.monotonic() + 15
            while not any(k == "play" for k, _ in self.events) and said.is_alive() and time.monotonic() < deadline:
                time.sleep(0.002)
            first = next((t for k, t in self.events if k == "play"), None)
            if first is not None:
                samples, rate, lead = person
                onset = first + offset_s
                self.room.say(samples, rate, at=onset - lead)
        heard = self.ears.listen_while(said.is_alive, self.speaker.stop)
        said.join(30)
        if heard is not None:
            heard.close()
        stopped = next((t for k, t in self.events if k == "stop"), None)
        detected = self.ears.detected_at if heard is not None else None
        plays = [t for k, t in self.events if k == "play"]
        since = None  # for a barge-in: how long after the start of the sentence playing then it fired
        if heard is not None and self.ears.speech_at is not None:
            since = min((self.ears.speech_at - t for t in plays if t <= self.ears.speech_at), default=None)
        return {"onset": onset, "detected": detected, "stopped": stopped, "since": since}

    def close(self) -> None:
        self.speaker.close()


def run(args: argparse.Namespace) -> int:
    import tempfile

    from standins.speech import have_tools
    from voice.echo import available

    if available() is not None or not have_tools():
        print(f"barge_in: cannot run here ({available() or 'needs espeak-ng and sox'})")
        return 2
    texts = prompts(args.tune)
    words = TUNE if args.tune else HELD_OUT
    rng = np.random.default_rng(args.seed)
    speech_n = 3 if args.quick else args.speech
    echo_n = [3] * 3 if args.quick else [args.echo // 3 + (1 if i < args.echo % 3 else 0) for i in range(3)]
    print(f"barge_in: {'tuning' if args.tune else 'held-out'} set; {speech_n} speech trials per path, "
          f"{sum(echo_n)} echo-only prompts; load {load()}")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        people = [patient(i, w, Path(tmp), rng) for i, w in enumerate(words)]
        rooms = {name: Path_(name, args.seed + i) for i, name in enumerate(PATHS)}
        try:
            for name, room in rooms.items():  # speech trials: one path at a time (latency is measured)
                room.trial(texts[0], None, 0)  # the canceller's first prompt in this room (it converges)
                r = results[name] = {"detect": [], "stopped": [], "missed": 0, "false": 0, "early": 0, "speech": 0, "echo": 0}
                for k in range(speech_n):
                    text = texts[(k + 1) % len(texts)]
                    person = people[(k + PATHS.index(name)) % len(people)]
                    out = room.trial(text, person, float(rng.uniform(0.8, 2.5)))
                    r["speech"] += 1
                    if out["onset"] is None:
                        r["missed"] += 1
                        continue
                    d = out["detected"]
                    if d is not None and d < out["onset"]:
                        r["early"] += 1
                    elif d is None or d - out["onset"] > 1.0:
                        r["missed"] += 1
                    else:
                        r["detect"].append((d - out["onset"]) * 1000)
                        if out["stopped"] is not None:
                            r["stopped"].append((out["stopped"] - out["onset"]) * 1000)
                    time.sleep(0.3)
                    room.room.clear()

            def echo_only(name: str, n: int) -> None:  # in parallel: nothing timed here
                for k in range(n):
                    out = rooms[name].trial(texts[(k * 7 + 3) % len(texts)], None, 0)
                    results[name]["echo"] += 1
                    results[name]["false"] += out["detected"] is not None
                    if out["since"] is not None:
                        results[name].setdefault("false_at", []).append(out["since"])
                    time.sleep(0.3)
            threads = [threading.Thread(target=echo_only, args=(name, n)) for name, n in zip(PATHS, echo_n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            for room in rooms.values():
                room.close()
    print(f"{'path':6} {'detect p50/p95 ms':>18} {'stopped p50/p95 ms':>19} {'missed':>7} {'false (echo only)':>9}")
    alld, missed, speech, false, echo = [], 0, 0, 0, 0
    for name, r in results.items():
        d, s = r["detect"], r["stopped"]
        show = lambda v: f"{pct(v, 50):.0f}/{pct(v, 95):.0f}" if v else "-"  # noqa: E731
        print(f"{name:6} {show(d):>18} {show(s):>19} {r['missed']:>3}/{r['speech']:<3} "
              f"{r['false']:>3}/{r['echo']:<4} (+{r['early']} before the onset in speech trials)")
        if r.get("false_at"):
            print(f"       false barge-ins fired {', '.join(f'{x:.2f}' for x in sorted(r['false_at']))} s "
                  "after the sentence playing then started")
        alld += d
        missed, speech, false, echo = missed + r["missed"], speech + r["speech"], false + r["false"], echo + r["echo"]
    print(f"load after: {load()}")
    p95 = f"{pct(alld, 95):.0f}" if alld else "none"
    early = sum(r["early"] for r in results.values())
    print(f"barge_in: detect_p95_ms={p95} missed={missed}/{speech} false={false}/{echo} early={early}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 speech trials and 3 echo-only prompts per path")
    ap.add_argument("--tune", action="store_true", help="the tuning set instead of the held-out one")
    ap.add_argument("--speech", type=int, default=12, help="speech trials per echo path")
    ap.add_argument("--echo", type=int, default=100, help="echo-only prompts in all")
    ap.add_argument("--seed", type=int, default=7)
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
