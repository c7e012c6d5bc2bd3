"""Markdown rendering: escaping, notes, side notes, heading ids, id links."""

from digest.markdown import plain_text, render_markdown


def resolve(kind, ident):
    return f"/{kind}s/{ident}/" if ident == "known" else None


def render(text):
    return render_markdown(text, 10, resolve)


def test_raw_html_is_escaped_not_passed_through():
    html = render("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>").html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_dangerous_link_schemes_are_not_links():
    for link in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)",
                 "vbscript:x", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd"):
        assert "<a" not in render(f"[x]({link})").html, link


def test_safe_links_and_images_stay():
    html = render("[a](https://example.org/) [b](/x/) [c](#here) ![pic](https://example.org/p.png)").html
    assert 'href="https://example.org/"' in html and 'href="/x/"' in html and 'src="https://example.org/p.png"' in html


def test_note_blocks_render_as_labelled_asides():
    html = render("::: unclear\nIt is *not* known.\n:::\n").html
    assert '<aside class="note note-unclear" aria-label="Unclear"><p class="note-label">Unclear</p>' in html
    assert "<em>not</em>" in html


def test_unknown_note_kind_is_an_error_at_its_line():
    assert render("para\n\n::: rumour\ntext\n:::\n").problems == [
        (12, "unknown note kind `::: rumour`; use one of: context, known, unclear, correction, note")]


def test_footnotes_become_side_notes_and_a_notes_list():
    html = render("Claim.[^1]\n\n[^1]: Said by [someone](https://example.org/).\n").html
    assert '<span class="sidenote" aria-hidden="true"><span class="sidenote-number">1</span> Said by someone.</span>' in html
    assert '<section class="footnotes" aria-label="Notes">' in html
    assert '<li id="fn1" class="footnote-item"><p>Said by <a href="https://example.org/">someone</a>.' in html


def test_heading_ids_are_unique_and_never_take_layout_ids():
    html = render("# Main\n\n## Main\n\n## fn1\n\n## 2021\n\n## Main").html
    assert 'id="main"' not in html
    assert 'id="main-2"' in html and 'id="main-3"' in html and 'id="main-4"' in html
    assert 'id="s-fn1"' in html and 'id="s-2021"' in html


def test_id_links_resolve_or_are_reported():
    rendered = render("[ok](incident:known)\n\n[bad](entity:nobody)")
    assert 'href="/incidents/known/"' in rendered.html
    assert rendered.problems == [(12, "link to unknown entity `nobody`")]


def test_tables_render():
    assert "<table>" in render("| a | b |\n|---|---|\n| 1 | 2 |\n").html


def test_plain_text_leaves_out_markup_and_footnotes():
    assert plain_text("Some *words* here.[^1]\n\n[^1]: hidden note") == "Some words here."


def test_plain_text_keeps_words_apart_across_line_breaks():
    # Editors wrap paragraphs; the text behind excerpts, search and entity mentions must not
    # glue the last word of a line to the first of the next.
    assert plain_text("Russia expelled\nthe *envoys*\nof NATO.  \nThen `code`\\\nended.") == \
        "Russia expelled the envoys of NATO. Then code ended."


def test_entity_links_first_mentions_only_and_the_side_note_copy_has_no_links():
    from digest.entities import Gazetteer
    from digest.model import Entity

    gazetteer = Gazetteer({"nato": Entity("nato", "NATO", "organization"),
                           "acme": Entity("acme", "A&B <Corp>", "organization")})
    text = "NATO and A&B <Corp> met; NATO again.[^1] [NATO](https://example.org/)\n\n[^1]: Per A&B <Corp> and NATO."
    rendered = render_markdown(text, 1, lambda kind, ident: f"/{kind}/{ident}/?a=1&b=2", gazetteer)
    body, notes = rendered.html.split('<section class="footnotes"')
    assert body.count('class="entity-link"') == 2
    assert '<a href="/entity/nato/?a=1&amp;b=2" class="entity-link">NATO</a> and ' \
           '<a href="/entity/acme/?a=1&amp;b=2" class="entity-link">A&amp;B &lt;Corp&gt;</a> met; NATO again.' in body
    side = body.split('<span class="sidenote-number">1</span>')[1].split("</span>")[0]
    assert "<a" not in side and "A&amp;B &lt;Corp&gt; and NATO." in side
    assert rendered.text == "NATO and A&B <Corp> met; NATO again. NATO"


def test_line_endings_and_nul_are_normalized_as_commonmark_says():
    from markdown_it import MarkdownIt

    reference = MarkdownIt("commonmark", {"html": False})
    for text in ("a\r\nb\rc\n\r\n# h\r\rd", "x\0y\r\n\r\n\0", "plain\n\ntext"):
        assert render_markdown(text, 1, resolve).html == reference.render(text).replace("<h1>", '<h1 id="h">')
