"""Bounded retries and read-backs in the engine: they hold for every front end, protocol intents included."""
from __future__ import annotations

import pytest

from triage import Ask, Result, Session, load_tree
from triage.tree import DISPOSITIONS
from voice.handoff import summary_text

TREE = load_tree()


def at(node: str, **kw) -> Session:
    """A session at ``node``: yes to start, no to everything before it, 40 years."""
    s = Session(TREE, **kw)
    s.start()
    s.answer("yes")
    while s.current.node != node:
        n = TREE.nodes[s.current.node]
        if (n.id == "trauma" and node in ("major_trauma", "bone_risk")) or \
                (n.id == "legs" and node in ("both_legs", "weakness")):  # follow-ups after a "yes"
            s.answer("yes")
            continue
        s.answer("number", 40) if n.expects == "number" else s.answer("duration", 1.0) \
            if n.expects == "duration" else s.answer("no")
    return s


def finish(s: Session) -> Result:
    """Answer what is left plainly (no red flags, 40 years, 1 week, no more info)."""
    for _ in range(40):
        if s.finished:
            break
        n = TREE.nodes[s.current.node]
        s.answer("number", 40) if n.expects == "number" else s.answer("duration", 1.0) \
            if n.expects == "duration" else s.answer("no")
    assert s.finished and s.result is not None
    return s.result


def rank(result: Result) -> int:
    return DISPOSITIONS.index(result.disposition)


@pytest.mark.parametrize("node", [n.id for n in TREE.nodes.values() if n.red_flag])
def test_a_red_flag_never_understood_counts_as_possibly_present(node):
    s = at(node)
    first = s.answer("unknown", transcript="mumble")
    assert first[-1].text == s.tree.nodes[node].text  # 1st: a hint and the question again
    second = s.answer("unknown", transcript="mumble")
    assert second[-1].text.startswith(s.tree.nodes[node].plain) and "For example" in second[-1].text
    third = s.answer("unknown", transcript="mumble")
    assert s.current is None or s.current.node != node  # moved on: no fourth attempt
    assert any("possible warning sign" in e.text for e in third if hasattr(e, "text"))
    result = s.result or finish(s)
    assert rank(result) >= DISPOSITIONS.index("urgent")  # never silently "no"
    assert any("possible warning sign" in a for a in result.assumed) and "could not understand" in result.text
    rec = [r for r in s.log if r.node == node][-1]
    assert rec.note == "not understood" and rec.intent == "unsure"
    assert "not understood" in summary_text(TREE, s.log, result)


def test_a_duration_never_understood_is_taken_as_four_weeks_or_more():
    s = at("duration")
    for _ in range(3):
        s.answer("unknown", transcript="that week or so")
    assert s.result is not None and s.result.disposition == "soon"  # the 4-weeks-or-more outcome
    assert "4 weeks or more" in s.result.text and s.log[-1].value == 4.0
    assert "not understood" in s.log[-1].note


def test_an_age_never_understood_is_taken_as_fifty_or_over():
    s = at("age")
    for _ in range(3):
        s.answer("yes", transcript="yes")  # does not fit a number question: not understood
    assert s.current.node == "duration" and s.log[-1].value == 50.0
    result = finish(s)
    assert "50 years or more" in result.text


def test_a_read_back_not_understood_is_asked_again_then_decided_from_what_was_heard():
    """Issue 20: replies to a read-back that are not understood are never an answer. After the
    bound, the only answer ever heard ("no") counts, unconfirmed: the staff summary says so, the
    result's safety net names the sign, and the result is not raised by the retry bound."""
    s = at("fever")
    ask = s.answer("no", confidence=0.2, transcript="know")[-1]
    assert ask.confirm["intent"] == "no"
    again = s.answer("unknown", transcript="hmm")
    assert "just yes or no" in again[-2].text and again[-1].confirm == ask.confirm
    third = s.answer("duration", 3.0)  # not an answer to a yes/no read-back either: the question itself
    assert third[-1].node == "fever" and third[-1].confirm is None and "yes, I have" in third[-1].text
    s.answer("unknown")
    assert s.current.node != "fever"
    rec = [r for r in s.log if r.node == "fever"][-1]
    assert rec.intent == "no" and rec.note == "heard 1 times, low confidence"
    while not s.finished and s.current.confirm is None:
        n = TREE.nodes[s.current.node]
        s.answer("number", 40) if n.expects == "number" else s.answer("duration", 1.0) \
            if n.expects == "duration" else s.answer("no")
    assert s.current.confirm["intent"] == "summary" and s.current.confirm["nodes"] == ["fever"]
    s.answer("unknown", transcript="mumble")  # the summary read-back misheard too: the result, with its safety net
    result = s.result
    assert result.disposition == "self_care" and result.unconfirmed == ("fever",)
    assert "If you do have a fever" in result.text and not result.assumed
    assert "heard once, low confidence, not confirmed" in summary_text(TREE, s.log, result)


def test_two_hearings_that_agree_confirm_each_other():
    # "no" (unsure), read back, "no" ("that's wrong"? or "no, I haven't"?): asked again, the same "no"
    # heard again confirms the first, with no further read-back.
    s = at("weakness")
    s.answer("no", confidence=0.2)  # low confidence: read back
    s.answer("no")                  # a bare "no" to the read-back: the question again
    events = s.answer("no", confidence=0.2)
    assert s.current.node != "weakness" and not any(isinstance(e, Ask) and e.confirm for e in events)
    assert [(r.node, r.intent) for r in s.log][-1] == ("weakness", "no")


