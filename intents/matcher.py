"""Turn one answer (typed, or a recognizer's transcript) into an intent.

Steps, all on whole words:
1. ``tokenize`` (our processor): lower case, apostrophes out, recognizer tags out.
2. Words this question does not know are corrected to one it does with
   rapidfuzz ``fuzz.ratio`` when they are long enough and close enough
   (cut-offs in ``grammar.toml``, measured by ``bench/intents.py --tune``).
3. Phrases of the question (meta requests, answers, topic words) are found; where
   they overlap the longest wins ("not sure" over "sure", "I don't know" over "no").
4. A meta request wins; then, by what the question expects, a duration, a
   number, or yes/no/unsure. A yes-phrase after a negation in the same clause is
   a no ("I haven't had any chills"). Yes and no together, or a hedge alone, is
   unsure: an unsure answer is asked again, a wrong "no" to a warning sign is not.
5. Nothing recognised -> ``unknown`` (the session asks again; it never guesses).

Confidence starts from how the answer was recognised (constants below) and is
lowered by spelling corrections, homophones, words left unexplained and the
recognizer's own word confidences. ``bench/intents.py`` reports accuracy per
confidence bucket on the labelled corpus.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from intents import dates
from intents import numbers as num
from intents.lexicon import BOUNDARY, UNK, Entry, Question, asked_clauses, expand, question, topic_tuple
from triage.vocabulary import INTENTS, NEW_SIGN_TOPICS, RED_FLAG_TOPICS  # noqa: F401  (INTENTS re-exported: intents.INTENTS)

# Starting confidences by kind of evidence.
CONF_META = 0.95
CONF_META_ALONE = 0.9
CONF_AGREE = 0.97         # topic words and a plain yes/no agree
CONF_STRONG = 0.95        # a plain yes/no ("nope", "I haven't")
CONF_TOPIC = 0.9          # the topic's own words ("chills")
CONF_WEAK = 0.85          # answer-like openers only ("I have", "I haven't")
WEAK_MIN_COVERAGE = 0.5   # ... and only when they are most of the answer
CONF_UNSURE = 0.9         # said they don't know
CONF_CONFLICT = 0.6       # yes and no in one answer -> unsure
CONF_HEDGE_ONLY = 0.6     # "I think" alone -> unsure
CONF_NUMBER = 0.95
CONF_GUESSED = 0.55       # vague or homophone numbers ("a few days", "for weeks")
HEDGE_FACTOR = 0.7        # "I think I have" is a yes, less sure
HOMOPHONE_FACTOR = 0.8
NEGATED_FACTOR = 0.95
UNK_NO_FACTOR = 0.6       # a "no" or a duration with an unreadable word in it is read back
# Warning-sign questions (issue 9)
CONF_DESCRIBED = 0.8      # the symptom described and said to be new: a yes
CONF_OLD = 0.45           # a described symptom said to be old and unchanged: a "no", read back
CONF_UNCLEAR_NO = 0.5     # a "no" from a word or two inside a longer sentence: read back
CLEAR_DENIAL_SHARE = 0.25  # ... when denial words are less than this share of the words
BARE_NO_TALK = 2          # ... or a bare "no" then this many other words no phrase explains
CONF_CORRECTED = 0.8      # "no... wait, yes": the answer after a correction word

RANGES = {"age": (0, 120), "pain_score": (0, 10)}


@dataclass(frozen=True)
class Interpretation:
    intent: str
    value: Any = None
    confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"intent": self.intent, "value": self.value, "confidence": round(self.confidence, 3)}


UNKNOWN = Interpretation("unknown", None, 0.0)


@dataclass
class _Match:
    start: int
    end: int
    entry: Entry
    homophone: bool


def closest_word(q: Question, token: str, cutoff: float = 0) -> tuple[str, float] | None:
    """The question's word nearest to ``token`` by ``fuzz.ratio`` (normalised Indel
    similarity; not WRatio, whose partial matching scores short words against long
    ones far too high), if it reaches ``cutoff``."""
    if not q.targets:
        return None
    # Imported on the first word that needs it: most sessions never misspell one, and a
    # typed session starts ~3 ms sooner without it.
    from rapidfuzz import fuzz, process

    # Tokens are already normalised by tokenize(), our processor; targets too.
    hit = process.extractOne(token, q.targets, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
    return (hit[0], hit[1]) if hit is not None else None


def needs_correction(q: Question, token: str) -> bool:
    """Only long, unknown words are corrected: short ones change meaning with one letter."""
    return not (token in (BOUNDARY, UNK) or token in q.words or token[0].isdigit()
                or len(token) < q.lang.numbers["fuzzy"]["min_length"])


def cutoff_for(q: Question, token: str) -> float:
    cutoffs = {int(k): v for k, v in q.lang.numbers["fuzzy"]["cutoffs"].items()}
    return cutoffs[min(len(token), max(cutoffs))]


def _correct(q: Question, toks: list[str]) -> tuple[list[str], dict[int, float]]:
    """Replace words the question does not know by the closest one it does, when close enough
    for the word's length (cut-offs measured by ``bench/intents.py --tune``)."""
    corrected: dict[int, float] = {}
    out = list(toks)
    for i, t in enumerate(toks):
        if needs_correction(q, t):
            hit = closest_word(q, t, cutoff_for(q, t))
            if hit is not None:
                out[i] = hit[0]
                corrected[i] = hit[1] / 100.0
    return out, corrected


