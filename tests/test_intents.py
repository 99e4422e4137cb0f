"""Behaviour of the understanding layer that the issue names one by one."""
import shutil

import pytest

import intents.lexicon as lexicon
from intents import INTENTS, TOPICS, Interpretation, interpret, vocabulary

RED_FLAGS = ["fever", "weight_loss", "weakness", "numbness", "bladder_bowel", "saddle_numbness", "trauma",
             "osteoporosis", "steroids", "cancer_history", "infection_risk", "sleep", "daily_activities"]


def test_interpretation_is_frozen_and_serialises():
    r = interpret("yes", "fever")
    assert isinstance(r, Interpretation)
    with pytest.raises(Exception):
        r.intent = "no"  # type: ignore[misc]
    assert r.to_json() == {"intent": "yes", "value": None, "confidence": r.confidence}


@pytest.mark.parametrize("topic", RED_FLAGS)
@pytest.mark.parametrize("text", ["I don't know", "i dont no", "not sure", "I can't tell", "hard to say",
                                  "yes and no", "maybe", "I'm not sure, no idea"])
def test_dont_know_is_unsure_never_no(topic, text):
    assert interpret(text, topic).intent == "unsure"


@pytest.mark.parametrize("text, topic, intent", [
    ("I've been running a temperature", "fever", "yes"),
    ("uh huh", "fever", "yes"),                            # not the request "huh?"
    ("mm hmm", "weakness", "yes"),
    ("chills", "fever", "yes"),
    ("no fever", "fever", "no"),
    ("I haven't had any chills", "fever", "no"),
    ("no fever, but I've had chills", "fever", "yes"),     # one affirmed sign is a yes
    ("no, but I've had chills", "fever", "unsure"),        # plain no against a sign: ask again, never "no"
    ("I don't have a fever now but I did last week", "fever", "unsure"),
    ("I didn't fall but I was in a crash", "trauma", "yes"),
    ("I don't eat much and I've lost weight", "weight_loss", "yes"),
    ("my leg keeps giving way", "weakness", "yes"),
    ("my legs feel normal", "weakness", "no"),
    ("I've had accidents", "bladder_bowel", "yes"),
    ("trouble peeing", "bladder_bowel", "yes"),
    ("I can barely sleep", "sleep", "yes"),
    ("I sleep fine", "sleep", "no"),
    ("I'm not sleeping", "sleep", "yes"),
    ("it just started by itself", "trauma", "no"),
    ("nothing like that", "infection_risk", "no"),
    ("not that I know of", "cancer_history", "no"),
    ("prednisolone", ("osteoporosis", "steroids"), "yes"),
    ("know", "fever", "no"),                # recognizer's "no"
    ("I know", "fever", "unknown"),         # but not inside a sentence
    ("not shore", "weakness", "unsure"),
    ("I think I had a fever", "fever", "yes"),
])
def test_yes_no_unsure(text, topic, intent):
    assert interpret(text, topic).intent == intent


@pytest.mark.parametrize("text, intent", [
    ("say that again", "repeat"), ("pardon?", "repeat"), ("what?", "repeat"),
    ("go back", "back"), ("I made a mistake", "back"),
    ("I don't understand the question", "help"), ("cancel", "stop"), ("I want to stop", "stop"),
    ("you're talking too fast", "slower"), ("start over", "restart"),
])
@pytest.mark.parametrize("topic, expects", [("fever", "yesno"), ("duration", "duration"), ("age", "number"),
                                            ("pain_score", "number"), ("start", "yesno")])
def test_meta_intents_at_every_question(text, intent, topic, expects):
    assert interpret(text, topic, expects).intent == intent


@pytest.mark.parametrize("text, topic, intent", [
    ("no I can do everything, just slower", "daily_activities", "no"),  # "slower" only alone
    ("it doesn't stop me sleeping", "sleep", "no"),                     # "stop" only alone
    ("my back", "duration", "unknown"),                                  # "back" only alone
    ("what happened was I fell", "trauma", "yes"),
    ("I can't go back to work", "daily_activities", "yes"),
    ("I quit my job because of it", "daily_activities", "unknown"),
    ("it's been bad from the beginning", "sleep", "unknown"),
    ("I can't explain it, it just hurts", "numbness", "unknown"),
])
def test_meta_words_inside_answers_are_not_requests(text, topic, intent):
    expects = "duration" if topic == "duration" else "yesno"
    assert interpret(text, topic, expects).intent == intent


