"""Phrase data per language, loaded once and compiled per question.

The data lives in each language's pack, ``languages/<lang>/phrases/*.toml`` (answers,
meta, topics, grammar); a pack with the same files adds a language without code. Loading is
lazy and cached: the first ``interpret`` call for a language reads its files,
the first call for a question (topics + expects) puts its phrase table together
from parts tokenised once per language (the meta and answer phrases every
question shares, each topic's own phrases), about 1 ms.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import languages as packs
from triage.vocabulary import EXPECTS, META_INTENTS, TOPICS  # noqa: F401  (one spelling for triage and intents)

BOUNDARY = "|"  # clause break token: phrases never span it, negation stops at it
UNK = "[unk]"   # a word the recognizer heard but could not read: kept, because it may have been "sure"
MAX_CHARS = 2000  # a spoken answer is a few seconds; longer input is cut, not rejected
MAX_TOKENS = 80

_UNK_TAG = re.compile(r"\[unk\]|<unk>")
_TAGS = re.compile(r"\[[a-z_ ]*\]|<[a-z_ ]*>")  # [noise], [laughter], ... from recognizers
_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(10|ten)\b")  # "8/10" -> "8 out of 10"
_DIGIT_RANGE = re.compile(r"(\d)\s*[-\u2013\u2014]\s*(\d)")  # "3-4 weeks" -> "3 to 4 weeks"
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4\u02bc]")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+|\x01|[,.;:!?()\"\u201c\u201d\u2026]")
_ALTERNATION = re.compile(r"\{([^{}]*)\}")
_PLAIN = re.compile(r"[a-z' ]*")  # nothing for the rules below to do but apostrophes and spaces


def fold_accents(text: str) -> str:
    """"días" -> "dias", "sí" -> "si": people type Spanish with or without accents.
    Only combining marks go; Hangul syllables decompose to jamo (letters, not marks)
    and compose back unchanged."""
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)))


_DECIMAL_COMMA = re.compile(r"(\d),(\d{1,2})(?!\d)")  # "3,5 años" -> "3.5"; "1,000" (three digits) is a thousand


def tokenize(text: object, contractions: dict[str, str] | None = None, fold: bool = False,
             decimal_comma: bool = False) -> list[str]:
    """Our rapidfuzz processor and tokenizer: lower case, apostrophes dropped
    ("don't" -> "dont", then written out by the language's ``contractions``:
    "do not"), recognizer tags removed, punctuation -> BOUNDARY; ``fold``: accents dropped."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[:MAX_CHARS]
    # ASCII needs no NFKC, and its casefold is lower(); plain words (most answers, every
    # phrase in the data) need none of the substitutions: 8x faster, the same tokens.
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    if fold and not text.isascii():
        text = fold_accents(text)
    if _PLAIN.fullmatch(text):
        raw = text.replace("'", "").split()
    else:
        if decimal_comma:
            text = _DECIMAL_COMMA.sub(r"\1.\2", text)
        text = _UNK_TAG.sub(" \x01 ", text)
        text = _TAGS.sub(" ", text)
        text = _SCALE.sub(r"\1 out of 10", text)
        text = _DIGIT_RANGE.sub(r"\1 to \2", text)
        text = _APOSTROPHES.sub("", text)
        raw = _TOKEN.findall(text)
    tokens: list[str] = []
    for tok in raw:
        if tok == "\x01":
            tokens.append(UNK)
            continue
        if not (tok[0].isalnum()):
            if tokens and tokens[-1] != BOUNDARY:
                tokens.append(BOUNDARY)
            continue
        if contractions and tok in contractions:
            tokens.extend(contractions[tok].split())
        else:
            tokens.append(tok)
        if len(tokens) >= MAX_TOKENS:
            break
    while tokens and tokens[-1] == BOUNDARY:
        tokens.pop()
    return tokens


