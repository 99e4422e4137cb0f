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


# Values explored for number and duration questions: index 0 is the ordinary answer, index 1
# the node's threshold, then the edges of the other rules (under 20, 70 and over).
VALUES = {"age": (49, 50, 19, 70), "duration": (3.5, 4.0)}


def oracle(pos: set[str], age: float = 30, weeks: float = 1) -> str:
    """The least urgent disposition the clinical rules (shared clinical references, issue 9)
    allow for a set of positive findings, written by sign, not read from the tree file.
    ``legs`` is the gate "weakness, numbness or tingling in your legs".
    """
    legs = "legs" in pos
    # Cauda equina (bladder/bowel, saddle numbness or new sexual dysfunction, both legs);
    # chest pain or sudden back-and-tummy pain; serious injury.
    if {"bladder_bowel", "saddle_numbness", "both_legs", "chest_pain", "major_trauma"} & pos:
        return "emergency"
    if "trauma" in pos and "weakness" in pos:  # weakness after an injury
        return "emergency"
    if "cancer_history" in pos and legs:  # neurological symptoms after cancer (NICE NG234)
        return "emergency"
    fragile = bool({"bone_risk", "steroids"} & pos) or age >= 70
    urgent = {"weakness", "fever", "infection_risk", "cancer_history", "weight_loss", "thoracic", "sleep", "unsure"}
    if urgent & pos or ("trauma" in pos and fragile):
        return "urgent"
    if "steroids" in pos and weeks < 4:  # long-term steroids with new pain
        return "urgent"
    # One leg numb or tingling without weakness; long-term steroids; age over 50 or under 20
    # alone; 4 weeks or more. A minor injury without fragile bones is not a rule by itself.
    if legs or "steroids" in pos or age >= 50 or age < 20 or weeks >= 4:
        return "soon"
    return "self_care"


def answer_for(node_id: str, choice) -> tuple[str, float]:
    """The answer taking ``choice`` at this node: False/True for yes/no, an index into VALUES otherwise."""
    node = TREE.nodes[node_id]
    if node.expects == "yesno":
        return ("yes" if choice else "no"), None
    return node.expects, VALUES[node_id][int(choice)]


def run_path(choices) -> tuple[Session, list, set[str], dict[str, float]]:
    """Answer each question from ``choices`` (an iterator of option indexes) until a result."""
    s = Session(TREE)
    events = s.start()
    positives: set[str] = set()
    values: dict[str, float] = {}
    while s.result is None and not s.finished:
        node = s.current.node
        if node == "start":
            events += s.answer("yes")
            continue
        choice = next(choices, None)
        if choice is None:
            raise _Branch(node)  # first unexplored question
        intent, value = answer_for(node, choice)
        if value is not None:
            values[node] = value
        elif choice:
            positives.add(node)
        events += s.answer(intent, value, transcript=f"{intent} {value}")
    return s, events, positives, values


def options(node_id: str) -> int:
    return len(VALUES.get(node_id, (False, True)))


def all_paths():
    """Every answer combination the tree can take (depth-first, replaying from the start)."""
    stack: list[tuple[int, ...]] = [()]
    while stack:
        prefix = stack.pop()
        try:
            s, events, pos, values = run_path(iter(prefix))
        except _Branch as b:
            stack.extend(prefix + (k,) for k in reversed(range(options(b.node))))
            continue
        yield prefix, s, events, (pos, values)


class _Branch(Exception):
    def __init__(self, node: str):
        super().__init__(node)
        self.node = node


@pytest.fixture(scope="module")
def explored():
    return list(all_paths())


def test_every_path_matches_the_clinical_rules(explored):
    assert len(explored) > 100
    for prefix, s, events, (pos, values) in explored:
        want = oracle(pos, values.get("age", 30), values.get("duration", 1))
        assert s.result.disposition == want, (prefix, sorted(pos), values, s.result.outcome)


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
    s, events, pos, values = run_path(itertools.repeat(False))
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
# Follow-up questions, asked only after a "yes" to these.
GATES = {"major_trauma": frozenset({"trauma"}), "bone_risk": frozenset({"trauma"}),
         "both_legs": frozenset({"legs"}), "weakness": frozenset({"legs"})}
NEW_TOPICS = ("both_legs", "sexual_function", "chest_pain", "thoracic", "recent_infection", "lump", "steroids")


def node_for(topic: str) -> str:
    return next(n.id for n in TREE.nodes.values() if topic in n.topics)


@pytest.mark.parametrize("topic", NEW_TOPICS)
def test_every_new_warning_sign_has_a_question_an_outcome_and_its_rule(topic):
    """yes -> the clinical rule's disposition (with the topic among the result's topics and a
    source); no -> the gate's own disposition only; unsure twice -> never below urgent."""
    nid = node_for(topic)
    gate = GATES.get(nid, frozenset())
    want_yes = {"both_legs": "emergency", "sexual_function": "emergency", "chest_pain": "emergency",
                "thoracic": "urgent", "lump": "urgent", "recent_infection": "urgent", "steroids": "urgent"}[topic]
    for answer, want in (("yes", want_yes), ("no", oracle(set(gate)))):
        s = Session(TREE)
        walk_to(s, nid, gate)
        s.answer(answer)
        while s.result is None:
            intent, value = answer_for(s.current.node, False)
            s.answer(intent, value)
        assert s.result.disposition == want, (topic, answer)
        if answer == "yes":
            assert topic in s.result.topics and all(s.result.sources)
    s = Session(TREE)
    walk_to(s, nid, gate)
    s.answer("unsure")
    s.answer("unsure")
    while s.result is None:
        intent, value = answer_for(s.current.node, False)
        s.answer(intent, value)
    assert RANK[s.result.disposition] >= RANK["urgent"] and topic in s.result.topics


