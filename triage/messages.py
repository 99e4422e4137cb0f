"""The product's own sentences per language: one message catalogue per language, as data.

The tree's wording (questions, outcomes) lives in the tree and its language packs; everything
else the product says or shows (the engine's "Sorry, I didn't understand", read-backs,
durations in words, result labels, the digits of an emergency number...) lives in
``languages/<lang>/messages.toml`` (the pack's catalogue; English in ``languages/en/``)::

    m = messages("es")
    m("engine.try_again")                          # "Intentémoslo otra vez."
    m("wording.heard", answer="2 semanas")         # "Entendí: 2 semanas."

Every language has exactly the English catalogue's keys, each a non-empty text with the
same {placeholders}: a missing key, an extra one or a placeholder lost or added is a
problem naming the language, the key and the file (``check``; ``backtriage tree check``
lists them). A catalogue with problems is refused when loaded, so nothing half-translated
is ever said. A language with no catalogue file at all uses English (a clinic's own tree
in a language the product has no pack for still runs; ``tree check`` says so).
"""
from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

import languages as packs

BASE = packs.SOURCE
# The one table whose keys are the language's own: phrases of its tree wording said otherwise when
# the clinic has no phone number ("Call {clinic}" -> "Contact {clinic}"), see en/messages.toml.
WITHOUT_PHONE = "without_phone."
# Wording per medium (en/messages.toml, [medium]): "medium.screen.<key>" / "medium.typed.<key>" is
# message <key> for a screen without voice input / for typed answers; "medium.voice_words" finds
# wording that asks the person to speak. A language may give a medium form English does not need.
MEDIUM = "medium."
VOICE_WORDS = "medium.voice_words"


class MessagesError(ValueError):
    """A catalogue cannot be used; ``problems`` names every key at fault."""

    def __init__(self, lang: str, problems: list[str]):
        self.lang = lang
        self.problems = problems
        super().__init__(f"the {lang!r} message catalogue has {len(problems)} problem(s):\n"
                         + "\n".join(f"  - {p}" for p in problems))


def catalogue_file(lang: str) -> Path:
    return packs.path(lang, "messages.toml")


def available() -> list[str]:
    return sorted(packs.codes("messages.toml"))


def placeholders(text: str) -> set[str]:
    """The {names} in a message ("{n} days" -> {"n"})."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:  # an unmatched brace
        return {"<unmatched brace>"}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


@lru_cache(maxsize=None)
def _read(lang: str) -> tuple[dict[str, Any] | None, list[str]]:
    """A catalogue file, flattened ("engine.try_again"), read once (the result is not to be changed)."""
    if not packs.is_code(lang):
        return None, [f"{lang!r} is not a language code"]
    path = catalogue_file(lang)
    if not path.exists():
        return None, [f"no message catalogue in {lang!r}: expected {path}"]
    try:
        return _flatten(packs.read(path)), []
    except packs.PackError as e:
        return None, [str(e)]


def _phrase_problems(words: dict[str, Any], where: Path) -> list[str]:
    """The without-phone phrases: each said-instead text keeps its phrase's placeholders."""
    return [f"message '{key}' in {where}: must be a text with the same placeholders as its phrase"
            for key, text in words.items() if key.startswith(WITHOUT_PHONE)
            and (not isinstance(text, str) or placeholders(text) != placeholders(key[len(WITHOUT_PHONE):]))]


def _medium_problems(words: dict[str, Any], base: dict[str, Any], where: Path) -> list[str]:
    """The wording per medium: each form names a message there is and keeps its placeholders, the
    voice words are a regular expression, and no form asks the person to say anything."""
    from triage.tree import MEDIA

    found = []
    try:
        voice_words = re.compile(str(words.get(VOICE_WORDS, "")), re.I) if words.get(VOICE_WORDS) else None
    except re.error as e:
        voice_words = None
        found.append(f"message '{VOICE_WORDS}' in {where}: not a regular expression ({e})")
    if voice_words is None and not found:
        found.append(f"message '{VOICE_WORDS}' in {where}: missing (the words that ask a person to speak)")
    for key, text in words.items():
        if not key.startswith(MEDIUM) or key == VOICE_WORDS:
            continue
        medium, _, message = key[len(MEDIUM):].partition(".")
        if medium not in MEDIA[1:] or message not in base or message.startswith(MEDIUM):
            found.append(f"message '{key}' in {where}: must be medium.<{'|'.join(MEDIA[1:])}>.<a message's key>")
        elif not isinstance(text, str) or not text.strip():
            found.append(f"message '{key}' in {where}: must be a non-empty text")
        elif placeholders(text) != placeholders(str(words.get(message, base[message]))):
            found.append(f"message '{key}' in {where}: must have the same placeholders as '{message}'")
        elif voice_words is not None and voice_words.search(text):
            found.append(f"message '{key}' in {where}: asks the person to say something, which this medium cannot")
    return found


