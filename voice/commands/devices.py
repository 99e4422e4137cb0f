"""``backtriage devices``: the microphones and speakers the system can see."""
from __future__ import annotations

import argparse

from voice.errors import UserError

DESCRIPTION = """\
List the audio devices PortAudio can see: inputs (microphones) and outputs
(speakers, headphones), with the number and name you can pass to
--input-device / --output-device (a name fragment is enough), the channel
counts and the device's own default sample rate (backtriage records at that
rate and converts, so any rate the device offers works).
"""

EPILOG = """\
examples:
  backtriage devices
  backtriage run --input-device 2 --output-device "USB"
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("devices", help="list microphones and speakers (for --input-device/--output-device)",
                              description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace, out=print) -> int:
    from voice.audio import list_devices

    try:
        devices = list_devices()
    except UserError:
        raise
    except Exception as e:  # PortAudio can fail in many odd ways on a box without sound
        out(f"no audio devices found: PortAudio could not list them ({e}).")
        return 0
    inputs = [d for d in devices if d.inputs > 0]
    outputs = [d for d in devices if d.outputs > 0]
    if not devices:
        out("no audio devices found: the system reports no microphone and no speaker. "
            "Plug in a headset or USB microphone, then run 'backtriage devices' again. "
            "You can still type the answers: backtriage run --io text")
        return 0
    for title, group, kind in (("inputs (microphones)", inputs, "input"), ("outputs (speakers)", outputs, "output")):
        out(f"{title}:")
        if not group:
            out(f"  none found ({'type the answers with: backtriage run --io text' if kind == 'input' else 'captions only'})")
        for d in group:
            default = " (default)" if (d.is_default_input if kind == "input" else d.is_default_output) else ""
            channels = d.inputs if kind == "input" else d.outputs
            api = f", {d.hostapi}" if d.hostapi else ""
            out(f"  {d.index:>3}  {d.name}{default}  ({channels} ch, {d.default_rate:g} Hz{api})")
    return 0
