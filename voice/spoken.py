"""Text as the speech engine should say it; the screen keeps the written form.

One function, :func:`speakable`, used by the :class:`voice.speaker.Speaker` for every
front end (voice loop, kiosk, ``backtriage say``): a caption shows "Call 911 now", the
speech engine gets "Call nine one one now".

- Emergency numbers are said digit by digit: espeak-ng reads "911" as "nine hundred
  and eleven", which nobody dials.
- Phone numbers are said in their digit groups: "555 0100" -> "five five five, zero one
  zero zero" (not "five hundred and fifty five"). The digit words are the language's
  (catalogue key ``spoken.digits``): "nueve uno uno", "일 일 구", "공" for 0 as Koreans read numbers.
- Emphasis written in capitals by read-backs ("you have NOT had a fever") is lowered so
  no engine spells it out letter by letter.
Other numbers ("4 weeks", "50 years") are left to the engine, which says them well.
"""
from __future__ import annotations

import re
from functools import lru_cache

import languages as packs
from triage.messages import messages


# Said digit by digit wherever they stand alone, besides the clinic's configured number.
EMERGENCY_NUMBERS = ("911", "112", "999", "000")
# Capitalised emphasis the read-backs use (triage.wording; Spanish said_no: "NO ha tenido");
# lowered for speech.
_EMPHASIS = re.compile(r"\b(NOT|NEVER|HAVE|HAS|DO|DOES|DID|IS|ARE|WAS|WERE|WOULD|CAN|COULD|WILL|NO|NUNCA)\b")
# A phone number: digit groups joined by spaces, dots, dashes or brackets, 5 digits or more in all.
_PHONE = re.compile(r"(?<![\w.,])\+?(?:\(\d+\)|\d+)(?:[ .\-]?(?:\(\d+\)|\d+))+(?![\w]|[.,]\d)")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?![\w]|[.,]\d)")


@lru_cache(maxsize=None)
def digit_words(lang: str) -> tuple[str, ...] | None:
    """The ten digit words of ``lang``'s catalogue (``spoken.digits``: Spanish "cero uno dos ...",
    Korean "공 일 이 ...", as phone numbers are read), None for a language without a catalogue."""
    if not packs.has(lang, "messages.toml"):
        return None
    words = tuple(messages(lang)("spoken.digits").split())
    return words if len(words) == 10 else None


def spell_digits(digits: str, lang: str = "en") -> str:
    """"911" -> "nine one one" (in a language without digit words: "9 1 1", which engines read one by one)."""
    words = digit_words(lang)
    return " ".join(words[int(d)] if words else d for d in digits if d.isdigit())


def speakable(text: str, emergency_number: str = "911", lang: str = "en") -> str:
    """``text`` as handed to the speech engine (see the module docstring)."""
    emergency = {n for n in (*EMERGENCY_NUMBERS, re.sub(r"\D", "", emergency_number or "")) if n}
    plus = messages(lang)("spoken.plus") + " " if digit_words(lang) else "+ "

    def phone(m: re.Match) -> str:
        raw = m.group(0)
        groups = re.findall(r"\d+", raw)
        if sum(len(g) for g in groups) < 5 or len(groups) < 2:
            return raw  # "3 4" is not a phone number
        lead = plus if raw.startswith("+") else ""
        return lead + ", ".join(spell_digits(g, lang) for g in groups)

    def single(m: re.Match) -> str:
        digits = m.group(0)
        return spell_digits(digits, lang) if digits in emergency or len(digits) >= 7 else digits

    text = _PHONE.sub(phone, text)
    text = _NUMBER.sub(single, text)
    return _EMPHASIS.sub(lambda m: m.group(0).lower(), text)
