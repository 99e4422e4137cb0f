"""``backtriage models``: list the known speech models and download one."""
from __future__ import annotations

import argparse

DESCRIPTION = """\
Speech models are not shipped with backtriage; this command lists the ones it
knows (from voice/models.toml) with where each is installed, and downloads
one: with a progress bar, checked against its SHA-256, unpacked into a
temporary folder that only becomes the model folder once complete (an
interrupted or failed download leaves nothing behind).

A model is looked for in this order: --model PATH, $BACKTRIAGE_MODEL,
models/NAME/ (in the backtriage checkout and in the current folder), then
~/.cache/vosk/NAME. On a computer without internet: download the zip elsewhere,
unzip it, and copy the folder to one of those places.
"""

EPILOG = """\
examples:
  backtriage models list
  backtriage models download                       the default English model (about 40 MB)
  backtriage models download --lang es             the Spanish model (vosk-model-small-es-0.42)
  backtriage models download vosk-model-en-us-0.22-lgraph --dest ~/.cache/vosk
  backtriage models download my-model --url https://example.org/my-model.zip --sha256 0123...
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("models", help="list and download speech models",
                              description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="models_command", metavar="ACTION")
    ls = sub.add_parser("list", help="known models and where they are installed")
    ls.set_defaults(func=handle_list)
    dl = sub.add_parser("download", help="fetch, verify and unpack a model",
                        description="Fetch a model, verify its SHA-256 and unpack it atomically.",
                        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    dl.add_argument("name", nargs="?", metavar="NAME",
                    help="model name from 'backtriage models list' (default: the default model)")
    dl.add_argument("--url", help="download from this address instead of the manifest's (needs --sha256 for unknown models)")
    dl.add_argument("--sha256", metavar="HEX", help="expected SHA-256 of the archive (overrides the manifest)")
    dl.add_argument("--dest", metavar="DIR", help="folder to put the model folder in (default: models/ of this "
                                                  "checkout, else ~/.cache/vosk)")
    dl.set_defaults(func=handle_download)
    p.set_defaults(func=handle_list)  # plain 'backtriage models' lists


def handle_list(args: argparse.Namespace) -> int:
    from voice.models import list_models

    list_models()
    return 0


def handle_download(args: argparse.Namespace) -> int:
    from voice.languages import language_info
    from voice.models import download

    name = args.name or (language_info(args.lang).vosk_model if getattr(args, "lang", None) else None)
    download(name, url=args.url, sha256=args.sha256, dest=args.dest)
    return 0
