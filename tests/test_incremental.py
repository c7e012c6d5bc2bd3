"""Incremental builds: after any edits, a rebuild gives exactly the bytes of a cold build."""

import shutil
from unittest import mock

import pytest

from digest import bodies as bodies_module
from digest import cache as cache_module
from digest import stored, uptodate
from digest import related as related_module
from tests.conftest import build, site_files, write_tree

SITE = """-- content/entities.yaml --
nato:
  name: NATO
  type: organization
  aliases: [North Atlantic Treaty Organization]
russia:
  name: Russia
  type: country
  demonyms: [Russian]
-- content/articles/one.md --
---
title: One
date: 2021-10-19
tags: [NATO, Russia]
incidents: [expulsion]
---
NATO expelled Russian staff; see [the closure](incident:closure).[^1]

[^1]: A note.
-- content/articles/two.md --
---
title: Two
date: 2021-10-20
tags: [NATO]
incidents: [closure]
---
Russia closed the mission.
-- content/incidents/expulsion.md --
---
title: Expulsion
date: 2021-10-06
kind: expulsion
actors: [nato, russia]
---
-- content/incidents/closure.md --
---
title: Closure
date: 2021-10
kind: closure
actors: [russia]
relations:
  - retaliation-for: expulsion
---
-- content/briefs/lead.md --
---
title: A lead
found_with: one
---
Russian teaser.
-- content/pages/about.md --
---
title: About
---
About the digest.
"""

EDITS = {
    "body": ("content/articles/one.md", "NATO expelled", "The alliance expelled"),
    "title": ("content/articles/two.md", "title: Two", "title: Two, retitled"),
    "tags": ("content/articles/two.md", "tags: [NATO]", "tags: [Russia, Espionage]"),
    "date": ("content/incidents/closure.md", "date: 2021-10", "date: 2021-11-02"),
    "relation": ("content/incidents/closure.md", "retaliation-for", "response-to"),
    "entities": ("content/entities.yaml", "demonyms: [Russian]", "demonyms: [Russian]\n  aliases: [Moscow]"),
    "layout": ("layouts/partials/meta.html", "Date unknown", "Undated"),
    "config": ("site.yaml", "title: Test digest", "title: Renamed digest"),
    "static": ("layouts/static/style.css", "--measure: 40rem;", "--measure: 42rem;"),
}


def cold_copy(root, tmp_path):
    """A cold build of the same project in a fresh folder: no cache, no previous site."""
    copy = tmp_path / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.*"))
    assert build(copy).report.ok
    return site_files(copy)


def edit(root, path, old, new):
    file = root / path
    text = file.read_text()
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1))


def test_a_rebuild_without_changes_renders_nothing_and_changes_nothing(project):
    root = project(SITE)
    assert build(root).report.ok
    before = site_files(root)
    again = build(root)
    assert again.report.ok and again.rendered == 0
    assert site_files(root) == before


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_rebuilds_to_exactly_the_cold_bytes(project, tmp_path, name):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, *EDITS[name])
    outcome = build(root)
    assert outcome.report.ok, [str(p) for p in outcome.report.problems]
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_body_edit_rerenders_only_the_pages_that_show_it(project):
    root = project(SITE)
    first = build(root)
    edit(root, *EDITS["body"])
    second = build(root)
    assert 0 < second.rendered < first.rendered


def test_additions_renames_and_deletions_match_a_cold_build(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    write_tree(root, """-- content/articles/three.md --
---
title: Three
date: 2021-12-01
tags: [NATO]
---
North Atlantic Treaty Organization news.
""")
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)
    (root / "content/articles/three.md").rename(root / "content/articles/four.md")
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)
    (root / "content/briefs/lead.md").unlink()
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_link_target_that_appears_later_rerenders_the_linking_body(project, tmp_path):
    root = project(SITE + """-- content/articles/three.md --
---
title: Three
date: 2021
---
See [four](article:four).
""")
    assert not build(root).report.ok  # article:four does not exist yet
    write_tree(root, "-- content/articles/four.md --\n---\ntitle: Four\ndate: 2021\n---\nHi.\n")
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)


