"""Conversation.complete_answer: when the words heard so far already make a whole answer, so the
listener may stop after a short silence; answers that would lower the urgency keep the full wait."""
import pytest

from triage import load_tree
from voice.conversation import Conversation


def at(node: str) -> Conversation:
    c = Conversation(load_tree())
    c.start()
    if node != "start":
        c.answer_text("yes")
    for _ in range(30):
        if c.question.node == node:
            return c
        c.answer_text({"age": "forty", "duration": "two weeks"}.get(c.question.node, "no"))
    raise AssertionError(f"never reached {node}")


@pytest.mark.parametrize("node, heard, complete", [
    ("start", "yes", True),                 # no clinical weight: any whole answer
    ("start", "", False),
    ("fever", "yes", True),                 # leads the cautious way
    ("fever", "not sure", True),
    ("fever", "i have", False),             # an opener, not yet an answer
    ("fever", "no", False),                 # would lower the urgency: "no ... well, actually yes" must be heard
    ("fever", "no i haven't", False),
    ("duration", "about", False),           # "it's been about ..."
    ("duration", "three", False),           # a number without its unit
    ("duration", "about three weeks", False),  # under the 4-week threshold: lowers the urgency
    ("duration", "about two months", True),
    ("duration", "i don't know", True),
    ("age", "sixty two", True),
    ("age", "forty", False),
])
def test_whole_answers(node, heard, complete):
    assert at(node).complete_answer(heard) is complete


def test_a_read_back_keeps_the_full_wait():
    c = at("fever")
    c.tap("no", confidence=0.3, transcript="no")  # heard unsure of itself: read back
    assert c.question.confirm
    assert not c.complete_answer("yes")
