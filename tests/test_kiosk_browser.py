"""The kiosk screen in a real headless browser (Debian chromium driven by Playwright).

Full sessions by tapping to every disposition and to the emergency at each screen size
(390x844 phone, 800x1280 tablet, 1280x800 laptop, 1920x1080 HD, 1280x800 at 200% zoom),
checking on every kind of screen that no two controls overlap, each control's centre hits
the control itself, nothing is cut off, targets are at least 44 px, and axe-core finds no
violation of any impact. Then keyboard, screen-reader and emergency-modal behaviour, live
captions, the inactivity warning and the reset, all through the real HTTP server and
server-sent events. ``python scripts/kiosk_screenshots.py`` writes a picture of every state.
"""
from __future__ import annotations

import pytest

from tests.kiosk_page import SIZES, TREE, TREES, KioskPage, checked, checked_in, open_kiosk  # noqa: F401
from voice.kiosk.words import kiosk_words

EN = kiosk_words("en")  # the kiosk's own words in English

pytestmark = pytest.mark.slow


@pytest.fixture
def kiosk(open_kiosk):
    return open_kiosk()


# ---------------------------------------------------------------- every size, every disposition

@pytest.mark.parametrize("disposition", ["self_care", "soon", "urgent", "emergency"])
@pytest.mark.parametrize("size", SIZES, ids=[s[0] for s in SIZES])
def test_full_session_at_every_size(open_kiosk, size, disposition):
    name, w, h, zoom = size
    k = open_kiosk(w, h, zoom)
    checked(k, f"{name} start screen")
    k.click("#start")
    checked(k, f"{name} yes/no question")
    if disposition == "emergency":
        k.click("#yesno [data-intent=yes]")
        assert k.page.is_visible("#emergency") and k.page.get_attribute("#app", "aria-hidden") == "true"
        checked(k, f"{name} emergency")
        assert k.focus_trapped("#emergency")
        k.staff_hold()
        checked(k, f"{name} after the emergency")
        return
    if disposition == "urgent":  # unsure twice about a fever
        while k.driver.node.get("id") != "fever":
            k.click("#yesno [data-intent=no]")
        k.click("#yesno [data-intent=unsure]")
        k.click("#yesno [data-intent=unsure]")
    k.answer_no_until("number")
    checked(k, f"{name} number keypad")
    k.type_number("34")
    checked(k, f"{name} duration")
    k.click(f"#duration button:text-is('{'4 to 12 weeks' if disposition == 'soon' else '1 to 3 weeks'}')")
    assert k.page.get_attribute("#result", "data-disposition") == disposition
    checked(k, f"{name} {disposition} result")
    k.click("#finish")
    assert k.page.is_visible("#start")


# ---------------------------------------------------------------- the result card

def test_result_card_reads_urgency_first_step_reasons_advice_disclaimer(kiosk):
    kiosk.to_result("urgent")
    page = kiosk.page
    order = ["#result-label", "#result-step", "#result-reasons", "#result-more", "#result-disclaimer"]
    tops = [page.locator(sel).bounding_box()["y"] for sel in order]
    assert tops == sorted(tops)
    assert kiosk.text("#result-label") == "URGENT: SEE A CLINICIAN TODAY"  # shown in capitals by the style
    assert kiosk.text("#result-step") == "See a clinician today, as soon as possible. " \
                                         "Contact the clinic or an urgent care service."  # no phone set
    # unsure twice: not stated as if reported
    assert kiosk.text("#result-reasons").startswith("You were not sure whether you have had a fever")
    assert kiosk.text("#result-more") == "If you feel very unwell, confused or breathless, call 911."
    assert kiosk.text("#result-disclaimer") == "This is guidance, not a diagnosis."
    assert page.evaluate("document.activeElement.id") == "result-label"  # focus moved to the result


def test_back_from_a_result_clears_it_and_repeat_is_not_read_back(kiosk):
    kiosk.to_result("self_care")
    assert kiosk.page.is_visible("#result")
    kiosk.click("#controls [data-intent=back]")
    assert not kiosk.page.is_visible("#result") and kiosk.page.is_visible("#duration")
    kiosk.click("#controls [data-intent=repeat]")
    assert kiosk.text("#heard") == "" and "understood: repeat" not in kiosk.page.inner_text("#talk").lower()