def asked_clauses(text: object, decimal_comma: bool = False) -> frozenset[int]:
    """Which of the clauses ``tokenize`` makes of ``text`` (the runs of words between its
    BOUNDARY tokens, counted from 0) a question mark ends: "no, where's the toilet?" -> {1}.
    Only typed text has them (a recognizer writes none); the matcher's other question cues are
    words (``[questions]`` in answers.toml)."""
    if not isinstance(text, str) or not ("?" in text or "\uff1f" in text):
        return frozenset()
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold()
    if decimal_comma:
        text = _DECIMAL_COMMA.sub(r"\1.\2", text)
    text = _APOSTROPHES.sub("", _DIGIT_RANGE.sub(r"\1 to \2", _SCALE.sub(r"\1 out of 10", _TAGS.sub(
        " ", _UNK_TAG.sub(" \x01 ", text)))))
    asked: set[int] = set()
    clause, words, ended = 0, False, None
    for tok in _TOKEN.findall(text):
        if tok[0].isalnum() or tok == "\x01":
            words = True
        elif words:  # the first mark after a clause's words ends it (tokenize writes one BOUNDARY)
            ended, clause, words = clause, clause + 1, False
            if tok == "?":
                asked.add(ended)
        elif tok == "?" and ended is not None:  # "...?!" or "!?": the same clause
            asked.add(ended)
    return frozenset(asked)


def expand(phrase: str) -> list[str]:
    """``"{can't|cannot} sleep"`` -> ["can't sleep", "cannot sleep"]; an empty option is allowed."""
    m = _ALTERNATION.search(phrase)
    if not m:
        return [" ".join(phrase.split())]
    out: list[str] = []
    for option in m.group(1).split("|"):
        out.extend(expand(phrase[:m.start()] + option + phrase[m.end():]))
    return out


@dataclass(frozen=True)
class Entry:
    """What a phrase means at a question."""
    kind: str          # meta | answer | topic | value | relative
    intent: str        # yes/no/unsure/hedge, a meta intent, number, duration
    strength: str = "strong"  # answers: strong | weak; topic phrases: topic
    value: float | None = None
    alone: bool = False       # meta words that count only as the whole answer
    phrase: str = ""          # the phrase as written in the data (for vocabulary)
    topic: str = ""           # topic phrases: whose ("" = shared by all the question's topics)

    @property
    def negatable(self) -> bool:
        return self.intent == "yes" and self.strength in ("topic", "weak")


# Same phrase twice at one question: the more specific meaning wins.
_PRIORITY = {"meta": 0, "value": 1, "relative": 1}
_ANSWER_PRIORITY = {"unsure": 2, "topic": 3, "strong": 4, "hedge": 5, "neutral": 5, "new": 5, "old": 5, "weak": 6}


def _rank(e: Entry) -> int:
    if e.kind in _PRIORITY:
        return _PRIORITY[e.kind]
    if e.intent in ("unsure", "hedge", "neutral", "new", "old"):
        return _ANSWER_PRIORITY[e.intent]
    return _ANSWER_PRIORITY[e.strength]


