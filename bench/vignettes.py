"""Whole-patient vignettes through the product's own typed path (tests/data/vignettes.toml).

    python bench/vignettes.py              # figures per split: under-/over-triage, emergencies caught
    python bench/vignettes.py -v           # and every vignette outside its range, with its answers
    python bench/vignettes.py --tree FILE  # another tree file

Each vignette is one patient answering every question the tree asks, in their own words
(a topic they have no words for is answered with a plain denial). Answers go through
``voice.conversation.Conversation.answer_text`` (the path every typed front end uses) into a
real ``Session`` whose clock is fixed at the vignette's "today". A read-back ("I understood: ... Is that
right?") is answered the way the patient would: "yes" when it matches what is true for
them, "no" otherwise. When a question is asked again (not understood, a rejected
read-back) the patient says it plainly ("yes", "58", "5 days"); a patient unsure of an
answer stays unsure. Patients numbered by a multiple of 3 are the held-out split.

Figures: under-triage (result below the vignette's range), over-triage (above it),
emergencies caught, no result, answers misread without a read-back, and the median
number of questions an ordinary patient (no warning sign) answers before the result.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from triage import Session, load_tree  # noqa: E402
from triage.events import Ask, Heard, Result  # noqa: E402
from triage.tree import DISPOSITIONS  # noqa: E402
from voice.conversation import Conversation  # noqa: E402

VIGNETTES = ROOT / "tests" / "data" / "vignettes.toml"
TODAY = date(2026, 3, 11)  # a Wednesday
DEFAULT_DENIAL = "no"
_UNITS = {"d": 1 / 7, "w": 1.0, "m": 4.348214, "y": 52.178571}
MAX_TURNS = 80
MAX_ATTEMPTS = 3


@dataclass
class Vignette:
    id: str
    range: tuple[str, str]
    why: str
    answers: dict[str, tuple[str, Any]]
    today: date = TODAY

    @property
    def heldout(self) -> bool:
        return int(self.id.lstrip("v")) % 3 == 0

    @property
    def ordinary(self) -> bool:
        """No warning sign at all: every yes/no truth is "no"."""
        return all(t == "no" for k, (_, t) in self.answers.items() if k not in ("start", "age", "duration", "more_info"))

    @property
    def emergency(self) -> bool:
        return self.range[0] == "emergency"


@dataclass
class Run:
    vignette: Vignette
    disposition: str | None
    questions: list[str] = field(default_factory=list)  # node ids asked before the result
    readbacks: int = 0
    asked: int = 0  # every question put to the patient before the result: re-asks and read-backs too
    heard: list[str] = field(default_factory=list)  # the intent each answer was understood as
    misread: list[str] = field(default_factory=list)  # answers applied wrongly without a read-back
    transcript: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        lo, hi = self.vignette.range
        if self.disposition is None:
            return "no result"
        r = DISPOSITIONS.index(self.disposition)
        if r < DISPOSITIONS.index(lo):
            return "under"
        if r > DISPOSITIONS.index(hi):
            return "over"
        return "ok"


def _truth(key: str, raw: Any) -> Any:
    if key == "duration":
        n, unit = float(str(raw)[:-1]), str(raw)[-1]
        return n * _UNITS[unit]
    return raw


def load_vignettes(path: str | Path = VIGNETTES) -> list[Vignette]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for p in data["patient"]:
        lo, _, hi = p["range"].partition("..")
        answers = {k: (v[0], _truth(k, v[1])) for k, v in p.get("a", {}).items()}
        today = date.fromisoformat(p["today"]) if "today" in p else TODAY
        out.append(Vignette(id=p["id"], range=(lo, hi or lo), why=p["why"], answers=answers, today=today))
    return out


def _answer_for(v: Vignette, ask: Ask, mention: bool = False) -> tuple[str, Any]:
    """What this patient says to this question, and what is true. ``mention``: the question
    confirms one sign they mentioned ("You mentioned ... Is that right?"): answered for that sign."""
    if mention:
        truth = v.answers.get(ask.topics[0], ("no", "no"))[1]
        return ("yes" if truth == "yes" else "no", "yes" if truth == "yes" else "no")
    if ask.node in v.answers:
        return v.answers[ask.node]
    said = [v.answers[t] for t in ask.topics if t in v.answers]
    for pick in said:  # a question about two things: the one they have
        if pick[1] in ("yes", "unsure"):
            return pick
    if said:
        return said[0]
    if "start" in ask.topics:
        return ("yes", "yes")
    return (DEFAULT_DENIAL, "no")


def _plain(truth: Any, expects: str) -> str:
    if truth == "unsure":
        return "I'm still not sure"
    if expects == "duration":
        days = round(float(truth) * 7)
        return f"{days} days" if days < 28 else f"{round(float(truth))} weeks"
    if expects == "number":
        return str(int(truth))
    return str(truth)


def _matches(intent: str, value: Any, truth: Any, expects: str) -> bool:
    if expects == "yesno":
        return intent == truth
    if intent not in ("duration", "number") or value is None:
        return False
    if expects == "number":
        return abs(float(value) - float(truth)) <= 1
    return abs(float(value) - float(truth)) <= max(2 / 7, 0.2 * float(truth))


def _stands(v: Vignette, tree: Any, session: Any, nid: str) -> bool:
    """Whether the answer counted at ``nid`` is what is true for the patient."""
    node = tree.nodes[nid]
    rec = next((r for r in reversed(session.log) if r.node == nid), None)
    _, truth = _answer_for(v, Ask(node=nid, topics=node.topics, expects=node.expects, text=node.text))
    return rec is not None and _matches(rec.intent, rec.value, truth, node.expects)


def run_vignette(v: Vignette, tree: Any, answer: Callable[[Conversation, str], Any] | None = None,
                 **conversation: Any) -> Run:
    """One patient's session. ``answer(conv, text)`` says the text (default: typed,
    ``conv.answer_text``; bench/spoken.py speaks it); ``conversation``: Conversation settings."""
    noon = datetime(v.today.year, v.today.month, v.today.day, 12, 0).timestamp()
    conv = Conversation(tree, clock=lambda: noon, **conversation)
    answer = answer or (lambda c, text: c.answer_text(text))
    session = conv.session
    events = list(conv.start().events)
    run = Run(vignette=v, disposition=None)
    attempts: dict[str, int] = {}
    asked_node: Ask | None = None
    for _ in range(MAX_TURNS):
        result = next((e for e in events if isinstance(e, Result)), None)
        if result is not None and run.disposition is None:
            run.disposition = result.disposition
        if session.finished or session.current is None:
            break
        ask = session.current
        pending = getattr(ask, "confirm", None)
        if pending and pending.get("intent") == "summary":
            # the one summary read-back before the result: "yes" when every answer it lists stands as is true
            run.readbacks += 1
            text = "yes" if all(_stands(v, tree, session, nid) for nid in pending["nodes"]) else "no"
        elif pending and asked_node is not None:
            run.readbacks += 1
            _, truth = _answer_for(v, asked_node)
            text = "yes" if _matches(pending["intent"], pending.get("value"), truth, asked_node.expects) else "no"
        else:
            asked_node = ask
            if run.disposition is None and ask.node not in run.questions and "start" not in ask.topics:
                run.questions.append(ask.node)
            n = attempts.get(ask.node, 0)
            attempts[ask.node] = n + 1
            mention = ask.text.startswith(tree.meta.get("mention_prompt", "\0").split("{")[0])
            said, truth = _answer_for(v, ask, mention)
            text = said if n == 0 else ("I don't know" if n >= MAX_ATTEMPTS else _plain(truth, ask.expects))
        if run.disposition is None:
            run.asked += 1
        run.transcript.append(f"Q[{ask.node}] {ask.text[:70]!r} -> {text!r}")
        log_len = len(session.log)
        reply = answer(conv, text)
        events = list(reply.events)
        heard = next((e for e in events if isinstance(e, Heard)), None)
        run.heard.append(heard.intent if heard is not None else "")
        if heard is not None and heard.transcript != text:  # spoken: what the recognizer made of it
            run.transcript.append(f"    heard {heard.transcript!r} -> {heard.intent} {heard.value} "
                                  f"({heard.confidence:.2f})")
        # An answer that counted without a read-back, but is not what is true for the patient.
        for rec in session.log[log_len:]:
            # logged in a turn that was not a read-back, and not a symptom mentioned in passing
            if not pending and rec.intent != "unsure" and "mentioned" not in rec.note:
                _, truth = _answer_for(v, ask)
                if truth != "unsure" and not _matches(rec.intent, rec.value, truth, ask.expects):
                    run.misread.append(f"{ask.node}: {text!r} -> {rec.intent} {rec.value} (true: {truth})")
    return run


def summarise(runs: list[Run]) -> dict[str, Any]:
    n = len(runs)
    em = [r for r in runs if r.vignette.emergency]
    ordinary = [len(r.questions) for r in runs if r.vignette.ordinary and r.disposition]
    return {
        "n": n,
        "ok": sum(r.verdict == "ok" for r in runs),
        "under": sum(r.verdict == "under" for r in runs),
        "over": sum(r.verdict == "over" for r in runs),
        "no_result": sum(r.verdict == "no result" for r in runs),
        "emergencies": (sum(r.disposition == "emergency" for r in em), len(em)),
        "readbacks": sum(r.readbacks for r in runs),
        "misread": sum(len(r.misread) for r in runs),
        "ordinary_questions": statistics.median(ordinary) if ordinary else None,
        "ordinary_n": len(ordinary),
    }


def run_all(tree_path: str | None = None, path: str | Path = VIGNETTES) -> list[Run]:
    tree = load_tree(tree_path)
    return [run_vignette(v, tree) for v in load_vignettes(path)]


def _line(name: str, s: dict[str, Any]) -> str:
    pct = lambda k: f"{s[k]} ({100 * s[k] / s['n']:.1f}%)" if s["n"] else "0"  # noqa: E731
    caught, total = s["emergencies"]
    return (f"{name:9} n={s['n']:3}  in range {pct('ok'):14} under-triage {pct('under'):12} "
            f"over-triage {pct('over'):12} no result {s['no_result']}  emergencies caught {caught}/{total}  "
            f"read-backs {s['readbacks']}  misread w/o read-back {s['misread']}  "
            f"median questions (ordinary, n={s['ordinary_n']}) {s['ordinary_questions']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--tree", help="tree file (default: the shipped tree)")
    ap.add_argument("--vignettes", default=str(VIGNETTES))
    ap.add_argument("-v", "--verbose", action="store_true", help="show every vignette outside its range")
    args = ap.parse_args(argv)
    runs = run_all(args.tree, args.vignettes)
    print(f"vignettes: {args.vignettes}; today {TODAY} unless a vignette says; typed path (Conversation.answer_text)")
    for name, sel in (("tuning", [r for r in runs if not r.vignette.heldout]),
                      ("held-out", [r for r in runs if r.vignette.heldout]), ("all", runs)):
        print(_line(name, summarise(sel)))
    for r in runs:
        if r.verdict != "ok" or (args.verbose and r.misread):
            v = r.vignette
            print(f"\n{v.id} {'HELD-OUT ' if v.heldout else ''}{r.verdict}: got {r.disposition}, want "
                  f"{'..'.join(dict.fromkeys(v.range))} ({v.why})")
            for m in r.misread:
                print(f"    misread: {m}")
            if args.verbose:
                for t in r.transcript:
                    print(f"    {t}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
