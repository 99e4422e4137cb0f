"""Microphone side: resampling, the frame consumer, device choice, `backtriage devices`, device loss.

There is no microphone on these machines: the scripted stand-in source feeds
the same FrameReader a real sounddevice stream would.
"""
from __future__ import annotations

import builtins
import subprocess
import sys

import numpy as np
import pytest

from standins.speech import have_tools, synth
from standins.microphone import ScriptedSource
from voice.audio import (Device, DeviceLost, FrameReader, MicrophoneSource, Resampler,
                         import_sounddevice, resolve_device, wait_for_device)
from voice.errors import UserError


def tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 8000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64)))
    return float(np.argmax(spectrum) * rate / len(x))


@pytest.mark.parametrize("src", [48000, 44100, 22050, 8000])
def test_resampler_in_chunks_equals_one_pass_and_keeps_the_pitch(src):
    x = tone(440, src)
    chunk = int(src * 0.02)
    r = Resampler(src, 16000)
    pieces = np.concatenate([r.process(x[i:i + chunk], last=i + chunk >= len(x)) for i in range(0, len(x), chunk)])
    whole = Resampler(src, 16000).process(x, last=True)
    assert np.array_equal(pieces, whole)  # no clicks or drift at chunk boundaries
    assert abs(len(whole) - 16000) <= 1
    assert abs(dominant_hz(whole[1600:], 16000) - 440) < 5
    assert np.abs(whole[1600:]).max() > 7000  # the speech band passes at full level


def test_downsampling_filters_out_what_would_fold_into_the_speech_band():
    # 12 kHz cannot exist at 16 kHz; without the low-pass it would alias to 4 kHz
    out = Resampler(48000, 16000).process(tone(12000, 48000))
    assert np.abs(out[1600:]).max() < 0.02 * 8000


def test_frame_reader_gives_fixed_frames_at_the_recognizer_rate(tmp_path):
    wav = tmp_path / "t.wav"
    import wave
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
        w.writeframes(tone(300, 22050, 1.0).tobytes())
    src = ScriptedSource([wav], sample_rate=44100, lead_s=0.5, noise_dbfs=None)
    src.open()
    reader = FrameReader(src, 16000, frame_s=0.02)
    frames = [reader.next_frame() for _ in range(100)]  # 2 s: lead, tone, then room silence
    assert all(len(f) == 320 for f in frames)
    audio = np.concatenate(frames)
    loud = np.nonzero(np.abs(audio) > 4000)[0]
    assert abs(loud[0] / 16000 - 0.5) < 0.01 and abs(loud[-1] / 16000 - 1.5) < 0.01
    assert abs(dominant_hz(audio[8000:24000], 16000) - 300) < 5


def test_echo_tail_is_discarded_after_opening():
    src = ScriptedSource([None], sample_rate=16000, noise_dbfs=-40)
    src.open()
    reader = FrameReader(src, 16000, frame_s=0.02, discard_s=0.25)
    reader.next_frame()
    # the first kept frame starts 0.25 s into what the source delivered
    assert src.delivered_s == pytest.approx(0.28, abs=0.001)


def test_scripted_source_is_silent_while_closed():
    src = ScriptedSource([None])
    assert src.read(0.01) is None
    src.open()
    assert src.read(0.01) is not None
    src.close()
    assert src.read(0.01) is None


def test_device_lost_then_back_keeps_going():
    src = ScriptedSource([ScriptedSource.UNPLUG, None], sample_rate=16000, lead_s=0.1, unplugged_attempts=2)
    src.open()
    reader = FrameReader(src, 16000)
    with pytest.raises(DeviceLost):
        for _ in range(50):
            reader.next_frame()
    told, naps = [], []
    assert wait_for_device(src, told.append, poll_s=2.0, sleep=naps.append)
    assert len(told) == 1 and "kept" in told[0]
    assert naps == [2.0, 2.0]  # two failed attempts, then back
    src.open()
    assert FrameReader(src, 16000).next_frame() is not None


def test_wait_for_device_can_give_up():
    src = ScriptedSource([ScriptedSource.UNPLUG], sample_rate=16000, lead_s=0.0, unplugged_attempts=99)
    src.open()
    with pytest.raises(DeviceLost):
        src.read(0.1)
    assert not wait_for_device(src, lambda m: None, poll_s=1.0, give_up_s=3.0, sleep=lambda s: None)


