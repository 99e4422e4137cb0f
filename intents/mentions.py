"""Warning signs mentioned while answering another question ("no fever, but my leg feels weak").

``mentioned_signs(text, asked, lang)`` -> topic codes found in ``text``, other than the
question's own (``asked``), each not negated in its own clause. The engine confirms each
with the person and counts a "yes" (``Session.mention``); detection lives here, the rule
there. Phrases are data: ``languages/<lang>/phrases/mentions.toml`` (no file: nothing is detected).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import languages as packs
from intents.lexicon import BOUNDARY, expand, language, topic_tuple


NEGATION_WINDOW = 4  # words before a phrase, in its clause, that may negate it ("no chest pain")


@lru_cache(maxsize=None)
def _phrases(lang: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not packs.has(lang, "phrases/mentions.toml"):
        return ()
    data = packs.read(packs.phrases(lang, "mentions")).get("mentions", {})
    L = language(lang)
    out = []
    for topic, phrases in data.items():
        for raw in phrases:
            for p in expand(raw):
                toks = tuple(t for t in L.tokens(p) if t != BOUNDARY)
                if toks:
                    out.append((topic, toks))
    return tuple(sorted(out, key=lambda tp: -len(tp[1])))  # longest first


def prepare(lang: str = "en") -> None:
    """Read and tokenise the phrase list now, so the first answer does not wait for it."""
    _phrases(lang)


def mentioned_signs(text: str, asked: Iterable[str] | str | None = None, lang: str = "en") -> tuple[str, ...]:
    phrases = _phrases(lang)
    if not phrases or not isinstance(text, str):
        return ()
    L = language(lang)
    toks = L.tokens(text)
    skip = set(topic_tuple(asked)) if asked else set()
    found: list[str] = []
    taken: set[int] = set()
    for topic, p in phrases:
        n = len(p)
        for i in range(len(toks) - n + 1):
            if tuple(toks[i:i + n]) != p or taken.intersection(range(i, i + n)):
                continue
            taken.update(range(i, i + n))
            # a phrase carrying its own negation ("can't hold my bowels") is the symptom itself
            own = any(t in L.negators for t in p)
            if topic in skip or topic in found or (not own and _negated(L, toks, i)):
                continue
            found.append(topic)
    return tuple(found)


def _negated(L, toks: list[str], start: int) -> bool:
    k, steps = start - 1, 0
    while k >= 0 and steps < NEGATION_WINDOW:
        t = L.homophone_words.get(toks[k], toks[k])
        if t == BOUNDARY or t in L.clause_breaks:
            return False
        if t in L.negators:
            return True
        k, steps = k - 1, steps + 1
    return False
