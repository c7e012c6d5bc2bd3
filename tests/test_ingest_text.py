"""Bad input: each bad seed gives a clear message (or is handled) and the other seeds are still imported."""

from __future__ import annotations

import pytest

from digest.ingest import text as seed_text
from digest.ingest.text import MAX_SEED_BYTES, clean_line, seed_lines
from tests.test_ingest import ONE_ARTICLE, make_project, read_item, run_import


def errors(report) -> list[str]:
    return [str(p) for p in report.errors]


@pytest.mark.parametrize("data, message", [
    (b"", "seeds/bad.txt:1: error: seed is empty: there is no text to import"),
    (b"  \n\n\t \r\n", "seeds/bad.txt:1: error: seed is empty: there is no text to import"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "seeds/bad.txt:3: error: this looks like a binary file (it contains NUL bytes), "
                                             "not text copied from a page"),
    (b"Title\nline two\ncaf\xe9 au lait\n", "seeds/bad.txt:3: error: not valid UTF-8 (byte 0xe9 at line 3); save the file as UTF-8"),
    (b"Title\r\nline two\r\n\xff\r\n", "seeds/bad.txt:3: error: not valid UTF-8 (byte 0xff at line 3); save the file as UTF-8"),
    (b"Title\rline two\r\xc3\x28", "seeds/bad.txt:3: error: not valid UTF-8 (byte 0xc3 at line 3); save the file as UTF-8"),
    (bytes(range(1, 32)) * 50, "seeds/bad.txt:1: error: this looks like a binary file (many control characters), "
                               "not text copied from a page"),
])
def test_bad_seeds_give_a_clear_error_and_the_others_are_imported(tmp_path, data, message):
    root = make_project(tmp_path, {"bad.txt": data, "good.txt": ONE_ARTICLE})
    written, report = run_import(root)
    assert errors(report) == [message]
    assert [p.name for p in written] == ["spy-ring-broken-up-in-vienna.md"]
    assert [p.name for p in (root / "content" / "articles").iterdir()] == ["spy-ring-broken-up-in-vienna.md"]


def test_a_huge_seed_is_refused_by_size(tmp_path):
    root = make_project(tmp_path, {"good.txt": ONE_ARTICLE})
    with (root / "seeds" / "huge.txt").open("wb") as handle:
        handle.truncate(MAX_SEED_BYTES + 1)  # sparse: no need to write 5 MB
    written, report = run_import(root)
    [message] = errors(report)
    assert message.startswith("seeds/huge.txt:1: error: seed is 5,000,001 bytes; the limit is 5,000,000 bytes (5 MB)")
    assert len(written) == 1


def test_a_seed_just_under_the_limit_is_imported(tmp_path):
    paragraph = "The agency said the network had operated for years across the region. " * 10 + "\n"
    text = "A very long report\nMay 1, 2022\n" + paragraph * (MAX_SEED_BYTES // len(paragraph) - 1)
    assert len(text.encode()) <= MAX_SEED_BYTES
    root = make_project(tmp_path, {"long.txt": text})
    written, report = run_import(root)
    assert errors(report) == [] and len(written) == 1


@pytest.mark.parametrize("encoded", [
    "\ufeff" + ONE_ARTICLE,                           # UTF-8 with a BOM
    ONE_ARTICLE.replace("\n", "\r\n"),                # Windows line endings
    ONE_ARTICLE.replace("\n", "\r"),                  # old Mac line endings
    ONE_ARTICLE.replace("\n", "  \t\n"),              # trailing blanks
    ONE_ARTICLE.replace("Police arrested", "Police\u00a0arrested\u200b"),  # no-break and zero-width spaces
])
def test_boms_line_endings_and_odd_spaces_are_handled(tmp_path, encoded):
    root = make_project(tmp_path, {"a.txt": encoded})
    [path], report = run_import(root)
    front, body = read_item(path)
    assert errors(report) == []
    assert front["title"] == "Spy ring broken up in Vienna" and front["author"] == "Jane Doe"
    assert body == "Police arrested three people on Friday.\n\nThe suspects were remanded.\n"
    assert b"\r" not in path.read_bytes()


def test_utf16_with_a_bom_is_decoded(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE.encode("utf-16")})
    [path], report = run_import(root)
    assert read_item(path)[0]["title"] == "Spy ring broken up in Vienna"


def test_line_numbers_count_every_kind_of_line_break():
    lines = seed_lines("one\r\ntwo\rthree\n\n\nfour")
    assert [(line.number, line.text, line.gap) for line in lines] == [(1, "one", 0), (2, "two", 0), (3, "three", 0),
                                                                       (6, "four", 2)]


def test_clean_line_drops_control_and_invisible_characters():
    assert clean_line("  Spy\u00a0ring\x07 broken\u200b up\u00ad  ") == "Spy ring broken up"
    assert clean_line("e\u0301") == "é"  # NFC


def test_hard_wrapped_text_is_joined_back_into_paragraphs():
    wrapped = ("Lithuania has declared two diplomats at the Belarusian embassy in Vilnius\n"
               "persona non grata, the foreign ministry said on Thursday, citing activities\n"
               "incompatible with their status and the conventions that govern embassies.\n"
               "\n"
               "The ministry did not name the diplomats. A spokeswoman said the decision\n"
               "followed a long period of observation by the State Security Department and\n"
               "came after consultations with the country's partners in the European Union.\n")
    lines = seed_lines(wrapped)
    assert len(lines) == 2
    assert lines[0].text.startswith("Lithuania has declared") and lines[0].text.endswith("govern embassies.")


def test_a_headline_and_its_lowercase_byline_are_not_joined():
    lines = seed_lines("Spy ring broken up in the city of Vienna today\nby Jane Doe\nhttps://example.org/x\n")
    assert [line.text for line in lines] == ["Spy ring broken up in the city of Vienna today", "by Jane Doe",
                                             "https://example.org/x"]


def test_decode_errors_name_the_line_of_the_first_bad_byte():
    with pytest.raises(seed_text.SeedError) as caught:
        seed_text.decode_seed(b"ok\nok\nok\n\xe2\x82")
    assert caught.value.line == 4
