"""The matcher against labelled corpora written apart from the phrase lists.

intents_corpus.tsv (676 answers) was written first, scored (first run 644/676), and the
phrase data then extended with general patterns where it failed. The two holdout files
were each written afterwards in other words and scored before any change that followed
(first runs: holdout 157/163, holdout2 130/134, holdout3 110/110; every miss an
"unknown" or a debatable label, none a red-flag "no"). All must stay >= 98 % with no red-flag yes/unsure read as no.
"""
from pathlib import Path

import pytest

from intents import TOPICS, interpret
from intents.evaluate import RED_FLAG_TOPICS, describe, load_corpus, score

DATA = Path(__file__).parent / "data"
CORPORA = ["intents_corpus.tsv", "intents_corpus_holdout.tsv", "intents_corpus_holdout2.tsv",
           "intents_corpus_holdout3.tsv"]


@pytest.fixture(scope="module", params=CORPORA)
def result(request):
    return score(load_corpus(DATA / request.param), interpret)


def test_accuracy_at_least_98_percent(result):
    assert result.accuracy >= 0.98, "\n".join(describe(c, g) for c, g in result.wrong)


def test_no_red_flag_yes_or_unsure_is_read_as_no(result):
    assert not result.dangerous, "\n".join(describe(c, g) for c, g in result.dangerous)


def test_main_corpus_covers_every_topic_and_intent():
    cases = load_corpus(DATA / "intents_corpus.tsv")
    assert len(cases) >= 600
    assert {t for c in cases for t in c.topics} == set(TOPICS)
    intents = {c.intent for c in cases}
    assert intents >= {"yes", "no", "unsure", "repeat", "back", "help", "stop", "slower", "restart",
                       "duration", "number", "unknown"}
    # every red-flag question has yes, no and unsure answers
    for topic in RED_FLAG_TOPICS:
        said = {c.intent for c in cases if topic in c.topics}
        assert {"yes", "no", "unsure"} <= said, topic


def test_corpus_is_not_the_phrase_list():
    """Most corpus answers are not themselves a phrase of the data files (whole-answer match)."""
    from intents import vocabulary
    cases = [c for c in load_corpus(DATA / "intents_corpus.tsv") if c.expects == "yesno"]
    verbatim = [c for c in cases if c.text.lower() in set(vocabulary(c.topics))]
    assert len(verbatim) / len(cases) < 0.25, len(verbatim)
