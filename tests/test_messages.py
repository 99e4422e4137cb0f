"""The product's own sentences per language (triage/locale/<lang>/messages.toml): complete,
checked key by key against English, and used by the engine, the wording and the voice side."""
from __future__ import annotations

import shutil

import pytest

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
    """A copy of the shipped catalogues to break; the cache is cleared around it."""
    for lang in LANGS:
        (tmp_path / lang).mkdir()
        shutil.copy(catalogue.LOCALE_DIR / lang / "messages.toml", tmp_path / lang / "messages.toml")
    monkeypatch.setattr(catalogue, "LOCALE_DIR", tmp_path)
    messages.cache_clear()
    yield tmp_path
    messages.cache_clear()


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
    assert "ko (한국어): messages incomplete:" in out and "message 'engine.going_back': no ko translation" in out
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
