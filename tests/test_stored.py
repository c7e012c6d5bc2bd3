"""The kept build on disk (digest/stored.py): a fresh process patches a body edit as the preview
does, gives the bytes of a cold build, and uses nothing it cannot check."""

import os
import pickle
import subprocess
import sys

import pytest

from digest import stored, uptodate
from digest.cache import BODIES_FILE, code_version, read_bodies_file, write_bodies_file, write_framed
from digest.output import Staging
from digest.pipeline import build as pipeline_build
from tests.conftest import DEFAULT_CONFIG, REPO, living_children, site_files
from tests.test_incremental import cold_copy, edit
from tests.test_reads import ODD_LAYOUTS, SITE, with_odd_layout

BODY_EDITS = [("content/articles/one.md", "Second paragraph", "An edited second paragraph"),
              ("content/articles/one.md", "First paragraph", "Opening paragraph"),
              ("content/articles/two.md", "Two has no summary", "Two still has no summary")]


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    """Files here are seconds old at most: take them as settled (uptodate.SETTLE_NS)."""
    monkeypatch.setattr(uptodate, "SETTLE_NS", 0)


def build(root):
    return pipeline_build(root, {"search": False})


def kept_file(root):
    return root / ".digest-cache" / stored.KEPT_FILE


def test_fresh_builds_after_body_edits_are_patches_with_the_cold_bytes(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok and kept_file(root).exists()
    for path, old, new in BODY_EDITS:
        edit(root, path, old, new)
        outcome = build(root)
        assert outcome.patched and outcome.report.ok, (path, old)
        assert site_files(root) == cold_copy(root, tmp_path)
        assert build(root).current  # the patch leaves site/ known to be current
    assert {"/", "/tags/nato/", "/articles/two/"} <= set(outcome.rendered_paths)


def test_the_first_patch_after_a_full_build_renders_the_cards_showing_an_edited_excerpt(project, tmp_path):
    """The kept build's index of excerpts read comes from the full build alone here (later
    patches add the reads of the pages they render)."""
    root = project(SITE)
    assert build(root).report.ok
    edit(root, "content/articles/two.md", "Two has no summary", "Two still has no summary")
    outcome = build(root)
    assert outcome.patched and {"/", "/tags/nato/"} <= set(outcome.rendered_paths)
    assert site_files(root) == cold_copy(root, tmp_path)


FRONT_MATTER_EDITS = [("content/articles/one.md", "title: One", "title: One, retitled"),
                      ("content/articles/one.md", "tags: [NATO]", "tags: [NATO, Brand new tag]"),
                      ("content/articles/two.md", "date: 2021-10-20", "date: 2020-01-01"),
                      ("content/articles/two.md", "date: 2020-01-01\n", ""),
                      ("content/articles/one.md", "tags: [NATO, Brand new tag]", "tags: [NATO]"),
                      ("content/articles/one.md", "Second paragraph", "A body edit after front-matter edits")]


def test_fresh_builds_after_front_matter_edits_are_patches_with_the_cold_bytes(project, tmp_path):
    """Retitled, a tag added (a new tag page) and dropped again (the page deleted), a date set,
    then a body edit: each in a new process, each patched from the kept build and its changes."""
    root = project(SITE)
    assert build(root).report.ok
    for path, old, new in FRONT_MATTER_EDITS:
        edit(root, path, old, new)
        outcome = build(root)
        assert outcome.patched and outcome.report.ok, (path, new)
        assert site_files(root) == cold_copy(root, tmp_path), (path, new)
        assert build(root).current, (path, new)
    assert not (root / "site/tags/brand-new-tag").exists()


def test_a_full_build_after_patches_gives_the_cold_bytes_and_starts_afresh(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, *BODY_EDITS[0])
    assert build(root).patched and (root / ".digest-cache" / stored.PATCH_FILE).exists()
    edit(root, "layouts/partials/meta.html", "Date unknown", "Undated")
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched
    assert site_files(root) == cold_copy(root, tmp_path)
    assert not (root / ".digest-cache" / stored.PATCH_FILE).exists()
    edit(root, *BODY_EDITS[1])
    assert build(root).patched
    assert site_files(root) == cold_copy(root, tmp_path)


def touch_a_page(root):
    page = root / "site/articles/one/index.html"
    page.write_bytes(page.read_bytes() + b"<!-- changed by hand -->")


def remove_a_page(root):
    (root / "site/articles/two/index.html").unlink()


def add_a_file(root):
    (root / "site/stray.html").write_text("not ours")


@pytest.mark.parametrize("change_site", [touch_a_page, remove_a_page, add_a_file])
def test_a_site_changed_by_hand_is_built_in_full(project, tmp_path, change_site):
    root = project(SITE)
    assert build(root).report.ok
    change_site(root)
    edit(root, *BODY_EDITS[0])
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched
    assert site_files(root) == cold_copy(root, tmp_path)


def truncate(path):
    path.write_bytes(path.read_bytes()[:-100])


def flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def empty(path):
    path.write_bytes(b"")


def folder(path):
    """A folder where the file was (made by hand, say): the build removes it rather than stop."""
    path.unlink()
    (path / "inside").mkdir(parents=True)


@pytest.mark.parametrize("damage", [truncate, flip_a_byte, empty, folder])
@pytest.mark.parametrize("name", [stored.KEPT_FILE, stored.PATCH_FILE, stored.HEAD_FILE, BODIES_FILE])
def test_a_damaged_kept_build_is_not_used(project, tmp_path, damage, name):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, *BODY_EDITS[0])
    assert build(root).patched
    damage(root / ".digest-cache" / name)
    edit(root, *BODY_EDITS[1])
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched
    assert site_files(root) == cold_copy(root, tmp_path)


