"""Screenshots of every kiosk screen state at every size, for a person to look at.

    python scripts/kiosk_screenshots.py [--out DIR] [--sizes phone,hd,...] [--langs en,es,ko] [--states ...]

Writes DIR/<lang>-<size>-<state>.png (default DIR: /tmp/kiosk-screens) for each language (a patient
on an English kiosk who taps that language's button; the start screen is the clinic's, so "idle"
is shot with the clinic's language set to it) at the sizes of the browser tests (390x844 phone,
800x1280 tablet, 1280x800 laptop, 1920x1080 HD, 1280x800 at 200% zoom), and prints, per screenshot,
any layout problem the checks find (overlap, covered or cut-off controls, targets under 44 px).
Needs chromium and playwright (bash scripts/setup.sh --test).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run as a script: the repository, not scripts/

STATES = ["idle", "first_question", "question", "number", "duration", "self_care", "self_care_end", "soon",
          "urgent", "stopped", "emergency", "staff_holding", "still_there", "touch_only", "touch_screen", "mic_status",
          "staff_code"]


def capture(k, state: str, path: str) -> None:
    """Drive a fresh kiosk page ``k`` into ``state`` and screenshot it."""
    if state == "first_question":  # the short start: the emergency advice, the disclaimer, question 1 of about 14
        k.start()
    elif state == "question":
        k.start()
        k.click("#yesno [data-intent=no]")
    elif state == "number":
        k.start()
        k.answer_no_until("number")
        k.page.keyboard.press("6")
    elif state == "duration":
        k.start()
        k.answer_no_until("number")
        k.type_number("34")
    elif state in ("self_care", "soon", "urgent", "emergency", "staff_code"):
        k.to_result("emergency" if state == "staff_code" else state)
    elif state == "self_care_end":  # scrolled to the end with "more below" (a phone): Finish in view
        k.to_result("self_care")
        for _ in range(10):
            if not k.page.is_visible("#more-below"):
                break
            k.page.click("#more-below")
            k.page.wait_for_timeout(400)
    elif state == "stopped":  # Stop: the goodbye, no question and so no typing box
        k.start()
        k.click("#controls [data-intent=stop]")
    elif state == "staff_holding":  # the staff button held down: the same size, "Keep holding..."
        k.to_result("emergency")
        box = k.page.locator("#staff-hold").bounding_box()
        k.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        k.page.mouse.down()
        k.page.wait_for_selector("#staff-hold.holding")
        k.page.wait_for_timeout(1500)  # the hold's progress bar part way
    elif state == "still_there":
        k.start()
        k.clock.advance(61)  # the server's clock thread notices and shows the warning
        k.page.wait_for_selector("#warning", state="visible")
    elif state == "touch_only":  # no voice input: nobody is asked to say anything
        k.start()
    elif state == "touch_screen":  # a touch screen: "Tap Start" (with keys and a mouse: "Press Start")
        pass
    elif state == "mic_status":
        k.act(k.driver.set_status, "no_mic")  # said in the patient's language
        k.start()
        k.act(k.driver.caption_partial, {"es": "sí, creo q", "ko": "네 그런 것 같"}.get(k.lang, "yes I think s"))
    k.shot(path)


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser import launch
    from tests.kiosk_page import LANGS, SIZES, KioskPage

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="/tmp/kiosk-screens", help="folder for the PNG files")
    parser.add_argument("--sizes", default=",".join(s[0] for s in SIZES), help="comma-separated size names")
    parser.add_argument("--states", default=",".join(STATES), help="comma-separated states")
    parser.add_argument("--langs", default=",".join(LANGS), help="comma-separated languages")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wanted = args.sizes.split(",")
    with sync_playwright() as p:
        browser = launch(p)
        for lang in args.langs.split(","):
            for name, w, h, zoom in (s for s in SIZES if s[0] in wanted):
                for state in args.states.split(","):
                    shoot(browser, out, lang, name, w, h, zoom, state)
        browser.close()


def shoot(browser, out: Path, lang: str, name: str, w: int, h: int, zoom: float, state: str) -> None:
    from tests.kiosk_page import KioskPage

    k = KioskPage(browser, w, h, zoom, voice=state != "touch_only", staff_code="4711" if state == "staff_code" else "",
                  lang=lang, clinic_lang=lang if state in ("idle", "touch_screen") else "en",
                  touch=state == "touch_screen")
    try:
        path = out / f"{lang}-{name}-{state}.png"
        capture(k, state, str(path))
        problems = k.layout_problems()
        print(f"{path}: {'; '.join(problems) if problems else 'ok'}")
    finally:
        k.close()


if __name__ == "__main__":
    main()