def test_full_session_text_matches_speech_then_reset(kiosk):
    page = kiosk.page
    kiosk.click("#start")
    assert kiosk.text("#question") == kiosk.driver.question and kiosk.driver.node["id"] == "bladder_bowel"
    assert kiosk.said[-2:] == [kiosk.text("#lines"), kiosk.text("#question")]  # the emergency advice first
    for _ in range(12):
        kiosk.click("#yesno [data-intent=no]")
        assert kiosk.text("#heard") == "I understood: no."
        # the screen shows exactly what was said: the readback, then the question
        assert kiosk.said[-2:] == [kiosk.text("#heard"), kiosk.text("#question")]
    page.click("#keypad button:text-is('6')")
    page.click("#keypad button:text-is('4')")
    assert kiosk.text("#number-shown") == "64"
    kiosk.click("#keypad [data-key=ok]")
    assert kiosk.text("#heard") == "I understood: 64 years."
    kiosk.click("#duration button:text-is('1 to 3 weeks')")
    assert page.is_visible("#result") and not page.is_visible("#emergency")
    kiosk.click("#yesno [data-intent=no]")  # no causes and treatments, thanks
    assert kiosk.text("#lines") == "Thank you. Take care."
    kiosk.click("#finish")
    assert page.is_visible("#start") and not page.is_visible("#talk")
    body = page.inner_text("body")
    assert "clinician" not in body and "understood" not in body  # nothing of the patient is left


# ---------------------------------------------------------------- keyboard and screen reader

def test_tab_never_starts_a_session_but_enter_does(kiosk):
    page = kiosk.page
    for _ in range(3):  # Start, then the language buttons: English, Español
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.lang") == "es"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert kiosk.driver.mode == "idle" and page.evaluate("document.activeElement.id") == "start"
    page.keyboard.press("Enter")  # on the focused Start button
    page.wait_for_selector("body[data-mode=session]")
    assert page.evaluate("document.activeElement.id") == "question"  # focus moved to the new question


def test_a_key_on_the_start_screen_starts_only_when_it_means_go(kiosk):
    page = kiosk.page
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    assert kiosk.driver.mode == "idle"
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-mode=session]")


def test_digits_type_into_the_keypad_and_focus_follows_each_screen(kiosk):
    page = kiosk.page
    kiosk.click("#start")
    kiosk.answer_no_until("number")
    assert page.evaluate("document.activeElement.id") == "question"
    for key in ("4", "7", "9", "Backspace", "2"):
        page.keyboard.press(key)
    assert kiosk.text("#number-shown") == "472"
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    page.wait_for_selector("#duration:not([hidden])")
    assert kiosk.text("#heard") == "I understood: 47 years." and page.evaluate("document.activeElement.id") == "question"


def test_typed_answer(kiosk):
    kiosk.click("#start")
    kiosk.page.fill("#typed", "no not at all")
    kiosk.click("#typeform button")
    assert kiosk.text("#heard") == "I understood: no."


def test_help_and_stop_buttons(kiosk):
    kiosk.click("#start")
    question = kiosk.text("#question")
    kiosk.click("#controls [data-intent=help]")
    assert kiosk.text("#question") == question and "yes or no" in kiosk.text("#lines")
    kiosk.click("#controls [data-intent=stop]")
    assert kiosk.text("#lines").startswith("Stopping now.") and kiosk.page.is_visible("#finish")
    assert not kiosk.page.is_visible("#yesno")


# ---------------------------------------------------------------- the emergency modal