def test_folders_in_place_of_all_cache_files_are_removed_and_the_build_goes_on(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, *BODY_EDITS[0])
    assert build(root).patched  # every kind of cache file is there now
    cache = root / ".digest-cache"
    names = [path.name for path in cache.iterdir() if path.is_file() and path.name != "build.lock"]
    assert {stored.KEPT_FILE, stored.PATCH_FILE, stored.HEAD_FILE, BODIES_FILE, "cache.bin", "uptodate.bin"} <= set(names)
    for name in names:
        folder(cache / name)
    for change in BODY_EDITS[1:]:
        edit(root, *change)
        assert build(root).report.ok
        assert site_files(root) == cold_copy(root, tmp_path)
    assert not [path for path in cache.iterdir() if path.is_dir() and path.name != "layouts"]


class _MakesAFolder:
    """What a hostile pickle does: call something of its choosing while it is loaded."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.mkdir, (self.path,)


def test_a_kept_build_that_would_run_code_is_refused_unrun(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    marker = tmp_path / "ran"
    # Well framed, the right version and checksum: only the unpickler's allow list stands in the way.
    hostile = pickle.dumps({"version": code_version(), "run": "x", "key": "x", "payload": _MakesAFolder(str(marker))})
    write_framed(kept_file(root), hostile)
    edit(root, *BODY_EDITS[0])
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched and not marker.exists()
    assert site_files(root) == cold_copy(root, tmp_path)


def test_the_kept_build_takes_its_bodies_only_from_the_bodies_file_written_with_it(project, tmp_path):
    """The kept build names the cache's bodies file it goes with by its stamp: another one
    (well-formed, its checksum right, of another build) is not read, and the edit is built in full."""
    root = project(SITE)
    assert build(root).report.ok
    path = root / ".digest-cache" / BODIES_FILE
    data = read_bodies_file(path)
    for entry in data["bodies"].values():
        entry["html"] = "<p>forged</p>"
    data["run"] = "another build"
    write_bodies_file(path, data)
    edit(root, *BODY_EDITS[0])
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched
    assert site_files(root) == cold_copy(root, tmp_path)
    assert b"forged" not in b"".join(site_files(root).values())


def test_a_kept_build_that_could_not_be_written_is_not_there_and_the_next_edit_builds_in_full(project, tmp_path,
                                                                                               monkeypatch):
    root = project(SITE)
    writes = stored.store

    def fails_half_way(config, kept, run, site_files):
        writes(config, kept, run, site_files)
        raise OSError(28, "No space left on device")  # in the forked copy that writes it

    monkeypatch.setattr(stored, "store", fails_half_way)
    outcome = build(root)
    assert outcome.report.ok and outcome.written
    assert not kept_file(root).exists() and not (root / ".digest-cache" / stored.HEAD_FILE).exists()
    monkeypatch.setattr(stored, "store", writes)
    edit(root, *BODY_EDITS[0])
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched
    assert site_files(root) == cold_copy(root, tmp_path)
    edit(root, *BODY_EDITS[1])
    assert build(root).patched  # that full build kept itself again


def test_a_build_failing_while_its_kept_build_is_written_keeps_none_and_leaves_no_process(project, monkeypatch):
    """The kept build is written by a forked copy from the moment the pages are rendered
    (pipeline._store), but only a build that puts site/ in place gives it site/'s metadata."""
    root = project(SITE)
    assert build(root).written and kept_file(root).exists()
    layout = root / "layouts" / "base.html"
    layout.write_text(layout.read_text() + "<!-- a layout edit: a full build -->\n")

    def commit_fails(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Staging, "commit", commit_fails)
    with pytest.raises(OSError):
        build(root)
    assert not kept_file(root).exists() and not (root / ".digest-cache" / stored.HEAD_FILE).exists()
    assert not list((root / ".digest-cache").glob("kept*.tmp"))
    assert living_children() == set()