DEVICES = [
    Device(0, "HDA Intel PCH: ALC257 Analog", 2, 2, 48000.0, "ALSA", True, True),
    Device(1, "HDMI 0", 0, 8, 44100.0, "ALSA"),
    Device(2, "USB Headset Mic", 1, 0, 44100.0, "ALSA"),
]


def test_device_choice_by_default_index_and_name_fragment():
    assert resolve_device("", "input", DEVICES).index == 0
    assert resolve_device("2", "input", DEVICES).name == "USB Headset Mic"
    assert resolve_device("usb", "input", DEVICES).index == 2
    assert resolve_device("hdmi", "output", DEVICES).index == 1
    # no system default: the first capable device
    plain = [Device(d.index, d.name, d.inputs, d.outputs, d.default_rate) for d in DEVICES]
    assert resolve_device(None, "output", plain).index == 0


def test_device_choice_errors_name_the_available_devices():
    with pytest.raises(UserError, match="no input device has 'webcam'.*USB Headset Mic"):
        resolve_device("webcam", "input", DEVICES)
    with pytest.raises(UserError, match="no input device number 1"):
        resolve_device("1", "input", DEVICES)  # HDMI has no input channels
    with pytest.raises(UserError, match="no audio input device found; plug in a microphone"):
        resolve_device("", "input", [DEVICES[1]])


def test_microphone_on_a_machine_without_one_is_a_plain_error():
    # real PortAudio, real (empty) device list on these machines
    with pytest.raises(UserError, match="no audio input device found"):
        MicrophoneSource()


def test_portaudio_missing_says_which_package_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(UserError, match="install libportaudio2: sudo apt-get install libportaudio2"):
        import_sounddevice()


def test_backtriage_devices_reports_no_devices_politely():
    res = subprocess.run([sys.executable, "-m", "voice", "devices"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "no audio devices found" in res.stdout


def test_devices_listing_format(monkeypatch):
    import voice.audio
    from voice.commands import devices

    monkeypatch.setattr(voice.audio, "list_devices", lambda refresh=False: DEVICES)
    lines: list[str] = []
    assert devices.handle(None, out=lines.append) == 0
    text = "\n".join(lines)
    assert "inputs (microphones):" in text and "outputs (speakers):" in text
    assert "    0  HDA Intel PCH: ALC257 Analog (default)  (2 ch, 48000 Hz, ALSA)" in lines
    assert "    2  USB Headset Mic  (1 ch, 44100 Hz, ALSA)" in lines
    assert text.index("USB Headset Mic") < text.index("outputs")


@pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")
def test_scripted_speech_arrives_where_the_script_puts_it(tmp_path):
    wav = synth("yes", tmp_path / "yes.wav")
    src = ScriptedSource([wav], sample_rate=48000, lead_s=0.4, noise_dbfs=-60)
    src.open()
    reader = FrameReader(src, 16000)
    audio = np.concatenate([reader.next_frame() for _ in range(100)])
    loud = np.nonzero(np.abs(audio) > 2000)[0]
    assert 0.4 <= loud[0] / 16000 <= src.speech_end_s <= 2.0


def test_spoken_run_without_a_microphone_says_what_to_do():
    res = subprocess.run([sys.executable, "-m", "voice", "run", "--io", "voice"], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "no audio input device found" in res.stderr and "backtriage run --io text" in res.stderr


def test_live_captions_rewrite_one_line():
    import io

    from voice.loop import PartialLine

    stream = io.StringIO()
    line = PartialLine(stream)
    line("I have")
    line("I")
    line.clear()
    assert stream.getvalue() == "\r… I have\r… I     \r   \r"  # the padding already blanked the rest


def test_missing_speech_model_off_a_terminal_is_a_plain_error():
    from voice.config import Config
    from voice.models import ModelMissing
    from voice.sessions import open_recognizer_for

    config = Config()
    config.recognition.model_name = "vosk-model-that-is-not-here"
    # not a terminal: no download offer, just what to do
    with pytest.raises(ModelMissing, match="'vosk-model-that-is-not-here' is not installed.*--model PATH"):
        open_recognizer_for(config, offer_download=True)