@pytest.mark.parametrize("text, weeks", [
    ("a month", 4.3482), ("four weeks", 4.0), ("twenty eight days", 4.0), ("3 weeks", 3.0),
    ("three to four weeks", 4.0), ("3-4 weeks", 4.0), ("two or three weeks", 3.0),
    ("a month and a half", 6.5223), ("two and a half weeks", 2.5), ("a fortnight", 2.0),
    ("since yesterday", 1 / 7), ("since last week", 1.0), ("a few days", 3 / 7), ("a couple of weeks", 2.0),
    ("over a year", 52.1786), ("for years", 104.3571), ("two weeks and three days", 2 + 3 / 7),
    ("a year and two months", 52.1786 + 2 * 4.3482), ("for weeks", 4.0), ("to weeks", 2.0), ("won week", 1.0),
    ("half a year", 26.0893), ("seven days", 1.0),
])
def test_durations_in_weeks(text, weeks):
    r = interpret(text, "duration", "duration")
    assert r.intent == "duration"
    assert r.value == pytest.approx(weeks, abs=0.001)


def test_a_month_counts_as_four_weeks_or_more_and_a_few_weeks_does_not():
    assert interpret("a month", "duration", "duration").value >= 4
    assert interpret("about three weeks", "duration", "duration").value < 4
    assert interpret("four weeks", "duration", "duration").value == 4


@pytest.mark.parametrize("text", ["I don't know", "not sure", "I can't remember"])
def test_duration_unknown_to_the_patient_is_unsure(text):
    assert interpret(text, "duration", "duration").intent == "unsure"


def test_vague_durations_are_less_confident_than_exact_ones():
    assert interpret("a few weeks", "duration", "duration").confidence < interpret("three weeks", "duration", "duration").confidence


@pytest.mark.parametrize("text, topic, value", [
    ("I'd say eight out of ten", "pain_score", 8), ("8/10", "pain_score", 8), ("seven or eight", "pain_score", 8),
    ("no pain at all", "pain_score", 0), ("sixty two years old", "age", 62), ("I'm 45", "age", 45),
    ("a hundred and five", "age", 105), ("forty-nine", "age", 49), ("sixty to", "age", 62),
])
def test_numbers(text, topic, value):
    r = interpret(text, topic, "number")
    assert (r.intent, r.value) == ("number", value)


def test_numbers_outside_the_scale_are_not_guessed():
    assert interpret("fifteen", "pain_score", "number").intent == "unknown"
    assert interpret("200", "age", "number").intent == "unknown"


@pytest.mark.parametrize("text", ["", "   ", "[unk]", "[unk] [unk]", "<unk>", "the weather is lovely", "banana", None])
def test_unknown_speech_is_unknown(text):
    r = interpret(text, "fever")
    assert r.intent == "unknown" and r.value is None


@pytest.mark.parametrize("text, topic", [
    ("I've never felt so weak", "weakness"),          # "never" here is emphasis, not a no
    ("something is wrong with my legs", "weakness"),  # "wrong" alone is a no, inside a sentence it is not
    ("nothing helps, I can't sleep", "sleep"),
    ("I'm not [unk]", "bladder_bowel"),               # may have been "I'm not sure"
    ("i don't [unk]", "saddle_numbness"),
])
def test_red_flag_sentences_with_no_words_are_not_read_as_no(text, topic):
    assert interpret(text, topic).intent != "no"


def test_unreadable_words_lower_a_no_below_the_read_back_threshold():
    assert interpret("[unk] and no", "fever").confidence < 0.6 <= interpret("no", "fever").confidence
    assert interpret("i don't [unk] know", "fever").intent == "unsure"
    assert interpret("[unk] weeks", "duration", "duration").intent == "unknown"  # the number was lost
    assert interpret("a year and [unk] months", "duration", "duration").confidence < 0.6


