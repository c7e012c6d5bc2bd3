"""Hostile content, injection: nothing an editor types runs as script or markup on any page,
feed, meta tag, JSON-LD block or search record; template syntax is shown, never executed.

Every text field of every kind of item carries the same payload; every file of the built site
is then parsed (HTML with the standard library's tokenizer, XML with its parser, JSON-LD as
JSON) and checked for what a browser or feed reader would run or follow.
Neighbours: tests/test_markdown.py (escaping, links by one renderer call), tests/test_build.py
(raw HTML in one body).
"""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from digest.markdown import render_markdown
from tests.conftest import DEFAULT_CONFIG, REPO, build, messages, site_files, write_tree

# One string that tries every way out: tags, attributes in either quote, a script block's end,
# an HTML comment, CDATA's end, an entity, JSON's own quote, a line separator, and template syntax.
PAYLOAD = ("<script>alert(1)</script>\"'><img src=x onerror=alert(2)></script><!--]]>&amp;"
           "\\u2028\u2028 {{ config.title }}{% raw %}{# c #}${7*7}")
QUOTED = json.dumps(PAYLOAD)  # a YAML double-quoted scalar is a superset of a JSON string

SCRIPT_SCHEMES = ("javascript", "vbscript", "data", "livescript", "file")
OUR_SCRIPTS = {"/search.js", "/pagefind/pagefind-ui.js"}


def field_project(project):
    """Every text field that reaches a page, a feed or a meta tag holds PAYLOAD."""
    return project(f"""-- content/articles/a.md --
---
title: {QUOTED}
subtitle: {QUOTED}
date: 2021-10-19
author: {QUOTED}
source:
  name: {QUOTED}
  url: https://example.org/a?q=%22%3E%3Cscript%3E
  seed: {QUOTED}
  seed_sha256: {QUOTED}
summary: {QUOTED}
tags: [{QUOTED}, NATO]
incidents: [inc]
further_reading: [{QUOTED}]
unsure: [{QUOTED}]
---
Body {PAYLOAD}

# {PAYLOAD}

::: context
{PAYLOAD}
:::

Note.[^1]

[^1]: {PAYLOAD}
-- content/articles/b.md --
---
title: Plain neighbour
date: 2021-10-20
tags: [NATO]
incidents: [inc]
---
The body of b, with no summary, so its excerpt comes from here: {PAYLOAD}
-- content/briefs/br.md --
---
title: {QUOTED}
found_with: a
summary: {QUOTED}
tags: [{QUOTED}]
---
{PAYLOAD}
-- content/incidents/inc.md --
---
title: {QUOTED}
date: 2021-10
kind: expulsion
actors: [spy]
summary: {QUOTED}
tags: [{QUOTED}]
---
{PAYLOAD}
-- content/pages/about.md --
---
title: {QUOTED}
summary: {QUOTED}
---
{PAYLOAD}
-- content/entities.yaml --
spy:
  name: {QUOTED}
  type: organization
  description: {QUOTED}
""", config=f"title: {QUOTED}\ndescription: {QUOTED}\nauthor: {QUOTED}\nbase_url: https://example.org/\n")


