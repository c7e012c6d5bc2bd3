"""Hostile text in the editor's files: invalid UTF-8 and control characters are errors at their
line, a BOM, CRLF or lone CR give exactly the output of LF, empty and unterminated files explain
themselves, and a body too big for the Markdown parser is refused with a clear message.

Neighbours: tests/test_source.py (decode_text on its own), tests/test_load.py (missing and
unclosed front matter).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ElementTree

import pytest

from digest.source import MAX_BODY_CHARS, MAX_FILE_BYTES
from tests.conftest import build, messages, site_files

ARTICLE = ("---\ntitle: Spies expelled\ndate: 2021-10-19\ntags: [NATO]\nsummary: Eight staff told to leave.\n---\n"
           "First paragraph.\n\nSecond paragraph,\nwrapped.\n\n::: context\nA note.\n:::\n\nClaim.[^1]\n\n"
           "[^1]: Source.\n")
ENTITIES = "nato:\n  name: NATO\n  type: organization\n"


def errors(outcome) -> list[str]:
    return [str(p) for p in outcome.report.errors]


@pytest.mark.parametrize("name, data, line, byte", [
    ("content/articles/a.md", b"---\ntitle: Caf\xe9\ndate: 2021\n---\n", 2, "e9"),  # Latin-1
    ("content/articles/a.md", b"---\ntitle: A\ndate: 2021\n---\nok\n\nbad \xff here\n", 7, "ff"),
    ("content/articles/a.md", b"---\ntitle: A\ndate: 2021\n---\n\xc0\xae overlong dot\n", 5, "c0"),
    ("content/articles/a.md", b"---\ntitle: A\ndate: 2021\n---\n\xed\xa0\x80 a surrogate\n", 5, "ed"),
    ("content/articles/a.md", b"---\ntitle: A\ndate: 2021\n---\ncut at the end \xe2\x82", 5, "e2"),
    ("content/articles/a.md", b"\xff\xfe-\x00-\x00-\x00\n\x00", 1, "ff"),  # UTF-16
    ("content/articles/a.md", b"---\r\ntitle: A\r\ndate: 2021\r\n---\r\n\r\n\x93quoted\x94\r\n", 6, "93"),  # cp1252
    ("content/entities.yaml", b"nato:\n  name: N\xc3\n  type: organization\n", 2, "c3"),
    ("site.yaml", b"title: T\ndescription: \xfe\n", 2, "fe"),
])
def test_invalid_utf8_is_an_error_at_its_line(project, name, data, line, byte):
    root = project("-- content/articles/ok.md --\n---\ntitle: OK\ndate: 2021\n---\n")
    (root / name).write_bytes(data)
    assert f"{name}:{line}: error: not valid UTF-8 (byte 0x{byte}); save the file as UTF-8" in errors(build(root))


@pytest.mark.parametrize("variant", ["bom", "crlf", "cr", "bom+crlf", "mixed"])
def test_bom_crlf_and_lone_cr_give_exactly_the_output_of_lf(project, variant):
    root = project(f"-- content/articles/a.md --\n{ARTICLE}-- content/entities.yaml --\n{ENTITIES}")
    assert build(root).report.ok
    expected = site_files(root)

    def convert(text: str) -> bytes:
        if variant == "mixed":
            lines = text.split("\n")
            # A lone CR is always followed by CRLF, so no CR and LF pair up into one break by accident.
            text = "".join(line + ("\n", "\r", "\r\n")[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]
        else:
            text = text.replace("\n", "\r\n" if "crlf" in variant else "\r" if variant == "cr" else "\n")
        return (b"\xef\xbb\xbf" if "bom" in variant else b"") + text.encode()

    for name, text in (("content/articles/a.md", ARTICLE), ("content/entities.yaml", ENTITIES),
                       ("site.yaml", (root / "site.yaml").read_text())):
        (root / name).write_bytes(convert(text))
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    assert site_files(root) == expected


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_errors_are_at_the_same_line_whatever_the_line_endings(project, newline):
    text = "---\ntitle: A\ndate: 2021-02-30\n---\n\nBody [x](incident:none).\n"
    root = project()
    (root / "content/articles").mkdir(parents=True)
    (root / "content/articles/a.md").write_bytes(text.replace("\n", newline).encode())
    assert errors(build(root)) == [
        "content/articles/a.md:3: error: `2021-02-30` is not a real date (day is out of range for month)",
        "content/articles/a.md:6: error: link to unknown incident `none`",
    ]


@pytest.mark.parametrize("data, line, message", [
    (b"---\ntitle: A\ndate: 2021\n---\nBody\x00\n", 5, "contains a NUL byte; is this a binary file?"),
    (b"---\ntitle: A\x00\n---\n", 2, "contains a NUL byte; is this a binary file?"),
    (b"---\ntitle: A\ndate: 2021\n---\nRing \x07 the bell\n", 5,
     "contains the invisible control character U+0007 (column 6); delete it"),
    (b"---\ntitle: A\ndate: 2021\n---\n\x1b[31mred\n", 5, "contains the invisible control character U+001B (column 1); delete it"),
    (b"---\ntitle: A\x0bB\ndate: 2021\n---\n", 2, "contains the invisible control character U+000B (column 9); delete it"),
    (b"---\ntitle: A\ndate: 2021\n---\npage\x0cbreak\n", 5, "contains the invisible control character U+000C (column 5); delete it"),
    (b"---\ntitle: A\ndate: 2021\n---\nrub\x7fout\n", 5, "contains the invisible control character U+007F (column 4); delete it"),
    (b"---\ntitle: A\ndate: 2021\n---\nmis\xc2\x85encoded\n", 5,
     "contains the invisible control character U+0085 (column 4); delete it"),
    (b"---\ntitle: A\ndate: 2021\n---\n\n\nnon\xef\xbf\xbfchar\n", 7,
     "contains the invisible control character U+FFFF (column 4); delete it"),
])
def test_nul_and_control_characters_are_errors_at_their_line_and_column(project, data, line, message):
    root = project()
    (root / "content/articles").mkdir(parents=True)
    (root / "content/articles/a.md").write_bytes(data)
    assert errors(build(root)) == [f"content/articles/a.md:{line}: error: {message}"]


def test_tabs_and_unicode_separators_in_a_body_are_text_and_keep_the_feed_valid(project):
    root = project("-- content/articles/a.md --\n---\ntitle: A\ndate: 2021\n---\n"
                   "Tab\there, line\u2028separator, paragraph\u2029separator, zero\u200bwidth, rtl\u202eevil.\n")
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    ElementTree.fromstring((root / "site/feed.xml").read_bytes())


@pytest.mark.parametrize("data, message", [
    (b"", "no front matter: a content file starts with a line `---` (the file is empty)"),
    (b"   \n\t\n\n", "no front matter: a content file starts with a line `---` (the file is empty)"),
    (b"\xef\xbb\xbf", "no front matter: a content file starts with a line `---` (the file is empty)"),
    (b"\r\n\r\n", "no front matter: a content file starts with a line `---` (the file is empty)"),
    (b"Just a body.\n", "no front matter: a content file starts with a line `---` (did you forget the opening `---` line?)"),
    (b" ---\ntitle: A\n---\n", "no front matter: a content file starts with a line `---` (did you forget the opening `---` line?)"),
    (b"---", "front matter opened on line 1 is never closed; did you forget the closing `---`?"),
    (b"---\ntitle: A\n-- \nBody\n", "front matter opened on line 1 is never closed; did you forget the closing `---`?"),
    (b"---\ntitle: A\n----\nBody\n", "front matter opened on line 1 is never closed; did you forget the closing `---`?"),
])
def test_empty_whitespace_and_unterminated_files_explain_themselves(project, data, message):
    root = project()
    (root / "content/articles").mkdir(parents=True)
    (root / "content/articles/a.md").write_bytes(data)
    assert errors(build(root)) == [f"content/articles/a.md:1: error: {message}"]


def test_front_matter_may_end_with_three_dots_and_trailing_spaces(project):
    root = project("-- content/articles/a.md --\n---  \ntitle: A\ndate: 2021\n...\t\nBody.\n")
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    assert "Body." in (root / "site/articles/a/index.html").read_text()


def test_empty_entities_file_and_empty_front_matter(project):
    root = project("-- content/entities.yaml --\n\n-- content/articles/a.md --\n---\n---\n")
    assert errors(build(root)) == ["content/articles/a.md:2: error: `title` is required"]


# --- size caps ------------------------------------------------------------------------------

def test_a_body_too_long_for_the_parser_is_refused_with_its_size(project):
    body = "word " * (MAX_BODY_CHARS // 5 + 1)
    root = project(f"-- content/articles/a.md --\n---\ntitle: A\ndate: 2021\n---\n{body}")
    assert errors(build(root)) == [
        f"content/articles/a.md:5: error: the body is {len(body):,} characters long; the limit is 100,000 "
        "(about 15,000 words), as longer Markdown can make the build very slow: split it into several files"]


def test_a_file_over_the_byte_limit_is_refused_before_anything_reads_it(project):
    root = project()
    (root / "content/articles").mkdir(parents=True)
    (root / "content/articles/a.md").write_bytes(b"---\ntitle: A\n---\n" + b"[" * MAX_FILE_BYTES)
    size = MAX_FILE_BYTES + len(b"---\ntitle: A\n---\n")
    assert errors(build(root)) == [
        f"content/articles/a.md:1: error: file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"]


@pytest.mark.parametrize("unit", ["[", "# a\n"])
def test_pathological_markdown_at_the_cap_still_builds_in_seconds(project, unit):
    """`[` is markdown-it-py's slowest character (~15 µs each); equal headings were quadratic here."""
    body = (unit * MAX_BODY_CHARS)[:MAX_BODY_CHARS]
    root = project(f"-- content/articles/a.md --\n---\ntitle: A\ndate: 2021\n---\n{body}")
    started = time.perf_counter()
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    assert time.perf_counter() - started < 15
