"""Transcript semantics and the WAV/resampling helpers every backend relies on."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from standins.speech import have_tools, synth
from voice.asr.audio import from_pcm16, read_wav, resample, to_pcm16, wav_pcm16
from voice.asr.base import Transcript, make_transcript, normalise, sound
from voice.errors import UserError


def test_unk_is_removed_and_confidence_is_the_mean():
    t = make_transcript([("[unk]", 0.3), ("yes", 0.9), ("please", 0.5)])
    assert t.text == "yes please"
    assert t.words == [("yes", 0.9), ("please", 0.5)]
    assert t.confidence == pytest.approx(0.7)


def test_nothing_recognised():
    t = make_transcript([("[unk]", 1.0)])
    assert (t.text, t.confidence, t.words) == ("", None, [])


def test_normalise_ignores_case_punctuation_and_unk():
    assert normalise("Yes, I DON'T know… [unk]") == ["yes", "i", "don't", "know"]
    assert normalise("네, 아니요.") == ["네", "아니요"]


@pytest.mark.parametrize("text, open_text, agrees", [
    ("yes", None, True),                    # no cross-check was run
    ("yes", "Yes.", True),
    ("three weeks", "about three week", True),  # a near spelling of the same word
    ("yes", "yeah I think so", False),      # another word: the loop confirms
    ("no", "I don't know", False),          # "no" forced out of "know"
    ("no", "now", False),
    ("yes", "", False),                     # grammar heard words the open recognizer did not
    ("", "something else", True),           # the grammar claimed nothing
    ("not sure", "I'm not really sure", True),
    ("아니요", "아니 에 요", True),           # open vocabulary split the word
    ("네 아니요", "모 을 겠어요", False),
    # Korean agrees by sound (issue 20: every clear 아니요 was read back, the spellings differed)
    ("안 이 요", "아니요", True),            # 연음: 안+이 sounds 아니
    ("안 이에요", "아니에요", True),
    ("아니요 없어요", "아니 요 업 써요", True),
    ("네 맞아요", "네 마자요", True),
    ("없어요", "있어요", False),            # a yes and a no never sound alike
    ("있어요", "없어요", False),
    ("안 이 요", "네", False),
    ("네", "내", False),
])
def test_agrees(text, open_text, agrees):
    assert Transcript(text, 0.9, [], open_text).agrees is agrees


def test_sound_of_hangul():
    assert sound("안 이 요") == sound("아니요") == sound("아니 요")
    assert sound("yes no") == "yes no"  # no Hangul: as it is
    assert sound("있어요") != sound("없어요")


def test_resample_keeps_length_and_a_tone():
    import numpy as np

    t = np.arange(22050) / 22050
    tone = 0.5 * np.sin(2 * np.pi * 440 * t).astype(np.float32)
    out = resample(tone, 22050, 16000)
    assert len(out) == 16000
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) - 440) <= 1       # 1 s of audio: bin = Hz
    assert resample(tone, 16000, 16000) is not None and len(resample(tone, 16000, 16000)) == len(tone)


def test_downsampling_filters_what_the_new_rate_cannot_hold():
    import numpy as np

    t = np.arange(48000) / 48000
    high = 0.5 * np.sin(2 * np.pi * 11000 * t).astype(np.float32)  # above 8 kHz Nyquist of 16 kHz
    out = resample(high, 48000, 16000)
    assert np.sqrt(np.mean(out[200:-200] ** 2)) < 0.02  # folded back it would be ~0.35


def test_pcm16_round_trip():
    import numpy as np

    x = np.array([0.0, 0.5, -0.5, 1.0, -1.0], dtype=np.float32)
    assert np.allclose(from_pcm16(to_pcm16(x)), x, atol=1e-4)
    assert len(to_pcm16(np.array([2.0]))) == 2  # clipped, not wrapped


@pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")
@pytest.mark.parametrize("sox_args", [
    ["-b", "16"], ["-b", "8"], ["-b", "24"], ["-b", "32"], ["-e", "floating-point", "-b", "32"],
    ["-c", "2", "-r", "48000"], ["-r", "8000"],
])
def test_read_wav_formats(tmp_path, sox_args):
    import numpy as np

    src = synth("yes", tmp_path / "yes.wav")
    ref, ref_rate = read_wav(src)
    conv = tmp_path / "conv.wav"
    subprocess.run(["sox", str(src), *sox_args, str(conv)], check=True)
    x, rate = read_wav(conv)
    y = resample(x, rate, ref_rate)
    n = min(len(y), len(ref))
    assert abs(len(y) - len(ref)) <= 2
    # Same sound after the round trip (8 kHz loses the top band, so compare loosely).
    assert np.corrcoef(y[:n], ref[:n])[0, 1] > 0.8
    assert len(wav_pcm16(conv, 16000)) == 2 * round(len(x) * 16000 / rate)


def test_read_wav_errors(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        read_wav(tmp_path / "none.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"ID3 not a wav at all")
    with pytest.raises(UserError, match="not a WAV file"):
        read_wav(bad)


def test_unknown_backend_is_a_plain_error(tmp_path):
    from voice.asr import open_recognizer

    with pytest.raises(UserError, match="unknown speech recognizer 'google'; choose one of: vosk, whisper"):
        open_recognizer("google", model=str(tmp_path))


@pytest.mark.parametrize("backend, module, marker, extra", [
    ("vosk", "vosk", "am/final.mdl", r"backtriage\[voice\]"),
    ("whisper", "faster_whisper", "model.bin", r"backtriage\[whisper\]"),
])
def test_backend_not_installed_says_what_to_install(tmp_path, monkeypatch, backend, module, marker, extra):
    from voice.asr import open_recognizer

    (tmp_path / marker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / marker).write_bytes(b"x")
    monkeypatch.setitem(__import__("sys").modules, module, None)  # as if the package were not installed
    with pytest.raises(UserError, match=f"not installed; run: pip install '{extra}'"):
        open_recognizer(backend, model=str(tmp_path))


# ---- audit D5: hostile audio answers are refused at once, without hanging or filling memory

def wav_header(rate: int, channels: int, bits: int, data_len: int, declared_len: int | None = None) -> bytes:
    import struct

    declared = data_len if declared_len is None else declared_len
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    return (b"RIFF" + struct.pack("<I", 36 + declared) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", declared) + b"\0" * data_len)


def read_in_subprocess(path: str) -> subprocess.CompletedProcess:
    """read_wav in its own process, so a regression that hangs fails the test instead of stalling the suite."""
    code = ("import sys\nfrom voice.asr.audio import read_wav\nfrom voice.errors import UserError\n"
            "try:\n    read_wav(sys.argv[1])\nexcept UserError as e:\n    print(e)\n")
    return subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_without_reading_them(path):
    res = read_in_subprocess(path)
    assert "is not a regular file" in res.stdout and res.returncode == 0, res.stderr


def test_a_fifo_without_a_writer_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "answer.wav"
    os.mkfifo(fifo)
    res = read_in_subprocess(str(fifo))
    assert "is not a regular file" in res.stdout, res.stderr


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(UserError, match="is a folder|not a regular file"):
        read_wav(tmp_path)


def test_a_huge_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.wav"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no disk used
    with pytest.raises(UserError, match="too big"):
        read_wav(big)


@pytest.mark.parametrize("rate, channels, bits", [(1, 1, 16), (0, 1, 16), (10_000_000, 1, 16), (16000, 0, 16),
                                                  (16000, 300, 16), (16000, 1, 0), (16000, 1, 12)])
def test_an_implausible_header_is_refused(tmp_path, rate, channels, bits):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(wav_header(rate, channels, bits, 3000))
    with pytest.raises(UserError, match="implausible WAV header|not supported"):
        read_wav(bad)


def test_a_recording_longer_than_an_answer_is_refused(tmp_path):
    long = tmp_path / "long.wav"
    long.write_bytes(wav_header(8000, 1, 16, 8000 * 2 * 61))
    with pytest.raises(UserError, match="61 s long; an answer may be at most 60 s"):
        read_wav(long)


def test_a_data_size_larger_than_the_file_reads_what_is_there(tmp_path):
    lying = tmp_path / "lying.wav"
    lying.write_bytes(wav_header(16000, 1, 16, 3200, declared_len=2**31))
    x, rate = read_wav(lying)
    assert rate == 16000 and len(x) == 1600
