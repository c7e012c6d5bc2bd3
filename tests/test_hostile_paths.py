"""Hostile names and links: no slug, id, tag, page or static file leaves site/ or overwrites
another page; symbolic links in content/, seeds/ and layouts/static/ are never followed out of the
project, and loops stop nothing; links planted in .digest-cache/ are never written through. Each case is an error at `path:line`, and site/ stays as it was.

Neighbours: tests/test_build.py (slugify, output_file, one collision), tests/test_load.py (an
unsafe file name), tests/test_ingest.py (seeds or content folders leading outside).
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from digest import uptodate
from digest.ingest import import_seeds
from digest.problems import Report
from tests.conftest import REPO, build, messages, site_files

ARTICLE = "---\ntitle: A\ndate: 2021-10-19\n---\nBody.\n"
GOOD = f"-- content/articles/good.md --\n{ARTICLE}"


def inside(root: Path) -> set[str]:
    """Every path under the project, relative, so a write anywhere unexpected shows."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if ".digest-cache" not in p.parts}


def built_ok(root: Path) -> dict[str, bytes]:
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)
    return site_files(root)


# --- ids from file names --------------------------------------------------------------------

@pytest.mark.parametrize("name, suggestion", [
    ("-a.md", "a"), ("a-.md", "a"), ("A.md", "a"), ("a_b.md", "a-b"),
    ("a b.md", "a-b"), ("a.b.md", "a-b"), ("ä.md", "a"), ("Россия.md", "untitled"), ("ａ.md", "a"),
    ("x" * 101 + ".md", "x" * 100), ("%2e%2e.md", "2e-2e"), ("a\\b.md", "a-b"),
])
def test_file_names_that_are_not_safe_ids_are_refused_with_a_suggestion(project, name, suggestion):
    root = project(GOOD)
    before = built_ok(root)
    (root / "content/articles" / name).write_text(ARTICLE, encoding="utf-8")
    outcome = build(root)
    assert messages(outcome) == [
        f"content/articles/{name}:1: error: file name `{name}` is not a safe id: use lowercase letters, "
        f"digits and hyphens, e.g. `{suggestion}.md`"]
    assert site_files(root) == before


def test_the_longest_safe_id_builds(project):
    ident = "a" * 100
    root = project(GOOD + f"-- content/articles/{ident}.md --\n{ARTICLE}")
    assert f"articles/{ident}/index.html" in built_ok(root)


@pytest.mark.parametrize("ident", ["con", "prn", "aux", "nul", "com1", "lpt9"])
def test_windows_device_names_are_refused_as_ids(project, ident):
    root = project(GOOD + f"-- content/incidents/{ident}.md --\n---\ntitle: I\nkind: arrest\n---\n"
                   f"-- content/entities.yaml --\n{ident}:\n  name: Dev\n  type: place\n")
    outcome = build(root)
    assert messages(outcome) == [
        f"content/entities.yaml:1: error: `{ident}` is a device name on Windows, which cannot hold a page of that "
        "name; choose another id",
        f"content/incidents/{ident}.md:1: error: `{ident}` is a device name on Windows, which cannot hold a page of "
        f"that name; rename the file, e.g. `{ident}-1.md`",
    ]


def test_hidden_files_and_other_suffixes_are_not_content(project):
    root = project(GOOD)
    for name in (".md", "..md", "...md", ".hidden.md", "#a.md#", "a.md~", "a.md.swp", "a.txt"):
        (root / "content/articles" / name).write_text("---\n[broken\n", encoding="utf-8")
    (root / "content/articles/.git").mkdir()
    (root / "content/articles/.git/x.md").write_text("---\n[broken\n", encoding="utf-8")
    assert sorted(n for n in built_ok(root) if n.startswith("articles/")) == ["articles/good/index.html"]


# --- ids that point somewhere ---------------------------------------------------------------

def test_references_that_try_to_leave_are_unknown_ids(project):
    root = project(GOOD + """-- content/articles/a.md --
---
title: A
date: 2021
incidents: [../../etc/passwd, /abs, ., ""]
entities: [../x]
---
[a](article:../good) [b](incident:/etc/passwd) [c](page:..) [d](entity:%2e%2e) [e](brief:)
-- content/incidents/i.md --
---
title: I
kind: arrest
relations:
  - same-case: ../i
---
""")
    outcome = build(root)
    assert messages(outcome) == [
        "content/articles/a.md:4: error: item 4 of `incidents` is empty; remove it or write the text",
        "content/articles/a.md:4: error: unknown incident `../../etc/passwd` in `incidents`",
        "content/articles/a.md:4: error: unknown incident `.` in `incidents`",
        "content/articles/a.md:4: error: unknown incident `/abs` in `incidents`",
        "content/articles/a.md:5: error: unknown entity `../x` in `entities`",
        "content/articles/a.md:7: error: link to unknown article `../good`",
        "content/articles/a.md:7: error: link to unknown brief ``",
        "content/articles/a.md:7: error: link to unknown entity `%2e%2e`",
        "content/articles/a.md:7: error: link to unknown incident `/etc/passwd`",
        "content/articles/a.md:7: error: link to unknown page `..`",
        "content/incidents/i.md:5: error: `same-case: ../i` is not an incident id",
    ]
    assert not (root / "site").exists()


