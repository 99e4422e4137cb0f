"""Replies start as soon as the answer is in: the speaker renders ahead what is likely to be said
next (real pyttsx3), the conversation tells what a reply would be without answering, and the
voice loop asks for both while the question is said and while the person speaks."""
from __future__ import annotations

import wave

import numpy as np
import pytest

from tests.test_complete_answer import at
from voice import contracts
from voice.asr.base import Recognizer
from voice.config import Config
from voice.turn import TurnRunner
from voice.speaker import Speaker


class RecordingPlayer:
    def __init__(self):
        self.played = []

    def play(self, samples, rate):
        self.played.append((samples, rate))


def no_render(text):
    raise AssertionError(f"rendered on demand: {text!r}")


@pytest.fixture
def speaker():
    sp = Speaker(player=RecordingPlayer(), caption=None)
    yield sp
    sp.close()


def test_a_prepared_sentence_is_played_without_rendering_it_again(speaker):
    assert speaker.prepare("I understood: no. Have you had a fever?").wait(10)
    speaker.render = no_render
    speaker.say("I understood: no.")
    (samples, rate), = speaker.player.played
    assert rate == 22050 and len(samples) > 0.3 * rate


def test_a_sentence_said_once_is_kept_for_the_next_time(speaker):
    speaker.say("Have you had a fever?")
    speaker.render = no_render
    speaker.say("Have you had a fever?")
    assert len(speaker.player.played) == 2 and speaker.player.played[0][0] is speaker.player.played[1][0]


def test_prepared_at_another_rate_is_not_used(speaker):
    assert speaker.prepare("I understood: yes.").wait(10)
    speaker.slower()
    rendered = []
    real = speaker.render
    speaker.render = lambda text: rendered.append(text) or real(text)
    speaker.say("I understood: yes.")
    assert rendered == ["I understood: yes."]


def test_a_sentence_still_being_prepared_is_said_once_it_is_ready(speaker):
    for n in range(4):  # queued behind one another: the one needed now jumps the queue
        speaker.prepare(f"Reply number {n}.")
    speaker.say("Reply number 3.")
    assert len(speaker.player.played) == 1 and len(speaker.player.played[0][0]) > 0


def test_no_cache_means_nothing_is_prepared():
    sp = Speaker(player=RecordingPlayer(), caption=None, cache_size=0)
    assert sp.prepare("I understood: no.") is None
    sp.say("I understood: no.")
    assert len(sp.player.played) == 1
    sp.close()


def test_preview_is_the_reply_without_answering():
    c = at("fever")
    asked, log = c.question, len(c.session.log)
    preview = c.preview("no")
    assert (c.question, len(c.session.log)) == (asked, log)  # nothing answered
    assert preview.speech == c.answer_text("no").speech
    assert preview.speech[0] == "I understood: no."


@pytest.mark.parametrize("text", ["i have", "about", "", "three"])
def test_no_preview_before_the_words_are_a_plain_answer(text):
    c = at("duration") if text == "three" else at("fever")
    assert c.preview(text) is None


def test_likely_replies_cover_yes_no_not_sure_and_a_read_back_at_a_warning_sign():
    c = at("fever")
    log = len(c.session.log)
    replies = c.likely_replies()
    assert [r.speech[0] for r in replies[:3]] == ["I understood: yes.", "I understood: no.", "I understood: not sure."]
    assert replies[3].question.confirm  # "So you have NOT had a fever. Is that right?"
    assert len(c.session.log) == log and c.question.node == "fever"
    assert len(at("duration").likely_replies()) == 1  # only "not sure" can be foreseen for a duration


class Asks(contracts.Speaker):
    """A speaker stand-in noting what it was asked to render ahead (and to say)."""

    def __init__(self):
        self.prepared, self.said = [], []

    def prepare(self, text):
        self.prepared.append(text)

    def say(self, text):
        self.said.append(text)

    def slower(self):
        pass


def test_prepare_replies_asks_the_speaker_for_each_likely_reply():
    sp = Asks()
    TurnRunner(None, speaker=sp).prepare_replies(at("fever"))
    assert sp.prepared[:3] == ["I understood: yes.", "I understood: no.", "I understood: not sure."]


class Hears(Recognizer):
    """A recognizer stand-in whose running result is ``words`` once audio comes in."""
    sample_rate = 16000
    backend = "vosk"

    def __init__(self, words):
        self.words = words

    def begin(self, grammar=None, cross_check=False):
        pass

    def accept(self, pcm16):
        return self.words

    def end(self, wait=True):
        from voice.asr.base import Transcript
        return Transcript(self.words, 1.0, [(w, 1.0) for w in self.words.split()])


def test_the_turn_prepares_the_reply_to_what_is_heard_so_far(tmp_path):
    from standins.microphone import ScriptedSource

    t = np.arange(16000 * 0.8) / 16000
    buzz = (np.sin(2 * np.pi * 200 * t) * 3000).astype(np.int16)
    with wave.open(str(tmp_path / "a.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(buzz.tobytes())
    c = at("fever")
    sp = Asks()
    hearing = TurnRunner(Hears("no"), ScriptedSource([tmp_path / "a.wav"]), Config().listen, speaker=sp).hear(c)
    assert hearing.transcript.text == "no" and sp.prepared == ["I understood: no."]
