"""The kiosk as patients and staff meet it (issue 25), in real chromium at a phone's 390x844 and a
laptop's 1280x800, in English, Spanish and Korean: nothing one patient typed reaches the next (idle
reset, Stop, Finish, an emergency), a held Enter never clears an emergency and the staff control looks
like one, the progress line and the short start, Enter on the age keypad, a result read from its top
with "more below" said, and wording for the way the patient can answer (no "say" without voice
input, "tap" on a touch screen, "press" with keys and a mouse)."""
from __future__ import annotations

import json
import re

import pytest

from tests.kiosk_page import TREES, KioskPage, checked_in, open_kiosk, wait_until  # noqa: F401
from triage.messages import messages
from voice.kiosk.words import kiosk_words

pytestmark = pytest.mark.slow

LANGS = ("en", "es", "ko")
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
MARKER = "Zqxv"  # typed by the patient; must never be seen again after they have gone
CASES = [(lang, size) for lang in LANGS for size in SIZES]
IDS = [f"{lang}-{size}" for lang, size in CASES]


def asks_to_speak(lang: str) -> re.Pattern:
    return re.compile(messages(lang).voice_words, re.I)


def traces(k: KioskPage, marker: str = MARKER) -> list[str]:
    """Where ``marker`` still is: the page's whole text (hidden parts too), its title, every input's
    value, every attribute, and the server's driver (its state and the screen it would send)."""
    found = k.page.evaluate("""(m) => {
      const found = [];
      if (document.title.includes(m)) found.push('title');
      if (document.body.textContent.includes(m)) found.push('page text');
      for (const el of document.querySelectorAll('input, textarea')) if (el.value.includes(m)) found.push('#' + el.id);
      for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) if (a.value.includes(m)) found.push(`${el.tagName}[${a.name}]`);
      }
      return found;
    }""", marker)
    own = ("tree", "trees", "words", "_medium_trees")  # the clinic's content, not the patient's
    state = repr({key: v for key, v in vars(k.driver).items() if key not in own}) + json.dumps(k.driver.screen())
    return found + (["server"] if marker in state else [])


def leave_typed(k: KioskPage, text: str) -> None:
    """Type into the answer box and do not send it."""
    k.page.fill("#typed", text)
    assert k.page.input_value("#typed") == text


# ---------------------------------------------------------------- privacy and the staff clear

@pytest.mark.parametrize("lang,size", CASES, ids=IDS)
def test_nothing_a_patient_typed_reaches_the_next_and_only_a_pointer_hold_clears(open_kiosk, lang, size):
    w, h = SIZES[size]
    k = open_kiosk(w, h, lang=lang, staff_hold_s=1)
    words = kiosk_words(lang).page

    # 1. Walks away mid-question: one answer sent with the marker, another left typed; the warning, the reset.
    k.start()
    k.page.fill("#typed", f"{MARKER} {'no' if lang == 'en' else words['no']}")
    k.click("#typeform button")
    leave_typed(k, f"{MARKER} left here")
    k.clock.advance(61)
    k.page.wait_for_selector("#warning", state="visible")
    assert k.text("#countdown")  # "30 seconds left", in the patient's language
    k.clock.advance(31)
    k.page.wait_for_selector("body[data-mode=idle]")
    k.synced()
    assert traces(k) == [] and k.text("#countdown") == ""
    k.start()
    assert k.page.input_value("#typed") == "" and traces(k) == []  # the next patient's box is empty

    # 2. Stop: the goodbye has no question, so no typing box, and nothing of what was typed.
    leave_typed(k, f"{MARKER} before stop")
    k.click("#controls [data-intent=stop]")
    assert not k.page.is_visible("#typeform") and k.page.input_value("#typed") == ""
    k.click("#finish")
    assert traces(k) == []

    # 3. An emergency: the box goes with the question; staff clear it.
    k.start()
    leave_typed(k, f"{MARKER} before the emergency")
    k.click("#yesno [data-intent=yes]")
    assert k.page.is_visible("#emergency") and traces(k) == []

    # The staff control: an outline (not the patient's yellow or white button), a note in the patient's
    # language, its words in the clinic's, with the plural right for 1 second.
    style = k.page.eval_on_selector("#staff-hold", """(b) => { const s = getComputedStyle(b);
        return [s.backgroundColor, s.borderTopStyle, s.fontWeight]; }""")
    assert style == ["rgba(0, 0, 0, 0)", "dashed", "400"], style
    assert k.text("#for-staff").lower() == words["for_staff"].lower()
    assert k.page.get_attribute("#for-staff", "lang") == lang and k.page.get_attribute("#staff-area", "lang") == "en"
    assert k.text("#staff-hold-text") == "Staff only: press and hold for 1 second to clear"

    # A held Enter or Space on the focused staff button (key repeat, a leaning hand) clears nothing.
    k.page.focus("#staff-hold")
    for key in ("Enter", "Space"):
        for _ in range(5):
            k.page.keyboard.down(key)  # after the first, each is a key repeat
            k.clock.advance(1)
        k.page.keyboard.up(key)
    k.page.wait_for_timeout(200)  # any request the keys could have sent has arrived
    assert k.driver.emergency() and k.driver._held_since is None and k.page.is_visible("#emergency")

    # A pointer held down does; the button keeps its size while held.
    before = k.page.locator("#staff-hold").bounding_box()
    k.page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
    k.page.mouse.down()
    wait_until(lambda: k.driver._held_since is not None)
    k.page.wait_for_selector("#staff-hold.holding")
    held = k.page.locator("#staff-hold").bounding_box()
    assert (held["width"], held["height"]) == (before["width"], before["height"])
    k.clock.advance(1)
    k.page.mouse.up()
    k.page.wait_for_selector("body[data-mode=idle]")
    k.synced()
    assert traces(k) == [] and k.page.get_attribute("html", "lang") == "en"


