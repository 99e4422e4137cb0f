"""Replies to read-backs (tests/data/heldout/readback_replies_*.tsv) through the product's typed path.

    python bench/readback_replies.py              # figures per language and split
    python bench/readback_replies.py --misses     # every miss of the tune half (held-out misses are counted only)

Each row: the session is put at the row's question, the answer it reads back (a "no", a "yes", the
duration or age in the read-back) is given at a confidence under the read-back threshold, the read-back
is checked to be the row's, and the row's wording is typed as the reply (``Conversation.answer_text``:
``intents.readback.read_reply`` and the engine's read-back rule). The reply is judged by what the
session did with it:

    confirm / restate     the answer read back counted
    reject                nothing counted, the question is asked again (or its read-back again)
    correct=X             the corrected answer counted, or is itself read back; the old one did not count
    repeat_request        nothing counted, nothing spent: the same read-back again
    unsure                "not sure" counted, or the question asked again plainly; never the answer read back
    not_an_answer         nothing counted (the read-back or the question again)

Dangerous: a reply that made a "no" to a warning sign, or an amount under its threshold, count when the
row's meaning is anything but confirm/restate of it. Figures include only the understanding and the
engine's decision (no speech): what a patient's words get, typed.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage import load_tree  # noqa: E402
from triage.events import Ask  # noqa: E402
from voice.conversation import Conversation  # noqa: E402

HELDOUT = ROOT / "tests" / "data" / "heldout"
TODAY = 1796601600.0  # 2026-12-07 00:00 UTC, the held-out folder's reference date


def rows(lang: str) -> list[dict[str, str]]:
    with open(HELDOUT / f"readback_replies_{lang}.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _read_back_answer(row: dict[str, str]) -> tuple[str, float | None]:
    kind = row["readback_of"]
    if kind == "yesno_no":
        return "no", None
    if kind == "yesno_yes":
        return "yes", None
    n = float(re.findall(r"\d+(?:\.\d+)?", row["read_back"])[0])
    if kind == "age":
        return "number", n
    months = "month" in row["read_back"] or "개월" in row["read_back"] or "달" in row["read_back"]
    return "duration", round(n * 4.35, 2) if months else n


def judge_row(row: dict[str, str], lang: str, trees: dict) -> tuple[str, bool]:
    """(what happened, as one of the meanings above or a description; dangerous)."""
    tree = trees[lang]
    conv = Conversation(tree, lang=lang, clock=lambda: TODAY)
    conv.start()
    s = conv.session
    node = tree.nodes[row["node"]]
    s._state.node = node.id
    s.current = Ask(node=node.id, topics=node.topics, expects=node.expects, text=node.text)
    intent, value = _read_back_answer(row)
    ask = [e for e in s.answer(intent, value, 0.1, transcript="(read back)") if isinstance(e, Ask)]
    if not ask or not ask[0].confirm:
        return "no read-back", False
    conv._log_before = len(s.log)
    before_ask = s.current
    reply = conv.answer_text(row["wording"])
    counted = [r for r in s.log if r.node == node.id]
    last = counted[-1] if counted else None
    meaning = row["meaning"]
    lowers = s.lowers(node, intent, value)
    if last is not None and last.intent == intent and (value is None or abs(float(last.value) - value) < 1e-6):
        got = "confirmed"
    elif last is not None:
        got = f"counted {last.intent}" + (f" {float(last.value):g}" if last.value is not None else "")
    elif s.current is not None and s.current.confirm and s.current.node == node.id:
        same = s.current.confirm.get("value") == value and s.current.confirm.get("intent") == intent
        got = "read back again" if same else f"read back {s.current.confirm.get('intent')} " \
            f"{s.current.confirm.get('value')}"
    elif s.current is not None and s.current.node == node.id:
        got = "asked again"
    else:
        got = "other"
    spent = s._state.attempts.get(node.id, 0)
    danger = got == "confirmed" and lowers and meaning not in ("confirm", "restate")
    ok = {
        "confirm": got == "confirmed",
        "restate": got == "confirmed",
        "reject": got in ("asked again", "read back again"),
        "repeat_request": got == "read back again" and spent == 0 and s.current.text == before_ask.text,
        "unsure": got in ("counted unsure", "asked again"),
        "not_an_answer": got in ("asked again", "read back again"),
    }.get(meaning)
    if ok is None and meaning.startswith("correct="):
        want = meaning.split("=", 1)[1]
        if want in ("yes", "no"):
            ok = got == f"counted {want}" or got == f"read back {want} None"
        else:
            kind, n = want.split("=")
            n = float(n)
            ok = bool(re.match(r"(counted|read back) (duration|number) ", got)) and \
                abs(float(got.split()[-1]) - n) <= max(0.02 * n, 0.15)
    if got == "read back again" and not ok:
        got += f" (attempts spent: {spent})"
    return ("ok" if ok else got), danger


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list the tune half's misses")
    args = ap.parse_args()
    trees = {lang: load_tree(lang=lang).for_medium("voice") if hasattr(load_tree(lang=lang), "for_medium")
             else load_tree(lang=lang) for lang in ("en", "ko")}
    print("replies to read-backs, typed through Conversation.answer_text (understanding + engine rule only)")
    for lang in ("en", "ko"):
        score: dict[str, Counter] = defaultdict(Counter)
        for row in rows(lang):
            got, danger = judge_row(row, lang, trees)
            split = row["split"]
            score[split]["rows"] += 1
            score[split]["ok"] += got == "ok"
            score[split]["dangerous"] += danger
            score[split, row["meaning"].split("=")[0]]["rows"] += 1
            score[split, row["meaning"].split("=")[0]]["ok"] += got == "ok"
            if args.misses and split == "tune" and got != "ok":
                print(f"  miss {row['id']}: {row['meaning']!r} {row['wording']!r} -> {got}")
        for split in ("tune", "heldout"):
            c = score[split]
            kinds = ", ".join(f"{k[1]} {score[k]['ok']}/{score[k]['rows']}" for k in sorted(k for k in score if isinstance(k, tuple))
                              if k[0] == split)
            print(f"{lang} {split:8s}: {c['ok']}/{c['rows']} as meant, {c['dangerous']} dangerous ({kinds})")


if __name__ == "__main__":
    main()
