"""Replies to a read-back: "is that right?" answered, or the question answered again?

After "So you have NOT had a fever. Is that right?", "yes" and "that's wrong" answer the
read-back, while "no, I haven't" and "I did have one" answer the question itself. The
words that only say right or wrong are data (``[readback] words`` in ``answers.toml``).

    read_reply("no, three weeks", topics=("duration",), expects="duration",
               confirm={"intent": "duration", "value": 2.0, "said": "2 weeks"})
    # -> (Interpretation("duration", 3.0, ...), True): an answer to the question itself
"""
from __future__ import annotations

from typing import Any, NamedTuple

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


def corrects_noted(text: object, lang: str = "en") -> bool:
    """Whether a reply begins by correcting the answer the question confirmed implicitly ("No
    fever, noted. Next: ..." answered "wait, I do have a fever", "that's wrong"): ``[readback]
    corrections`` in ``answers.toml``, at the start of the reply."""
    return _says(text, lang, language(lang).answers.get("readback", {}).get("corrections", ()), at_start=True)


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


def read_reply(text: str, topics: Any, expects: str, confirm: dict[str, Any], lang: str = "en",
               word_confidences: list[float] | None = None, today: float | None = None,
               heard: bool = False) -> tuple[Any, bool]:
    """What a reply to a read-back says: (interpretation, restated). ``topics`` and ``expects``
    are the question's own (the one read back), ``confirm`` the read-back ({"intent", "value",
    "said"}). A reply is either about the read-back ("yes", "that's wrong": restated False) or
    an answer to the question itself ("no, I haven't", "no, three weeks": restated True).
    ``heard``: a recognizer's words, where a language's noise-words rule applies (``_noisy``);
    typed words are all meant ("네, 그쪽은 아무 문제 없어요")."""
    from intents import interpret
    from intents.matcher import Interpretation

    if heard and expects == "yesno" and _noisy_replies(lang):  # never at a number: "이 주" is two weeks
        text = _eung(text, lang)
    i = interpret(text, topic=topics, expects="yesno", lang=lang, word_confidences=word_confidences)
    if expects != "yesno":
        own = interpret(text, topic=topics, expects=expects, lang=lang, word_confidences=word_confidences,
                        today=today)
        if own.intent == expects:
            if i.intent == "no" and own.value == confirm.get("value"):
                # "no, forty two" heard again as the same misheard value: a rejection, not a confirmation
                return i, False
            return own, True
        if i.intent == "yes":
            return _yes_to_amount(text, i, topics, confirm, lang), False
        return i, False
    if readback_only(text, lang) or readback_only(_unhedged(text, lang), lang):
        # "Yes, I think that's right, yes": about the read-back, hedge and all, not a new "yes";
        # "yes, not right" (Whisper's "yes, that's right") contradicts itself: not understood
        return _unexplained(text, topics, confirm, lang, only_contradiction=True) or (_mixed(text, i, lang, heard), False)
    if rejects(text, lang) and i.intent != "yes":
        # "No no, I didn't say that, you misheard me" to "So you have NOT had a fever": a rejection of
        # the read-back, never that "no" confirmed (nor, to a "yes" read back, a "no" counted): the
        # question again. A "yes" in it ("that's wrong, I do have a fever") is the cautious answer.
        return Interpretation("no", None, i.confidence), False
    own = _yes_then_answer(text, topics, confirm, lang, word_confidences) or \
        _no_then_yes(text, topics, lang, word_confidences)
    if own:
        return own
    if i.intent in ("yes", "no") and heard and _noisy_replies(lang):
        return _noisy(text, i, topics, lang, word_confidences)
    return _unexplained(text, topics, confirm, lang) or (_mixed(text, i, lang, heard), i.intent in ("yes", "no"))


# A yes/no reply whose words the phrases explain reads at 0.85-0.95 typed ("no I haven't",
# "I haven't", "right"); one with words nothing explains, lower ("yes, not slide": 0.76).
READ_BACK_PLAIN = 0.85