def test_emergency_is_a_modal_that_holds_focus_and_only_staff_clear(kiosk):
    page = kiosk.page
    kiosk.to_result("emergency")
    assert page.get_attribute("#emergency", "role") == "alertdialog"
    assert page.get_attribute("#emergency", "aria-modal") == "true"
    box = page.locator("#emergency").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 1280, 800)
    assert page.evaluate("document.activeElement.id") == "emergency-title"
    assert page.evaluate("document.getElementById('app').inert") is True
    assert page.get_attribute("#app", "aria-hidden") == "true"
    assert kiosk.focus_trapped("#emergency")
    step = kiosk.text("#emergency-step")
    assert step == "Call 911 now, or tell a member of staff straight away."
    assert kiosk.said[-1] == kiosk.driver.result["text"] and kiosk.said[-1].startswith(step)
    assert kiosk.alerts == [1] and kiosk.text("#emergency-staff") == "Staff have been alerted."
    # Start, Finish, keys and words do not clear it; neither does a quick tap on the staff button
    for path in ("/api/start", "/api/finish"):
        page.evaluate(f"fetch('{path}', {{method: 'POST', body: '{{}}'}})")
    page.keyboard.press("Enter")
    kiosk.act(kiosk.driver.text, "start")
    page.click("#staff-hold")
    kiosk.synced()
    assert kiosk.driver.emergency() and page.is_visible("#emergency")
    kiosk.staff_hold()
    assert not page.is_visible("#emergency") and page.is_visible("#start")
    assert "Call 911" not in page.inner_text("body")
    assert page.get_attribute("#app", "aria-hidden") is None


def test_emergency_cleared_with_the_staff_code(open_kiosk):
    k = open_kiosk(staff_code="4711")
    k.to_result("emergency")
    assert not k.page.is_visible("#staff-hold") and k.page.is_visible("#staff-code")
    k.page.fill("#staff-code", "1234")
    k.page.click("#staff-form button")
    k.page.wait_for_selector("#staff-code-wrong:text('not right')")
    k.page.fill("#staff-code", "4711")
    k.page.click("#staff-form button")
    k.page.wait_for_selector("body[data-mode=idle]")


def test_emergency_without_a_configured_alert_asks_the_patient_to_tell_staff(open_kiosk):
    k = open_kiosk(on_emergency=None)  # the clinic set no alert_sound / alert_command
    k.to_result("emergency")
    assert k.text("#emergency-staff") == "Please show this screen to a member of staff now."


# ---------------------------------------------------------------- voice, captions, status

def test_live_captions_appear(kiosk):
    kiosk.click("#start")
    kiosk.act(kiosk.driver.caption_partial, "no I don't th")
    assert kiosk.text("#caption") == "no I don't th"
    assert kiosk.page.get_attribute("#caption", "aria-live") == "polite"
    kiosk.act(kiosk.driver.text, "no I don't think so")
    assert kiosk.text("#caption") == "no I don't think so"
    assert kiosk.text("#heard") == "I understood: no."


def test_without_voice_nothing_says_say_and_there_is_no_caption_bar(open_kiosk):
    k = open_kiosk(voice=False)
    assert "say" not in k.text("#welcome").lower() and k.text("#welcome").startswith("Hello. Press Start")
    k.click("#start")
    assert not k.page.is_visible("#captionbox")
    k.act(k.driver.set_voice, False, "speech model 'x' not found")
    assert k.text("#staff-line") == "Voice input off: speech model 'x' not found"
    assert not k.page.is_visible("#status")  # nothing for patients to worry about


def test_inactivity_warning_and_more_time(kiosk):
    page = kiosk.page
    kiosk.click("#start")
    kiosk.clock.advance(61)  # the server's clock thread notices
    page.wait_for_selector("#warning", state="visible")
    assert kiosk.text("#warning-text") == EN.text("still_there", pointer="press")  # a mouse: "Press More time"
    assert "seconds left" in kiosk.text("#countdown")
    assert page.evaluate("document.activeElement.textContent") == "More time"  # focus moved to the answer
    assert kiosk.focus_trapped("#warning") and page.get_attribute("#app", "aria-hidden") == "true"
    checked(kiosk, "inactivity warning")
    kiosk.click("#warning [data-intent=more_time]")
    assert not page.is_visible("#warning") and kiosk.text("#lines") == EN.text("more_time")
    kiosk.clock.advance(1000)
    page.wait_for_selector("#warning", state="visible")
    kiosk.clock.advance(31)
    page.wait_for_selector("#start", state="visible")  # nobody answered: reset for the next patient
    assert page.get_attribute("body", "data-mode") == "idle"