class HtmlScan(HTMLParser):
    """What a browser would act on in one HTML file: elements, attributes, scripts, ids."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.text: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attributes, body = self.scripts[-1]
            self.scripts[-1] = (attributes, body + data)
        else:
            self.text.append(data)

    def ids(self) -> list[str]:
        return [attributes["id"] for _, attributes in self.elements if "id" in attributes]


def scan(data: bytes) -> HtmlScan:
    parser = HtmlScan()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def words(text: str) -> str:
    """Text as a reader sees it: entities decoded, whitespace runs as one space."""
    return " ".join(html.unescape(text).split())


def url_scheme(value: str) -> str | None:
    """The scheme a browser reads from an attribute value (WHATWG URL: C0 and space trimmed,
    tab and newline removed anywhere), or None for a relative URL."""
    value = re.sub(r"[\t\n\r]", "", value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                 "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    return match.group(1).lower() if match else None


def assert_nothing_runs(name: str, page: HtmlScan) -> None:
    """No injected element, handler, script or script URL in one parsed page."""
    for tag, attributes in page.elements:
        assert tag != "img" or attributes.get("src") != "x", (name, tag, attributes)
        for attribute, value in attributes.items():
            assert not attribute.startswith("on"), (name, tag, attribute)
            if attribute in ("href", "src", "action", "formaction", "srcset", "poster", "data"):
                assert url_scheme(value) not in SCRIPT_SCHEMES, (name, tag, attribute, value)
    for attributes, body in page.scripts:
        if "src" in attributes:
            assert any(attributes["src"].endswith(ours) for ours in OUR_SCRIPTS), (name, attributes)
            assert not body.strip(), name
        else:
            assert attributes.get("type") == "application/ld+json", (name, attributes, body[:80])
            json.loads(body)  # the whole block is one JSON value: nothing broke out of it
            assert "</" not in body and "<!--" not in body, name


def make_project(root, files: str, config: str = DEFAULT_CONFIG):
    """What the `project` fixture does, for module-scoped fixtures."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "content").mkdir()
    (root / "site.yaml").write_text(config, encoding="utf-8")
    write_tree(root, files)
    return root


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The field project, built once for the tests that only read it."""
    root = field_project(lambda files, config: make_project(tmp_path_factory.mktemp("injection"), files, config))
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    return root, site_files(root)


def test_every_field_reaches_the_pages_as_text_only(hostile_site):
    root, files = hostile_site
    pages = {name: data for name, data in files.items() if name.endswith(".html")}
    assert len(pages) > 10
    for name, data in pages.items():
        assert_nothing_runs(name, scan(data))
    # The payload is shown to readers, literally, where each field appears.
    article = scan(files["articles/a/index.html"])
    text = "".join(article.text)
    assert PAYLOAD in text  # title, subtitle, summary, author …
    assert text.count(PAYLOAD) >= 6
    assert "{{ config.title }}{% raw %}{# c #}" in text  # template syntax shown, not run


def test_meta_tags_hold_the_payload_as_attribute_text(hostile_site):
    _, files = hostile_site
    page = scan(files["articles/a/index.html"])
    meta = {(a.get("property") or a.get("name")): a.get("content") for t, a in page.elements if t == "meta"}
    assert meta["og:title"] == PAYLOAD
    assert meta["og:description"] == PAYLOAD
    assert meta["description"] == PAYLOAD
    assert meta["og:site_name"] == PAYLOAD
    tags = [a["content"] for t, a in page.elements if t == "meta" and a.get("property") == "article:tag"]
    assert PAYLOAD in tags
    title = next(i for i, (t, _) in enumerate(page.elements) if t == "title")
    assert title is not None and f"{PAYLOAD} · {PAYLOAD}" in "".join(page.text)


def test_json_ld_carries_the_payload_as_json_strings(hostile_site):
    _, files = hostile_site
    raw = files["articles/a/index.html"].decode()
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and "\u2028" not in block  # escaped as \u003c and \u2028
    data = json.loads(block)
    assert data["headline"] == data["description"] == data["author"]["name"] == data["publisher"]["name"] == PAYLOAD
    assert PAYLOAD in data["keywords"]


def test_excerpt_from_the_body_is_text_in_meta_and_json_ld(hostile_site):
    _, files = hostile_site
    page = scan(files["articles/b/index.html"])
    description = next(a["content"] for t, a in page.elements if t == "meta" and a.get("name") == "description")
    assert "<script>alert(1)</script>" in description  # the reader sees the characters …
    assert_nothing_runs("articles/b/index.html", page)  # … and nothing runs


def test_feeds_and_sitemap_are_well_formed_and_carry_text_only(hostile_site):
    _, files = hostile_site
    feeds = [name for name in files if name.endswith(".xml")]
    assert "feed.xml" in feeds and "sitemap.xml" in feeds and any(n.startswith("tags/") for n in feeds)
    atom = "{http://www.w3.org/2005/Atom}"
    for name in feeds:
        tree = ElementTree.fromstring(files[name])  # well-formed despite quotes, ]]>, U+2028
        for entry in tree.iter(f"{atom}entry"):
            assert entry.findtext(f"{atom}title") in (PAYLOAD, "Plain neighbour")
            content = entry.findtext(f"{atom}content")  # HTML a feed reader will render
            assert (content is not None) == (name == "feed.xml"), name  # full text in the site feed only
            if content is not None:
                assert_nothing_runs(f"{name} entry", scan(content.encode()))
            summary = entry.findtext(f"{atom}summary")  # the summary, or the body's words as text
            assert summary == PAYLOAD or summary.endswith(words(PAYLOAD)), summary
    feed = ElementTree.fromstring(files["feed.xml"])
    assert feed.findtext(f"{atom}title") == PAYLOAD
    assert feed.find(f"{atom}author").findtext(f"{atom}name") == PAYLOAD


def test_robots_and_every_other_file_keep_the_payload_out(hostile_site):
    _, files = hostile_site
    assert b"<script>alert(1)" not in files["robots.txt"]
    for name, data in files.items():
        if name.endswith((".html", ".xml")):
            assert b"<img src=x" not in data, name
            assert b"<script>alert(" not in data, name


# --- links ----------------------------------------------------------------------------------

DANGEROUS_LINKS = [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "JaVaScRiPt:alert(1)", "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&#X6a;&#x61;vascript:alert(1)",
    "java&#x09;script:alert(1)", "java&#10;script:alert(1)", "java&#13;script:alert(1)", "&#0000106avascript:alert(1)",
    "vbscript:msgbox(1)", "VBScript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>", "data:image/svg+xml,<svg onload=alert(1)>",
    "livescript:alert(1)", "file:///etc/passwd", "%6Aavascript:alert(1)", "javas%63ript:alert(1)",
    "java\u00adscript:alert(1)", "<javascript:alert(1)>", "javascript:alert(1)//http://ok",
]


def _link_forms(target: str) -> list[str]:
    bare = target[1:-1] if target.startswith("<") else target
    return [
        f"[inline]({target})",
        f"![image]({target})",
        f"[reference][r]\n\n[r]: {target}",
        f"[titled]({target} \"title\")",
        f"<{bare}>" if " " not in bare and "<" not in bare else "plain",
        f"Note.[^1]\n\n[^1]: [in a footnote]({target})",
        f"::: context\n[in a note]({target})\n:::",
        f"| a |\n|---|\n| [in a table]({target}) |",
        f"# [in a heading]({target})",
    ]


@pytest.mark.parametrize("target", DANGEROUS_LINKS)
def test_script_links_in_any_case_encoding_or_position_are_never_links(target):
    for form in _link_forms(target):
        rendered = render_markdown(form + "\n", 1, lambda kind, ident: None)
        page = scan(rendered.html.encode())
        assert_nothing_runs(form, page)


def test_links_that_stay_links_are_only_the_safe_ones():
    rendered = render_markdown("[a](https://example.org/x) [b](/rel/) [c](#frag) [d](mailto:x@example.org) "
                               "[e](%6Aavascript:alert(1))\n", 1, lambda kind, ident: None)
    hrefs = [a["href"] for t, a in scan(rendered.html.encode()).elements if t == "a"]
    # The percent-encoded one is a relative path to a browser, not a scheme: harmless, so kept.
    assert hrefs == ["https://example.org/x", "/rel/", "#frag", "mailto:x@example.org", "%6Aavascript:alert(1)"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x",
                                 'https://example.org/" onmouseover="alert(1)', "https://example.org/<script>",
                                 "//evil.example/", "http:javascript:alert(1)"])
def test_source_url_must_be_a_plain_web_address(project, url):
    root = project(f"""-- content/articles/a.md --
