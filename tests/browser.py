"""Shared by the browser tests: headless Debian chromium under Playwright, and the npm tools they load.

axe-core (accessibility rules) and mermaid (to check ``tree show --format mermaid`` really
parses) come from the npm registry, installed by ``bash scripts/setup.sh --test`` into
``~/.cache/backtriage/node`` (or ``$BACKTRIAGE_NODE_MODULES``), never committed.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def node_modules() -> Path:
    env = os.environ.get("BACKTRIAGE_NODE_MODULES")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "backtriage" / "node" / "node_modules"


def npm_file(relative: str) -> Path:
    """A file of an npm package the tests load into the page; a plain failure when it is missing."""
    path = node_modules() / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: run bash scripts/setup.sh --test (installs axe-core and mermaid from npm)")
    return path


def launch(playwright):
    exe = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not exe:
        pytest.fail("chromium is not installed: sudo apt-get install chromium (see .ci/run)")
    return playwright.chromium.launch(executable_path=exe, args=ARGS)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
