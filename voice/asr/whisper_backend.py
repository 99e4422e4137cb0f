"""Whisper recognizer through faster-whisper (optional extra ``[whisper]``).

Whisper has no grammar. ``begin(grammar=...)`` turns the phrase list into an
``initial_prompt`` hint: with tiny.en on synthetic speech it turns "I am a female"
into "I have a fever" and did not make words up on noise alone, but like a Vosk
grammar it can pull other speech onto the listed words ("I have a headache" →
"high temperature"). So ``cross_check=True`` with a grammar decodes the same
audio a second time without the hint and puts that in ``open_text``; without a
grammar the one decode is already open vocabulary and is its own cross-check.
Audio is buffered by ``accept()`` (partial text is always "": decoding as it
arrives would compete with the microphone for the CPU) and decoded in ``end()``.
The model is a local CTranslate2 folder; nothing is ever fetched from the hub.
"""
from __future__ import annotations

import math
from pathlib import Path

from voice.asr.base import Recognizer, Transcript, load_once, make_transcript
from voice.errors import UserError

# Whisper's own rule for "this segment is not speech": likely silence and a weak decode.
_NO_SPEECH_PROB = 0.6
_LOW_LOGPROB = -1.0


def load_model(path: str | Path):
    """The WhisperModel for a folder, loaded on first use and then reused."""
    return load_once("whisper", Path(path).expanduser().resolve(), _load)


def _load(folder: Path):
    if not (folder / "model.bin").exists():
        raise UserError(f"{folder} is not a CTranslate2 Whisper model folder (no model.bin); "
                        "pass --model DIR pointing at one, e.g. a faster-whisper tiny.en folder")
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise UserError("the Whisper recognizer is not installed; run: pip install 'backtriage[whisper]'") from None
    try:
        # local_files_only: a folder path never reaches the hub, and this makes sure of it.
        return WhisperModel(str(folder), device="cpu", compute_type="int8", local_files_only=True)
    except Exception as e:
        raise UserError(f"the Whisper model in {folder} could not be loaded ({e}); check the folder") from None


class WhisperRecognizer(Recognizer):
    backend = "whisper"
    sample_rate = 16000  # what Whisper's feature extractor expects

    def __init__(self, model_path: str | Path, language: str = "en"):
        self.model_path = Path(model_path).expanduser().resolve()
        self.model = load_model(self.model_path)
        self.language = language
        self._buf: bytearray | None = None
        self._cross_check = False
        self._prompt: str | None = None

    def begin(self, grammar: list[str] | None = None, cross_check: bool = False) -> None:
        self._buf = bytearray()
        self._cross_check = cross_check
        phrases = list(dict.fromkeys(" ".join(p.split()) for p in grammar or [] if p.strip()))
        self._prompt = ", ".join(phrases) or None

    def accept(self, pcm16: bytes) -> str:
        if self._buf is None:
            raise RuntimeError("accept() before begin()")
        self._buf += pcm16
        return ""

    def end(self) -> Transcript:
        if self._buf is None:
            raise RuntimeError("end() before begin()")
        from voice.asr.audio import from_pcm16

        audio, self._buf = from_pcm16(bytes(self._buf)), None
        t = make_transcript(self._decode(audio, self._prompt))
        if self._cross_check:
            t.open_text = make_transcript(self._decode(audio, None)).text if self._prompt else t.text
        return t

    def _decode(self, audio, prompt: str | None) -> list[tuple[str, float]]:
        words: list[tuple[str, float]] = []
        if len(audio) < self.sample_rate // 10:  # under 100 ms there is nothing to hear
            return words
        segments, _ = self.model.transcribe(
            audio, language=self.language, beam_size=1, word_timestamps=True, initial_prompt=prompt,
            condition_on_previous_text=False, vad_filter=False)
        for seg in segments:
            if seg.no_speech_prob > _NO_SPEECH_PROB and seg.avg_logprob < _LOW_LOGPROB:
                continue
            if seg.words:
                words += [(w.word.strip(), float(w.probability)) for w in seg.words if w.word.strip()]
            elif seg.text.strip():
                words += [(w, math.exp(seg.avg_logprob)) for w in seg.text.split()]
        return words