def unclear_reply(text: str, lang: str = "en") -> bool:
    """Whether a reply to a read-back that lists answers lowering the urgency (the summary
    read-back before the result) is no clear yes or no: see ``_unexplained``."""
    only = readback_only(text, lang) or readback_only(_unhedged(text, lang), lang)  # "Yes, and that's right."
    return _unexplained(text, (), {"intent": "no"}, lang, only_contradiction=only) is not None


def _unexplained(text: str, topics: Any, confirm: dict[str, Any], lang: str,
                 only_contradiction: bool = False) -> tuple[Any, bool] | None:
    """A reply to the read-back of a "no" that is no clear yes, no or answer (issue 20): not
    understood, so the read-back again (bounded), never a new answer. Two kinds, both how
    Whisper tiny.en heard "yes, that's right" on the tune split:
    - a yes and a no that contradict each other, no "don't know" said ("Yes, not right."):
      read whole it was "not sure", which makes a warning sign possibly present (urgent);
    - a yes-word first, then words nothing explains ("Yes, not slide."): read whole it was a
      new "yes" to the warning sign (an emergency in 4 questions).
    A hedged yes ("yes, I suppose"), "not sure" said as such and a yes with words the phrases
    explain ("yes, a bit", "yes I have": 0.95) keep their meaning. To the read-back of a "yes"
    such a reply keeps its cautious reading, as before."""
    from intents import interpret
    from intents.matcher import CONF_CONFLICT, UNKNOWN

    if confirm.get("intent") != "no":
        return None
    plain = interpret(text, topic=topics, expects="yesno", lang=lang)
    if plain.intent == "unsure" and plain.confidence <= CONF_CONFLICT:
        return UNKNOWN, False
    if only_contradiction or plain.intent != "yes":
        return None  # (a reply of read-back words only, "yes, and correct", is explained by them)
    data = language(lang)
    toks = [t for t in data.tokens(text) if t != BOUNDARY]
    yes_words = {w for w in (*data.answers["yes"].get("strong", ()), *data.answers["yes"].get("weak", ()))
                 if " " not in w}
    if not toks or toks[0] not in yes_words:
        return None
    # What follows the yes-word(s), hedges and other yes-words taken out, must itself be a plain yes to
    # the sign ("yes, I have", "yes, a bit") for the reply to be a new answer: "Yes, I'm not alive.",
    # "Yes, I think I've tried the yes" (tiny.en in babble, tune split) are not.
    # whole words as said: Korean "있어요" must not split into "있어" + "요" (_unhedged joins tokens)
    words = (_unhedged(text, lang) if _hedged(text, lang) else str(text)).split()

    def yes_word(w: str) -> bool:
        toks = [t for t in data.tokens(w) if t != BOUNDARY]
        return bool(toks) and all(t in yes_words for t in toks)

    while words and yes_word(words[0]):
        words.pop(0)
    while words and yes_word(words[-1]):
        words.pop()
    if not words:
        return None
    said = interpret(" ".join(words), topic=topics, expects="yesno", lang=lang)
    return None if said.intent == "yes" and said.confidence >= READ_BACK_PLAIN else (UNKNOWN, False)



def _mixed(text: str, i: Any, lang: str, heard: bool) -> Any:
    """"네 아니요" to "맞나요?": a grammar's yes-word and no-word side by side, no cross-check behind
    a read-back reply: not understood, never "not sure" (issue 20). Only where replies are read for
    noise (``[readback] noise_words``); a no-word then a "yes" ("아니 있어요") was taken as the yes before."""
    from intents.matcher import UNKNOWN

    if i.intent == "unsure" and heard and _noisy_replies(lang) and yes_and_no_only(text, lang):
        return UNKNOWN
    return i


def _eung(text: str, lang: str) -> str:
    """A reply's first word as the recognizer writes a word it hears as something else: Vosk Korean
    wrote "응, 맞아" as "이 맞아" / "은 맞아" in 4 of 4 voices (``[readback] heard_as``)."""
    heard_as = language(lang).answers.get("readback", {}).get("heard_as", {})
    words = str(text).split(maxsplit=1)
    if words and words[0] in heard_as and len(words) > 1:
        return f"{heard_as[words[0]]} {words[1]}"
    return str(text)