def _find(q: Question, toks: list[str]) -> list[_Match]:
    """Phrase matches, longest first, never overlapping (ties: earliest). Meta, topic and
    number phrases are placed first; generic answers only in the words left over, so
    "I'm not sleeping" is the sleep phrase "not sleeping", not the opener "I'm not"."""
    homo = q.lang.homophone_words
    canon = [homo.get(t, t) for t in toks]
    n = len(toks)
    taken = [False] * n
    chosen: list[_Match] = []
    for table in (q.table, q.answers):
        found: list[_Match] = []
        for i in range(n):
            for length in range(min(q.max_len, n - i), 0, -1):
                entries = table.get(tuple(canon[i:i + length]))
                if not entries:
                    continue
                used_homophone = tuple(toks[i:i + length]) not in q.surfaces
                # A lone "know" is "no" only at the start of a clause ("know, I haven't"),
                # never in "I know".
                if used_homophone and length == 1 and i > 0 and toks[i - 1] != BOUNDARY:
                    continue
                found.append(_Match(i, i + length, entries[0], used_homophone))
        if table is q.table:
            # A lone request word inside a longer answer phrase is part of the answer:
            # "huh" is a request, "uh huh" is a yes.
            spans = [(a.start, a.end) for a in _all_matches(q, q.answers, toks, canon)]
            found = [m for m in found if not (m.entry.alone and any(
                a <= m.start and m.end <= b and b - a > m.end - m.start for a, b in spans))]
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        for m in found:
            if not any(taken[m.start:m.end]):
                chosen.append(m)
                for k in range(m.start, m.end):
                    taken[k] = True
    chosen.sort(key=lambda m: m.start)
    return chosen


def _all_matches(q: Question, table, toks: list[str], canon: list[str]) -> list[_Match]:
    """Every phrase of ``table`` in the words, overlaps included."""
    out = []
    for i in range(len(toks)):
        for length in range(min(q.max_len, len(toks) - i), 0, -1):
            entries = table.get(tuple(canon[i:i + length]))
            if entries:
                out.append(_Match(i, i + length, entries[0], False))
    return out


def _negator(q: Question, toks: list[str], m: _Match, yes_cover: set[int]) -> int | None:
    """Index of the negation word that negates match ``m`` (same clause, within the window), if any."""
    spec = q.lang.numbers["negators"]
    homo = q.lang.homophone_words
    k = m.start - 1
    steps = 0
    while k >= 0 and steps < spec["window"]:
        t = homo.get(toks[k], toks[k])
        if t == BOUNDARY or t in q.lang.clause_breaks or tuple(toks[k:k + 2]) in q.lang.clause_starts:
            break
        if t in q.lang.negators and k not in yes_cover:
            return k
        k -= 1
        steps += 1
    # Languages that negate after the word (Korean "열이 없어요", "열은 안 나요").
    if q.lang.post_negators:
        k = m.end
        while k < len(toks) and k - m.end < spec.get("after_window", spec["window"]):
            t = toks[k]
            if t == BOUNDARY or t in q.lang.clause_breaks:
                break
            if t in q.lang.post_negators and k not in yes_cover:
                return k
            k += 1
    return None


