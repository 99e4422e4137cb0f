"""Spoken numbers and durations, from normalised tokens.

Words and values come from the language's ``grammar.toml``; the grammar here is
the shape most languages share: [number] [and a half] [range number] unit
[and a half] [and/plus next segment]. Durations are in weeks. Where an answer
gives a range or several values, the LARGER one is returned: the cautious reading
for a tree whose threshold is "4 weeks or more" and whose age threshold is 50.
"""
from __future__ import annotations

from dataclasses import dataclass

from intents.lexicon import BOUNDARY, Language


@dataclass(frozen=True)
class Quantity:
    value: float
    start: int
    end: int            # token index after the quantity
    guessed: bool = False  # read from a homophone ("for" -> 4) or a vague word ("a few")


def _is_digit(tok: str) -> bool:
    """A token written in digits that is a number ("42", "3.5"); not "❶" or "²", which
    str.isdigit accepts but float() does not."""
    if not tok[:1].isdigit():
        return False
    try:
        float(tok)
    except ValueError:
        return False
    return True


def read_number(lang: Language, toks: list[str], i: int, units_follow: bool = False) -> Quantity | None:
    """A number starting at toks[i]: digits, words ("sixty two", "a hundred and five"),
    with an optional "and a half"."""
    words = lang.numbers["words"]
    nw = lang.number_words
    n = len(toks)
    if i >= n:
        return None
    tok = toks[i]
    j = i
    value: float
    if tok in words.get("counter_forms", ()) and not (i + 1 < n and (
            toks[i + 1] in lang.units or toks[i + 1] in words.get("after_number", ()) or toks[i + 1] in words["scales"])):
        return None  # Korean "네" is yes; only "네 살", "네 달" make it four
    if _is_digit(tok):
        value = float(tok)
        j = i + 1
    elif tok in nw or tok in words["scales"] or (tok in words["articles"] and i + 1 < n and toks[i + 1] in words["scales"]):
        value = 0.0
        if tok in words["scales"]:
            value, j = 1.0, i  # "cien", "ciento uno", "백육": the scale alone is one of it (multiplied below)
        elif tok in words["articles"]:
            value, j = 1.0, i + 1
        else:
            value, j = float(nw[tok]), i + 1
            mult = words.get("multipliers", {}).get(toks[j]) if j < n else None
            if mult and 0 < value < 10 and tok in words["units"] and _same_system(words, toks[j], tok):
                # "사 십" = 4 x 10 (Sino-Korean said apart), "three score" = 3 x 20
                value *= mult
                j += 1
                k = j + 1 if j < n and toks[j] == words["joiner"] else j  # "three score and ten"
                if k < n and toks[k] in nw and 0 < nw[toks[k]] < mult and _same_system(words, toks[j - 1], toks[k]):
                    value += nw[toks[k]]
                    j = k + 1
            if tok in words["tens"] and j < n:
                # Languages that join tens and units with a word (Spanish "sesenta y dos").
                tj = words.get("tens_joiner")
                if tj and toks[j] == tj and j + 1 < n and words["units"].get(toks[j + 1], 0) > 0:
                    j += 1
                nxt = toks[j]
                if nxt in words["units"] and words["units"][nxt] > 0 and _same_system(words, tok, nxt):
                    value += words["units"][nxt]
                    j += 1
                elif nxt in ("to", "too") and not (j + 1 < n and (toks[j + 1] in nw or _is_digit(toks[j + 1]))):
                    value += 2  # "sixty to years old": recognizers write "to" for "two"
                    j += 1
        if j < n and toks[j] in words["scales"]:
            value *= words["scales"][toks[j]]
            j += 1
            if j + 1 < n and toks[j] == words["joiner"] and toks[j + 1] in nw:
                rest = read_number(lang, toks, j + 1)
                if rest is not None and rest.value < 100:
                    value += rest.value
                    j = rest.end
            elif j < n and toks[j] in nw:
                rest = read_number(lang, toks, j)
                if rest is not None and rest.value < 100:
                    value += rest.value
                    j = rest.end
    else:
        return None
    if value == int(value):
        decimals, j = _decimals(lang, toks, j)
        value += decimals
    frac, j2 = _fraction_suffix(lang, toks, j)
    return Quantity(value + frac, i, j2)


def _decimals(lang: Language, toks: list[str], j: int) -> tuple[float, int]:
    """"three point five", "tres coma cinco", "삼 점 오": the digits said one by one after the point word.
    A point word with no digit word after it is not a decimal point ("칠 점" = 7 points)."""
    words = lang.numbers["words"]
    n = len(toks)
    if not (j + 1 < n and toks[j] in words.get("point", ())):
        return 0.0, j
    digits = ""
    k = j + 1
    while k < n and len(digits) < 4 and (toks[k] in words["units"] and 0 <= words["units"][toks[k]] <= 9
                                          and toks[k] not in words.get("counter_forms", ())
                                          or (toks[k].isdigit() and len(toks[k]) == 1)):
        digits += str(int(words["units"].get(toks[k], 0) if not toks[k].isdigit() else int(toks[k])))
        k += 1
    if not digits:
        return 0.0, j
    return float("0." + digits), k


