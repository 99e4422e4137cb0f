"""How answers are put into words: read-backs, acknowledgements, durations as people say them.

Pure text, no speech: the screen shows these strings as they are, and the speech layer
(``voice.spoken``) only changes how digits and emphasis are pronounced.
"""
from __future__ import annotations

import re
from typing import Any

from triage.vocabulary import is_real_number

WEEKS_PER_MONTH = 52.1775 / 12
WEEKS_PER_YEAR = 52.1775

_UNIT_SAID = re.compile(r"\b(day|days|week|weeks|fortnight|fortnights|month|months|year|years)\b", re.I)
_UNIT_OF = {"day": "days", "week": "weeks", "fortnight": "weeks", "month": "months", "year": "years"}


def unit_said(transcript: str) -> str:
    """The unit a person used for a duration ("three days" -> "days"), "" when none is recognisable.
    The largest unit mentioned wins ("a month and a week" is said in months)."""
    found = [_UNIT_OF[m.group(1).lower().rstrip("s")] for m in _UNIT_SAID.finditer(transcript or "")]
    order = ("days", "weeks", "months", "years")
    return max(found, key=order.index) if found else ""


def _plural(n: float, unit: str) -> str:
    return f"{_num(n)} {unit[:-1] if n == 1 else unit}"


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:.1f}".rstrip("0").rstrip(".")


def _about(exact: float, shown: float) -> str:
    """"about " when the rounded figure differs from the exact one by more than 4 %."""
    return "about " if exact and abs(shown - exact) > 0.04 * exact else ""


def duration_words(weeks: float, unit: str = "") -> str:
    """A duration in weeks said as people say it: "3 days", "2 weeks", "about 2 months",
    "a year and a half". ``unit`` is the unit the person used (kept when it reads naturally);
    otherwise the natural one for the length. Never more than one decimal, never "0.43 weeks"."""
    if not is_real_number(weeks) or weeks < 0:
        return "an unknown time"
    days = weeks * 7
    if not unit:
        unit = "days" if days < 6.5 else "weeks" if weeks < 8.5 else "months" if weeks < 51 else "years"
    if unit == "days":
        if days < 0.5:
            return "less than a day"
        n = round(days)
        return _about(days, n) + _plural(n, "days")
    if unit == "weeks":
        if weeks < 0.93:
            return duration_words(weeks, "days")
        n = round(weeks * 2) / 2 if weeks < 4 else round(weeks)
        return _about(weeks, n) + _half(n, "week", "weeks")
    if unit == "months":
        months = weeks / WEEKS_PER_MONTH
        if months < 0.9:
            return duration_words(weeks, "weeks")
        n = round(months * 2) / 2 if months < 6 else round(months)
        return _about(months, n) + _half(n, "month", "months")
    years = weeks / WEEKS_PER_YEAR
    if years < 0.9:
        return duration_words(weeks, "months")
    n = round(years * 2) / 2 if years < 10 else round(years)
    return _about(years, n) + _half(n, "year", "years")


def _half(n: float, one: str, many: str) -> str:
    """1 -> "1 week", 1.5 -> "a week and a half", 2.5 -> "2 and a half weeks"."""
    whole = int(n)
    if n == whole:
        return f"{whole} {one if whole == 1 else many}"
    if whole == 0:
        return f"half a {one}"
    if whole == 1:
        return f"a {one} and a half"
    return f"{whole} and a half {many}"


def number_words(value: float, unit: str = "") -> str:
    """A number answer with its unit: "62 years" (no decimals beyond one)."""
    if not is_real_number(value):
        return "an unknown number"
    n = round(value, 1)
    if unit and n == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{_num(n)} {unit}".strip()


def describe_answer(intent: str, value: Any = None, unit: str = "", said: str = "") -> str:
    """An understood answer in words: "yes", "not sure", "3 days", "about 2 months", "62 years".

    ``unit`` is the question's unit (durations are always held in weeks); ``said`` is what
    the person said, so a duration is put back in their own unit ("three days" -> "3 days")."""
    if intent == "duration" and value is not None:
        return duration_words(value, unit_said(said))
    if intent == "number" and value is not None:
        return number_words(value, unit)
    return "not sure" if intent == "unsure" else intent.replace("_", " ")


def threshold_words(node: Any) -> str:
    """A duration/number question's threshold with its unit: "4 weeks", "50 years"."""
    if node.expects == "duration":
        return duration_words(float(node.threshold), node.unit if node.unit in ("days", "weeks", "months", "years")
                              else "weeks")
    return number_words(float(node.threshold), node.unit)


# ---------------------------------------------------------------- yes/no read-backs

_AUX = ("have", "has", "do", "does", "did", "is", "are", "was", "were", "would", "can", "could", "will")
_SUBJECT = r"(you|it|they|the \w+|your \w+(?: \w+)?)"
_QUESTION = re.compile(rf"^(?P<pre>.*?,\s*)?(?P<aux>{'|'.join(_AUX)})\s+(?P<subj>{_SUBJECT})\s+(?P<rest>.+?)\?*$",
                       re.I | re.S)
_INNER = re.compile(rf",\s*or\s+(?:{'|'.join(_AUX)})\s+you\s+", re.I)


def question_sentence(text: str) -> str:
    """The sentence of a question's text that asks it (the last one ending in "?")."""
    parts = [p.strip() for p in re.split(r"(?<=[.?!])\s+", text.strip()) if p.strip()]
    asks = [p for p in parts if p.endswith("?")]
    return asks[-1] if asks else (parts[-1] if parts else text)


def statement(question: str, yes: bool) -> str | None:
    """An English yes/no question as the statement a yes (or no) makes of it:
    "Have you had a fever?" -> "you HAVE had a fever" / "you have NOT had a fever".
    None when the question is not of a shape this can turn round."""
    m = _QUESTION.match(question_sentence(question))
    if not m:
        return None
    aux, subj, rest = m.group("aux").lower(), m.group("subj"), m.group("rest").strip()
    subj = subj if subj.lower() != "you" else "you"
    rest = _INNER.sub(", or ", rest)  # "..., or have you taken ..." -> "..., or taken ..."
    pre = (m.group("pre") or "").strip()
    pre = (pre[0].lower() + pre[1:] + " ") if pre else ""
    if yes:
        rest = re.sub(r"^(?:ever\s+)?(\w+\s+)?any\s+", r"\1", rest, count=1)  # "had any new trouble" -> "had new trouble"
        rest = re.sub(r"^ever\s+", "", rest)
        return f"{pre}{subj} {aux.upper()} {rest}"
    if rest.lower().startswith("ever "):
        return f"{pre}{subj} {aux} NEVER {rest[5:]}"
    return f"{pre}{subj} {aux} NOT {rest}"


def read_back(node: Any, intent: str, value: Any = None, said: str = "") -> str:
    """The question that reads an uncertain answer back: "So you have NOT had a fever. Is that right?"

    Yes/no answers are said as a statement from the tree's own data (the node's ``said_yes`` /
    ``said_no``, else turned round from its question), never "I understood: no"."""
    if node.expects == "yesno" and intent in ("yes", "no"):
        own = node.said_yes if intent == "yes" else node.said_no
        text = own or statement(node.text, intent == "yes")
        if text:
            return f"So {text.rstrip('.')}. Is that right?"
        return f"So your answer to \"{question_sentence(node.text)}\" is {intent}. Is that right?"
    return f"I understood: {describe_answer(intent, value, node.unit, said)}. Is that right?"
