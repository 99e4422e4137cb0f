"""The plain-answer rule: when the words heard so far are already a whole, sure answer.

A plain answer is one every word of which a phrase explains ("yes", "yes it has", "no I
haven't", "three weeks"; a topic's own words, a number with its unit), understood at
:data:`PLAIN_ANSWER` or more, or a "not sure". Stray words bring the confidence under it
("yes six" 0.76, "주 있어요" 0.82); an opener alone ("I have ...", 0.85) is how longer
answers begin. The listener may end such an answer after a short silence, its reply can be
rendered before listening ends, and a read-back's "yes" must be one to confirm an amount.
"""
from __future__ import annotations

from typing import Any

from triage.vocabulary import READ_BACK_INTENTS

PLAIN_ANSWER = 0.9


def plain_answer(understood: Any, confirm_below: float = 0.0) -> bool:
    """Whether an Interpretation is a plain answer: "not sure", or an answer (yes, no, a duration,
    a number) at PLAIN_ANSWER or more, and at least the read-back threshold ``confirm_below``."""
    if understood.intent == "unsure":
        return True
    return understood.intent in READ_BACK_INTENTS and understood.confidence >= max(PLAIN_ANSWER, confirm_below)
