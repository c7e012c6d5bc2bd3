"""Properties: the importer never crashes on arbitrary input, and what it writes loads back identically."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.ingest import import_seeds
from digest.ingest.items import Provenance, make_items
from digest.ingest.segment import split_seed
from digest.ingest.text import SeedError, clean_line, decode_seed, seed_lines
from digest.ingest.write import escape_markdown, render_file
from digest.problems import Report
from digest.source import split_front_matter

# Pieces of real pages mixed into random text, so that the interesting paths are reached.
PAGE_BITS = [
    "October 19, 2021", "19 October 2021", "Jan. 4, 2023", "2021-10-19", "By Jane Doe", "Author: Jane Doe",
    "| Date: 19 October 2021 | Permalink", "Leave a comment", "1 Comment", "Filed under News Tagged with NATO, Russia",
    "Tags: a, b", "Read also:", "- Another story", "Share", "© 2024 Example", "MOSCOW (Reuters) -", "says:", "Reply",
    "You can support our journalism for $5 a month.", "…", "[…]", "Read more »", "#", "*", "[", "`", "<", "|", "&amp;",
    "\n", "\n\n", "\r\n", "\r", "\t", "\u00a0", "\u200b", "\ufeff", "é", "Ελληνικά", "🎉", ":", "'", '"', "no", "0o17",
    "Spies expelled from Brussels", "The ministry said on Monday that the diplomats must leave.",
]
page_text = st.lists(st.one_of(st.sampled_from(PAGE_BITS), st.text(max_size=12)), max_size=40).map(" ".join)
any_text = st.one_of(st.text(max_size=400), page_text)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.one_of(any_text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=300)))
def test_import_never_crashes_and_every_file_it_writes_loads(data):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "seeds").mkdir()
        (root / "seeds" / "a.txt").write_bytes(data)
        report = Report(root=root)
        written = import_seeds([root / "seeds" / "a.txt"], root / "content", report)
        for path in written:
            assert path.resolve().is_relative_to((root / "content").resolve())
            text = path.read_text(encoding="utf-8")
            split_front_matter(path, text)  # the project's strict loader accepts it (raises otherwise)
            front = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
            assert isinstance(front["title"], str) and front["title"].strip() == front["title"] != ""
        if not written:
            assert report.problems  # nothing written is always explained


@SETTINGS
@given(text=any_text)
def test_front_matter_loads_back_identically(text):
    try:
        decoded = decode_seed(text.encode("utf-8", "surrogatepass"))
    except SeedError:
        return
    articles, briefs = make_items(split_seed(seed_lines(decoded)), Provenance("seeds/a.txt", "0" * 64))
    for item in articles + briefs:
        written = render_file(item.front, item.paragraphs)
        front_text = written.split("\n---\n", 1)[0][4:]
        assert yaml.safe_load(front_text) == item.front
        strict = split_front_matter(Path("a.md"), written).front.value
        for key, value in item.front.items():
            if key != "date":  # the project's loader keeps dates as text, to parse them itself
                assert strict[key] == value


@SETTINGS
@given(text=st.text(min_size=1, max_size=80).map(clean_line).filter(bool))
def test_escaped_paragraphs_render_as_their_own_text(text):
    pytest.importorskip("markdown_it")
    from digest.markdown import make_parser

    rendered = make_parser().render(escape_markdown(text) + "\n", {"body_line": 1, "resolve": lambda k, i: None,
                                                                     "problems": [], "links": []})
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n")
    assert html.unescape(rendered[3:-5]) == text