def _noisy_replies(lang: str) -> bool:
    return bool(language(lang).answers.get("readback", {}).get("noise_words"))


def noise_words(text: object, lang: str = "en", topics: Any = ()) -> list[str]:
    """The words of a reply that no answer phrase explains (``[readback] noise_words = true``): a
    grammar recognizer's noise ("네 무슨 맞아" for "응, 맞아"; "주세요" before most answers in light
    noise). A word is explained where a yes / no / not-sure / hedge / correction phrase or a
    read-back phrase stands whole in the reply ("안 이 요" explains its "이"; a lone "가" is noise
    though "예 가 아니라" has it), and so does a phrase of one of ``topics`` ("소변 보기 가 힘들어요"
    at the bladder question). A filler such as "주세요" is noise here."""
    data = language(lang)
    toks = [t for t in data.tokens(text) if t != BOUNDARY]
    covered = [False] * len(toks)
    for words in [*_answer_phrases(lang), *_topic_phrases(lang, tuple(topics or ()))]:
        n = len(words)
        for k in range(len(toks) - n + 1):
            if tuple(toks[k:k + n]) == words:
                covered[k:k + n] = [True] * n
    return [t for t, c in zip(toks, covered) if not c]


_PHRASES: dict[str, list[tuple[str, ...]]] = {}
_TOPIC_PHRASES: dict[tuple[str, tuple[str, ...]], list[tuple[str, ...]]] = {}


def _topic_phrases(lang: str, topics: tuple[str, ...]) -> list[tuple[str, ...]]:
    key = (lang, topics)
    if key not in _TOPIC_PHRASES:
        data = language(lang)
        table = data.topics.get("topics", {})
        groups = data.topics.get("groups", {})
        texts = []
        for t in topics:
            own = table.get(t, {})
            for part in (own, *(groups.get(g, {}) for g in own.get("groups", ()))):
                for name, phrases in part.items():
                    if name != "groups" and isinstance(phrases, list):
                        texts += [p for p in phrases if isinstance(p, str)]
        out = {tuple(w for w in data.tokens(p) if w != BOUNDARY) for p in texts}
        _TOPIC_PHRASES[key] = [w for w in out if w]
    return _TOPIC_PHRASES[key]



def _answer_phrases(lang: str) -> list[tuple[str, ...]]:
    if lang not in _PHRASES:
        data = language(lang)
        answers = data.answers
        readback = answers.get("readback", {})
        phrases = [*readback.get("words", ()), *readback.get("corrections", ()), *readback.get("rejections", ()),
                   *answers.get("correction", {}).get("words", ())]
        for group in ("yes", "no", "unsure", "hedge"):
            for strength in ("strong", "weak"):
                phrases += answers.get(group, {}).get(strength, ())
        out = {tuple(t for t in data.tokens(p) if t != BOUNDARY) for p in phrases}
        _PHRASES[lang] = [w for w in out if w]
    return _PHRASES[lang]


def yes_and_no_only(text: object, lang: str = "en") -> bool:
    """Whether a "not sure" is only a yes-word and a no-word side by side ("네 아니요", "네 안 이 요 나"),
    with no not-sure phrase in it: what a grammar makes of noise or a long answer, not a person's
    "I don't know" (item 6 of issue 20; the conversation then needs the cross-check to back it)."""
    answers = language(lang).answers

    def group(name: str) -> list[str]:
        return [*answers.get(name, {}).get("strong", ()), *answers.get(name, {}).get("weak", ())]

    return _says(text, lang, group("yes")) and _says(text, lang, group("no")) and \
        not _says(text, lang, [*group("unsure"), *answers.get("hedge", {}).get("strong", ())])