# ---------------------------------------------------------------- one session, by keys and mouse, no voice

@pytest.mark.parametrize("lang,size", CASES, ids=IDS)
def test_a_session_without_voice_from_the_short_start_to_the_result(open_kiosk, lang, size):
    w, h = SIZES[size]
    k = open_kiosk(w, h, lang=lang, clinic_lang=lang, voice=False)
    words, tree, speak = kiosk_words(lang), TREES[lang], asks_to_speak(lang)
    page = k.page
    said_on_screen: list[str] = []

    def screen_text() -> str:
        text = page.inner_text("body")
        said_on_screen.append(text)
        return text

    # The start screen names the keys and mouse this patient has ("Press Start"), and asks nobody to speak.
    assert k.text("#welcome") == words.text("welcome", voice=False, pointer="press")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-mode=session]")
    k.synced()

    # A short start: no ready question; the emergency advice and the disclaimer, then question 1 of about 14.
    intro = f"{tree.meta['intro'].replace('{emergency_number}', '911')} {tree.meta['disclaimer']}"
    assert k.text("#lines") == intro and k.driver.node["id"] == "bladder_bowel"
    lines_tall = page.evaluate("""() => { const el = document.getElementById('lines');
        return el.getBoundingClientRect().height / parseFloat(getComputedStyle(el.firstElementChild).lineHeight); }""")
    assert lines_tall <= (6.1 if size == "phone" else 3.1), lines_tall  # it was 8 lines and a yes/no on a phone
    assert k.text("#progress") == words.page["progress"].format(n=1, total=14)
    screen_text()
    for n in range(2, 14):
        k.click("#yesno [data-intent=no]")
        assert k.text("#progress") == words.page["progress"].format(n=n, total=14)
        screen_text()

    # The age by keyboard: focus in the keypad (on its 1 key), type 35, Enter sends 35, not 351.
    assert k.driver.expects == "number"
    page.focus("#keypad [data-key='1']")
    page.keyboard.press("3")
    page.keyboard.press("5")
    page.keyboard.press("Enter")
    page.wait_for_selector("#duration:not([hidden])")
    assert [r.value for r in k.driver.session.log if r.node == "age"] == [35.0] and k.text("#number-shown") == ""

    # The duration question is the screen's own wording (the voice one says "You can say ...").
    assert k.text("#question") == tree.for_medium("screen").nodes["duration"].text
    screen_text()
    k.click(k.weeks(1, 3))

    # The result is read from its top, all of "I understood" in view; on a phone it says there is more below.
    main = page.eval_on_selector("#main", "(m) => [m.scrollTop, m.getBoundingClientRect().top, m.scrollHeight > m.clientHeight]")
    heard_top = page.eval_on_selector("#heard", "(e) => e.getBoundingClientRect().top")
    assert main[0] == 0 and heard_top >= main[1] and k.text("#heard"), (main, heard_top)
    assert page.is_visible("#more-below") == main[2]
    if size == "phone":
        assert main[2] and k.text("#more-below") == words.page["more_below"]
    checked_in(k, f"{lang} {size} self-care result")
    for _ in range(10):  # "more below" scrolls down; at the bottom it goes
        if not page.is_visible("#more-below"):
            break
        page.click("#more-below")
        page.wait_for_timeout(400)  # a smooth scroll
    assert not page.is_visible("#more-below") and page.is_visible("#finish")

    # The outcome's own first step, then its other steps, then the safety net, as the tree says them.
    sentences = [p for p in re.split(r"(?<=[.!?])\s+", k.driver.result["instruction"]) if p]
    assert k.text("#result-step") == sentences[0]
    more = page.eval_on_selector_all("#result-more li", "(ls) => ls.map((l) => l.textContent)")
    assert more == sentences[1:] and words.call.search(more[-1]) and not words.call.search(more[0])

    # The type box is there for "hear more?", and goes with the last question.
    assert page.is_visible("#typeform")
    screen_text()
    k.click("#yesno [data-intent=no]")
    assert not k.driver.question and not page.is_visible("#typeform")
    screen_text()
    asked = [line for text in said_on_screen for line in text.splitlines() if speak.search(line)]
    assert asked == [], asked  # no screen asked anyone to say anything
    k.click("#finish")


# ---------------------------------------------------------------- a touch screen

@pytest.mark.parametrize("lang", LANGS)
def test_on_a_touch_screen_the_words_say_tap_and_with_keys_press(open_kiosk, lang):
    k = open_kiosk(390, 844, lang=lang, clinic_lang=lang, touch=True)
    words = kiosk_words(lang)
    assert k.text("#welcome") == words.text("welcome", pointer="tap")
    k.page.tap("#start")
    k.page.wait_for_selector("body[data-mode=session]")
    k.clock.advance(61)
    k.page.wait_for_selector("#warning", state="visible")
    assert k.text("#warning-text") == words.text("still_there", pointer="tap") == k.said[-1]
    assert k.page.evaluate("document.activeElement.dataset.intent") == "more_time"
    k.page.keyboard.press("Enter")  # the same patient on a keyboard: more time, and now the words say "press"
    k.page.wait_for_selector("#warning", state="hidden")
    wait_until(lambda: k.driver.pointer == "press")
    k.clock.advance(1000)
    k.page.wait_for_selector("#warning", state="visible")
    assert k.text("#warning-text") == words.text("still_there", pointer="press")
