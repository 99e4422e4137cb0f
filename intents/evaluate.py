"""Scoring an interpreter against a labelled corpus (used by tests and bench/intents.py).

Corpus format (TSV, header ``text topic expects intent value``): ``topic`` is one code or
several joined by ``+`` (an Ask with two topics); ``value`` is empty, weeks for
durations, or the number.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from intents.matcher import Interpretation
# Questions where a wrong "no" hides a warning sign (one list for the matcher and the scoring).
from triage.vocabulary import RED_FLAG_TOPICS

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