def _noisy(text: str, i: Any, topics: Any, lang: str, word_confidences: list[float] | None) -> tuple[Any, bool]:
    """A yes/no reply to a yes/no read-back that is neither read-back words only nor an answer
    after them. With noise-words in it: a no-word is "that's not right" (the question again, never
    that "no" confirmed: 맞나요? answered 아니요), anything else is not understood (the read-back
    again, never a new answer). Without: a "yes" is a new "yes" only when the words after the
    read-back words say yes on their own ("네 있어요"); "네 맞아 요 요" stays a confirmation."""
    from intents import interpret
    from intents.matcher import UNKNOWN, Interpretation

    if noise_words(text, lang):
        if i.intent == "no":
            return Interpretation("no", None, i.confidence), False
        return UNKNOWN, False
    if i.intent == "yes":
        data = language(lang)
        allowed = set(data.answers.get("readback", {}).get("words", ()))
        rest = " ".join(t for t in data.tokens(text) if t != BOUNDARY and t not in allowed)
        if interpret(rest, topics, "yesno", lang=lang, word_confidences=None).intent != "yes":
            return i, False
    return i, True


YES_AFTER_NO = 0.6  # the typed read-back threshold: a "yes" under it after a no-word is not taken


def rejects(text: object, lang: str = "en") -> bool:
    """Whether a reply says the read-back got it wrong ("that's not what I said", "잘못
    알아들으셨어요"): ``[readback] rejections`` in ``answers.toml``, anywhere in the reply."""
    return _says(text, lang, language(lang).answers.get("readback", {}).get("rejections", ()))


def _says(text: object, lang: str, phrases: Any, at_start: bool = False) -> bool:
    """Whether one of ``phrases`` stands in the reply, word for word (``at_start``: as its first words)."""
    data = language(lang)
    toks = [t for t in data.tokens(text) if t != BOUNDARY]
    for phrase in phrases:
        words = [t for t in data.tokens(phrase) if t != BOUNDARY]
        starts = range(1) if at_start else range(len(toks) - len(words) + 1)
        if words and any(toks[k:k + len(words)] == words for k in starts):
            return True
    return False


def _no_then_yes(text: str, topics: Any, lang: str, word_confidences: list[float] | None) -> tuple[Any, bool] | None:
    """"No, I do" to "So you have NOT had a fever": a no-word about the read-back, then a "yes"
    to the question. Read whole, the leading "no" made it a "no" to the warning sign, which then
    confirmed the very answer the person was correcting. The "yes" counts (the cautious reading)."""
    from intents import interpret

    data = language(lang)
    no_words = {w for w in (*data.answers["no"].get("strong", ()), *data.answers["no"].get("weak", ()))
                if " " not in w}
    toks = [t for t in data.tokens(text) if t != BOUNDARY]
    head = 0
    while head < len(toks) and toks[head] in no_words:
        head += 1
    if not head or head == len(toks):
        return None
    if toks[head - 1] in data.answers.get("readback", {}).get("verb_negators", ()) and \
            _negates_rest(text, toks, head, topics, lang):
        return None  # "no, no he tenido": the last "no" negates the verb ("I have not had"), not the read-back
    rest = interpret(" ".join(toks[head:]), topics, "yesno", lang=lang, word_confidences=word_confidences)
    # A "yes" raises the urgency, so it needs less than a plain answer's confidence ("I do": 0.85)
    return (rest, True) if rest.intent == "yes" and rest.confidence >= YES_AFTER_NO else None


def _negates_rest(text: str, toks: list[str], head: int, topics: Any, lang: str) -> bool:
    """Whether the no-word before the rest of the reply belongs to it: nothing (no comma, no
    pause mark) stands between them, and together they read as a plain "no" ("no he tenido",
    Spanish for "I have not had"). "No, I do" keeps its comma and stays a "yes"."""
    from intents import interpret

    data = language(lang)
    all_toks = list(data.tokens(text))
    words = [k for k, t in enumerate(all_toks) if t != BOUNDARY]
    if len(words) <= head or words[head] != words[head - 1] + 1:
        return False  # a boundary between the no-word and the rest
    together = interpret(" ".join(toks[head - 1:]), topics, "yesno", lang=lang)
    return together.intent == "no" and together.confidence >= READ_BACK_PLAIN