@pytest.mark.parametrize("garbage", ["", "{not json", "[]", '{"version": 1}', "truncated", "flipped", None])
def test_a_corrupt_cache_is_ignored_and_rebuilt(project, tmp_path, garbage):
    root = project(SITE)
    assert build(root).report.ok
    for name in (cache_module.CACHE_FILE, cache_module.BODIES_FILE):
        path = root / ".digest-cache" / name
        if garbage is None and name == cache_module.BODIES_FILE:  # well-formed, valid checksum, lies inside
            data = cache_module.read_bodies_file(path)
            assert data["bodies"]
            for entry in data["bodies"].values():
                entry["html"] = "<p>forged</p>"
                entry["refs"] = "nonsense"
            cache_module.write_bodies_file(path, data)
        elif garbage is None:
            data = cache_module.read_cache_file(path)
            data["pages"] = {page: "forged" for page in data["pages"]}
            cache_module.write_cache_file(path, data)
        elif garbage == "truncated":
            path.write_bytes(path.read_bytes()[:-10])
        elif garbage == "flipped":
            data = bytearray(path.read_bytes())
            data[-5] ^= 0x20
            path.write_bytes(bytes(data))
        else:
            path.write_text(garbage)
    edit(root, *EDITS["title"])
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)
    assert b"forged" not in b"".join(site_files(root).values())


def _flip_after_magic(path):
    data = bytearray(path.read_bytes())
    data[len(cache_module.MAGIC) + 2] ^= 0xFF  # in the checksum; in Jinja's own format, its pickled header
    path.write_bytes(bytes(data))


def _flip_in_code(path):
    data = bytearray(path.read_bytes())
    data[len(data) * 2 // 3] ^= 0x01
    path.write_bytes(bytes(data))


def _swap_contents(paths):
    """Each compiled layout given the next one's file: well framed, another layout's code."""
    contents = [path.read_bytes() for path in paths]
    for path, data in zip(paths, contents[1:] + contents[:1]):
        path.write_bytes(data)


@pytest.mark.parametrize("damage", ["header", "code", "swapped", "truncated", "folder"])
def test_damaged_compiled_layouts_are_compiled_afresh(project, tmp_path, damage):
    root = project(SITE)
    assert build(root).report.ok
    compiled = sorted((root / ".digest-cache" / "layouts").iterdir())
    assert len(compiled) > 3
    if damage == "swapped":
        _swap_contents(compiled)
    for path in compiled if damage != "swapped" else ():
        if damage == "header":
            _flip_after_magic(path)
        elif damage == "code":
            _flip_in_code(path)
        elif damage == "truncated":
            path.write_bytes(path.read_bytes()[:-7])
        else:
            path.unlink()
            path.mkdir()
    edit(root, *EDITS["config"])  # every page rendered again, every layout loaded
    outcome = build(root)
    assert outcome.report.ok, outcome.report.problems
    assert site_files(root) == cold_copy(root, tmp_path)


@pytest.mark.parametrize("memo", ["kept", "malformed"])
def test_a_tag_edit_computes_again_only_the_related_lists_that_can_change(project, tmp_path, monkeypatch, memo):
    """The related lists are remembered with what they were computed from: after a tag edit only
    the lists of the items holding an added or dropped tag are computed again. A remembered
    state of the wrong shape is not used."""
    root = project(SITE)
    assert build(root).report.ok
    path = root / ".digest-cache" / cache_module.CACHE_FILE
    data = cache_module.read_cache_file(path)
    if memo == "malformed":
        data["related"]["features"] = [["not", "rows"]]
    cache_module.write_cache_file(path, data)
    monkeypatch.setattr(related_module, "STALE_SHARE_MAX", 1.0)  # a tiny site: two lists of four
    recomputed = []
    original = related_module._row
    monkeypatch.setattr(related_module, "_row", lambda i, index, partners:
                        recomputed.append(index.items[i].key) or original(i, index, partners))
    edit(root, *EDITS["tags"])
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)
    if memo == "kept":  # two's NATO became Russia and Espionage: one holds Russia, none NATO
        assert sorted(recomputed) == [("article", "one"), ("article", "two")]
    elif memo == "malformed":
        assert recomputed == []  # computed in full, not updated


def test_a_title_edit_leaves_the_bodies_file_alone_and_an_unmatched_items_file_is_ignored(project, tmp_path):
    """The bodies file is written only when a body changed, the items file only when an item
    did; the pages file names both. An items file it does not name (one left by an earlier
    build, say, its entries forged here) is never used."""
    root = project(SITE)
    folder = root / ".digest-cache"
    # Fresh files count as settled (items are remembered); and the title edit is built in full,
    # not patched from the kept build (relink.py), so that the cache files are written again.
    with mock.patch.object(uptodate, "SETTLE_NS", 0), mock.patch.object(stored, "restore", lambda *args: None):
        assert build(root).report.ok
        earlier = cache_module.read_cache_file(folder / cache_module.ITEMS_FILE)
        bodies = (folder / cache_module.BODIES_FILE).stat()
        edit(root, *EDITS["title"])
        assert build(root).report.ok
        assert (folder / cache_module.BODIES_FILE).stat().st_mtime_ns == bodies.st_mtime_ns
        fields = earlier["items"][str(root / "content/articles/one.md")]["item"]["fields"]
        fields[fields.index("One")] = "Forged"
        cache_module.write_cache_file(folder / cache_module.ITEMS_FILE, earlier)
        edit(root, *EDITS["layout"])
        assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)
    assert b"Forged" not in b"".join(site_files(root).values())


