"""The published site in headless Chromium, served by a plain static HTTP server on 127.0.0.1
at the domain root and under a sub-path (/digest/), each built for exactly that address.

What a reader meets: every page reachable from home loads with no console error and no failed
request; search (the Pagefind page and the header form) finds a word that is only in an article
body and links to that article; the search filters are there; the keyboard reaches the skip link
first, the sections and the search box, with visible focus; axe-core finds no serious or critical
problem on any page, in the light and the dark colour scheme.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import unavailable
from tests.test_published import UNIQUE_WORD, StaticHost, build_site, make_project

MOUNTS = {"root": "", "sub-path": "/digest"}
FOUND_IN = "articles/nato-expels-eight/"  # the one article whose body has UNIQUE_WORD
SEVERE = ("serious", "critical")


def expect():
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """hosts(mount, source="sample") → a running StaticHost over a site built for its address;
    each combination is built and started once per module."""
    started: dict[tuple, StaticHost] = {}

    def get(mount: str, source: str = "sample") -> StaticHost:
        if (mount, source) not in started:
            root = make_project(tmp_path_factory.mktemp(f"{source}-{mount}"), source)
            host = StaticHost(root / "site", MOUNTS[mount])
            build_site(root, host.url)
            started[(mount, source)] = host.start()
        return started[(mount, source)]

    yield get
    for host in started.values():
        host.stop()


def sitemap(host: StaticHost) -> list[str]:
    """Every page the site says it has (absolute URLs, as built for this host)."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.parse(host.site_dir / "sitemap.xml").getroot()
    return [loc.text for loc in root.findall("s:url/s:loc", namespace)]


