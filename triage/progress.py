"""How far through the questions a person is: "Question 3 of about 14", from the tree itself.

    progress(tree, answers={"bladder_bowel": False, "saddle_numbness": False}, current="chest_pain")
    # Progress(number=3, total=14)
    session_progress(session)   # the same for a running triage.Session (None when no question is open)

The questions on the person's path are walked from the tree's start: a question already
answered follows the branch its answer took; one not answered yet (the open one included)
follows its likeliest branch, the one taken when the warning sign is absent ("no"; for a
duration or number question both branches are usually the same). ``number`` counts the
questions answered on that path, plus the open one; ``total`` adds the questions still ahead
on it. The total is "about": a "yes" to a warning sign can add its follow-up questions
(both legs? weakness?) or end the questions at once, and it is worked out again after each
answer. The tree's ready question ("Are you ready to start?") is not counted, and the
question after the result ("hear about causes?") has no number.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from triage.tree import STOP, Tree


@dataclass(frozen=True)
class Progress:
    number: int  # the open question's place on the path (1 = the first triage question)
    total: int   # questions on the whole path, as likely now


def progress(tree: Tree, answers: Mapping[str, bool], current: str | None) -> Progress | None:
    """Where ``current`` (the open question's node id) is on the person's path, given ``answers``
    ({node id: True when its answer took the "yes" branch}). None when ``current`` is not on the
    path from the start (the question after the result) or is the ready question."""
    gate = tree.ready_question
    if current is None or current not in tree.nodes or (gate is not None and current == gate.id):
        return None
    answered = ahead = 0
    seen_current = False
    nid = tree.start
    for _ in range(len(tree.nodes)):  # the tree has no cycles (validated): each node at most once
        node = tree.nodes.get(nid)
        if node is None:  # end, stop or info: the questions are over
            break
        if gate is not None and nid == gate.id:
            nid = node.yes
            continue
        if nid == current:
            seen_current = True
            took_yes = False
        elif nid in answers:
            answered += 1
            took_yes = bool(answers[nid])
        else:
            ahead += 1
            took_yes = node.no == STOP  # the likeliest answer: no warning sign (a "no" that stops is unlikely)
        nid = node.yes if took_yes else node.no
    if not seen_current:
        return None
    return Progress(number=answered + 1, total=answered + 1 + ahead)


def session_answers(session: Any) -> dict[str, bool]:
    """{node id: whether its answer took the "yes" branch} from a session's answer log (the last
    answer to each question counts; "not sure" twice, and an answer never understood, go the
    cautious way, which is the "yes" branch)."""
    answers: dict[str, bool] = {}
    for record in session.log:
        node = session.tree.nodes.get(record.node)
        if node is None:
            continue
        if record.intent == "unsure":
            answers[node.id] = True
        elif record.intent in ("yes", "no") and node.expects == "yesno":
            answers[node.id] = record.intent == "yes"
        elif record.intent in ("duration", "number") and node.expects == record.intent and record.value is not None:
            answers[node.id] = session.is_positive(node, record.intent, record.value)
    return answers


def session_progress(session: Any) -> Progress | None:
    """The open question's progress in a running :class:`triage.Session` (None when none is open)."""
    if session is None or session.finished or session.current is None:
        return None
    return progress(session.tree, session_answers(session), session.current.node)