def test_the_cache_is_dropped_when_code_or_a_dependency_changes(project, monkeypatch):
    root = project(SITE)
    first = build(root)
    assert build(root).rendered == 0
    monkeypatch.setattr(cache_module, "installed_version", lambda name: "99.0")
    cache_module.code_version.cache_clear()
    try:
        assert build(root).rendered == first.rendered
    finally:
        cache_module.code_version.cache_clear()


@pytest.mark.parametrize("name", cache_module.SHAPING_PACKAGES)
def test_a_dependencys_version_is_the_one_its_metadata_gives(name):
    from importlib import metadata

    assert cache_module.installed_version(name) == metadata.version(name)
    assert cache_module.installed_version(name.upper().replace("-", ".")) == metadata.version(name)


def test_an_egg_found_first_on_the_path_gives_its_version_as_importlib_reads_it(tmp_path, monkeypatch):
    from importlib import metadata

    egg = tmp_path / "Jinja2.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: Jinja2\nVersion: 9.9\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cache_module.installed_version("Jinja2") == metadata.version("Jinja2") == "9.9"


def test_a_package_not_installed_has_no_version():
    assert cache_module.installed_version("surely-not-installed-here") is None


def test_template_and_config_changes_rerender_every_page(project):
    root = project(SITE)
    first = build(root)
    edit(root, *EDITS["layout"])
    assert build(root).rendered == first.rendered
    edit(root, *EDITS["config"])
    assert build(root).rendered == first.rendered


def test_a_failed_build_does_not_poison_the_cache(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, "content/articles/one.md", "title: One", "title: [broken")
    assert not build(root).report.ok
    edit(root, "content/articles/one.md", "title: [broken", "title: One again")
    assert build(root).report.ok
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_build_that_fails_keeps_the_cache_files_it_had_and_leaves_none_half_saved(project, tmp_path, monkeypatch):
    """The bodies and items files are written ahead (cache.write_sources) while the build goes
    on; a build that then fails leaves the files of the last good build in place, and nothing
    written ahead: the next build still takes its bodies from them."""
    root = project(SITE)
    folder = root / ".digest-cache"
    assert build(root).report.ok
    before = {name: (folder / name).read_bytes() for name in (cache_module.BODIES_FILE, cache_module.ITEMS_FILE)}
    edit(root, *EDITS["body"])
    layout = root / "layouts" / "partials" / "meta.html"
    kept_layout = layout.read_text()
    layout.write_text(kept_layout + "{{ page.no_such_field.x }}")
    assert not build(root).report.ok
    assert {name: (folder / name).read_bytes() for name in before} == before
    assert not list(folder.glob("*" + cache_module.PENDING))
    layout.write_text(kept_layout)
    rendered = []
    original = bodies_module.render_one_body
    monkeypatch.setattr(bodies_module, "render_one_body", lambda item, *rest: rendered.append(item.id) or original(item, *rest))
    assert build(root).report.ok
    assert rendered == ["one"]  # the edited body; every other from the last good build's file
    assert site_files(root) == cold_copy(root, tmp_path)


def test_when_writing_ahead_fails_the_cache_files_are_written_on_save(project, tmp_path, monkeypatch):
    root = project(SITE)
    monkeypatch.setattr(cache_module, "Background", _FailingCopy)
    assert build(root).report.ok
    folder = root / ".digest-cache"
    assert cache_module.read_bodies_file(folder / cache_module.BODIES_FILE) is not None
    assert not list(folder.glob("*" + cache_module.PENDING))
    monkeypatch.undo()
    edit(root, *EDITS["layout"])
    rendered = []
    original = bodies_module.render_one_body
    monkeypatch.setattr(bodies_module, "render_one_body", lambda item, *rest: rendered.append(item.id) or original(item, *rest))
    assert build(root).report.ok
    assert rendered == []  # every body from the file save wrote
    assert site_files(root) == cold_copy(root, tmp_path)


class _FailingCopy:
    """A Background whose copy died before it wrote anything."""

    def __init__(self, task):
        self.task = task

    def wait(self) -> bool:
        return False
