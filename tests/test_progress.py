"""triage.progress: "Question 3 of about 14" from the tree's own path, as a pure function of the
answers so far, and from a running session (the ready question skipped, read-backs, Back)."""
from __future__ import annotations

from triage import Session, load_tree
from triage.progress import Progress, progress, session_answers, session_progress
from triage.tree import SHIPPED_TREE, parse_tree, tomllib

TREE = load_tree()
NO_FLAGS = ["bladder_bowel", "saddle_numbness", "chest_pain", "legs", "trauma", "steroids", "fever",
            "infection_risk", "cancer_history", "weight_loss", "thoracic", "sleep", "age", "duration"]


def test_an_ordinary_path_is_the_fourteen_questions_the_tree_says_an_ordinary_patient_answers():
    assert progress(TREE, {}, "bladder_bowel") == Progress(number=1, total=14)
    answered = {nid: False for nid in NO_FLAGS[:2]}
    assert progress(TREE, answered, "chest_pain") == Progress(3, 14)
    answered = {nid: False for nid in NO_FLAGS[:-1]}
    assert progress(TREE, answered, "duration") == Progress(14, 14)


def test_a_yes_that_brings_follow_up_questions_raises_the_total():
    # "legs" yes: both legs? then weakness? are on the path now (16), asked before "trauma"
    answered = {"bladder_bowel": False, "saddle_numbness": False, "chest_pain": False, "legs": True}
    assert progress(TREE, answered, "both_legs") == Progress(5, 16)
    # trauma yes as well: major trauma? and thin bones? too
    answered.update(both_legs=False, weakness=False, trauma=True)
    assert progress(TREE, answered, "major_trauma") == Progress(8, 18)


def test_the_open_question_counts_as_unanswered_even_after_a_first_not_sure():
    # A first "not sure" is logged (its branch would be the cautious "yes"), but the question is still open:
    # the path from it is still the likeliest one, not the follow-ups of a "yes".
    assert progress(TREE, {"bladder_bowel": False, "saddle_numbness": False, "chest_pain": False, "legs": True},
                    "legs") == Progress(4, 14)


def test_no_number_for_the_ready_question_the_question_after_the_result_or_none():
    assert progress(TREE, {}, "start") is None            # "Are you ready to start?" is not a triage question
    assert progress(TREE, {n: False for n in NO_FLAGS}, "more_info") is None  # after the result
    assert progress(TREE, {}, None) is None
    assert progress(TREE, {}, "no_such_node") is None


def test_a_tree_without_a_ready_question_counts_from_its_first_node():
    data = tomllib.loads(SHIPPED_TREE.read_text(encoding="utf-8"))
    data["meta"]["start"] = "bladder_bowel"
    del data["nodes"]["start"]
    tree = parse_tree(data)
    assert tree.ready_question is None
    assert progress(tree, {}, "bladder_bowel") == Progress(1, 14)


def test_a_running_session_from_the_first_question_to_the_result():
    s = Session(TREE)
    s.start(ready=True)
    seen = []
    while s.result is None:
        node = s.node
        seen.append(session_progress(s))
        if node.expects == "yesno":
            s.answer("no")
        else:
            s.answer(node.expects, 40.0 if node.expects == "number" else 1.0)
    assert seen == [Progress(n, 14) for n in range(1, 15)]
    assert session_progress(s) is None  # the "hear about causes?" question has no number


def test_read_backs_not_sure_and_back_keep_the_number_where_it_is():
    s = Session(TREE)
    s.start(ready=True)
    s.answer("no")
    assert session_progress(s) == Progress(2, 14)
    s.answer("no", confidence=0.2)          # read back: "So you do NOT have ... Is that right?"
    assert s.current.confirm and session_progress(s) == Progress(2, 14)
    s.answer("yes")                         # confirmed
    s.answer("unsure")                      # asked again, plainly
    assert session_progress(s) == Progress(3, 14)
    s.answer("no")
    assert session_progress(s) == Progress(4, 14)
    s.answer("back")
    assert session_progress(s) == Progress(3, 14)


def test_answers_from_the_log_take_the_branch_the_engine_took():
    s = Session(TREE)
    s.start(ready=True)
    for intent in ("no", "no", "no", "yes", "no", "yes"):  # legs yes, one leg, weak
        s.answer(intent)
    assert session_answers(s) == {"bladder_bowel": False, "saddle_numbness": False, "chest_pain": False,
                                  "legs": True, "both_legs": False, "weakness": True}
    assert s.node.id == "trauma" and session_progress(s) == Progress(7, 16)
