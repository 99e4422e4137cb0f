"""What the recognizer and its cross-check are fed while listening (pure logic, a stand-in recognizer):
the cross-check, slower than real time with the Korean model, hears the speech with a little room
sound either side, not the whole pre-roll and trailing silence the grammar decoder gets."""
from __future__ import annotations

import wave

import numpy as np

from tests.audio_source import ScriptedSource
from voice.config import Listen
from voice.listen import CHECK_MARGIN_S, FEED_SILENCE_S, FRAME_S, PREROLL_S, listen_for_answer


class Fed:
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


class Only:
    """A recognizer with accept() alone (Whisper, the stand-ins of other tests)."""
    sample_rate, backend = 16000, "whisper"

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
