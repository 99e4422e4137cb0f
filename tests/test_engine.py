"""The session engine on the shipped tree: every outcome, the safety rules, and the meta-intents.

The expected disposition comes from an oracle written from the issue's clinical rules
(by topic), not from the tree file, so a wrong edge or outcome in the data fails here.
"""
from __future__ import annotations

import itertools

import pytest

from triage import DISPOSITIONS, Ask, End, Heard, Result, Say, Session, Slower, load_tree

TREE = load_tree()
RANK = {d: i for i, d in enumerate(DISPOSITIONS)}


def oracle(pos: set[str]) -> str:
    """The least urgent disposition the clinical rules allow for a set of positive findings."""
    neuro = {"weakness", "numbness"} & pos
    if {"bladder_bowel", "saddle_numbness", "major_trauma"} & pos:
        return "emergency"
    if neuro and ({"trauma", "cancer_history"} & pos):
        return "emergency"
    urgent = {"weakness", "trauma", "bone_risk", "fever", "infection_risk", "cancer_history", "weight_loss",
              "sleep", "daily_activities", "age", "unsure"}
    if urgent & pos:
        return "urgent"
    if {"duration", "numbness"} & pos:
        return "soon"
    return "self_care"


def answer_for(node_id: str, positive: bool) -> tuple[str, float]:
    node = TREE.nodes[node_id]
    if node.expects == "yesno":
        return ("yes" if positive else "no"), None
    value = node.threshold if positive else node.threshold - (1 if node.expects == "number" else 0.5)
    return node.expects, value


def run_path(choices) -> tuple[Session, list, set[str]]:
    """Answer each question positive/negative from ``choices`` (an iterator of bools) until a result."""
    s = Session(TREE)
    events = s.start()
    positives: set[str] = set()
    while s.result is None and not s.finished:
        node = s.current.node
        if node == "start":
            events += s.answer("yes")
            continue
        pos = next(choices)
        if pos:
            positives.add(node)
        intent, value = answer_for(node, pos)
        events += s.answer(intent, value, transcript=f"{intent} {value}")
    return s, events, positives


def all_paths():
    """Every yes/no combination the tree can take (depth-first, replaying from the start)."""
    stack: list[tuple[bool, ...]] = [()]
    while stack:
        prefix = stack.pop()
        it = iter(prefix)
        taken: list[bool] = []

        def choices():
            for b in it:
                taken.append(b)
                yield b
            while True:  # first unexplored question: branch
                raise _Branch(len(taken))

        try:
            s, events, pos = run_path(choices())
        except _Branch:
            stack.append(prefix + (False,))
            stack.append(prefix + (True,))
            continue
        yield prefix, s, events, pos


class _Branch(Exception):
    def __init__(self, depth):
        self.depth = depth


@pytest.fixture(scope="module")
def explored():
    return list(all_paths())


def test_every_path_matches_the_clinical_rules(explored):
    assert len(explored) > 100
    for prefix, s, events, pos in explored:
        assert s.result.disposition == oracle(pos), (prefix, sorted(pos), s.result.outcome)


def test_every_outcome_of_the_shipped_tree_is_reached(explored):
    reached = {s.result.outcome for _, s, _, _ in explored}
    unsure_only = {TREE.unsure_outcome.id}
    assert set(TREE.outcomes) - reached == unsure_only  # the unsure floor is covered by its own tests below


def test_emergency_ends_questions_at_once_and_says_the_number_first(explored):
    for _, s, events, pos in explored:
        if s.result.disposition != "emergency":
            continue
        i = next(k for k, e in enumerate(events) if isinstance(e, Result))
        assert isinstance(events[i + 1], End) and s.finished
        assert not any(isinstance(e, Ask) for e in events[i:])
        assert s.result.text.startswith("Call 911 now")
        assert s.result.instruction.startswith("Call 911 now") and s.result.text.startswith(s.result.instruction)


def test_every_result_says_not_a_diagnosis_and_cites_sources(explored):
    for _, s, _, _ in explored:
        assert "not a diagnosis" in s.result.text
        assert s.result.sources and all(s.result.sources)
        assert s.result.topics


