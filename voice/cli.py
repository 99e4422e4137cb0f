"""The ``backtriage`` command.

Each subcommand lives in its own module under ``voice/commands/`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (called with the
parsed args, returns an exit code). Modules import heavy packages (vosk,
sounddevice, pyttsx3) only inside their handlers, so ``--help`` and typed
sessions start fast and work without them.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from voice.errors import UserError

# Order here is the order in --help.
SUBCOMMANDS = [
    "voice.commands.run",
    "voice.commands.interpret",
    "voice.commands.tree",
    "voice.commands.config",
    "voice.commands.devices",
    "voice.commands.models",
    "voice.commands.kiosk",
    "voice.commands.say",
]

DESCRIPTION = """\
backtriage asks a few questions about back pain, works out how urgently
professional help is needed, and says so. It runs fully offline.
It gives guidance, not a diagnosis. In an emergency call your local emergency number.
"""

EPILOG = """\
examples:
  backtriage                         talk through triage with microphone and speakers
  backtriage run --io text           type the answers instead
  backtriage run --io text --lang es  the session in Spanish (es) or Korean (ko)
  backtriage run --io jsonl          JSON-lines protocol for other programs
  backtriage interpret --topic fever "I've been running a temperature"
  backtriage tree check my-tree.toml
  backtriage tree show --format mermaid
  backtriage config > ~/.config/backtriage/config.toml
  backtriage models download         fetch the default English speech model (40 MB)
  backtriage devices                 list microphones and speakers
  backtriage say "Call 911 now"      sound check: speak a text as the assistant would
  backtriage kiosk --no-voice        waiting-room screen with touch buttons on http://127.0.0.1:8765

Run 'backtriage COMMAND --help' for the options of one command.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backtriage",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", metavar="FILE",
                        help="clinic settings (TOML); default $BACKTRIAGE_CONFIG or ~/.config/backtriage/config.toml")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(sub)
    _add_lang_everywhere(sub)
    return parser


def _add_lang_everywhere(sub: argparse._SubParsersAction) -> None:
    """``--lang`` on every command that runs, shows or sets up a session (not ``devices``)."""
    from voice.languages import add_lang_option

    for name, p in sub.choices.items():
        if name == "devices":
            continue
        nested = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        for a in nested:
            _add_lang_everywhere(a)
        if not any("--lang" in a.option_strings for a in p._actions):
            add_lang_option(p)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # No command at all means the product: a spoken session.
    if not any(a in ("-h", "--help") for a in argv) and not _has_command(parser, argv):
        argv.append("run")
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        print(f"backtriage: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("\nbacktriage: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`backtriage ... | head`): stop quietly, like other command-line tools.
        # Output still buffered would fail again at exit, so it goes to /dev/null instead.
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _has_command(parser: argparse.ArgumentParser, argv: list[str]) -> bool:
    names = set()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        names.update(action.choices)
    return any(a in names for a in argv)


if __name__ == "__main__":
    sys.exit(main())
