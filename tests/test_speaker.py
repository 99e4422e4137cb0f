"""Speaking: real pyttsx3 (espeak-ng driver) rendering to WAV, captions, rate control, failing soft.

No speaker here: a stand-in player records what would have been played; the
pyttsx3 engine, its worker thread and the sentence pipeline run for real.
"""
from __future__ import annotations

import threading
import time
import wave

import numpy as np
import pytest

from voice.config import Config
from voice.errors import UserError
from voice.speaker import Speaker, split_sentences

QUESTION = "Have you had any trouble controlling your bladder or bowels?"


class RecordingPlayer:
    """Stands in for the speaker hardware: keeps what it was asked to play."""

    def __init__(self):
        self.played: list[tuple[np.ndarray, int]] = []

    def play(self, samples, rate):
        self.played.append((samples, rate))


def seconds(path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def voiced_seconds(path) -> float:
    with wave.open(str(path), "rb") as w:
        x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float64)
        rate = w.getframerate()
    frames = x[: len(x) // 220 * 220].reshape(-1, 220)
    return float((np.sqrt((frames ** 2).mean(axis=1)) > 300).sum() * 220 / rate)


@pytest.fixture
def speaker():
    sp = Speaker(player=RecordingPlayer(), caption=None)
    yield sp
    sp.close()


def test_render_to_wav_gives_a_plausible_file(speaker, tmp_path):
    path = speaker.render_to_wav(QUESTION, tmp_path / "q.wav")
    assert path.exists()
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
    # 10 words at 150 words a minute: about 4 s, with espeak's own pauses
    assert 2.5 < seconds(path) < 6.5
    assert voiced_seconds(path) > 1.5


def test_slower_rate_gives_a_longer_file(speaker, tmp_path):
    normal = seconds(speaker.render_to_wav(QUESTION, tmp_path / "normal.wav"))
    speaker.slower()
    speaker.slower()
    slow = seconds(speaker.render_to_wav(QUESTION, tmp_path / "slow.wav"))
    assert speaker.rate == 100
    assert slow > normal * 1.3


def test_rate_changes_apply_after_sentences_that_end_in_punctuation(speaker, tmp_path):
    # espeak-ng ignores rate changes after some sentence endings unless the rate travels in the text
    speaker.render_to_wav("Hello. I will ask you a few questions about your back pain.", tmp_path / "a.wav")
    fast = seconds(speaker.render_to_wav(QUESTION, tmp_path / "b.wav", rate=200))
    slow = seconds(speaker.render_to_wav(QUESTION, tmp_path / "c.wav", rate=100))
    assert slow > fast * 1.6


def test_several_renders_in_a_row_each_write_their_own_file(speaker, tmp_path):
    texts = ["Yes.", "Do you have a fever?", "How long have you had this back pain? You can say days or weeks."]
    paths = [speaker.render_to_wav(t, tmp_path / f"{i}.wav") for i, t in enumerate(texts)]
    durations = [seconds(p) for p in paths]
    assert all(p.exists() for p in paths)
    assert durations[0] < durations[1] < durations[2]


def test_slower_stops_at_the_minimum_and_reset_returns_to_the_config():
    config = Config()
    sp = Speaker.from_config(config, caption=None, player=RecordingPlayer())
    assert sp.rate == 150
    rates = [sp.slower() for _ in range(5)]
    assert rates == [125, 100, 90, 90, 90]
    sp.volume = 0.3
    sp.reset()
    assert (sp.rate, sp.volume) == (150, 1.0)


def test_say_captions_first_then_plays_every_sentence(tmp_path, capsys):
    captions: list[str] = []
    player = RecordingPlayer()
    sp = Speaker(player=player, caption=captions.append)
    text = "Please call 911 now. This could be serious. This is guidance, not a diagnosis."
    sp.say(text)
    sp.close()
    assert captions == [text]
    assert len(player.played) == len(split_sentences(text)) == 3
    assert all(rate == 22050 and len(s) > 0.5 * rate for s, rate in player.played)
    assert sp.last_first_audio_s is not None
    # the espeak driver's "Audio saved to ..." chatter never reaches stdout
    assert "Audio saved" not in capsys.readouterr().out


def test_no_speaker_captions_still_shown_and_the_problem_said_once():
    captions: list[str] = []
    sp = Speaker(caption=captions.append)  # real sounddevice: this machine has no output device
    sp.say("Do you have a fever?")
    sp.say("How old are you?")
    assert captions[0] == "Do you have a fever?"
    assert "no audio output device found" in captions[1] and "shown on screen" in captions[1]
    assert captions[2:] == ["How old are you?"]


def test_a_hung_engine_turns_speech_off_instead_of_freezing():
    captions: list[str] = []
    player = RecordingPlayer()
    sp = Speaker(player=player, caption=captions.append, render_timeout_s=0.0)  # nothing can render in 0 s
    sp.say("Do you have a fever?")
    sp.say("How old are you?")
    assert player.played == []
    assert captions[0] == "Do you have a fever?"
    assert "did not finish" in captions[1]
    assert captions[2] == "How old are you?"


def test_unknown_voice_is_a_plain_error(tmp_path):
    sp = Speaker(player=None, caption=None, voice="no-such-voice-xyz")
    with pytest.raises(UserError, match="no text-to-speech voice matches 'no-such-voice-xyz'"):
        sp.render_to_wav("hello", tmp_path / "x.wav")


def test_a_voice_by_name_fragment(tmp_path):
    sp = Speaker(player=None, caption=None, voice="en-gb")
    assert seconds(sp.render_to_wav("hello there", tmp_path / "x.wav")) > 0.3


def test_sentences_are_split_for_early_first_audio():
    assert split_sentences("Yes. Do you have a fever? Thank you!") == ["Yes. Do you have a fever?", "Thank you!"]
    assert split_sentences("  ") == []
    assert split_sentences("Call 9.1.1 now") == ["Call 9.1.1 now"]


def test_warm_up_starts_the_engine_and_failing_soft_on_a_broken_one():
    sp = Speaker(player=RecordingPlayer(), caption=None)
    sp.warm_up()
    assert sp.broken is None
    stuck = Speaker(player=RecordingPlayer(), caption=None, render_timeout_s=0.0)
    stuck.warm_up()
    assert stuck.broken and "did not finish" in stuck.broken


def test_direct_mode_speaks_through_the_engine_in_the_worker_and_returns():
    # the macOS path, run here with the espeak driver (its own playback has no device and fails quietly)
    captions: list[str] = []
    sp = Speaker(caption=captions.append, mode="direct")
    sp.say("Do you have a fever?")
    sp.say("How old are you?")
    assert captions == ["Do you have a fever?", "How old are you?"]
    assert sp.broken is None
    # rendering still works in the same worker afterwards
    sp.render("ready")


def test_saying_and_preparing_many_times_starts_one_thread_not_one_each_time(monkeypatch):
    # a thread per say() or per prepare() was thousands of threads in a kiosk soak (and, under
    # glibc, each may take a malloc arena that keeps freed audio buffers)
    import gc
    import threading

    started: list[threading.Thread] = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda t: started.append(t) or real_start(t))
    player = RecordingPlayer()
    sp = Speaker(player=player, caption=None)
    ready = []
    for n in range(8):
        ready.append(sp.prepare(f"I understood: {n}."))
        sp.say(f"This is question {n} of eight. Have you had a fever?")
    sp.say("I understood: 7.")
    assert all(event.wait(10) for event in ready)
    assert len(player.played) == 2 * 8 + 1
    ours = [t for t in started if t.name != "pyttsx3-worker"]  # the process's engine thread, if not yet started
    assert [t.name for t in ours] == ["tts-sentences"]
    sp.close()
    ours[0].join(10)
    assert not ours[0].is_alive()

    dropped = Speaker(player=RecordingPlayer(), caption=None)  # never closed: its thread still ends
    dropped.say("Do you have a fever?")
    del dropped
    gc.collect()
    started[-1].join(10)
    assert started[-1].name == "tts-sentences" and not started[-1].is_alive()


