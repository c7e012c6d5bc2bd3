"""The preview in a real browser: live reload, the last save wins, the error overlay, live CSS."""

from __future__ import annotations

import json
import os
import time
import urllib.request

from digest.serve import STATUS_PATH

GOOD = "---\ntitle: First article\ndate: 2021-10-19\n---\n{body}\n"
BROKEN = "---\ntitle: First article\ndate: [2021-10-19\nauthor: Nobody\n---\nBroken body.\n"


def expect():
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect


def open_page(page, live, path="/articles/first/"):
    """Open a page of the preview and wait until its live-reload socket is connected."""
    page.goto(live.url + path)
    page.wait_for_function("window.digestPreview && window.digestPreview.connected", timeout=5000)
    return page


def article(live):
    return live.root / "content" / "articles" / "first.md"


def save(path, text):
    """An editor's plain save: rewrite the file in place."""
    path.write_text(text, encoding="utf-8")


def save_by_rename(path, text):
    """An editor's safe save: write a temporary file beside it, then rename it over the file."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def status(live) -> dict:
    with urllib.request.urlopen(live.url + STATUS_PATH, timeout=5) as response:
        return json.load(response)


def wait_for_status(live, condition, timeout=10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = status(live)
        if condition(current):
            return current
        time.sleep(0.02)
    raise AssertionError(f"status never matched: {current}")


def test_an_edit_shows_on_the_open_page_within_a_second(live, page):
    open_page(page, live)
    expect()(page.locator(".body")).to_contain_text("Original body text.")
    save(article(live), GOOD.format(body="Edited once, shown at once."))
    expect()(page.locator(".body")).to_contain_text("Edited once, shown at once.", timeout=1000)


def test_a_burst_of_saves_ends_on_the_last_one(live, page):
    open_page(page, live)
    # Ten saves in about two seconds: some closer than the quiet period, some landing while a
    # build runs, one the write-to-temp-then-rename way editors use.
    pauses = [0.03, 0.3, 0.17, 0.02, 0.25, 0.15, 0.4, 0.16, 0.3, 0.0]
    for number, pause in enumerate(pauses, start=1):
        text = GOOD.format(body=f"Save number {number} of ten.")
        (save_by_rename if number == 5 else save)(article(live), text)
        time.sleep(pause)
    expect()(page.locator(".body")).to_contain_text("Save number 10 of ten.", timeout=2000)
    time.sleep(1.0)  # no late reload brings an older save back
    expect()(page.locator(".body")).to_contain_text("Save number 10 of ten.", timeout=10)
    assert status(live)["ok"]


def test_a_final_rename_save_is_shown_too(live, page):
    open_page(page, live)
    for number in range(1, 4):
        save(article(live), GOOD.format(body=f"Draft {number}."))
        time.sleep(0.05)
    save_by_rename(article(live), GOOD.format(body="Renamed into place last."))
    expect()(page.locator(".body")).to_contain_text("Renamed into place last.", timeout=2000)


def test_a_broken_file_shows_the_overlay_until_it_is_fixed(live, page):
    open_page(page, live)
    page.evaluate("window.sameDocument = true")
    save(article(live), BROKEN)
    broken = wait_for_status(live, lambda s: not s["ok"])
    dialog = page.get_by_role("alertdialog")
    expect()(dialog).to_be_visible(timeout=2000)
    expect()(dialog).to_contain_text("The site did not build")
    for problem in broken["problems"]:
        expect()(dialog).to_contain_text(f"{problem['path']}:{problem['line']}")
        expect()(dialog).to_contain_text(problem["message"])
    assert any(p["path"] == "content/articles/first.md" for p in broken["problems"])
    # The last good page stays underneath, and the page did not reload into it.
    expect()(page.locator(".body")).to_contain_text("Original body text.")
    assert page.evaluate("window.sameDocument") is True
    save(article(live), GOOD.format(body="Fixed and shown."))
    expect()(page.get_by_role("alertdialog")).to_have_count(0, timeout=2000)
    expect()(page.locator(".body")).to_contain_text("Fixed and shown.", timeout=2000)


def test_a_page_opened_while_broken_shows_the_overlay(live, page):
    save(article(live), BROKEN)
    wait_for_status(live, lambda s: not s["ok"])
    open_page(page, live, "/")
    dialog = page.get_by_role("alertdialog")
    expect()(dialog).to_be_visible(timeout=2000)
    expect()(dialog).to_contain_text("content/articles/first.md:")
    # Focus moves to the dialog, and Escape hides it for this build.
    assert page.evaluate("document.activeElement.id") == "digest-preview-overlay"
    page.keyboard.press("Escape")
    expect()(page.get_by_role("alertdialog")).to_have_count(0)


def test_the_overlay_text_has_readable_contrast(live, page):
    save(article(live), BROKEN)
    wait_for_status(live, lambda s: not s["ok"])
    open_page(page, live)
    expect()(page.get_by_role("alertdialog")).to_be_visible(timeout=2000)
    ratios = page.evaluate("""() => {
      const root = document.getElementById('digest-preview-overlay').shadowRoot;
      const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      const luminance = rgb => { const [r, g, b] = rgb.match(/\\d+/g).map(Number);
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b); };
      const background = luminance(getComputedStyle(root.querySelector('.dialog')).backgroundColor);
      return [...root.querySelectorAll('h2, li code, li span, p, button')].map(node => {
        const fg = luminance(getComputedStyle(node).color);
        const [hi, lo] = fg > background ? [fg, background] : [background, fg];
        return (hi + 0.05) / (lo + 0.05);
      });
    }""")
    assert ratios and min(ratios) >= 4.5, ratios


def test_a_stylesheet_change_applies_without_reloading_the_page(live, page):
    open_page(page, live)
    page.evaluate("window.sameDocument = 'still here'")
    css = live.root / "layouts" / "static" / "style.css"
    save(css, css.read_text(encoding="utf-8") + "\nbody { background-color: rgb(1, 2, 3) !important; }\n")
    expect()(page.locator("body")).to_have_css("background-color", "rgb(1, 2, 3)", timeout=2000)
    assert page.evaluate("window.sameDocument") == "still here"
    # A content save after that still reloads the page.
    save(article(live), GOOD.format(body="Content after CSS."))
    expect()(page.locator(".body")).to_contain_text("Content after CSS.", timeout=2000)
    assert page.evaluate("window.sameDocument") is None
