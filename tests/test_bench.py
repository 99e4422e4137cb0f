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