def _same_system(words: dict, tens: str, unit: str) -> bool:
    """Korean has two number systems that do not mix: "마흔 세" is 43 (native), but "사십 세"
    is 40 years ("세" = years after a Sino-Korean number). Languages without ``native`` words: always."""
    native = words.get("native")
    return not native or ((tens in native) == (unit in native))


def _fraction_suffix(lang: Language, toks: list[str], j: int) -> tuple[float, int]:
    """"and a half" / "and half" / "and a quarter" after a number or a unit."""
    words = lang.numbers["words"]
    n = len(toks)
    if j < n and toks[j] in words.get("half_after", ()):  # Korean "한 달 반": a month and a half
        return 0.5, j + 1
    if j < n and toks[j] == words["joiner"]:
        k = j + 1
        if k < n and toks[k] in words["articles"]:
            k += 1
        if k < n and toks[k] in words["half"]:
            return 0.5, k + 1
        if k < n and toks[k] in words["quarter"]:
            return 0.25, k + 1
    return 0.0, j


def _phrase_at(table: dict, toks: list[str], i: int, guessed: bool = False) -> Quantity | None:
    """The longest phrase of ``table`` (phrase -> value) starting at toks[i]."""
    best = None
    for phrase, value in table.items():
        p = phrase.split()
        if toks[i:i + len(p)] == p and (best is None or len(p) > best.end - best.start):
            best = Quantity(float(value), i, i + len(p), guessed=guessed)
    return best


def _vague(lang: Language, toks: list[str], i: int) -> Quantity | None:
    return _phrase_at(lang.numbers.get("vague", {}), toks, i, guessed=True)


def _quantity(lang: Language, toks: list[str], i: int) -> Quantity | None:
    """A quantity that may stand before a unit."""
    words = lang.numbers["words"]
    n = len(toks)
    tok = toks[i]
    if tok in words["half"]:  # "half a week"
        k = i + 1
        if k < n and toks[k] in words["articles"]:
            k += 1
        return Quantity(0.5, i, k)
    vague = _vague(lang, toks, i)
    if vague is not None:
        return vague
    whole = _phrase_at(lang.numbers.get("whole", {}), toks, i)
    if whole is not None and whole.end < n and toks[whole.end] in lang.units and not _plural_unit(lang, toks[whole.end]):
        return whole  # "all week", "the whole month", "todo el mes": one of the unit
    if tok in words["articles"]:
        if i + 1 < n and (toks[i + 1] in lang.units or toks[i + 1] in words["scales"]):
            return Quantity(1.0, i, i + 1)
        return None
    q = read_number(lang, toks, i)
    if q is not None:
        return q
    # Homophones ("for weeks", "to weeks", "won week") only directly before a unit.
    homo = lang.numbers.get("homophones", {})
    if tok in homo and i + 1 < n and toks[i + 1] in lang.units:
        return Quantity(float(homo[tok]), i, i + 1, guessed=True)
    return None


@dataclass(frozen=True)
class Duration:
    weeks: float
    start: int
    end: int
    guessed: bool


def _plural_unit(lang: Language, tok: str) -> bool:
    """"weeks", "días", "meses" (their singular is a unit too); not "mes", which only ends in s."""
    return tok in lang.units and tok.endswith("s") and (tok[:-1] in lang.units or tok[:-2] in lang.units)


def _one_duration(lang: Language, toks: list[str], i: int) -> Duration | None:
    """The duration that starts at toks[i], if one does: a quantity and a unit ("three weeks",
    "all week", "한 달 반"), a word that is both ("이틀", "a fortnight" is a unit), a bare unit
    and a half ("mes y medio"), or a bare plural ("it's been weeks")."""
    words = lang.numbers["words"]
    units = lang.units
    n = len(toks)
    counted = lang.numbers.get("counted", {})
    if toks[i] in counted:  # Korean native day counts: 하루 1 day, 이틀 2 days, 보름 15 days
        return Duration(float(counted[toks[i]]), i, i + 1, False)
    q = _quantity(lang, toks, i)
    if q is not None:
        value, j, guessed = q.value, q.end, q.guessed
        if not (j < n and toks[j] in units) and j - 1 > i and toks[j - 1] in units:
            # "이십 일": 일 is 1 and "day"; with no other unit after it, it is the unit (20 days)
            shorter = read_number(lang, toks[:j - 1], i)
            if shorter is not None and shorter.end == j - 1:
                value, j = shorter.value, j - 1
        # Range: "three to four weeks", "two or three months", "between 2 and 3 weeks".
        if j + 1 < n and toks[j] in words["range"] and toks[j + 1] not in units:
            q2 = _quantity(lang, toks, j + 1)
            if q2 is not None and q2.end < n and toks[q2.end] in units:
                value, j = max(value, q2.value), q2.end
                guessed = guessed or q2.guessed
        if j < n and toks[j] in units:
            frac, end = _fraction_suffix(lang, toks, j + 1)
            return Duration((value + frac) * units[toks[j]], i, end, guessed)
        return None
    if toks[i] in units and not (i > 0 and toks[i - 1] in words["articles"]):
        if _plural_unit(lang, toks[i]):
            # A bare plural ("it's been weeks"): read as four of them, the same as the
            # homophone "for weeks" -> "four weeks"; both readings are at least that long.
            return Duration(4 * units[toks[i]], i, i + 1, True)
        frac, end = _fraction_suffix(lang, toks, i + 1)
        if frac:  # "mes y medio", "año y medio": a month and a half
            return Duration((1 + frac) * units[toks[i]], i, end, False)
    return None