def test_read_back_rejected_after_answers_that_disagree_is_taken_cautiously():
    s = at("weakness")
    s.answer("no", confidence=0.2)
    s.answer("no")
    s.answer("yes", confidence=0.2)   # another answer: no agreement, read back
    s.answer("no")                    # rejected
    s.answer("no", confidence=0.2)    # heard "no" and "yes": uncertain, read back
    s.answer("no")                    # rejected: the bound
    assert s.current.node != "weakness"
    assert rank(finish(s)) >= DISPOSITIONS.index("urgent")


def test_read_back_restatements_and_corrections():
    s = at("duration")
    s.answer("duration", 2.0, confidence=0.3, transcript="a couple of weeks")
    s.answer("duration", 2.0, confidence=0.55, transcript="a couple of weeks", restated=True)  # the same again
    assert s.log[-1].value == 2.0 and s.log[-1].confidence == 1.0  # confirmed
    s = at("duration")
    s.answer("duration", 2.0, confidence=0.3, transcript="two weeks")
    s.answer("duration", 3.0, confidence=0.9, transcript="no, three weeks")  # a clear different answer
    assert s.log[-1].value == 3.0 and s.current.node == "more_info"
    s = at("duration")
    s.answer("duration", 2.0, confidence=0.3)
    ask = s.answer("duration", 5.0, confidence=0.3)[-1]  # a different answer, itself uncertain: read back
    assert ask.confirm["value"] == 5.0
    s = at("fever")
    s.answer("no", confidence=0.3)
    s.answer("yes", restated=True)  # "yes I have": an answer to the question, not "that's right"
    assert s.log[-1].intent == "yes"


@pytest.mark.parametrize("intent", ["repeat", "unknown", "help", "slower"])
def test_no_session_can_loop(intent):
    s = Session(TREE)
    s.start()
    s.answer("yes")
    s.answer("no")
    asked = 0
    for _ in range(1000):
        if s.finished:
            break
        events = s.answer(intent)
        asked += sum(isinstance(e, Ask) for e in events)
    assert s.finished and s.result is not None and asked <= s.max_questions
    assert rank(s.result) >= DISPOSITIONS.index("urgent")
    assert s.result.assumed and "could not understand" in s.result.text  # the result says what was assumed


def test_restart_does_not_reset_the_question_cap():
    s = Session(TREE, max_questions=20)
    s.start()
    for _ in range(100):
        if s.finished:
            break
        s.answer("yes")
        s.answer("restart")
    assert s.finished and s.asked <= 21


def test_that_was_wrong_to_a_read_back_rejects_it_and_keeps_the_question():
    s = at("fever")
    s.answer("no", confidence=0.2)
    events = s.answer("back", transcript="that was wrong")  # a "go back" phrase, said about the read-back
    assert s.current.node == "fever" and events[-1].text.startswith(TREE.nodes["fever"].plain)
    assert [r.node for r in s.log][-1] != "fever"  # nothing counted for fever yet


def answers_to(node: str, script: dict[str, object]) -> Session:
    """A session answered from ``script`` (node -> "yes"/"no"/value), "no"/40/1 week elsewhere, up to ``node``."""
    s = Session(TREE)
    s.start()
    s.answer("yes")
    while s.current is not None and s.current.node != node:
        n = TREE.nodes[s.current.node]
        a = script.get(n.id, "no" if n.expects == "yesno" else 40 if n.expects == "number" else 1.0)
        s.answer(a) if n.expects == "yesno" else s.answer(n.expects, float(a))
    return s


@pytest.mark.parametrize("how", ["not understood", "unsure twice"])
def test_an_unknown_value_meets_every_condition_an_outcome_compares(how):
    # a fall, and an age nobody could make out: the over-70 fracture rule must still count
    s = answers_to("age", {"trauma": "yes", "major_trauma": "no", "bone_risk": "no", "steroids": "no"})
    for _ in range(3 if how == "not understood" else 2):
        if s.current.node == "age":
            s.answer("unknown" if how == "not understood" else "unsure")
    result = finish(s)
    fracture = TREE.outcomes["urgent_fracture"].reason
    assert fracture in result.reasons and rank(result) >= DISPOSITIONS.index("urgent")


def test_uncertain_answers_that_keep_contradicting_their_read_back_end_cautiously():
    """Heard "no" (uncertain), read back; the reply is heard as an uncertain "yes", read back; then "no"...
    (a grammar recognizer on a poor line does this). The ping-pong is bounded and ends in the cautious reading."""
    s = at("bladder_bowel")
    events = []
    for i in range(12):
        if s.finished or s.current is None or s.current.node != "bladder_bowel":
            break
        intent = "no" if i % 2 == 0 else "yes"
        events = s.answer(intent, None, 0.3, transcript=f"heard {intent}", restated=True) if i else \
            s.answer(intent, None, 0.3, transcript="heard no")
    assert i < 8
    assert s.result is not None and s.result.disposition == "emergency"  # bladder trouble possibly present


@pytest.mark.parametrize("intent", ["repeat", "slower", "help"])
def test_requests_to_a_read_back_are_bounded(intent):
    """Vosk Korean decoded "네 네" as "네 네에" ("pardon?") at every read-back, and the read-back was
    asked until the question cap (56 questions). From the third request it is not understood (an
    attempt): the read-back ends after a bounded number and the question itself is asked plainly."""
    s = at("fever")
    s.answer("no", confidence=0.2)
    read_backs = 1
    for _ in range(30):
        events = s.answer(intent)
        asks = [e for e in events if isinstance(e, Ask)]
        if not asks[-1].confirm:
            break
        read_backs += 1
    assert read_backs <= 5 and s.current.node == "fever" and not s.current.confirm
    assert s._pending is None and s.result is None and "fever" not in s._state.positive
