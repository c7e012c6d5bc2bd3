"""The build as a whole: all-or-nothing output, determinism, URLs under a sub-path, pagination."""

import re

from digest.urls import Urls, output_file, slugify
from tests.conftest import build, messages, site_files

ARTICLES = "".join(f"""-- content/articles/a{n}.md --
---
title: Article {n}
date: 2021-10-{10 + n:02d}
tags: [NATO, "Spy <b>games</b>"]
---
Body of article {n} with <script>alert(1)</script> and [a link](javascript:alert(1)).
""" for n in range(1, 6))


def test_two_builds_give_identical_bytes(project):
    root = project(ARTICLES)
    assert build(root).report.ok
    first = site_files(root)
    assert build(root).report.ok
    assert site_files(root) == first


def test_a_failed_build_leaves_the_previous_site_untouched(project):
    root = project(ARTICLES)
    assert build(root).report.ok
    before = site_files(root)
    (root / "content/articles/a1.md").write_text("---\ntitle: [broken\n---\n")
    outcome = build(root)
    assert not outcome.report.ok and not outcome.written
    assert site_files(root) == before
    assert not (root / ".site.staging").exists()


def test_a_template_error_on_any_page_changes_nothing(project):
    root = project(ARTICLES)
    assert build(root).report.ok
    before = site_files(root)
    layout = root / "layouts/tag.html"
    layout.write_text(layout.read_text().replace("{% endblock %}", "{{ page.no_such_thing.deeper }}{% endblock %}"))
    outcome = build(root)
    assert not outcome.report.ok
    assert any(m.startswith("layouts/tag.html:") and "no_such_thing" in m for m in messages(outcome)), messages(outcome)
    assert site_files(root) == before


def test_template_syntax_error_names_file_and_line(project):
    root = project(ARTICLES)
    (root / "layouts/page.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n")
    (root / "content/pages").mkdir(exist_ok=True)
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\nHi\n")
    outcome = build(root)
    assert [m for m in messages(outcome) if m.startswith("layouts/page.html:3: error: template syntax")], messages(outcome)