def test_a_link_to_a_tag_nobody_uses_is_an_error(project):
    root = project(GOOD + "-- content/articles/a.md --\n---\ntitle: A\ndate: 2021\ntags: [NATO]\n---\n"
                          "[fine](tag:NATO) [dangling](tag:nobody) [away](tag:../../etc)\n")
    assert messages(build(root)) == [
        "content/articles/a.md:6: error: link to unknown tag `../../etc`",
        "content/articles/a.md:6: error: link to unknown tag `nobody`",
    ]


# --- tags -----------------------------------------------------------------------------------

def test_hostile_tags_become_safe_distinct_folders_inside_the_site(project):
    tags = ["../../escape", "/absolute", "..", "a/b\\c", "x" * 300, "Ελληνικά", "Русский", "日本語", "🎉",
            "NATO", "nato", "Nato", "Zürich", unicodedata.normalize("NFD", "Zürich"), "ZURICH", "<b>bold</b>"]
    quoted = ", ".join('"' + t.replace("\\", "\\\\") + '"' for t in tags)
    root = project(f"-- content/articles/a.md --\n---\ntitle: A\ndate: 2021\ntags: [{quoted}]\n---\n")
    before = inside(root)
    files = built_ok(root)
    folders = sorted({name.split("/")[1] for name in files if name.startswith("tags/") and name.count("/") >= 2})
    # Each odd tag has one folder of its own; case and Unicode-form twins share one; none escapes.
    assert folders == ["a-b-c", "absolute", "b-bold-b", "escape", "nato", "u-1f389", "u-2e-2e",
                       "u-3b5-3bb-3bb-3b7-3bd-3b9-3ba-3ac", "u-440-443-441-441-43a-438-439", "u-65e5-672c-8a9e",
                       "x" * 80, "zurich"]
    assert inside(root) - before <= {p for p in inside(root) if p == "site" or p.startswith("site/")}
    nato = files["tags/nato/index.html"].decode()
    assert nato.count('href="/articles/a/"') >= 1


def test_a_tag_named_like_a_windows_device_is_an_error_at_its_line(project):
    root = project(GOOD + "-- content/articles/a.md --\n---\ntitle: A\ndate: 2021\ntags:\n  - fine\n  - Aux\n---\n")
    assert messages(build(root)) == [
        "content/articles/a.md:6: error: tag `Aux` would be written to site/tags/aux/, a device name on Windows; "
        "change the tag"]


# --- pages and static files that would overwrite others -------------------------------------

@pytest.mark.parametrize("page, clash", [
    ("tags", "tag index and content/pages/tags.md would both write site/tags/index.html"),
    ("incidents", "incidents index and content/pages/incidents.md would both write site/incidents/index.html"),
    ("timeline", "timeline and content/pages/timeline.md would both write site/timeline/index.html"),
    ("briefs", "briefs index and content/pages/briefs.md would both write site/briefs/index.html"),
    ("entities", "entity index and content/pages/entities.md would both write site/entities/index.html"),
])
def test_a_page_named_like_a_section_is_an_error(project, page, clash):
    root = project(GOOD + f"-- content/pages/{page}.md --\n---\ntitle: P\n---\n")
    assert messages(build(root)) == [f"content/pages/{page}.md:1: error: {clash}"]


def test_a_page_in_the_search_index_folder_is_an_error(project):
    root = project(GOOD + "-- content/pages/pagefind.md --\n---\ntitle: P\n---\n")
    assert messages(build(root)) == [
        "content/pages/pagefind.md:1: error: content/pages/pagefind.md would write site/pagefind/index.html, "
        "but site/pagefind/ holds the search index; choose another name"]


def test_a_search_page_clashes_only_while_search_is_on(project):
    root = project(GOOD + "-- content/pages/search.md --\n---\ntitle: P\n---\n")
    assert messages(build(root, search=False)) == []
    assert messages(build(root, search=True)) == [
        "content/pages/search.md:1: error: content/pages/search.md and search page would both write site/search/index.html"]


