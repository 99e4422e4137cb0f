"""triage/vocabulary.py: intent names, answer kinds and topic codes agree with the tree and the phrase data."""
from __future__ import annotations

import subprocess
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import pytest

import intents
import triage
import languages as packs
from triage import Session, load_tree, vocabulary as v

LANGS = packs.codes("phrases/topics.toml")


def test_one_spelling_shared_by_triage_and_intents():
    assert intents.INTENTS == v.INTENTS and intents.TOPICS == v.TOPICS == triage.TOPICS
    assert intents.EXPECTS == v.EXPECTS and intents.META_INTENTS == v.META_INTENTS
    assert set(v.READ_BACK_INTENTS) <= set(v.ANSWER_INTENTS) and "unsure" not in v.READ_BACK_INTENTS
    assert set(v.EXPECTED_INTENTS) == set(v.EXPECTS)
    assert {i for kind in v.EXPECTED_INTENTS.values() for i in kind} | {"unsure"} == set(v.ANSWER_INTENTS)


def test_the_shipped_tree_uses_only_known_topics_and_answer_kinds():
    tree = load_tree()
    for node in tree.nodes.values():
        assert set(node.topics) <= set(v.TOPICS), node.id
        assert node.expects in v.EXPECTS, node.id
    assert {t for n in tree.nodes.values() for t in n.topics} <= set(v.TOPICS)


@pytest.mark.parametrize("lang", LANGS)
def test_phrase_data_covers_every_topic_and_request(lang):
    folder = packs.ROOT / lang / "phrases"
    topics = tomllib.loads((folder / "topics.toml").read_text(encoding="utf-8"))["topics"]
    assert set(topics) <= set(v.TOPICS), f"{lang}: topics the vocabulary does not know"
    used = {t for n in load_tree().nodes.values() for t in n.topics}
    assert used <= set(topics), f"{lang}: tree topics without phrases: {used - set(topics)}"
    meta = tomllib.loads((folder / "meta.toml").read_text(encoding="utf-8"))
    assert set(v.META_INTENTS) <= set(meta), f"{lang}: requests without phrases"
    answers = tomllib.loads((folder / "answers.toml").read_text(encoding="utf-8"))
    assert {"yes", "no", "unsure"} <= set(answers)


def test_every_intent_the_understanding_layer_returns_is_accepted_by_the_engine():
    for intent in v.INTENTS:
        s = Session(load_tree())
        s.start()
        events = s.answer(intent)
        assert events and events[0].kind == "heard" and events[0].intent == intent


def test_triage_and_intents_import_nothing_of_voice():
    code = ("import sys, triage, intents; intents.interpret('yes', 'fever'); "
            "bad = sorted(m for m in sys.modules if m == 'voice' or m.startswith('voice.')); "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