def _yes_then_answer(text: str, topics: Any, confirm: dict[str, Any], lang: str,
                     word_confidences: list[float] | None) -> tuple[Any, bool] | None:
    """A yes/no read-back answered "that's right" and then the answer ("that's right, I
    haven't", "네 열 없었어요"): the first words are about the read-back, the rest answers
    the question. Read whole, the "yes" outweighed the answer (a "no" read back was counted
    as a "yes", or "네 ... 없었어요" as unsure). None: read the reply whole, as before."""
    from intents import interpret
    from intents.matcher import UNKNOWN

    head, rest = split_reply(text, lang)
    if not rest or interpret(head, topics, "yesno", lang=lang).intent != "yes":
        return None
    answer = interpret(rest, topics, "yesno", lang=lang, word_confidences=word_confidences)
    if answer.intent == confirm.get("intent"):
        return answer, True  # "that's right" and the same answer again: confirmed
    if answer.intent == "no":
        # "That's right, I haven't" to "So you HAVE had a fever": it contradicts itself, and a
        # "no" to a warning sign must never come from a contradiction. Not understood: the
        # read-back again (an attempt, so bounded).
        return UNKNOWN, False
    return None  # "yes, I have" to a "no" read back: the answer to the question, as before


def _unhedged(text: object, lang: str) -> str:
    """The reply without its hedges ("yes i think thats right" -> "yes thats right")."""
    data = language(lang)
    toks = [t for t in data.tokens(text) if t != BOUNDARY]
    for phrase in sorted(data.answers.get("hedge", {}).get("strong", ()), key=len, reverse=True):
        words = [t for t in data.tokens(phrase) if t != BOUNDARY]
        k = 0
        while words and k <= len(toks) - len(words):
            if toks[k:k + len(words)] == words:
                del toks[k:k + len(words)]
            else:
                k += 1
    return " ".join(toks)


def _hedged(text: object, lang: str) -> bool:
    """Whether a reply hedges ("I think so", "아마 그럴 거예요"): ``[hedge]`` in ``answers.toml``."""
    return _says(text, lang, language(lang).answers.get("hedge", {}).get("strong", ()))


def _yes_to_amount(text: str, yes: Any, topics: Any, confirm: dict[str, Any], lang: str) -> Any:
    """A "yes" to a number or duration read-back that is not itself a whole answer: it
    confirms only when it says nothing else about the amount. People repeat the value
    ("yes, two" to "2 weeks": confirmed), but a grammar recognizer turns a restated answer
    into a "yes" with stray numbers (Vosk Korean heard "아홉 네 있어요" and "주 있어요" and
    confirmed 2 weeks): a read-back must never confirm a value the reply contradicts."""
    from intents import interpret
    from intents.matcher import UNKNOWN, Interpretation
    from intents.plain import PLAIN_ANSWER

    if _hedged(text, lang):
        # "I think so?" to "I understood: 45 years": not a confirmation of the amount
        return Interpretation("unsure", None, yes.confidence)
    if other_amount(text, confirm.get("said", ""), lang):
        # A different number ("yes six"), or a unit whose number was lost: "that's not
        # it", so the question again, plainly (an attempt: bounded like any rejection).
        return Interpretation("no", None, yes.confidence)
    rest = amounts(text, lang).rest  # "yes two" to "2 weeks": the "yes" must be plain
    if not readback_only(rest, lang) and (not_for_amounts(rest, lang) or interpret(
            rest, topics, "yesno", lang=lang).confidence < PLAIN_ANSWER):
        # A "yes" among words no phrase explains ("하고 나요 있어요", Vosk for "아홉 달 있어요",
        # nine months; "네 나 이 요" for "네 두 달이요"), or one that only says something is
        # there ("요 있었어요", Vosk for "아홉 주 있었어요"): not understood, so the read-back
        # again (also an attempt).
        return UNKNOWN
    return yes