def test_with_search_nothing_is_kept_on_disk_and_edits_build_in_full(project, monkeypatch):
    monkeypatch.setattr("digest.pipeline._search_index", lambda *args: True)
    root = project(SITE)
    assert pipeline_build(root).report.ok and not kept_file(root).exists()
    edit(root, *BODY_EDITS[0])
    assert not pipeline_build(root).patched


def test_the_command_line_patches_and_exits_with_the_build_status(project, tmp_path):
    root = project(SITE)
    command = [sys.executable, str(REPO / "build.py"), "--root", str(root), "build", "--no-search"]
    assert subprocess.run(command, capture_output=True).returncode == 0
    edit(root, *BODY_EDITS[0])
    patched = subprocess.run(command, capture_output=True, text=True)
    assert patched.returncode == 0 and "built" in patched.stdout
    assert site_files(root) == cold_copy(root, tmp_path)
    before = site_files(root)
    edit(root, "content/articles/one.md", "An edited", "See [nothing](article:nothing). An edited")
    broken = subprocess.run(command, capture_output=True, text=True)
    assert broken.returncode == 1 and "nothing" in broken.stderr
    assert site_files(root) == before


def test_other_changes_do_not_wait_for_the_model_to_load(project, tmp_path, monkeypatch):
    root = project(SITE)
    assert build(root).report.ok
    loaded = []
    original = stored._load
    monkeypatch.setattr(stored, "_load", lambda config, name: loaded.append(name) or original(config, name))
    edit(root, "layouts/partials/meta.html", "Date unknown", "Undated")
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched and not loaded
    (root / "content/articles/three.md").write_text("---\ntitle: Three\n---\nNew.\n")
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched and not loaded
    edit(root, *BODY_EDITS[0])
    assert build(root).patched and stored.KEPT_FILE in loaded
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_front_matter_edit_with_a_new_warning_is_patched_and_reports_it_as_a_full_build_does(project, tmp_path):
    root = project(SITE)
    assert build(root).report.ok
    edit(root, "content/articles/two.md", "date: 2021-10-20\n", "")
    outcome = build(root)
    assert outcome.patched and [p.message for p in outcome.report.warnings] == ["no date: the article is listed as undated"]
    assert site_files(root) == cold_copy(root, tmp_path)
    assert build(root).current
    edit(root, "content/articles/one.md", "title: One", "title: One, retitled")  # the warning stays
    outcome = build(root)
    assert outcome.patched and [p.message for p in outcome.report.warnings] == ["no date: the article is listed as undated"]
    assert outcome.report.problems == pipeline_build(root, {"search": False}, use_cache=False, write=False).report.problems
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_front_matter_edit_with_an_error_fails_in_full_and_leaves_site_alone(project):
    root = project(SITE)
    assert build(root).report.ok
    before = site_files(root)
    edit(root, "content/articles/one.md", "tags: [NATO]", "tags: [NATO]\nincidents: [no-such-incident]")
    outcome = build(root)
    assert not outcome.patched and not outcome.report.ok
    assert any("no-such-incident" in p.message for p in outcome.report.errors)
    assert site_files(root) == before