@dataclass
class Language:
    """One language's data files, read once."""
    lang: str
    answers: dict
    meta: dict
    topics: dict
    numbers: dict
    fillers: frozenset = field(default_factory=frozenset)
    negators: frozenset = field(default_factory=frozenset)
    clause_breaks: frozenset = field(default_factory=frozenset)
    clause_starts: frozenset = field(default_factory=frozenset)  # ("and", "i"): a new clause
    homophone_words: dict = field(default_factory=dict)  # heard word -> canonical answer word
    number_words: dict = field(default_factory=dict)     # word -> value (units, teens, tens)
    contractions: dict = field(default_factory=dict)     # "dont" -> "do not"
    alone_ok: frozenset = field(default_factory=frozenset)  # words a lone request may stand with
    units: dict = field(default_factory=dict)            # unit word -> weeks
    parts: dict = field(default_factory=dict, repr=False)  # phrase tables built once, shared by questions
    phrase_tokens: dict = field(default_factory=dict, repr=False)  # (phrase, numeric) -> tokens, for those tables
    fold: bool = False                                   # drop accents before matching ("dias" = "días")
    decimal_comma: bool = False                          # "3,5 años" = 3.5 years
    spoken_numbers: dict = field(default_factory=dict)   # grammar.toml as written (accents kept), for vocabularies
    post_negators: frozenset = field(default_factory=frozenset)  # negation AFTER the word (Korean "열이 없어요")
    suffixes: tuple = ()        # endings split off a known word (Korean particles: "열이" -> "열 이")
    stems: frozenset = field(default_factory=frozenset)  # words those endings may be split from
    number_pieces: tuple = ()   # pieces a number word may be glued from ("사십이세" -> "사십 이 세")

    def tokens(self, text: object, numeric: bool = False) -> list[str]:
        """``tokenize`` with this language's rules; ``numeric``: at number and duration
        questions, split glued numbers and units too ("두달" -> "두 달", "3일" -> "3 일")."""
        toks = tokenize(text, self.contractions, self.fold, self.decimal_comma)
        if not (self.suffixes or self.number_pieces):
            return toks
        out: list[str] = []
        for t in toks:
            out.extend(self.split(t, numeric))
        return out

    def phrase_tokens_of(self, phrase: str, numeric: bool = False) -> tuple[str, ...]:
        """A data phrase's tokens without clause breaks, worked out once (the meta phrases and
        topic groups recur at many questions); never used for what people say (unbounded)."""
        numeric = numeric and bool(self.suffixes or self.number_pieces)  # it only changes splitting
        key = (phrase, numeric)
        toks = self.phrase_tokens.get(key)
        if toks is None:
            toks = self.phrase_tokens[key] = tuple(t for t in self.tokens(phrase, numeric) if t != BOUNDARY)
        return toks

    def split(self, tok: str, numeric: bool = False) -> list[str]:
        """One written word as the words the phrase lists use (languages with [segment] only)."""
        if tok in (BOUNDARY, UNK) or tok in self.suffixes:
            return [tok]
        if numeric:
            glued = _glued_number(tok, self)
            if glued:
                return glued
        if tok in self.stems:
            return [tok]
        for suffix in self.suffixes:  # longest first
            if tok.endswith(suffix) and len(tok) > len(suffix):
                head = self.split(tok[:-len(suffix)], numeric)
                if head != [tok[:-len(suffix)]] or head[0] in self.stems or head[0] in self.number_words \
                        or head[0] in self.suffixes:
                    return head + [suffix]
        return [tok]


_DIGITS_THEN_LETTERS = re.compile(r"^(\d+(?:\.\d+)?)(\D+)$")


def _glued_number(tok: str, lang: "Language") -> list[str] | None:
    """"사십이세" -> ["사십", "이", "세"]; "3일" -> ["3", "일"]: only when the whole word is
    number pieces (and units or endings after them), fewest pieces, starting with a number."""
    m = _DIGITS_THEN_LETTERS.match(tok)
    if m:
        rest = _pieces(m.group(2), lang.number_pieces)
        return [m.group(1), *rest] if rest else None
    if tok in lang.number_pieces:
        return None
    parts = _pieces(tok, lang.number_pieces)
    if parts and (parts[0] in lang.number_words or parts[0] in lang.numbers["words"]["scales"]) and len(parts) > 1:
        return parts
    return None


def _pieces(word: str, pieces: tuple) -> list[str] | None:
    """Fewest pieces that make up ``word`` exactly, or None."""
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for i in range(len(word)):
        if best[i] is None:
            continue
        for p in pieces:
            if word.startswith(p, i):
                cand = best[i] + [p]
                j = i + len(p)
                if best[j] is None or len(cand) < len(best[j]):
                    best[j] = cand
    return best[len(word)]




