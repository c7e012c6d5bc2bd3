"""Faults: a build killed at any moment leaves a complete site/ (the old one, or the new one once
it was swapped in); two builds at once never mix their files; a failing template, a full disk or
errors in many files change nothing and are all reported in one run; leftovers of a killed build,
even hostile ones, never harm the editor's files.

Neighbours: tests/test_build.py (a failed build keeps site/, a template error on a tag page).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest import cli
from tests.conftest import REPO, build, messages, site_files

CONFIG = "title: {title}\nbase_url: https://example.org/\nitems_per_page: 5\n"


def corpus(count: int) -> str:
    """Enough articles, incidents, tags and entities that a build takes a moment and has many pages."""
    files = "".join(
        f"-- content/articles/a{i:03d}.md --\n---\ntitle: Article {i}\ndate: 2021-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
        f"tags: [T{i % 7}, U{i % 11}]\nincidents: [i{i % 5}]\n---\n" + "NATO and Russia, again. " * 30 + "\n"
        for i in range(count))
    files += "".join(f"-- content/incidents/i{k}.md --\n---\ntitle: Incident {k}\nkind: arrest\ndate: 2021-0{k + 1}\n---\n"
                     for k in range(5))
    return files + "-- content/entities.yaml --\nnato:\n  name: NATO\n  type: organization\n" \
                   "russia:\n  name: Russia\n  type: country\n"


def tree_hash(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def cold_copy(root: Path, where: Path, **overrides) -> dict[str, bytes]:
    """The site a cold build of root's current sources gives, built in a fresh copy."""
    shutil.copytree(root, where, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.*"))
    outcome = build(where, **overrides)
    assert outcome.report.ok, messages(outcome)
    return site_files(where)


def cli_build(root: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root), "build", "--no-search", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


# --- killed at any moment -------------------------------------------------------------------

def test_a_build_killed_at_any_moment_leaves_a_complete_site(project, tmp_path):
    root = project(corpus(150), config=CONFIG.format(title="One"))
    content = tree_hash(root / "content")
    assert build(root).report.ok
    old = site_files(root)
    (root / "site.yaml").write_text(CONFIG.format(title="Two"))  # every page changes
    new = cold_copy(root, tmp_path / "cold")
    assert old != new
    mid_build = 0
    for delay in (0.0, 0.005, 0.02, 0.05, 0.1, 0.2, None, None):
        process = cli_build(root)
        if delay is None:  # somewhere in reading and checking, before any writing
            time.sleep(0.15)
        else:  # after the staging folder appeared: in the middle of writing pages
            deadline = time.monotonic() + 10
            while not (root / ".site.staging").exists() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        now = site_files(root)
        assert now in (old, new), "site/ is a mix of two builds, or incomplete"
        if now == old:
            mid_build += 1
        else:  # the swap happened before the kill: go back to the old site for the next round
            (root / "site.yaml").write_text(CONFIG.format(title="One"))
            assert build(root).report.ok and site_files(root) == old
            (root / "site.yaml").write_text(CONFIG.format(title="Two"))
        assert tree_hash(root / "content") == content
    assert mid_build >= 3  # the kills really landed before the swap
    finished = cli_build(root)
    out, err = finished.communicate(timeout=60)
    assert finished.returncode == 0, err
    assert site_files(root) == new  # the next build recovers, and equals a cold one
    assert not (root / ".site.staging").exists() and not (root / ".site.old").exists()


def test_ctrl_c_at_any_moment_stops_the_build_without_a_traceback(project, tmp_path):
    root = project(corpus(150), config=CONFIG.format(title="One"))
    assert build(root).report.ok
    old = site_files(root)
    (root / "site.yaml").write_text(CONFIG.format(title="Two"))
    new = cold_copy(root, tmp_path / "cold")
    interrupted = 0
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6):
        # As at a terminal: SIGINT to the whole group, with Ctrl-C's default handling (a test
        # run started in the background would otherwise pass its children SIGINT ignored).
        process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root), "build", "--no-search"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        # Before Python has set its handler up, the signal ends the process as it would any program.
        assert (process.returncode, err.strip()) in ((130, "build.py: interrupted"), (-signal.SIGINT, "")) \
            or process.returncode == 0, err
        interrupted += process.returncode == 130
        assert site_files(root) in (old, new)
    assert interrupted >= 2  # Ctrl-C really landed mid-build
    assert build(root).report.ok
    assert site_files(root) == new


