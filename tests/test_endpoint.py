"""End-of-answer detection: pure frame logic, then real synthesized speech, clean and in waiting-room noise.

Times here are positions in the audio (deterministic), not wall-clock timings.
"""
from __future__ import annotations

import numpy as np
import pytest

from standins.speech import WAITING_ROOM_DB, have_tools, synth
from voice.asr.audio import wav_pcm16
from voice.endpoint import (END, FALSE_START, MAX_LENGTH, SPEECH, TIMEOUT, EndpointConfig, Endpointer, detect,
                            level_dbfs)

RATE = 16000


def noise(seconds: float, dbfs: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(0, 32768 * 10 ** (dbfs / 20), int(RATE * seconds)), -32768, 32767).astype(np.int16)


def voice_like(seconds: float, dbfs: float) -> np.ndarray:
    """A 200 Hz buzz with a syllable-rate envelope: loud, then a tail."""
    t = np.arange(int(RATE * seconds)) / RATE
    env = 0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 3 * t))
    x = np.sin(2 * np.pi * 200 * t) * env
    x = x / np.sqrt(np.mean(x ** 2)) * 32768 * 10 ** (dbfs / 20)
    return x.astype(np.int16)


def test_level_is_dbfs():
    assert level_dbfs(np.full(320, 32767, np.int16) * np.where(np.arange(320) % 2, 1, -1).astype(np.int16)) \
        == pytest.approx(0.0, abs=0.01)
    assert level_dbfs(np.zeros(320, np.int16)) < -100


def test_answer_ends_after_the_trailing_silence():
    audio = np.concatenate([noise(0.5, -55), voice_like(1.0, -20) + noise(1.0, -55, 2), noise(3.0, -55, 3)])
    d = detect(audio, RATE, EndpointConfig(trailing_silence_s=0.6))
    assert d.event == END
    assert d.speech_start_s == pytest.approx(0.5, abs=0.03)
    # within one 20 ms frame: the wait is counted from the last frame that is loud on its own,
    # not from where the smoothed level finally drops (that lagged 40 ms)
    assert d.speech_end_s == pytest.approx(1.5, abs=0.021)
    assert d.at_s - 1.5 == pytest.approx(0.6, abs=0.021)


@pytest.mark.parametrize("trailing", [0.3, 0.6, 1.0])
def test_trailing_silence_is_configurable(trailing):
    audio = np.concatenate([noise(0.5, -50), voice_like(0.8, -25), noise(3.0, -50, 4)])
    d = detect(audio, RATE, EndpointConfig(trailing_silence_s=trailing))
    assert d.event == END and d.at_s - 1.3 == pytest.approx(trailing, abs=0.021)


def test_a_pause_shorter_than_the_trailing_silence_does_not_cut_the_answer():
    audio = np.concatenate([noise(0.5, -50), voice_like(0.6, -22), noise(0.4, -50, 5), voice_like(0.6, -22),
                            noise(2.0, -50, 6)])
    d = detect(audio, RATE, EndpointConfig(trailing_silence_s=0.6))
    assert d.event == END and d.speech_end_s == pytest.approx(2.1, abs=0.05)


def test_nothing_said_times_out():
    d = detect(noise(10.0, -45), RATE, EndpointConfig(no_speech_timeout_s=4.0))
    assert d.event == TIMEOUT and d.at_s == pytest.approx(4.0, abs=0.03) and d.speech_start_s is None


def test_an_endless_answer_is_cut_at_the_maximum():
    audio = np.concatenate([noise(0.5, -50), voice_like(20.0, -20)])
    d = detect(audio, RATE, EndpointConfig(max_answer_s=5.0))
    assert d.event == MAX_LENGTH and d.at_s == pytest.approx(5.5, abs=0.05)


def test_a_click_is_a_false_start_and_listening_goes_on():
    ep = Endpointer(RATE, EndpointConfig(trailing_silence_s=0.3, min_speech_s=0.04, min_utterance_s=0.2))
    audio = np.concatenate([noise(0.5, -50), voice_like(0.06, -15), noise(1.0, -50, 7),
                            voice_like(0.8, -20), noise(1.0, -50, 8)])
    events = []
    for i in range(0, len(audio) - 319, 320):
        if (e := ep.push(audio[i:i + 320])):
            events.append(e)
        if e == END:
            break
    assert events == [SPEECH, FALSE_START, SPEECH, END]
    assert ep.speech_start_s == pytest.approx(1.56, abs=0.03)