def _coverage(q: Question, toks: list[str], covered: set[int], unreadable: int = 0) -> float:
    """Share of the answer that some phrase or number explained: words in a phrase plus the
    other words that are not fillers; unreadable [unk] words count as unexplained."""
    relevant = [i for i, t in enumerate(toks) if t != BOUNDARY and (i in covered or t not in q.lang.fillers)]
    if not relevant and not unreadable:
        return 1.0
    return sum(1 for i in relevant if i in covered) / (len(relevant) + unreadable)


def _content_explained(q: Question, toks: list[str], covered: set[int]) -> float:
    """Share of the words that are not fillers that a phrase explained (1.0 when there are none)."""
    content = [i for i, t in enumerate(toks) if t != BOUNDARY and t not in q.lang.fillers]
    return sum(1 for i in content if i in covered) / len(content) if content else 1.0


def _word_factor(word_confidences: Any) -> float:
    """Recognizer word confidences (floats, (word, conf) pairs or Vosk dicts) -> factor in 0..1:
    the mean, pulled down towards the weakest word."""
    if word_confidences is None:
        return 1.0
    vals: list[float] = []
    try:
        for w in word_confidences:
            c = w.get("conf") if isinstance(w, dict) else (w[1] if isinstance(w, (tuple, list)) else w)
            c = float(c)
            if c == c:  # not NaN
                vals.append(min(1.0, max(0.0, c)))
    except (TypeError, ValueError, IndexError):
        return 1.0
    if not vals:
        return 1.0
    return 0.5 * min(vals) + 0.5 * sum(vals) / len(vals)


def interpret(text: Any, topic: Any = None, expects: str = "yesno", lang: str = "en",
              word_confidences: Iterable[Any] | None = None, today: Any = None) -> Interpretation:
    """Understand one answer to a question about ``topic`` (a code or the Ask's tuple of codes)
    that ``expects`` yesno | duration | number. Never raises on odd text: anything it cannot
    read is ``unknown``. Raises ValueError only for an unknown topic, expects or language.
    ``today`` (a date, datetime or timestamp: the session clock) resolves dates ("since
    Friday", "born in 1961"); without it no date is read."""
    q = question(lang, topic_tuple(topic), expects)
    toks = q.lang.tokens(text, numeric=expects != "yesno")
    # [unk] words are matched around ("i don't [unk] know" is still "I don't know") but
    # remembered: they lower confidence and stop a bare "I'm not [unk]" from being a "no".
    unreadable = toks.count(UNK)
    after_unk = {i - k for k, i in enumerate(i for i, t in enumerate(toks) if t == UNK)}  # index of the word after each [unk]
    toks = [t for t in toks if t != UNK]
    homo = q.lang.homophone_words
    # "not [unk]", "don't [unk]": what was negated is unreadable (perhaps "sure", "know").
    negation_lost = any(0 < i <= len(toks) and homo.get(toks[i - 1], toks[i - 1]) in q.lang.negators
                        for i in after_unk)
    if not toks:
        return UNKNOWN
    toks, corrected = _correct(q, toks)
    matches = _find(q, toks)
    result = _decide(q, toks, matches, unreadable, after_unk, dates.as_date(today))
    if result.intent == "no" and _off_topic_question(q, toks, matches, text):
        return UNKNOWN
    if result.intent == "unknown" or (result.intent == "no" and negation_lost):
        return UNKNOWN
    used = [i for m in matches for i in range(m.start, m.end) if i in corrected]
    conf = result.confidence
    for i in used:
        conf *= corrected[i]
    conf *= _word_factor(word_confidences)
    return Interpretation(result.intent, result.value, round(max(0.0, min(1.0, conf)), 4))


def _decide(q: Question, toks: list[str], matches: list[_Match], unreadable: int = 0,
            after_unk: set[int] = frozenset(), today: date | None = None) -> Interpretation:
    meta = _meta(q, toks, matches)
    if meta is not None:
        return meta
    answers = [m for m in matches if m.entry.kind != "meta"]
    if q.expects == "duration":
        return _dated(q, toks, _duration(q, toks, answers, unreadable, after_unk), today)
    if q.expects == "number":
        return _age(q, toks, _number(q, toks, answers, unreadable), today)
    return _yes_no(q, toks, answers, unreadable)


