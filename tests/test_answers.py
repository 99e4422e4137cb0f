"""voice/answers.py: the one path from what was said to the engine."""
from intents.lexicon import question
from triage import Session, load_tree
from voice.answers import answer_text, grammar_for, needs_cross_check, prepare


def test_prepare_builds_every_question_table_before_the_first_answer():
    tree = load_tree()
    question.cache_clear()
    prepare(tree)
    built = question.cache_info().currsize
    assert built == len({(n.topics, n.expects) for n in tree.nodes.values()})
    s = Session(tree)
    s.start()
    answer_text(s, "yes")
    answer_text(s, "no I haven't")
    assert question.cache_info().currsize == built  # nothing left to build on the hot path


def test_red_flag_questions_are_cross_checked_and_whisper_gets_no_grammar():
    s = Session(load_tree())
    s.start()
    assert not needs_cross_check(s)  # "ready to start?"
    answer_text(s, "yes")
    assert needs_cross_check(s) and "yes" in grammar_for(s)

    class Whisper:
        backend = "whisper"

    assert grammar_for(s, Whisper()) is None
