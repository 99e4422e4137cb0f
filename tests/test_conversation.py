"""voice/conversation.py: one medium-neutral reply per turn, the same for every front end."""
from __future__ import annotations

import pytest

from triage import load_tree
from voice.asr.base import Transcript
from voice.config import Config
from voice.conversation import Conversation

TREE = load_tree()
NO_FLAGS = ["no"] * 12  # every red-flag question ("no" to a fall skips the serious-accident one)


def conv(**kw) -> Conversation:
    c = Conversation(TREE, **kw)
    c.start()
    return c


def test_a_reply_says_and_shows_the_question_with_its_kind_and_unit():
    c = Conversation(TREE)
    r = c.start()
    assert r.question.node == "start" and r.question.expects == "yesno" and r.speech == (r.question.text,)
    c.answer_text("yes")
    for text in NO_FLAGS:
        r = c.answer_text(text)
    assert r.heard == "I understood: no." and r.speech[0] == r.heard
    assert r.question.node == "age" and r.question.expects == "number" and r.question.unit == "years"
    r = c.answer_text("forty")
    assert r.heard == "I understood: 40 years."
    assert r.question.node == "duration" and r.question.unit == "weeks" and r.question.threshold == 4
    r = c.answer_text("three weeks")
    assert r.heard == "I understood: 3 weeks."
    assert r.result.disposition == "self_care" and r.result.label == "SELF-CARE"
    assert r.result.instruction and r.result.text.startswith(r.result.instruction)
    assert r.question.node == "more_info"
    r = c.answer_text("no thanks")
    assert r.end and r.question is None and c.finished


def test_an_emergency_is_said_first_and_alone_before_anything_else():
    c = conv()
    c.answer_text("yes")
    r = c.answer_text("yes I can't control my bladder")
    assert r.emergency and r.result.emergency and r.end
    assert r.speech[0] == r.result.text and r.heard == ""
    assert r.result.text.startswith("Call 911")


def test_an_uncertain_answer_is_read_back_as_a_question_that_carries_the_answer():
    c = conv()
    c.answer_text("yes")
    r = c.tap("no", confidence=0.3, transcript="no")
    assert r.heard == ""  # the read-back says it
    assert r.question.confirm == {"intent": "no", "value": None, "said": "no"}
    assert r.question.expects == "yesno" and r.question.node == "bladder_bowel"
    assert r.events[-1].to_json()["confirm"]["intent"] == "no"


def test_the_clinic_language_and_numbers_come_from_the_config():
    config = Config()
    config.clinic.emergency_number = "112"
    c = Conversation.from_config(TREE, config)
    assert c.lang == "en" and "112" in c.start().question.text


def test_transcripts_use_the_threshold_of_the_recognizer_that_heard_them():
    class Whisper:
        backend = "whisper"

    c = conv(confirm_below=0.6, thresholds={"whisper": 0.3})
    c.answer_text("yes")
    words = [("no", 0.5)]
    r = c.answer_transcript(Transcript("no", 0.5, words), Whisper(), cross_check=False)
    assert r.question.confirm is None and r.question.node == "saddle_numbness"  # 0.5 is sure enough for whisper
    typed = conv(confirm_below=0.6)
    typed.answer_text("yes")
    r = typed.answer_transcript(Transcript("no", 0.5, words), None, cross_check=False)
    assert r.question.confirm is not None  # ... but not under the default threshold


def test_bad_input_is_an_error_and_the_same_question_again():
    c = conv()
    r = c.error("not valid JSON")
    assert r.lines == ("not valid JSON",) and r.question.node == "start" and r.speech[-1] == r.question.text


def at_question(node: str) -> Conversation:
    c = conv()
    c.answer_text("yes")
    while c.question.node != node:
        c.answer_text({"number": "forty", "duration": "one week"}.get(c.question.expects, "no"))
    return c


def test_read_back_replies_restate_correct_or_reject():
    c = at_question("fever")
    r = c.tap("no", confidence=0.3, transcript="know")
    assert r.question.text.startswith("So you have NOT had a fever") and r.question.confirm["intent"] == "no"
    r = c.answer_text("no I haven't")  # a restatement: confirmed
    assert r.heard == "I understood: no." and r.question.node == "infection_risk"
    c = at_question("fever")
    c.tap("no", confidence=0.3, transcript="know")
    r = c.answer_text("yes I have")  # not "that's right": an answer to the question, which counts
    assert c.session.log[-1].intent == "yes" and r.heard == "I understood: yes."
    c = at_question("fever")
    c.tap("no", confidence=0.3, transcript="know")
    r = c.answer_text("no")  # bare "no": the question again, plainly, asking for "yes, I have" or "no, I haven't"
    assert r.question.text.startswith(TREE.nodes["fever"].plain) and r.question.confirm is None
    c = at_question("fever")
    c.tap("no", confidence=0.3, transcript="know")
    r = c.answer_text("yes")  # "that's right": the read-back answer counts
    assert c.session.log[-1].intent == "no" and r.heard == "I understood: no."


def test_a_duration_read_back_is_restated_corrected_or_rejected():
    c = at_question("duration")
    r = c.answer_text("a couple of weeks")  # vague: read back
    assert r.question.confirm == {"intent": "duration", "value": 2.0, "said": "2 weeks"}
    r = c.answer_text("a couple of weeks")
    assert c.session.log[-1].value == 2.0 and r.heard == "I understood: 2 weeks."
    c = at_question("duration")
    c.tap("duration", 2.0, confidence=0.3, transcript="two weeks")
    r = c.answer_text("no, three weeks")
    assert c.session.log[-1].value == 3.0 and r.heard == "I understood: 3 weeks."
    c = at_question("duration")
    c.tap("duration", 0.5714, confidence=0.3, transcript="three or four days")
    assert "4 days" in c.question.text and "0.57" not in c.question.text
    # misheard the same way twice: "no, [the same]" is a rejection, never a confirmation
    r = c.answer_text("no, three or four days")
    assert r.question.node == "duration" and r.question.confirm is None and c.session.log[-1].node != "duration"



@pytest.mark.parametrize("said, sure", [("bye bye", 0.24), ("stop", 0.24), ("start over", 0.2), ("stop", 0.9)])
def test_a_session_ends_or_restarts_on_a_spoken_command_only_when_it_was_heard_clearly(said, sure):
    """Whisper's sampling fallback once heard "I have a headache" as "Bye bye. Bye bye." (0.24) at
    a warning sign: that is not understood (the question again), it does not end the session."""
    class Whisper:
        backend = "whisper"

    c = conv(confirm_below=0.6, thresholds={"whisper": 0.37})
    c.answer_text("yes")
    node, answered = c.question.node, len(c.session.log)
    r = c.answer_transcript(Transcript(said, sure, [(w, sure) for w in said.split()]), Whisper(), cross_check=False)
    if sure < 0.37:
        assert r.events[0].intent == "unknown" and not c.finished
        assert r.question is not None and r.question.node == node and len(c.session.log) == answered
    else:
        assert r.events[0].intent == "stop" and c.finished