def test_short_pain_with_no_flags_is_self_care_with_safety_netting():
    s, events, pos = run_path(itertools.repeat(False))
    assert s.result.disposition == "self_care"
    assert "4 weeks" in s.result.text and "911" in s.result.text  # what to watch for, when to come back


def test_four_weeks_exactly_is_soon_and_just_under_is_self_care():
    def session_to_duration(weeks):
        s = Session(TREE)
        walk_to(s, "duration")
        s.answer("duration", weeks)
        return s.result.disposition

    assert session_to_duration(4.0) == "soon"
    assert session_to_duration(3.99) == "self_care"


# ---------------------------------------------------------------- safety rule: unsure is never "no"

RED_FLAGS = [n.id for n in TREE.nodes.values() if n.red_flag]


def walk_to(s: Session, target: str, positive: frozenset = frozenset()):
    s.start()
    while s.current.node != target:
        intent, value = answer_for(s.current.node, s.current.node in positive or s.current.node == "start")
        s.answer(intent, value)


@pytest.mark.parametrize("node_id", RED_FLAGS)
def test_unsure_twice_on_a_red_flag_is_never_below_urgent(node_id):
    s = Session(TREE)
    positive = frozenset({"trauma"}) if node_id in ("major_trauma", "bone_risk") else frozenset()
    walk_to(s, node_id, positive)
    first = s.answer("unsure", transcript="I don't know")
    # asked once more, in plainer words
    assert isinstance(first[1], Say) and isinstance(first[-1], Ask)
    assert first[-1].node == node_id and first[-1].text == TREE.nodes[node_id].plain
    s.answer("unsure", transcript="I still can't tell")
    while s.result is None:
        intent, value = answer_for(s.current.node, False)
        s.answer(intent, value)
    assert RANK[s.result.disposition] >= RANK["urgent"], node_id
    assert set(TREE.nodes[node_id].topics) <= set(s.result.topics)


def test_unsure_then_no_counts_as_no():
    s = Session(TREE)
    walk_to(s, "fever")
    s.answer("unsure")
    s.answer("no")
    while s.result is None:
        intent, value = answer_for(s.current.node, False)
        s.answer(intent, value)
    assert s.result.disposition == "self_care"


def test_unsure_about_bladder_is_treated_as_possibly_present():
    s = Session(TREE)
    walk_to(s, "bladder_bowel")
    s.answer("unsure")
    events = s.answer("unsure")
    assert s.result.disposition == "emergency" and isinstance(events[-1], End)


def test_unsure_duration_takes_the_cautious_branch():
    s = Session(TREE)
    walk_to(s, "duration")
    s.answer("unsure")
    s.answer("unsure")
    assert s.result.disposition == "soon"


# ---------------------------------------------------------------- confirmation

def test_low_confidence_answer_is_read_back_before_it_counts():
    s = Session(TREE, confirm_below=0.6)
    walk_to(s, "bladder_bowel")
    events = s.answer("no", confidence=0.3, transcript="know")
    ask = events[-1]
    assert ask.node == "bladder_bowel" and ask.expects == "yesno"
    assert ask.confirm == {"intent": "no", "value": None, "said": "no"}
    assert "have NOT had" in ask.text and ask.text.endswith("Is that right?")  # a statement, never "I understood: no"
    events = s.answer("no")  # a bare "no" to the read-back: the question again, plainly
    assert events[-1].text == TREE.nodes["bladder_bowel"].plain and events[-1].confirm is None
    s.answer("yes", confidence=0.4)
    events = s.answer("yes")  # confirmed
    assert s.result.disposition == "emergency"


def test_number_answer_is_read_back_with_its_unit():
    s = Session(TREE)
    walk_to(s, "duration")
    events = s.answer("duration", 2.5, confidence=0.2)
    assert "2 and a half weeks" in events[-1].text and events[-1].confirm["value"] == 2.5
    s.answer("no")
    events = s.answer("duration", 1.0, confidence=0.2)
    assert "I understood: 1 week." in events[-1].text


# ---------------------------------------------------------------- meta-intents