def _dated(q: Question, toks: list[str], plain: Interpretation, today: date | None) -> Interpretation:
    """A duration said as a date ("since Friday") or as an anniversary to come ("six days tomorrow")."""
    if today is None:
        return plain
    code = q.lang.lang
    if plain.intent == "duration":
        ahead = dates.future_offset_days(code, toks, today)
        if ahead:
            return Interpretation("duration", round(max(0.0, plain.value - ahead / 7), 4), plain.confidence)
        if num.durations(q.lang, toks, set()):
            return plain  # a number and a unit were said: they win over a weekday in passing
    anchor = dates.anchor_date(code, toks, today)
    if anchor is None:
        return plain
    day, conf = anchor
    return Interpretation("duration", round((today - day).days / 7, 4), conf)


def _age(q: Question, toks: list[str], plain: Interpretation, today: date | None) -> Interpretation:
    """Ages said as a year of birth, a birthday to come or a decade."""
    if "age" not in q.topics:
        return plain
    code = q.lang.lang
    if today is not None:
        born = dates.birth_year_age(code, toks, today)
        if born is not None:
            return Interpretation("number", born, dates.CONF_MONTH)
    found = [x for x in num.numbers(q.lang, toks, set()) if 0 < x.value <= 120]
    if found:
        now = [x for x in found if not dates.future_age(code, toks, x.start, x.end)]
        if len(now) < len(found):
            value = max(x.value for x in now) if now else min(x.value for x in found) - 1
            return Interpretation("number", int(value), dates.CONF_MONTH)
        return plain
    decade = dates.decade_age(code, toks)
    if decade is not None and plain.intent != "number":
        return Interpretation("number", decade, dates.CONF_DECADE)
    return plain


def _spans(ms: Iterable[_Match]) -> set[int]:
    return {i for m in ms for i in range(m.start, m.end)}


def _doubts(answers: list[_Match]) -> tuple[set[int], list[_Match], list[_Match]]:
    """(words explained, "don't know" phrases, hedges)."""
    return (_spans(answers), [m for m in answers if m.entry.intent == "unsure"],
            [m for m in answers if m.entry.intent == "hedge"])


def _meta(q: Question, toks: list[str], matches: list[_Match]) -> Interpretation | None:
    """A request about the conversation. "alone" words must be the whole answer, apart from
    fillers and other requests; the longest request wins."""
    lang = q.lang
    metas = [m for m in matches if m.entry.kind == "meta"]
    meta_cover = {i for m in metas for i in range(m.start, m.end)}
    valid = []
    lead = _lead_words(lang)
    for m in metas:
        if m.entry.alone:
            rest = [t for i, t in enumerate(toks)
                    if (i < m.start or i >= m.end) and i not in meta_cover and t != BOUNDARY and t not in lang.alone_ok]
            # "yes? what?", "네? 뭐라고요?", "sí, ¿perdón?": a yes- or no-word before a lone request to
            # repeat, and nothing else, is the start of "pardon?", not an answer (a "yes" there once gave an
            # emergency). With any other word ("no, ¿por qué?") the answer word stands.
            if rest and m.entry.intent == "repeat" and all(t in lead for t in rest) and not any(
                    t != BOUNDARY and t not in lead for i, t in enumerate(toks)
                    if (i < m.start or i >= m.end) and i not in meta_cover):
                rest = []
            if rest:
                continue
        valid.append(m)
    if valid:
        best = max(valid, key=lambda m: (m.end - m.start, not m.entry.alone, m.start))
        conf = CONF_META_ALONE if best.entry.alone else CONF_META
        return Interpretation(best.entry.intent, None, conf * _homophone(best))
    return None


def _lead_words(lang: Any) -> frozenset:
    """The one-word yes and no answers of a language ("yes", "no", "네", "sí"): said before "pardon?"."""
    words = lang.parts.get("_lead_words")
    if words is None:
        words = frozenset(w for kind in ("yes", "no") for strength in ("strong", "weak")
                          for w in lang.answers.get(kind, {}).get(strength, ()) if " " not in w)
        lang.parts["_lead_words"] = words
    return words


