"""``backtriage run``: one triage session, spoken (default), typed, or over JSON lines."""
from __future__ import annotations

import argparse
import sys

HELP = "run a triage session (spoken by default)"
DESCRIPTION = """\
Run one triage session.

  --io voice   (default) speak through the speakers and listen on the microphone
  --io text    type your answers in the terminal; say 'help' for the words it knows
  --io jsonl   for other programs and tests: JSON events on stdout, one answer per
               line on stdin: {"text": "yes"}, {"audio": "answer.wav"} or {"intent": "no"}

Answers can be spoken naturally: "yeah", "not really", "I don't know",
"about three weeks", "sixty two". At any question you can say: repeat, go back,
help, slower, start over, or stop.
"""
EPILOG = """\
examples:
  backtriage run --io text
  backtriage run --io text --tree clinic-tree.toml
  echo '{"text": "yes"}' | backtriage run --io jsonl
  backtriage run --io jsonl --asr whisper --model ./whisper-tiny.en < answers.jsonl
  backtriage run --input-device 2 --model models/vosk-model-small-en-us-0.15
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--io", choices=("voice", "text", "jsonl"), default="voice",
                   help="how answers come in and guidance goes out (default: voice)")
    p.add_argument("--tree", metavar="FILE", help="a clinic's own triage tree (default: the shipped tree)")
    p.add_argument("--asr", choices=("vosk", "whisper"), help="speech recognizer (default from config: vosk)")
    p.add_argument("--model", metavar="PATH", help="speech model folder (default: see 'backtriage models list')")
    p.add_argument("--input-device", metavar="DEV", help="microphone: index or part of its name ('backtriage devices')")
    p.add_argument("--output-device", metavar="DEV", help="speakers: index or part of its name")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from voice.sessions import config_from_args, new_conversation, open_handoff, tree_from

    config = config_from_args(args)
    if args.asr:
        config.recognition.backend = args.asr
    if args.model:
        config.recognition.model = args.model
    if args.input_device:
        config.listen.input_device = args.input_device
    if args.output_device:
        config.listen.output_device = args.output_device

    tree = tree_from(args.tree, config)
    if args.io in ("text", "jsonl"):
        from voice.conversation import prepare

        if sys.stdout is None:  # started with stdout closed (>&-): the session would have nowhere to go
            from voice.errors import UserError

            raise UserError("standard output is closed; the session has nowhere to write its questions")
        prepare(tree, config.clinic.language or "en")  # at start-up, so no answer waits for it
    # Staff handoff works in every mode; an unusable folder stops here, before the first question.
    handoff = open_handoff(config, tree, on_status=_handoff_problem)
    # Typed answers get the typed wording ("You can type ..."), never "say".
    conversation = new_conversation(tree.for_medium("typed") if args.io in ("text", "jsonl") else tree, config)
    try:
        if args.io == "text":
            from voice.textio import run_text

            return run_text(conversation)
        if args.io == "jsonl":
            from voice.sessions import open_recognizer_for
            from voice.textio import AudioAnswers, run_jsonl

            return run_jsonl(conversation, sys.stdin, sys.stdout, AudioAnswers(lambda: open_recognizer_for(config)))
        from voice.loop import run_from_args

        return run_from_args(args, config, conversation=conversation)
    finally:
        if handoff is not None:
            handoff.session_finished(conversation.session)
            handoff.close()


def _handoff_problem(text: str) -> None:
    if text:
        print(f"backtriage: {text}", file=sys.stderr)
