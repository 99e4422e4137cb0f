"""Speech recognizers behind one interface (see ``voice.asr.base``).

    rec = open_recognizer("vosk")                # model resolved as in models/README.md
    rec.begin(grammar=["yes", "no"], cross_check=True)
    for chunk in audio: caption = rec.accept(chunk)
    t = rec.end()                                # Transcript(text, confidence, words, open_text); t.agrees

Backends: ``vosk`` (grammars, streaming partials) and ``whisper`` (faster-whisper,
open vocabulary only). Heavy packages load only when a recognizer is opened.
"""
from __future__ import annotations

from pathlib import Path

from voice.asr.base import Recognizer, Transcript
from voice.errors import UserError

BACKENDS = ("vosk", "whisper")
CHUNK_S = 0.1  # transcribe_wav feeds audio in microphone-sized pieces, so streaming paths run too

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.toml")

__all__ = ["BACKENDS", "Recognizer", "Transcript", "open_recognizer", "read_back_thresholds", "confirmation_tiers",
           "transcribe_wav"]


def read_back_thresholds() -> dict[str, float]:
    """The measured read-back threshold per recognizer backend, and ``typed`` for answers
    without one ({"typed": 0.6, "whisper": ..., "vosk": ...}; see thresholds.toml)."""
    return {name: float(table["confirm_below"]) for name, table in _threshold_tables().items()}


def confirmation_tiers() -> dict[str, tuple[float, str]]:
    """Per recognizer backend, the rest of its confirmation tiers: (accept_from, read_back), see
    thresholds.toml ({"whisper": (0.6, "lowering"), ...}; a table without them: no middle tier)."""
    return {name: (float(table.get("accept_from", table["confirm_below"])), str(table.get("read_back", "all")))
            for name, table in _threshold_tables().items()}


def _threshold_tables() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    return tomllib.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))


def open_recognizer(backend: str = "vosk", model: str | None = None, model_name: str | None = None,
                    language: str = "en") -> Recognizer:
    """A ready recognizer. ``model``: a model folder (wins over everything);
    ``model_name``: looked up as described in models/README.md; ``language``: the session's
    (Whisper is told it; a Vosk model is one language already). Raises UserError
    with a plain message when the backend is not installed or the model is missing/unloadable."""
    from voice.models import resolve_model

    if backend == "vosk":
        from voice.asr.vosk_backend import VoskRecognizer

        return VoskRecognizer(resolve_model(model_name, explicit=model, backend="vosk"))
    if backend == "whisper":
        from voice.asr.whisper_backend import WhisperRecognizer

        return WhisperRecognizer(resolve_model(model_name, explicit=model, backend="whisper"), language=language)
    raise UserError(f"unknown speech recognizer '{backend}'; choose one of: {', '.join(BACKENDS)}")


def transcribe_wav(recognizer: Recognizer, path: str | Path, grammar: list[str] | None = None,
                   cross_check: bool = False) -> Transcript:
    """Recognise a whole WAV file (any rate, any channel count), streamed in 100 ms chunks."""
    from voice.asr.audio import wav_pcm16

    pcm = wav_pcm16(path, recognizer.sample_rate)
    step = int(recognizer.sample_rate * CHUNK_S) * 2
    recognizer.begin(grammar, cross_check=cross_check)
    for i in range(0, len(pcm), step):
        recognizer.accept(pcm[i:i + step])
    return recognizer.end()
