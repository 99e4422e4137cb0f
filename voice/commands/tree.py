"""``backtriage tree``: check, draw or export a triage tree file."""
from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
Work with the triage tree: the questions, where each answer leads, and the
outcomes, kept in a TOML data file a clinician can edit (see triage/tree.toml).

  check FILE        validate a tree: every problem is listed with its node and field
  show              draw the tree for review: --format mermaid | dot | text
  export --fhir     the tree as an HL7 FHIR R4 Questionnaire (JSON)
"""
EPILOG = """\
examples:
  backtriage tree check my-clinic-tree.toml
  backtriage tree show --format mermaid > tree.mmd
  backtriage tree show --format dot | dot -Tpng -o tree.png
  backtriage tree export --fhir > questionnaire.json
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tree", help="check, draw or export the triage tree", description=DESCRIPTION,
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    tsub = p.add_subparsers(dest="tree_command", metavar="ACTION", required=True)
    check = tsub.add_parser("check", help="validate a tree file", description="Validate a tree file; exit 0 if good.")
    check.add_argument("file", metavar="FILE", nargs="?",
                       help="tree file (default: the one in use: the config's 'tree', else the shipped tree)")
    check.set_defaults(func=check_cmd)
    show = tsub.add_parser("show", help="draw the tree (mermaid, dot or text)")
    show.add_argument("--format", choices=("mermaid", "dot", "text"), default="text")
    show.add_argument("--tree", metavar="FILE", help="tree file (default: the one in use)")
    show.set_defaults(func=show_cmd)
    export = tsub.add_parser("export", help="export the tree (FHIR Questionnaire)")
    export.add_argument("--fhir", action="store_true", required=True, help="HL7 FHIR R4 Questionnaire JSON")
    export.add_argument("--tree", metavar="FILE", help="tree file (default: the one in use)")
    export.set_defaults(func=export_cmd)


def check_cmd(args: argparse.Namespace) -> int:
    from triage import TreeError, load_tree
    from triage.tree import SHIPPED_TREE
    from voice.sessions import config_from_args

    config = config_from_args(args)
    path = args.file or config.tree or str(SHIPPED_TREE)
    try:
        tree = load_tree(path)
    except TreeError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"{path}: OK ({len(tree.nodes)} questions, {len(tree.outcomes)} outcomes)")
    _print_warnings(tree, "  ")
    return _check_languages(path, tree, config, only=getattr(args, "lang", None))


def _check_languages(path: str, tree, config, only: str | None) -> int:
    """Each language's pack (languages/<code>/: its files, message catalogue, kiosk words, phrases)
    and its wording of the tree, and whether that pack is clinically reviewed."""
    import languages as packs
    from triage import TreeError, load_tree
    from voice.languages import is_reviewed, languages, pack_problems

    status = 0
    base = tree.meta.get("language", "en")
    if base not in languages() and not packs.has(base, "messages.toml"):
        print(f"  {base}: the tree's language has no message catalogue (languages/{base}/messages.toml): "
              "apologies, read-backs and result headings will be said in English")
    for code in packs.codes(None):
        if (only and code != only) or code in languages():
            continue
        print(f"  {code}: pack incomplete, not offered:")  # a folder without its voice side or phrases
        print("\n".join(f"    - {p}" for p in pack_problems(code)))
        status = 1
    for code, info in languages().items():
        if only and code != only:
            continue
        problems = pack_problems(code)
        if problems:
            print(f"  {code} ({info.name}): pack incomplete:")
            print("\n".join(f"    - {p}" for p in problems))
            status = 1
        if code == base:
            continue
        reviewed = "clinically reviewed" if is_reviewed(code, config) else "not clinically reviewed"
        try:
            translated = load_tree(path, code)
        except TreeError as e:
            missing = all(p.startswith(f"no wording in {code!r}") for p in e.problems)
            needed = code in (only, config.clinic.language)
            print(f"  {code} ({info.name}): " + ("no wording for this tree" if missing else "wording incomplete:"))
            if not missing:
                print("\n".join(f"    - {p}" for p in e.problems))
            status = 1 if (needed or not missing) else status
            continue
        print(f"  {code} ({info.name}): wording complete, {reviewed}")
        _print_warnings(translated, "    ")
    return status


def _print_warnings(tree, indent: str) -> None:
    """What loads but should be fixed (a warning leaves the exit status 0)."""
    for warning in tree.warnings:
        print(f"{indent}warning: {warning}")


def _tree(args: argparse.Namespace):
    from voice.sessions import config_from_args, tree_from

    return tree_from(args.tree, config_from_args(args))


def show_cmd(args: argparse.Namespace) -> int:
    from triage import render

    tree = _tree(args)
    print({"mermaid": render.to_mermaid, "dot": render.to_dot, "text": render.to_text}[args.format](tree), end="")
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    from triage.fhir import questionnaire

    print(json.dumps(questionnaire(_tree(args)), indent=2, ensure_ascii=False))
    return 0
