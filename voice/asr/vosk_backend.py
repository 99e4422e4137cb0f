"""Vosk (Kaldi) recognizer: runtime grammars, streaming partials, word confidences.

A model is loaded once per folder and shared by every recognizer made from it
(loading the Korean test model takes seconds; a KaldiRecognizer per utterance
takes milliseconds).
"""
from __future__ import annotations

import json
import queue
import re
import threading
from pathlib import Path
from typing import Callable

from voice.asr.base import UNK, Recognizer, Transcript, load_once, make_transcript
from voice.errors import UserError


def _import_vosk():
    try:
        import vosk
    except ImportError:
        raise UserError("the Vosk recognizer is not installed; run: pip install 'backtriage[voice]'") from None
    except OSError as e:  # the wheel's libvosk.so failed to load
        raise UserError(f"the Vosk library could not be loaded ({e}); reinstall it: pip install --force-reinstall vosk") from None
    vosk.SetLogLevel(-1)  # Kaldi's start-up chatter would bury the captions
    return vosk


def load_model(path: str | Path):
    """The vosk.Model for a folder, loaded on first use and then reused."""
    return load_once("vosk", Path(path).expanduser().resolve(), _load)


def _load(folder: Path):
    if not folder.is_dir():
        raise UserError(f"speech model folder {folder} does not exist; "
                        "run 'backtriage models download' or pass --model PATH")
    if not (folder / "am" / "final.mdl").exists() and not (folder / "final.mdl").exists():
        raise UserError(f"{folder} does not look like a Vosk model (no am/final.mdl); "
                        "point --model at the unpacked model folder, the one that contains am/, conf/ and graph/")
    vosk = _import_vosk()
    try:
        return vosk.Model(str(folder))
    except Exception:
        raise UserError(f"the Vosk model in {folder} could not be loaded (damaged or incomplete?); "
                        "download it again with 'backtriage models download'") from None


def model_sample_rate(folder: Path, default: int = 16000) -> int:
    """The rate the acoustic model was trained at (conf/mfcc.conf), 16 kHz when not stated."""
    conf = folder / "conf" / "mfcc.conf"
    if conf.exists():
        m = re.search(r"--sample-frequency=(\d+)", conf.read_text(errors="replace"))
        if m:
            return int(m.group(1))
    return default


def _words(result_json: str) -> list[tuple[str, float]]:
    result = json.loads(result_json)
    if "result" in result:
        return [(w["word"], float(w.get("conf", 1.0))) for w in result["result"]]
    # SetWords(True) gives "result" whenever something was recognised; this covers empty results.
    return [(w, 1.0) for w in result.get("text", "").split()]


class _Stream:
    """One KaldiRecognizer over an utterance, collecting the segments Vosk finalises on its own."""

    def __init__(self, vosk, model, rate: int, grammar_json: str | None):
        args = (model, rate, grammar_json) if grammar_json is not None else (model, rate)
        self.rec = vosk.KaldiRecognizer(*args)
        self.rec.SetWords(True)
        self.words: list[tuple[str, float]] = []

    def restart(self) -> "_Stream":
        """Ready for a new utterance (after finish(): Vosk starts its next one afresh; the
        list handed out by finish() is left to whoever holds it)."""
        self.words = []
        return self

    def accept(self, pcm16: bytes, partial: bool = True) -> str:
        if self.rec.AcceptWaveform(pcm16):
            # Vosk's own endpointing closed a segment mid-utterance: keep it.
            self.words += _words(self.rec.Result())
            text = ""
        elif partial:
            text = json.loads(self.rec.PartialResult()).get("partial", "")
        else:
            return ""
        return " ".join(w for w in (*(w for w, _ in self.words), *text.split()) if w != UNK)

    def finish(self) -> list[tuple[str, float]]:
        self.words += _words(self.rec.FinalResult())
        return self.words


_CHECKPOINT = b"checkpoint"  # on a _Background's queue: finish the words so far (see checkpoint())


