"""The kiosk page in a real browser, driven into each state: shared by the browser tests and
``scripts/kiosk_screenshots.py``.

A real KioskDriver behind the real HTTP server; a fake clock (so the inactivity warning and the
staff hold need no waiting); the page at a given viewport and zoom; and checks a person would
otherwise make by eye: overlapping or cut-off controls, controls whose centre is covered by
something else, targets under 44 px, and axe-core's accessibility rules.
"""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser import npm_file
from triage import load_tree
from voice.kiosk.driver import KioskDriver
from voice.kiosk.server import KioskServer
from standins.kiosk_patients import FakeClock
from voice.kiosk.words import kiosk_words
from voice.speaker import Speaker

LANGS = ("en", "es", "ko")
TREES = {code: load_tree(None, code) for code in LANGS}  # the shipped tree in each language, as the kiosk offers them
TREE = TREES["en"]
# (name, CSS viewport width, height, zoom): zoom 2 is the browser at 200% on a 1280x800 screen.
SIZES = [("phone", 390, 844, 1), ("tablet", 800, 1280, 1), ("laptop", 1280, 800, 1), ("hd", 1920, 1080, 1),
         ("zoom200", 1280, 800, 2)]

# Every control a person can reach, with its box, whether its centre hit-tests to itself, and its name.
CONTROLS_JS = """() => {
  const out = [];
  const dialog = [...document.querySelectorAll('[role=alertdialog]')].find((d) => !d.hidden);
  const root = dialog || document;
  for (const el of root.querySelectorAll('button, input, [role=button]')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('[hidden]')) continue;
    el.scrollIntoView({block: 'center', inline: 'center'});
    const s = el.getBoundingClientRect();
    const x = s.left + s.width / 2, y = s.top + s.height / 2;
    const hit = document.elementFromPoint(x, y);
    out.push({name: (el.textContent || el.id || el.name).trim().slice(0, 40), id: el.id,
              x: s.left, y: s.top, w: s.width, h: s.height,
              self: !!hit && (hit === el || el.contains(hit)),
              inside: s.left >= -0.5 && s.right <= window.innerWidth + 0.5,
              vw: window.innerWidth});
  }
  return out;
}"""

# Words too wide for the box they are in (the browser then breaks them mid-word: "Repeti / r"):
# each word measured in the element's own font, against the element's content width.
BROKEN_WORDS_JS = """() => {
  const out = [];
  const dialog = [...document.querySelectorAll('[role=alertdialog]')].find((d) => !d.hidden);
  const root = dialog || document.getElementById('app');
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;left:-99999px;top:0;visibility:hidden;white-space:nowrap';
  document.body.appendChild(probe);
  for (const el of root.querySelectorAll('button, h1, h2, h3, label, p, li')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.closest('[hidden]') || !el.textContent.trim()) continue;
    const cs = getComputedStyle(el);
    const room = r.width - ['borderLeftWidth', 'borderRightWidth', 'paddingLeft', 'paddingRight']
      .reduce((sum, side) => sum + parseFloat(cs[side]), 0);  // exact: a word 0.7 px too wide is broken
    for (const prop of ['font', 'letterSpacing', 'textTransform', 'fontFeatureSettings']) probe.style[prop] = cs[prop];
    for (const word of el.textContent.trim().split(/\\s+/)) {
      probe.textContent = word;
      const w = probe.getBoundingClientRect().width;
      if (w > room + 0.05) out.push({word: word, width: Math.round(w), room: Math.round(room)});
    }
  }
  probe.remove();
  return out;
}"""

AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                   nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}));
}"""


def wait_until(condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


class KioskPage:
    def __init__(self, browser, width: int = 1280, height: int = 800, zoom: float = 1, voice: bool = True,
                 staff_code: str = "", on_emergency: Any = "alert", lang: str = "en", clinic_lang: str = "en",
                 langs: tuple[str, ...] = LANGS, staff_hold_s: float = 3.0, touch: bool = False):
        """``lang``: the patient's language (``start`` taps its button); ``clinic_lang``: the kiosk's
        default; ``langs``: the languages on offer (as ``backtriage kiosk`` offers every one with a pack);
        ``touch``: a touch screen (the browser's pointer is coarse, taps are touches), else a mouse."""
        self.clock = FakeClock()
        self.said: list[str] = []
        self.alerts: list[int] = []
        self.lang, self.clinic_lang = lang, clinic_lang
        self.words = kiosk_words(lang).page  # the page's labels in the patient's language
        self.speaker = Speaker(player=None, caption=self._caption)
        self.driver = KioskDriver(TREES[clinic_lang], lang=clinic_lang, trees={c: TREES[c] for c in langs},
                                  speaker=self.speaker, clock=self.clock, voice=voice, staff_code=staff_code,
                                  staff_hold_s=staff_hold_s,
                                  on_emergency=(lambda: self.alerts.append(1)) if on_emergency == "alert" else None)
        self.server = KioskServer(self.driver, "127.0.0.1", 0, tick_s=0.05).start()
        # Zoom as the browser does it: the same screen, fewer and larger CSS pixels. bypass_csp lets
        # the tests load axe-core into the page (the kiosk's own policy allows only its own files).
        self.context = browser.new_context(viewport={"width": round(width / zoom), "height": round(height / zoom)},
                                           device_scale_factor=zoom, bypass_csp=True, has_touch=touch,
                                           is_mobile=touch)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.server.url)
        self.page.wait_for_selector("body[data-seq]")  # the first screen arrived: keys and taps work
        # ...and the page said how its screen is used (its words: "Tap Start" on a touch screen, else "Press")
        wait_until(lambda: self.driver.pointer_default == ("tap" if touch else "press"))
        self.synced()

    def _caption(self, text: str) -> None:
        if not text.startswith("(speech is off"):
            self.said.append(text)

    # ------------------------------------------------------------------ driving

    def synced(self) -> None:
        """Wait until the page shows the driver's latest screen."""
        self.page.wait_for_selector(f"body[data-seq='{self.driver.seq}']")

    def act(self, fn, *args) -> Any:
        """A driver input (as the microphone or a tap would give), then the page caught up."""
        out = fn(*args)
        self.synced()
        return out

    def click(self, selector: str) -> None:
        seq = self.page.get_attribute("body", "data-seq")
        self.page.click(selector)
        self.page.wait_for_selector(f"body:not([data-seq='{seq}'])")
        self.synced()

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector).strip()

    def answer_no_until(self, expects: str) -> None:
        while self.driver.expects == "yesno" and expects != "yesno":
            self.click("#yesno [data-intent=no]")

    def start(self) -> None:
        """The patient starts: Start in the clinic's language, else their language's button."""
        self.click("#start" if self.lang == self.clinic_lang else f"#languages button[data-lang={self.lang}]")

    def weeks(self, a: int, b: int) -> str:
        """The duration button for "a to b weeks", as it reads in the patient's language."""
        return f"#duration button:text-is('{self.words['duration']['range'].format(a=a, b=b)}')"

    def to_result(self, disposition: str) -> None:
        """A full session by tapping, to the given disposition (or the emergency)."""
        self.start()  # Start is the "ready": the first question is the first warning sign
        if disposition == "emergency":
            self.click("#yesno [data-intent=yes]")  # new bladder or bowel trouble
            return
        if disposition == "urgent":  # unsure twice about a fever: possibly present (urgent, not emergency)
            while self.driver.node.get("id") != "fever":
                self.click("#yesno [data-intent=no]")
            self.click("#yesno [data-intent=unsure]")
            self.click("#yesno [data-intent=unsure]")
        self.answer_no_until("number")
        self.type_number("34")
        self.click(self.weeks(4, 12) if disposition == "soon" else self.weeks(1, 3))

    def type_number(self, digits: str) -> None:
        for d in digits:
            self.page.click(f"#keypad button:text-is('{d}')")
        self.click("#keypad [data-key=ok]")

    def staff_hold(self) -> None:
        box = self.page.locator("#staff-hold").bounding_box()
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.page.mouse.down()
        wait_until(lambda: self.driver._held_since is not None)  # the press reached the server
        self.clock.advance(self.driver.staff_hold_s)
        self.page.mouse.up()
        self.page.wait_for_selector("body[data-mode=idle]")

    # ------------------------------------------------------------------ checks

    def controls(self) -> list[dict[str, Any]]:
        return self.page.evaluate(CONTROLS_JS)

    def layout_problems(self) -> list[str]:
        """Overlapping controls, covered centres, controls cut off at the sides, targets under 44 px,
        words too wide for their box (broken mid-word)."""
        items = self.controls()
        problems = []
        for c in items:
            if not c["self"]:
                problems.append(f"{c['name']!r}: its centre is covered by another element")
            if not c["inside"]:
                problems.append(f"{c['name']!r}: cut off at the side (x {c['x']:.0f}, width {c['w']:.0f})")
            if c["w"] < 44 or c["h"] < 44:
                problems.append(f"{c['name']!r}: {c['w']:.0f}x{c['h']:.0f} px, under 44 px")
        # Overlap in document coordinates: measured after scrolling each into view, so compare
        # within one scroll position by re-measuring together.
        boxes = self.page.evaluate("""() => {
          const dialog = [...document.querySelectorAll('[role=alertdialog]')].find((d) => !d.hidden);
          const root = dialog || document;
          return [...root.querySelectorAll('button, input')].filter((el) => {
            const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && !el.closest('[hidden]');
          }).map((el) => { const r = el.getBoundingClientRect();
            return {name: (el.textContent || el.id).trim().slice(0, 40), x: r.left, y: r.top, w: r.width, h: r.height}; });
        }""")
        for b in self.page.evaluate(BROKEN_WORDS_JS):
            problems.append(f"{b['word']!r} is broken mid-word ({b['width']} px wide in {b['room']} px)")
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                if a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1 and \
                        a["y"] < b["y"] + b["h"] - 1 and b["y"] < a["y"] + a["h"] - 1:
                    problems.append(f"{a['name']!r} overlaps {b['name']!r}")
        return problems

    def axe(self) -> list[dict[str, Any]]:
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            # Loaded by the test, not served by the kiosk (its CSP allows only its own files).
            self.page.add_script_tag(content=npm_file("axe-core/axe.min.js").read_text(encoding="utf-8"))
        return self.page.evaluate(AXE_JS)

    def focus_trapped(self, dialog: str, presses: int = 6) -> bool:
        """Tab and Shift+Tab never leave the open dialog."""
        for key in ["Tab"] * presses + ["Shift+Tab"] * presses:
            self.page.keyboard.press(key)
            if not self.page.evaluate(f"document.querySelector('{dialog}').contains(document.activeElement)"):
                return False
        return True

    def shot(self, path: str, full_page: bool = False) -> None:
        self.page.screenshot(path=path, full_page=full_page)

    def close(self) -> None:
        self.context.close()
        self.server.stop()
        self.speaker.close()


