"""Wording per medium: nobody is asked to say anything where they cannot speak (a kiosk screen
without voice input, typed answers), in every language; the forms are data (the tree and its
language packs, the message catalogues) that validation asks for (an error in a translation where
English has the form, a warning in a clinic's tree without them, which then shows its voice wording); and a kiosk's Start is the
"ready", so the first real question comes at once after the emergency advice and the disclaimer."""
from __future__ import annotations

import copy
import re

import pytest

from triage import Session, TreeError, load_tree
from languages import ROOT as PACKS
from triage.locale import localize
from triage.messages import messages
from triage.tree import MEDIA, SHIPPED_TREE, parse_tree, tomllib
from voice.conversation import Conversation

LANGS = ("en", "es", "ko")
RAW = tomllib.loads(SHIPPED_TREE.read_text(encoding="utf-8"))


def voice_words(lang: str) -> re.Pattern:
    return re.compile(messages(lang).voice_words, re.I)


def everything_said(tree, lang: str, medium: str) -> list[str]:
    """Every question, plain re-ask, help and hint a session in ``medium`` can say."""
    t = tree.for_medium(medium)
    m = messages(lang, medium)
    texts = [t.meta["help"]] + [getattr(n, f) for n in t.nodes.values() for f in ("text", "plain", "help")]
    texts += [m(f"{part}.{kind}") for part in ("hints", "examples") for kind in ("yesno", "duration", "number")]
    return [x for x in texts + [m("engine.not_understood_yesno"), m("voice.number_wrong")] if x]


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_a_screen_or_typed_session_says_asks_to_speak(lang):
    tree = load_tree(None, lang)
    said_by_voice = [x for x in everything_said(tree, lang, "voice") if voice_words(lang).search(x)]
    assert said_by_voice  # the check can fail: the voice wording does ask to speak
    for medium in MEDIA[1:]:
        asks = [x for x in everything_said(tree, lang, medium) if voice_words(lang).search(x)]
        assert asks == [], (lang, medium, asks)


def test_the_duration_question_per_medium():
    tree = load_tree()
    assert tree.for_medium("voice").nodes["duration"].text.endswith("You can say a number of days, weeks or months.")
    screen = tree.for_medium("screen")
    assert screen.nodes["duration"].text == ("How long have you had this back pain? Choose the closest answer, "
                                             "or type a number of days, weeks or months.")
    assert tree.for_medium("typed").nodes["duration"].text.endswith("You can type a number of days, weeks or months.")
    # a tree worded for one medium gives the others back unchanged; questions without forms are shared
    assert screen.for_medium("voice").nodes["duration"].text == tree.nodes["duration"].text
    assert screen.nodes["fever"] == tree.nodes["fever"] and screen.for_medium("screen") is screen
    with pytest.raises(ValueError, match="unknown medium"):
        tree.for_medium("telepathy")


def test_a_text_that_asks_to_speak_without_its_other_forms_is_a_warning():
    data = copy.deepcopy(RAW)
    del data["nodes"]["duration"]["text_screen"]
    data["nodes"]["fever"]["help"] = "Say yes if you felt hot."
    tree = parse_tree(data)
    found = "\n".join(tree.warnings)
    assert "node 'duration', field 'text': asks the person to say something; give text_screen too" in found
    assert "node 'fever', field 'help': asks the person to say something; give help_screen and help_typed" in found
    # the media without a form of their own show the voice wording
    assert tree.for_medium("screen").nodes["duration"].text == tree.nodes["duration"].text
    assert tree.for_medium("typed").nodes["fever"].help == "Say yes if you felt hot."
    data["nodes"]["duration"]["text_screen"] = "  "  # a form given but empty is still an error
    with pytest.raises(TreeError, match="field 'text_screen': must be a non-empty text"):
        parse_tree(data)


@pytest.mark.parametrize("lang", LANGS)
def test_the_shipped_tree_has_no_warnings_in_any_language(lang):
    assert load_tree(None, lang).warnings == ()


def _without_media(text: str) -> str:
    """A tree as clinics wrote them before the wording per medium: no _screen or _typed field anywhere."""
    kept = "\n".join(line for line in text.splitlines() if not re.match(r"\w+_(screen|typed) = ", line))
    assert not any(k.endswith(("_screen", "_typed")) for table in [tomllib.loads(kept)["meta"],
                                                                   *tomllib.loads(kept)["nodes"].values()]
                   for k in table)
    return kept


