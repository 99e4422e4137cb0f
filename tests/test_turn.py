"""The one turn runner (voice/turn.py): its events, its plan, silence as a conversation input, and the
contracts its parts keep. A stand-in recognizer and microphone (no models); everything else is real."""
from __future__ import annotations

import threading
import time
import wave

import numpy as np

from standins.microphone import ScriptedSource
from tests.test_complete_answer import at
from tests.test_speak_ahead import Asks, Hears
from triage import load_tree
from voice import contracts
from voice.config import Config
from voice.conversation import Conversation
from voice.pipeline import (CrossChecked, EndOfSpeech, ListeningStarted, NothingHeard, PartialTranscript, Recognized,
                            Recorder, ReplyReady, SpeechStarted)
from voice.speaker import Speaker
from voice.turn import TurnRunner


def buzz(path, seconds: float = 0.8) -> None:
    t = np.arange(int(16000 * seconds)) / 16000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((np.sin(2 * np.pi * 200 * t) * 3000).astype(np.int16).tobytes())


def test_a_heard_answer_reports_each_step_in_order_with_rising_times(tmp_path):
    buzz(tmp_path / "a.wav")
    seen = Recorder()
    c = at("fever")
    reply = TurnRunner(Hears("yes"), ScriptedSource([tmp_path / "a.wav"], sample_rate=16000), Config().listen,
                       observer=seen).take_turn(c)
    kinds = [type(e) for e in seen.events if not isinstance(e, PartialTranscript)]
    assert kinds[:2] == [ListeningStarted, SpeechStarted]
    assert kinds[-4:] == [EndOfSpeech, Recognized, CrossChecked, ReplyReady]
    assert seen.of(PartialTranscript)[0].text == "yes"
    started = seen.last(ListeningStarted)
    assert started.node == "fever" and started.cross_check and started.grammar and "yes" in started.grammar
    assert seen.last(Recognized).text == "yes" and seen.last(Recognized).recognizer == "vosk"
    assert seen.last(ReplyReady).reply is reply and reply.heard
    times = [e.at for e in seen.events]
    assert times == sorted(times)
    end = seen.last(EndOfSpeech)
    assert end.speech_start_s < end.speech_end_s <= end.decided_s


def test_silence_is_asked_again_then_the_session_stops_politely(tmp_path):
    config = Config()
    config.listen.no_speech_timeout_s, config.listen.reprompts = 0.3, 1
    seen = Recorder()
    c = Conversation(load_tree())
    c.start()
    runner = TurnRunner(Hears("yes"), ScriptedSource([None, None], sample_rate=16000), config.listen, observer=seen)
    again = runner.take_turn(c)
    assert again.question.node == "start" and again.speech[0].startswith(c.messages("voice.not_heard"))
    assert not c.finished and len(seen.of(NothingHeard)) == 1
    stop = runner.take_turn(c)
    assert stop.speech[0] == c.messages("voice.give_up") and c.finished and stop.end


def test_an_answer_between_silences_starts_the_count_again(tmp_path):
    buzz(tmp_path / "a.wav")
    config = Config()
    config.listen.no_speech_timeout_s, config.listen.reprompts = 0.3, 1
    c = at("fever")
    runner = TurnRunner(Hears("not sure"), ScriptedSource([None, tmp_path / "a.wav", None], sample_rate=16000),
                        config.listen)
    runner.take_turn(c)          # silence once
    runner.take_turn(c)          # "not sure": an answer
    reply = runner.take_turn(c)  # silence once more: asked again, not stopped
    assert not c.finished and reply.question is not None


def test_whisper_gets_no_grammar_and_vosk_gets_the_kiosks_words_too():
    from voice.asr.whisper_backend import WhisperRecognizer

    class Whisper(WhisperRecognizer):
        def __init__(self):  # no model: only the plan is asked of it
            pass

    c = at("fever")
    assert TurnRunner(Whisper()).plan(c, ("more time",)).grammar is None
    plan = TurnRunner(Hears("")).plan(c, ("more time",))
    assert plan.cross_check and "yes" in plan.grammar and plan.grammar[-1] == "more time"
    idle = TurnRunner(Hears("")).plan(None, ("start",))
    assert idle.grammar == ["start"] and not idle.cross_check


def test_the_parts_keep_their_contracts():
    sp = Speaker(player=None, caption=None)
    try:
        assert isinstance(sp, contracts.Speaker) and isinstance(Asks(), contracts.Speaker)
        assert isinstance(Hears(""), contracts.Recognizer)
        assert isinstance(ScriptedSource([]), contracts.AudioSource)
        assert sp.prepare("hello") is None  # speech off: nothing is kept ahead
        assert not sp.busy()
    finally:
        sp.close()


class SlowPlayer:
    """A sound card that takes its time over each sentence."""

    def __init__(self):
        self.played = 0

    def play(self, samples, rate):
        self.played += 1
        time.sleep(0.3)


def test_stop_ends_a_say_in_progress_after_the_sentence_playing_now():
    player = SlowPlayer()
    sp = Speaker(player=player, caption=None)
    try:
        said = threading.Thread(target=sp.say, args=("One sentence here. Another one there. And a third one.",))
        said.start()
        for _ in range(200):
            if player.played:
                break
            time.sleep(0.02)
        assert sp.busy()
        sp.stop()
        said.join(10)
        assert not said.is_alive() and not sp.busy()
        assert player.played < 3
    finally:
        sp.close()
