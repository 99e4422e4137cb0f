"""Durations and ages said as dates, resolved against the session's "today".

    "since Friday", "since the 3rd", "back in September", "since christmas", "since the weekend"
        -> weeks from that day to today (a month alone counts from its 1st: the upper end)
    "it'll be six days tomorrow", "three weeks on friday" -> the duration today
    "born in '98", "I was born in 1961"  -> this year minus the year of birth
    "fifty-eight, fifty-nine in January" -> 58; "I'll be fifty in March" -> 49
    "early sixties" -> 62, read back (low confidence)

Words are data (``languages/<lang>/phrases/dates.toml``); a language without that file reads no dates.
``today`` comes from the session clock (the conversation passes it), never from this module.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import languages as packs


CONF_DATE = 0.9        # a named day: exact
CONF_MONTH = 0.8       # a month or a year of birth: exact to within weeks / a year
CONF_DECADE = 0.5      # "early sixties": read back


@lru_cache(maxsize=None)
def words(lang: str) -> dict[str, Any] | None:
    if not packs.has(lang, "phrases/dates.toml"):
        return None
    return packs.read(packs.phrases(lang, "dates"))


def as_date(today: Any) -> date | None:
    """A date from a date, a datetime or a POSIX timestamp (the session clock's value)."""
    if today is None:
        return None
    if isinstance(today, (int, float)):
        from datetime import datetime
        return datetime.fromtimestamp(today).date()
    if hasattr(today, "date") and callable(today.date):
        return today.date()
    return today if isinstance(today, date) else None


def _find(toks: list[str], phrase: str) -> int:
    p = phrase.split()
    for i in range(len(toks) - len(p) + 1):
        if toks[i:i + len(p)] == p:
            return i
    return -1


def _has(toks: list[str], phrases) -> bool:
    return any(_find(toks, p) >= 0 for p in phrases)


def easter(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    return date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)


def thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def _last(today: date, make, last_year: bool) -> date:
    """The most recent past occurrence of a yearly day (``make(year)``), a year earlier if said."""
    d = make(today.year)
    if d >= today:
        d = make(today.year - 1)
    if last_year and d.year == today.year:
        d = make(today.year - 1)
    return d


def _day_of_month(w: dict, toks: list[str]) -> int | None:
    for i, t in enumerate(toks):
        if t.isdecimal() and i + 1 < len(toks) and toks[i + 1] in w["ordinal_suffixes"] and 1 <= int(t) <= 31:
            return int(t)
        if t[:-2].isdecimal() and t[-2:] in w["ordinal_suffixes"] and 1 <= int(t[:-2]) <= 31:
            return int(t[:-2])
    for phrase, n in sorted(w["ordinals"].items(), key=lambda kv: -len(kv[0])):
        i = _find(toks, phrase)
        if i > 0 and toks[i - 1] == "the":  # "the third", not "the first time" alone
            return n
    return None


def _month(w: dict, toks: list[str]) -> int | None:
    for i, name in enumerate(w["months"]):
        if name in toks:
            return i + 1
    for name, n in w["short_months"].items():
        if name in toks:
            return n
    return None


def anchor_date(lang: str, toks: list[str], today: date) -> tuple[date, float] | None:
    """The day the pain started, when it is said as a date; and how sure that is."""
    w = words(lang)
    if w is None:
        return None
    last_year = _has(toks, w["last_year"])
    for phrase, md in sorted(w["holidays"].items(), key=lambda kv: -len(kv[0])):
        if _find(toks, phrase) >= 0:
            month, day = (int(x) for x in md.split("-"))
            return _last(today, lambda y: date(y, month, day), last_year), CONF_DATE
    if "easter" in toks and "easter" in w["movable"]:
        return _last(today, easter, last_year), CONF_DATE
    if "thanksgiving" in toks and "thanksgiving" in w["movable"]:
        return _last(today, thanksgiving, last_year), CONF_DATE
    month = _month(w, toks)
    day = _day_of_month(w, toks)
    if day is not None:
        m, y = (month, today.year) if month else (today.month, today.year)
        try:
            d = date(y, m, day)
            if d >= today:
                d = date(y - 1, m, day) if month else (d.replace(day=1) - timedelta(days=1)).replace(day=day)
        except ValueError:
            return None
        return d, CONF_DATE
    if month:
        d = date(today.year, month, 1)
        if d > today or last_year:
            d = date(today.year - 1, month, 1)
        return d, CONF_MONTH
    if _has(toks, w["weekend"]):
        back = (today.weekday() - 5) % 7 or 7  # the last Saturday before today
        return today - timedelta(days=back), CONF_DATE
    for i, name in enumerate(w["weekdays"]):
        if name in toks:
            if _has(toks, w["last_week"]):
                monday = today - timedelta(days=today.weekday())
                return monday - timedelta(days=7) + timedelta(days=i), CONF_DATE
            back = (today.weekday() - i) % 7 or 7
            return today - timedelta(days=back), CONF_DATE
    return None


def future_offset_days(lang: str, toks: list[str], today: date) -> int:
    """Days until an anniversary still to come ("... tomorrow", "... on friday"), else 0."""
    w = words(lang)
    if w is None or _has(toks, w["ago"]):
        return 0
    if _has(toks, w["tomorrow"]):
        return 1
    for i, name in enumerate(w["weekdays"]):
        j = _find(toks, f"on {name}")
        if j >= 0:
            return (i - today.weekday()) % 7 or 7
    return 0


def birth_year_age(lang: str, toks: list[str], today: date) -> int | None:
    """Age from a year of birth: "1961", "born in '98" (this year minus it: the upper end)."""
    w = words(lang)
    if w is None:
        return None
    born = _has(toks, w["born"])
    for t in toks:
        if t.isdecimal() and len(t) == 4 and 1900 <= int(t) <= today.year:
            return today.year - int(t)
        if born and t.isdecimal() and len(t) == 2:
            n = int(t)
            year = 2000 + n if 2000 + n <= today.year else 1900 + n
            return today.year - year
    return None


def future_age(lang: str, toks: list[str], start: int, end: int) -> bool:
    """Is the number at toks[start:end] an age still to come ("I'll be fifty in March")?"""
    w = words(lang)
    if w is None:
        return False
    before = toks[max(0, start - 3):start]
    if any(_find(before, p) >= 0 and _find(before, p) + len(p.split()) == len(before) for p in w["future_before"]):
        return True
    after = toks[end:end + 4]
    if after[:1] == ["in"] and len(after) > 1 and (after[1] in w["months"] or after[1] in w["short_months"]):
        return True
    return any(_find(after, p) == 0 for p in w["future_after"])


def decade_age(lang: str, toks: list[str]) -> int | None:
    """"early sixties" -> 62, "in my fifties" -> 55."""
    w = words(lang)
    if w is None:
        return None
    for i, t in enumerate(toks):
        if t in w["decades"]:
            part = toks[i - 1] if i else ""
            return w["decades"][t] + w["decade_parts"].get(part, w["decade_default"])
    return None
