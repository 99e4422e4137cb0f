"""The same answers in English, Spanish and Korean lead to the same triage result, path by path.

Each path is a list of answer kinds (yes / no / unsure, an age, a duration); the person
answers it in each language's own words through the typed conversation path (the tree
with its wording in that language, intents understanding, read-backs, engine), and the
results (disposition, outcome, every outcome's topics, the questions asked in order) must
be identical to English's. Paths: every question answered yes alone (each red flag on its
own), everything no, everything unsure, ages and durations either side of the thresholds,
and 150 random mixes (fixed seed)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from triage import load_tree
from voice.conversation import Conversation

TREES = {lang: load_tree(None, lang) for lang in ("en", "es", "ko")}

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
    conv = Conversation(TREES[lang], lang=lang)
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
    return result.disposition, result.outcome, result.topics, tuple(r.node for r in conv.session.log)


def plans() -> list[list[str]]:
    n = len(TREES["en"].nodes) + 4
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
def test_the_questions_are_asked_in_the_language(lang):
    english, other = TREES["en"], TREES[lang]
    assert other.meta["language"] == lang and set(other.nodes) == set(english.nodes)
    for nid, node in other.nodes.items():
        assert node.text != english.nodes[nid].text and node.yes == english.nodes[nid].yes  # words differ, logic not
    reply = Conversation(other, lang=lang).start()
    assert reply.question.text == other.nodes["start"].text.replace("{emergency_number}", "911")


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


def test_a_missing_translation_names_the_node_and_the_field(tmp_path):
    """A clinic adds a question to its tree: every language without its wording is an error, not English."""
    import shutil

    from triage import TreeError
    from languages import ROOT as PACKS

    tree = tmp_path / "clinic.toml"
    text = (Path(load_tree().source).read_text(encoding="utf-8")
            .replace('[nodes.more_info]', '[nodes.pregnant]\ntopics = ["more_info"]\nexpects = "yesno"\n'
                     'text = "Are you pregnant?"\nplain = "Are you expecting a baby?"\nyes = "end"\nno = "end"\n\n'
                     '[nodes.more_info]', 1)
            .replace('after_result = "more_info"', 'after_result = "more_info"\n', 1))
    text = text.replace('[nodes.more_info]\ntopics = ["more_info"]\nexpects = "yesno"\n',
                        '[nodes.more_info]\ntopics = ["more_info"]\nexpects = "yesno"\n', 1)
    text = text.replace('yes = "info"\nno = "end"', 'yes = "info"\nno = "pregnant"', 1)
    tree.write_text(text, encoding="utf-8")
    assert "pregnant" in load_tree(tree).nodes  # fine in English
    with pytest.raises(TreeError, match="no wording in 'es' for this tree"):
        load_tree(tree, "es")
    (tmp_path / "locale" / "es").mkdir(parents=True)
    shutil.copy(PACKS / "es" / "tree.toml", tmp_path / "locale" / "es" / "tree.toml")
    with pytest.raises(TreeError) as e:
        load_tree(tree, "es")
    assert "node 'pregnant', field 'text': no es translation" in str(e.value)
    assert "node 'pregnant', field 'plain': no es translation" in str(e.value)
    with open(tmp_path / "locale" / "es" / "tree.toml", "a", encoding="utf-8") as f:
        f.write('\n[nodes.pregnant]\ntext = "¿Está embarazada?"\nplain = "¿Espera un bebé?"\n')
    assert load_tree(tree, "es").nodes["pregnant"].text == "¿Está embarazada?"


def test_a_translation_that_loses_the_emergency_number_is_refused(tmp_path):
    from triage import TreeError
    from languages import ROOT as PACKS

    tree = tmp_path / "clinic.toml"
    tree.write_text(Path(load_tree().source).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "locale" / "ko").mkdir(parents=True)
    words = (PACKS / "ko" / "tree.toml").read_text(encoding="utf-8")
    words = words.replace('text = "지금 {emergency_number}에 전화하거나, 바로 직원에게 알리세요. 직접 운전해서',
                          'text = "바로 직원에게 알리세요. 직접 운전해서', 1)
    (tmp_path / "locale" / "ko" / "tree.toml").write_text(words, encoding="utf-8")
    with pytest.raises(TreeError, match="outcome 'emergency_chest_aorta', field 'text': the ko translation lacks "
                                        r"\{emergency_number\}"):
        load_tree(tree, "ko")


def test_tree_check_checks_every_language_and_says_none_is_clinically_reviewed():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "voice", "tree", "check"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "es (Español): wording complete, not clinically reviewed" in r.stdout
    assert "ko (한국어): wording complete, not clinically reviewed" in r.stdout
