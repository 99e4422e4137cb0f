"""Clinical content and logic: the triage tree (data), its validation, and the pure session engine.

Knows nothing of audio, speech recognition or terminals.
"""
from triage.engine import Session
from triage.events import AnswerRecord, Ask, End, Error, Event, Heard, Result, Say, Slower
from triage.tree import DISPOSITIONS, TOPICS, Tree, TreeError, load_tree

__all__ = [
    "Session", "load_tree", "Tree", "TreeError", "DISPOSITIONS", "TOPICS",
    "Event", "Say", "Ask", "Heard", "Slower", "Result", "End", "Error", "AnswerRecord",
]