def durations(lang: Language, toks: list[str], skip: set[int]) -> list[Duration]:
    """Every duration said in ``toks`` (indices in ``skip`` belong to other phrases). Parts said
    one after the other ("one week three days", "1 year 1 month 21 days") or joined by "and" /
    "plus" ("a year and two months") add up."""
    n = len(toks)
    plus = lang.numbers["words"]["plus"]
    out: list[Duration] = []
    i = 0
    joins_last = False  # the next duration adds to the last one
    while i < n:
        if i in skip or toks[i] == BOUNDARY:
            i += 1
            joins_last = False
            continue
        d = _one_duration(lang, toks, i)
        if d is None:
            i += 1
            joins_last = False
            continue
        if joins_last and out:
            last = out[-1]
            out[-1] = Duration(last.weeks + d.weeks, last.start, d.end, last.guessed or d.guessed)
        else:
            out.append(d)
        i = d.end
        joins_last = True  # directly followed by another part: it adds
        if i < n and toks[i] in plus and i + 1 < n and _starts_duration(lang, toks, i + 1):
            i += 1
    return out


def _starts_duration(lang: Language, toks: list[str], i: int) -> bool:
    return _one_duration(lang, toks, i) is not None


def numbers(lang: Language, toks: list[str], skip: set[int]) -> list[Quantity]:
    """Every plain number in ``toks``: "eight out of ten" gives 8 (the scale is dropped),
    "seven or eight" gives 7 and 8."""
    out_of = [p.split() for p in lang.numbers["scale"]["out_of"]]
    n = len(toks)
    out: list[Quantity] = []
    i = 0
    while i < n:
        if i in skip or toks[i] == BOUNDARY:
            i += 1
            continue
        q = read_number(lang, toks, i)
        if q is None or (toks[i] in lang.numbers["words"]["articles"] and q.end == i + 1
                         and not _article_alone(lang, toks, i, skip)):
            i += 1
            continue
        i = q.end
        while i < n and toks[i] in lang.numbers["words"].get("after_number", ()):
            i += 1  # "마흔두 살", "사십이 세": the unit belongs to the number, it is not another one
        if i < n and toks[i] in lang.numbers["scale"].get("of_max", ()):
            continue  # Korean "열 중에 여덟", "십 점 만점에 칠 점": the scale comes first, then the answer
        for p in out_of:
            if toks[i:i + len(p)] == p:
                after = read_number(lang, toks, i + len(p))
                i = after.end if after is not None else i + len(p)
                break
        out.append(Quantity(q.value, q.start, i, q.guessed))
    return out


def _article_alone(lang: Language, toks: list[str], i: int, skip: set[int]) -> bool:
    """"una", "un año" as the whole answer: the article is the number one ("un" in "tengo un
    hijo de cuarenta" is not)."""
    after = lang.numbers["words"].get("after_number", ())
    rest = [t for k, t in enumerate(toks) if k != i and k not in skip and t != BOUNDARY and t not in after]
    return not rest


def homophone_number(lang: Language, toks: list[str], skip: set[int]) -> Quantity | None:
    """For number questions with no real number: "I'd say for" -> 4. Only a homophone that
    ends the answer or stands before the scale ("for out of ten") counts."""
    homo = lang.numbers.get("homophones", {})
    out_of = {p.split()[0] for p in lang.numbers["scale"]["out_of"]}
    content = [k for k, t in enumerate(toks) if k not in skip and t != BOUNDARY]
    for pos, k in enumerate(content):
        t = toks[k]
        if t in homo and t not in lang.number_words:
            last = pos == len(content) - 1
            before_scale = k + 1 < len(toks) and toks[k + 1] in out_of
            before_years = k + 1 < len(toks) and toks[k + 1] in ("years", "year")
            if last or before_scale or before_years:
                return Quantity(float(homo[t]), k, k + 1, guessed=True)
    return None
