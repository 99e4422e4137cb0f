"""``backtriage config``: print the settings in force, as a TOML file to start from."""
from __future__ import annotations

import argparse

DESCRIPTION = """\
Print the settings in force (defaults merged with your config file) as TOML.
Save it, edit it, and point backtriage at it with --config FILE or $BACKTRIAGE_CONFIG;
the default place is ~/.config/backtriage/config.toml.

Settings include the clinic's name and phone number, the emergency number
(default 911), speech rate (default 150 words a minute) and volume, the
microphone, how long a pause ends an answer, and the speech model.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="print the settings as a TOML file to edit", description=DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  backtriage config > ~/.config/backtriage/config.toml")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from voice.config import to_toml
    from voice.sessions import config_from_args

    print(to_toml(config_from_args(args, fill_language_defaults=False)), end="")
    return 0
