"""Writing: slugs, front matter that loads back exactly, Markdown that renders as the plain text it was."""

from __future__ import annotations

import datetime
import html

import pytest
import yaml

from digest.ingest.write import escape_markdown, front_matter, render_file, slugify, unique_stem, write_new
from digest.source import load_yaml, split_front_matter
from tests.test_ingest import make_project, read_item, run_import

AWKWARD_TITLES = [
    "Stoltenberg: Russian personnel expelled from NATO HQ",
    'He said "no" – and meant it',
    "It's the spies' 'golden age'",
    "no", "No", "yes", "off", "on", "y", "null", "~", "true", "False",
    "2024", "0o17", "0x1F", "1e5", "-1", "+1", ".5", "1_000", "3.14", ".inf", ".nan",
    "2021-10-19", "12:30", "1:20:30",
    "- a leading dash", "# not a comment", "> quoted", "* star", "& anchor", "*alias", "!tag", "%directive",
    "@handle", "`backtick`", "| pipe", "{braces}", "[brackets]", "a: b: c", "key: value", "trailing colon:",
    "Ünïcödé – Ελληνικά – Русский – 日本語 – 🎉", "tab\there", "back\\slash", "'single'", '"double"',
    "…ellipsis", "?question", "---", "...", "a #hash", "x" * 300,
]


@pytest.mark.parametrize("title", AWKWARD_TITLES)
def test_awkward_titles_load_back_exactly(title):
    data = {"title": title, "date": datetime.date(2021, 10, 19), "tags": [title], "source": {"name": title}}
    text = front_matter(data)
    assert yaml.safe_load(text.split("---\n")[1]) == data
    strict = split_front_matter(None, text + "Body.\n").front.value  # the project's own loader
    assert strict["title"] == title and strict["tags"] == [title] and strict["source"]["name"] == title
    assert strict["date"] == "2021-10-19"
    assert "\n" not in text.split("---\n")[1].split("\ndate:")[0]  # the title is never folded


def test_front_matter_is_emitted_in_the_given_key_order_with_unquoted_dates():
    text = front_matter({"title": "T", "subtitle": None, "date": datetime.date(2021, 10, 19), "tags": []})
    assert text == "---\ntitle: T\nsubtitle: null\ndate: 2021-10-19\ntags: []\n---\n"


def test_month_precision_dates_are_text_the_loader_accepts():
    text = front_matter({"date": "2021-10"})
    assert text == "---\ndate: 2021-10\n---\n"
    assert load_yaml("date: 2021-10").value == {"date": "2021-10"}


def test_imported_awkward_titles_round_trip_through_the_files(tmp_path):
    seeds = {f"s{i}.txt": f"{title}\nBy Jane Doe\nMay 1, 2022\nBody text here.\nMore text.\n"
             for i, title in enumerate(['Spies: "a new era"?', "NO to expulsions", "Ελλάδα απελαύνει διπλωμάτες"])}
    root = make_project(tmp_path, seeds)
    written, _ = run_import(root)
    titles = [read_item(p)[0]["title"] for p in sorted(written)]
    assert sorted(titles) == sorted(['Spies: "a new era"?', "NO to expulsions", "Ελλάδα απελαύνει διπλωμάτες"])


@pytest.mark.parametrize("title, slug", [
    ("Russia shuts down NATO mission in Moscow following espionage allegations",
     "russia-shuts-down-nato-mission-in-moscow-following-espionage"),
    ("Stoltenberg: Russian personnel expelled from NATO HQ", "stoltenberg-russian-personnel-expelled-from-nato-hq"),
    ("Ça s’arrête: Erdoğan, Müller & Søren in Łódź", "ca-sarrete-erdogan-muller-soren-in-lodz"),
    ("Straße der Spione", "strasse-der-spione"),
    ("Русский заголовок", "untitled"),
    ("!!!", "untitled"),
    ("", "untitled"),
    ("a" * 80, "a" * 60),
])
def test_slugs(title, slug):
    assert slugify(title) == slug


def test_slugs_are_cut_at_a_word_within_60_characters():
    slug = slugify("one two three four five six seven eight nine ten eleven twelve thirteen fourteen")
    assert len(slug) <= 60 and not slug.endswith("-") and slug.split("-")[-1] in "one two three four five six seven eight nine ten eleven twelve thirteen fourteen".split()


def test_unique_stems_skip_existing_files_and_ones_taken_in_this_run(tmp_path):
    (tmp_path / "spy.md").write_text("x")
    (tmp_path / "spy-2.md").write_text("x")
    taken: set[str] = set()
    assert unique_stem(tmp_path, "spy", taken) == "spy-3"
    assert unique_stem(tmp_path, "spy", taken) == "spy-4"
    assert unique_stem(tmp_path, "other", taken) == "other"


def test_write_new_never_overwrites(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("the editor's text")
    with pytest.raises(FileExistsError):
        write_new(path, "importer text")
    assert path.read_text() == "the editor's text"


def test_write_new_does_not_follow_a_dangling_symlink(tmp_path):
    target = tmp_path / "outside.md"
    (tmp_path / "a.md").symlink_to(target)
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "a.md", "x")
    assert not target.exists()


PLAIN_TEXTS = [
    "# not a heading", "## nor this", "> not a quote", "- not a list", "+ not a list", "* not a list",
    "1. not a list", "2021. A year to remember", "3) not a list", "*not emphasis*", "_not emphasis_",
    "**not strong**", "`not code`", "[not a link](http://example.org)", "[^1] not a footnote", "<b>not html</b>",
    "<http://example.org>", "a | b | c", "~~not struck~~", "::: note", "--- ", "===", "&amp; stays &amp;",
    "back\\slash", "trailing backslash\\", "![not an image](x.png)", "line with [brackets] inside",
    "“Quotes” and ‘apostrophes’ and … ellipses", "THE MILITARY LIAISON MISSION of the North Atlantic",
    "mission and […] recalling", "$100 billion", "snake_case_word and 2*3*4",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS)
def test_escaped_text_renders_as_the_plain_text_it_was(text):
    pytest.importorskip("markdown_it")
    from digest.markdown import make_parser

    rendered = make_parser().render(escape_markdown(text) + "\n", {"body_line": 1, "resolve": lambda k, i: None,
                                                                     "problems": [], "links": []})
    assert rendered.startswith("<p>") and rendered.rstrip().endswith("</p>")
    inner = rendered.strip()[3:-4]
    assert html.unescape(inner) == text.strip()


def test_render_file_separates_paragraphs_with_blank_lines():
    text = render_file({"title": "T"}, ["One.", "# Two."])
    assert text == "---\ntitle: T\n---\nOne.\n\n\\# Two.\n"
