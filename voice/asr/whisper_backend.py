"""Whisper recognizer through faster-whisper (optional extra ``[whisper]``).

Whisper has no grammar and ``begin(grammar=...)`` ignores the phrase list: every
decode is open vocabulary, so it is its own cross-check (``open_text`` is ``text``)
and one decode per answer is all it costs. (A phrase-list ``initial_prompt`` was
tried: the product's long question lists made tiny.en take 15-25 s per answer and
loop on words, and a short list pulled other speech onto listed words, "I have a
headache" -> "high temperature", so the product never passed one; see
``voice.conversation.Conversation.grammar``.)
Audio is buffered by ``accept()`` (partial text is always "": decoding as it
arrives would compete with the microphone for the CPU) and decoded in ``end()``.
The model is a local CTranslate2 folder; nothing is ever fetched from the hub.

Speed: Whisper's encoder always reads a 30 s window, zero-padded; for a few seconds of
answer that padding is most of the work (0.9 of 1.2 s per answer here). Answers are cut
at ``max_answer_s`` (15 s), so the encoder gets a 15 s window instead when everything
after it is padding: 3-4x faster per answer in ``bench/whisper.py``, the same words heard.
A tighter window (just the answer) made tiny.en lose short answers and loop on long ones.
"""
from __future__ import annotations

import math
from pathlib import Path

from voice.asr.base import Recognizer, Transcript, load_once, make_transcript
from voice.errors import UserError

# Encoder window in mel frames (10 ms each) when the rest of Whisper's 30 s window is padding.
WINDOW_FRAMES = 1500
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
    class WindowedWhisper(WhisperModel):
        def encode(self, features):
            # faster-whisper pads every segment's features to 3000 frames with zeros: drop
            # the padding beyond WINDOW_FRAMES when that is all there is.
            if features.shape[-1] > WINDOW_FRAMES and not features[..., WINDOW_FRAMES:].any():
                features = features[..., :WINDOW_FRAMES]
            return super().encode(features)

    try:
        # local_files_only: a folder path never reaches the hub, and this makes sure of it.
        return WindowedWhisper(str(folder), device="cpu", compute_type="int8", local_files_only=True)
    except Exception as e:
        raise UserError(f"the Whisper model in {folder} could not be loaded ({e}); check the folder") from None


class WhisperRecognizer(Recognizer):
    backend = "whisper"
    grammars = False  # open vocabulary only: see the module docstring
    sample_rate = 16000  # what Whisper's feature extractor expects

    def __init__(self, model_path: str | Path, language: str = "en"):
        self.model_path = Path(model_path).expanduser().resolve()
        self.model = load_model(self.model_path)
        # Told, never detected: detection costs a pass of the encoder and can pick the wrong
        # language on a two-word answer. An English-only (.en) model cannot hear another.
        self.language = language.split("_")[0]  # Whisper's codes have no region ("pt_br" -> "pt")
        if self.language != "en" and not self.model.model.is_multilingual:
            raise UserError(f"the Whisper model in {self.model_path} is English-only and cannot hear "
                            f"language '{language}'; use a multilingual Whisper model (tiny, base, small; "
                            "not .en) or the Vosk recognizer for it")
        self._buf: bytearray | None = None

    def begin(self, grammar: list[str] | None = None, cross_check: bool = False) -> None:
        self._buf = bytearray()  # grammar and cross_check: nothing to do, see the module docstring

    def accept(self, pcm16: bytes) -> str:
        if self._buf is None:
            raise RuntimeError("accept() before begin()")
        self._buf += pcm16
        return ""

    def end(self, wait: bool = True) -> Transcript:
        if self._buf is None:
            raise RuntimeError("end() before begin()")
        from voice.asr.audio import from_pcm16

        audio, self._buf = from_pcm16(bytes(self._buf)), None
        t = make_transcript(self._decode(audio))
        t.open_text = t.text
        return t

    def _decode(self, audio) -> list[tuple[str, float]]:
        words: list[tuple[str, float]] = []
        if len(audio) < self.sample_rate // 10:  # under 100 ms there is nothing to hear
            return words
        segments, _ = self.model.transcribe(
            audio, language=self.language, beam_size=1, word_timestamps=True,
            condition_on_previous_text=False, vad_filter=False)
        for seg in segments:
            if seg.no_speech_prob > _NO_SPEECH_PROB and seg.avg_logprob < _LOW_LOGPROB:
                continue
            if seg.words:
                words += [(w.word.strip(), float(w.probability)) for w in seg.words if w.word.strip()]
            elif seg.text.strip():
                words += [(w, math.exp(seg.avg_logprob)) for w in seg.text.split()]
        return words
