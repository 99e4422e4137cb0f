"""Numbers and durations compared with a threshold get the same cross-check as warning signs.

A grammar recognizer forces speech onto its phrases, numbers included, often at confidence 1.0:
the Korean model heard "서른 살" (30) as "일 사 예요" (age 4), and "six weeks" heard as "two
weeks" would turn "book an evaluation" into self-care. An answer under the threshold that the
open-vocabulary transcript does not back is read back before it counts; one it backs counts.
"""
from triage import load_tree
from voice.asr.base import Transcript
from voice.conversation import Conversation


def at(node: str) -> Conversation:
    c = Conversation(load_tree())
    c.start()
    c.answer_text("yes")
    while c.question.node != node:
        c.answer_text("no")
    return c


def test_threshold_questions_are_cross_checked_and_a_yes_no_question_without_weight_is_not():
    c = Conversation(load_tree())
    c.start()
    assert not c.needs_cross_check()  # "ready to start?"
    assert at("age").needs_cross_check() and at("duration").needs_cross_check()


def test_a_short_duration_the_open_transcript_does_not_back_is_read_back():
    c = at("duration")
    reply = c.answer_transcript(Transcript("two weeks", 1.0, [("two", 1.0), ("weeks", 1.0)],
                                           open_text="six weeks"))  # cross-checked by default
    assert reply.question.node == "duration" and reply.question.confirm  # "I understood: 2 weeks. Is that right?"
    assert c.cross_checks == 1


def test_a_short_duration_the_open_transcript_backs_counts():
    c = at("duration")
    reply = c.answer_transcript(Transcript("two weeks", 1.0, [("two", 1.0), ("weeks", 1.0)],
                                           open_text="uh two weeks"), cross_check=True)
    assert reply.question.node == "more_info" and c.cross_checks == 1  # counted: on to the last question


def test_a_long_duration_does_not_wait_for_the_cross_check():
    c = at("duration")  # six weeks already leads the cautious way, whatever the cross-check says
    reply = c.answer_transcript(Transcript("six weeks", 1.0, [("six", 1.0), ("weeks", 1.0)], open_text="sticks"),
                                cross_check=True)
    assert reply.question.node == "more_info" and c.cross_checks == 0