def _duration(q: Question, toks: list[str], answers: list[_Match], unreadable: int,
              after_unk: set[int]) -> Interpretation:
    """The largest duration said (weeks); else unsure or unknown."""
    lang = q.lang
    covered, unsure, hedges = _doubts(answers)
    rel = [m for m in answers if m.entry.kind == "relative"]
    skip = _spans(unsure + hedges + rel)
    # "[unk] weeks": the number itself was unreadable; no bare-plural guess then.
    found = [d for d in num.durations(lang, toks, skip) if not (d.guessed and d.start in after_unk)]
    values = [(m.entry.value, False, m) for m in rel] + [(d.weeks, d.guessed, None) for d in found]
    if values:
        weeks = max(v for v, _, _ in values)
        guessed = any(g for v, g, _ in values if v == weeks)
        cover = covered | {i for d in found for i in range(d.start, d.end)}
        conf = (CONF_GUESSED if guessed else CONF_NUMBER) * _cover_factor(q, toks, cover, unreadable)
        if unsure or hedges:
            conf *= HEDGE_FACTOR
        if unreadable:
            conf *= UNK_NO_FACTOR  # part of the duration may be missing ("a year and [unk] months")
        return Interpretation("duration", round(weeks, 4), conf)
    return _unsure_or_unknown(q, toks, covered, unsure, hedges)


def _number(q: Question, toks: list[str], answers: list[_Match], unreadable: int) -> Interpretation:
    """The largest number said, within the topic's range; else unsure or unknown."""
    lang = q.lang
    covered, unsure, hedges = _doubts(answers)
    vals = [m for m in answers if m.entry.kind == "value"]
    skip = _spans(unsure + hedges + vals)
    found = num.numbers(lang, toks, skip)
    guessed = False
    if not found and not vals:
        h = num.homophone_number(lang, toks, skip)
        if h is not None:
            found, guessed = [h], True
    candidates = [float(m.entry.value) for m in vals] + [x.value for x in found]
    if candidates:
        value = max(candidates)
        lo, hi = _range(q.topics)
        if not lo <= value <= hi:
            return UNKNOWN
        cover = covered | {i for x in found for i in range(x.start, x.end)}
        conf = (CONF_GUESSED if guessed else CONF_NUMBER) * _cover_factor(q, toks, cover, unreadable)
        if unsure or hedges:
            conf *= HEDGE_FACTOR
        if len({v for v in candidates}) > 1:
            conf *= HEDGE_FACTOR  # "seven or eight": the higher, less sure
        return Interpretation("number", int(value) if value == int(value) else value, conf)
    return _unsure_or_unknown(q, toks, covered, unsure, hedges)


def _yes_no(q: Question, toks: list[str], answers: list[_Match], unreadable: int) -> Interpretation:
    plain = _yes_no_plain(q, toks, answers, unreadable)
    if not RED_FLAG_TOPICS.intersection(q.topics):
        return plain
    return _red_flag(q, toks, answers, plain)


def _red_flag(q: Question, toks: list[str], answers: list[_Match], plain: Interpretation) -> Interpretation:
    """A warning-sign question: a sentence that describes the symptom is not a silent "no".

    - the topic's own words said to be new ("... which has never happened before") -> yes;
    - the topic's own words said to be old and unchanged ("since my kids, it's not new") -> a
      "no" read back (CONF_OLD, under every read-back threshold);
    - "new" alone ("no, never happened before") is not a clear answer -> unsure, asked again;
    - a "no" from a word or two in a sentence mostly about something else ("I keep needing to
      go but nothing comes out") is read back (CONF_UNCLEAR_NO) instead of counting silently;
    - so is a bare no-word before talk of something else ("아니 근데 여기 주차 돼요").
    """
    new = [m for m in answers if m.entry.intent == "new"]
    old = [m for m in answers if m.entry.intent == "old"]
    described = any(m.entry.kind == "topic" and m.entry.intent == "yes" for m in answers)
    if new and not old:
        return Interpretation("yes", None, CONF_DESCRIBED) if described else \
            Interpretation("unsure", None, CONF_CONFLICT)
    if old and not new and (described or plain.intent == "yes") and NEW_SIGN_TOPICS.intersection(q.topics):
        return Interpretation("no", None, CONF_OLD)
    if plain.intent == "no" and plain.confidence >= CONF_UNCLEAR_NO:
        denial = _spans(m for m in answers if m.entry.intent in ("no", "old")
                        or (m.entry.kind == "topic" and m.entry.intent == "no"))
        words = [t for t in toks if t != BOUNDARY and t not in q.lang.fillers]
        if words and len(denial) / len(words) < CLEAR_DENIAL_SHARE and not _leading_denial(answers):
            return Interpretation("no", None, CONF_UNCLEAR_NO)
        if _bare_no_then_talk(q, toks, answers):
            return Interpretation("no", None, CONF_UNCLEAR_NO)
    return plain


