"""Warning signs mentioned in passing are kept, confirmed with the person and counted (issue 9)."""
from __future__ import annotations

from triage import Session, load_tree
from intents.mentions import mentioned_signs
from voice.conversation import Conversation
from voice.handoff import summary_text

TREE = load_tree()


def test_detection_finds_signs_of_other_questions_unless_negated():
    assert mentioned_signs("no fever, but my leg feels weak", ("fever", "recent_infection")) == ("weakness",)
    assert mentioned_signs("no, but things haven't been working in the bedroom", "bladder_bowel") == \
        ("sexual_function",)
    assert mentioned_signs("no chest pain, no", "fever") == ()
    assert mentioned_signs("I don't have a fever", "weakness") == ()
    assert mentioned_signs("my leg feels weak", "weakness") == ()  # the question's own sign is its answer


def _conversation_to_fever() -> Conversation:
    c = Conversation(TREE)
    c.start()
    c.answer_text("yes")
    while c.question.node != "fever":
        c.answer_text("no")
    return c


def test_a_mentioned_sign_is_confirmed_then_counts_and_is_in_the_staff_summary():
    c = _conversation_to_fever()
    reply = c.answer_text("no fever, but my leg feels weak")
    assert reply.question.text == "You mentioned weakness in your leg. Is that right?"
    assert reply.question.topics == ("weakness",)
    reply = c.answer_text("yes")
    assert reply.question.node == "infection_risk"  # back to where the questions were
    while c.result is None:
        c.answer_text("forty" if c.question.expects == "number" else "a week" if c.question.expects == "duration"
                      else "no")
    assert c.result.disposition == "urgent" and "weakness" in c.result.topics
    text = summary_text(TREE, c.session.log, c.result)
    assert "weakness" in text.split("Answers (")[0]  # among the positives, before the list of answers


def test_a_denied_mention_changes_nothing():
    c = _conversation_to_fever()
    c.answer_text("no fever, but my leg feels weak")
    c.answer_text("no, I meant it aches")
    while c.result is None:
        c.answer_text("forty" if c.question.expects == "number" else "a week" if c.question.expects == "duration"
                      else "no")
    assert c.result.disposition == "self_care"


def test_a_mentioned_emergency_sign_ends_the_questions_once_confirmed():
    c = Conversation(TREE)
    c.start()
    c.answer_text("yes")
    reply = c.answer_text("no, but I've got this pain in my chest")
    if reply.question.node == "bladder_bowel":  # "no, but I have..." may be asked again, plainer
        reply = c.answer_text("no")
    assert reply.question.text == "You mentioned chest pain, or feeling faint or very unwell. Is that right?"
    reply = c.answer_text("yes")
    assert c.result.disposition == "emergency" and reply.emergency


def test_a_confirmed_sign_is_not_asked_again_and_unsure_counts_as_possibly_present():
    s = Session(TREE)
    s.start()
    s.answer("yes")
    s.mention(["sexual_function"], "no, but things haven't been working in the bedroom")
    s.answer("no", transcript="no, but things haven't been working in the bedroom")
    assert s.current.text == "You mentioned a new problem with sex. Is that right?"
    s.answer("unsure")
    assert s.result is not None and s.result.disposition == "emergency"  # possibly present, cauda equina
    s = Session(TREE)
    s.start()
    s.answer("yes")
    s.mention(["numbness"], "no but my foot tingles")
    s.answer("no")
    s.answer("yes")  # numbness in a leg: the leg question counts as answered yes
    asked = []
    while s.result is None:
        asked.append(s.current.node)
        s.answer("number", 40) if s.current.expects == "number" else \
            s.answer("duration", 1.0) if s.current.expects == "duration" else s.answer("no")
    assert "legs" not in asked and "both_legs" in asked and s.result.disposition == "soon"
