"""The kiosk in each language: its own words (languages/<lang>/kiosk.toml) complete and consistent,
a patient's language chosen on the start screen and dropped with the session, the result card and
the staff handoff. Real driver, real trees in each language, real Speaker (no sound device)."""
from __future__ import annotations

import languages as packs
import re

import pytest

from triage import Result, load_tree
from voice.kiosk import words as kw
from voice.conversation import result_card
from voice.kiosk.driver import IDLE, OUTCOME, SESSION, STILL_THERE, KioskDriver
from standins.kiosk_patients import FakeClock
from voice.kiosk.words import available, kiosk_words, problems
from voice.languages import languages
from voice.speaker import Speaker

LANGS = ("en", "es", "ko")
TREES = {code: load_tree(None, code) for code in LANGS}
QUOTED = re.compile(r"[\"«“]([^\"»”]+)[\"»”]")


# ---------------------------------------------------------------- the words files

@pytest.mark.parametrize("lang", available())
def test_every_language_has_every_key_and_its_placeholders(lang):
    assert problems(lang) == []


def test_every_language_with_a_pack_has_kiosk_words():
    assert set(languages()) <= set(available())
    assert set(LANGS) <= set(available())


def test_the_check_names_what_a_translation_lacks(tmp_path, monkeypatch):

    text = (packs.ROOT / "es" / "kiosk.toml").read_text(encoding="utf-8")
    for old, new in (('range = "De {a} a {b} semanas"\n', ""),                           # a key missing (nested)
                     ('progress = "Pregunta {n} de unas {total}"', 'progress = "Pregunta de unas"'),  # placeholders lost
                     ('[page.staff_hold]\none = ', '[page.staff_hold]\nuno = '),          # a plural form missing
                     ('more_time = "Tómese su tiempo. Le espero."', 'more_time = ""'),   # empty
                     ('[page]\n', '[page]\nstat = "typo"\n'),                           # a key English has not
                     ("if_sentence = '\\bsi\\b'", "if_sentence = '(unclosed'")):
        assert old in text, old
        text = text.replace(old, new, 1)
    # a form for keys, without voice, missing; no start words
    text = text.replace('press = "Hola. Pulse Empezar para saber', 'pres = "Hola. Pulse Empezar para saber', 1)
    text = text[:text.index("start_words = [")] + "start_words = []\n" + text[text.index("]", text.index("start_words = [")) + 1:]
    for lang, words in (("en", (packs.ROOT / "en" / "kiosk.toml").read_text(encoding="utf-8")), ("es", text),
                        ("xx", "not = [toml")):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "kiosk.toml").write_text(words, encoding="utf-8")
    monkeypatch.setattr(packs, "ROOT", tmp_path)
    found = "\n".join(problems("es"))
    for expected in ("page.duration.range missing", "page.progress has placeholders [] , English has ['{n}', '{total}']",
                     "page.staff_hold.one missing", "page.staff_hold.uno is not in English",
                     "texts.welcome.press missing", "texts.more_time must be a text", "page.stat is not in English",
                     "start_words must be a list", "if_sentence must be a regular expression"):
        assert expected.replace(" , ", ", ") in found, found
    assert "not valid TOML" in problems("xx")[0]
    assert problems("zz") == [f"{tmp_path / 'zz' / 'kiosk.toml'}: missing"]


@pytest.mark.parametrize("lang", LANGS)
def test_what_the_kiosk_asks_people_to_say_is_what_it_understands(lang):
    w = kiosk_words(lang)
    for key, pattern in (("welcome", w.start), ("sorry", w.start), ("still_there", w.more_time)):
        forms = {(voice, pointer): w.text(key, voice=voice, pointer=pointer)
                 for voice in (True, False) for pointer in ("tap", "press")}
        for pointer in ("tap", "press"):
            said = QUOTED.findall(forms[True, pointer])
            assert said and all(pattern.search(s) for s in said), (key, said)
            assert not QUOTED.search(forms[False, pointer])  # no voice input: nobody is asked to say anything
        # a touch and a key are named differently ("Tap Start" / "Press Start"), with and without voice
        assert forms[True, "tap"] != forms[True, "press"] and forms[False, "tap"] != forms[False, "press"], key
    # the buttons the texts name are the page's buttons
    for pointer in ("tap", "press"):
        assert w.page["start"] in w.text("welcome", pointer=pointer)
        assert w.page["more_time"] in w.text("still_there", pointer=pointer)


def test_start_and_more_time_words_in_korean_take_endings_but_an_answer_is_not_a_request():
    ko = kiosk_words("ko")
    assert ko.start.search("시작할게요") and ko.start.search("안녕하세요")
    assert ko.more_time.search("잠깐만요") and ko.more_time.search("시간 더 주세요")
    assert not ko.more_time.search("잠깐 다리가 저렸어요")  # "my legs went numb for a moment": an answer
    es = kiosk_words("es")
    assert es.start.search("Hola, empiece por favor") and es.more_time.search("un momento, por favor")
    assert not es.start.search("sigo igual")


