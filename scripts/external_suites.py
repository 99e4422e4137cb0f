"""Freeze other projects' public test cases that a patient could plausibly say, for bench/external.py.

    python scripts/external_suites.py [--mirror /work/.mirror] [--out tests/data/external]

Reads the test files of five public repositories from local git mirrors (bare clones, read with
``git show COMMIT:PATH``; nothing is fetched and no code of theirs is run or copied) and writes
``tests/data/external/SOURCE_KIND_LANG.tsv``: one file per source, kind and language, each with a
header naming the repository, the commit, the paths and the license. Columns:
``id kind text expected note`` (the format of tests/data/heldout/understanding_*.tsv):
``expected`` is ``age=N``, ``weeks=N`` (4 decimals), ``yes``, ``no`` or ``none`` (must be "not
understood"); ``note`` says where the case came from, and ``range=LOW..HIGH`` for a vague amount.

What is kept, and why (a case is kept only if a patient could say it as the answer to "how old
are you?", "how long have you had this pain?" or a yes/no question; every rule is in code below):

- **Ages** (number and age tests): the value the source expects is a whole number of years from
  1 to 110, said as a cardinal number (digits or number words, optionally "years old", "years of
  age", "años", "살", "세"); every word of the text is a number word or one of those (``AGE_WORDS``).
  Texts the source says hold no number and that are a short phrase with no number word
  ("fraggle", "no digits here") are kept as ``none``: what garbled speech at an age question
  looks like. Ordinals, fractions, negatives, percentages, scores of cups or tons are dropped.
  Recognizers-Text's age model: its own span ("ninety five years of age"), unit Year only.
- **Durations**: the source's duration phrase (Recognizers-Text marks the span: "I'll leave for
  3 days" gives "3 days"; lingua-franca and ovos-date-parser: only cases whose expected
  remainder is empty, so the whole text is the duration), from 1 hour to 80 years, said in hours,
  days, weeks, months, years or decades: minutes and seconds are not how long a back pain has
  lasted, nor "another week", "one more hour" or business days. The expected value is recomputed
  in weeks from the units the source resolved (its ISO-8601 timex or timedelta), with this
  project's month (4.348 weeks) and year (52.18 weeks). A vague amount ("a couple of", "몇",
  "며칠") keeps the source's value and a ``range`` up to twice it: the product reads vague
  amounts on the cautious (longer) side.
- **Yes/no**: the whole utterance (the answer is the sentence, not the yes-word the source
  marks), with an expected yes or no. Dropped, case by case in ``YESNO_DROPPED`` with the reason:
  emoji (not speech), and sentences about something other than the question (onions, the fourth
  of July, someone lying, companies selling data). Relabelled, case by case in ``YESNO_RELABELLED``:
  a yes, then "I said no" ("Yes. I said no"), which Recognizers-Text reads by its first yes-word;
  said to a triage question it contradicts itself, and this project asks again (``unsure``). The
  note keeps the source's label (``source=yes``) and bench/external.py prints both scores.

Numbers made by running a library (ovos-number-parser's pronounce/extract round trips) are not
taken: only texts written in the test files.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEEK_S = 7 * 24 * 3600
MONTH_W = 365.25 / 12 / 7   # the product's month in weeks (intents/*/grammar.toml)
YEAR_W = 365.25 / 7
MIN_WEEKS, MAX_WEEKS = 1 / 168, 80 * YEAR_W   # 1 hour .. 80 years
MIN_AGE, MAX_AGE = 1, 110


@dataclass(frozen=True)
class Source:
    key: str            # file name prefix
    repo: str           # owner/name
    commit: str         # a commit or a ref of the mirror
    license: str


SOURCES = {
    "linguafranca": Source("linguafranca", "MycroftAI/lingua-franca", "HEAD", "Apache-2.0"),
    "ovosnumber": Source("ovosnumber", "OpenVoiceOS/ovos-number-parser", "HEAD", "Apache-2.0"),
    # The parse tests live on the repository's `tests` branch (its default branch dropped them).
    "ovosdate": Source("ovosdate", "OpenVoiceOS/ovos-date-parser", "tests", "Apache-2.0"),
    "ovosyesno": Source("ovosyesno", "OpenVoiceOS/ovos-solver-YesNo-plugin", "HEAD", "MIT (setup.py)"),
    "recognizers": Source("recognizers", "microsoft/Recognizers-Text", "HEAD", "MIT"),
}

# (source, path, kind of file, language)
FILES = [
    ("linguafranca", "test/test_parse.py", "python", "en"),
    ("linguafranca", "test/test_parse_es.py", "python", "es"),
    ("ovosnumber", "tests/test_number_parser_en.py", "python", "en"),
    ("ovosnumber", "tests/test_number_parser_es.py", "python", "es"),
    ("ovosnumber", "tests/test_es_cien_pronounce.py", "python", "es"),
    ("ovosdate", "test/parse_tests/test_parse_en.py", "python", "en"),
    ("ovosdate", "test/parse_tests/test_parse_es.py", "python", "es"),
    ("ovosyesno", "tests/test_sentences_en.json", "yesno_json", "en"),
    *[("recognizers", f"Specs/NumberWithUnit/{name}/AgeModel.json", "rt_age", lang)
      for name, lang in (("English", "en"), ("Spanish", "es"), ("Korean", "ko"))],
    *[("recognizers", f"Specs/Number/{name}/NumberModel.json", "rt_number", lang)
      for name, lang in (("English", "en"), ("Spanish", "es"), ("Korean", "ko"))],
    *[("recognizers", f"Specs/DateTime/{name}/DurationParser.json", "rt_duration", lang)
      for name, lang in (("English", "en"), ("Spanish", "es"), ("Korean", "ko"))],
    *[("recognizers", f"Specs/Choice/{name}/BooleanModel.json", "rt_boolean", lang)
      for name, lang in (("English", "en"), ("Spanish", "es"), ("Korean", "ko"))],
]

# Words a spoken age may be made of, besides digits (lower case, accents kept).
NUMBER_WORDS = {
    "en": set("""zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
        sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred a and
        """.split()),
    "es": set("""cero uno un una dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince
        dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintiún veintiuna veintidós veintitrés
        veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve treinta cuarenta cincuenta sesenta
        setenta ochenta noventa cien ciento y""".split()),
}
AGE_WORDS = {
    "en": {"years", "year", "old", "of", "age", "yo"},
    "es": {"años", "año", "anos", "de", "edad"},
}
# Korean numbers and age units, by syllable: a span made only of these (and digits, spaces).
KO_AGE_CHARS = set("영공일이삼사오육칠팔구십백하나둘셋넷다섯여섯일곱여덟아홉열스물무서른마흔쉰예순일흔여든아흔한두세네살")
# Vague amounts: the source's value is one reading; the product reads the longer side.
VAGUE = re.compile(r"\b(couple|few|several)\b|몇|며칠|\bunos\b|\bunas\b|\bvarios\b|\bpar\b")
# Not how long a pain has lasted.
DURATION_OFF = re.compile(r"\b(another|business|more than|less than)\b|영업일|더$|미만|이상", re.I)
MINUTES = re.compile(r"\bmin|minut|\d분|\s분|seg|sec|초", re.I)  # "1시간 30분": its timex says 1.5 hours

# Yes/no utterances dropped, with the reason (the rest of the yes/no cases are kept).
OFF_TOPIC = "about something other than the question"
YESNO_DROPPED = {
    "do I hate it when companies sell my data? yes, that's certainly undesirable": OFF_TOPIC,
    "yes, it's a lie": OFF_TOPIC, "correct, he is lying": OFF_TOPIC, "it's not a lie": OFF_TOPIC,
    "he is not lying": OFF_TOPIC, "no, it's a lie": OFF_TOPIC, "he is lying": OFF_TOPIC, "it's a lie": OFF_TOPIC,
    "that's certainly undesirable": OFF_TOPIC, "no, I obviously hate it": OFF_TOPIC,
    "no. I said the fourth of July": OFF_TOPIC, "yes... I said no onions": OFF_TOPIC,
    "No. Dije el 4 de Julio": OFF_TOPIC, "Sí ... dije sin cebollas": OFF_TOPIC,
    "아니. 나는 7월 4일에 말했다.": OFF_TOPIC, "예… 나는 양파가 없다고 말했습니다.": OFF_TOPIC,
}
CONTRADICTION = "contradicts itself: asked again (unsure), never a silent yes; source=yes"
YESNO_RELABELLED = {"Yes. I said no": ("unsure", CONTRADICTION), "Sí . dije que no": ("unsure", CONTRADICTION),
                    "예, 나는 아니라고 말했습니다.": ("unsure", CONTRADICTION)}
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")


@dataclass
class Case:
    kind: str
    lang: str
    text: str
    expected: str
    note: str


def git_show(mirror: Path, src: Source, path: str) -> str:
    git_dir = mirror / src.repo.replace("/", "+") / "repo"
    out = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{src.commit}:{path}"],
                         capture_output=True, check=True)
    return out.stdout.decode("utf-8-sig")


def resolve_commit(mirror: Path, src: Source) -> str:
    git_dir = mirror / src.repo.replace("/", "+") / "repo"
    out = subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", src.commit], capture_output=True, check=True)
    return out.stdout.decode().strip()


# ------------------------------------------------------------------ plausibility
# Korean counter forms are a number only before a unit: alone "세" is "years", "한" "about", "네" "yes".
KO_COUNTER_ALONE = {"한", "두", "세", "석", "네", "넉", "스무"}
NOT_AN_AGE = re.compile(r"dozen|docena|다스")


def plausible_age_text(text: str, lang: str) -> bool:
    if NOT_AN_AGE.search(text.lower()):
        return False
    if lang == "ko":
        return text.strip() not in KO_COUNTER_ALONE and all(
            c in KO_AGE_CHARS or c.isdigit() or c.isspace() for c in text)
    words = re.findall(r"[^\W_]+|\d+", text.lower().replace("-", " "))
    return bool(words) and all(w.isdigit() or w in NUMBER_WORDS[lang] or w in AGE_WORDS[lang] for w in words)


def age_case(text: str, value, lang: str, note: str) -> Case | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    if not MIN_AGE <= value <= MAX_AGE or not plausible_age_text(text, lang):
        return None
    return Case("age", lang, text, f"age={int(value)}", note)


def garbled_case(text: str, lang: str, note: str) -> Case | None:
    """A source text with no number in it: kept as garbled speech when it is a short phrase."""
    words = text.split()
    if not 1 <= len(words) <= 4 or any(w.lower() in NUMBER_WORDS.get(lang, ()) for w in words):
        return None
    return Case("age", lang, text, "none", note)


def duration_case(text: str, weeks: float, lang: str, note: str) -> Case | None:
    if not MIN_WEEKS * 0.999 <= weeks <= MAX_WEEKS or DURATION_OFF.search(text.strip()) or MINUTES.search(text):
        return None
    if VAGUE.search(text.lower()):
        note += f"; vague; range={weeks:.4f}..{2 * weeks:.4f}"
    return Case("duration", lang, text.strip(), f"weeks={weeks:.4f}", note)


# ------------------------------------------------------------------ python test files
class _Eval:
    """Evaluates the expected value of an assertion: literals, arithmetic, timedelta(...),
    module-level constants. Anything else raises ValueError (the case is skipped)."""

    def __init__(self, consts: dict):
        self.consts = consts

    def __call__(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = self(node.left), self(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b, ast.Div: lambda: a / b}
            if type(node.op) in ops:
                return ops[type(node.op)]()
        if isinstance(node, ast.Tuple):
            return tuple(self(e) for e in node.elts)
        if isinstance(node, ast.Name) and node.id in self.consts:
            return self.consts[node.id]
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "timedelta" and not node.args:
            return ("timedelta", {k.arg: self(k.value) for k in node.keywords})
        raise ValueError(ast.dump(node)[:60])


def _called(node) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _weeks(td) -> tuple[float, set[str]] | None:
    if not (isinstance(td, tuple) and td and td[0] == "timedelta"):
        return None
    kw = td[1]
    per = {"weeks": 1.0, "days": 1 / 7, "hours": 1 / 168, "minutes": 1 / 10080, "seconds": 1 / WEEK_S}
    if set(kw) - set(per):
        return None
    return sum(per[k] * v for k, v in kw.items()), set(kw)


def from_python(source: str, lang: str, note: str) -> list[Case]:
    tree = ast.parse(source)
    consts = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                consts[node.targets[0].id] = _Eval(consts)(node.value)
            except ValueError:
                pass
    # lingua-franca's and ovos-date-parser's month and year (their lib constants, not in the test files)
    consts.setdefault("DAYS_IN_1_MONTH", 30.4375)
    consts.setdefault("DAYS_IN_1_YEAR", 365.25)
    ev = _Eval(consts)
    out: list[Case] = []

    def call_text(call) -> tuple[str, str] | None:
        """(text, language) of an extract_* call with defaults only (no ordinals=, short_scale=)."""
        if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
            return None
        kw = {k.arg: k.value for k in call.keywords}
        if set(kw) - {"lang"} or len(call.args) > 1:
            return None
        lng = kw["lang"].value if "lang" in kw and isinstance(kw["lang"], ast.Constant) else lang
        return call.args[0].value, lng[:2]

    for fn in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        calls = {_called(c) for c in ast.walk(fn) if isinstance(c, ast.Call)}
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            if name == "assertEqual" and len(node.args) >= 2 and isinstance(node.args[0], ast.Call):
                inner = node.args[0]
                got = call_text(inner)
                if got is None:
                    continue
                text, lng = got
                try:
                    want = ev(node.args[1])
                except ValueError:
                    continue
                if _called(inner).startswith("extract_number"):
                    c = age_case(text, want, lng, note) if want is not False else garbled_case(text, lng, note)
                elif _called(inner).startswith("extract_duration"):
                    td, rest = (want if isinstance(want, tuple) and len(want) == 2 and want[0] != "timedelta"
                                else (want, ""))
                    w = _weeks(td)
                    c = None
                    if w is not None and rest == "" and not w[1] & {"minutes", "seconds"}:
                        c = duration_case(text, w[0], lng, note)
                else:
                    c = None
                if c:
                    out.append(c)
            elif name in ("assertFalse", "assertTrue", "assertIn") and node.args and isinstance(node.args[0], (ast.Call, ast.Compare)):
                # assertFalse(extract_number("no digits here")), assertTrue(extract_number("x") is False),
                # assertIn(extract_number("hola"), (False, None)): the source says there is no number
                inner = node.args[0].left if isinstance(node.args[0], ast.Compare) else node.args[0]
                if isinstance(inner, ast.Call) and _called(inner).startswith("extract_number"):
                    got = call_text(inner)
                    negative = name != "assertTrue" or (isinstance(node.args[0], ast.Compare) and isinstance(
                        node.args[0].ops[0], ast.Is) and getattr(node.args[0].comparators[0], "value", 0) is False)
                    if got and negative and got[0].strip():
                        c = garbled_case(got[0], got[1], note)
                        if c:
                            out.append(c)
        # Tables of cases in a test that calls extract_number: {"spoken": value} or {value: "spoken"}
        if not any(c.startswith("extract_number") for c in calls) or "pronounce_number" in calls:
            continue
        for d in [n for n in ast.walk(fn) if isinstance(n, ast.Dict)]:
            for k, v in zip(d.keys, d.values):
                try:
                    k, v = ev(k), ev(v)
                except (ValueError, TypeError):
                    continue
                text, value = (k, v) if isinstance(k, str) else (v, k)
                if isinstance(text, str):
                    c = age_case(text, value, lang, note)
                    if c:
                        out.append(c)
    return out


# ------------------------------------------------------------------ Recognizers-Text specs
TIMEX = re.compile(r"^P(?:(?P<Y>[\d.]+)Y)?(?:(?P<M>[\d.]+)M)?(?:(?P<W>[\d.]+)W)?(?:(?P<D>[\d.]+)D)?"
                   r"(?:T(?:(?P<H>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<S>[\d.]+)S)?)?$")


def timex_weeks(timex: str) -> float | None:
    m = TIMEX.match(timex)
    if not m or m.group("m") or m.group("S"):
        return None  # minutes or seconds, or not a plain duration (business days: P1BD)
    per = {"Y": YEAR_W, "M": MONTH_W, "W": 1.0, "D": 1 / 7, "H": 1 / 168}
    return sum(per[k] * float(v) for k, v in m.groupdict().items() if v and k in per)


def from_recognizers(kind: str, data: list, lang: str, note: str) -> list[Case]:
    out = []
    for case in data:
        results = case.get("Results") or []
        text = case.get("Input", "")
        if kind == "rt_boolean":
            if len(results) != 1:
                continue
            c = yesno_case(text, bool(results[0]["Resolution"]["value"]), lang, note)
        elif len(results) != 1:
            continue
        elif kind == "rt_age":
            r = results[0]
            if r["Resolution"].get("unit") not in ("Year", "Año"):
                continue
            c = age_case(r["Text"], _num(r["Resolution"].get("value")), lang, note)
        elif kind == "rt_number":
            r = results[0]
            if r.get("TypeName") != "number":
                continue
            c = age_case(r["Text"], _num(r["Resolution"].get("value")), lang, note)
        elif kind == "rt_duration":
            r = results[0]
            w = timex_weeks(r.get("Value", {}).get("Timex", ""))
            c = duration_case(r["Text"], w, lang, note) if w is not None else None
        else:
            c = None
        if c:
            out.append(c)
    return out


def _num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def yesno_case(text: str, value: bool | None, lang: str, note: str) -> Case | None:
    t = text.strip()
    if EMOJI.search(t) or t in YESNO_DROPPED:
        return None
    expected = "none" if value is None else ("yes" if value else "no")
    if " ".join(t.split()) in YESNO_RELABELLED:
        expected, why = YESNO_RELABELLED[" ".join(t.split())]
        note = f"{note}; relabelled: {why}"
    return Case("yesno", lang, t, expected, note)


def from_yesno_json(data: dict, lang: str, note: str) -> list[Case]:
    out = []
    for label, value in (("yes", True), ("no", False), ("null", None)):
        for text in data.get(label, []):
            c = yesno_case(text, value, lang, note)
            if c:
                out.append(c)
    return out


# ------------------------------------------------------------------ writing
def collect(mirror: Path) -> dict[tuple[str, str, str], tuple[list[Case], list[str]]]:
    groups: dict[tuple[str, str, str], tuple[list[Case], list[str]]] = {}
    for key, path, kind, lang in FILES:
        src = SOURCES[key]
        text = git_show(mirror, src, path)
        note = path
        if kind == "python":
            cases = from_python(text, lang, note)
        elif kind == "yesno_json":
            cases = from_yesno_json(json.loads(text), lang, note)
        else:
            cases = from_recognizers(kind, json.loads(text), lang, note)
        for c in cases:
            cases_, paths = groups.setdefault((key, c.kind, c.lang), ([], []))
            if all(x.text != c.text for x in cases_):   # the same text tested twice is one case
                cases_.append(c)
            if path not in paths:
                paths.append(path)
    return groups


def write(mirror: Path, out_dir: Path) -> list[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for (key, kind, lang), (cases, paths) in sorted(collect(mirror).items()):
        src = SOURCES[key]
        name = f"{key}_{kind}_{lang}.tsv"
        with open(out_dir / name, "w", encoding="utf-8", newline="") as f:
            f.write(f"# source: https://github.com/{src.repo} commit {resolve_commit(mirror, src)}\n")
            f.write(f"# paths: {', '.join(paths)}\n# license: {src.license}; test cases quoted for evaluation\n")
            f.write("# made by scripts/external_suites.py (the rules for what is kept are in its docstring)\n")
            f.write("id\tkind\ttext\texpected\tnote\n")
            for n, c in enumerate(cases, 1):
                text = " ".join(c.text.split())
                f.write(f"x{key}-{lang}-{kind}-{n:03d}\t{c.kind}\t{text}\t{c.expected}\t{c.note}\n")
        lines.append(f"{name}: {len(cases)} cases")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror"), help="folder of owner+name/repo bare clones")
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "external")
    args = ap.parse_args()
    try:
        print("\n".join(write(args.mirror, args.out)))
    except subprocess.CalledProcessError as e:
        sys.exit(f"cannot read a source from {args.mirror}: {e.stderr.decode(errors='replace').strip()}\n"
                 "Bring the five repositories named in this script's SOURCES there first (bare clones).")


if __name__ == "__main__":
    main()
