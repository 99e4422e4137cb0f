"""The kiosk's own words per language: ``languages/<lang>/kiosk.toml``, one file in each language's pack.

    w = kiosk_words("es")
    w.text("welcome", voice=False)   # "Hola. Toque Empezar para ..." (no voice input: nobody is asked to say anything)
    w.text("welcome", pointer="press")  # "Hola. Pulse Empezar, o diga «empezar», ..." (keys or a mouse, not a touch)
    w.page["start"]                  # "Empezar": the page's labels, served to it as JSON
    w.start.search("hola, empiece")  # spoken or typed words that start a session

A text that names how to answer is a table of four: ``tap_voice``, ``press_voice`` (voice input
on; the screen touched, or keys and a mouse used) and ``tap``, ``press`` (no voice input). A page
label that counts something is a table of plural forms (``one``, ``other``: the page picks one
with the browser's plural rules for the patient's language).

The questions and results are not here: they come from the pack's tree wording and message
catalogue. Every file has the English file's keys and placeholders;
``problems`` says what a file lacks, and a language with problems is not offered.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import languages as packs
from intents.spotting import Phrases

SOURCE = packs.SOURCE  # the file every other language is checked against
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_WORD_LISTS = ("start_words", "more_time_words", "still_there_words")
POINTERS = ("tap", "press")  # how a person uses the screen: touching it, or keys and a mouse


@dataclass(frozen=True)
class KioskWords:
    lang: str
    page: dict[str, Any]          # what the page shows (labels, nested: "result_labels.urgent")
    texts: dict[str, Any]         # what the kiosk itself shows and says (a text, or a table of its forms)
    start_words: tuple[str, ...]
    more_time_words: tuple[str, ...]
    still_there_words: tuple[str, ...]
    start: Phrases                # a start phrase anywhere in what was said (intents.spotting)
    more_time: Phrases            # a request for more time
    call: re.Pattern              # a result's sentence that says to call someone ("Call the clinic on 555 0100.",
                                  # "Contact the clinic." when it has no number)
    condition: re.Pattern         # ... and one that says when to ("If it gets worse, call 911.")

    def text(self, key: str, voice: bool = True, pointer: str = "tap") -> str:
        """A kiosk text, worded for the input: with voice input or without (then nobody is asked to
        say anything), and for a touch ("tap") or for keys and a mouse ("press")."""
        text = self.texts[key]
        if isinstance(text, dict):
            form = pointer if pointer in POINTERS else POINTERS[0]
            return text[f"{form}_voice" if voice else form]
        return text


def _read(lang: str) -> dict[str, Any]:
    return packs.read(packs.path(lang, "kiosk.toml"))


def available() -> list[str]:
    """Languages with a kiosk words file (a language is offered only with a tree pack and phrases too)."""
    return sorted(packs.codes("kiosk.toml"))


@lru_cache(maxsize=None)
def kiosk_words(lang: str) -> KioskWords:
    """The kiosk's words in ``lang``; a KeyError/ValueError (languages.PackError) for a file that is
    missing or broken (``problems`` says what exactly)."""
    data = _read(lang)
    whole = bool(data.get("whole_words", True))
    lists = {k: tuple(str(w).lower() for w in data[k]) for k in _WORD_LISTS}
    return KioskWords(lang=lang, page=data["page"], texts=dict(data["texts"]), **lists,
                      start=Phrases(lists["start_words"], whole),
                      more_time=Phrases(lists["more_time_words"], whole),
                      call=re.compile(data["call_sentence"], re.I), condition=re.compile(data["if_sentence"], re.I))


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def problems(lang: str) -> list[str]:
    """What is wrong with ``lang``'s file against the English one: each missing, extra, empty or
    non-text key, and each placeholder ({n}, {s}, ...) lost or added in translation."""
    where = f"languages/{lang}/kiosk.toml"
    try:
        data = _read(lang)
    except packs.PackError as e:
        return [str(e)]
    found: list[str] = []
    source = _read(SOURCE)
    for part in ("page", "texts"):
        mine = _flatten(data[part]) if isinstance(data.get(part), dict) else {}
        theirs = _flatten(source[part])
        for key in theirs:
            if key not in mine:
                found.append(f"{where}: {part}.{key} missing")
            elif not isinstance(mine[key], str) or not mine[key].strip():
                found.append(f"{where}: {part}.{key} must be a text")
            elif sorted(_PLACEHOLDER.findall(mine[key])) != sorted(_PLACEHOLDER.findall(theirs[key])):
                found.append(f"{where}: {part}.{key} has placeholders {sorted(_PLACEHOLDER.findall(mine[key]))}, "
                             f"English has {sorted(_PLACEHOLDER.findall(theirs[key]))}")
        found += [f"{where}: {part}.{key} is not in English (a typo?)" for key in mine if key not in theirs]
    for key in _WORD_LISTS:
        words = data.get(key)
        if not (isinstance(words, list) and words and all(isinstance(w, str) and w.strip() for w in words)):
            found.append(f"{where}: {key} must be a list of words")
    for key in ("call_sentence", "if_sentence"):
        try:
            re.compile(data[key])
        except (KeyError, TypeError, re.error) as e:
            found.append(f"{where}: {key} must be a regular expression ({type(e).__name__}: {e})")
    if not isinstance(data.get("whole_words", True), bool):
        found.append(f"{where}: whole_words must be true or false")
    return found