def test_a_steady_loud_room_is_not_speech():
    # ventilation at -30 dBFS from the first frame: the floor calibrates to it
    d = detect(noise(6.0, -30), RATE, EndpointConfig(no_speech_timeout_s=5.0))
    assert d.event == TIMEOUT


def test_settings_come_from_the_listen_config():
    from voice.config import Listen

    cfg = EndpointConfig.from_listen(Listen(trailing_silence_s=0.8, complete_silence_s=0.25, no_speech_timeout_s=5.0,
                                            max_answer_s=9.0))
    assert (cfg.trailing_silence_s, cfg.complete_silence_s, cfg.no_speech_timeout_s, cfg.max_answer_s) == \
        (0.8, 0.25, 5.0, 9.0)


def test_a_complete_answer_ends_after_the_short_silence():
    audio = np.concatenate([noise(0.5, -50), voice_like(0.8, -25), noise(3.0, -50, 4)])
    ep = Endpointer(RATE, EndpointConfig(trailing_silence_s=0.6, complete_silence_s=0.3))
    for i in range(0, len(audio) - 319, 320):
        if ep.push(audio[i:i + 320]) == SPEECH:
            ep.answer_complete(True)  # what the recognizer heard so far is already a whole answer
        if ep.done:
            break
    assert ep.done == END and ep.t - 1.3 == pytest.approx(0.3, abs=0.05)


def test_words_after_a_complete_answer_bring_the_long_wait_back():
    # "no ... well, actually": the running result stops being a whole answer when speech resumes
    audio = np.concatenate([noise(0.5, -50), voice_like(0.5, -22), noise(0.25, -50, 5), voice_like(0.6, -22),
                            noise(2.0, -50, 6)])
    ep = Endpointer(RATE, EndpointConfig(trailing_silence_s=0.6, complete_silence_s=0.3))
    for i in range(0, len(audio) - 319, 320):
        ep.push(audio[i:i + 320])
        t = ep.t
        ep.answer_complete(t < 1.2)  # complete after the first word, not once the second begins
        if ep.done:
            break
    assert ep.done == END and ep.speech_end_s == pytest.approx(1.85, abs=0.05)
    assert ep.t - 1.85 == pytest.approx(0.6, abs=0.05)


def test_the_short_wait_is_never_longer_than_the_trailing_silence():
    ep = Endpointer(RATE, EndpointConfig(trailing_silence_s=0.2, complete_silence_s=0.3))
    ep.answer_complete(True)
    assert ep.trailing_s == 0.2


# ---------------------------------------------------------------- real speech

ANSWERS = [
    ("yes", "en-us", 150),
    ("no", "en-gb", 130),
    ("about three weeks, maybe a bit more", "en-gb", 130),
    ("no, not really. I don't think so", "en-us+f3", 170),
    ("I have had a fever and chills", "en-gb-x-rp+m3", 140),
    ("sixty two", "en-us", 120),
]


def true_span(clean: np.ndarray) -> tuple[float, float]:
    """Where the voice is in the clean recording: first/last 10 ms above -50 dBFS."""
    levels = [level_dbfs(clean[i:i + 160]) for i in range(0, len(clean) - 159, 160)]
    voiced = [i for i, lv in enumerate(levels) if lv > -50]
    return voiced[0] * 0.01, (voiced[-1] + 1) * 0.01


@pytest.mark.slow
@pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")
@pytest.mark.parametrize("noisy", [False, True], ids=["clean", "waiting-room"])
@pytest.mark.parametrize("text,voice,speed", ANSWERS)
def test_end_of_real_speech_is_found_close_to_the_true_end(tmp_path, text, voice, speed, noisy):
    clean = np.frombuffer(wav_pcm16(synth(text, tmp_path / "c.wav", voice=voice, speed=speed, pad=1.0), RATE),
                          np.int16)
    start, end = true_span(clean)
    audio = clean
    if noisy:
        audio = np.frombuffer(wav_pcm16(synth(text, tmp_path / "n.wav", voice=voice, speed=speed, pad=1.0,
                                              noise_db=WAITING_ROOM_DB), RATE), np.int16)
    # the room carries on after the recording: repeat its last second
    audio = np.concatenate([audio, audio[-RATE:], audio[-RATE:]])
    d = detect(audio, RATE, EndpointConfig(trailing_silence_s=0.6))
    assert d.event == END
    assert abs(d.speech_start_s - start) <= 0.15  # a soft onset in noise; listen.py feeds a 0.3 s pre-roll
    # decided 0.6 s after the voice stops, give or take a soft final consonant lost in the noise
    assert 0.45 <= d.at_s - end <= 0.8, (d, start, end)