def test_two_builds_at_once_never_interleave(project, tmp_path):
    root = project(corpus(60), config=CONFIG.format(title="Both"))
    first = cold_copy(root, tmp_path / "a", base_url="https://a.example/")
    second = cold_copy(root, tmp_path / "b", base_url="https://b.example/sub/")
    for _ in range(3):
        processes = [cli_build(root, "--base-url", "https://a.example/"),
                     cli_build(root, "--base-url", "https://b.example/sub/")]
        for process in processes:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        assert site_files(root) in (first, second)  # one build's files, never some of each
        assert not (root / ".site.staging").exists()


# --- failures that must change nothing ------------------------------------------------------

def test_a_template_error_on_the_last_page_changes_nothing(project):
    root = project(corpus(3), config=CONFIG.format(title="T"))
    assert build(root).report.ok
    before = site_files(root)
    robots = root / "layouts/robots.txt"  # planned last of all pages
    robots.write_text(robots.read_text() + "{{ page.no_such_thing.deeper }}\n")
    outcome = build(root)
    assert messages(outcome) == [
        "layouts/robots.txt:6: error: while rendering /robots.txt: 'dict object' has no attribute 'no_such_thing'"]
    assert not outcome.written
    assert site_files(root) == before
    assert not (root / ".site.staging").exists()


@pytest.mark.parametrize("layout, line", [
    ("{{ 1 // 0 }}", "layouts/robots.txt:6: error: while rendering /robots.txt: ZeroDivisionError: integer division or modulo by zero"),
    ("{% include 'robots.txt' %}", "layouts/robots.txt:6: error: while rendering /robots.txt: RecursionError: maximum recursion depth"),
    (b"\xff\xfe not UTF-8", "layouts/robots.txt:1: error: not valid UTF-8"),
])
def test_any_exception_in_a_layout_is_an_error_at_its_line_not_a_crash(project, layout, line):
    root = project(corpus(2), config=CONFIG.format(title="T"))
    assert build(root).report.ok
    before = site_files(root)
    robots = root / "layouts/robots.txt"
    robots.write_bytes(robots.read_bytes() + (layout if isinstance(layout, bytes) else layout.encode()) + b"\n")
    outcome = build(root)  # raised ZeroDivisionError, RecursionError, UnicodeDecodeError
    assert any(message.startswith(line) for message in messages(outcome)), messages(outcome)
    assert site_files(root) == before