@pytest.mark.parametrize("text, intent", [
    ("I have osteoporosis but I've never taken steroids", "yes"),  # "any of these?": one yes is a yes
    ("I take steroids, my bones are fine", "yes"),
    ("no osteoporosis and no steroids", "no"),
    ("neither", "no"),
])
def test_a_question_with_two_topics_is_yes_if_either_is(text, intent):
    assert interpret(text, ("osteoporosis", "steroids")).intent == intent


def test_word_confidences_lower_the_confidence():
    sure = interpret("yes", "fever")
    shaky = interpret("yes", "fever", word_confidences=[0.4])
    vosk_style = interpret("no fever", "fever", word_confidences=[{"word": "no", "conf": 0.5}, {"word": "fever", "conf": 1.0}])
    assert shaky.intent == "yes" and shaky.confidence < sure.confidence
    assert vosk_style.confidence < interpret("no fever", "fever").confidence
    assert interpret("yes", "fever", word_confidences=[1.0]).confidence == sure.confidence


def test_spelling_and_recognizer_errors_are_corrected_but_cost_confidence():
    r = interpret("temprature", "fever")
    assert r.intent == "yes" and r.confidence < interpret("temperature", "fever").confidence
    # A real word one letter from a meta word is not "corrected" into it.
    assert interpret("I slipped in the shower", "trauma").intent == "yes"
    assert interpret("cancer", "fever").intent != "stop"


def test_vocabulary_lists_topic_meta_and_number_words():
    fever = vocabulary("fever")
    assert "chills" in fever and "say that again" in fever and "yes" in fever and "don't know" in fever
    assert all(p == p.lower() for p in fever)
    assert "chills" not in vocabulary("weakness")
    duration = vocabulary("duration", "duration")
    assert {"weeks", "month", "two", "twenty", "half", "fortnight"} <= set(duration)
    assert "seven" in vocabulary("pain_score", "number")
    both = vocabulary(("osteoporosis", "steroids"))
    assert "prednisolone" in both and "osteoporosis" in both


def test_every_topic_and_expects_compiles():
    for topic in TOPICS:
        for expects in ("yesno", "duration", "number"):
            assert interpret("yes", topic, expects).intent in INTENTS
            assert vocabulary(topic, expects)


def test_bad_arguments_raise_value_error():
    with pytest.raises(ValueError, match="unknown topic"):
        interpret("yes", "feverish")
    with pytest.raises(ValueError, match="expects"):
        interpret("yes", "fever", "colour")
    with pytest.raises(ValueError, match="language"):
        interpret("yes", "fever", lang="zz")


def test_a_new_language_is_a_folder_of_data(tmp_path, monkeypatch):
    """Adding languages/<lang>/phrases/ needs no code: copy English, change a phrase, it is understood."""
    import languages as packs

    shutil.copytree(packs.ROOT / "en" / "phrases", tmp_path / "xx" / "phrases")
    answers = tmp_path / "xx" / "phrases" / "answers.toml"
    answers.write_text(answers.read_text().replace('strong = [\n  "yes",', 'strong = [\n  "si", "yes",', 1))
    grammar = tmp_path / "xx" / "phrases" / "grammar.toml"
    grammar.write_text(grammar.read_text().replace("units = { zero = 0,", "units = { dos = 2, zero = 0,")
                       .replace("tens = { twenty = 20,", "tens = { sesenta = 60, twenty = 20,")
                       .replace('tens_joiner = ""', 'tens_joiner = "y"'))
    monkeypatch.setattr(packs, "ROOT", tmp_path)
    lexicon.language.cache_clear()
    lexicon.question.cache_clear()
    try:
        assert interpret("si", "fever", lang="xx").intent == "yes"
        assert interpret("chills", "fever", lang="xx").intent == "yes"
        assert "si" in vocabulary("fever", lang="xx")
        assert interpret("sesenta y dos", "age", "number", lang="xx").value == 62
    finally:
        lexicon.language.cache_clear()
        lexicon.question.cache_clear()
