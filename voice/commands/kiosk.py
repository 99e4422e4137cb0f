"""``backtriage kiosk``: leave backtriage running in a waiting room, patient after patient."""
from __future__ import annotations

import argparse

HELP = "run unattended in a waiting room: screen with captions and touch buttons, voice optional"
DESCRIPTION = """\
Run backtriage as a waiting-room kiosk, one patient after another, with nobody
at the keyboard.

It serves a local web page (only on this computer, nothing from the internet):
open it full-screen in a browser on the kiosk laptop (--browser does that). The
page shows each question in large text, live captions of what is heard, and
large buttons (Yes / No / Not sure / Repeat / Back / More time) for people who
would rather tap than talk. Touch and voice drive the same session.

A patient starts by tapping Start, pressing any key, or saying "start" or
"hello", in the clinic's language ([clinic] language, --lang), or by tapping
their own language's button on the start screen (English, Español, 한국어:
every language with a pack, or those listed in [kiosk] languages). After the
result the kiosk resets itself, and to the clinic's language, for the next
patient. No sound is recorded, nothing of a session is kept after it resets,
and the log holds no answers.

Settings ([kiosk] in the config file): host, port, languages, inactivity_s (60: then "Are
you still there?"), warning_s (30), outcome_s (90), alert_sound (a sound file
played for staff on an emergency), alert_command (a command run on an
emergency; it gets no patient data), staff_hold_s (3: an emergency banner stays
until staff press and hold its button this long) and staff_code (if set,
staff type this code instead). Stopping the kiosk (Ctrl-C, SIGTERM) writes the
summary of a result still on screen. Staff summaries of
each session: [handoff] enabled = true and folder = "...", written as text and
as FHIR R4 QuestionnaireResponse JSON, readable only by this user.
"""
EPILOG = """\
examples:
  backtriage kiosk --no-voice --browser      screen and touch only, open the page
  backtriage kiosk --port 8080               voice and screen, page on port 8080
  backtriage --config clinic.toml kiosk      with the clinic's settings
  chromium --kiosk http://127.0.0.1:8765/    the screen full-screen, no address bar
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kiosk", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=port_number, metavar="N", help="port for the screen page (default from config: 8765)")
    p.add_argument("--no-voice", action="store_true",
                   help="screen and touch only: no microphone, no speech (for a kiosk without audio)")
    p.add_argument("--browser", action="store_true", help="open the screen page in the default browser")
    p.add_argument("--tree", metavar="FILE", help="a clinic's own triage tree (default: the shipped tree)")
    p.set_defaults(func=run)


def port_number(text: str) -> int:
    """--port: a TCP port number, 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)")
    return value


def run(args: argparse.Namespace) -> int:
    import logging

    from voice.kiosk.app import kiosk_trees, run_kiosk
    from voice.sessions import config_from_args, tree_from

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = config_from_args(args)
    tree = tree_from(args.tree, config)
    from voice.config import default_path

    return run_kiosk(config, tree, port=args.port, voice=not args.no_voice, browser=args.browser,
                     trees=kiosk_trees(config, tree, args.tree), config_path=args.config or default_path())
