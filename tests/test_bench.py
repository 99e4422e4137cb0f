"""The benchmark scripts still start: each imports what it measures and explains itself with --help."""
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = sorted(p for p in (Path(__file__).resolve().parents[1] / "bench").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", BENCH, ids=lambda p: p.name)
def test_bench_script_help(script):
    res = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "usage:" in res.stdout


def test_bench_player_is_the_products_own_on_a_stand_in_card():
    """The benches' "first audio" ends at the sound card through voice.speaker.SoundDevicePlayer:
    the speech is resampled to the card's rate by the product's code, not skipped."""
    import numpy as np

    from standins.sound_card import FakeSoundCard, real_player
    from voice.speaker import SoundDevicePlayer

    card = FakeSoundCard(rate=48000)
    player = real_player(card)
    assert type(player) is SoundDevicePlayer
    t = np.arange(22050) / 22050
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)  # 1 s at the speech engine's rate
    player.play(tone, 22050)
    [(when, samples, rate)] = card.handed
    assert rate == 48000 and abs(samples - 48000) <= 2
    assert card.first_after(when) == when
    assert not isinstance(sys.modules.get("sounddevice"), FakeSoundCard)  # the stand-in is not left installed


@pytest.mark.slow
def test_endpoint_bench_runs_on_a_few_answers_and_ends_with_its_summary_line():
    """bench/endpoint.py crashed on a clean run (the speaker went captions-only, no first audio):
    a few answers through the real Korean Vosk model, pyttsx3 and the product's player on the
    stand-in card; the last line is the summary, and no cut-off counted less urgent."""
    import re

    script = Path(__file__).resolve().parents[1] / "bench" / "endpoint.py"
    res = subprocess.run([sys.executable, str(script), "--quick", "--rounds", "1"], capture_output=True, text=True,
                         timeout=1200)
    assert res.returncode == 0, res.stderr[-2000:]
    last = res.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"endpoint: whole_p50_ms=(\d+) redflag_no_p50_ms=(\d+) redflag_no_p95_ms=(\d+) "
                     r"lowering_cutoffs=(\d+) late_cross_checks=(\d+)", last)
    assert m, last
    assert m.group(4) == "0"


@pytest.mark.slow
def test_the_barge_in_bench_runs_and_prints_its_summary_line():
    from voice.echo import available

    if available() is not None:
        pytest.skip(available())
    done = subprocess.run([sys.executable, "bench/barge_in.py", "--quick"], capture_output=True, text=True,
                          timeout=600, cwd=str(Path(__file__).resolve().parent.parent))
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("barge_in: detect_p95_ms=") and " missed=" in last and " false=" in last
    assert "/9 " in last and last.split("false=")[1].startswith(tuple("0123456789"))