@lru_cache(maxsize=None)
def language(lang: str = "en") -> Language:
    if not packs.has(lang, "phrases/answers.toml"):
        known = packs.codes("phrases/answers.toml")
        raise ValueError(f"no phrase data for language {lang!r}; available: {', '.join(known)}")

    def load(name: str) -> dict:
        try:
            return packs.read(packs.phrases(lang, name))
        except packs.PackError as e:
            raise ValueError(f"phrase data for language {lang!r}: {e}") from None

    numbers = load("grammar")
    words = numbers["words"]
    homophones = {}
    for canonical, heard in numbers.get("homophone_words", {}).items():
        for h in heard:
            homophones[h] = canonical
    answers, meta, topics = load("answers"), load("meta"), load("topics")
    fold = bool(numbers.get("normalise", {}).get("fold_accents", False))
    decimal_comma = bool(numbers.get("normalise", {}).get("decimal_comma", False))
    spoken_numbers = numbers
    if fold:  # matching sees folded words; the recognizer's grammar keeps the accents (spoken_numbers)
        numbers = _folded(numbers)
        words = numbers["words"]
    segment = numbers.get("segment", {})
    number_words = {**words["units"], **words["teens"], **words["tens"]}
    suffixes = tuple(sorted({fold_accents(x) if fold else x for x in segment.get("suffixes", [])}, key=len, reverse=True))
    pieces: tuple = ()
    stems: frozenset = frozenset()
    if segment:
        # Words the phrase lists use, as written: an ending is split off a word only when
        # what is left is one of them ("열이" -> "열" + "이"), so unknown words stay whole.
        raw = {w for text in _phrase_texts(answers, meta, topics, numbers)
               for w in tokenize(text, None, fold) if w != BOUNDARY}
        # A glued form in the data ("힘이") is not a stem when its parts are ("힘" + "이").
        # "나이" (age) is a stem although "나" and "이" are both endings: an ending alone is no head.
        stems = frozenset(w for w in raw if not any(
            w.endswith(x) and len(w) > len(x) and w[:-len(x)] in raw and w[:-len(x)] not in suffixes
            for x in suffixes))
        pieces = tuple(sorted({*number_words, *numbers["units"], *words["scales"], *segment.get("number_endings", []),
                               *suffixes}, key=len, reverse=True))
    return Language(
        lang=lang, answers=answers, meta=meta, topics=topics, numbers=numbers,
        fold=fold, decimal_comma=decimal_comma, suffixes=suffixes, stems=stems, number_pieces=pieces, spoken_numbers=spoken_numbers,
        post_negators=frozenset(numbers["negators"].get("after", [])),
        fillers=frozenset(numbers["fillers"]["words"]),
        alone_ok=frozenset(numbers["fillers"]["alone_ok"]),
        contractions=dict(numbers.get("contractions", {})),
        negators=frozenset(numbers["negators"]["words"]),
        clause_breaks=frozenset(numbers["negators"].get("clause_breaks", [])),
        clause_starts=frozenset(tuple(p.split()) for p in numbers["negators"].get("clause_starts", [])),
        homophone_words=homophones,
        number_words=number_words,
        units=dict(numbers["units"]),
    )


def _folded(x):
    """grammar.toml with accents dropped from every word (keys and values)."""
    if isinstance(x, str):
        return fold_accents(x)
    if isinstance(x, dict):
        return {_folded(k): _folded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_folded(v) for v in x]
    return x


def _number_vocabulary(numbers: dict, tokens) -> set[str]:
    """Words a number or duration answer is made of (number words, units, vague amounts, scale words)."""
    words = numbers["words"]
    out = {*words["units"], *words["teens"], *words["tens"], *numbers["units"], *words["articles"], *words["half"],
           *words["scales"], *words.get("half_after", []), *numbers.get("counted", {}), *words.get("multipliers", {}),
           *words.get("point", [])}
    for phrase in [*numbers.get("vague", {}), *numbers.get("whole", {}), *numbers["scale"]["out_of"]]:
        out.update(tokens(phrase))
    return out