# ---------------------------------------------------------------- shared by the browser tests

@pytest.fixture
def open_kiosk(browser):
    """Open kiosk pages (``open_kiosk(w, h, ...)``), each checked on close: no JavaScript error, nothing
    fetched from anywhere but the kiosk."""
    pages: list[KioskPage] = []

    def make(*args, **kw) -> KioskPage:
        k = KioskPage(browser, *args, **kw)
        pages.append(k)
        return k

    yield make
    for k in pages:
        k.close()
        assert k.errors == [], k.errors  # no JavaScript errors on the page
        assert all(u.startswith(k.server.url) for u in k.requests), k.requests  # fully offline


def checked(k: KioskPage, where: str) -> None:
    problems = k.layout_problems()
    assert problems == [], f"{where}: {problems}"
    violations = k.axe()
    assert violations == [], f"{where}: {violations}"


def checked_in(k, where: str) -> None:
    """The layout and axe checks, plus: the page is marked as the patient's language and no label
    fell back to its key (a translation missing on the page)."""
    checked(k, where)
    assert k.page.get_attribute("html", "lang") == k.driver.lang, where
    missing = k.page.evaluate("""() => [...document.querySelectorAll('[data-label]')]
        .filter((el) => el.textContent === el.dataset.label).map((el) => el.dataset.label)""")
    assert missing == [], f"{where}: labels not translated: {missing}"