def test_the_player_resamples_a_sentence_in_blocks_not_in_arrays_the_size_of_the_sentence():
    # in one pass a 9 s sentence made arrays of 3.4 MiB each (float64 at 48 kHz), 16 MiB at the peak;
    # glibc kept such blocks in its heaps once freed, and a kiosk's resident memory grew by tens of
    # MiB over a few hundred patients (bench/kiosk_soak.py)
    import tracemalloc

    from standins.sound_card import FakeSoundCard, real_player
    from voice.audio import Resampler

    card = FakeSoundCard(rate=48000)
    player = real_player(card)
    sp = Speaker(player=RecordingPlayer(), caption=None)
    samples, rate = sp.render("Please call 911 now. This could be serious. This is guidance, not a diagnosis. "
                              "Someone will help you.")
    sp.close()
    one_pass = Resampler(rate, 48000).process(samples, last=True)
    tracemalloc.start()  # numpy reports its arrays' memory to it
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        player.play(samples, rate)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    (_, played, played_rate), = card.handed
    assert played_rate == 48000 and played == len(one_pass) > 6 * 48000
    assert peak < 8 * played  # the int16 sound and its blocks (one pass: 39 bytes per sample played)


def _card_speaker():
    from standins.sound_card import FakeSoundCard, real_player
    from voice.echo import ReferenceTap

    card = FakeSoundCard(rate=48000, realtime=True)
    player = real_player(card)
    player.tap = ReferenceTap()
    return card, player, Speaker(player=player, caption=None)


