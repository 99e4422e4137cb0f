"""One folder per language, and the one loader every layer reads it through.

    languages/<code>/
        language.toml    its name, text-to-speech voice, speech models, Whisper code   (voice/languages.py)
        tree.toml        the tree's wording: questions, help, outcomes                 (triage/locale.py)
        messages.toml    the product's own sentences: apologies, read-backs, durations (triage/messages.py)
        kiosk.toml       the kiosk's own words: page labels, start and "more time" words (voice/kiosk/words.py)
        phrases/         what patients say: answers, meta, topics, grammar; mentions and dates if any
                                                                                        (intents/lexicon.py)

English is the source: its tree wording is the shipped tree itself (triage/tree.toml holds the logic
and the English), so languages/en/ has no tree.toml; every other pack is checked against English.
Adding a language is adding one folder (``backtriage tree check`` and tests/test_packs.py say what a
pack lacks). This package imports nothing of triage/, intents/ or voice/, so each layer can use it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SOURCE = "en"
# The parts of a pack, each with what it is for (the words of a missing-part message).
PARTS = {
    "language.toml": "its name, voice and speech model",
    "tree.toml": "the tree's wording",
    "messages.toml": "the product's own sentences",
    "kiosk.toml": "the kiosk's own words",
    "phrases/answers.toml": "yes, no and unsure as people say them",
    "phrases/meta.toml": "requests: repeat, help, stop",
    "phrases/topics.toml": "each question's topic words",
    "phrases/grammar.toml": "numbers, units, negation",
}
OPTIONAL = ("phrases/mentions.toml", "phrases/dates.toml")  # no file: nothing of that kind is read
_CODE = re.compile(r"[a-z]{2,3}(_[a-z]{2})?")


class PackError(ValueError):
    """A pack's file cannot be used; the message says which file and why, in plain words."""


def is_code(code: object) -> bool:
    """A language code ("es", "pt_br"): only a code can name a folder (a tree's [meta] language is input)."""
    return isinstance(code, str) and _CODE.fullmatch(code) is not None


def path(code: str, part: str) -> Path:
    """Where ``part`` ("messages.toml", "phrases/answers.toml", ...) of ``code``'s pack is."""
    if not is_code(code):
        raise PackError(f"{code!r} is not a language code (two or three letters, like 'en' or 'ko')")
    return ROOT / code / part


def phrases(code: str, name: str) -> Path:
    """One of the pack's phrase files: ``phrases(code, "answers")``."""
    return path(code, f"phrases/{name}.toml")


def has(code: str, part: str) -> bool:
    return is_code(code) and path(code, part).is_file()


def codes(part: str | None = "language.toml") -> list[str]:
    """The languages whose pack has ``part`` (None: every pack's folder), English first."""
    found = sorted(p.name for p in ROOT.iterdir() if is_code(p.name) and p.is_dir()
                   and (part is None or (p / part).is_file()))
    return sorted(found, key=lambda c: c != SOURCE)


def read(file: Path) -> dict[str, Any]:
    """A pack's TOML file, or a PackError naming it and what is wrong."""
    try:  # imported here: `backtriage --help` reads no data files
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError(f"{file}: missing") from None
    except (OSError, UnicodeDecodeError) as e:
        raise PackError(f"{file}: cannot read the file: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise PackError(f"{file}: not valid TOML: {e}") from None
    except RecursionError:  # tomllib parses nested arrays recursively
        raise PackError(f"{file}: not valid TOML: arrays or tables nested too deeply") from None


def missing(code: str) -> list[str]:
    """The parts ``code``'s pack lacks, each named with what it is for ([] when it has them all)."""
    if not is_code(code):
        return [f"{code!r} is not a language code"]
    if not (ROOT / code).is_dir():
        return [f"no pack for {code!r}: expected the folder {ROOT / code}"]
    return [f"{path(code, part)}: missing ({why})" for part, why in PARTS.items()
            if not (code == SOURCE and part == "tree.toml") and not has(code, part)]