def test_raw_html_and_script_links_are_escaped(project):
    root = project(ARTICLES)
    assert build(root).report.ok
    page = (root / "site/articles/a1/index.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript' not in page.lower()
    assert "Spy &lt;b&gt;games&lt;/b&gt;" in page


def test_listings_paginate_past_the_configured_count(project):
    root = project(ARTICLES)  # items_per_page: 2 in the test config
    assert build(root).report.ok
    files = site_files(root)
    for path in ("index.html", "page/2/index.html", "page/3/index.html", "tags/nato/page/3/index.html"):
        assert path in files
    assert "page/4/index.html" not in files
    home = files["index.html"].decode()
    assert home.index("Article 5") < home.index("Article 4")  # newest first
    assert 'href="/page/2/"' in home


def test_sub_path_base_url_prefixes_every_internal_link(project):
    root = project(ARTICLES, config="title: T\nbase_url: https://example.org/digest/\nitems_per_page: 2\n")
    assert build(root).report.ok
    page = (root / "site/articles/a1/index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/digest/articles/a1/">' in page
    assert 'href="/digest/style.css"' in page
    for href in re.findall(r'(?:href|src)="([^"]+)"', page):
        assert href.startswith(("/digest/", "#", "https://example.org/digest/")), href


def test_base_url_from_the_command_line_wins(project):
    root = project(ARTICLES)
    assert build(root, base_url="https://other.example/sub/").report.ok
    assert 'href="/sub/tags/nato/"' in (root / "site/articles/a1/index.html").read_text()


def test_every_internal_link_points_at_a_built_file(project):
    root = project(ARTICLES)
    assert build(root).report.ok
    files = site_files(root)
    for name, data in files.items():
        if not name.endswith(".html"):
            continue
        for href in re.findall(r'(?:href|src)="(/[^"#]*)', data.decode()):
            assert output_file(href) in files, f"{name} links to missing {href}"


def test_two_pages_writing_the_same_file_is_an_error_naming_both(project):
    outcome = build(project(ARTICLES + """-- content/pages/tags.md --
---
title: Tags page
---
"""))
    assert "content/pages/tags.md:1: error: tag index and content/pages/tags.md would both write site/tags/index.html" in messages(outcome)


def test_tags_differing_in_case_or_accents_are_one_tag(project):
    root = project("""-- content/articles/a.md --
---
title: A
date: 2021
tags: [Zürich]
---
-- content/articles/b.md --
---
title: B
date: 2021
tags: [zurich]
---
""")
    assert build(root).report.ok
    page = (root / "site/tags/zurich/index.html").read_text()
    assert "2 items" in page


def test_slugs_are_safe_path_segments():
    for text in ("../../etc/passwd", "/absolute", ".", "", "  ", "a/b\\c", "CON", "x" * 500, "Ünïcödé", "Россия"):
        slug = slugify(text)
        assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", slug), (text, slug)
        assert len(slug) <= 80
    assert slugify("Россия") != slugify("Украина")


def test_output_files_stay_inside_the_site():
    urls = Urls("https://example.org/")
    assert output_file(urls.tag("../../x")) == "tags/x/index.html"
    assert output_file("/") == "index.html"
    assert output_file("/feed.xml") == "feed.xml"


def test_drafts_are_left_out_unless_asked_for(project):
    root = project("""-- content/articles/d.md --
---
title: Draft
date: 2021
status: draft
---
""")
    assert build(root).report.ok
    assert not (root / "site/articles/d/index.html").exists()
    assert build(root, drafts=True).report.ok
    assert (root / "site/articles/d/index.html").exists()


def test_a_seed_changed_after_import_is_a_warning(project):
    root = project("""-- seeds/a.txt --
Original text.
-- content/articles/a.md --
---
title: A
date: 2021
source:
  seed: seeds/a.txt
  seed_sha256: 0000
---
""")
    import hashlib
    digest = hashlib.sha256((root / "seeds/a.txt").read_bytes()).hexdigest()
    article = root / "content/articles/a.md"
    article.write_text(article.read_text().replace("0000", digest))
    assert messages(build(root)) == []
    (root / "seeds/a.txt").write_text("Edited text.\n")
    assert messages(build(root)) == [
        "seeds/a.txt:1: warning: changed since it was imported into content/articles/a.md (and maybe other files); "
        "`build.py import --force seeds/a.txt` writes the fresh result beside them as *.md.new"]


def test_the_build_date_appears_only_when_configured(project):
    import time

    root = project(ARTICLES)
    assert build(root).report.ok
    assert "built <time" not in (root / "site/index.html").read_text()
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + "show_build_date: true\n")
    assert build(root).report.ok
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert f'built <time datetime="{today}">' in (root / "site/articles/a1/index.html").read_text()


def test_a_layout_calls_macros_call_blocks_and_our_helpers_alike_inside_and_outside_loops(project):
    """Our helpers are called directly (render._Context); everything else (macros, a call
    block's caller, `loop.cycle`) is called as Jinja calls it."""
    root = project(ARTICLES)
    (root / "layouts/page.html").write_text(
        "{% macro link(item, name) %}<a href=\"{{ item_url(item) }}\">{{ item.title }} {{ tag_url(name) }}</a>{% endmacro %}"
        "{% macro wrap() %}[{{ caller() }}]{% endmacro %}"
        "{{ url('/x/') }}|"
        "{% for name in ['a', 'b'] %}{{ loop.cycle('odd', 'even') }} {{ link(get(('article', 'a' ~ loop.index)), name) }}"
        "{% call wrap() %}{{ name }} {{ url('/' ~ name ~ '/') }}{% endcall %};{% endfor %}")
    (root / "content/pages").mkdir(exist_ok=True)
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\nHi\n")
    assert build(root).report.ok
    assert site_files(root)["about/index.html"].decode() == (
        '/x/|odd <a href="/articles/a1/">Article 1 /tags/a/</a>[a /a/];'
        'even <a href="/articles/a2/">Article 2 /tags/b/</a>[b /b/];')