def test_age_alone_is_soon_and_a_minor_fall_matters_only_with_fragile_bones():
    def result(pos: frozenset, age: float) -> str:
        s = Session(TREE)
        s.start()
        while s.result is None:
            node = s.current.node
            if node == "age":
                s.answer("number", age)
            else:
                intent, value = answer_for(node, node in pos or node == "start")
                s.answer(intent, value)
        return s.result.disposition

    assert result(frozenset(), 64) == "soon"
    assert result(frozenset({"trauma"}), 40) == "self_care"  # a small fall, strong bones
    assert result(frozenset({"trauma"}), 70) == "urgent"
    assert result(frozenset({"trauma", "bone_risk"}), 40) == "urgent"
    assert result(frozenset({"legs"}), 40) == "soon"  # one leg tingling, no weakness
    assert result(frozenset({"legs", "trauma"}), 40) == "soon"  # ... even after a small fall


def walk_to(s: Session, target: str, positive: frozenset = frozenset()):
    s.start()
    while s.current.node != target:
        intent, value = answer_for(s.current.node, s.current.node in positive or s.current.node == "start")
        s.answer(intent, value)


@pytest.mark.parametrize("node_id", RED_FLAGS)
def test_unsure_twice_on_a_red_flag_is_never_below_urgent(node_id):
    s = Session(TREE)
    walk_to(s, node_id, GATES.get(node_id, frozenset()))
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
    events = s.answer("no")  # a bare "no" to the read-back: the question again, plainly, with the answer form
    assert events[-1].text.startswith(TREE.nodes["bladder_bowel"].plain) and events[-1].confirm is None
    assert "yes, I have" in events[-1].text
    s.answer("yes", confidence=0.4)
    events = s.answer("yes")  # confirmed
    assert s.result.disposition == "emergency"


def test_an_unsure_yes_never_confirms_an_answer_that_lowers_the_urgency():
    # "So you have NOT had trouble with your bladder. Is that right?" answered with a "yes" heard
    # at 0.3: not understood, the read-back again; a clear "yes" confirms.
    s = Session(TREE, confirm_below=0.6)
    walk_to(s, "bladder_bowel")
    s.answer("no", confidence=0.3)
    events = s.answer("yes", confidence=0.3)
    assert events[-1].confirm == {"intent": "no", "value": None, "said": "no"}
    s.answer("yes", confidence=0.9)
    assert s.node.id != "bladder_bowel" and s.result is None
    assert [(r.node, r.intent) for r in s.log][-1] == ("bladder_bowel", "no")
    # unsure "yes" every time: after two, the question itself ("yes, I have" or "no, I haven't"), where
    # an unsure "yes" is a yes to the warning sign: never the "no" it failed to confirm
    s = Session(TREE, confirm_below=0.6)
    walk_to(s, "bladder_bowel")
    s.answer("no", confidence=0.3)
    for _ in range(6):
        if s.finished or s.result is not None:
            break
        s.answer("yes", confidence=0.3)
    assert s.result is not None and s.result.disposition == "emergency"
    # a duration under the threshold likewise; one at or over it is confirmed by any "yes"
    s = Session(TREE, confirm_below=0.6)
    walk_to(s, "duration")
    s.answer("duration", 1.0, confidence=0.3)
    assert s.answer("yes", confidence=0.3)[-1].confirm["value"] == 1.0
    s = Session(TREE, confirm_below=0.6)
    walk_to(s, "duration")
    s.answer("duration", 8.0, confidence=0.3)
    s.answer("yes", confidence=0.3)
    assert s.node is None or s.node.id != "duration"
    assert [(r.node, r.value) for r in s.log if r.node == "duration"] == [("duration", 8.0)]


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
    assert len(s.log) == 7  # start + six "no" answers; meta requests are not answers


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
    assert events[-1].node == "fever" and len(s.log) == 7


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


@pytest.mark.parametrize("value, confidence", [(10**400, 1.0), (40, 10**400), (float("nan"), 1.0)])
def test_a_number_too_large_for_a_float_is_not_an_answer(value, confidence):
    # JSON allows integers of any size; float() of one raises OverflowError (found by the fuzz suite)
    s = Session(TREE)
    walk_to(s, "age")
    events = s.answer("number", value, confidence)
    assert s.current.node == "age" or s.current.confirm is not None
    assert not any(isinstance(e, Result) for e in events)


@pytest.mark.parametrize("node_id, intent, value, positive", [
    ("bladder_bowel", "yes", None, True), ("bladder_bowel", "no", None, False),
    ("bladder_bowel", "unsure", None, False),  # "not sure" is answer()'s to handle, never a yes here
    ("age", "number", 50.0, True), ("age", "number", 49.0, False),            # at the threshold counts
    ("duration", "duration", 4.0, True), ("duration", "duration", 3.5, False),  # in the node's unit (weeks)
])
def test_is_positive_is_the_branch_the_session_takes(node_id, intent, value, positive):
    """The public rule front ends ask before letting an answer lower the urgency is the engine's own."""
    node = TREE.nodes[node_id]
    assert Session.is_positive(node, intent, value) is positive
    if intent == "unsure":
        return
    s = Session(TREE)
    walk_to(s, node_id)
    assert s.is_positive(node, intent, value) is positive
    s.answer(intent, value)
    while s.result is None:  # the rest answered the negative way
        s.answer(*answer_for(s.current.node, False))
    assert (s.result.disposition != "self_care") is positive, s.result.disposition  # nothing else positive