# ---------------------------------------------------------------- the result card in each language

@pytest.mark.parametrize("lang", ["es", "ko"])
def test_the_result_card_splits_each_outcome_as_english_does(lang):
    """Per outcome: as many sentences in the first step and in "what else" as in English, the
    same number of calls in each part, and an emergency's first step is the call to make."""
    def card(code, outcome):
        o = TREES[code].outcomes[outcome]
        text = o.text.replace("{emergency_number}", "911").replace("{clinic}", "X")
        words = kiosk_words(code)
        card = result_card(Result(disposition=o.disposition, reasons=(), text=text, instruction=text), code)
        return card.for_screen("", words.call, words.condition)

    def sentences(t):
        return len([p for p in re.split(r"(?<=[.!?])\s+", t) if p])

    for outcome in TREES["en"].outcomes:
        en, other = card("en", outcome), card(lang, outcome)
        assert sentences(other["first_step"]) == sentences(en["first_step"]), outcome
        assert len(other["more"]) == len(en["more"]), outcome
        w, e = kiosk_words(lang), kiosk_words("en")
        assert [bool(w.call.search(p)) for p in other["more"]] == [bool(e.call.search(p)) for p in en["more"]], outcome
        assert "911" in other["first_step"] or TREES["en"].outcomes[outcome].disposition != "emergency"


# ---------------------------------------------------------------- choosing, and the reset

class Voice:
    """The real Speaker without sound hardware, recording what it said in which language."""

    def __init__(self):
        self.said: list[tuple[str, str]] = []
        self.lang = None
        self.speaker = Speaker(player=None, caption=self._caption)

    def _caption(self, text):
        if not text.startswith("(speech is off"):  # the Speaker's own one-time notice
            self.said.append((self.lang, text))

    def use_language(self, code):
        self.lang = code

    def __getattr__(self, name):
        return getattr(self.speaker, name)


@pytest.fixture
def kiosk():
    clock, voice, finished = FakeClock(), Voice(), []
    d = KioskDriver(TREES["en"], lang="en", trees=TREES, speaker=voice, clock=clock, on_finished=finished.append)
    yield d, voice, clock, finished
    voice.speaker.close()


def test_the_start_screen_offers_each_language_in_its_own_name(kiosk):
    d, *_ = kiosk
    s = d.screen()
    assert s["lang"] == "en" and s["default_lang"] == "en"
    assert s["languages"] == [{"code": "en", "name": "English"}, {"code": "es", "name": "Español"},
                              {"code": "ko", "name": "한국어"}]
    assert set(d.page_labels()["labels"]) == set(LANGS) and d.page_labels()["default"] == "en"
    only = KioskDriver(TREES["en"])  # one language: no language buttons
    assert only.screen()["languages"] == [] and set(only.page_labels()["labels"]) == {"en"}


@pytest.mark.parametrize("lang", ["es", "ko"])
def test_a_patient_picks_a_language_and_the_next_patient_starts_in_the_clinics(kiosk, lang):
    d, voice, clock, finished = kiosk
    assert d.start(lang)
    s = d.screen()
    # Start was the "ready": the emergency advice and the disclaimer, then the first warning sign
    intro = TREES[lang].meta["intro"].replace("{emergency_number}", "911")
    assert s["lang"] == lang and s["lines"] == [f"{intro} {TREES[lang].meta['disclaimer']}"]
    assert s["question"] == TREES[lang].nodes["bladder_bowel"].text
    assert voice.said[-2:] == [(lang, s["lines"][0]), (lang, s["question"])]  # spoken in the patient's language
    # typed in the patient's language, understood by that language's phrases
    d.text({"es": "no", "ko": "아니요"}[lang])
    assert d.session.log[-1].intent == "no"
    d.finish()
    assert d.mode == IDLE and d.screen()["lang"] == "en" and voice.lang == "en"
    assert d.start() and d.screen()["lang"] == "en"
    assert d.lines[0].startswith("If you are very unwell right now, call 911.")


def test_every_reset_returns_to_the_clinics_language(kiosk):
    d, voice, clock, _ = kiosk
    d.start("ko")
    clock.advance(61)
    d.tick()
    assert d.mode == STILL_THERE and d.screen()["warning"] == kiosk_words("ko").text("still_there")
    assert voice.said[-1] == ("ko", kiosk_words("ko").text("still_there"))
    d.text("잠깐만요")  # "just a moment": more time, in Korean
    assert d.mode == SESSION and d.lines == [kiosk_words("ko").text("more_time")]
    clock.advance(1000)
    d.tick()
    clock.advance(31)
    d.tick()  # nobody answered: reset
    assert d.mode == IDLE and d.lang == "en" and d.screen()["welcome"] == kiosk_words("en").text("welcome")
    d.start("es")
    d.tap("restart")  # start over: the same patient, still in Spanish, and again no ready question
    assert d.lang == "es" and d.mode == SESSION and d.question == TREES["es"].nodes["bladder_bowel"].text
    d.tap("yes")  # new bladder trouble: the emergency
    assert d.emergency() and d.lang == "es"
    assert not d.start("en")  # nothing but staff clears it
    d.staff_press()
    clock.advance(d.staff_hold_s)
    assert d.staff_release() and d.lang == "en" and d.mode == IDLE


