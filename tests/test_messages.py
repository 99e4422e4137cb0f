"""The product's own sentences per language (languages/<lang>/messages.toml): complete,
checked key by key against English, and used by the engine, the wording and the voice side."""
from __future__ import annotations

import shutil

import pytest

import languages as packs
import triage.messages as catalogue
from triage import load_tree
from triage.messages import MessagesError, check, messages
from triage.wording import duration_words, number_words
from voice.spoken import speakable

LANGS = ("en", "es", "ko")


@pytest.mark.parametrize("lang", LANGS)
def test_every_shipped_catalogue_is_complete(lang):
    assert check(lang) == []
    assert set(messages(lang).texts) == set(messages("en").texts)


@pytest.fixture
def locale(tmp_path, monkeypatch):
    """A copy of the shipped language packs, whose catalogues to break; the cache is cleared around it."""
    shutil.copytree(packs.ROOT, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(packs, "ROOT", tmp_path)
    messages.cache_clear()
    catalogue._read.cache_clear()
    yield tmp_path
    messages.cache_clear()
    catalogue._read.cache_clear()


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_key_is_an_error_naming_it(locale):
    _edit(locale / "es" / "messages.toml", 'try_again = "Intentémoslo otra vez."\n', "")
    problems = check("es")
    assert len(problems) == 1 and "message 'engine.try_again': no es translation" in problems[0]
    with pytest.raises(MessagesError, match="engine.try_again"):
        messages("es")


def test_a_lost_or_added_placeholder_is_an_error_naming_the_key(locale):
    _edit(locale / "ko" / "messages.toml", '"{n}주 반"', '"주 반"')
    _edit(locale / "es" / "messages.toml", 'clinic_phone = "{clinic} al {phone}"', 'clinic_phone = "{clinica} al {phone}"')
    assert check("ko") == [f"message 'wording.weeks.many_and_a_half': the ko translation lacks {{n}} "
                           f"({locale / 'ko' / 'messages.toml'})"]
    (problem,) = check("es")
    assert "message 'engine.clinic_phone'" in problem and "lacks {clinic}" in problem and "has {clinica}" in problem


def test_a_key_english_does_not_have_is_an_error(locale):
    with open(locale / "es" / "messages.toml", "a", encoding="utf-8") as f:
        f.write('\n[extra]\nhello = "hola"\n')
    assert check("es") == [f"message 'extra.hello' in {locale / 'es' / 'messages.toml'} is not in the English catalogue"]


def test_tree_check_lists_catalogue_problems(locale, capsys):
    from voice.commands.tree import _check_languages
    from voice.config import Config

    _edit(locale / "ko" / "messages.toml", 'going_back = "이전 질문으로 돌아갑니다."\n', "")
    tree = load_tree()
    assert _check_languages(tree.source, tree, Config(), None) == 1
    out = capsys.readouterr().out
    assert "ko (한국어): pack incomplete:" in out and "message 'engine.going_back': no ko translation" in out
    assert "es (Español): wording complete" in out


def test_a_language_without_a_catalogue_uses_english():
    assert messages("fr").lang == "en"
    assert speakable("Call 911", lang="fr") == "Call 9 1 1"  # no digit words: digits one by one


@pytest.mark.parametrize("lang, weeks, unit, said", [
    ("en", 3 / 7, "", "3 days"), ("en", 2.2, "weeks", "about 2 weeks"), ("en", 78.3, "", "a year and a half"),
    ("en", 9.5, "", "about 2 months"),
    ("es", 3 / 7, "", "3 días"), ("es", 1, "", "1 semana"), ("es", 2.2, "weeks", "unas 2 semanas"),
    ("es", 9.5, "", "unos 2 meses"), ("es", 6.5, "months", "un mes y medio"), ("es", 78.3, "", "un año y medio"),
    ("es", 0.1, "", "aproximadamente 1 día"), ("es", 0.05, "", "menos de un día"),
    ("ko", 3 / 7, "", "3일"), ("ko", 2, "", "2주"), ("ko", 9.5, "", "약 2개월"), ("ko", 78.3, "", "1년 반"),
    ("ko", 6.5, "months", "한 달 반"), ("ko", 1.5, "weeks", "일주일 반"),
])
def test_durations_in_words_per_language(lang, weeks, unit, said):
    assert duration_words(weeks, unit, lang) == said


def test_numbers_in_words_per_language():
    assert [number_words(62, "years", lang) for lang in LANGS] == ["62 years", "62 años", "62세"]
    assert number_words(62.5, "years", "es") == "62,5 años"


@pytest.mark.parametrize("lang, said", [
    ("en", "Call nine one one, or the clinic on five five five, zero one zero zero."),
    ("es", "Call nueve uno uno, or the clinic on cinco cinco cinco, cero uno cero cero."),
    ("ko", "Call 구 일 일, or the clinic on 오 오 오, 공 일 공 공."),  # 0 is "공" in a phone number
])
def test_emergency_and_phone_digits_are_said_in_the_language(lang, said):
    assert speakable("Call 911, or the clinic on 555 0100.", "911", lang) == said


def test_korean_particles_follow_the_word_before_them():
    m = messages("ko")
    assert m("wording.heard", answer="네") == "'네'라고 알아들었습니다."
    assert m("wording.heard", answer="3일") == "'3일'이라고 알아들었습니다."
    assert m("engine.assume_value_said", assumed="4주 이상").endswith("4주 이상으로 보겠습니다.")
    assert m("engine.assume_value_said", assumed="50세 이상").endswith("50세 이상으로 보겠습니다.")
    assert m("engine.assume_value_said", assumed="2주").endswith("2주로 보겠습니다.")


def test_korean_subject_particle_follows_the_sign_before_it():
    """The safety line named a sign "…문제이(가)": 이 after a final consonant, 가 after none."""
    m = messages("ko")
    line = m("engine.unconfirmed_emergency", signs="소변이나 대변의 새로운 문제", emergency_number="119")
    assert line == "만약 소변이나 대변의 새로운 문제가 있으시면 바로 119에 전화하세요."
    line = m("engine.unconfirmed_other", signs="다리 저림이나 감각 저하 또는 다리에 힘이 빠지는 증상", clinic="병원")
    assert line == "만약 다리 저림이나 감각 저하 또는 다리에 힘이 빠지는 증상이 있으시면 오늘 병원에 연락하세요."
    assert "(가)" not in m("engine.unconfirmed_emergency", signs="열", emergency_number="119")
    assert m("engine.unconfirmed_emergency", signs="열", emergency_number="119").startswith("만약 열이 ")


def _clinic_tree_with(tmp_path, lang, old, new):
    """A clinic's copy of the shipped tree with its ``lang`` wording edited."""
    from pathlib import Path


    tree = tmp_path / "clinic.toml"
    tree.write_text(Path(load_tree().source).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "locale" / lang).mkdir(parents=True)
    words = (packs.ROOT / lang / "tree.toml").read_text(encoding="utf-8")
    assert old in words
    (tmp_path / "locale" / lang / "tree.toml").write_text(words.replace(old, new, 1), encoding="utf-8")
    return tree


def test_a_red_flag_question_without_its_read_back_wording_is_an_error(tmp_path):
    """English turns its questions round by rule; every other language must say what yes and no mean."""
    from triage import TreeError

    tree = _clinic_tree_with(tmp_path, "es", 'said_no = "NO ha tenido fiebre ni escalofríos, ni ninguna infección '
                                             'reciente en otra parte"\n', "")
    assert not load_tree().nodes["fever"].said_no  # English has none: it needs none
    with pytest.raises(TreeError, match=r"node 'fever', field 'said_no': no es translation \(a red-flag question's "
                                        r"read-back\)"):
        load_tree(tree, "es")


def test_a_mention_per_topic_is_translated_per_topic(tmp_path):
    from triage import TreeError

    tree = _clinic_tree_with(tmp_path, "ko", 'mention = { fever = "열", recent_infection = "최근의 감염" }',
                             'mention = "열"')
    with pytest.raises(TreeError, match="node 'fever', field 'mention': the ko translation must be a table with a "
                                        "text for each of fever, recent_infection"):
        load_tree(tree, "ko")


@pytest.mark.parametrize("lang, yes, no", [
    ("es", "Entonces, ha tenido fiebre o escalofríos, o alguna infección reciente en otra parte. ¿Es correcto?",
     "Entonces, NO ha tenido fiebre ni escalofríos, ni ninguna infección reciente en otra parte. ¿Es correcto?"),
    ("ko", "그러니까 최근에 열이 나거나 으슬으슬했거나, 다른 곳에 감염이 있었다는 말씀이지요. 맞나요?",
     "그러니까 최근에 열도, 오한도, 다른 곳의 감염도 없었다는 말씀이지요. 맞나요?"),
])
def test_read_backs_use_the_language_own_statements(lang, yes, no):
    from triage.wording import read_back

    node = load_tree(None, lang).nodes["fever"]
    assert (read_back(node, "yes", lang=lang), read_back(node, "no", lang=lang)) == (yes, no)
    assert read_back(load_tree().nodes["fever"], "no") == "So you have NOT had a fever, or felt hot and shivery, " \
        "or had an infection somewhere else recently, such as a kidney, urine or skin infection. Is that right?"


def test_the_mention_prompt_is_in_the_language():
    from voice.conversation import Conversation

    conv = Conversation(load_tree(None, "es"), lang="es")
    conv.start()
    conv.answer_text("sí")
    conv.session.mention(["fever"], "no")
    reply = conv.answer_text("no")
    assert reply.question.text == "Usted mencionó fiebre. ¿Es correcto?"


def _korean_session_with_a_fall():
    from voice.conversation import Conversation

    conv = Conversation(load_tree(None, "ko"), lang="ko")
    conv.start()
    for said in ["네", "아니요", "아니요", "아니요", "아니요", "넘어졌어요", "아니요", "아니요"]:
        conv.answer_text(said)
    while conv.result is None and conv.question is not None:
        q = conv.question
        conv.answer_text("일흔두 살" if q.expects == "number" else "사흘" if q.expects == "duration" else "아니요")
    return conv.session


def test_the_staff_handoff_is_in_the_clinic_language_with_the_patient_words_as_said():
    from voice.handoff import summary_text

    session = _korean_session_with_a_fall()
    assert session.result.disposition == "urgent"
    english = summary_text(load_tree(), session.log, session.result, finished_at=0, patient_lang="ko")
    lines = english.splitlines()
    assert lines[0] == "backtriage staff summary (guidance, not a diagnosis)"
    assert "The patient answered in 한국어; their words are quoted as they said them." in lines
    assert "Disposition: URGENT - see a clinician today" in lines
    assert f"  because: {load_tree().outcomes['urgent_fracture'].reason}" in lines  # the clinic's wording
    assert '   said: "넘어졌어요" -> understood: yes, confidence 0.90' in lines
    assert '   said: "사흘" -> understood: 3 days, confidence 0.95' in lines
    assert "1. Since your back pain started, have you had any new trouble passing urine" in english
    spanish = summary_text(load_tree(None, "es"), session.log, session.result, finished_at=0, patient_lang="ko")
    assert "Resultado: URGENTE - que le vea un profesional hoy" in spanish
    assert 'dijo: "넘어졌어요" -> se entendió: sí, confianza 0.90' in spanish
    assert "Since your" not in spanish and "understood" not in spanish


def test_the_handoff_of_a_session_in_the_clinic_language_keeps_its_reasons():
    from voice.handoff import summary_text

    session = _korean_session_with_a_fall()
    korean = summary_text(load_tree(None, "ko"), session.log, session.result, finished_at=0, patient_lang="ko")
    assert "환자는" not in korean  # no language line: staff and patient share it
    assert all(f"  이유: {r}" in korean.splitlines() for r in session.result.reasons)
    assert "판정: 긴급 - 오늘 의료진 진료" in korean and "한 말: \"넘어졌어요\" -> 이해: 네" in korean


@pytest.mark.parametrize("lang", ["es", "ko"])
def test_the_spoken_loop_says_its_own_lines_in_the_language(lang):
    """Silence re-asked, then given up on; the microphone lost and back: all in the patient's language."""
    import voice.loop as loop
    from standins.microphone import ScriptedSource
    from tests.test_speak_ahead import Hears
    from tests.test_speak_ahead import Asks as Speaker
    from voice.config import Config
    from voice.conversation import Conversation

    # the microphone pulled out, then silence twice (a room with nobody answering)
    source = ScriptedSource([ScriptedSource.UNPLUG, None, None], sample_rate=16000, unplugged_attempts=0)
    config = Config()
    config.listen.reprompts = 1
    config.listen.no_speech_timeout_s = 0.5
    speaker, m = Speaker(), messages(lang)
    conv = Conversation(load_tree(None, lang), lang=lang)
    assert loop.run_voice_session(config, Hears(""), speaker, source, conversation=conv, out=lambda _: None,
                                  device_poll_s=0.0) is None
    start = conv.tree.nodes["start"].text.replace("{emergency_number}", "911")
    assert speaker.said[:4] == [start, m("voice.mic_lost"), start, f"{m('voice.not_heard')} {start}"]
    assert speaker.said[4] == m("voice.give_up") and speaker.said[5].startswith(conv.tree.meta["stop_text"][:12])
    assert not any(s in " ".join(speaker.said) for s in ("Sorry", "microphone", "answer"))


def test_tree_check_says_when_a_tree_language_has_no_catalogue(tmp_path, capsys):
    from pathlib import Path

    from voice.commands.tree import _check_languages
    from voice.config import Config

    path = tmp_path / "fr.toml"
    path.write_text(Path(load_tree().source).read_text(encoding="utf-8").replace('language = "en"', 'language = "fr"', 1),
                    encoding="utf-8")
    tree = load_tree(path)
    _check_languages(str(path), tree, Config(), "en")
    assert "fr: the tree's language has no message catalogue" in capsys.readouterr().out


def test_spanish_emphasis_is_shown_but_not_spelled_out():
    assert speakable("Entonces, NO ha tenido fiebre. ¿Es correcto?", lang="es") == \
        "Entonces, no ha tenido fiebre. ¿Es correcto?"


@pytest.mark.parametrize("lang, said", [
    ("en", "Sorry, the line is not UTF-8 text (invalid byte at position 0). Please type your answer again."),
    ("es", "Disculpe, la línea no es texto UTF-8 (byte no válido en la posición 0). Por favor, escriba su respuesta "
           "otra vez."),
    ("ko", "죄송합니다, 입력한 줄이 UTF-8 텍스트가 아닙니다(0번째 바이트가 잘못됨). 답을 다시 입력해 주세요."),
])
def test_a_typed_line_that_cannot_be_read_is_said_in_the_language(lang, said):
    import io

    from voice.conversation import Conversation
    from voice.textio import run_text

    class Stdin:
        buffer = io.BytesIO(b"\xff\n")

    out = io.StringIO()
    run_text(Conversation(load_tree(None, lang), lang=lang), Stdin(), out)
    assert said in " ".join(out.getvalue().replace("> ", " ").split())


# Without a clinic phone number, "Call the clinic." leaves the person to find one: every outcome
# says "Contact the clinic" instead, in each language; with a number it is "Call ... on 555 0100".
NO_NUMBER_CALL = {"en": r"\bcall (the clinic|Riverside)", "es": r"\bllame (hoy )?a la clínica",
                  "ko": r"병원(이나|에 전화)"}
CONTACT = {"en": "Contact the clinic", "es": "Comuníquese con la clínica", "ko": "병원에 연락하세요"}


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_phone_number_outcomes_say_contact_the_clinic(lang):
    import re

    from triage import Session

    tree = load_tree(None, lang)
    with_clinic = [o for o in tree.outcomes.values() if "{clinic}" in o.text]
    assert len(with_clinic) >= 10
    bare, numbered = Session(tree), Session(tree, clinic_phone="555 0100")
    for o in with_clinic:
        said = bare._fmt(o.text)
        assert not re.search(NO_NUMBER_CALL[lang], said, re.I), said
        assert "{" not in said and said.count(bare._fill["clinic"]) == o.text.count("{clinic}")
        assert "555 0100" in numbered._fmt(o.text) and not numbered._fmt(o.text).count("Contact")
    assert any(CONTACT[lang] in bare._fmt(o.text) for o in with_clinic)
    named = Session(tree, clinic_name="Riverside Clinic")
    assert all("Riverside Clinic" in named._fmt(o.text) for o in with_clinic)


def test_without_a_phone_number_the_sentences_read_whole():
    from triage import Session

    def said(lang, outcome, **clinic):
        tree = load_tree(None, lang)
        return Session(tree, **clinic)._fmt(tree.outcomes[outcome].text)

    assert "Contact the clinic or an urgent care service now." in said("en", "urgent_weakness")
    assert "If the pain gets much worse, or you get a fever, contact the clinic today." in said("en", "soon_steroids")
    assert "Call the clinic on 555 0100 or an urgent care service now." in said("en", "urgent_weakness",
                                                                                clinic_phone="555 0100")
    assert "Comuníquese con la clínica o con un servicio de atención urgente ahora." in said("es", "urgent_weakness")
    assert "지금 병원에 연락하거나 긴급 진료 기관에 전화하세요." in said("ko", "urgent_weakness")


def test_a_without_phone_phrase_that_loses_its_placeholder_is_an_error(locale):
    _edit(locale / "es" / "messages.toml", '"Llame a {clinic}" = "Comuníquese con {clinic}"',
          '"Llame a {clinic}" = "Comuníquese con la clínica"')
    (problem,) = check("es")
    assert "without_phone.Llame a {clinic}" in problem and "same placeholders" in problem
    assert check("ko") == [] and "without_phone.Call {clinic}" not in messages("en").texts


def test_wording_per_medium_is_required_in_every_language_and_never_asks_to_speak(locale):
    where = locale / "es" / "messages.toml"
    _edit(where, '"hints.number" = "Por favor, marque un número en el teclado, por ejemplo 45."\n', "")  # missing
    _edit(where, '"examples.number" = "Por ejemplo, escriba «45»."',  # asks to speak where nobody can
          '"examples.number" = "Por ejemplo, diga «45»."')
    with open(where, "a", encoding="utf-8") as f:
        f.write('"engine.no_such_message" = "x"\n')  # a form of a message there is not
    found = "\n".join(check("es"))
    assert "message 'medium.screen.hints.number': no es translation" in found
    assert "message 'medium.typed.examples.number' in" in found and "asks the person to say something" in found
    assert "message 'medium.typed.engine.no_such_message' in" in found and "<a message's key>" in found
    assert check("ko") == []
    # each medium reads its own forms; the voice wording is the catalogue's own
    assert messages("ko", "typed")("voice.number_wrong") == "숫자가 맞지 않는 것 같아요. 다시 입력해 주세요."
    assert messages("ko")("voice.number_wrong") == "숫자가 맞지 않는 것 같아요. 다시 말씀해 주세요."
    assert set(messages("ko", "screen").texts) == set(messages("ko").texts)