def _off_topic_question(q: Question, toks: list[str], matches: list[_Match], text: Any) -> bool:
    """A bare no-word, then a question about something else: "no, where's the toilet?", "아니 근데
    화장실 어디예요?". People open such a question with "no" or "아니" the way they do with "well",
    so it is no answer to the question (not understood: asked again; a warning sign is never denied
    by it). A question about the question ("no, why do you ask?", "no, is that bad?"), a denial
    with more words than the no-word ("no I haven't, where's the toilet?", "no fever, but ...") and
    any question whose words a phrase of the question explains stay answers. ``[questions]`` in
    answers.toml: ``openers`` start a question, ``words`` ask wherever they stand, ``endings`` end
    a word that asks (Korean "-까요"), ``lead`` may stand before it, ``about`` is about the question."""
    spec = q.lang.answers.get("questions")
    answers = [m for m in matches if m.entry.kind != "meta" and m.entry.intent != "neutral"]
    # Openers inside the question ("hay aparcamiento", "물 좀 마실 수") are part of it; any other
    # phrase must be a bare no-word.
    weak = [m for m in answers if m.entry.strength == "weak"]
    plain = [m for m in answers if m.entry.strength != "weak"]
    if not spec or not plain or not all(_bare_no(q, toks, m) for m in plain):
        return False
    covered = _spans(m for m in matches if m.entry.kind != "meta" and m.entry.strength != "weak")
    asked = asked_clauses(text, q.lang.decimal_comma)
    # the runs of words after the first no-word, one per clause (BOUNDARY tokens end a clause)
    clause = toks[:plain[0].start].count(BOUNDARY)
    runs: dict[int, list[int]] = {}
    for i in range(plain[0].end, len(toks)):
        if toks[i] == BOUNDARY:
            clause += 1
        elif i not in covered:
            runs.setdefault(clause, []).append(i)
        elif clause in runs:
            return False  # a phrase inside the question: it is about the answer
    phrases = _question_phrases(q)
    off_topic: set[int] = set()
    for k, idx in runs.items():
        words = [toks[i] for i in idx]
        skip = 0
        while True:  # "but", "oh", "by the way" before the question
            lead = next((p for p in phrases["lead"] if tuple(words[skip:skip + len(p)]) == p), None)
            if not lead:
                break
            skip += len(lead)
        words = words[skip:]
        if not words or any(_contains(words, p) for p in phrases["about"]):
            continue
        opener = next((p for p in phrases["openers"] if tuple(words[:len(p)]) == p), ())
        asks = (k in asked or bool(opener) or any(t.startswith(w) for t in words for w in phrases["words"])
                or any(t.endswith(e) and len(t) > len(e) for t in words[-1:] for e in phrases["endings"]))
        if asks and any(t not in q.lang.fillers for t in words[len(opener):]):
            off_topic.update(idx[skip:])
    return bool(off_topic) and all(i in off_topic for m in weak for i in range(m.start, m.end))


def _bare_no(q: Question, toks: list[str], m: _Match) -> bool:
    """A no-word and nothing else ("no", "nope", "no no", "아니"): no denial of anything in particular."""
    if m.entry.intent != "no" or m.entry.strength != "strong" or m.entry.kind != "answer":
        return False
    singles, homo = _question_phrases(q)["no_words"], q.lang.homophone_words
    words = [homo.get(t, t) for t in toks[m.start:m.end] if t not in q.lang.fillers]  # "아니 요"
    return bool(words) and all((t,) in singles for t in words)