def test_a_language_not_on_offer_is_refused(kiosk):
    d, *_ = kiosk
    assert not d.start("fr") and d.mode == IDLE
    assert not KioskDriver(TREES["en"]).start("es")  # a kiosk offering only English


def test_a_failure_is_apologised_for_in_the_patients_language(kiosk, monkeypatch):
    d, voice, *_ = kiosk
    d.start("ko")

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(d.conversation, "tap", broken)
    assert d.tap("yes") is False and d.mode == IDLE and d.lang == "en"
    assert voice.said[-1] == ("ko", kiosk_words("ko").text("sorry"))


def test_spoken_start_words_follow_the_clinics_language():
    d = KioskDriver(TREES["ko"], lang="ko", trees=TREES)
    assert d.screen()["welcome"].startswith("안녕하세요")
    assert not d.text("start")  # an English word on a Korean kiosk's start screen is chatter
    assert d.text("시작할게요") and d.lang == "ko" and d.mode == SESSION


def test_voice_off_for_one_language_only(kiosk):
    d, *_ = kiosk
    d.set_voice(False, "speech model 'vosk-model-small-es-0.42' is not installed", lang="es")
    assert d.screen()["voice"] is True and "say" in d.screen()["welcome"]
    d.start("es")
    s = d.screen()
    assert s["voice"] is False and s["staff_status"].startswith("Voice input off for Español: speech model")
    d.finish()
    assert d.screen()["voice"] is True


def test_the_microphone_status_is_said_in_the_patients_language(kiosk):
    d, *_ = kiosk
    d.set_status("no_mic")
    assert d.screen()["status"] == kiosk_words("en").text("no_mic")
    d.start("es")
    assert d.screen()["status"] == kiosk_words("es").text("no_mic")
    d.set_status("Staff summaries NOT saved (disk full): 1 waiting.", source="handoff")
    assert d.screen()["status"].endswith("disk full): 1 waiting.")


# ---------------------------------------------------------------- staff handoff: the clinic's language

def test_the_handoff_of_a_korean_patient_is_in_the_clinics_language_with_their_words(tmp_path):
    from voice.config import Config
    from voice.kiosk.app import build_driver

    config = Config()
    config.handoff.enabled, config.handoff.folder = True, str(tmp_path)
    d = build_driver(config, TREES["en"], trees=TREES)
    d.start("ko")
    d.text("네 그런 것 같아요")   # new bladder trouble: yes -> emergency, the session ends
    assert d.emergency() and d.conversation.lang == "ko"
    d.flush()
    summary = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8")
    assert "Since your back pain started, have you had any new trouble passing urine" in summary  # English
    assert 'said: "네 그런 것 같아요"' in summary  # the patient's words as said
    assert "because: new bladder or bowel problems" in summary  # the outcome's reason: the clinic's wording
    assert "answered in 한국어" in summary  # staff know which language the words are in
    assert TREES["ko"].nodes["bladder_bowel"].text not in summary
    assert TREES["ko"].outcomes["emergency_cauda_equina"].reason not in summary


# ---------------------------------------------------------------- which languages the kiosk offers

def test_the_kiosk_offers_every_pack_or_the_ones_the_clinic_lists(tmp_path, caplog):
    import shutil

    from triage.tree import SHIPPED_TREE
    from voice.config import Config, ConfigError, load_config
    from voice.kiosk.app import kiosk_trees

    config = Config()
    assert list(kiosk_trees(config, TREES["en"])) == ["en", "es", "ko"]
    config.kiosk.languages = ["ko"]
    assert list(kiosk_trees(config, TREES["en"])) == ["en", "ko"]  # the clinic's language is always there
    config.clinic.language = "es"
    trees = kiosk_trees(config, TREES["es"])
    assert list(trees) == ["es", "ko"] and trees["es"] is TREES["es"]

    # A clinic's own tree with only its Korean wording beside it: Spanish is not offered, and the log says why.
    shutil.copy(SHIPPED_TREE, tmp_path / "tree.toml")
    (tmp_path / "locale" / "ko").mkdir(parents=True)
    shutil.copy(packs.ROOT / "ko" / "tree.toml", tmp_path / "locale" / "ko" / "tree.toml")
    own = load_tree(tmp_path / "tree.toml")
    trees = kiosk_trees(Config(), own, str(tmp_path / "tree.toml"))
    assert list(trees) == ["en", "ko"] and "es not offered" in caplog.text

    bad = tmp_path / "clinic.toml"
    bad.write_text('[kiosk]\nlanguages = ["en", "fr"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no phrase data for 'fr'"):
        load_config(str(bad))
