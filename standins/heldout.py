"""The held-out simulated patients (tests/data/heldout/) answering whatever they are asked, by their truth.

    patients = load_patients("en")                     # or only the held-out half: heldout_only=True
    p = HeldoutPatient(patients[0], "en")
    text = p.say(reply.question)                        # the words this patient says to the open question

What they say comes from the held-out wordings written without reading the phrase lists
(answers_LANG.tsv, readback_replies_LANG.tsv): the first time a question is asked, the row the
patient names in [patient.wordings] or one picked by a seed among the rows with their true
meaning; asked again, a short wording of the same meaning not said yet, else the plain answer ("no",
"42", "about 2 weeks": people say it plainly the second time). A wording that mentions another
sign in passing is only said by a patient who has that sign. A read-back ("So you have NOT had a fever. Is that right?") is judged against the truth:
a confirming reply when it is right, else a correction (or a plain "that's wrong") from the
read-back rows. A question about a sign mentioned in passing is answered for that sign.
Deterministic: the same patient asked the same things says the same words.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "heldout"
_TREES: dict[str, Any] = {}  # the shipped tree per language, for judging the summary read-back
REFERENCE_DAY = (2026, 12, 7)  # the wordings' "since Thursday" counts back from this Monday (README)


def heldout_split(ident: str) -> bool:
    """The frozen rule of tests/data/heldout/README.md."""
    return int(hashlib.sha256(ident.encode("utf-8")).hexdigest(), 16) % 5 < 2


def _rows(name: str) -> list[dict[str, str]]:
    with open(HELDOUT / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@dataclass
class Patient:
    id: str
    story: str
    heldout: bool
    answers: dict[str, Any]
    wordings: dict[str, str] = field(default_factory=dict)


def load_patients(lang: str, heldout_only: bool = False) -> list[Patient]:
    data = tomllib.loads((HELDOUT / f"patients_{lang}.toml").read_text(encoding="utf-8"))
    out = [Patient(p["id"], p.get("story", ""), heldout_split(p["id"]), dict(p["answers"]),
                   dict(p.get("wordings", {}))) for p in data["patient"]]
    return [p for p in out if p.heldout] if heldout_only else out


def _pick(rows: list[dict[str, str]], *key: Any) -> dict[str, str]:
    h = int(hashlib.sha256(repr(key).encode("utf-8")).hexdigest(), 16)
    return rows[h % len(rows)]


def _value(meaning: str) -> float | None:
    return float(meaning.split("=")[-1]) if "=" in meaning else None


def _close(a: float, b: float, kind: str) -> bool:
    return abs(a - b) <= (0.5 if kind == "age" else max(0.02 * b, 0.01))


def matches(intent: str, value: Any, truth: Any, expects: str) -> bool:
    """Whether what was read back is what is true for the patient (as bench/vignettes.py judges it)."""
    if expects == "yesno":
        return intent == truth
    if intent not in ("duration", "number") or value is None or truth == "unsure":
        return False
    if expects == "number":
        return abs(float(value) - float(truth)) <= 1
    return abs(float(value) - float(truth)) <= max(2 / 7, 0.2 * float(truth))


def plain(truth: Any, expects: str, lang: str) -> str:
    """How a patient says a number or a yes/no when no written wording has it."""
    if expects == "number":
        return f"{int(truth)}살이에요" if lang == "ko" else f"I'm {int(truth)}"
    if expects == "duration":
        days = round(float(truth) * 7)
        if lang == "ko":
            return f"{days}일 됐어요" if days < 28 else f"{round(float(truth))}주 됐어요"
        return f"about {days} days" if days < 28 else f"about {round(float(truth))} weeks"
    return {"ko": {"yes": "네", "no": "아니요", "unsure": "잘 모르겠어요"},
            "en": {"yes": "yes", "no": "no", "unsure": "I'm not sure"}}[lang][str(truth)]


class HeldoutPatient:
    """One patient of patients_LANG.toml; :meth:`say` answers the open ``voice.conversation.Question``."""

    def __init__(self, patient: Patient, lang: str):
        self.p, self.lang = patient, lang
        self.answers = [r for r in _rows(f"answers_{lang}.tsv")]
        self.readbacks = _rows(f"readback_replies_{lang}.tsv")
        self.by_id = {r["id"]: r for r in self.answers}
        self.asked: dict[str, int] = {}
        self.said: list[tuple[str, str]] = []  # (node, words), every turn
        self.readbacks_heard = 0

    # ------------------------------------------------------------------ truth

    def truth(self, node: str) -> Any:
        return self.p.answers.get(node, "no")

    def _meaning_rows(self, node: str, truth: Any, expects: str) -> list[dict[str, str]]:
        # a wording that mentions another sign in passing only from a patient who has that sign
        rows = [r for r in self.answers if r["node"] == node
                and all(self.truth(m.strip()) == "yes" for m in r.get("mentions", "").split(",") if m.strip())]
        if expects == "yesno":
            return [r for r in rows if r["meaning"] == truth]
        kind = "age" if expects == "number" else "duration"
        return [r for r in rows if r["meaning"].startswith(kind) and _close(_value(r["meaning"]), float(truth), kind)]

    # ------------------------------------------------------------------ answering

    def say(self, q: Any, mention_prompt: str = "") -> str:
        """The words for the open question ``q`` (a voice.conversation.Question); ``mention_prompt``:
        the engine's "You mentioned {sign}. Is that right?" template in the session's language."""
        if q.confirm:
            text = self._reply_to_readback(q)
        else:
            text = self._answer(q, mention_prompt)
        self.said.append((q.node, text))
        return text

    def _answer(self, q: Any, mention_prompt: str) -> str:
        node = q.node
        head, _, tail = mention_prompt.partition("{sign}")
        if mention_prompt and q.text.startswith(head) and q.text.endswith(tail) and q.text != mention_prompt:
            # "You mentioned ...: is that right?": about that sign
            truth = self.truth(node)
            return plain("yes" if truth == "yes" else "no", "yesno", self.lang)
        n = self.asked.get(node, 0)
        self.asked[node] = n + 1
        truth = self.truth(node)
        expects = q.expects if truth != "unsure" else "yesno"
        rows = self._meaning_rows(node, truth, expects)
        if n == 0 and node in self.p.wordings and self.p.wordings[node] in self.by_id:
            return self.by_id[self.p.wordings[node]]["wording"]
        if n > 0:  # asked again: plainly, in a short wording not said yet, else the plain answer
            said = {t for nd, t in self.said if nd == node}
            rows = [r for r in rows if r["style"] == "short" and r["wording"] not in said]
        if not rows:
            return plain(truth, expects, self.lang)
        return _pick(rows, self.p.id, node, n)["wording"]

    def summary_right(self, nodes: list[str]) -> bool:
        """Whether the summary read-back before the result ("So: no fever, ... Is that right?")
        is true for this patient: every answer it lists (each one that lowered the urgency) is
        on the same side of the question as the patient's truth."""
        from triage import load_tree
        from triage.engine import Session

        tree = _TREES.get(self.lang) or _TREES.setdefault(self.lang, load_tree(None, None if self.lang == "en" else self.lang))
        for nid in nodes:
            node, truth = tree.nodes.get(nid), self.truth(nid)
            if node is None:
                return False
            intent, value = (truth, None) if node.expects == "yesno" or truth == "unsure" else (node.expects, truth)
            if not Session.lowers(node, intent, value):
                return False
        return True

    def _reply_to_readback(self, q: Any) -> str:
        self.readbacks_heard += 1
        node, confirm = q.node, q.confirm
        truth = self.truth(node)
        intent, value = confirm.get("intent"), confirm.get("value")
        if intent == "summary":
            # about the listed answers, not the open question: a short confirmation or rejection
            right = self.summary_right(list(confirm.get("nodes", ())))
            pool = [r for r in self.readbacks if r["readback_of"] == "yesno_no" and r["style"] == "short"
                    and r["meaning"] == ("confirm" if right else "reject")]
            if not pool:
                return plain("yes" if right else "no", "yesno", self.lang)
            return _pick(pool, self.p.id, node, "summary", self.readbacks_heard)["wording"]
        node_expects = "yesno" if intent in ("yes", "no", "unsure") else ("number" if intent == "number" else "duration")
        right = matches(intent, value, truth, node_expects)
        kind = {"yesno": f"yesno_{intent}" if intent in ("yes", "no") else "yesno_no",
                "number": "age", "duration": "duration"}[node_expects]
        rows = [r for r in self.readbacks if r["readback_of"] == kind]
        own = [r for r in rows if r["node"] == node]
        if right:  # a confirmation; one that names another sign ("no fever") only where it belongs
            pool = [r for r in rows if r["meaning"] == "confirm" and (r["node"] == node or r["style"] in ("short", "hedge")
                                                                     or kind in ("age", "duration") and r["style"] != "long")]
        else:  # the correction that says the truth, else a plain "that's wrong"
            pool = [r for r in own if r["meaning"] == f"correct={truth}"] if node_expects == "yesno" else \
                [r for r in rows if r["meaning"].startswith("correct=") and isinstance(truth, (int, float)) and
                 _close(_value(r["meaning"]), float(truth), "age" if kind == "age" else "duration")]
            pool = pool or [r for r in rows if r["meaning"] == "reject" and (r["node"] == node or r["style"] != "long")]
        if not pool:
            return plain("yes" if right else "no", "yesno", self.lang)
        return _pick(pool, self.p.id, node, "readback", self.readbacks_heard)["wording"]
