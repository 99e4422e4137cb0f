"""Scoring an interpreter against a labelled corpus (used by tests and bench/intents.py).

Corpus format (TSV, header ``text topic expects intent value``): ``topic`` is one code or
several joined by ``+`` (an Ask with two topics); ``value`` is empty, weeks for
durations, or the number.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from intents.matcher import Interpretation
# Questions where a wrong "no" hides a warning sign (one list for the matcher and the scoring).
from triage.vocabulary import META_INTENTS, RED_FLAG_TOPICS

VALUE_TOLERANCE = 0.01  # relative, for durations in weeks


@dataclass(frozen=True)
class Case:
    text: str
    topics: tuple[str, ...]
    expects: str
    intent: str
    value: float | None
    line: int


def load_corpus(path: str | Path) -> list[Case]:
    cases = []
    with open(path, newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            value = row["value"].strip()
            cases.append(Case(text=row["text"], topics=tuple(row["topic"].split("+")), expects=row["expects"],
                              intent=row["intent"], value=float(value) if value else None, line=n))
    return cases


def correct(case: Case, got: Interpretation) -> bool:
    if got.intent != case.intent:
        return False
    if case.value is None:
        return got.value is None
    return got.value is not None and abs(float(got.value) - case.value) <= VALUE_TOLERANCE * max(1.0, case.value)


def dangerous(case: Case, got: Interpretation) -> bool:
    """A red-flag "yes" or "unsure" read as "no"."""
    return (case.intent in ("yes", "unsure") and got.intent == "no"
            and bool(set(case.topics) & RED_FLAG_TOPICS))


SENTENCE_WORDS = 5  # a "yes" said as a sentence that describes the symptom, not a bare "yes"


def described_as_no(case: Case, got: Interpretation) -> bool:
    """A red-flag "yes" said as a sentence describing the symptom ("I haven't been able to hold
    my bowels") read as "no": the error issue 9 is about, reported apart."""
    return (case.intent == "yes" and got.intent == "no" and bool(set(case.topics) & RED_FLAG_TOPICS)
            and len(case.text.split()) >= SENTENCE_WORDS)


@dataclass
class Score:
    total: int
    right: int
    dangerous: list[tuple[Case, Interpretation]]
    wrong: list[tuple[Case, Interpretation]]
    results: list[tuple[Case, Interpretation]]

    @property
    def described_as_no(self) -> list[tuple[Case, Interpretation]]:
        return [(c, g) for c, g in self.dangerous if described_as_no(c, g)]

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def score(cases: list[Case], fn: Callable[..., Interpretation]) -> Score:
    results = [(c, fn(c.text, c.topics, c.expects)) for c in cases]
    wrong = [(c, g) for c, g in results if not correct(c, g)]
    return Score(total=len(cases), right=len(cases) - len(wrong),
                 dangerous=[(c, g) for c, g in wrong if dangerous(c, g)], wrong=wrong, results=results)


def describe(case: Case, got: Interpretation) -> str:
    want = case.intent + (f" {case.value:g}" if case.value is not None else "")
    have = got.intent + (f" {got.value}" if got.value is not None else "")
    return f"line {case.line}: {case.text!r} [{'+'.join(case.topics)}/{case.expects}] want {want}, got {have} ({got.confidence:.2f})"


# ---------------------------------------------------------------- understanding suites (issue 22)
# tests/data/external/*.tsv (other projects' public cases) and tests/data/heldout/understanding_*.tsv
# (patient-written): columns ``id kind text expected note``; ``expected`` is age=N, weeks=N, yes, no,
# unsure or none (not understood); ``note`` may hold ``range=LOW..HIGH`` for a vague amount.
SUITE_TODAY = date(2026, 12, 7)   # the held-out suites' reference day (tests/data/heldout/README.md)
WEEKS_TOLERANCE = 0.02            # "exact wordings should be read within 2 %"
WEEKS_ROUNDING = 0.005            # ... of a value the suite rounded to 2 decimals ("desde ayer" 0.14 = 1/7)
LONG_PAIN_WEEKS = 4.0             # the tree's duration threshold
AGE_DANGER_YEARS = 10             # an age read this much lower may cross the tree's 50 and 70
# Where each kind is asked: yes/no answers at an offer and at a warning sign (a case is scored at the
# first, the offer; a yes read as no at either is dangerous).
SUITE_QUESTIONS = {"age": [("age", "number")], "duration": [("duration", "duration")],
                   "yesno": [("more_info", "yesno"), ("fever", "yesno")]}
NOT_UNDERSTOOD = ("unknown", "unsure")  # both ask the question again


@dataclass(frozen=True)
class SuiteCase:
    id: str
    kind: str
    lang: str
    text: str
    expected: str        # "age", "weeks", "yes", "no", "unsure" or "none"
    value: float | None
    low: float | None    # a vague amount's fair readings
    high: float | None
    split: str           # "tune" or "heldout" (tests/data/heldout/README.md's rule on the id)
    source: str          # the file's name
    source_expected: str | None = None  # a relabelled case's label in its source (``source=yes`` in the note)


_RANGE = re.compile(r"range=(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?)")
_SOURCE_LABEL = re.compile(r"source=(\w+)")


def split_of(case_id: str) -> str:
    """The held-out folder's fixed rule (its README): about 40 % of ids are held out."""
    return "heldout" if int(hashlib.sha256(case_id.encode("utf-8")).hexdigest(), 16) % 5 < 2 else "tune"


def load_suite(path: str | Path) -> list[SuiteCase]:
    """One suite file; the language is the file name's last part (``..._ko.tsv``)."""
    path = Path(path)
    lang = path.stem.split("_")[-1]
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        want = row["expected"].strip()
        name, _, number = want.partition("=")
        low = high = None
        m = _RANGE.search(row.get("note") or "")
        if m:
            low, high = float(m.group(1)), float(m.group(2))
        out.append(SuiteCase(id=row["id"], kind=row["kind"], lang=lang, text=row["text"], expected=name,
                             value=float(number) if number else None, low=low, high=high,
                             split=split_of(row["id"]), source=path.name,
                             source_expected=(m.group(1) if (m := _SOURCE_LABEL.search(row.get("note") or "")) else None)))
    return out


def judge(case: SuiteCase, got: Interpretation) -> tuple[bool, str | None]:
    """(right, what was dangerous about the reading or None). Dangerous: a yes (or an unsure) read
    as no; a duration of 4 weeks or more read under 4 weeks; an age read 10 or more years lower;
    garbled input read as an answer."""
    v = got.value
    if case.expected == "none":
        return got.intent in NOT_UNDERSTOOD, (None if got.intent in NOT_UNDERSTOOD or got.intent in META_INTENTS
                                             else f"garbled input read as {got.intent}")
    if case.expected in ("yes", "no", "unsure"):
        danger = "read as no" if case.expected in ("yes", "unsure") and got.intent == "no" else None
        return got.intent == case.expected, danger
    if case.expected == "age":
        if got.intent != "number" or v is None:
            return False, None
        right = (case.low <= v <= case.high) if case.low is not None else v == case.value
        return right, (f"age {v} for {case.value:g}" if v <= case.value - AGE_DANGER_YEARS else None)
    if case.expected == "weeks":
        if got.intent != "duration" or v is None:
            return False, None
        w = case.value
        right = abs(v - w) <= WEEKS_TOLERANCE * w + WEEKS_ROUNDING or (case.low is not None and case.low <= v <= case.high)
        return right, (f"{v:.2f} weeks for {w:g}" if w >= LONG_PAIN_WEEKS > v else None)
    raise ValueError(f"{case.source} {case.id}: unknown expectation {case.expected!r}")