def test_static_files_never_overwrite_pages_or_each_other(project):
    root = project(GOOD)
    before = built_ok(root)
    static = root / "layouts/static"
    for name in ("feed.xml", "robots.txt", "articles/good/index.html", "404.html", "Sitemap.XML", "tags",
                 "pagefind/pagefind.js", "index.html/x", "Style.CSS"):
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_text("EVIL", encoding="utf-8")
    outcome = build(root)
    assert messages(outcome) == [
        "layouts/static/404.html:1: error: would overwrite site/404.html (404 page); rename or remove the static file",
        "layouts/static/Sitemap.XML:1: error: would overwrite site/sitemap.xml (sitemap); rename or remove the static file",
        "layouts/static/articles/good/index.html:1: error: would overwrite site/articles/good/index.html "
        "(content/articles/good.md); rename or remove the static file",
        "layouts/static/feed.xml:1: error: would overwrite site/feed.xml (site feed); rename or remove the static file",
        "layouts/static/index.html/x:1: error: would need site/index.html to be a folder, but it is the home page; "
        "rename or remove the static file",
        "layouts/static/pagefind/pagefind.js:1: error: site/pagefind/ holds the search index; move this file elsewhere",
        "layouts/static/robots.txt:1: error: would overwrite site/robots.txt (robots.txt); rename or remove the static file",
        "layouts/static/style.css:1: error: layouts/static/Style.CSS and layouts/static/style.css would both write "
        "site/style.css (their names differ only in case or Unicode form)",
        "layouts/static/tags:1: error: would stand where site/tags/ must be a folder of pages; rename or remove "
        "the static file",
    ]
    assert site_files(root) == before


# --- symbolic links -------------------------------------------------------------------------

SECRET = "TOP-SECRET-OUTSIDE-THE-PROJECT"


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(f"---\ntitle: {SECRET}\ndate: 2021\n---\n{SECRET}\n", encoding="utf-8")
    (folder / "entities.yaml").write_text(f"leak:\n  name: {SECRET}\n  type: place\n", encoding="utf-8")
    return folder


def test_symlinks_in_content_out_of_it_nowhere_or_in_loops_are_errors_and_never_read(project, outside):
    root = project(GOOD)
    articles = root / "content/articles"
    os.symlink(outside / "secret.md", articles / "leak.md")
    os.symlink(outside, articles / "leakdir")
    os.symlink(outside / "entities.yaml", root / "content/entities.yaml")
    os.symlink("missing.md", articles / "dangling.md")
    os.symlink("self.md", articles / "self.md")
    os.symlink("ping.md", articles / "pong.md")
    os.symlink("pong.md", articles / "ping.md")
    os.symlink(".", articles / "here")  # a folder loop inside content/: fine, and not walked twice
    os.symlink("good.md", articles / "alias.md")  # inside content/: allowed
    os.symlink(".#good.md", articles / ".#lock.md")  # an editor's lock file: hidden, ignored
    outcome = build(root)
    assert messages(outcome) == [
        "content/articles/dangling.md:1: error: symbolic link points to nothing; it is ignored",
        "content/articles/leak.md:1: error: symbolic link points outside content/; it is ignored",
        "content/articles/leakdir:1: error: symbolic link points outside content/; it is ignored",
        "content/articles/ping.md:1: error: symbolic link leads round in a loop; it is ignored",
        "content/articles/pong.md:1: error: symbolic link leads round in a loop; it is ignored",
        "content/articles/self.md:1: error: symbolic link leads round in a loop; it is ignored",
        "content/entities.yaml:1: error: symbolic link points outside content/; it is ignored",
    ]
    assert SECRET not in "".join(messages(outcome))
    assert not (root / "site").exists()
    for link in ("leak.md", "leakdir", "dangling.md", "self.md", "ping.md", "pong.md"):
        (articles / link).unlink()
    (root / "content/entities.yaml").unlink()
    files = built_ok(root)
    assert "articles/alias/index.html" in files and "articles/good/index.html" in files
    assert not any(SECRET.encode() in data for data in files.values())


def test_symlinks_in_static_files_out_of_the_project_are_not_copied(project, outside):
    root = project(GOOD)
    os.symlink(outside / "secret.md", root / "layouts/static/leak.txt")
    os.symlink(outside, root / "layouts/static/leakdir")
    os.symlink("loop.txt", root / "layouts/static/loop.txt")
    files = built_ok(root)
    assert not any(name.startswith(("leak", "loop")) for name in files)
    assert not any(SECRET.encode() in data for data in files.values())


# Every temporary name a cache file is written under, then renamed from (cache.write_framed_stream).
CACHE_TEMPORARIES = ("cache.tmp", "bodies.tmp", "items.tmp", "bodies.bin.tmp", "items.bin.tmp", "uptodate.tmp",
                     "kept.tmp", "kept-head.tmp", "kept-patch.tmp")