def _question_phrases(q: Question) -> dict[str, Any]:
    """``[questions]`` as token tuples (accents folded, Korean split like what people say), once per language."""
    lang = q.lang
    cached = lang.parts.get(("questions",))
    if cached is None:
        spec = lang.answers.get("questions", {})

        def toks(key: str) -> list[tuple[str, ...]]:
            out = {lang.phrase_tokens_of(p) for raw in spec.get(key, []) for p in expand(raw)}
            return sorted((t for t in out if t), key=len, reverse=True)
        cached = lang.parts[("questions",)] = {
            "openers": toks("openers"), "lead": toks("lead"), "about": toks("about"),
            "words": tuple(t[0] for t in toks("words")), "endings": tuple(spec.get("endings", [])),
            "no_words": {lang.phrase_tokens_of(p) for p in lang.answers["no"].get("strong", [])
                         if len(lang.phrase_tokens_of(p)) == 1},
        }
    return cached


def _leading_denial(answers: list[_Match]) -> bool:
    """The answer starts with a plain denial ("no, ...", "nope, ...", "no fever, ...")."""
    first = min(answers, key=lambda m: m.start, default=None)
    return first is not None and first.start == 0 and first.entry.intent == "no" and first.entry.strength == "strong"


def _bare_no_then_talk(q: Question, toks: list[str], answers: list[_Match]) -> bool:
    """A bare no-word and then words about something else, no phrase of the question among them:
    "아니 근데 여기 주차 돼요" (spoken, so no "?" marks the question), "no but I came by bus". The
    "no" may be an answer or only the opener "well"; such an answer is read back."""
    if len(answers) != 1 or not _bare_no(q, toks, answers[0]):
        return False
    talk = [t for i, t in enumerate(toks) if t != BOUNDARY and t not in q.lang.fillers
            and not answers[0].start <= i < answers[0].end]
    return len(talk) >= BARE_NO_TALK


def _yes_no_plain(q: Question, toks: list[str], answers: list[_Match], unreadable: int) -> Interpretation:
    covered, unsure, hedges = _doubts(answers)
    if unsure:
        return Interpretation("unsure", None, CONF_UNSURE * _homophone(*unsure))
    # Negation words inside a yes-phrase ("can't sleep") or a neutral one ("never felt so weak")
    # negate nothing.
    yes_cover = {i for m in answers if m.entry.intent in ("yes", "neutral", "new", "old") for i in range(m.start, m.end)}
    strong: set[str] = set()
    per_topic: dict[str, set[str]] = {}
    weak: set[str] = set()
    factor = 1.0
    # A "no" that negates a topic word ("no fever", "I've never taken steroids") belongs to
    # that topic; it is not also a no to the whole question.
    negations: dict[int, int] = {}
    for idx, m in enumerate(answers):
        if m.entry.negatable:
            k = _negator(q, toks, m, yes_cover)
            if k is not None:
                negations[idx] = k
    absorbed = {k for idx, k in negations.items() if answers[idx].entry.strength == "topic"}
    evidence: list[tuple[int, int, str]] = []  # (start, end, polarity) of the plain and topic answers
    for idx, m in enumerate(answers):
        e = m.entry
        if e.intent not in ("yes", "no"):
            continue
        if e.strength == "strong" and e.intent == "no" and absorbed.intersection(range(m.start, m.end)):
            continue
        strength = e.strength
        if strength == "weak" and any(t in q.lang.clause_breaks for t in toks[max(0, m.start - 2):m.start]):
            strength = "strong"  # "... but I did": a turn-around, not an opener
        polarity = e.intent
        if idx in negations:
            polarity = "no"
            factor *= NEGATED_FACTOR
        factor *= _homophone(m)
        if strength in ("strong", "topic"):
            evidence.append((m.start, m.end, polarity))
        if strength == "topic":
            per_topic.setdefault(e.topic, set()).add(polarity)
        else:
            (strong if strength == "strong" else weak).add(polarity)
    topical = _combine_topics(per_topic)
    main = strong | topical
    if len(main) > 1:
        corrected = _corrected(q, toks, evidence)
        if corrected is not None:
            return Interpretation(corrected, None, CONF_CORRECTED * factor)
    if len(main) > 1 or (not main and len(weak) > 1):
        return Interpretation("unsure", None, CONF_CONFLICT)
    if main:
        polarity = main.pop()
        conf = CONF_AGREE if (strong and topical) else (CONF_TOPIC if topical else CONF_STRONG)
    elif weak:
        # "I'm not [unk]" may have been "I'm not sure": an opener next to an unreadable word is not an answer.
        if unreadable or _content_explained(q, toks, covered) < WEAK_MIN_COVERAGE:
            # "I don't weigh myself": an opener inside a sentence about something else.
            return Interpretation("unsure", None, CONF_HEDGE_ONLY) if hedges else UNKNOWN
        polarity = weak.pop()
        conf = CONF_WEAK
    elif hedges:
        return Interpretation("unsure", None, CONF_HEDGE_ONLY)
    else:
        return UNKNOWN
    conf *= factor * _cover_factor(q, toks, covered, unreadable)
    if hedges:
        conf *= HEDGE_FACTOR
    if polarity == "no" and unreadable:
        conf *= UNK_NO_FACTOR
    return Interpretation(polarity, None, conf)


