"""How answers are put into words: read-backs, acknowledgements, durations as people say them.

Pure text, no speech: the screen shows these strings as they are, and the speech layer
(``voice.spoken``) only changes how digits and emphasis are pronounced.
"""
from __future__ import annotations

import re
from typing import Any

from triage.messages import Messages, messages
from triage.vocabulary import is_real_number

WEEKS_PER_MONTH = 52.1775 / 12
WEEKS_PER_YEAR = 52.1775
UNITS = ("days", "weeks", "months", "years")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _unit_pattern(lang: str) -> re.Pattern:
    """The language's unit words (catalogue ``wording.said_units``) as one pattern. Words in
    Korean script match anywhere (units are glued to numbers: "3일", "이주", "한달"); others
    as whole words."""
    parts = []
    for unit in UNITS:
        for word in messages(lang)(f"wording.said_units.{unit}").split():
            w = re.escape(word)
            if not _HANGUL.search(word):
                w = rf"(?<!\w){w}(?!\w)"
            parts.append(f"(?P<{unit}_{len(parts)}>{w})")
    return re.compile("|".join(parts), re.I)


_PATTERNS: dict[str, re.Pattern] = {}


def unit_said(transcript: str, lang: str = "en") -> str:
    """The unit a person used for a duration ("three days" -> "days"), "" when none is recognisable.
    The largest unit mentioned wins ("a month and a week" is said in months)."""
    pattern = _PATTERNS.get(lang) or _PATTERNS.setdefault(lang, _unit_pattern(lang))
    found = [m.lastgroup.split("_")[0] for m in pattern.finditer(transcript or "")]
    return max(found, key=UNITS.index) if found else ""


def _num(n: float, point: str = ".") -> str:
    text = str(int(n)) if float(n).is_integer() else f"{n:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", point)


def _about(exact: float, shown: float, amount: str, m: Messages, unit: str) -> str:
    """"about 2 months" when the rounded figure differs from the exact one by more than 4 %."""
    if not exact or abs(shown - exact) <= 0.04 * exact:
        return amount
    # "unos 2 días", but "aproximadamente 1 día"
    return m(f"wording.{unit}.{'about_one' if shown == 1 else 'about'}", amount=amount)


def duration_words(weeks: float, unit: str = "", lang: str = "en") -> str:
    """A duration in weeks said as people say it: "3 days", "2 weeks", "about 2 months",
    "a year and a half" ("unos 2 meses", "약 2개월" in the language's catalogue). ``unit`` is
    the unit the person used (kept when it reads naturally); otherwise the natural one for
    the length. Never more than one decimal, never "0.43 weeks"."""
    m = messages(lang)
    if not is_real_number(weeks) or weeks < 0:
        return m("wording.unknown_time")
    days = weeks * 7
    if not unit:
        unit = "days" if days < 6.5 else "weeks" if weeks < 8.5 else "months" if weeks < 51 else "years"
    if unit == "days":
        if days < 0.5:
            return m("wording.less_than_a_day")
        n = round(days)
        return _about(days, n, _half(n, "days", m), m, "days")
    if unit == "weeks":
        if weeks < 0.93:
            return duration_words(weeks, "days", lang)
        n = round(weeks * 2) / 2 if weeks < 4 else round(weeks)
        return _about(weeks, n, _half(n, "weeks", m), m, "weeks")
    if unit == "months":
        months = weeks / WEEKS_PER_MONTH
        if months < 0.9:
            return duration_words(weeks, "weeks", lang)
        n = round(months * 2) / 2 if months < 6 else round(months)
        return _about(months, n, _half(n, "months", m), m, "months")
    years = weeks / WEEKS_PER_YEAR
    if years < 0.9:
        return duration_words(weeks, "months", lang)
    n = round(years * 2) / 2 if years < 10 else round(years)
    return _about(years, n, _half(n, "years", m), m, "years")