def test_microphone_status(kiosk):
    page = kiosk.page
    kiosk.act(kiosk.driver.set_status, "The microphone is not connected. Please use the buttons.")
    assert page.is_visible("#status") and kiosk.text("#status").startswith("The microphone")
    kiosk.click("#start")
    checked(kiosk, "microphone status")
    kiosk.act(kiosk.driver.set_status, "")
    assert not page.is_visible("#status")


def test_the_checks_catch_what_they_look_for(kiosk):
    # The checks above can fail: a nameless button, a low-contrast colour, a small and a covered control.
    kiosk.click("#start")
    page = kiosk.page
    page.evaluate("""() => {
        const yes = document.querySelector('#yesno [data-intent=yes]');
        yes.textContent = ''; yes.style.cssText = 'width:30px;min-width:0;flex:none;padding:0';
        document.querySelector('#yesno [data-intent=no]').style.color = '#777';
        const help = document.querySelector('#controls [data-intent=help]');
        help.textContent = 'Wiederholungstaste'; help.style.cssText = 'width:80px;min-width:0;flex:none';
        const cover = document.createElement('div');
        cover.style.cssText = 'position:fixed;inset:0;z-index:99';
        document.body.appendChild(cover);
    }""")
    rules = {v["id"] for v in kiosk.axe()}
    assert {"button-name", "color-contrast"} <= rules
    problems = " ".join(kiosk.layout_problems())
    assert "under 44 px" in problems and "covered by another element" in problems
    assert "'Wiederholungstaste' is broken mid-word" in problems


def test_a_read_back_is_answered_right_or_wrong(kiosk):
    """An uncertain spoken answer is read back; the buttons then say right or wrong (from the screen's confirm)."""
    kiosk.click("#start")
    kiosk.act(kiosk.driver.text, "know", [0.3])  # heard faintly: read back
    assert kiosk.driver.node["confirm"]["intent"] == "no"
    assert kiosk.text("#question").startswith("So since your back pain started, you have NOT had")
    assert kiosk.text("#yesno [data-intent=yes]") == "Yes, that's right"
    assert kiosk.said[-1] == kiosk.text("#question")  # said as shown; the screen keeps the written form
    kiosk.click("#yesno [data-intent=no]")  # wrong: the question again, plainly, with plain buttons
    assert kiosk.text("#question") == TREE.nodes["bladder_bowel"].plain
    assert kiosk.text("#yesno [data-intent=yes]") == "Yes"


# ---------------------------------------------------------------- every language

SESSIONS = ["care", "urgent", "emergency"]


@pytest.mark.parametrize("session", SESSIONS)
@pytest.mark.parametrize("size", SIZES, ids=[s[0] for s in SIZES])
@pytest.mark.parametrize("lang", ["es", "ko"])
def test_every_screen_in_each_language_at_every_size(open_kiosk, lang, size, session):
    """A patient on an English kiosk taps their language's button; every screen (question, keypad,
    duration, each result, the emergency) passes the checks English passes, at every size and zoom.
    "care": self-care, then Back and a longer duration: book soon; "urgent": unsure twice about a fever."""
    name, w, h, zoom = size
    k = open_kiosk(w, h, zoom, lang=lang)
    where = f"{lang} {name}"
    if session == "care":
        checked_in(k, f"{where} start screen")
    k.start()
    assert k.driver.lang == lang
    if session == "emergency":
        k.click("#yesno [data-intent=yes]")
        assert k.page.is_visible("#emergency")
        checked_in(k, f"{where} emergency")
        assert k.focus_trapped("#emergency")
        # staff clear it in the clinic's language
        assert k.page.get_attribute("#staff-area", "lang") == "en"
        assert k.text("#staff-hold-text").startswith("Staff only")
        k.staff_hold()
        assert k.page.get_attribute("html", "lang") == "en"  # the next patient starts in the clinic's
        return
    if session == "urgent":
        while k.driver.node.get("id") != "fever":
            k.click("#yesno [data-intent=no]")
        k.click("#yesno [data-intent=unsure]")
        checked_in(k, f"{where} question asked again, plainly")
        k.click("#yesno [data-intent=unsure]")
    else:
        checked_in(k, f"{where} yes/no question")
    k.answer_no_until("number")
    if session == "care":
        checked_in(k, f"{where} number keypad")
    k.type_number("34")
    if session == "care":
        checked_in(k, f"{where} duration")
    k.click(k.weeks(1, 3))
    expected = "urgent" if session == "urgent" else "self_care"
    assert k.page.get_attribute("#result", "data-disposition") == expected
    assert k.text("#result-label") == k.words["result_labels"][expected].upper()
    checked_in(k, f"{where} {expected} result")
    if session == "care":
        k.click("#controls [data-intent=back]")
        k.click(k.weeks(4, 12))
        assert k.page.get_attribute("#result", "data-disposition") == "soon"
        checked_in(k, f"{where} soon result")
    k.click("#finish")
    assert k.page.is_visible("#start") and k.page.get_attribute("html", "lang") == "en"


