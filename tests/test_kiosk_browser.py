"""The kiosk screen in a real headless browser (Debian chromium driven by Playwright).

A full session by tapping, live captions, the emergency banner, the inactivity warning
and the reset, all through the real HTTP server and server-sent events. Screenshots go
to /tmp/kiosk-*.png for a person to look at.
"""
from __future__ import annotations

import os
import time

import pytest

from triage import load_tree
from voice.kiosk import driver as kd
from voice.kiosk.driver import KioskDriver
from voice.kiosk.server import KioskServer
from voice.kiosk.simulate import FakeClock
from voice.speaker import Speaker

pytestmark = pytest.mark.slow

SHOTS = os.environ.get("KIOSK_SCREENSHOTS", "/tmp")
TREE = load_tree()


def wait_until(condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.01)


class Kiosk:
    def __init__(self, browser):
        self.clock = FakeClock()
        self.said: list[str] = []
        self.alerts: list[int] = []
        self.speaker = Speaker(player=None, caption=self._caption)
        self.driver = KioskDriver(TREE, speaker=self.speaker, clock=self.clock,
                                  on_emergency=lambda: self.alerts.append(1))
        self.server = KioskServer(self.driver, "127.0.0.1", 0, tick_s=0.05).start()
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.server.url)
        self.page.wait_for_selector("body[data-seq]")  # the first screen arrived: keys and taps work

    def _caption(self, text: str) -> None:
        if not text.startswith("(speech is off"):
            self.said.append(text)

    def wait_change(self, action) -> None:
        """Do ``action`` and wait until the page has rendered the screen it caused."""
        seq = self.driver.seq
        action()
        self.page.wait_for_selector(f"body[data-seq='{self.driver.seq}']" if self.driver.seq != seq
                                    else "body[data-seq]")

    def click(self, selector: str) -> None:
        seq = self.page.get_attribute("body", "data-seq")
        self.page.click(selector)
        self.page.wait_for_selector(f"body:not([data-seq='{seq}'])")

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector).strip()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=os.path.join(SHOTS, f"kiosk-{name}.png"))

    def close(self) -> None:
        self.context.close()
        self.server.stop()
        self.speaker.close()


@pytest.fixture
def kiosk(browser):
    k = Kiosk(browser)
    yield k
    k.close()
    assert k.errors == [], k.errors  # no JavaScript errors on the page


def test_full_session_by_tapping_then_reset(kiosk):
    page = kiosk.page
    kiosk.shot("idle")
    assert "Tap Start" in kiosk.text("#welcome")
    kiosk.click("#start")
    assert kiosk.text("#question") == kiosk.driver.question and kiosk.driver.question.endswith("ready to start?")
    kiosk.shot("question")
    kiosk.click("#yesno [data-intent=yes]")
    for _ in range(12):
        kiosk.click("#yesno [data-intent=no]")
        assert kiosk.text("#heard") == "I understood: no."
        # the screen shows exactly what was said: the readback, then the question
        assert kiosk.said[-2:] == [kiosk.text("#heard"), kiosk.text("#question")]
    assert page.is_visible("#number") and not page.is_visible("#yesno")
    page.click("#keypad button:text-is('6')")
    page.click("#keypad button:text-is('4')")
    assert kiosk.text("#number-shown") == "64"
    kiosk.click("#keypad button:text-is('OK')")
    assert kiosk.text("#heard") == "I understood: 64."
    kiosk.shot("duration")
    kiosk.click("#duration button:text-is('1 to 3 weeks')")
    assert page.is_visible("#result") and not page.is_visible("#emergency")
    result = kiosk.text("#result-instruction") + " " + kiosk.text("#result-detail")
    assert result == kiosk.driver.result["text"] and result.startswith("Book an appointment")
    assert page.get_attribute("#result", "data-disposition") == "soon"  # age 64 alone (tree 2.0)
    kiosk.shot("result")
    kiosk.click("#yesno [data-intent=no]")  # no causes and treatments, thanks
    assert kiosk.text("#lines") == "Thank you. Take care."
    kiosk.click("#finish")
    assert page.is_visible("#start") and not page.is_visible("#talk")
    body = page.inner_text("body")
    assert "clinician" not in body and "understood" not in body  # nothing of the patient is left
    kiosk.shot("reset")
    assert all(u.startswith(kiosk.server.url) for u in kiosk.requests), kiosk.requests  # fully offline


def test_live_captions_appear(kiosk):
    kiosk.click("#start")
    kiosk.wait_change(lambda: kiosk.driver.caption_partial("yes I think s"))
    assert kiosk.text("#caption") == "yes I think s"
    assert kiosk.page.get_attribute("#caption", "aria-live") == "polite"
    kiosk.shot("caption")
    kiosk.wait_change(lambda: kiosk.driver.text("yes I think so"))
    assert kiosk.text("#caption") == "yes I think so"
    assert kiosk.text("#heard") == "I understood: yes."