---
title: A
date: 2021
source:
  url: {json.dumps(url)}
---
""")
    outcome = build(root)
    assert messages(outcome) == [
        f"content/articles/a.md:5: error: `source.url` should be an http:// or https:// address, not `{url}`"]


# --- heading ids ----------------------------------------------------------------------------


def layout_ids() -> list[str]:
    """Every id the layouts write, with template parts filled in as a page would fill them."""
    found = set()
    for path in (REPO / "layouts").rglob("*.html"):
        for value in re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")):
            for filled in (re.sub(r"\{\{[^}]*\}\}", "2021", value), re.sub(r"\{\{[^}]*\}\}", "person", value),
                           re.sub(r"\{\{[^}]*\}\}", "organization", value)):
                found.add(filled)
    return sorted(found | {"main", "fn1", "fnref1", "footnotes", "digest-preview-overlay"})


def test_heading_ids_never_clash_with_the_pages_own_ids(project):
    ids = layout_ids()
    assert {"main", "related-title", "site-header"} <= set(ids)
    headings = "\n\n".join(f"## {ident.replace('-', ' ')}\n\n## {ident}" for ident in ids)
    root = project(f"""-- content/articles/a.md --
---
title: A
date: 2021-10-19
tags: [NATO]
incidents: [inc]
further_reading: [More]
---
{headings}

Claim.[^1]

[^1]: Note.
-- content/briefs/br.md --
---
title: Brief
found_with: a
tags: [NATO]
---
{headings}
-- content/incidents/inc.md --
---
title: Incident
date: 2021
kind: arrest
relations:
  - follow-up: other
