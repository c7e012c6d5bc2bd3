"""Reading the editor's files: decoding, front matter splitting, strict YAML with lines."""

import pytest

from digest.source import SourceError, decode_text, load_yaml, split_front_matter


def test_bom_crlf_and_lone_cr_read_as_plain_lf():
    assert decode_text(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"


def test_invalid_utf8_is_reported_at_its_line():
    with pytest.raises(SourceError) as caught:
        decode_text(b"one\ntwo\nthr\xffee\n")
    assert caught.value.line == 3
    assert "not valid UTF-8" in caught.value.message


def test_nul_byte_is_reported_at_its_line():
    with pytest.raises(SourceError) as caught:
        decode_text(b"a\nb\x00\n")
    assert caught.value.line == 2


def test_oversized_file_is_refused():
    with pytest.raises(SourceError, match="limit"):
        decode_text(b"x" * 3_000_000)


def test_missing_opening_fence_gives_a_hint():
    with pytest.raises(SourceError, match="did you forget the opening `---`"):
        split_front_matter(None, "title: x\n")


def test_unterminated_front_matter_gives_a_hint():
    with pytest.raises(SourceError, match="never closed"):
        split_front_matter(None, "---\ntitle: x\nbody\n")


def test_body_line_counts_from_the_file_start():
    file = split_front_matter(None, "---\ntitle: x\ndate: 2021\n---\nHello\n")
    assert file.body == "Hello\n"
    assert file.body_line == 5
    assert file.front.line_of("date") == 3


@pytest.mark.parametrize("text, expected", [
    ("a: no", "no"), ("a: yes", "yes"), ("a: on", "on"), ("a: 2021-10-19", "2021-10-19"),
    ("a: true", True), ("a: 12", 12), ("a: 1.5", 1.5), ("a: ~", None), ("a: '2024'", "2024"),
])
def test_yaml_reads_plain_data_without_yaml_1_1_surprises(text, expected):
    assert load_yaml(text).value == {"a": expected}


def test_lines_of_nested_keys_and_list_items_are_file_lines():
    located = load_yaml("a: 1\nsource:\n  url: x\ntags:\n  - one\n  - two\n", first_line=2)
    assert located.line_of("source", "url") == 4
    assert located.line_of("tags", 1) == 7


def test_duplicate_keys_are_problems_and_the_first_value_stays():
    located = load_yaml("title: a\ntitle: b\n")
    assert located.value == {"title": "a"}
    assert located.problems == [(2, "duplicate key `title` (first given on line 1)")]


@pytest.mark.parametrize("text, message", [
    ("a: !!python/object/apply:os.system ['echo hi']", "tag"),
    ("a: &x [1]\nb: *x", "aliases"),
    ("a: [" * 200 + "]" * 200, "nest"),
    ("a: 1" + "0" * 40, "too large"),
    ("a: [unclosed", "YAML"),
])
def test_unsafe_or_surprising_yaml_is_an_error(text, message):
    with pytest.raises(SourceError, match=message):
        load_yaml(text)


def test_alias_bomb_fails_fast():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c, *c]\n"
    with pytest.raises(SourceError, match="aliases"):
        load_yaml(bomb)


def test_merge_keys_are_not_merged():
    assert load_yaml("<<: {a: 1}").value == {"<<": {"a": 1}}
