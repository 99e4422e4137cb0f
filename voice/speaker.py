"""Speaking: pyttsx3 rendering in one dedicated thread, played on the chosen output.

pyttsx3's traps, and what this module does about each:

- The engine must stay in ONE thread: one worker thread per process creates it
  and is the only code that touches it; every Speaker sends it jobs through a
  queue (pyttsx3 caches one engine per driver, espeak initialises once).
- ``runAndWait`` can hang (or speak only once) on some platforms: the caller
  waits for the worker with a timeout; a hang turns speech off for the rest of
  the session (captions carry on) instead of freezing the assistant.
- On Linux/espeak only the LAST of several queued ``save_to_file`` calls is
  written: every render is exactly one ``save_to_file`` + one ``runAndWait``.
- pyttsx3 2.99 on Windows speaks only the first utterance (pyttsx3 #402): there
  the worker builds a fresh engine for every render.
- The espeak driver's ``say()`` shells out to ``aplay`` on the default device
  with no way to choose another or notice failure: text is rendered to a WAV
  and played here (sounddevice), on ``--output-device``. On macOS the driver
  writes AIFF whatever the name says, so there ("direct" mode) the engine
  speaks by itself on the system output, still in the one worker thread.
- The espeak driver prints "Audio saved to ..." on stdout (from espeak's own
  thread): that module's ``print`` is silenced so captions and JSON lines stay clean.
- pyttsx3 drives espeak-ng in its asynchronous mode: a rate set between renders
  is sometimes ignored (so "slower" would do nothing) and a render now and then
  comes out empty. For that driver rate and volume travel inside the text as
  espeak embedded commands, and an empty render is retried.

Long texts are rendered sentence by sentence: the first sentence plays while the
next is rendered, so the first audio comes after one short render, not the whole
text. Rendered sentences are kept (a bounded cache, keyed by the words, rate,
volume and voice), and :meth:`Speaker.prepare` renders what is likely to be said
next ahead of time, behind anything being said now: the reply to an answer then
starts playing as soon as the answer is in. Every text is printed as a caption
first. With no speaker the assistant says so once and carries on with captions.
"""
from __future__ import annotations

import collections
import itertools
import os
import queue
import re
import sys
import tempfile
import threading
import time
import wave
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from voice import contracts
from voice.errors import UserError
from voice.spoken import speakable

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    """Sentences to render one at a time (very short pieces are kept with the next)."""
    parts = [p.strip() for p in _SENTENCE.split(text.strip()) if p.strip()]
    merged: list[str] = []
    for p in parts:
        if merged and len(merged[-1]) < 12:
            merged[-1] = f"{merged[-1]} {p}"
        else:
            merged.append(p)
    return merged


@dataclass
class _Job:
    text: str
    path: str | None  # None: speak through the engine itself (direct mode)
    rate: int
    volume: float
    voice: str
    reply: "queue.Queue[BaseException | None]"
    priority: int = 0      # lower first: what is being said now goes before what is prepared ahead
    claimed: bool = False  # set when the worker starts it (a job queued twice, to jump the queue, runs once)
    then: Callable[[BaseException | None], None] | None = None  # called once it ran (or was cancelled)


SAY, AHEAD = 0, 1  # job priorities