def _corrected(q: Question, toks: list[str], evidence: list[tuple[int, int, str]]) -> str | None:
    """"no... wait, yes", "yes, but actually, no": one answer, then a correction word, then the other:
    the answer after it counts. A yes corrected to no counts only where a "no" hides no warning sign;
    at a warning sign it stays unsure (asked again), as any yes-and-no does."""
    words = q.lang.answers.get("correction", {}).get("words", [])
    if not words or len(evidence) < 2:
        return None
    evidence = sorted(evidence)
    final = evidence[-1][2]
    k = len(evidence) - 1
    while k > 0 and evidence[k - 1][2] == final:
        k -= 1
    if k == 0 or any(pol == final for _, _, pol in evidence[:k]):
        return None
    gap = toks[evidence[k - 1][1]:evidence[k][0]]
    if not any(_contains(gap, q.lang.phrase_tokens_of(w)) for w in words):
        return None
    if final == "no" and RED_FLAG_TOPICS.intersection(q.topics):
        return None
    return final


def _contains(toks: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(toks[i:i + n]) == phrase for i in range(len(toks) - n + 1))


def _combine_topics(per_topic: dict[str, set[str]]) -> set[str]:
    """An Ask asks "any of these?": "I take steroids but my bones are fine" is a yes.
    Shared phrases ("I'm fine") speak for every topic."""
    shared = per_topic.pop("", set())
    if not per_topic:
        return shared
    # One affirmed sign is a yes, whatever else is denied: "I didn't fall but I was in a
    # crash", "no fever, but chills" (the cautious reading).
    combined = {"yes"} if any("yes" in pols for pols in per_topic.values()) else {"no"}
    return combined | shared


def _homophone(*ms: _Match) -> float:
    return HOMOPHONE_FACTOR if any(m.homophone for m in ms) else 1.0


def _cover_factor(q: Question, toks: list[str], covered: set[int], unreadable: int = 0) -> float:
    return 0.6 + 0.4 * _coverage(q, toks, covered, unreadable)


def _unsure_or_unknown(q, toks, covered, unsure, hedges) -> Interpretation:
    if unsure:
        return Interpretation("unsure", None, CONF_UNSURE * _homophone(*unsure))
    if hedges and _content_explained(q, toks, covered) >= 0.99:
        return Interpretation("unsure", None, CONF_HEDGE_ONLY)
    return UNKNOWN


def _range(topics: tuple[str, ...]) -> tuple[float, float]:
    for t in topics:
        if t in RANGES:
            return RANGES[t]
    return (0, 10_000)


def vocabulary(topic: Any, expects: str = "yesno", lang: str = "en") -> list[str]:
    """Every phrase the matcher can use at this question, meta requests included, in
    lower case as spoken ("don't know"), for restricting a recognizer's grammar. Number
    and duration questions add the number and unit words. (Callers add "[unk]".)"""
    return list(question(lang, topic_tuple(topic), expects).phrases)