def test_typed_answer_and_key_start(kiosk):
    page = kiosk.page
    seq = page.get_attribute("body", "data-seq")
    page.keyboard.press("Enter")  # a key on the kiosk keyboard starts a session
    page.wait_for_selector(f"body:not([data-seq='{seq}'])")
    assert page.get_attribute("body", "data-mode") == "session"
    page.fill("#typed", "yes please")
    kiosk.click("#typeform button")
    assert kiosk.text("#heard") == "I understood: yes."


def test_emergency_banner_is_full_screen_and_first(kiosk):
    page = kiosk.page
    kiosk.click("#start")
    kiosk.click("#yesno [data-intent=yes]")
    kiosk.click("#yesno [data-intent=yes]")  # new bladder or bowel trouble
    assert page.is_visible("#emergency")
    box = page.locator("#emergency").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 1280, 800)
    text = kiosk.text("#emergency-instruction") + " " + kiosk.text("#emergency-detail")
    first, rest = (page.locator(f"#emergency-{part}").bounding_box() for part in ("instruction", "detail"))
    assert 0 <= first["y"] < rest["y"] and first["y"] + first["height"] <= 800  # instruction first, in full view
    assert page.is_visible("#staff-hold")
    assert text.startswith("Call 911 now") and kiosk.said[-1] == text == kiosk.driver.result["text"]
    assert kiosk.alerts == [1] and kiosk.text("#emergency-staff") == "Staff have been alerted."
    kiosk.shot("emergency")
    box = page.locator("#staff-hold").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    wait_until(lambda: kiosk.driver._held_since is not None)  # the press reached the server
    kiosk.clock.advance(kiosk.driver.staff_hold_s)
    page.mouse.up()
    page.wait_for_selector("#start", state="visible")
    assert not page.is_visible("#emergency")
    assert "Call 911" not in page.inner_text("body")


def test_inactivity_warning_and_more_time(kiosk):
    page = kiosk.page
    kiosk.click("#start")
    kiosk.wait_change(lambda: kiosk.clock.advance(61))  # the server's clock thread notices
    page.wait_for_selector("#warning", state="visible")
    assert kiosk.text("#warning-text") == kd.STILL_THERE_TEXT
    assert "seconds left" in kiosk.text("#countdown")
    assert page.evaluate("document.activeElement.textContent") == "More time"  # focus moved to the answer
    kiosk.shot("still-there")
    kiosk.click("#warning [data-intent=more_time]")
    assert not page.is_visible("#warning") and kiosk.text("#lines") == kd.MORE_TIME_TEXT
    kiosk.clock.advance(1000)
    page.wait_for_selector("#warning", state="visible")
    kiosk.clock.advance(31)
    page.wait_for_selector("#start", state="visible")  # nobody answered: reset for the next patient
    assert page.get_attribute("body", "data-mode") == "idle"


def test_microphone_status_and_touch_targets(kiosk):
    page = kiosk.page
    kiosk.wait_change(lambda: kiosk.driver.set_status("The microphone is not connected. Please use the buttons."))
    assert page.is_visible("#status") and kiosk.text("#status").startswith("The microphone")
    kiosk.click("#start")
    kiosk.shot("mic-status")
    sizes = [page.locator(sel).nth(i).bounding_box()
             for sel in ("button:visible",) for i in range(page.locator(sel).count())]
    assert len(sizes) >= 6
    assert all(b["width"] >= 44 and b["height"] >= 44 for b in sizes), sizes  # WCAG 2.5.8 asks 24
    kiosk.wait_change(lambda: kiosk.driver.set_status(""))
    assert not page.is_visible("#status")


def test_emergency_without_a_configured_alert_asks_the_patient_to_tell_staff(kiosk):
    kiosk.driver.on_emergency = None  # the clinic set no alert_sound / alert_command
    kiosk.click("#start")
    kiosk.click("#yesno [data-intent=yes]")
    kiosk.click("#yesno [data-intent=yes]")
    assert kiosk.text("#emergency-staff") == "Please show this screen to a member of staff now."


def test_a_read_back_is_answered_right_or_wrong(kiosk):
    """An uncertain spoken answer is read back; the buttons then say right or wrong (from the screen's confirm)."""
    kiosk.click("#start")
    kiosk.click("#yesno [data-intent=yes]")
    kiosk.wait_change(lambda: kiosk.driver.text("know", [0.3]))  # heard faintly: read back
    assert kiosk.driver.node["confirm"]["intent"] == "no"
    assert kiosk.text("#question").startswith("So since your back pain started, you have NOT had")
    assert kiosk.text("#yesno [data-intent=yes]") == "Yes, that's right"
    assert kiosk.said[-1] == kiosk.text("#question")  # said as shown; the screen keeps the written form
    kiosk.click("#yesno [data-intent=no]")  # wrong: the question again, plainly, with plain buttons
    assert kiosk.text("#question") == TREE.nodes["bladder_bowel"].plain
    assert kiosk.text("#yesno [data-intent=yes]") == "Yes"
