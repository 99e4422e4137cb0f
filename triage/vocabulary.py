"""The words both sides agree on: intent names, answer kinds and topic codes.

``triage/`` (the tree and the engine) and ``intents/`` (understanding what was said)
both import these, so a name can only be spelled one way. Changing one is a change
to the tree format, the phrase data and the JSON-lines protocol at once;
``tests/test_vocabulary.py`` checks they still agree with the tree and the phrase data.
"""
from __future__ import annotations

import math
from typing import Any

# Answers to a question. "unsure" is an answer too: it is asked again, never read as "no".
ANSWER_INTENTS = ("yes", "no", "unsure", "duration", "number")
# Requests about the conversation itself, understood at every question.
META_INTENTS = ("repeat", "back", "help", "stop", "slower", "restart")
# Every intent the understanding layer may return and the engine accepts.
INTENTS = ANSWER_INTENTS + META_INTENTS + ("unknown",)
# Answers that change the outcome and so may be read back ("Is that right?"); "unsure" never is.
READ_BACK_INTENTS = ("yes", "no", "duration", "number")

# What a question expects as its answer (a node's ``expects``).
EXPECTS = ("yesno", "duration", "number")
# The intent that answers each kind of question (besides "unsure").
EXPECTED_INTENTS = {"yesno": ("yes", "no"), "duration": ("duration",), "number": ("number",)}



def is_real_number(x: Any) -> bool:
    """A finite real number as an answer value or a threshold: not a bool, NaN or an infinity,
    and not an integer too large to compare as a float (JSON and Python allow any size)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # a 400-digit integer
        return False


# Fixed topic codes: the tree's nodes, the phrase data and front ends depend on them.
TOPICS = (
    "start", "duration", "age", "pain_score", "sleep", "daily_activities", "fever",
    "weight_loss", "weakness", "numbness", "bladder_bowel", "saddle_numbness", "trauma",
    "osteoporosis", "steroids", "cancer_history", "infection_risk", "more_info",
    "both_legs", "sexual_function", "chest_pain", "thoracic", "recent_infection", "lump",
)
# Warning signs that count only when NEW (cauda equina and nerve signs): the same symptom
# said to be old and unchanged ("since my kids, it's not new") is read back as a "no".
NEW_SIGN_TOPICS = frozenset({"bladder_bowel", "saddle_numbness", "sexual_function", "weakness", "numbness", "both_legs"})
# Topics that ask about a warning sign: a wrong "no" there hides it, so a "no" needs a clear denial.
RED_FLAG_TOPICS = frozenset({
    "fever", "weight_loss", "weakness", "numbness", "bladder_bowel", "saddle_numbness", "trauma",
    "osteoporosis", "steroids", "cancer_history", "infection_risk", "sleep", "daily_activities",
    "both_legs", "sexual_function", "chest_pain", "thoracic", "recent_infection", "lump",
})