---
{headings}
-- content/incidents/other.md --
---
title: Other
date: 2020
kind: arrest
---
-- content/pages/about.md --
---
title: About
---
{headings}
""")
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    for name, data in site_files(root).items():
        if name.endswith(".html"):
            page_ids = scan(data).ids()
            duplicates = sorted({i for i in page_ids if page_ids.count(i) > 1})
            assert not duplicates, (name, duplicates)


def test_a_thousand_equal_headings_get_distinct_ids_quickly():
    import time

    started = time.perf_counter()
    rendered = render_markdown("# Same\n\n" * 20_000, 1, lambda kind, ident: None)
    assert time.perf_counter() - started < 10  # was quadratic: 20,000 headings took about 20 s
    ids = re.findall(r'id="([^"]+)"', rendered.html)
    assert len(ids) == len(set(ids)) == 20_000
    assert ids[:3] == ["same", "same-2", "same-3"] and ids[-1] == "same-20000"


def test_heading_ids_of_layout_shapes_are_moved_aside():
    rendered = render_markdown("# Related title\n\n# Year 2021\n\n# Site search q\n\n# Entity coverage\n\n# Main\n",
                               1, lambda kind, ident: None)
    assert re.findall(r'id="([^"]+)"', rendered.html) == [
        "related-title-2", "s-year-2021", "s-site-search-q", "s-entity-coverage", "main-2"]


# --- the search index -----------------------------------------------------------------------


def test_search_records_keep_the_payload_as_text_and_pagefind_escapes_it(project):
    root = project(f"""-- content/articles/a.md --
---
title: {QUOTED}
date: 2021-10-19
tags: [{QUOTED}]
---
Body {PAYLOAD}
""")
    outcome = build(root, search=True)
    assert outcome.report.ok, messages(outcome)
    records = []
    for fragment in sorted((root / "site/pagefind/fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        records.append(json.loads(data[len(b"pagefind_dcd"):]))
    record = next(r for r in records if r["url"] == "/articles/a/")
    # Pagefind stores text as the reader saw it (entities decoded) …
    assert words(record["meta"]["title"]) == words(PAYLOAD)
    assert [words(tag) for tag in record["filters"]["tag"]] == [words(PAYLOAD)]
    # … and its client escapes < and > before building the excerpt it puts into innerHTML, while
    # titles are set as text. The pinned Pagefind must keep doing so: a newer one is reviewed here.
    client = (root / "site/pagefind/pagefind.js").read_text()
    assert 'fragment.content.replace(/</g,"&lt;").replace(/>/g,"&gt;")' in client
    assert "innerHTML" not in (root / "site/search.js").read_text()


# --- raw texts pasted into seeds/ -----------------------------------------------------------

def test_a_hostile_seed_imports_as_text_and_builds_a_safe_site(project):
    from digest.ingest import import_seeds
    from digest.problems import Report

    root = project()
    (root / "seeds").mkdir()
    (root / "seeds/evil.txt").write_text(
        "By Jane <img src=x onerror=alert(2)> Doe\nOctober 19, 2021\n---\ntitle: pwned\n---\n"
        "The ministry said [click](javascript:alert(3)) and <iframe src=javascript:alert(4)></iframe> on Monday that "
        "the diplomats must leave.\n!!python/object/apply:os.system [\"touch MARK\"] is what it says, with "
        "{% include 'base.html' %} and {{ config.title }} too.\nTags: <b>NATO</b>, Russia\n", encoding="utf-8")
    report = Report(root=root)
    written = import_seeds([root / "seeds/evil.txt"], root / "content", report)
    assert [p.name for p in written] == ["by-jane-img-src-x-onerror-alert-2-doe.md"]
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    page_bytes = (root / "site/articles/by-jane-img-src-x-onerror-alert-2-doe/index.html").read_bytes()
    page = scan(page_bytes)
    assert_nothing_runs("imported article", page)
    text = "".join(page.text)
    assert "By Jane <img src=x onerror=alert(2)> Doe" in text  # the headline, shown as typed
    assert "[click](javascript:alert(3)) and <iframe src=javascript:alert(4)></iframe>" in text
    assert "{% include 'base.html' %} and {{ config.title }} too." in text
    # The fake front matter in the text never became the page's own.
    assert "<title>By Jane &lt;img src=x onerror=alert(2)&gt; Doe · " in page_bytes.decode()
    assert not (root / "MARK").exists()
