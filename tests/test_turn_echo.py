"""The turn hears its own early words unless the real echo canceller is in the path (voice.turn.hears_own_voice):
only a microphone echo cancelled against the very player that says the words (its reference tap) may
reply early to an answer that could lower the urgency ("Okay.") and keep the full wait with the
microphone listening. Real canceller (pywebrtc-audio), the product's player on the stand-in card."""
from __future__ import annotations

import pytest

from standins.microphone import ScriptedSource
from standins.sound_card import FakeSoundCard, real_player
from voice.echo import EchoCancelledSource, EchoCanceller, ReferenceTap, available
from voice.speaker import Speaker
from voice.turn import TurnRunner, hears_own_voice

pytestmark = pytest.mark.skipif(available() is not None, reason="needs pywebrtc-audio")


@pytest.fixture
def speaker():
    sp = Speaker(player=real_player(FakeSoundCard(48000)), caption=None)
    yield sp
    sp.close()


def test_only_a_canceller_fed_by_the_speakers_own_player_counts(speaker):
    mic = ScriptedSource([None], sample_rate=16000)
    tap = ReferenceTap()
    cancelled = EchoCancelledSource(mic, EchoCanceller(tap))
    assert hears_own_voice(mic, speaker)               # a plain microphone
    assert hears_own_voice(cancelled, speaker)         # a canceller whose reference nobody plays into
    speaker.player.tap = ReferenceTap()
    assert hears_own_voice(cancelled, speaker)         # ... or another player's reference
    speaker.player.tap = tap
    assert not hears_own_voice(cancelled, speaker)     # the real thing
    assert hears_own_voice(cancelled, Speaker(player=None, caption=None))  # captions only: no player
    from voice.barge_in import Carried

    assert not hears_own_voice(Carried(cancelled, []), speaker)  # barge-in's source carrying it on
    assert hears_own_voice(Carried(mic, []), speaker)


def test_the_runner_decides_it_for_each_turns_source_unless_told(speaker):
    from tests.test_complete_answer import at

    tap = ReferenceTap()
    speaker.player.tap = tap
    cancelled = EchoCancelledSource(ScriptedSource([None], sample_rate=16000), EchoCanceller(tap))
    plain = ScriptedSource([None], sample_rate=16000)
    runner = TurnRunner(None, plain, speaker=speaker, reply_early=True)
    c = at("fever")
    assert runner._early_reply(c, plain).hears_own_voice
    assert not runner._early_reply(c, cancelled).hears_own_voice
    told = TurnRunner(None, cancelled, speaker=speaker, reply_early=True, hears_own_voice=True)
    assert told._early_reply(c, cancelled).hears_own_voice  # an explicit value stands
