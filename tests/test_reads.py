"""What a page read while rendering (digest/reads.py): a body edit re-renders only the pages that
showed the body, and a layout that reaches bodies or items some other way is still rebuilt right."""

import pytest

from tests.conftest import build, site_files, write_tree
from tests.test_incremental import cold_copy, edit

SITE = """-- content/articles/one.md --
---
title: One
date: 2021-10-19
summary: The first article.
tags: [NATO]
---
First paragraph of one.

Second paragraph of one.
-- content/articles/two.md --
---
title: Two
date: 2021-10-20
tags: [NATO]
# A comment: moving it moves the lines below it, and nothing else.
---
Two has no summary: its cards show its first words.
"""

BODY_EDIT = ("content/articles/one.md", "Second paragraph", "An edited second paragraph")


def test_a_body_edit_behind_a_summary_rerenders_its_page_and_the_full_text_feed_only(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, *BODY_EDIT)
    outcome = build(root)
    assert sorted(outcome.rendered_paths) == ["/articles/one/", "/feed.xml"]
    assert site_files(root) == cold_copy(root, tmp_path)


def test_editing_the_first_words_of_a_body_without_summary_rerenders_its_cards(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, "content/articles/two.md", "Two has no summary", "Two still has no summary")
    outcome = build(root)
    assert {"/", "/tags/nato/", "/articles/two/"} <= set(outcome.rendered_paths)
    assert site_files(root) == cold_copy(root, tmp_path)


def test_editing_words_beyond_the_excerpt_leaves_the_cards_alone(project, tmp_path):
    root = project(SITE.replace("its first words.", "its first words.\n\n" + "Filler words. " * 40 + "\n\nThe end."))
    assert build(root).report.ok
    edit(root, "content/articles/two.md", "The end.", "The very end.")
    outcome = build(root)
    assert sorted(outcome.rendered_paths) == ["/articles/two/", "/feed.xml"]
    assert site_files(root) == cold_copy(root, tmp_path)


# Layouts that reach what a page's context does not name; each is edited, then rebuilt.
ODD_LAYOUTS = {
    "an item's Markdown in a card": ("layouts/partials/card.html", "{{ item.body }}", BODY_EDIT),
    "an item's Markdown by subscript": ("layouts/partials/card.html", "{{ item['body'] }}", BODY_EDIT),
    "an item's Markdown through attr": ("layouts/partials/card.html", "{{ item|attr('body') }}", BODY_EDIT),
    "a body's text in a card": ("layouts/partials/card.html",
                                "{{ site.bodies[(item.content_type, item.id)].text }}", BODY_EDIT),
    "every body listed": ("layouts/404.html", "{% for key, body in site.bodies.items() %}{{ body }}{% endfor %}",
                          BODY_EDIT),
    "every article listed": ("layouts/404.html",
                             "{% for a in site.content.articles.values() %}{{ a.title }}{% endfor %}",
                             ("content/articles/two.md", "title: Two", "title: Two, retitled")),
    "an item looked up": ("layouts/404.html", "{{ get(('article', 'two')).title }}",
                          ("content/articles/two.md", "title: Two", "title: Two, retitled")),
    "an item looked up by a list": ("layouts/404.html", "{{ get(['article', 'two']).title }}",
                                    ("content/articles/two.md", "title: Two", "title: Two, retitled")),
    "an item looked up by a Markup id": ("layouts/404.html", "{{ site.content.articles['two'|e].title }}",
                                         ("content/articles/two.md", "title: Two", "title: Two, retitled")),
    "an item's line numbers": ("layouts/partials/card.html", "{{ item.line_of('tags') }}", (
        "content/articles/two.md", "title: Two\ndate: 2021-10-20\ntags: [NATO]\n# A comment: moving it moves the lines below it, and nothing else.",
        "# A comment: moving it moves the lines below it, and nothing else.\ntitle: Two\ndate: 2021-10-20\ntags: [NATO]")),
    "an item's body looked up": ("layouts/404.html", "{{ site.content.articles.one.body }}", BODY_EDIT),
}


def with_odd_layout(root, name: str) -> tuple:
    """Put one of ODD_LAYOUTS' snippets into its layout; the edit that goes with it."""
    layout, snippet, change = ODD_LAYOUTS[name]
    file = root / layout
    file.write_text(file.read_text().replace("{% endblock %}", snippet + "{% endblock %}", 1)
                    if layout.endswith("404.html") else file.read_text() + snippet)
    return change


@pytest.mark.parametrize("name", sorted(ODD_LAYOUTS))
def test_a_layout_reaching_past_its_context_is_rebuilt_to_the_cold_bytes(project, tmp_path, name):
    root = project(SITE)
    change = with_odd_layout(root, name)
    assert build(root).report.ok
    edit(root, *change)
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_page_that_looked_for_a_missing_item_is_rebuilt_when_it_appears(project, tmp_path):
    root = project(SITE)
    file = root / "layouts/404.html"
    file.write_text(file.read_text().replace(
        "{% endblock %}", "{% if site.content.pages.contact is defined %}Write to us{% endif %}{% endblock %}", 1))
    assert build(root).report.ok
    write_tree(root, "-- content/pages/contact.md --\n---\ntitle: Contact\n---\nWrite.\n")
    assert build(root).report.ok
    assert "Write to us" in (root / "site/404.html").read_text()
    assert site_files(root) == cold_copy(root, tmp_path)


def test_an_item_printed_whole_does_not_show_its_body(project):
    root = project(SITE)
    file = root / "layouts/404.html"
    file.write_text(file.read_text().replace("{% endblock %}", "{{ get(('article', 'one')) }}{{ site }}{% endblock %}", 1))
    assert build(root).report.ok
    page = (root / "site/404.html").read_text()
    assert "title=&#39;One&#39;" in page and "First paragraph" not in page
