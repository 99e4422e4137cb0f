"""``backtriage say``: speak a text as the assistant would (a clinic's sound check)."""
from __future__ import annotations

import argparse

DESCRIPTION = """\
Speak TEXT exactly as the assistant would: the clinic's voice, rate, volume and
speakers from the config, emergency and phone numbers said digit by digit
("Call 911" is said "Call nine one one"). Use it to check the speakers and the
voice in the room before the first patient.

With --print nothing is spoken: the exact text handed to the speech engine is
printed instead.
"""

EPILOG = """\
examples:
  backtriage say "Call 911 now"
  backtriage say --print "Call the clinic on 555 0100"
  backtriage say --output-device USB "Is this loud enough?"
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("say", help="speak a text as the assistant would (sound check)",
                              description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", nargs="+", metavar="TEXT", help="what to say")
    p.add_argument("--print", dest="print_only", action="store_true",
                   help="print the text handed to the speech engine instead of speaking it")
    p.add_argument("--output-device", metavar="DEV", help="speakers: index or part of its name ('backtriage devices')")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace, out=print) -> int:
    from voice.errors import UserError
    from voice.sessions import config_from_args
    from voice.spoken import speakable

    text = " ".join(args.text).strip()
    if not text:
        raise UserError("nothing to say: give a text, e.g. backtriage say \"Call 911 now\"")
    config = config_from_args(args)
    clinic = config.clinic
    if args.print_only:
        out(speakable(text, clinic.emergency_number, clinic.language or "en"))
        return 0
    from voice.speaker import Speaker

    out(text)  # the caption, as a screen would show it
    speaker = Speaker.from_config(config, caption=None, output_device=args.output_device)
    try:
        speaker.say(text)
        if speaker.broken:
            raise UserError(f"could not speak: {speaker.broken}")
    finally:
        speaker.close()
    return 0
