"""``tree show --format mermaid`` parsed and drawn by Mermaid 11 itself, in headless chromium."""
from __future__ import annotations

import pytest

from tests.browser import npm_file
from triage import load_tree
from triage.render import to_mermaid

pytestmark = pytest.mark.slow

TREE = load_tree()


@pytest.fixture(scope="module")
def mermaid_page(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(npm_file("mermaid/dist/mermaid.min.js")))
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    yield page
    page.close()


def parse(page, text: str) -> str:
    """'' when Mermaid parses ``text``, else its error message."""
    return page.evaluate("""async (text) => {
        try { await mermaid.parse(text); return ""; } catch (e) { return String(e.message || e); }
    }""", text)


def test_the_tree_drawing_parses_and_renders_in_mermaid(mermaid_page):
    text = to_mermaid(TREE)
    assert parse(mermaid_page, text) == ""
    svg = mermaid_page.evaluate("async (text) => (await mermaid.render('tree', text)).svg", text)
    for node in TREE.nodes.values():  # every question drawn, with its full wording (wrapped, not cut)
        assert node.id in svg
        assert node.text.split()[-1].replace('"', "&quot;") in svg
    for outcome in TREE.outcomes:
        assert outcome in svg


def test_the_old_drawing_with_a_bare_end_id_is_refused(mermaid_page):
    # Shows the check can fail: 'end' is reserved in Mermaid's flowchart grammar.
    assert parse(mermaid_page, "flowchart TD\n  a[\"A\"]\n  a -->|yes| end\n") != ""