def test_repeat_help_slower_keep_the_question():
    s = Session(TREE)
    walk_to(s, "fever")
    ask = s.current
    assert s.answer("repeat")[-1] == ask
    events = s.answer("slower")
    assert any(isinstance(e, Slower) for e in events) and events[-1] == ask
    events = s.answer("help")
    assert isinstance(events[1], Say) and "yes or no" in events[1].text and events[-1] == ask
    assert len(s.log) == 6  # start + five "no" answers; meta requests are not answers


def test_back_undoes_the_last_answer_and_its_log_entry():
    s = Session(TREE)
    walk_to(s, "saddle_numbness")
    n = len(s.log)
    events = s.answer("back")
    assert events[-1].node == "bladder_bowel" and len(s.log) == n - 1
    s.answer("yes")
    assert s.result.disposition == "emergency"


def test_back_after_the_result_reopens_the_last_question():
    s = Session(TREE)
    walk_to(s, "duration")
    s.answer("duration", 1)
    assert s.result.disposition == "self_care" and s.current.node == "more_info"
    s.answer("back")
    assert s.result is None and s.current.node == "duration"
    s.answer("duration", 6)
    assert s.result.disposition == "soon"


def test_back_at_the_first_question():
    s = Session(TREE)
    events = s.start() and s.answer("back")
    assert "first question" in events[1].text and events[-1].node == "start"


def test_restart_forgets_everything():
    s = Session(TREE)
    walk_to(s, "fever")
    events = s.answer("restart")
    assert events[-1].node == "start" and s.log == [] and s.result is None


def test_stop_before_the_result_still_says_how_to_get_help():
    s = Session(TREE)
    walk_to(s, "fever")
    events = s.answer("stop")
    assert "911" in events[-2].text and isinstance(events[-1], End) and s.finished and s.result is None


def test_unknown_reasks_without_guessing():
    s = Session(TREE)
    walk_to(s, "fever")
    events = s.answer("unknown", transcript="purple")
    assert isinstance(events[0], Heard) and "didn't understand" in events[1].text
    assert events[-1].node == "fever" and len(s.log) == 6


def test_wrong_kind_of_answer_is_not_taken():
    s = Session(TREE)
    walk_to(s, "duration")
    events = s.answer("yes")
    assert events[-1].node == "duration" and "how long" in events[1].text
    events = s.answer("number", 3)
    assert events[-1].node == "duration"


def test_more_info_says_causes_and_treatments():
    s = Session(TREE)
    walk_to(s, "duration")
    s.answer("duration", 1)
    events = s.answer("yes")
    text = " ".join(e.text for e in events if isinstance(e, Say))
    for word in ("disc", "stenosis", "fracture", "infections", "tumours", "medicines", "physical therapy",
                 "injections", "last resort"):
        assert word in text
    assert isinstance(events[-1], End)


def test_no_to_start_stops_without_a_result():
    s = Session(TREE)
    s.start()
    events = s.answer("no")
    assert s.result is None and isinstance(events[-1], End)


def test_answer_log_keeps_what_was_said_and_when():
    t = iter(range(100))
    s = Session(TREE, clock=lambda: float(next(t)))
    s.start()
    s.answer("yes", transcript="yeah sure", confidence=0.9)
    rec = s.log[0]
    assert (rec.node, rec.transcript, rec.intent, rec.confidence, rec.time) == ("start", "yeah sure", "yes", 0.9, 0.0)


def test_sessions_are_deterministic():
    def run():
        s = Session(TREE)
        out = s.start()
        for a in ["yes", "no", "unsure", "no", "yes", "no", "no"]:
            out += s.answer(a)
        return [e.to_json() for e in out]

    assert run() == run()


def test_placeholders_come_from_the_clinic_settings():
    s = Session(TREE, emergency_number="112", clinic_name="Riverside Clinic", clinic_phone="555 0100")
    walk_to(s, "fever")
    s.answer("yes")
    while s.result is None:
        intent, value = answer_for(s.current.node, False)
        s.answer(intent, value)
    assert "Riverside Clinic on 555 0100" in s.result.text and "112" in s.result.text