def _half(n: float, unit: str, m: Messages) -> str:
    """1 -> "1 week", 1.5 -> "a week and a half", 2.5 -> "2 and a half weeks" (days are whole)."""
    whole = int(n)
    if n == whole:
        return m(f"wording.{unit}.{'one' if whole == 1 else 'many'}", n=whole)
    if whole == 0:
        return m(f"wording.{unit}.half")
    if whole == 1:
        return m(f"wording.{unit}.one_and_a_half")
    return m(f"wording.{unit}.many_and_a_half", n=whole)


def number_words(value: float, unit: str = "", lang: str = "en") -> str:
    """A number answer with its unit: "62 years" (no decimals beyond one)."""
    m = messages(lang)
    if not is_real_number(value):
        return m("wording.unknown_number")
    n = round(value, 1)
    shown = _num(n, m("wording.decimal_point"))
    if unit == "years":
        return m("wording.number.years_one" if n == 1 else "wording.number.years_many", n=shown)
    if unit and n == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return m("wording.number.other_unit", n=shown, unit=unit).strip() if unit else shown


def answer_word(intent: str, lang: str = "en") -> str:
    """A yes/no/unsure answer as a word ("yes", "sí", "네"), a request by its name ("repeat",
    "repetir"); anything else as it is."""
    m = messages(lang)
    key = f"wording.{intent}" if intent in ("yes", "no", "unsure") else f"requests.{intent}"
    return m(key) if key in m else intent.replace("_", " ")


def describe_answer(intent: str, value: Any = None, unit: str = "", said: str = "", lang: str = "en") -> str:
    """An understood answer in words: "yes", "not sure", "3 days", "about 2 months", "62 years".

    ``unit`` is the question's unit (durations are always held in weeks); ``said`` is what
    the person said, so a duration is put back in their own unit ("three days" -> "3 days")."""
    if intent == "duration" and value is not None:
        return duration_words(value, unit_said(said, lang), lang)
    if intent == "number" and value is not None:
        return number_words(value, unit, lang)
    return answer_word(intent, lang)


def threshold_words(node: Any, lang: str = "en") -> str:
    """A duration/number question's threshold with its unit: "4 weeks", "50 years"."""
    if node.expects == "duration":
        return duration_words(float(node.threshold), node.unit if node.unit in UNITS else "weeks", lang)
    return number_words(float(node.threshold), node.unit, lang)


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


def read_back(node: Any, intent: str, value: Any = None, said: str = "", lang: str = "en") -> str:
    """The question that reads an uncertain answer back: "So you have NOT had a fever. Is that right?"

    Yes/no answers are said as a statement from the tree's own data (the node's ``said_yes`` /
    ``said_no``; in English, else turned round from its question), never "I understood: no"."""
    m = messages(lang)
    if node.expects == "yesno" and intent in ("yes", "no"):
        own = node.said_yes if intent == "yes" else node.said_no
        text = own or (statement(node.text, intent == "yes") if m.lang == "en" else None)
        if text:
            return m("wording.read_back", statement=text.rstrip("."))
        return m("wording.read_back_answer", question=question_sentence(node.text), answer=answer_word(intent, lang))
    return m("wording.read_back_value", answer=describe_answer(intent, value, node.unit, said, lang))


_SENTENCE_END = re.compile(r"(?<=[.!?？。])\s+")


def for_reader(text: str, lang: str = "en") -> str:
    """A question as staff read it: without its sentences on how to answer aloud ("You can say a
    number of days, weeks or months"), found by the language's ``medium.voice_words``. The whole
    text when that would leave no question ("Tell me if ..." stays), so no question is ever lost."""
    voice_words = messages(lang).voice_words
    if not voice_words:
        return text
    try:
        asks = re.compile(voice_words, re.I)
    except re.error:
        return text
    kept = [s for s in _SENTENCE_END.split(text.strip()) if not asks.search(s)]
    return " ".join(kept) if any(s.endswith(("?", "？")) for s in kept) else text
