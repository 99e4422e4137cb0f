"""The tree's wording in other languages: one tree structure, its words per language.

``triage/tree.toml`` holds the logic (nodes, branches, thresholds, outcomes) and the
English wording. A language pack's ``languages/<lang>/tree.toml`` holds only wording, under
the same ids::

    [meta]            disclaimer, intro, help, unsure_prompt, stop_text, goodbye, mention_prompt
    [info]            causes, treatments
    [nodes.<id>]      text, plain, help, said_yes, said_no, mention   (those the English node has)

and the wording per medium (``help_screen``, ``text_typed``, ...: see triage/tree.py) wherever
the English has it, or the translation asks the person to say something the English does not.
    [outcomes.<id>]   reason, text

Every red-flag yes/no question needs ``said_yes`` and ``said_no`` in every other language
even where the English has none: English read-backs turn the question round by rule ("Have
you had a fever?" -> "you have NOT had a fever"), no other language's do. A ``mention`` given
as a table (one text per topic) is translated as a table with the same topics.
The product's own sentences (apologies, read-back frames, durations) are in the message
catalogue in the same pack (``languages/<lang>/messages.toml``, triage/messages.py).

A clinic's change to the logic applies to every language; a question added, or one whose
English gained a field, without a translation is a validation error naming the node and
the field, like every other tree problem. A clinic's own tree looks for its wording in
``locale/<lang>/tree.toml`` beside the tree file. The merged tree is then checked exactly
like the English one (an emergency must still say to call {emergency_number} first).
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import languages as packs
from triage.tree import META_MEDIUM_FIELDS, NODE_MEDIUM_FIELDS, medium_variants


# What is wording (translated) in each part of a tree; everything else is logic (shared).
WORDING = {
    "meta": ("disclaimer", "intro", "help", *sorted(medium_variants(META_MEDIUM_FIELDS)), "unsure_prompt", "stop_text",
             "goodbye", "mention_prompt"),
    "info": ("causes", "treatments"),
    "nodes": ("text", "plain", "help", *sorted(medium_variants(NODE_MEDIUM_FIELDS)), "said_yes", "said_no", "mention"),
    "outcomes": ("reason", "text"),
}
MEDIUM_VARIANTS = medium_variants(META_MEDIUM_FIELDS) | medium_variants(NODE_MEDIUM_FIELDS)
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_KIND = {"nodes": "node", "outcomes": "outcome"}


def locale_file(tree_path: Path, lang: str, shipped: bool) -> Path:
    """Where a tree's wording in ``lang`` lives: beside a clinic's tree (``locale/<lang>/tree.toml``),
    in the language's pack for the shipped one."""
    if shipped:
        return packs.path(lang, "tree.toml")
    return tree_path.parent / "locale" / lang / "tree.toml"


def available(tree_path: Path | None = None, shipped: bool = True) -> list[str]:
    if shipped or tree_path is None:
        return sorted(packs.codes("tree.toml"))
    return sorted(p.parent.name for p in (tree_path.parent / "locale").glob("*/tree.toml"))


def localize(data: dict[str, Any], lang: str, wording_file: Path) -> tuple[dict[str, Any], list[str]]:
    """The tree data with its wording in ``lang`` from ``wording_file``, and every problem found:
    a missing file, a node or outcome without its translation (named with the field), an id the
    tree does not have, a placeholder ({emergency_number}, {clinic}) lost in translation."""
    where = str(wording_file)
    if not wording_file.exists():
        return data, [f"no wording in {lang!r} for this tree: expected {where}"]
    try:
        words = packs.read(wording_file)
    except packs.PackError as e:
        return data, [str(e)]
    problems: list[str] = []
    out = copy.deepcopy(data)
    for section, fields in WORDING.items():
        given = words.get(section, {})
        if not isinstance(given, dict):
            problems.append(f"{where}: [{section}] must be a table")
            continue
        if section in _KIND:
            ids = out.get(section, {}) if isinstance(out.get(section), dict) else {}
            for key in given:
                if key not in ids:
                    problems.append(f"{where}: {_KIND[section]} '{key}' is not in the tree")
            items = [(f"{_KIND[section]} '{key}'", ids[key], given.get(key, {})) for key in ids
                     if isinstance(ids[key], dict)]
        else:
            items = [(f"[{section}]", out.setdefault(section, {}), given)]
        for name, english, translated in items:
            if not isinstance(translated, dict):
                problems.append(f"{where}: {name} must be a table")
                continue
            for f in translated:
                if f not in fields:
                    problems.append(f"{where}: {name}, field '{f}': not wording (translatable: {', '.join(fields)})")
            read_back = section == "nodes" and english.get("red_flag") is True and \
                english.get("expects", "yesno") == "yesno"
            for f in fields:
                source = english.get(f)
                if isinstance(source, dict):  # a mention per topic
                    text = translated.get(f)
                    if not isinstance(text, dict) or set(text) != set(source) or \
                            not all(isinstance(v, str) and v.strip() for v in text.values()):
                        problems.append(f"{name}, field '{f}': the {lang} translation must be a table with a "
                                        f"text for each of {', '.join(sorted(source))} in {where}")
                        continue
                    english[f] = dict(text)
                    continue
                if not isinstance(source, str) or not source.strip():
                    if read_back and f in ("said_yes", "said_no"):
                        source = ""  # needed all the same: only English turns a question round by rule
                    elif f in MEDIUM_VARIANTS and isinstance(translated.get(f), str) and translated[f].strip():
                        english[f] = translated[f]  # a translation that asks to speak where the English does not
                        continue
                    else:
                        continue
                text = translated.get(f)
                if not isinstance(text, str) or not text.strip():
                    why = " (a red-flag question's read-back)" if f in ("said_yes", "said_no") else ""
                    problems.append(f"{name}, field '{f}': no {lang} translation{why} in {where}")
                    continue
                lost = set(_PLACEHOLDER.findall(source)) - set(_PLACEHOLDER.findall(text))
                if lost:
                    problems.append(f"{name}, field '{f}': the {lang} translation lacks {', '.join(sorted(lost))}")
                english[f] = text
    out.setdefault("meta", {})["language"] = lang
    return out, problems