def spell_numbers(said: dict, top: int) -> dict[int, list[str]]:
    """Every way the language's number words say 1..``top`` as separate words, from grammar.toml
    [words]: a tens word then a unit word of the same system ("마흔 두", "사십 이"; "forty two").
    Native Korean words before a unit take their counter forms ("두 달", "스무 살"), listed in
    ``counter_forms``; a standalone form that has one ("둘", "스물") is left out."""
    w = said["words"]
    native, counter = set(w.get("native", [])), set(w.get("counter_forms", []))
    units = {**w["units"], **w["teens"]}
    tens = w["tens"]
    has_counter = {v for k, v in {**units, **tens}.items() if k in counter}
    joiner = w.get("tens_joiner") or w.get("joiner") or ""

    def usable(word: str, value: int) -> bool:  # before a unit: a counter form where one exists
        return not native or word not in native or word in counter or value not in has_counter

    out: dict[int, list[str]] = {}
    for word, value in [*units.items(), *tens.items()]:
        if 0 < value <= top and (word in w["teens"] or usable(word, value)):
            out.setdefault(int(value), []).append(word)
    for t_word, t in tens.items():
        if t_word in counter or t_word in w["teens"]:  # "스무" is 20 alone, never "스무 두"
            continue
        for u_word, u in w["units"].items():
            if not (0 < u < 10) or t + u > top or (native and (t_word in native) != (u_word in native)):
                continue
            if usable(u_word, u) and not (native and u_word in counter and u_word not in native):
                out.setdefault(int(t + u), []).append(f"{t_word} {joiner} {u_word}" if joiner else f"{t_word} {u_word}")
    return out


def spoken_number_phrases(lang: "Language", topics: tuple[str, ...]) -> list[str]:
    """Whole number answers for a recognizer's grammar (grammar.toml [spoken]): each way of saying
    1..``up_to`` followed by each of the topic's units ("마흔 두 살", "사십 이 세", "세 주", "두 달").
    Vosk estimates a bigram model from its phrase list, so number words listed only one by
    one let it string any of them together ("사 오" for "살"); whole answers teach it which
    words follow which."""
    said = lang.spoken_numbers or lang.numbers
    spec = said.get("spoken", {})
    if not spec:
        return []
    numbers = spell_numbers(said, int(spec.get("up_to", 99)))
    out = []
    for topic in topics:
        units = spec.get("units", {}).get(topic, [])
        out += [f"{n} {u}" for forms in numbers.values() for n in forms for u in units]
        out += [f"{u} {e}" for u in units for e in spec.get("endings", [])]
    return out


def _phrase_texts(*tables: dict) -> list[str]:
    """Every phrase string in the data (nested tables and lists), alternatives expanded."""
    out: list[str] = []

    def walk(x):
        if isinstance(x, str):
            out.extend(expand(x))
        elif isinstance(x, dict):
            for k, v in x.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.extend(expand(k))  # [vague], [relative], [units]: the phrase is the key
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for t in tables:
        walk(t)
    return out


def topic_tuple(topic: object) -> tuple[str, ...]:
    """None, a code, or a sequence of codes -> a sorted tuple of known codes (unknown codes raise)."""
    if topic is None:
        return ()
    codes = (topic,) if isinstance(topic, str) else tuple(topic)
    for code in codes:
        if code not in TOPICS:
            raise ValueError(f"unknown topic {code!r}; topics are: {', '.join(TOPICS)}")
    return tuple(sorted(set(codes)))


