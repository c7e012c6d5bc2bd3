"""The spare folder: the previous site, staged into by the next build, and never trusted."""

from __future__ import annotations

import os
import shutil

import pytest

from digest import output
from tests.conftest import build, site_files
from tests.test_hostile_faults import CONFIG, corpus, tree_hash


def article(root, index: int):
    return root / "content/articles" / f"a{index:03d}.md"


def edit(path, marker: str) -> None:
    path.write_text(path.read_text() + f"\n{marker}\n")


def cold_of(root, where):
    copy = where / "cold"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.*"))
    assert build(copy).written
    return site_files(copy), folders(copy / "site")


def folders(site) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_dir()}


@pytest.fixture
def rebuilt(project):
    """A site built twice, so that .site.spare/ holds the first build's files."""
    root = project(corpus(4), config=CONFIG.format(title="T"))
    assert build(root).written
    edit(article(root, 0), "First edit.")
    assert build(root).written
    assert (root / ".site.spare").is_dir()
    return root


def test_the_spare_is_the_previous_site_and_pages_are_shared_not_copied(rebuilt):
    spare, site = rebuilt / ".site.spare", rebuilt / "site"
    changed, unchanged = "articles/a000/index.html", "articles/a001/index.html"
    assert (spare / changed).read_bytes() != (site / changed).read_bytes()
    assert (spare / unchanged).stat().st_ino == (site / unchanged).stat().st_ino


def test_a_build_stopped_before_the_swap_never_wrote_through_a_shared_file(rebuilt, monkeypatch):
    before = site_files(rebuilt)
    edit(article(rebuilt, 1), "Second edit.")  # a001's file in the spare is shared with site/

    def stop(self):
        raise KeyboardInterrupt("stopped just before the swap")

    monkeypatch.setattr(output.Staging, "commit", stop)
    with pytest.raises(KeyboardInterrupt):
        build(rebuilt)
    assert site_files(rebuilt) == before
    monkeypatch.undo()
    assert build(rebuilt).written and b"Second edit." in (rebuilt / "site/articles/a001/index.html").read_bytes()


def test_strays_empty_folders_and_links_in_the_spare_are_cleared(rebuilt, tmp_path):
    spare = rebuilt / ".site.spare"
    (spare / "stray.html").write_text("stray")
    (spare / "empty/deeper").mkdir(parents=True)
    shutil.rmtree(spare / "articles")
    os.symlink(rebuilt / "content/articles", spare / "articles", target_is_directory=True)
    (spare / "index.html").unlink()
    os.symlink(rebuilt / "content/articles/a002.md", spare / "index.html")
    (spare / "tags/.index.html.123.tmp").write_text("half-written")
    edit(article(rebuilt, 2), "Third edit.")
    content = tree_hash(rebuilt / "content")
    assert build(rebuilt).written
    assert tree_hash(rebuilt / "content") == content  # nothing written through the links
    files, dirs = cold_of(rebuilt, tmp_path)
    assert site_files(rebuilt) == files and folders(rebuilt / "site") == dirs


def test_a_removed_page_leaves_no_file_or_folder_behind(rebuilt, tmp_path):
    article(rebuilt, 3).unlink()
    assert build(rebuilt).written
    edit(article(rebuilt, 2), "Another edit.")
    assert build(rebuilt).written  # stages into the spare that still had a003
    files, dirs = cold_of(rebuilt, tmp_path)
    assert site_files(rebuilt) == files and folders(rebuilt / "site") == dirs
    assert not (rebuilt / "site/articles/a003").exists()


def test_a_spare_that_is_a_link_is_dropped_not_followed(project):
    root = project(corpus(3), config=CONFIG.format(title="T"))
    content = tree_hash(root / "content")
    os.symlink(root / "content", root / ".site.spare", target_is_directory=True)
    assert build(root).written
    assert tree_hash(root / "content") == content
    assert (root / ".site.spare").is_symlink() is False


def test_the_search_index_is_carried_over_only_while_untouched(project, monkeypatch):
    from digest import pipeline

    root = project(corpus(3), config=CONFIG.format(title="T"))
    assert build(root, search=True).written
    index = sorted((root / "site/pagefind").rglob("*.js"))[0]
    original = index.read_bytes()
    os.utime(article(root, 0))  # a rebuild in which no page changes: the index is carried over
    monkeypatch.setattr(pipeline, "index_site", lambda *a: pytest.fail("indexed again although nothing changed"))
    assert build(root, search=True).written and index.read_bytes() == original
    monkeypatch.undo()
    index.write_bytes(b"/* vandalised */")
    assert build(root, search=True).written
    assert index.read_bytes() == original  # indexed afresh, not carried over