@pytest.mark.parametrize("lang", ["es", "ko"])
def test_inactivity_warning_and_staff_code_in_each_language(open_kiosk, lang):
    k = open_kiosk(390, 844, 1, lang=lang, staff_code="4711")  # the narrowest screen: long words must fit
    k.start()
    k.clock.advance(61)
    k.page.wait_for_selector("#warning", state="visible")
    assert k.text("#warning-text") == kiosk_words(lang).text("still_there", pointer="press")
    checked_in(k, f"{lang} inactivity warning")
    k.click("#warning [data-intent=more_time]")
    assert k.text("#lines") == kiosk_words(lang).text("more_time")
    k.click("#yesno [data-intent=yes]")
    checked_in(k, f"{lang} emergency with the staff code")
    assert k.text("#staff-code-label") == EN.page["staff_code"]  # for staff: the clinic's language
    k.page.fill("#staff-code", "4711")
    k.page.click("#staff-form button")
    k.page.wait_for_selector("body[data-mode=idle]")


def test_a_spanish_clinic_starts_in_spanish_and_a_korean_patient_picks_korean(open_kiosk):
    k = open_kiosk(clinic_lang="es", lang="ko")
    page = k.page
    assert page.get_attribute("html", "lang") == "es" and page.title() == kiosk_words("es").page["title"]
    assert k.text("#start") == "Empezar" and k.text("#welcome") == kiosk_words("es").text("welcome", pointer="press")
    buttons = page.eval_on_selector_all("#languages button", "bs => bs.map((b) => [b.lang, b.textContent])")
    assert buttons == [["en", "English"], ["es", "Español"], ["ko", "한국어"]]  # each marked as its language
    checked_in(k, "Spanish clinic start screen")
    k.start()
    assert page.get_attribute("html", "lang") == "ko" and k.text("#yesno [data-intent=yes]") == "네"
    assert k.text("#question") == k.driver.question == TREES["ko"].nodes["bladder_bowel"].text
    k.click("#controls [data-intent=stop]")
    k.click("#finish")
    assert page.get_attribute("html", "lang") == "es" and k.text("#start") == "Empezar"


def test_hangul_is_drawn_with_a_korean_font(open_kiosk):
    """Not boxes: the page's font stack finds a font with Hangul (fonts-noto-cjk, scripts/setup.sh)."""
    k = open_kiosk(lang="ko")
    k.start()
    fonts = k.page.evaluate("""async () => {
        await document.fonts.ready;
        const s = getComputedStyle(document.getElementById('question')).fontFamily;
        return s; }""")
    assert "Noto Sans CJK KR" in fonts
    cdp = k.context.new_cdp_session(k.page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    node = cdp.send("DOM.querySelector", {"nodeId": cdp.send("DOM.getDocument")["root"]["nodeId"],
                                          "selector": "#question"})["nodeId"]
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert any("CJK" in f["familyName"] for f in used), used  # the glyphs really came from a Korean-capable font