@dataclass
class Question:
    """The compiled phrase table for one (language, topics, expects)."""
    lang: Language
    expects: str
    topics: tuple[str, ...]
    table: dict[tuple[str, ...], list[Entry]]       # meta, topic, unsure, number phrases: matched first
    answers: dict[tuple[str, ...], list[Entry]]     # generic yes/no/hedges: matched in the words left over
    surfaces: frozenset       # the phrases' own word tuples (to tell when a homophone was needed)
    max_len: int
    words: frozenset          # every word a phrase or number uses: not spell-corrected
    targets: tuple[str, ...]  # words misheard tokens may be corrected to
    phrases: tuple[str, ...]  # the vocabulary, as written


def _canon(lang: Language, tokens: list[str]) -> tuple[str, ...]:
    return tuple(lang.homophone_words.get(t, t) for t in tokens)


@dataclass
class _Part:
    """Phrases tokenised once per language and shared by every question that uses them
    (the ~1,000 meta and answer phrases are the same at every yes/no question)."""
    table: dict[tuple[str, ...], list[Entry]] = field(default_factory=dict)
    answers: dict[tuple[str, ...], list[Entry]] = field(default_factory=dict)
    surfaces: set = field(default_factory=set)
    words: set = field(default_factory=set)
    phrases: set = field(default_factory=set)

    def add(self, lang: Language, raw_phrases, numeric: bool = False, **kw) -> None:
        for raw in raw_phrases:
            for p in expand(raw):
                self.phrases.add(p)
                entry = Entry(phrase=p, **kw)
                toks = lang.phrase_tokens_of(p, numeric)
                if not toks:
                    continue
                self.surfaces.add(toks)
                self.words.update(toks)
                # Generic yes/no/hedge words go in the second pass; "unsure" and neutral phrases
                # compete with topic phrases ("hard to say" vs "hard to ...").
                second = entry.kind == "answer" and entry.intent in ("yes", "no", "hedge")
                bucket = (self.answers if second else self.table).setdefault(_canon(lang, toks), [])
                if entry not in bucket:
                    bucket.append(entry)

    def sort(self) -> "_Part":
        for bucket in [*self.table.values(), *self.answers.values()]:
            bucket.sort(key=_rank)
        return self


def _memo(lang: Language, key: tuple, build):
    if key not in lang.parts:
        lang.parts[key] = build()
    return lang.parts[key]


def _shared_part(lang: Language, expects: str) -> _Part:
    """Meta requests, generic answers and relative durations: the same at every question expecting ``expects``."""
    numeric = expects != "yesno"

    def build() -> _Part:
        part = _Part()
        for intent in META_INTENTS:
            spec = lang.meta.get(intent, {})
            part.add(lang, spec.get("phrases", []), numeric, kind="meta", intent=intent)
            part.add(lang, spec.get("alone", []), numeric, kind="meta", intent=intent, alone=True)
        intents = ("yes", "no", "unsure", "hedge", "neutral", "new", "old") if expects == "yesno" \
            else ("unsure", "hedge", "neutral")
        for intent in intents:
            spec = lang.answers.get(intent, {})
            part.add(lang, spec.get("strong", []), numeric, kind="answer", intent=intent, strength="strong")
            part.add(lang, spec.get("weak", []), numeric, kind="answer", intent=intent, strength="weak")
        if expects == "duration":
            for phrase, weeks in lang.numbers.get("relative", {}).items():
                part.add(lang, [phrase], True, kind="relative", intent="duration", value=weeks)
        return part.sort()
    return _memo(lang, ("shared", expects), build)


def _topic_parts(lang: Language, code: str, expects: str) -> list[_Part]:
    """One topic's phrases at a question expecting ``expects``: its groups' (each built once,
    shared by the topics in the group), then its own."""
    spec = lang.topics.get("topics", {}).get(code, {})
    groups = spec.get("groups", []) if expects == "yesno" else []
    return [*(_group_part(lang, g) for g in groups), _topic_part(lang, code, expects)]


