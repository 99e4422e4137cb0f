"""The echo canceller (voice/echo.py): WebRTC AEC3 fed with what the product's player really played.

The prompts are real pyttsx3 renders; the echo paths are sox's (standins/room.py: delay, small-speaker
band, reverberation, the loud path's distortion); the patient is espeak-ng. Only the loudspeaker and
the microphone are stand-ins.
"""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from standins.room import ECHO_PATHS, Room, dbfs, echo
from standins.sound_card import FakeSoundCard, real_player
from standins.speech import have_tools, synth
from voice.audio import resample
from voice.echo import EchoCancelledSource, EchoCanceller, ReferenceTap, available
from voice.speaker import Speaker

pytestmark = pytest.mark.skipif(available() is not None or not have_tools(),
                                reason="needs pywebrtc-audio, espeak-ng and sox")

PROMPT = "Do you have any numbness or tingling between your legs, around your bottom?"


@pytest.fixture(scope="module")
def prompt():
    sp = Speaker(player=None, caption=None)
    sp.broken = None
    try:
        return sp.render(PROMPT)  # the product's own rendering (22,050 Hz int16)
    finally:
        sp.close()


def test_the_tap_places_what_was_played_on_the_timeline_and_a_stop_cuts_it():
    tap = ReferenceTap(rate=16000)
    tone = (np.sin(np.arange(16000) * 0.2) * 8000).astype(np.int16)
    tap.played(tone, 16000, at=100.0)
    ref = tap.reference(99.99, 480)  # 10 ms of nothing, then the tone's first 20 ms
    assert not ref[:160].any() and np.array_equal(ref[160:], tone[:320])
    assert tap.playing(at=100.5) and not tap.playing(at=101.2)
    tap.stopped(at=100.25)
    assert not tap.reference(100.25, 160).any() and tap.reference(100.24, 160)[:160].any()
    assert not tap.playing(at=100.5) and tap.until == 100.25


def _offline(prompt, path, patient=None, patient_at=1.5, lead_s=0.06):
    """The canceller run over a prompt played at t=1000 s, its echo through ``path`` (+ a patient
    ``patient_at`` s in), in the 20 ms chunks a microphone delivers. Returns (mic, cleaned) at 16 kHz."""
    samples, rate = prompt
    tap = ReferenceTap()
    tap.played(samples, rate, at=1000.0)
    mic = echo(samples, rate, path, 16000).astype(np.float32)
    if patient is not None:
        start = int(patient_at * 16000)
        mic = np.concatenate([mic, np.zeros(max(0, start + len(patient) - len(mic)), np.float32)])
        mic[start:start + len(patient)] += patient
    mic = np.clip(mic, -32768, 32767).astype(np.int16)
    canceller = EchoCanceller(tap, lead_s=lead_s)
    out = np.concatenate([canceller.process(mic[i:i + 320], 1000.0 + i / 16000) for i in range(0, len(mic), 320)])
    return mic[:len(out)], out


@pytest.mark.parametrize("path", sorted(ECHO_PATHS))
def test_the_echo_of_the_products_own_prompt_is_removed_by_at_least_15_db(prompt, path):
    mic, out = _offline(prompt, path)
    settled = slice(16000, len(out))  # after AEC3's first second (it converges while the prompt plays)
    assert dbfs(mic[settled]) > -40  # a laptop-speaker echo, not a whisper
    assert dbfs(mic[settled]) - dbfs(out[settled]) >= 15


def test_the_patients_speech_over_the_prompt_is_kept(prompt, tmp_path):
    wav = synth("yes I have, it started yesterday", tmp_path / "p.wav", voice="en-gb", rate=16000)
    import wave
    with wave.open(str(wav), "rb") as w:
        speech = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) * 10 ** (-12 / 20)
    _, alone = _offline(prompt, "desk")
    mic, out = _offline(prompt, "desk", patient=speech, patient_at=2.0)
    talk = slice(int(2.0 * 16000), int(2.0 * 16000) + len(speech))
    # what is left over the patient's words is their speech, not the echo: far above the echo
    # alone in the same stretch, and within a few dB of the words themselves
    assert dbfs(out[talk]) - dbfs(alone[talk]) > 10
    assert abs(dbfs(out[talk]) - dbfs(speech)) < 8


@pytest.mark.slow
@pytest.mark.parametrize("path", ["desk", "loud"])
def test_through_the_products_player_and_a_room_in_real_time(path):
    """Speaker.say -> SoundDevicePlayer (its tap) -> stand-in card -> room -> microphone -> canceller."""
    card = FakeSoundCard(48000, realtime=True)
    room = Room(card, path)
    tap = ReferenceTap()
    player = real_player(card)
    player.tap = tap
    sp = Speaker(player=player, caption=None)
    source = EchoCancelledSource(room.microphone(), EchoCanceller(tap))
    chunks: list[tuple[float, np.ndarray]] = []
    done = threading.Event()

    def listen():
        while not done.is_set():
            c = source.read(0.5)
            if c:
                chunks.append((source.source.chunk_time, np.frombuffer(c, np.int16)))
    try:
        sp.render(PROMPT)  # in the cache: the play starts at once
        source.open()
        th = threading.Thread(target=listen)
        th.start()
        time.sleep(0.2)
        t0 = time.perf_counter()
        sp.say(PROMPT)
        t1 = time.perf_counter()
        done.set()
        th.join()
    finally:
        source.close()
        sp.close()
    out = np.concatenate([c for _, c in chunks])
    begin = chunks[0][0]
    raw = resample(room.heard(begin, int((t1 - begin) * 48000)), 48000, 16000)
    settled = slice(int((t0 - begin + 1.0) * 16000), int((t1 - begin) * 16000))
    assert dbfs(raw[settled]) - dbfs(out[settled]) >= 15


def test_the_microphone_stamps_each_block_with_its_capture_time():
    # the canceller matches each microphone block with what played when it was captured: PortAudio's
    # clock tells the block's age (30 ms here), and the stamp is "now" less that age
    import queue
    from types import SimpleNamespace

    from voice.audio import MicrophoneSource

    mic = object.__new__(MicrophoneSource)
    mic.sample_rate, mic.overflows, mic._q, mic._stream, mic._last, mic.stall_s = 48000, 0, queue.Queue(), None, 0.0, 1.5
    before = time.perf_counter()
    mic._callback(b"\0\0" * 960, 960, SimpleNamespace(currentTime=10.0, inputBufferAdcTime=9.97), None)
    after = time.perf_counter()
    assert mic.read(0.1) == b"\0\0" * 960
    assert before - 0.03 <= mic.chunk_time <= after - 0.03
    mic._callback(b"\0\0" * 960, 960, None, None)  # no clock from the host API: the block's own length
    mic.read(0.1)
    assert mic.chunk_time <= time.perf_counter() - 0.02
