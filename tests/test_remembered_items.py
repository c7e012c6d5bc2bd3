"""Parsed items are remembered by file identity: an unchanged file is not read again."""

from __future__ import annotations

import os

import pytest

from digest import cache as cache_module
from digest import load, stored, uptodate
from tests.conftest import build, messages, site_files
from tests.test_spare import cold_of
from tests.test_uptodate import FILES  # two articles, one undated (a warning)

@pytest.fixture
def settled(monkeypatch):
    """Trust files written a moment ago (the real rule waits a second: timestamps are coarse)."""
    monkeypatch.setattr(uptodate, "SETTLE_NS", 0)
    monkeypatch.setattr(uptodate, "still_current", lambda *a: None)  # and never stop early: these tests want full builds
    monkeypatch.setattr(stored, "restore", lambda *a: None)  # nor patch a body edit


@pytest.fixture
def reads(monkeypatch):
    """The content files parsed during a build, by name."""
    parsed, original = [], load.read_content_file

    def counting(path):
        parsed.append(path.name)
        return original(path)

    monkeypatch.setattr(load, "read_content_file", counting)
    return parsed


def test_unchanged_files_are_not_parsed_again_and_their_warnings_repeat(project, settled, reads):
    root = project(FILES)
    first = build(root)
    assert sorted(reads) == ["one.md", "two.md"]
    reads.clear()
    (root / "content/articles/one.md").write_text((root / "content/articles/one.md").read_text() + "\nMore.\n")
    again = build(root)
    assert reads == ["one.md"]
    assert messages(again) == messages(first) and any("no date" in m for m in messages(again))


def test_a_same_size_edit_with_the_old_time_is_still_seen(project, settled, reads, tmp_path):
    root = project(FILES)
    build(root)
    path = root / "content/articles/one.md"
    stat = path.stat()
    path.write_text(path.read_text().replace("One", "Uno"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    reads.clear()
    assert build(root).written
    assert reads == ["one.md"]
    assert site_files(root) == cold_of(root, tmp_path)[0]


def test_fresh_files_are_parsed_every_time(project, reads):
    root = project(FILES)  # written just now: not settled
    build(root)
    reads.clear()
    build(root)
    assert sorted(reads) == ["one.md", "two.md"]


@pytest.mark.parametrize("damage", ["unknown class", "wrong fields", "bad problem", "not a dict"])
def test_a_damaged_entry_is_parsed_again(project, settled, reads, tmp_path, damage):
    root = project(FILES)
    build(root)
    path = root / ".digest-cache" / cache_module.ITEMS_FILE
    data = cache_module.read_cache_file(path)
    entry = data["items"][str(root / "content/articles/two.md")]
    if damage == "unknown class":
        entry["item"] = {"\0class": "Popen", "fields": ["rm"]}
    elif damage == "wrong fields":
        entry["item"]["fields"] = entry["item"]["fields"][:2]
    elif damage == "bad problem":
        entry["problems"] = [["x", "one", "m", "warning"]]
    else:
        data["items"][str(root / "content/articles/two.md")] = "nonsense"
    cache_module.write_cache_file(path, data)
    (root / "content/articles/one.md").write_text((root / "content/articles/one.md").read_text() + "\nMore.\n")
    reads.clear()
    assert build(root).written
    assert sorted(reads) == ["one.md", "two.md"]
    assert site_files(root) == cold_of(root, tmp_path)[0]