class Watch:
    """Everything that goes wrong while a page is open: console errors, uncaught exceptions,
    failed requests, HTTP errors and dialogs (an injected alert() would show up here)."""

    def __init__(self, page, expected_status: dict | None = None):
        self.problems: list[str] = []
        self.at = ""
        self.expected_status = expected_status or {}
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.add(f"uncaught exception: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("dialog", lambda dialog: (self.add(f"dialog: {dialog.message}"), dialog.dismiss()))

    def _failed(self, request) -> None:
        # ERR_ABORTED is the browser cancelling a request itself, as it does with the favicon
        # when a test moves on to the next page; a site's own failures show as other errors.
        if request.failure != "net::ERR_ABORTED":
            self.add(f"request failed: {request.url} ({request.failure})")

    def _console(self, message) -> None:
        where = message.location.get("url")
        if message.type == "error" and not (where in self.expected_status and "status of" in message.text):
            self.add(f"console error: {message.text} ({where})")

    def _response(self, response) -> None:
        if response.status >= 400 and self.expected_status.get(response.url) != response.status:
            self.add(f"HTTP {response.status}: {response.url}")

    def add(self, problem: str) -> None:
        self.problems.append(f"{self.at}: {problem}")


def open_page(page, url: str):
    """Go to a page; where it runs scripts (search), let them finish their requests too."""
    response = page.goto(url)
    if page.locator("script[src]").count():
        page.wait_for_load_state("networkidle")
    return response


def is_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith("/") or path.endswith(".html")


# --- every page, crawled from home ----------------------------------------------------------


@pytest.mark.parametrize("mount, source", [("root", "sample"), ("sub-path", "sample"), ("root", "repo"), ("sub-path", "repo")])
def test_every_page_reachable_from_home_loads_cleanly(hosts, page, mount, source):
    host = hosts(mount, source)
    watch = Watch(page)
    queue, seen, other = [host.url], {host.url}, set()
    while queue:
        url = queue.pop(0)
        watch.at = url
        open_page(page, url)
        # Links, and the header search form's action (the search page is reached through it).
        for href in page.eval_on_selector_all("a[href], form[action]", "all => all.map(e => e.href || e.action)"):
            target = href.split("#")[0]
            if not target.startswith(host.origin + "/"):
                continue  # another site: not fetched, there is no network in tests
            assert target.startswith(host.url), f"{url} links outside the site's base URL: {href}"
            if not is_page(target):
                other.add(target)
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    for url in sorted(other):  # feeds and other files: fetched, not opened
        watch.at = url
        assert page.request.get(url).status == 200, url
    assert not watch.problems, "\n".join(watch.problems)
    missing = set(sitemap(host)) - seen
    assert not missing, f"pages no link leads to: {sorted(missing)}"


@pytest.mark.parametrize("mount", MOUNTS)
def test_the_404_page_is_served_complete_at_any_depth(hosts, page, mount):
    host = hosts(mount)
    missing = host.url + "no/such/section/page/"
    watch = Watch(page, expected_status={missing: 404})
    watch.at = missing
    response = page.goto(missing)
    assert response.status == 404
    expect()(page.locator("h1")).to_have_text("Page not found")
    # Its stylesheet loaded (the body is laid out by style.css) and its links lead home.
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    page.get_by_role("link", name="digest", exact=True).click()
    expect()(page).to_have_url(host.url)
    assert not watch.problems, "\n".join(watch.problems)


# --- search ---------------------------------------------------------------------------------


def result_links(page):
    """The link of each search result (not the links to sections within it)."""
    return page.locator(".pagefind-ui__result-inner > .pagefind-ui__result-title .pagefind-ui__result-link")


@pytest.mark.parametrize("mount", MOUNTS)
def test_the_search_page_finds_a_word_only_in_an_article_body(hosts, page, mount):
    host = hosts(mount)
    watch = Watch(page)
    watch.at = "search"
    page.goto(host.url + "search/")
    page.get_by_role("textbox", name="Search the digest").fill(UNIQUE_WORD)
    expect()(result_links(page)).to_have_count(1)
    expect()(result_links(page)).to_have_js_property("href", host.url + FOUND_IN)
    result_links(page).click()
    expect()(page).to_have_url(host.url + FOUND_IN)
    expect()(page.locator("h1")).to_have_text("NATO expels eight Russian mission staff")
    assert not watch.problems, "\n".join(watch.problems)


@pytest.mark.parametrize("mount", MOUNTS)
def test_the_header_search_form_submits_q_and_shows_the_results(hosts, page, mount):
    host = hosts(mount)
    watch = Watch(page)
    watch.at = "header search"
    page.goto(host.url + "timeline/")
    page.get_by_role("searchbox", name="Search").fill(UNIQUE_WORD)
    page.keyboard.press("Enter")
    expect()(page).to_have_url(f"{host.url}search/?q={UNIQUE_WORD}")
    expect()(result_links(page)).to_have_count(1)
    expect()(result_links(page)).to_have_js_property("href", host.url + FOUND_IN)
    assert not watch.problems, "\n".join(watch.problems)


def test_search_filters_by_type_tag_entity_and_incident_kind(hosts, page):
    host = hosts("sub-path")
    page.goto(host.url + "search/?q=NATO")
    names = page.locator(".pagefind-ui__filter-name")
    expect()(names).to_have_text(["Entity", "Incident kind", "Tag", "Type"])
    filters = page.evaluate("""async (base) => {
        const pagefind = await import(base + "pagefind/pagefind.js");
        await pagefind.options({baseUrl: base});
        return await pagefind.filters();
    }""", host.url)
    assert set(filters["type"]) == {"Article", "Brief", "Incident"}
    assert {"NATO", "Russia", "expulsions", "R&D <b>"} <= set(filters["tag"])
    assert {"NATO", "Russia", "Belgium"} <= set(filters["entity"])
    assert set(filters["incident kind"]) == {"expulsion", "closure", "statement"}
    # Ticking a filter narrows the results: only incidents are left.
    expect()(result_links(page).first).to_be_visible()
    names.filter(has_text="Type").click()
    page.get_by_label("Incident (", exact=False).check()
    expect()(result_links(page)).to_have_count(3)
    for href in result_links(page).evaluate_all("links => links.map(a => a.href)"):
        assert href.startswith(host.url + "incidents/"), href


# --- keyboard -------------------------------------------------------------------------------

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        tag: element.tagName.toLowerCase(), id: element.id, cls: element.className,
        nav: Boolean(element.closest("nav.site-nav")),
        href: element.getAttribute("href"), text: (element.textContent || "").trim(),
        visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
                 && box.left < innerWidth && box.top < innerHeight,
        ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
              || style.boxShadow !== "none",
    };
}"""


@pytest.mark.parametrize("path", ["", FOUND_IN])
def test_tab_reaches_the_skip_link_first_and_enter_moves_focus_to_main(hosts, page, path):
    host = hosts("sub-path")
    page.goto(host.url + path)
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert (focused["cls"], focused["href"], focused["text"]) == ("skip", "#main", "Skip to content")
    assert focused["visible"] and focused["ring"], focused
    page.keyboard.press("Enter")
    expect()(page.locator("main")).to_be_focused()
    assert page.evaluate(FOCUSED)["ring"], "main shows no focus after the skip link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("mount", MOUNTS)
def test_the_sections_and_the_search_box_are_reached_by_tab_with_visible_focus(hosts, page, mount):
    host = hosts(mount)
    page.goto(host.url + "incidents/")
    sections = page.eval_on_selector_all("nav.site-nav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(sections) >= 6
    reached = []
    for _ in range(len(sections) + 8):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        reached.append(focused)
        assert focused["visible"] and focused["ring"], f"focus is not visible on {focused}"
        if focused["id"] == "site-search-q":
            break
    assert reached[0]["cls"] == "skip"
    assert [f["href"] for f in reached if f["nav"]] == sections
    assert reached[-1]["id"] == "site-search-q", "Tab never reached the search box"


# --- accessibility (axe-core) ---------------------------------------------------------------


def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed (pip install -r requirements-dev.txt)")
    return Axe()


def severe_violations(checker, page) -> list[str]:
    results = checker.run(page).response
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                        for node in violation["nodes"][:5])
            for violation in results["violations"] if violation["impact"] in SEVERE]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("source", ["sample", "repo"])
def test_axe_finds_no_serious_problem_on_any_page(hosts, page, source, scheme):
    checker = axe()
    host = hosts("sub-path", source)
    page.emulate_media(color_scheme=scheme)
    # Two layouts as well: footnotes listed below the text (light, 1280 px) and as side notes in
    # the margin (dark, wide enough for them).
    page.set_viewport_size({"width": 1280, "height": 800} if scheme == "light" else {"width": 1500, "height": 900})
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    problems = []
    for url in sitemap(host) + [host.url + "no/such/page/"]:
        open_page(page, url)
        problems += [f"{url}: {p}" for p in severe_violations(checker, page)]
    if source == "sample":
        # The search page as a reader uses it: results and an open filter group on screen.
        page.goto(host.url + "search/?q=NATO")
        expect()(result_links(page).first).to_be_visible()
        page.locator(".pagefind-ui__filter-name").first.click()
        problems += [f"search results: {p}" for p in severe_violations(checker, page)]
    assert not problems, "\n".join(problems)