def check(lang: str) -> list[str]:
    """Every problem of ``lang``'s catalogue against the English one ([] when it is complete)."""
    base, problems = _read(BASE)
    if base is None:
        return list(problems)
    if lang == BASE:
        return [f"{catalogue_file(BASE)}: '{k}' must be a non-empty text" for k, v in base.items()
                if not isinstance(v, str) or not v.strip()] + \
            [f"{catalogue_file(BASE)}: '{k}' has an unmatched brace" for k, v in base.items()
             if isinstance(v, str) and "<unmatched brace>" in placeholders(v)] + \
            _phrase_problems(base, catalogue_file(BASE)) + _medium_problems(base, base, catalogue_file(BASE))
    words, problems = _read(lang)
    problems = list(problems)
    if words is None:
        return problems
    where = catalogue_file(lang)
    problems += _phrase_problems(words, where)
    problems += _medium_problems(words, base, where)
    for key, english in base.items():
        if key.startswith(WITHOUT_PHONE):
            continue
        text = words.get(key)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"message '{key}': no {lang} translation in {where}")
            continue
        want, got = placeholders(english), placeholders(text)
        if want != got:
            lost, added = sorted(want - got), sorted(got - want)
            said = "; ".join(p for p in (f"lacks {{{'}, {'.join(lost)}}}" if lost else "",
                                         f"has {{{'}, {'.join(added)}}} which English does not" if added else "")
                             if p)
            problems.append(f"message '{key}': the {lang} translation {said} ({where})")
    for key in words:
        if key not in base and not key.startswith((WITHOUT_PHONE, MEDIUM)):
            problems.append(f"message '{key}' in {where} is not in the English catalogue")
    return problems


class Messages:
    """One language's catalogue for one medium: ``m(key, **fill)`` is the message with its
    placeholders filled (the medium's own form where it has one)."""

    def __init__(self, lang: str, texts: dict[str, str], medium: str = "voice"):
        self.lang = lang
        self.medium = medium
        own = f"{MEDIUM}{medium}."
        self.voice_words = texts.get(VOICE_WORDS, "")
        self.texts = {k: texts.get(own + k, v) for k, v in texts.items() if not k.startswith((WITHOUT_PHONE, MEDIUM))}
        # (phrase, said instead) for a clinic with no phone number, the longest phrase first
        self.without_phone = sorted(((k[len(WITHOUT_PHONE):], v) for k, v in texts.items()
                                     if k.startswith(WITHOUT_PHONE)), key=lambda pair: -len(pair[0]))

    def __call__(self, key: str, **fill: Any) -> str:
        text = self.texts[key]
        return _particles(text.format(**fill)) if fill else text

    def __contains__(self, key: str) -> bool:
        return key in self.texts

    def __deepcopy__(self, memo: dict) -> "Messages":
        return self  # one shared, read-only catalogue per language (a session copied to try an answer keeps it)

    def sentences(self) -> list[str]:
        """The catalogue's texts with their placeholders blanked: for tests that look for them."""
        return list(self.texts.values())


# Korean particles that depend on the word before them: "(으)로" is "으로" after a final
# consonant other than ㄹ ("4주 이상으로"), else "로" ("2주로", "3일로"); "(이)라고" is "이라고"
# after any final consonant ("'3일'이라고"), else "라고" ("'네'라고"). Digits count as read
# in Sino-Korean (1 일, 3 삼, 6 육, 7 칠, 8 팔, 0 영 end in a consonant). "이(가)" is the
# subject particle: "이" after a final consonant ("저림이"), "가" after none ("문제가"); a
# message wrote it "{signs}이(가)" because the sign is filled in ("…문제이(가)" was said).
_PARTICLES = {"(으)로": ("로", "으로", (0, 8, None)), "(이)라고": ("라고", "이라고", (0, None)),
              "이(가)": ("가", "이", (0, None))}
_DIGIT_FINAL = {"0": 21, "1": 8, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}


def _final(ch: str) -> int | None:
    """The final consonant index of a Hangul syllable or digit (0 = none), None for anything else."""
    if ch in _DIGIT_FINAL:
        return _DIGIT_FINAL[ch]
    code = ord(ch) - 0xAC00
    return code % 28 if 0 <= code < 11172 else None


def _particles(text: str) -> str:
    for marker, (plain, after_consonant, plain_after) in _PARTICLES.items():
        while marker in text:
            i = text.index(marker)
            before = text[:i].rstrip("'\"’”」 )")
            final = _final(before[-1]) if before else None
            text = text[:i] + (plain if final in plain_after else after_consonant) + text[i + len(marker):]
    return text


@lru_cache(maxsize=None)
def messages(lang: str | None = None, medium: str = "voice") -> Messages:
    """``lang``'s catalogue for ``medium`` (triage.tree.MEDIA), loaded and checked once (English when
    the language has no catalogue; MessagesError when its catalogue has problems)."""
    lang = (lang or BASE).strip().lower()
    # A tree's [meta] language is input: only a language code can name a pack's folder
    # (a hostile 5,000-letter "language" made the path too long to open).
    if not packs.has(lang, "messages.toml"):
        lang = BASE
    problems = check(lang)
    if problems:
        raise MessagesError(lang, problems)
    words, _ = _read(lang)
    return Messages(lang, {k: str(v) for k, v in words.items()}, medium)