class _Background:
    """A _Stream fed on its own thread, so that accept() (captions, endpointing) never
    waits for the open-vocabulary cross-check: a recognizer still cold costs about real
    time (see _WarmStreams), and Vosk releases the GIL while decoding, so this runs on
    another core."""

    def __init__(self, stream: _Stream, done: Callable[[_Stream], None] | None = None):
        self.stream = stream
        self.done = done  # gets the stream back once this utterance is over (see _WarmStreams)
        self.chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.words: list[tuple[str, float]] = []
        self.error: BaseException | None = None
        self._closed = False
        self._dropped = False  # nobody will read it: the audio still queued is skipped
        self.thread = threading.Thread(target=self._run, name="vosk-cross-check", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (chunk := self.chunks.get()) is not None:
                if self._dropped:
                    continue
                if chunk is _CHECKPOINT:
                    self.stream.finish()  # a segment: more audio after it starts the next one
                else:
                    self.stream.accept(chunk, partial=False)
            words = self.stream.finish()  # also when dropped: it leaves the recognizer ready for reuse
            if not self._dropped:
                self.words = words
        except BaseException as e:  # handed to the caller in finish(); a failed stream is not reused
            self.error = e
            return
        if self.done is not None:
            self.done(self.stream)

    def accept(self, pcm16: bytes) -> None:
        self.chunks.put(bytes(pcm16))

    def checkpoint(self) -> None:
        self.chunks.put(_CHECKPOINT)

    def finish(self, timeout: float | None = None) -> list[tuple[str, float]] | None:
        """The open-vocabulary words, waiting at most ``timeout`` s (None when still decoding then)."""
        self.abandon()
        self.thread.join(timeout)
        if self.thread.is_alive() or self._dropped:
            return None
        if self.error is not None:
            raise self.error
        return self.words

    def drop(self) -> None:
        """Its result will not be used: stop decoding (the CPU goes to the reply and the next answer)."""
        self._dropped = True
        self.abandon()

    def abandon(self) -> None:
        if not self._closed:
            self._closed = True
            self.chunks.put(None)  # the thread finishes on its own; nobody waits for it


class _WarmStreams:
    """Open-vocabulary streams kept for the next utterance instead of a new KaldiRecognizer each.

    A large Vosk model's graph (the Korean one: HCLr.fst and Gr.fst) is composed lazily, per
    KaldiRecognizer, and the first utterance pays for expanding it: measured at load 0, a fresh
    recognizer took 0.8-2.2 s for answers of 1.0-3.1 s (accept() plus the final result), the
    same recognizer reused 30-170 ms for the same answers, with the same words. Vosk keeps that
    cache across utterances (FinalResult() restarts only the decoder and the features)."""

    KEEP = 2  # one in use and one still finishing a dropped utterance is the most a session needs

    def __init__(self, make: Callable[[], _Stream]):
        self.make = make
        self.idle: list[_Stream] = []
        self.lock = threading.Lock()

    def take(self) -> _Stream:
        with self.lock:
            if self.idle:
                return self.idle.pop().restart()  # the warmest: the one used last
        return self.make()

    def give_back(self, stream: _Stream) -> None:
        with self.lock:
            if len(self.idle) < self.KEEP:
                self.idle.append(stream)


def join_pieces(words: list[tuple[str, float]], joins: dict[tuple[str, ...], str]) -> list[tuple[str, float]]:
    """Grammar words split into pieces the model knows ("맞습 니다") joined back into the word
    ("맞습니다"), at the lowest of their confidences; the longest run of pieces first."""
    if not joins:
        return words
    longest = max(len(p) for p in joins)
    out, i = [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 1, -1):
            word = joins.get(tuple(w for w, _ in words[i:i + n]))
            if word is not None:
                out.append((word, min(c for _, c in words[i:i + n])))
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


class VoskRecognizer(Recognizer):
    backend = "vosk"

    def __init__(self, model_path: str | Path):
        self.model_path = Path(model_path).expanduser().resolve()
        self._vosk = _import_vosk()
        self.model = load_model(self.model_path)
        self.sample_rate = model_sample_rate(self.model_path)
        self.unknown_phrases: list[str] = []  # grammar phrases dropped by the last begin(): words not in the model
        self._joins: dict[tuple[str, ...], str] = {}  # the last grammar's split words: pieces -> the word
        self._pieces_of: dict[str, tuple[str, ...] | None] = {}
        # Words the grammar may write as pieces when the model lacks them: the language's read-back
        # words (Conversation.grammar sets them). Only those: every piece is a new word of the
        # grammar's bigram, and other pieces soaked up sounds (with every ending split, a clear
        # "아니요" came out "이 요" and "괜찮아요" "싶어요"; with these only, both as before).
        self.split_words: frozenset[str] = frozenset()
        self._main: _Stream | None = None
        self._open: _Background | None = None
        self._grammar_used = False
        self._warm = _WarmStreams(lambda: _Stream(self._vosk, self.model, self.sample_rate, None))
        self._grammar_json: str | None = None
        self._heard: list[bytes] | None = None  # what the grammar decoder got this utterance (for peek())
        self._heard_bytes = 0
        self._peeked = False
        self._peeks = 0

    def in_vocabulary(self, word: str) -> bool:
        return self.model.vosk_model_find_word(word) >= 0

    def pieces(self, word: str) -> tuple[str, ...] | None:
        """``word`` as at most 3 words the model knows ("맞습니다" -> "맞습 니다"): the fewest
        pieces, the longest first piece first, none of one syllable; None when there is no such
        split. The Korean model lacks many whole endings (맞습니다, 괜찮아요, 모르겠어요, 틀렸어요)
        but has their parts. One-syllable pieces are never used: the grammar is a bigram of its
        words, and a new short word soaks up sounds ("요" split off 11 endings turned a clear
        "아니요" into "하기 요"; "죠" from "당연하죠" turned "이 주일" into "이 죠 이에요")."""
        if word in self._pieces_of:
            return self._pieces_of[word]
        found = None
        if self.in_vocabulary(word):
            found = (word,)
        else:
            for n in (2, 3):
                found = self._split(word, n)
                if found:
                    break
        self._pieces_of[word] = found
        return found

    def _split(self, word: str, n: int) -> tuple[str, ...] | None:
        if n == 1:
            return (word,) if len(word) > 1 and self.in_vocabulary(word) else None
        for i in range(len(word) - 2, 1, -1):
            if self.in_vocabulary(word[:i]) and (rest := self._split(word[i:], n - 1)):
                return (word[:i], *rest)
        return None

    def grammar_json(self, phrases: list[str]) -> str | None:
        """The grammar Vosk gets: known phrases plus ``[unk]``, or None when no phrase is usable.

        ``ensure_ascii=False`` matters: Vosk reads ``\\uXXXX`` escapes as literal words.
        A word the model does not know is written as up to 3 pieces it knows (``pieces``), which
        ``end()`` joins again (issue 20: '맞습니다' and '괜찮아요' were dropped from the grammar);
        phrases with a word that cannot be split are dropped here (Vosk would drop them too,
        with a warning on stderr) and listed in ``unknown_phrases``.
        """
        known, self.unknown_phrases, self._joins = [], [], {}
        phrases = [p for p in dict.fromkeys(" ".join(p.lower().split()) for p in phrases) if p]
        for phrase in phrases:
            split = [self.pieces(w) if w in self.split_words or self.in_vocabulary(w) else None
                     for w in phrase.split()]
            if all(split):
                known.append(" ".join(" ".join(p) for p in split))
                self._joins.update({p: w for p, w in zip(split, phrase.split()) if len(p) > 1})
            else:
                self.unknown_phrases.append(phrase)
        known = list(dict.fromkeys(known))
        if not known:
            return None
        extra = [UNK] if self.in_vocabulary(UNK) else []  # some models (the Korean one) have no [unk]
        return json.dumps(known + extra, ensure_ascii=False)

    def begin(self, grammar: list[str] | None = None, cross_check: bool = False) -> None:
        if self._open is not None:  # previous utterance never ended
            self._open.abandon()
        grammar_json = self.grammar_json(grammar) if grammar else None
        if not grammar:
            self._joins = {}
        self._grammar_used = grammar_json is not None
        self._main = _Stream(self._vosk, self.model, self.sample_rate, grammar_json)
        self._grammar_json, self._heard, self._heard_bytes, self._peeked, self._peeks = grammar_json, [], 0, False, 0
        # Open vocabulary on the same audio, only where the main stream is restricted.
        self._open = None
        if cross_check and self._grammar_used:
            self._open = _Background(self._warm.take(), done=self._warm.give_back)
        self._cross_check = cross_check

    def accept(self, pcm16: bytes) -> str:
        if self._main is None:
            raise RuntimeError("accept() before begin()")
        if self._open is not None:
            self._open.accept(pcm16)
        return self._feed(pcm16)

    def accept_unchecked(self, pcm16: bytes) -> str:
        if self._main is None:
            raise RuntimeError("accept() before begin()")
        return self._feed(pcm16)

    PEEKS = 4             # peeks an utterance may have (each speech after one decodes it again)
    PEEK_MAX_BYTES = 8 * 16000 * 2  # ... and only while it is this short (8 s at 16 kHz): short answers

    def _feed(self, pcm16: bytes) -> str:
        if self._peeked:  # the person went on after a peek: the utterance is decoded again from its start
            self._peeked = False
            self._main = _Stream(self._vosk, self.model, self.sample_rate, self._grammar_json)
            for chunk in self._heard or ():
                self._main.accept(chunk, partial=False)
        if self._heard is not None:
            self._heard.append(bytes(pcm16))
            self._heard_bytes += len(pcm16)
            if self._heard_bytes > self.PEEK_MAX_BYTES:
                self._heard = None  # too long an answer to decode again: no more peeks
        return self._joined_text(self._main.accept(pcm16))

    def _joined_text(self, text: str) -> str:
        return " ".join(w for w, _ in join_pieces([(w, 1.0) for w in text.split()], self._joins)) if self._joins else text

    def peek(self) -> str | None:
        """The grammar decoder's final result for the audio so far (Vosk's running result lags
        it by ~0.4 s: "네" came out of PartialResult() only after 0.35-0.4 s of silence, out of
        FinalResult() at once, the same words as at 0.4 s from 0.06 s of silence on). Speech
        after it decodes the utterance again from its start (the same result as without the
        peek, for 30-200 ms once), at most PEEKS times and for answers up to PEEK_MAX_BYTES."""
        if self._main is None or self._heard is None:
            return None
        if not self._peeked:
            if self._peeks >= self.PEEKS:
                return None
            self._peeks += 1
            self._peeked = True
            self._main.finish()  # end() then adds nothing: no audio reaches the decoder after this
        return self._joined_text(" ".join(w for w, _ in self._main.words if w != UNK))

    def checkpoint(self) -> None:
        """The person has been quiet a while: the cross-check finishes the words it has heard
        (Vosk's final result: 20-60 ms once warm, 250-400 ms cold, more the busier the
        machine), in the part of the trailing silence that is waited out anyway, instead of
        after the end decision. Should the person go on, what follows is a next segment."""
        if self._open is not None:
            self._open.checkpoint()

    def warm_up(self, pcm16: bytes) -> None:
        """The cross-check's recognizer hears ``pcm16`` once, on its own thread, and is kept
        warm for the first answer (cold, the first answers' cross-checks came after their
        budget: see _WarmStreams). Should an answer start first, it gets a recognizer of its own."""
        warming = _Background(self._warm.take(), done=self._warm.give_back)
        warming.accept(pcm16)
        warming.abandon()  # decoded to the end, then reset and given back; nobody reads its words

    def end(self, wait: bool = True) -> Transcript:
        if self._main is None:
            raise RuntimeError("end() before begin()")
        main, background = self._main, self._open
        self._main = self._open = None
        if background is not None:
            background.abandon()  # no more audio: it can finish while the grammar result is read
        transcript = make_transcript(join_pieces(main.finish(), self._joins))
        if background is not None:
            transcript.pending = background
            if wait:
                transcript.settle()
        if self._cross_check and not self._grammar_used:
            transcript.open_text = transcript.text  # already open vocabulary: it is its own cross-check
        return transcript