def test_a_clinic_tree_written_before_the_media_forms_still_loads_and_runs(tmp_path, caplog):
    import subprocess
    import sys

    from voice.config import Config
    from voice.sessions import tree_from

    path = tmp_path / "clinic.toml"
    path.write_text(_without_media(SHIPPED_TREE.read_text(encoding="utf-8")), encoding="utf-8")
    tree = load_tree(path)
    assert any("node 'duration', field 'text'" in w for w in tree.warnings)
    assert any("[meta], field 'help'" in w for w in tree.warnings)
    screen = tree.for_medium("screen")
    assert screen.nodes["duration"].text == tree.nodes["duration"].text  # the voice wording, as before the forms
    assert screen.meta["help"] == tree.meta["help"]
    assert tree_from(str(path), Config()).warnings == tree.warnings  # the builder's tree: logged once
    assert f"{len(tree.warnings)} wording warning(s)" in caplog.text and "backtriage tree check" in caplog.text
    # a session on a screen runs to an outcome
    s = Session(screen)
    s.start(ready=True)
    values = {"number": 30, "duration": 2 / 7}  # 30 years old, 2 days
    for _ in range(60):
        if s.result is not None or s.finished:
            break
        expects = s.current.expects
        s.answer("no" if expects == "yesno" else expects, values.get(expects))
    assert s.result is not None and s.result.disposition == "self_care"
    # tree check: OK, the warnings listed, exit status 0
    r = subprocess.run([sys.executable, "-m", "voice", "tree", "check", str(path)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{path}: OK" in r.stdout
    assert "warning: node 'duration', field 'text': asks the person to say something; give text_screen and " \
           "text_typed too" in r.stdout


@pytest.mark.parametrize("lang", ["es", "ko"])
def test_every_language_needs_the_forms_the_english_has(lang, tmp_path):
    text = (PACKS / lang / "tree.toml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(("help_screen =", "text_typed ="))]
    wording = tmp_path / "tree.toml"
    wording.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = localize(copy.deepcopy(RAW), lang, wording)
    found = "\n".join(problems)
    assert f"[meta], field 'help_screen': no {lang} translation" in found
    assert f"node 'duration', field 'text_typed': no {lang} translation" in found
    _, problems = localize(copy.deepcopy(RAW), lang, PACKS / lang / "tree.toml")
    assert problems == []


def test_a_kiosk_start_skips_the_ready_question_and_says_the_emergency_advice_first():
    s = Session(load_tree(), emergency_number="112")
    events = s.start(ready=True)
    said, ask = events[0].text, events[-1]
    assert said == ("If you are very unwell right now, call 112. A few short questions about your back pain will "
                    "tell you how soon to get help. This is guidance, not a diagnosis.")
    assert ask.node == "bladder_bowel" and s.log == []
    # Back from the first question: nothing before it; start over: still no ready question
    assert s.answer("back")[-2].text == "This is the first question."
    restart = s.answer("restart")
    assert [e.text for e in restart[1:3]] == ["Starting again.", said] and restart[-1].node == "bladder_bowel"
    # without ready (the spoken loop, typed answers): the ready question as before
    assert Session(load_tree()).start()[-1].node == "start"


def test_an_intro_must_give_the_emergency_number():
    data = copy.deepcopy(RAW)
    data["meta"]["intro"] = "A few short questions about your back pain."
    with pytest.raises(TreeError, match="field 'intro': must say to call {emergency_number}"):
        parse_tree(data)


@pytest.mark.parametrize("lang", LANGS)
def test_a_screen_session_not_understood_asks_to_choose_or_type(lang):
    tree = load_tree(None, lang).for_medium("screen")
    c = Conversation(tree, lang=lang)
    c.start(ready=True)
    first = c.answer_text("zzzz qqqq")   # not understood: the hint
    second = c.answer_text("zzzz qqqq")  # again: the plain wording with an example
    m = messages(lang, "screen")
    assert first.lines[0].endswith(m("hints.yesno")) and second.question.text.endswith(m("examples.yesno"))
    assert not any(voice_words(lang).search(t) for t in (*first.speech, *second.speech))


def test_typed_answers_are_asked_to_type():
    tree = load_tree().for_medium("typed")
    c = Conversation(tree, lang="en")
    reply = c.start()
    assert reply.question.node == "start"  # typed answers keep the ready question...
    c.answer_text("not sure")
    assert c.question.text == "Shall we begin the questions? Please type yes or no."  # ...worded for typing


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("medium", MEDIA)
def test_general_help_says_how_to_answer_this_kind_of_question(lang, medium):
    """"help" at the age question says to give a number (the catalogue's hint), at a yes/no one yes or no."""
    s = Session(load_tree(None, lang).for_medium(medium))
    s.start(ready=True)
    m = messages(lang, medium)
    def help_said() -> str:
        return next(e.text for e in s.answer("help") if type(e).__name__ == "Say")

    first = help_said()
    assert first.startswith(s.tree.nodes["bladder_bowel"].help) and m("hints.yesno") in first
    while s.current.node != "age":
        s.answer("no")
    said = help_said()
    assert said.startswith(m("hints.number")) and m("hints.yesno") not in said
    assert said.endswith(s.tree.meta["help"])


@pytest.mark.parametrize("lang, said", [("en", "I understood: 45 years."), ("ko", "'45세'라고 알아들었습니다."),
                                        ("es", None)])
def test_an_age_typed_on_the_keypad_is_acknowledged_with_its_unit(lang, said):
    c = Conversation(load_tree(None, lang).for_medium("screen"), lang=lang)
    c.start(ready=True)
    while c.question.node != "age":
        c.tap("no", label="no")
    heard = c.tap("number", 45.0, label="45").heard
    assert heard == said if said else "45 años" in heard
    if lang == "en":  # a duration button keeps its own words, not a value picked inside its range
        assert c.tap("duration", 1.5, label="1 to 2 weeks").heard == "I understood: 1 to 2 weeks."
