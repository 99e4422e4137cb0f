"""Replies to a read-back: "is that right?" answered, or the question answered again?

After "So you have NOT had a fever. Is that right?", "yes" and "that's wrong" answer the
read-back, while "no, I haven't" and "I did have one" answer the question itself. The
words that only say right or wrong are data (``[readback] words`` in ``answers.toml``).
"""
from __future__ import annotations

from typing import NamedTuple

from intents.lexicon import BOUNDARY, language, tokenize


def readback_only(text: object, lang: str = "en") -> bool:
    """True when ``text`` only says whether a read-back was right ("yes", "no it's not",
    "that's right"), False when it says more (an answer to the question). A language
    without the word list treats every reply as right/wrong only (the older behaviour)."""
    data = language(lang)
    words = data.answers.get("readback", {}).get("words")
    if not words:
        return True
    allowed = set(words)
    toks = [t for t in tokenize(text, data.contractions) if t != BOUNDARY]
    raw = [t for t in tokenize(text) if t != BOUNDARY]  # before contractions: "thats", "isnt" are listed too
    return bool(toks) and (all(t in allowed for t in toks) or all(t in allowed for t in raw))


class Amounts(NamedTuple):
    numbers: frozenset   # every plain number in the reply
    unit: bool           # a unit or age word stands in it ("weeks", "주", "살")
    rest: str            # the reply without its numbers ("yes two" -> "yes")


def amounts(text: object, lang: str = "en") -> Amounts:
    """The amounts a reply names. Used at a read-back of a number or duration, where a reply
    that is not itself a whole answer ("yes six" to "2 weeks": a number without its unit)
    still says something about the value. "네" stays yes: a Korean counter form is a number
    only before a unit."""
    from intents.numbers import numbers

    data = language(lang)
    own = set(data.answers.get("readback", {}).get("words", ()))
    raw = tokenize(text, data.contractions, data.fold)
    # A read-back word is kept whole: Korean "해요" would split into "해" (year) + "요", and
    # "네 해" is "four years".
    toks = [p for t in raw for p in ([t] if t in own or t == BOUNDARY else data.split(t, numeric=True))]
    found = numbers(data, toks, set())
    covered = {i for q in found for i in range(q.start, q.end)}
    unit_words = {*data.units, *data.numbers["words"].get("after_number", ())}
    rest = " ".join(t for i, t in enumerate(toks) if i not in covered and t != BOUNDARY)
    return Amounts(frozenset(round(q.value, 4) for q in found), any(t in unit_words for t in raw), rest)


def other_amount(text: object, said: object, lang: str = "en") -> bool | None:
    """Whether a reply to a number or duration read-back ("So it has been about 2 weeks. Is
    that right?") names an amount other than the one read back (``said``, its words).

    True: a number the read-back did not say ("yes six", "아홉 네 있어요"), or a unit or age
    word whose number was lost ("주 있어요": Vosk Korean for "아홉 주 있었어요", nine weeks);
    such a reply must never confirm the value it contradicts. False: it repeats the read-back's
    number ("yes, two"). None: it names no amount at all ("yes", "네 네")."""
    reply = amounts(text, lang)
    if reply.numbers:
        return not reply.numbers <= amounts(said, lang).numbers
    return True if reply.unit else None


def not_for_amounts(text: object, lang: str = "en") -> bool:
    """Whether a reply has a yes-word that never confirms a number or duration read back
    (``[readback] not_for_amounts``: Korean "있어요", "there is")."""
    data = language(lang)
    words = set(data.answers.get("readback", {}).get("not_for_amounts", ()))
    return bool(words) and any(t in words for t in (*data.tokens(text), *tokenize(text, data.contractions)))


def split_reply(text: object, lang: str = "en") -> tuple[str, str]:
    """(the words about the read-back, the answer after them): "that's right, I haven't" ->
    ("thats right", "i have not"), "네 열 없었어요" -> ("네", "열 없었어요"); ("", "") when the
    reply does not start with read-back words or says nothing after them. A "no" at the end
    of those words belongs to the answer: "yes, no fever" -> ("yes", "no fever")."""
    data = language(lang)
    allowed = set(data.answers.get("readback", {}).get("words", ()))
    toks = [t for t in tokenize(text, data.contractions) if t != BOUNDARY]
    head = 0
    while head < len(toks) and toks[head] in allowed:
        head += 1
    no_words = {w for w in (*data.answers["no"].get("strong", ()), *data.answers["no"].get("weak", ()))
                if " " not in w} | set(data.negators)
    while head and toks[head - 1] in no_words:
        head -= 1
    if not head or head == len(toks):
        return "", ""
    return " ".join(toks[:head]), " ".join(toks[head:])