TWO = "Do you have any numbness or tingling between your legs? Please answer yes or no after the tone."


def test_stop_cuts_the_sentence_playing_now_and_the_tap_says_where(tmp_path):
    card, player, sp = _card_speaker()
    events = []
    card.listeners.append(lambda kind, at, *a: events.append((kind, at)))
    try:
        for s in split_sentences(TWO):
            sp.render(s)
        said = threading.Thread(target=sp.say, args=(TWO,))
        said.start()
        while not events:
            time.sleep(0.005)
        time.sleep(0.3)
        sp.stop()
        said.join(5)
        assert not said.is_alive() and not sp.busy()
    finally:
        sp.close()
    (_, started), (kind, stopped) = events  # one sentence handed, then the card stopped
    assert kind == "stop"
    first = card.handed[0][1] / 48000
    # the reference ends where the card was cut, well before the sentence's end
    assert player.tap.until < started + first - 0.5
    assert abs(player.tap.until - stopped) < 0.05


def test_a_stop_just_as_a_sentence_starts_playing_still_stops_it():
    # the race: a stop() after say()'s check for stops and before the player started used to be lost
    card, player, sp = _card_speaker()
    events = []

    def stop_now(kind, at, *a):
        events.append(kind)
        if kind == "play":  # the card has just been handed the first sentence: stop from another thread
            t = threading.Thread(target=sp.stop)
            t.start()
            t.join()
    card.listeners.append(stop_now)
    try:
        sp.say(TWO)
    finally:
        sp.close()
    assert events == ["play", "stop"]  # cut at once, and the second sentence never played
    assert card.blocks == 1


def test_after_a_stopped_say_the_player_plays_again():
    card, player, sp = _card_speaker()
    cut = []

    def stop_the_first(kind, at, *a):
        if kind == "play" and not cut:
            cut.append(at)
            threading.Thread(target=sp.stop).start()
    card.listeners.append(stop_the_first)
    try:
        sp.say(TWO)
        before = card.blocks
        player.play(np.zeros(4800, np.int16), 48000)  # played directly (a bench's own sound)
    finally:
        sp.close()
    assert card.blocks == before + 1