def test_a_full_disk_is_one_clear_line_and_changes_nothing(project, monkeypatch, capsys):
    root = project(corpus(3), config=CONFIG.format(title="T"))
    assert build(root).report.ok
    before = site_files(root)
    (root / "site.yaml").write_text(CONFIG.format(title="Changed"))
    real = os.write

    def full(descriptor, data):
        # As a full disk fails: the write into a staged file, with no file name in the error.
        if ".site.staging" in os.readlink(f"/proc/self/fd/{descriptor}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(descriptor, data)

    monkeypatch.setattr(os, "write", full)
    status = cli.main(["--root", str(root), "build", "--no-search"])
    monkeypatch.setattr(os, "write", real)
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error: No space left on device (") and ".site.staging/" in err
    assert "site/ and your files are as they were" in err and "Traceback" not in err
    assert site_files(root) == before
    assert cli.main(["--root", str(root), "build", "--no-search"]) == 0
    assert site_files(root) != before


def test_errors_in_many_files_are_all_reported_in_one_run(project):
    root = project("""-- content/articles/yaml.md --
---
title: [unclosed
---
-- content/articles/date.md --
---
title: Date
date: 2021-02-30
colour: red
---
-- content/articles/links.md --
---
title: Links
date: 2021
incidents: [nowhere]
---
[a](article:missing) and

::: rumour
x
:::
-- content/incidents/rel.md --
---
title: Rel
kind: arrest
relations:
  - same-case: rel
---
-- content/briefs/br.md --
---
title: Brief
found_with: nobody
---
-- content/pages/Bad Name.md --
---
title: x
---
-- content/entities.yaml --
nato:
  name: NATO
  type: alliance
-- layouts/static/feed.xml --
x
""", config="title: T\nbase_url: https://example.org/\ncolour: blue\n")
    (root / "content/articles/bytes.md").write_bytes(b"---\ntitle: Bytes\n---\n\xff\n")
    (root / "content/articles/zero.md").write_bytes(b"---\ntitle: Nul\ndate: 2021\n---\nA\x00\n")
    (root / "content/articles/bell.md").write_bytes(b"---\ntitle: Bell\ndate: 2021\n---\nA\x07\n")
    os.symlink("loop.md", root / "content/articles/loop.md")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "build", "--no-search"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "site.yaml:3: warning: unknown key `colour` in site.yaml",
        "content/articles/bell.md:5: error: contains the invisible control character U+0007 (column 2); delete it",
        "content/articles/bytes.md:4: error: not valid UTF-8 (byte 0xff); save the file as UTF-8",
        "content/articles/date.md:3: error: `2021-02-30` is not a real date (day is out of range for month)",
        "content/articles/date.md:4: error: unknown key `colour` in front matter",
        "content/articles/links.md:4: error: unknown incident `nowhere` in `incidents`",
        "content/articles/links.md:6: error: link to unknown article `missing`",
        "content/articles/links.md:8: error: unknown note kind `::: rumour`; use one of: context, known, unclear, "
        "correction, note",
        "content/articles/loop.md:1: error: symbolic link leads round in a loop; it is ignored",
        "content/articles/yaml.md:2: error: YAML: while parsing a flow sequence: did not find expected ',' or ']'",
        "content/articles/zero.md:5: error: contains a NUL byte; is this a binary file?",
        "content/briefs/br.md:3: error: `found_with: nobody` is not an article id",
        "content/entities.yaml:3: error: `nato.type: alliance` is not one of: country, organization, person, place",
        "content/incidents/rel.md:5: error: an incident cannot relate to itself",
        "content/pages/Bad Name.md:1: error: file name `Bad Name.md` is not a safe id: use lowercase letters, digits "
        "and hyphens, e.g. `bad-name.md`",
        "layouts/static/feed.xml:1: error: would overwrite site/feed.xml (site feed); rename or remove the static file",
        "15 error(s), 1 warning(s)",
        "site/ left unchanged",
    ]
    assert not (root / "site").exists()


# --- what a killed build may leave behind ---------------------------------------------------

@pytest.mark.parametrize("leftover", ["folders", "links into content"])
def test_leftovers_of_a_killed_build_never_touch_the_editors_files(project, leftover):
    root = project(corpus(3), config=CONFIG.format(title="T"))
    content = tree_hash(root / "content")
    for name in (".site.staging", ".site.old"):
        if leftover == "folders":
            (root / name / "articles").mkdir(parents=True)
            (root / name / "articles/stale.html").write_text("stale")
        else:
            os.symlink(root / "content", root / name, target_is_directory=True)
    assert build(root).report.ok
    assert build(root).report.ok
    assert tree_hash(root / "content") == content
    assert "articles/stale.html" not in site_files(root)
    assert not (root / ".site.staging").exists() and not (root / ".site.old").exists()


def test_a_site_folder_that_is_a_link_to_the_content_is_replaced_not_written_through(project):
    root = project(corpus(3), config=CONFIG.format(title="T"))
    content = tree_hash(root / "content")
    os.symlink(root / "content", root / "site", target_is_directory=True)
    assert build(root).report.ok
    assert not (root / "site").is_symlink()
    assert tree_hash(root / "content") == content
    assert "articles/a000/index.html" in site_files(root)
