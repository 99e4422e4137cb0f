"""voice/conversation.py: the one path from what was said to the engine."""
from intents.lexicon import question
from triage import load_tree
from voice.conversation import Conversation, prepare


def test_prepare_builds_every_question_table_before_the_first_answer():
    tree = load_tree()
    question.cache_clear()
    prepare(tree)
    built = question.cache_info().currsize
    assert built == len({(n.topics, n.expects) for n in tree.nodes.values()})
    c = Conversation(tree)
    c.start()
    c.answer_text("yes")
    c.answer_text("no I haven't")
    assert question.cache_info().currsize == built  # nothing left to build on the hot path


def test_red_flag_questions_are_cross_checked_and_whisper_gets_no_grammar():
    c = Conversation(load_tree())
    c.start()
    assert not c.needs_cross_check()  # "ready to start?"
    c.answer_text("yes")
    assert c.needs_cross_check() and "yes" in c.grammar()

    from voice.asr.whisper_backend import WhisperRecognizer

    class Whisper(WhisperRecognizer):
        def __init__(self):  # no model: only what a conversation asks of it
            pass

    assert c.grammar(Whisper()) is None
