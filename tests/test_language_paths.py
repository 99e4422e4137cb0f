"""The same answers in English, Spanish and Korean lead to the same triage result, path by path.

Each path is a list of answer kinds (yes / no / unsure, an age, a duration); the person
answers it in each language's own words through the typed conversation path (intents
understanding, read-backs, engine), and the results (disposition, outcome, reasons) must
be identical to English's. Paths: every question answered yes alone (each red flag on its
own), everything no, everything unsure, ages and durations either side of the thresholds,
and 150 random mixes (fixed seed)."""
from __future__ import annotations

import random

import pytest

from triage import load_tree
from voice.conversation import Conversation

TREE = load_tree()

# The same answer as a person would say it in each language.
SAID = {
    "yes": {"en": "yes I have", "es": "sí, eso sí", "ko": "네 있어요"},
    "no": {"en": "no", "es": "no, nada", "ko": "아니요"},
    "unsure": {"en": "I'm not sure", "es": "no estoy seguro", "ko": "잘 모르겠어요"},
    "age_young": {"en": "forty two", "es": "cuarenta y dos años", "ko": "마흔두 살이에요"},
    "age_old": {"en": "sixty seven", "es": "tengo sesenta y siete", "ko": "육십칠 세"},
    "short": {"en": "about three days", "es": "hace unos tres días", "ko": "사흘 됐어요"},
    "long": {"en": "six weeks", "es": "unas seis semanas", "ko": "육 주 정도요"},
    "confirm": {"en": "yes", "es": "sí", "ko": "네"},
}


def walk(lang: str, plan: list[str]) -> tuple:
    """Answer the tree in ``lang`` following ``plan`` (answer kinds, used in order; yes/no
    questions take yes/no/unsure, number and duration questions their own kinds)."""
    conv = Conversation(TREE, lang=lang)
    reply = conv.start()
    reply = conv.answer_text(SAID["yes"][lang])  # "ready to start?"
    kinds = iter(plan)
    turns = 0
    while reply.question is not None and reply.result is None and turns < 80:
        turns += 1
        q = reply.question
        if q.confirm:
            reply = conv.answer_text(SAID["confirm"][lang])
            continue
        kind = next(kinds, "no")
        if q.expects == "number":
            kind = kind if kind.startswith("age") else "age_young"
        elif q.expects == "duration":
            kind = kind if kind in ("short", "long") else "short"
        elif kind not in ("yes", "no", "unsure"):
            kind = "no"
        reply = conv.answer_text(SAID[kind][lang])
    result = conv.result
    assert result is not None, f"{lang}: no result after {turns} turns on {plan}"
    return result.disposition, result.outcome, result.reasons, tuple(r.node for r in conv.session.log)


def plans() -> list[list[str]]:
    n = len(TREE.nodes) + 4
    out = [["no"] * n, ["unsure"] * n, ["no"] * n + ["age_old"], ["no"] * 20]
    for i in range(n):  # each question alone answered yes (or unsure)
        for kind in ("yes", "unsure"):
            out.append(["no"] * i + [kind] + ["no"] * (n - i - 1))
    ages_durations = [["no"] * 12 + [a, d] for a in ("age_young", "age_old") for d in ("short", "long")]
    out += ages_durations
    rng = random.Random(12)
    kinds = ["yes", "no", "no", "no", "unsure", "age_young", "age_old", "short", "long"]
    out += [[rng.choice(kinds) for _ in range(n)] for _ in range(150)]
    return out


PLANS = plans()


@pytest.mark.parametrize("lang", ["es", "ko"])
def test_every_path_gives_the_english_result(lang):
    seen = set()
    for plan in PLANS:
        english = walk("en", plan)
        other = walk(lang, plan)
        assert other == english, f"{lang} differs from English on {plan}"
        seen.add(english[0])
    assert seen == {"self_care", "soon", "urgent", "emergency"}  # every disposition was reached


def test_json_lines_ask_and_result_events_carry_the_language(tmp_path):
    import json
    import subprocess
    import sys

    lines = "\n".join(json.dumps({"text": t}) for t in ["네", "네 있어요"]) + "\n"
    r = subprocess.run([sys.executable, "-m", "voice", "run", "--io", "jsonl", "--lang", "ko"], input=lines,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    asks = [e for e in events if e["event"] == "ask"]
    results = [e for e in events if e["event"] == "result"]
    assert asks and all(e["lang"] == "ko" for e in asks)
    assert results and results[0]["lang"] == "ko" and results[0]["disposition"] == "emergency"
    assert all("lang" not in e for e in events if e["event"] not in ("ask", "result"))
