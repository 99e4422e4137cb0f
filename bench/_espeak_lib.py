"""The text-to-speech baseline: libespeak-ng called directly, in a process of its own.

    python -m bench._espeak_lib     # JSON lines: {"text", "rate", "voice"} in, timings out

pyttsx3 drives the same library (``pyttsx3.drivers._espeak``, ctypes); this is that
library without pyttsx3: initialised once (``AUDIO_OUTPUT_SYNCHRONOUS``), samples
collected in memory, no worker thread, no WAV file. It runs in its own process because
espeak-ng can be initialised once per process and pyttsx3 holds it in the bench's.

For each text it answers:
  first   text in -> the first sentence's samples at the sound card, through the product's
          real player (``standins.sound_card``: resampling to the card's rate included), as
          ``Speaker.say`` splits and plays it
  player  of ``first``: the player's part (resampling, hand-over to the card)
  whole   the whole text synthesised to samples in memory (no player)
Start-up (loading and initialising the library) is paid once, before the first text.
"""
from __future__ import annotations

import ctypes
import json
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])


def main() -> int:
    import numpy as np
    from pyttsx3.drivers import _espeak as es

    from standins.sound_card import FakeSoundCard, real_player
    from voice.speaker import split_sentences

    rate_hz = es.Initialize(es.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
    if rate_hz == -1:
        raise SystemExit("could not initialise libespeak-ng")
    chunks: list[bytes] = []

    def on_synth(wav, numsamples, events):
        if numsamples > 0:
            chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0

    es.SetSynthCallback(on_synth)
    # the voice pyttsx3's driver picks when none is configured (its __init__ does the same)
    current = es.GetCurrentVoice()
    default_voice = current.contents.name if current and current.contents.name else b"gmw/en"
    card = FakeSoundCard()
    player = real_player(card)

    def synth(text: str):
        chunks.clear()
        es.Synth(text.encode("utf-8"), flags=es.ENDPAUSE | es.CHARS_UTF8)
        return np.frombuffer(b"".join(chunks), np.int16)

    es.SetVoiceByName(default_voice)
    synth("ready")  # as Speaker.warm_up: the first synthesis is not a prompt's latency
    for line in sys.stdin:
        job = json.loads(line)
        es.SetVoiceByName(job["voice"].encode() if job.get("voice") else default_voice)
        es.SetParameter(es.RATE, int(job["rate"]), 0)
        text = job["text"]
        t0 = time.perf_counter()
        samples = synth(split_sentences(text)[0])
        synth_s = time.perf_counter() - t0
        player.play(samples, rate_hz)
        first_s = card.first_after(t0) - t0
        t0 = time.perf_counter()
        samples = synth(text)
        whole_s = time.perf_counter() - t0
        print(json.dumps({"first": first_s, "player": first_s - synth_s, "whole": whole_s,
                          "audio_s": len(samples) / rate_hz}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