class _TTSWorker:
    """The one thread that owns the pyttsx3 engine."""

    def __init__(self, driver: str | None = None):
        self.driver = driver
        self.fresh_engine_each_time = sys.platform == "win32"  # pyttsx3 #402
        self._jobs: queue.PriorityQueue[tuple[int, int, _Job]] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._claim = threading.Lock()
        self._engine: Any = None
        self._voices: dict[str, str] = {}
        self.thread = threading.Thread(target=self._run, name="pyttsx3-worker", daemon=True)
        self.thread.start()

    def _make_engine(self) -> Any:
        try:
            import pyttsx3
        except ImportError:
            raise UserError("speech output needs pyttsx3: pip install 'backtriage[voice]'") from None
        try:
            engine = pyttsx3.init(self.driver) if self.driver else pyttsx3.init()
        except Exception as e:
            raise UserError(f"the text-to-speech engine could not start ({e}); on Linux install espeak-ng: "
                            "sudo apt-get install espeak-ng") from None
        if self._is_espeak(engine):
            # its "Audio saved to ..." lines would land in the captions and JSON lines;
            # a module-level name shadows the builtin for that module only
            sys.modules[type(engine.proxy._driver).__module__].print = lambda *a, **k: None
        return engine

    def _voice_id(self, engine: Any, wanted: str) -> str | None:
        if not wanted:
            return None
        if wanted not in self._voices:
            match = None
            for v in engine.getProperty("voices"):
                if wanted.lower() in (v.id.lower(), v.name.lower()):
                    match = v.id
                    break
                if match is None and (wanted.lower() in v.id.lower() or wanted.lower() in v.name.lower()):
                    match = v.id
            if match is None:
                raise UserError(f"no text-to-speech voice matches '{wanted}'; set [speech] voice to one of the "
                                "engine's voices, or leave it empty for the default")
            self._voices[wanted] = match
        return self._voices[wanted]

    @staticmethod
    def _is_espeak(engine: Any) -> bool:
        driver = getattr(getattr(engine, "proxy", None), "_driver", None)
        return type(driver).__module__.endswith(".espeak")

    def _render(self, job: _Job) -> None:
        engine = self._engine
        if engine is None or self.fresh_engine_each_time:
            engine = self._engine = self._make_engine()
        voice = self._voice_id(engine, job.voice)
        if voice:
            engine.setProperty("voice", voice)
        text = job.text
        if self._is_espeak(engine):
            # pyttsx3 runs espeak-ng in its asynchronous mode, where a rate set between
            # renders is applied only sometimes ("slower" then did nothing); embedded
            # speed/amplitude commands travel with the text and always apply.
            text = f"\x01{int(job.rate)}S\x01{int(round(job.volume * 100))}A{text}"
        else:
            engine.setProperty("rate", int(job.rate))
            engine.setProperty("volume", float(job.volume))
        if job.path is None:
            engine.say(text)
        else:
            engine.save_to_file(text, job.path)
        engine.runAndWait()
        if self.fresh_engine_each_time:
            self._engine = None
            del engine

    def _run(self) -> None:
        while True:
            job = self._jobs.get()[2]
            with self._claim:
                if job.claimed:
                    continue
                job.claimed = True
            error: BaseException | None = None
            try:
                # espeak's asynchronous mode now and then ends a render with an empty
                # WAV (header only); a second try costs a few milliseconds
                for _ in range(3):
                    self._render(job)
                    if job.path is None or (os.path.exists(job.path) and os.path.getsize(job.path) > 44):
                        break
            except BaseException as e:  # handed back to the caller, the worker lives on
                error = e
            job.reply.put(error)
            _finish(job, error)

    def submit(self, job: _Job) -> None:
        self._jobs.put((job.priority, next(self._seq), job))

    def cancel(self, job: _Job) -> bool:
        """Drop a job not started yet (True); False when it has started (or ran)."""
        with self._claim:
            if job.claimed:
                return False
            job.claimed = True
        error = UserError("cancelled")
        job.reply.put(error)
        _finish(job, error)
        return True

    def hurry(self, job: _Job) -> None:
        """A job queued behind others is needed now: queue it again at the front (it runs once)."""
        with self._claim:
            if job.claimed:
                return
        job.priority = SAY
        self.submit(job)


def _finish(job: _Job, error: BaseException | None) -> None:
    if job.then is not None:
        try:
            job.then(error)
        except Exception:  # noqa: BLE001 - a job's own follow-up must not stop the worker
            pass


_workers: dict[str | None, _TTSWorker] = {}
_workers_lock = threading.Lock()


def _worker_for(driver: str | None) -> _TTSWorker:
    """The process's one worker per driver: pyttsx3 hands every caller the same cached
    engine (and espeak can be initialised once per process), so two Speakers with
    their own threads would share one engine across threads."""
    with _workers_lock:
        worker = _workers.get(driver)
        if worker is None:
            worker = _workers[driver] = _TTSWorker(driver)
        return worker


class _Rendered:
    """A sentence's audio, or a render of it still on its way (``done`` is set either way)."""

    def __init__(self, job: _Job | None, audio: tuple[Any, int] | None = None):
        self.job, self.audio = job, audio
        self.done = threading.Event()
        if audio is not None:
            self.done.set()


