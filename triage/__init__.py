"""Clinical content and logic: the triage tree (data), its validation, and the pure session engine.

Knows nothing of audio, speech recognition or terminals.
"""
import importlib

# Loaded on first use, so that importing triage.vocabulary (the intent and topic codes,
# which ``backtriage --help`` lists) does not load the engine and the tree parser.
_WHERE = {
    "Session": "triage.engine",
    **dict.fromkeys(("AnswerRecord", "Ask", "End", "Error", "Event", "Heard", "Result", "Say", "Slower"),
                    "triage.events"),
    **dict.fromkeys(("DISPOSITIONS", "TOPICS", "Tree", "TreeError", "load_tree"), "triage.tree"),
}

__all__ = [
    "Session", "load_tree", "Tree", "TreeError", "DISPOSITIONS", "TOPICS",
    "Event", "Say", "Ask", "Heard", "Slower", "Result", "End", "Error", "AnswerRecord",
]


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'triage' has no attribute {name!r}")
