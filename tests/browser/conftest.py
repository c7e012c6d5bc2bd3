"""Browser fixtures: Debian's chromium driven by Playwright, and a running preview to open in it.

Without chromium (or Playwright) these tests skip with the reason, except when the CI variable is
set: there a missing browser fails the run, so the browser tests can never silently stop running.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.serve import Preview

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic"]
ARTICLE = """-- content/articles/first.md --
---
title: First article
date: 2021-10-19
---
Original body text.
"""


def unavailable(reason: str) -> None:
    """Skip locally; fail under CI, where the browser tests must run."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason}, and CI is set: the browser tests must run there")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One headless chromium per test module (Playwright's sync API owns the main thread's loop)."""
    if not CHROMIUM.exists():
        unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh browser page (own context: no cache or storage shared between tests)."""
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def live(project):
    """A running preview of a one-article project, on a free loopback port."""
    root = project(ARTICLE)
    with Preview(root, port=0).running() as running:
        yield running
