"""Kiosk soak figures: N simulated patients through the real kiosk driver.

    python bench/kiosk_soak.py [N]

Prints time per patient and traced Python memory after warm-up and at the end (the
growth per patient is the figure to watch; the baseline is the same run's warm-up).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and bench/intents.py would hide the intents package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from voice.kiosk.simulate import soak  # noqa: E402
from voice.speaker import Speaker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=1000, help="simulated patients (default 1000)")
    n = parser.parse_args().n
    logging.getLogger("backtriage.kiosk").setLevel(logging.ERROR)
    speaker = Speaker(player=None, caption=None)
    r = soak(n, warmup=min(200, n // 5), speaker=speaker)
    speaker.close()
    warm, end = r["mem_after_warmup"], r["mem_end"]
    per = (end - warm) / max(1, n - min(200, n // 5))
    print(f"sessions: {r['sessions']}  time: {r['seconds']:.2f} s  ({1000 * r['seconds'] / n:.2f} ms a patient)")
    print(f"traced memory: after warm-up {warm / 1024:.1f} KiB, end {end / 1024:.1f} KiB, "
          f"growth {(end - warm) / 1024:.1f} KiB ({per:.1f} B a patient)")
    print(f"endings: {r['ends']}")
    print(f"dispositions: {r['dispositions']}")


if __name__ == "__main__":
    main()
