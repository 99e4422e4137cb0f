"""One folder per language (languages/<code>/), one loader: every shipped pack is complete, a new
language is one folder and nothing else, and a pack that lacks a part is named by `tree check`."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import languages as packs
from intents import interpret
from intents import lexicon
from triage import load_tree
from triage import messages as catalogue
from voice import languages as voice_languages
from voice.kiosk import words as kiosk
from voice.commands.tree import _check_languages
from voice.config import Config

SHIPPED = packs.codes()


def _clear_caches() -> None:
    for cached in (voice_languages.languages, lexicon.language, lexicon.question, catalogue.messages,
                   catalogue._read, kiosk.kiosk_words):
        cached.cache_clear()


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A copy of the shipped packs to add to or break (the loaders' caches cleared around it)."""
    shutil.copytree(packs.ROOT, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(packs, "ROOT", tmp_path)
    _clear_caches()
    yield tmp_path
    _clear_caches()


def test_the_shipped_languages_are_the_packs():
    assert SHIPPED == ["en", "es", "ko"]
    assert list(voice_languages.languages()) == SHIPPED


@pytest.mark.parametrize("code", SHIPPED)
def test_every_shipped_pack_is_complete(code):
    assert voice_languages.pack_problems(code) == []
    if code != packs.SOURCE:
        load_tree(None, code)  # its tree wording, checked against the shipped tree


def test_english_has_no_tree_wording_file_the_tree_is_its_wording():
    assert not packs.has("en", "tree.toml") and packs.missing("en") == []
    assert packs.missing("es") == []


def test_a_new_language_is_one_folder(root):
    """Copy the Spanish pack as "xx", change one yes-word: it is offered, understood and its tree loads."""
    shutil.copytree(root / "es", root / "xx")
    answers = root / "xx" / "phrases" / "answers.toml"
    text = answers.read_text(encoding="utf-8")
    assert 'strong = [' in text
    answers.write_text(text.replace('strong = [', 'strong = ["vale vale",', 1), encoding="utf-8")
    (root / "xx" / "language.toml").write_text((root / "es" / "language.toml").read_text(encoding="utf-8")
                                               .replace('name = "Español"', 'name = "Xx"'), encoding="utf-8")
    assert "xx" in voice_languages.languages() and voice_languages.language_info("xx").name == "Xx"
    assert voice_languages.pack_problems("xx") == []
    assert interpret("vale vale", "fever", lang="xx").intent == "yes"
    assert load_tree(None, "xx").meta["language"] == "xx"
    assert catalogue.messages("xx").lang == "xx" and kiosk.kiosk_words("xx").lang == "xx"


def test_a_pack_lacking_a_part_is_named_by_tree_check(root, capsys):
    (root / "es" / "kiosk.toml").unlink()
    (root / "ko" / "language.toml").unlink()  # no voice side: not offered, still reported
    assert voice_languages.pack_problems("es") == [f"{root / 'es' / 'kiosk.toml'}: missing (the kiosk's own words)"]
    tree = load_tree()
    assert _check_languages(tree.source, tree, Config(), None) == 1
    out = capsys.readouterr().out
    assert "es (Español): pack incomplete:" in out and "kiosk.toml: missing (the kiosk's own words)" in out
    assert "ko: pack incomplete, not offered:" in out and "language.toml: missing" in out
    assert list(voice_languages.languages()) == ["en", "es"]


def test_a_broken_phrase_file_is_a_plain_problem(root):
    (root / "es" / "phrases" / "grammar.toml").write_text("[words\n", encoding="utf-8")
    (root / "es" / "language.toml").write_text('name = ""\nvosk_model = "x"\n', encoding="utf-8")
    found = "\n".join(voice_languages.pack_problems("es"))
    assert "grammar.toml: not valid TOML" in found and "language.toml: 'name' must be a text" in found


def test_only_a_language_code_names_a_pack():
    assert not packs.has("../triage", "tree.toml") and not packs.has("x" * 5000, "messages.toml")
    with pytest.raises(packs.PackError, match="not a language code"):
        packs.path("../en", "messages.toml")
    assert packs.missing("zz") == [f"no pack for 'zz': expected the folder {packs.ROOT / 'zz'}"]


def test_the_loader_imports_no_layer():
    """languages/ is below every layer: importing it loads none of triage, intents or voice."""
    code = "import sys, languages; print(sorted(m for m in sys.modules if m.split('.')[0] in ('triage', 'intents', 'voice')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]"
