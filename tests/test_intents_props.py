"""Property-based: whatever text arrives, the matcher answers with a valid intent."""
from hypothesis import given, settings, strategies as st

from intents import INTENTS, TOPICS, interpret, vocabulary

EXPECTS = st.sampled_from(["yesno", "duration", "number"])
TOPIC = st.one_of(st.none(), st.sampled_from(TOPICS), st.tuples(st.sampled_from(TOPICS), st.sampled_from(TOPICS)))
# Words the matcher knows, so generated text also hits the phrase, number and negation paths.
WORDS = sorted({w for t in TOPICS for e in ("yesno", "duration") for p in vocabulary(t, e) for w in p.split()})
KNOWN_TEXT = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from([",", ".", "[unk]", "?", "-", "/", "3", "10"])),
                      max_size=30).map(" ".join)
ANY_TEXT = st.one_of(
    st.text(),                                                                # any unicode, control chars too
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),
    st.text(min_size=5000, max_size=20000),                                   # huge
    KNOWN_TEXT,
)


def check(r):
    assert r.intent in INTENTS
    assert 0.0 <= r.confidence <= 1.0
    if r.intent == "duration":
        assert isinstance(r.value, float) and r.value >= 0
    elif r.intent == "number":
        assert isinstance(r.value, (int, float))
    else:
        assert r.value is None
    assert set(r.to_json()) == {"intent", "value", "confidence"}


@settings(max_examples=400, deadline=None)
@given(text=ANY_TEXT, topic=TOPIC, expects=EXPECTS)
def test_any_text_gives_a_valid_interpretation(text, topic, expects):
    check(interpret(text, topic, expects))


@settings(max_examples=200, deadline=None)
@given(text=KNOWN_TEXT, topic=TOPIC, expects=EXPECTS,
       confs=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=10))
def test_word_confidences_never_push_confidence_out_of_range(text, topic, expects, confs):
    check(interpret(text, topic, expects, word_confidences=confs))


@settings(max_examples=200, deadline=None)
@given(topic=st.sampled_from(["fever", "weakness", "bladder_bowel", "saddle_numbness", "trauma"]),
       before=st.sampled_from(["", "well ", "um ", "honestly "]),
       after=st.sampled_from(["", " really", " to be honest", " sorry"]),
       core=st.sampled_from(["I don't know", "not sure", "no idea", "I can't tell", "I'm not sure"]))
def test_dont_know_never_becomes_no(topic, before, after, core):
    assert interpret(before + core + after, topic).intent != "no"
