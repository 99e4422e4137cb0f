"""Patient answers as real audio for tests: espeak-ng speech, optionally in waiting-room noise (sox).

    from standins.speech import synth, WAITING_ROOM_DB
    wav = synth("about three weeks", tmp_path / "a.wav", voice="en-us+f3", speed=130,
                noise_db=WAITING_ROOM_DB, pad=0.5)

``noise_db`` is the level of the background relative to the speech (RMS, dB):
-12 means the room is 12 dB quieter than the patient. ``noise`` is its kind:
"room" (default: pink noise for ventilation and traffic plus two distant talkers),
"babble" (four nearer talkers, a crowded waiting room, no steady hiss) or "white"
(a fan or a noisy microphone preamp), mixed with sox. ``pitch`` is espeak-ng's -p (0-99).
Everything is deterministic: the same arguments give the same samples.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# A patient about half a metre from a laptop in a busy waiting room: speech
# around 60-65 dB SPL, room chatter and ventilation around 50 dB.
WAITING_ROOM_DB = -12.0

# Voices that exist in every espeak-ng install (variants after '+').
ENGLISH_VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3")

_BABBLE = (("en-gb+f2", "Could you tell me when the next appointment is, I have been waiting a while."),
           ("en-us+m4", "The parking was full again this morning so I had to walk from the station."))
# A crowded room: two more talkers, one of them Korean, nearer (no low-pass, less reverb).
_CROWD = _BABBLE + (("ko+f3", "오늘 사람이 정말 많네요 한참 기다려야 할 것 같아요"),
                    ("en-us+f4", "Did you bring the forms they sent, the ones with the blue print on them?"))
NOISES = ("room", "babble", "white")


def have_tools() -> bool:
    return bool(shutil.which("espeak-ng") and shutil.which("sox"))


def _run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr.strip()}")
    return done.stderr


def _rms(path: Path) -> float:
    out = _run(["sox", str(path), "-n", "stat"])
    return float(re.search(r"RMS\s+amplitude:\s+([0-9.eE+-]+)", out).group(1))


def _duration(path: Path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout)


def synth(text: str, path: str | Path, voice: str = "en-us", speed: int = 150,
          noise_db: float | None = None, pad: float = 0.0, rate: int | None = None,
          noise: str = "room", pitch: int | None = None) -> Path:
    """Speak ``text`` with espeak-ng into the WAV ``path`` and return it.

    voice/speed: espeak-ng ``-v``/``-s`` (words a minute); noise_db: background level
    relative to the speech, None for clean; noise: its kind (NOISES); pad: seconds of (room)
    silence before and after the speech; rate: resample to this many Hz (default espeak's 22050)."""
    if noise not in NOISES:
        raise ValueError(f"noise must be one of {NOISES}, not {noise!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        speech = t / "speech.wav"
        _run(["espeak-ng", "-v", voice, "-s", str(speed), *(["-p", str(pitch)] if pitch is not None else []),
              "-w", str(speech), text])
        speech_rms = _rms(speech)  # before padding: the level of the voice itself
        if pad:
            padded = t / "padded.wav"
            _run(["sox", str(speech), str(padded), "pad", str(pad), str(pad)])
            speech = padded
        result = speech
        if noise_db is not None:
            result = t / "mixed.wav"
            _mix_noise(speech, result, speech_rms * 10 ** (noise_db / 20), t, noise)
        if rate:
            _run(["sox", str(result), "-r", str(rate), str(path)])
        else:
            shutil.copyfile(result, path)
    return path


def _mix_noise(speech: Path, out: Path, noise_rms: float, tmp: Path, kind: str = "room") -> None:
    dur = _duration(speech)
    rate = subprocess.run(["soxi", "-r", str(speech)], capture_output=True, text=True, check=True).stdout.strip()
    parts = []
    if kind in ("room", "white"):
        hiss = tmp / "hiss.wav"
        _run(["sox", "-R", "-n", "-r", rate, "-c", "1", "-b", "16", str(hiss), "synth", f"{dur:.3f}",
              "pinknoise" if kind == "room" else "whitenoise"])
        parts.append(hiss)
    talkers = {"room": _BABBLE, "babble": _CROWD, "white": ()}[kind]
    for i, (voice, line) in enumerate(talkers):
        talk = tmp / f"talker{i}.wav"
        _run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(talk), line])
        # room: far side of the room, duller (low-pass) and reverberant; babble: nearer, clearer.
        # Looped/trimmed to the answer's length, each talker starting elsewhere in its line.
        shape = ["lowpass", "2500", "reverb", "50"] if kind == "room" else ["lowpass", "3800", "reverb", "20"]
        shaped = tmp / f"talker{i}-far.wav"
        _run(["sox", str(talk), "-r", rate, str(shaped), *shape,
              "remix", "-", "pad", f"{0.4 * i:.1f}", "repeat", "3", "trim", "0", f"{dur:.3f}"])
        parts.append(shaped)
    bed = tmp / "bed.wav"
    if len(parts) == 1:
        shutil.copyfile(parts[0], bed)
    else:
        _run(["sox", "-m", *[str(p) for p in parts], str(bed)])
    gain = noise_rms / max(_rms(bed), 1e-9)
    # Sum at half scale so nothing clips, then bring the peak back to -3 dBFS.
    _run(["sox", "-m", "-v", "0.5", str(speech), "-v", f"{0.5 * gain:.6f}", str(bed), str(out), "gain", "-n", "-3"])