def test_a_relink_without_the_full_builds_pages_file_builds_in_full(project, tmp_path):
    """The fingerprints a relink compares with are the full build's: another pages file (a
    later build's, or none) is not theirs, and the edit is built in full."""
    root = project(SITE)
    assert build(root).report.ok
    (root / ".digest-cache" / "cache.bin").unlink()
    edit(root, "content/articles/one.md", "title: One", "title: One, retitled")
    outcome = build(root)
    assert outcome.report.ok and not outcome.patched
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_body_edit_after_a_newly_named_entity_in_a_new_process_gives_the_cold_bytes(project, tmp_path):
    """The first edit names an entity in a body (the front matter as it was): it is relinked. The
    next process must not take the model it restores for a body patch as linked already."""
    root = project(SITE + "-- content/entities.yaml --\nnato:\n  name: NATO\n  type: organization\n")
    assert build(root).report.ok
    for change in [("content/articles/one.md", "Second paragraph", "NATO in the second paragraph"),
                   ("content/articles/one.md", "First paragraph", "Opening paragraph")]:
        edit(root, *change)
        outcome = build(root)
        assert outcome.patched and outcome.report.ok, change
        assert site_files(root) == cold_copy(root, tmp_path), change


@pytest.mark.parametrize("name", sorted(ODD_LAYOUTS))
def test_a_layout_reaching_past_its_context_is_relinked_to_the_cold_bytes(project, tmp_path, name):
    """test_reads' layouts that read what their context does not name (an item looked up, a
    body, every article), each edit made with a date change so that it is relinked: a relink
    renders only the pages that can differ (relink._may_differ), and these are among them."""
    root = project(SITE)
    change = with_odd_layout(root, name)
    assert build(root).report.ok
    edit(root, *change)
    edit(root, change[0], "date: 2021-10-", "date: 2021-09-")
    outcome = build(root)
    assert outcome.patched and outcome.report.ok
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_listing_whose_item_was_linked_otherwise_is_relinked_to_the_cold_bytes(project, tmp_path):
    """A card showing what the link stage derived for its item (here its related scores): when
    an edit elsewhere changes that (a tag the item shares becomes common), a listing holding the
    item, and nothing edited, is rendered again: the item's digest moved, not only its card."""
    two = SITE.replace("title: Two\ndate: 2021-10-20\ntags: [NATO]", "title: Two\ndate: 2021-10-20\ntags: [NATO, Solo, Shared]")
    root = project(two + "-- content/articles/three.md --\n---\ntitle: Three\ndate: 2021-10-21\n"
                         "summary: The third.\ntags: [Solo, Shared, Only three]\n---\nThird.\n",
                   config=DEFAULT_CONFIG + "related:\n  threshold: 0\n  rarity_cutoff: 1\n  limit: 1\n")
    card = root / "layouts/partials/card.html"
    card.write_text(card.read_text() + "{% for r in site.links.related[(item.content_type, item.id)] %}"
                                       "{{ r.key }} scores {{ r.score }}{% endfor %}")
    assert build(root).report.ok
    edit(root, "content/articles/one.md", "tags: [NATO]", "tags: [NATO, Shared]")
    outcome = build(root)
    assert outcome.patched and "/tags/only-three/" in outcome.rendered_paths
    assert site_files(root) == cold_copy(root, tmp_path)


def test_a_page_deleted_by_one_relink_and_wanted_again_by_the_next_is_written_again(project, tmp_path):
    """A tag of the full build dropped (its page deleted), then taken again, each in a new
    process: the plan restored is the full build's, which had the page, but site/ lacks it."""
    root = project(SITE.replace("title: One\ndate: 2021-10-19\nsummary: The first article.\ntags: [NATO]",
                                "title: One\ndate: 2021-10-19\nsummary: The first article.\ntags: [NATO, Extra]"))
    assert build(root).report.ok
    for old, new in [("tags: [NATO, Extra]", "tags: [NATO]"), ("tags: [NATO]", "tags: [NATO, Extra]")]:
        edit(root, "content/articles/one.md", old, new)
        outcome = build(root)
        assert outcome.patched and outcome.report.ok, new
        assert site_files(root) == cold_copy(root, tmp_path), new
    assert (root / "site/tags/extra/index.html").exists()
