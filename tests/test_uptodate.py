"""The up-to-date check: a rebuild with no change stops early, and any change means a full build."""

from __future__ import annotations

import os
import shutil

import pytest

from digest import cache, pipeline, uptodate
from tests.conftest import build, messages, site_files

FILES = """-- content/articles/one.md --
---
title: One
date: 2021-10-19
tags: [NATO]
---
A first article.
-- content/articles/two.md --
---
title: Two
---
A second article, undated: the build warns about it.
"""


@pytest.fixture
def settled(monkeypatch):
    """Files written by a test are seconds old at most: trust them at once (no coarse clock here)."""
    monkeypatch.setattr(uptodate, "SETTLE_NS", 0)


def built(project):
    root = project(FILES)
    first = build(root)
    assert first.report.ok and first.written and not first.current
    return root, first


def test_a_rebuild_with_no_change_reads_nothing_and_repeats_the_warnings(project, settled, monkeypatch):
    root, first = built(project)
    before = site_files(root)
    monkeypatch.setattr(pipeline, "load_content", lambda *a: pytest.fail("the content was read again"))
    again = build(root)
    assert again.current and not again.written
    assert messages(again) == messages(first) and any("no date" in m for m in messages(first))
    assert site_files(root) == before


@pytest.mark.parametrize("change", ["touch content", "same size other bytes", "add content", "remove content",
                                    "touch layout", "edit config", "add site file", "remove site file", "edit site file"])
def test_any_change_to_inputs_or_site_means_a_full_build(project, settled, change):
    root, _ = built(project)
    cold = site_files(root)
    article = root / "content/articles/one.md"
    stat = article.stat()
    if change == "touch content":
        os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    elif change == "same size other bytes":
        article.write_text(article.read_text().replace("first", "fIrst"))
        os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even the old time: the change time gives it away
        cold = None
    elif change == "add content":
        (root / "content/articles/three.md").write_text("---\ntitle: Three\ndate: 2021-10-21\n---\nThird.\n")
        cold = None
    elif change == "remove content":
        (root / "content/articles/two.md").unlink()
        cold = None
    elif change == "touch layout":
        layout = root / "layouts/base.html"
        os.utime(layout, ns=(layout.stat().st_atime_ns, layout.stat().st_mtime_ns + 1_000_000))
    elif change == "edit config":
        (root / "site.yaml").write_text((root / "site.yaml").read_text().replace("Test digest", "Other digest"))
        cold = None
    elif change == "add site file":
        (root / "site/stray.html").write_text("not ours")
    elif change == "remove site file":
        (root / "site/index.html").unlink()
    elif change == "edit site file":
        (root / "site/index.html").write_text("vandalised")
    again = build(root)
    assert again.report.ok and not again.current and again.written
    assert site_files(root) == (cold if cold is not None else cold_build_of(root))
    assert "stray.html" not in site_files(root)


def cold_build_of(root):
    """The site a cold build of a copy of the project gives."""
    copy = root.parent / "cold-copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.*"))
    assert build(copy).written
    return site_files(copy)


def test_other_overrides_are_not_the_same_build(project, settled):
    root, _ = built(project)
    assert build(root, base_url="https://example.org/elsewhere/").written
    assert not build(root).current  # back to the default address: built again, not served from the stamp
    assert build(root).current


def test_a_freshly_changed_input_is_not_trusted_by_the_next_stamp(project):
    root, _ = built(project)  # files written just now, within the settling time
    assert not build(root).current
    assert not (root / ".digest-cache" / uptodate.STAMP_FILE).exists()


@pytest.mark.parametrize("damage", ["not json", '{"key": 1}', "[]", "problems"])
def test_a_damaged_stamp_is_ignored(project, settled, damage):
    root, _ = built(project)
    stamp = root / ".digest-cache" / uptodate.STAMP_FILE
    if damage == "problems":
        data = cache.read_cache_file(stamp)
        data["problems"] = [["x", "not a line", "m", "warning"]]
        cache.write_cache_file(stamp, data)
    else:
        stamp.write_text(damage)
    before = site_files(root)
    again = build(root)
    assert again.report.ok and not again.current and site_files(root) == before


def test_a_failed_build_leaves_no_stamp(project, settled):
    root, _ = built(project)
    (root / "content/articles/one.md").write_text("---\ntitle: [unclosed\n---\n")
    assert not build(root).report.ok
    assert not (root / ".digest-cache" / uptodate.STAMP_FILE).exists()
    assert not build(root).current  # still failing, and never claimed current


def test_a_check_neither_uses_nor_forgets_the_stamp(project, settled):
    root, _ = built(project)
    checked = pipeline.build(root, {"search": False}, write=False)
    assert checked.report.ok and not checked.current  # a check reads everything
    assert build(root).current  # and the site is still known to be current