RESAMPLED_BLOCK = 8192  # output samples per block: 32 KiB arrays of float32


def _resampled(samples: Any, rate: int, device_rate: int) -> Any:
    """``samples`` at ``device_rate``, resampled block by block (the streaming resampler carries its
    state across blocks: the same samples as in one pass). In one pass a sentence made arrays of
    1-3 MiB each (float64 at 48 kHz), 39 bytes per sample played at the peak; glibc serves such
    blocks from its heaps once one has been freed and keeps them there when freed: a kiosk's
    resident memory grew by 27-55 MiB over 200-300 patients (bench/kiosk_soak.py)."""
    import numpy as np

    from voice.audio import Resampler

    resampler = Resampler(rate, device_rate)
    block = max(256, RESAMPLED_BLOCK * rate // device_rate)
    return np.concatenate([resampler.process(samples[i:i + block], last=i + block >= len(samples))
                           for i in range(0, len(samples), block)] or [np.zeros(0, np.int16)])


class SoundDevicePlayer:
    """Plays int16 mono audio on an output device; raises UserError when that is impossible.

    ``tap`` (a :class:`voice.echo.ReferenceTap`, or None) is told the exact samples handed to the
    device and when they start sounding (plus the stream's output latency), and when playback is
    cut: the echo canceller's reference. :meth:`stop` cuts the sound playing now; :meth:`arm`
    (called before each play) clears a stop, so a stop() between arm() and play() still holds."""

    def __init__(self, device: str | int | None = None, tap: Any = None):
        from voice.audio import import_sounddevice, resolve_device

        self._sd = import_sounddevice()
        self.device = resolve_device(device, "output")
        self.tap = tap
        self._cut = threading.Event()

    def arm(self) -> None:
        self._cut.clear()

    def stop(self) -> None:
        """Cut the sound playing now (a play() started before arm() again returns at once)."""
        self._cut.set()

    def play(self, samples: Any, rate: int) -> None:
        sd = self._sd
        device_rate = int(self.device.default_rate)
        if device_rate and device_rate != rate:
            # play at the device's own rate: many laptop outputs refuse 22050 Hz outright
            samples, rate = _resampled(samples, rate, device_rate), device_rate
        if self._cut.is_set():
            return
        # the reference's time is taken BEFORE the stream starts: a stamp taken after sd.play returns
        # can come tens of ms late on a busy machine (another thread holding the GIL), and the echo
        # canceller removes nothing of an echo whose reference comes after it; early is harmless
        started = time.perf_counter()
        try:
            sd.play(samples, rate, device=self.device.index, blocking=False)
        except Exception as e:
            raise UserError(f"cannot play sound on '{self.device.name}': {e}") from None
        if self.tap is not None:
            try:
                latency = float(getattr(sd.get_stream(), "latency", 0.0) or 0.0)
            except Exception:
                latency = 0.0
            self.tap.played(samples, rate, started + latency)
        # wait, but never forever: a stalled device must not freeze the session
        deadline = time.monotonic() + len(samples) / rate + 2.0
        while time.monotonic() < deadline:
            try:
                if not sd.get_stream().active:
                    return
            except Exception:
                return
            if self._cut.wait(0.01):  # stopped (barge-in): the rest of the sound is not played
                sd.stop()
                if self.tap is not None:
                    self.tap.stopped()
                return
        sd.stop()
        raise UserError(f"the speaker '{self.device.name}' stopped responding")


class Speaker(contracts.Speaker):
    """Says things aloud (pyttsx3) and as captions.

    ``player``: what plays the audio (``SoundDevicePlayer`` on ``output_device``
    by default; anything with ``play(int16_samples, rate)``), or ``None`` to show
    captions only. ``render_timeout_s``: how long one render may take before the
    engine is considered hung. ``cache_size``: how many rendered sentences are kept
    (0: none, and :meth:`prepare` does nothing). ``languages``: {code: (voice, spoken)} for
    :meth:`use_language` (none: it speaks one language).
    """

    def __init__(self, rate: int = 150, volume: float = 1.0, voice: str = "", slower_step: int = 25,
                 min_rate: int = 90, caption: Callable[[str], None] | None = print,
                 player: Any = "default", output_device: str | int | None = None,
                 render_timeout_s: float = 10.0, driver: str | None = None, mode: str | None = None,
                 spoken: Callable[[str], str] | None = None, cache_size: int = 48,
                 languages: dict[str, tuple[str, Callable[[str], str]]] | None = None):
        # macOS's driver writes AIFF whatever the file name says, so there the engine
        # speaks by itself (system output; --output-device does not apply)
        self.mode = mode or ("direct" if sys.platform == "darwin" else "render")
        if self.mode not in ("render", "direct"):
            raise ValueError(f"mode must be render or direct, not {mode!r}")
        self.defaults = (int(rate), float(volume), str(voice))
        self.rate, self.volume, self.voice = self.defaults
        self.slower_step, self.min_rate = int(slower_step), int(min_rate)
        self.caption = caption
        # captions show the written text; the engine gets it as it should be said ("nine one one")
        self.spoken = spoken or speakable
        self.render_timeout_s = render_timeout_s
        self._driver = driver
        self._tmp = Path(tempfile.mkdtemp(prefix="backtriage-tts-"))
        self._n = itertools.count(1)  # file names; renders run from several threads
        self.cache_size = max(0, int(cache_size))
        self._cache: collections.OrderedDict[tuple, _Rendered] = collections.OrderedDict()
        self._cache_lock = threading.Lock()
        # one long-lived thread renders each say()'s sentences in order (started at the first
        # say): a thread per say() would cost a thread, and often another C allocator arena
        # holding freed audio buffers, for every prompt of a kiosk's day
        self._sentences: queue.Queue[tuple[list[str], queue.Queue[Any]] | None] | None = None
        self._sentences_lock = threading.Lock()
        self.broken: str | None = None   # why speech is off (shown once), None while it works
        self._told = False
        self.last_first_audio_s: float | None = None  # say() call -> first audio ready, for the benchmark
        self.languages = dict(languages or {})
        self._saying = 0      # say() calls in progress (busy)
        self._stops = 0       # stop() calls so far: a say() in progress ends when this changes
        self._state = threading.Lock()
        if self.mode == "direct":
            player = None if player == "default" else player
        elif player == "default":
            try:
                player = SoundDevicePlayer(output_device)
            except UserError as e:
                player, self.broken = None, f"no sound output ({e})"
        elif player is None:
            self.broken = "no sound output"
        self.player = player

    @classmethod
    def from_config(cls, config: Any, caption: Callable[[str], None] | None = print,
                    output_device: str | int | None = None, **kw: Any) -> "Speaker":
        sp = config.speech
        device = output_device if output_device not in (None, "") else (config.listen.output_device or None)
        clinic = config.clinic
        kw.setdefault("spoken", lambda text: speakable(text, clinic.emergency_number, clinic.language or "en"))
        return cls(rate=sp.rate, volume=sp.volume, voice=sp.voice, slower_step=sp.slower_step,
                   min_rate=sp.min_rate, caption=caption, output_device=device, **kw)

    # -- rate control
    def slower(self) -> int:
        self.rate = max(self.min_rate, self.rate - self.slower_step)
        return self.rate

    def reset(self) -> None:
        """Back to the configured voice, rate and volume (each new patient starts from them)."""
        self.rate, self.volume, self.voice = self.defaults

    def use_language(self, code: str) -> None:
        """Speak from now on in ``code``'s voice, saying numbers its way (one of ``languages``;
        a speaker set up for one language keeps it)."""
        if code in self.languages:
            self.voice, self.spoken = self.languages[code]

    def busy(self) -> bool:
        """Whether a say() is in progress (in another thread: say() returns when it has finished)."""
        with self._state:
            return self._saying > 0

    def stop(self) -> None:
        """A say() in progress (in another thread) ends now: the sentence playing is cut (a player
        with ``stop()``, else it ends after that sentence) and nothing more is said. Sticky for the
        whole say(): a stop() just before a sentence starts playing still stops it."""
        with self._state:
            self._stops += 1
            if self._saying and hasattr(self.player, "stop"):
                self.player.stop()

    # -- rendering
    def _submit(self, text: str, path: Path | None, rate: int | None = None, priority: int = SAY,
                volume: float | None = None, voice: str | None = None,
                then: Callable[[BaseException | None], None] | None = None) -> _Job:
        job = _Job(text, None if path is None else str(path), rate or self.rate,
                   self.volume if volume is None else volume, self.voice if voice is None else voice,
                   queue.Queue(), priority, then=then)
        _worker_for(self._driver).submit(job)
        return job

    def _run_job(self, text: str, path: Path | None, rate: int | None, timeout: float) -> None:
        self._wait(self._submit(text, path, rate), timeout)

    def _wait(self, job: _Job, timeout: float) -> None:
        try:
            error = job.reply.get(timeout=timeout)
        except queue.Empty:
            # runAndWait hung (or is far too slow): this speaker goes captions-only
            # rather than freeze the session; the job's late reply goes nowhere.
            raise UserError(f"text-to-speech did not finish within {timeout:g} s") from None
        if isinstance(error, UserError):
            raise error
        if error is not None:
            raise UserError(f"text-to-speech failed: {error}") from None

    def render_to_wav(self, text: str, path: str | os.PathLike[str], rate: int | None = None) -> Path:
        """Render ``text`` to a WAV file with the current (or given) rate; raises UserError on failure."""
        path = Path(path)
        if path.exists():
            path.unlink()  # a stale file must not pass for a fresh render
        self._run_job(text, path, rate, self.render_timeout_s)
        if not path.exists() or path.stat().st_size <= 44:
            raise UserError("text-to-speech produced no audio")
        return path

    def render(self, text: str) -> tuple[Any, int]:
        """(int16 samples, rate) for ``text``."""
        path = self._tmp / f"say-{next(self._n)}.wav"
        self.render_to_wav(text, path)
        return self._read(path)

    def _read(self, path: Path) -> tuple[Any, int]:
        import numpy as np

        if not path.exists() or path.stat().st_size <= 44:
            path.unlink(missing_ok=True)
            raise UserError("text-to-speech produced no audio")
        try:
            with wave.open(str(path), "rb") as w:
                rate = w.getframerate()
                samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        except (wave.Error, EOFError) as e:
            raise UserError(f"the speech engine wrote audio this program cannot read ({e})") from None
        finally:
            path.unlink(missing_ok=True)
        return samples, rate

    def warm_up(self, text: str = "ready") -> tuple[Any, int] | None:
        """Start the engine now (its first render costs ~100 ms more than later ones); returns
        ``text`` rendered, (int16 samples, rate), or None when speech is off."""
        if not self.broken:
            try:
                return self.render(text)
            except UserError as e:
                self.broken = str(e)
        return None

    # -- speaking
    def _tell_once(self) -> None:
        if self.broken and not self._told and self.caption:
            self._told = True
            self.caption(f"(speech is off: {self.broken}; the words are shown on screen only)")

    def say(self, text: str) -> None:
        """Caption, then speak; returns when the audio has finished (so listening can start)."""
        with self._state:
            self._saying += 1
            stops = self._stops
        try:
            self._say(text, stops)
        finally:
            with self._state:
                self._saying -= 1
                if not self._saying and hasattr(self.player, "arm"):
                    self.player.arm()  # a stop belongs to the say() it stopped: the player plays again

    def _say(self, text: str, stops: int) -> None:
        start = time.perf_counter()
        self.last_first_audio_s = None
        if self.caption:
            self.caption(text)
        if self.broken:
            self._tell_once()
            return
        text = self.spoken(text)
        sentences = split_sentences(text)
        if not sentences:
            return
        if self.mode == "direct":
            # speaking takes real time: allow for it at the slowest plausible pace
            allowance = self.render_timeout_s + 2 * 60 * len(text.split()) / max(self.rate, 1)
            try:
                self._run_job(text, None, None, allowance)
            except UserError as e:
                self.broken = str(e)
                self._tell_once()
            return
        # the sentence thread renders sentence n+1 while this thread plays sentence n
        rendered: queue.Queue[tuple[Any, int] | BaseException | None] = queue.Queue()
        with self._sentences_lock:
            if self._sentences is None:
                requests = self._sentences = queue.Queue()
                weakref.finalize(self, requests.put, None)  # dropped without close(): the thread ends too
                threading.Thread(target=_produce, args=(weakref.ref(self), requests), name="tts-sentences",
                                 daemon=True).start()
            self._sentences.put((sentences, rendered))
        try:
            while True:
                item = rendered.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                with self._state:
                    if self._stops != stops:
                        return  # stopped: the rest is not said (its renders finish, unread)
                    if hasattr(self.player, "arm"):
                        self.player.arm()  # under the lock: a stop() from now on cuts this play
                if self.last_first_audio_s is None:
                    self.last_first_audio_s = time.perf_counter() - start
                self.player.play(*item)
        except Exception as e:  # any failure to speak leaves the captions working
            self.broken = str(e) if isinstance(e, UserError) else f"speech failed ({e})"
            self._tell_once()

    # -- rendering ahead
    def _key(self, sentence: str) -> tuple:
        return sentence, self.rate, self.volume, self.voice

    def prepare(self, text: str) -> threading.Event | None:
        """Render the first sentence of ``text`` now, in the background and behind anything
        being said, so that ``say(text)`` later starts playing at once. Cheap to repeat:
        a sentence already rendered or on its way is not rendered again. Returns an event
        set once it is ready (or failed: then say() renders it), None if nothing is kept."""
        if self.broken or self.mode == "direct" or not self.cache_size:
            return None
        sentences = split_sentences(self.spoken(text))
        if not sentences:
            return None
        key = self._key(sentences[0])
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key].done
            path = self._tmp / f"ahead-{next(self._n)}.wav"
            entry = _Rendered(None)

            def collect(error: BaseException | None) -> None:
                # in the worker, once the render is done (or cancelled): no thread of its own
                try:
                    if error is None:
                        entry.audio = self._read(path)
                except Exception:  # noqa: BLE001 - say() renders it itself then
                    pass
                finally:
                    path.unlink(missing_ok=True)
                    entry.done.set()

            entry.job = self._submit(key[0], path, key[1], AHEAD, key[2], key[3], then=collect)
            self._cache[key] = entry
            self._trim()
        return entry.done

    def _sentence(self, sentence: str) -> tuple[Any, int]:
        """The audio for one sentence: prepared or rendered before, else rendered now."""
        key = self._key(sentence)
        with self._cache_lock:
            entry = self._cache.get(key)
            if entry is not None:
                self._cache.move_to_end(key)
        if entry is not None:
            if entry.job is not None:
                _worker_for(self._driver).hurry(entry.job)  # still queued behind others: now
            if entry.done.wait(self.render_timeout_s) and entry.audio is not None:
                return entry.audio
        audio = self.render(sentence)
        if self.cache_size:
            with self._cache_lock:
                self._cache[key] = _Rendered(None, audio)
                self._trim()
        return audio

    def _trim(self) -> None:
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def forget(self) -> list[_Rendered]:
        """Drop every rendered sentence and every render ahead not started yet (benchmarks
        measure a cold start); returns the renders ahead already under way."""
        worker = _worker_for(self._driver)
        with self._cache_lock:
            pending = [e for e in self._cache.values() if e.job is not None and not e.done.is_set()]
            self._cache.clear()
        return [e for e in pending if not worker.cancel(e.job)]

    def close(self) -> None:
        with self._sentences_lock:
            if self._sentences is not None:
                self._sentences.put(None)  # the sentence thread ends after what it is rendering
                self._sentences = None
        for entry in self.forget():  # one the engine is writing: its file must not vanish under it
            entry.done.wait(self.render_timeout_s)
        for f in self._tmp.glob("*.wav"):
            f.unlink()
        try:
            self._tmp.rmdir()
        except OSError:
            pass


def _produce(speaker: "weakref.ref[Speaker]", requests: "queue.Queue[tuple[list[str], queue.Queue[Any]] | None]") -> None:
    """A speaker's sentence thread: each say()'s sentences, rendered (or taken from the cache) in order,
    until the speaker is closed or dropped (it holds the speaker only while rendering)."""
    while (request := requests.get()) is not None:
        sentences, rendered = request
        sp = speaker()
        try:
            if sp is None:
                raise UserError("the speaker was closed")
            for s in sentences:
                rendered.put(sp._sentence(s))
        except BaseException as e:
            rendered.put(e)
        finally:
            del sp
        rendered.put(None)