@pytest.mark.parametrize("planted", ["files", "folders"])
def test_links_planted_in_the_cache_folder_are_never_written_through(project, outside, monkeypatch, planted):
    monkeypatch.setattr(uptodate, "SETTLE_NS", 0)  # so that the kept build is written and patched too
    root = project(GOOD)
    before = {path.name: path.read_bytes() for path in outside.iterdir()}
    cache = root / ".digest-cache"
    if planted == "folders":
        os.symlink(outside, cache)
    else:
        cache.mkdir()
        os.symlink(outside, cache / "layouts")
        for name in ("build.lock",) + CACHE_TEMPORARIES:
            os.symlink(outside / "secret.md", cache / name)
    built_ok(root)
    assert {path.name: path.read_bytes() for path in outside.iterdir()} == before
    (root / "content/articles/good.md").write_text(ARTICLE.replace("Body.", "Body, edited."), encoding="utf-8")
    assert build(root).patched
    assert {path.name: path.read_bytes() for path in outside.iterdir()} == before
    assert not cache.is_symlink() and not (cache / "layouts").is_symlink()


def test_seed_symlinks_out_of_seeds_or_in_loops_are_not_imported(project, outside):
    root = project()
    seeds = root / "seeds"
    seeds.mkdir()
    (outside / "story.txt").write_text(f"{SECRET}\nBy Jane Doe\nMay 1, 2022\nBody text here.\n", encoding="utf-8")
    os.symlink(outside / "story.txt", seeds / "leak.txt")
    os.symlink("loop.txt", seeds / "loop.txt")
    os.symlink("b.txt", seeds / "a.txt")
    os.symlink("a.txt", seeds / "b.txt")
    report = Report(root=root)
    from digest.ingest import pending_seeds

    written = import_seeds(pending_seeds(seeds, root / "content"), root / "content", report)
    assert written == []
    assert [str(p) for p in report.errors] == [
        "seeds/a.txt:1: error: symbolic link points round in a loop; it is not imported",
        "seeds/b.txt:1: error: symbolic link points round in a loop; it is not imported",
        "seeds/leak.txt:1: error: symbolic link points outside the seeds folder; it is not imported",
        "seeds/loop.txt:1: error: symbolic link points round in a loop; it is not imported",
    ]


def test_the_command_line_reports_link_loops_without_a_traceback_from_the_project_folder(project):
    """Paths are shown relative to the project: from inside it, a loop once crashed that step."""
    root = project(GOOD)
    os.symlink("self.md", root / "content/articles/self.md")
    (root / "seeds").mkdir()
    os.symlink("loop.txt", root / "seeds/loop.txt")
    for command in (["build", "--no-search"], ["import"]):
        result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", ".", *command], cwd=root,
                                capture_output=True, text=True, timeout=60)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 1
    assert "content/articles/self.md:1: error: symbolic link leads round in a loop; it is ignored" in \
        subprocess.run([sys.executable, str(REPO / "build.py"), "--root", ".", "check"], cwd=root, capture_output=True,
                       text=True, timeout=60).stderr


@pytest.mark.parametrize("name", ["seeds/a\x01b.txt", "seeds/a\udcffb.txt", "seeds/a\u2028b.txt"])
def test_seed_names_that_front_matter_cannot_hold_are_refused(tmp_path, name):
    root = tmp_path
    (root / "seeds").mkdir()
    seed = root / name
    seed.write_text("Spies expelled\nBy Jane Doe\nMay 1, 2022\nBody text here. More text.\n", encoding="utf-8")
    report = Report(root=root)
    assert import_seeds([seed], root / "content", report) == []
    assert [p.message for p in report.errors] == [
        "the file name has invisible control characters or bytes that are not UTF-8; rename the seed"]


# --- the command line -----------------------------------------------------------------------

@pytest.mark.parametrize("arguments, message", [
    (["--root", "/no/such/folder", "build"], "build.py: error: --root /no/such/folder: no such folder"),
    (["--root", "{root}/site.yaml", "check"], "build.py: error: --root {root}/site.yaml: no such folder"),
    (["--root", "{root}", "build", "--base-url", "javascript:alert(1)//"],
     "build.py: error: --base-url 'javascript:alert(1)//': give an http:// or https:// address, e.g. https://example.org/digest/"),
    (["--root", "{root}", "serve", "--base-url", "https://example.org/\"><script>"],
     "build.py: error: --base-url 'https://example.org/\"><script>': give an http:// or https:// address, e.g. "
     "https://example.org/digest/"),
])
def test_the_command_line_refuses_a_missing_root_and_a_bad_base_url(project, arguments, message):
    root = project(GOOD)
    result = subprocess.run([sys.executable, str(REPO / "build.py"), *(a.format(root=root) for a in arguments)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == message.format(root=root)
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists()