def _group_part(lang: Language, group: str) -> _Part:
    """A topic group's phrases ("symptom", "consent"): the same for every topic in it."""
    def build() -> _Part:
        part = _Part()
        spec = lang.topics.get("groups", {})[group]
        part.add(lang, spec.get("yes", []), kind="topic", intent="yes", strength="topic")
        part.add(lang, spec.get("no", []), kind="topic", intent="no", strength="topic")
        return part.sort()
    return _memo(lang, ("group", group), build)


def _topic_part(lang: Language, code: str, expects: str) -> _Part:
    """One topic's own phrases at a question expecting ``expects``."""
    def build() -> _Part:
        part = _Part()
        spec = lang.topics.get("topics", {}).get(code, {})
        if expects == "yesno":
            part.add(lang, spec.get("yes", []), kind="topic", intent="yes", strength="topic", topic=code)
            part.add(lang, spec.get("no", []), kind="topic", intent="no", strength="topic", topic=code)
        elif expects == "number":
            for phrase, value in spec.get("values", []):
                part.add(lang, [phrase], True, kind="value", intent="number", value=value)
        return part.sort()
    return _memo(lang, ("topic", code, expects), build)


def _number_vocab(lang: Language) -> frozenset:
    def build() -> frozenset:
        return frozenset(_number_vocabulary(lang.numbers, lambda p: lang.tokens(p, True)))
    return _memo(lang, ("number_vocab",), build)


@lru_cache(maxsize=512)
def question(lang_code: str, topics: tuple[str, ...], expects: str) -> Question:
    """The question's table: the shared part as built once, plus its topics' parts (about 1 ms)."""
    if expects not in EXPECTS:
        raise ValueError(f"expects must be one of {', '.join(EXPECTS)}, not {expects!r}")
    lang = language(lang_code)
    shared = _shared_part(lang, expects)
    table, answers = dict(shared.table), dict(shared.answers)  # buckets are copied before they change
    surfaces, words, phrases = set(shared.surfaces), set(shared.words), set(shared.phrases)
    for part in (p for code in topics for p in _topic_parts(lang, code, expects)):
        surfaces |= part.surfaces
        words |= part.words
        phrases |= part.phrases
        for mine, theirs in ((table, part.table), (answers, part.answers)):
            for key, entries in theirs.items():
                bucket = mine.get(key)
                if bucket is None:  # most keys: the part's own sorted bucket, shared (no bucket is changed in place)
                    mine[key] = entries
                    continue
                new = [e for e in entries if e not in bucket]
                if new:
                    mine[key] = sorted(bucket + new, key=_rank)  # stable: earlier parts first at equal rank
    number_vocab = _number_vocab(lang)
    if expects != "yesno":
        words |= number_vocab
    targets_from = words - number_vocab  # number words are never a correction target (eight/right, ten/then)
    known = (words | lang.fillers | lang.negators | lang.clause_breaks | number_vocab | set(lang.homophone_words)
             | lang.post_negators | set(lang.suffixes))
    min_len = lang.numbers["fuzzy"]["min_length"]
    targets = tuple(sorted(w for w in targets_from if len(w) >= min_len and not w.isdigit()))
    if expects != "yesno":
        said = lang.spoken_numbers or lang.numbers  # as written: a recognizer's words keep their accents
        w = said["words"]
        spoken = _number_vocabulary(said, str.split) | set(w.get("extra_vocabulary", [])) | set(w.get("after_number", []))
        spoken |= {w["joiner"], *w["range"], *w["range_start"], *w["plus"], *w["quarter"]}
        phrases |= {p for p in spoken if p}
        phrases |= set(spoken_number_phrases(lang, topics))
    return Question(lang=lang, expects=expects, topics=topics, table=table, answers=answers,
                    surfaces=frozenset(surfaces), max_len=max(map(len, [*table, *answers]), default=1),
                    words=frozenset(known), targets=targets, phrases=tuple(sorted(phrases)))
