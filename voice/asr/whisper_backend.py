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
# The first word's probability counts all its spellings (" No", " no", " NO"): see _fold.
FOLD_SPELLINGS = True


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
        last_encoded = None  # the last window's encoder output: the first-word fold reuses it

        def encode(self, features):
            # faster-whisper pads every segment's features to 3000 frames with zeros: drop
            # the padding beyond WINDOW_FRAMES when that is all there is.
            if features.shape[-1] > WINDOW_FRAMES and not features[..., WINDOW_FRAMES:].any():
                features = features[..., :WINDOW_FRAMES]
            self.last_encoded = super().encode(features)
            return self.last_encoded

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
        self.first_word_raw: float | None = None  # the last decode's first word before the fold (benches)
        from faster_whisper.tokenizer import Tokenizer

        tok = Tokenizer(self.model.hf_tokenizer, self.model.model.is_multilingual, task="transcribe",
                        language=self.language)
        self._sot, self._no_timestamps, self._eot = tok.sot_sequence, tok.no_timestamps, tok.eot

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
        self.model.last_encoded = self.first_word_raw = None
        segments, _ = self.model.transcribe(
            audio, language=self.language, beam_size=1, word_timestamps=True,
            condition_on_previous_text=False, vad_filter=False)
        segments = list(segments)
        encoded = self.model.last_encoded if len(segments) == 1 else None  # one window: its encoding
        for seg in segments:
            if seg.no_speech_prob > _NO_SPEECH_PROB and seg.avg_logprob < _LOW_LOGPROB:
                continue
            if seg.words:
                said = [(w.word.strip(), float(w.probability)) for w in seg.words if w.word.strip()]
                if said and not words and encoded is not None and seg.tokens and FOLD_SPELLINGS:
                    self.first_word_raw = said[0][1]
                    said[0] = (said[0][0], min(1.0, said[0][1] * self._fold(encoded, seg.tokens)))
                words += said
            elif seg.text.strip():
                words += [(w, math.exp(seg.avg_logprob)) for w in seg.text.split()]
        return words

    def _fold(self, encoded, tokens: list[int]) -> float:
        """How much likelier the first word is once its spellings are counted as one: Whisper
        splits a clear "no" between " No", " no" and " NO" (0.53, 0.13 and 0.05 on a clean
        espeak-ng "no"), so its word probability says 0.46 where the word itself is 0.71 sure.
        Measured on the tune split (bench/calibration.py): see thresholds.toml [whisper].
        One decoder step on the window already encoded; 1.0 when it cannot be worked out."""
        import numpy as np

        text = [t for t in tokens if t < self._eot]
        if not text:
            return 1.0
        first = text[0]
        try:
            prompt = list(self._sot) + [self._no_timestamps]
            r = self.model.model.generate(encoded, [prompt], beam_size=1, max_length=len(prompt) + 1,
                                          return_logits_vocab=True)
            logits = np.asarray(r[0].logits[0], dtype=np.float64)
            logits = logits[0] if logits.ndim > 1 else logits  # the one step decoded
        except Exception:  # an older CTranslate2 without logits: the plain word probability
            return 1.0
        p = np.exp(logits - logits.max())
        p /= p.sum()
        same = self._spellings().get(self._key(first), [first])
        return float(max(1.0, p[same].sum() / max(p[first], 1e-9)))

    def _key(self, token: int) -> str:
        return self.model.hf_tokenizer.decode([token]).strip().casefold()

    def _spellings(self) -> dict[str, list[int]]:
        """Text tokens by their word, case folded (" No", " no", "No", " NO" -> "no"); built once."""
        cached = getattr(self.model, "_spellings", None)
        if cached is None:
            cached = {}
            for t in range(self._eot):
                k = self._key(t)
                if k and any(c.isalnum() for c in k):
                    cached.setdefault(k, []).append(t)
            self.model._spellings = cached
        return cached
