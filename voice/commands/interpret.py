"""``backtriage interpret``: the understanding layer on one utterance, as JSON."""
from __future__ import annotations

import argparse
import json

from voice.errors import UserError

EXAMPLES = """\
examples:
  backtriage interpret --topic fever "I've been running a temperature"
      {"intent": "yes", "value": null, "confidence": 0.9}
  backtriage interpret --topic duration "a month and a half"
      {"intent": "duration", "value": 6.5223, "confidence": 0.95}   (weeks)
  backtriage interpret --topic pain_score "I'd say eight out of ten"
  backtriage interpret --topic weakness "say that again"

intents: yes, no, unsure, repeat, back, help, stop, slower, restart,
duration (value in weeks), number (value), unknown (not understood: ask again).
"""


def register(subparsers) -> None:
    from intents import EXPECTS, TOPICS

    p = subparsers.add_parser(
        "interpret",
        help="show how one answer is understood (intent, value, confidence)",
        description="Run the understanding layer on one answer, as typed or transcribed, and print "
                    "one JSON object {intent, value, confidence}. Useful to check phrase lists.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--topic", metavar="TOPIC", action="append",
                   help="the question's topic; repeat for a question with several topics. "
                        f"One of: {', '.join(TOPICS)}")
    p.add_argument("--expects", choices=EXPECTS,
                   help="kind of answer; default from the topic: duration -> duration, "
                        "age/pain_score -> number, otherwise yesno")
    p.add_argument("--lang", help="language of the phrase lists: en, es or ko (default: [clinic] language, else en)")
    p.add_argument("text", metavar="TEXT", help='the answer, e.g. "no, nothing like that"')
    p.set_defaults(func=handle)


def default_expects(topics: list[str] | tuple[str, ...] | None) -> str:
    topics = topics or ()
    if "duration" in topics:
        return "duration"
    if "age" in topics or "pain_score" in topics:
        return "number"
    return "yesno"


def handle(args: argparse.Namespace) -> int:
    from intents import interpret
    from voice.sessions import config_from_args

    lang = config_from_args(args).clinic.language  # --lang, else the config's; unknown -> plain error
    topics = tuple(args.topic or ())
    expects = args.expects or default_expects(topics)
    try:
        result = interpret(args.text, topic=topics or None, expects=expects, lang=lang)
    except ValueError as e:
        raise UserError(f"{e}. See 'backtriage interpret --help'.") from None
    print(json.dumps(result.to_json()))
    return 0
