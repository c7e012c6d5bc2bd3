"""The preview's patch (digest/patch.py): a body edit replaces only the pages that read the body,
and site/ is then byte for byte what a cold build gives; anything else falls back to a full build."""

import pytest

from digest import relink, uptodate
from digest.patch import Memory
from digest.pipeline import build as pipeline_build
from tests.conftest import site_files, write_tree
from tests.test_incremental import cold_copy, edit
from tests.test_reads import SITE

BODY_EDIT = ("content/articles/one.md", "Second paragraph", "An edited second paragraph")


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    """Files here are seconds old at most: take them as settled (uptodate.SETTLE_NS), as an
    editor's files are by the time of the next save."""
    monkeypatch.setattr(uptodate, "SETTLE_NS", 0)


def build(root, memory):
    return pipeline_build(root, {"search": False}, memory=memory)


def built(project, text=SITE):
    root = project(text)
    memory = Memory()
    assert build(root, memory).report.ok and memory.kept is not None
    return root, memory


def test_a_body_edit_is_patched_into_site_with_the_cold_bytes(project, tmp_path):
    root, memory = built(project)
    edit(root, *BODY_EDIT)
    outcome = build(root, memory)
    assert outcome.patched and outcome.report.ok
    assert sorted(outcome.rendered_paths) == ["/articles/one/", "/feed.xml"]
    assert site_files(root) == cold_copy(root, tmp_path)


def test_patches_in_a_row_and_in_two_files_each_give_the_cold_bytes(project, tmp_path):
    root, memory = built(project)
    for path, old, new in [BODY_EDIT, ("content/articles/one.md", "First paragraph", "Opening paragraph"),
                           ("content/articles/two.md", "Two has no summary", "Two still has no summary")]:
        edit(root, path, old, new)
        outcome = build(root, memory)
        assert outcome.patched, (path, old)
        assert site_files(root) == cold_copy(root, tmp_path)
    assert {"/", "/tags/nato/", "/articles/two/"} <= set(outcome.rendered_paths)


def test_a_patched_site_is_rebuilt_in_full_by_the_next_plain_build(project, tmp_path):
    root, memory = built(project)
    edit(root, *BODY_EDIT)
    assert build(root, memory).patched
    assert not (root / ".digest-cache" / uptodate.STAMP_FILE).exists()
    outcome = pipeline_build(root, {"search": False})
    assert not outcome.current and not outcome.patched and outcome.report.ok
    assert site_files(root) == cold_copy(root, tmp_path)


RELINKED = {
    "front matter": ("content/articles/one.md", "title: One", "title: One, retitled"),
    "a newly named entity": ("content/articles/one.md", "Second paragraph", "NATO in the second paragraph"),
}
FULL_BUILDS = {
    "a layout": ("layouts/partials/meta.html", "Date unknown", "Undated"),
    "the configuration": ("site.yaml", "title: Test digest", "title: Renamed digest"),
}
ENTITIES = "-- content/entities.yaml --\nnato:\n  name: NATO\n  type: organization\n"


@pytest.mark.parametrize("pages_on_both_cores", [False, True])
def test_front_matter_and_newly_named_entities_are_linked_again_with_the_cold_bytes(project, tmp_path, monkeypatch,
                                                                                    pages_on_both_cores):
    if pages_on_both_cores:  # as on a large site: the pages that may differ, fingerprinted and rendered by workers
        monkeypatch.setattr(relink, "RELINK_PARALLEL_MIN", 2)
    root, memory = built(project, SITE + ENTITIES)
    for name, change in RELINKED.items():
        edit(root, *change)
        outcome = build(root, memory)
        assert outcome.report.ok and outcome.patched, name
        assert site_files(root) == cold_copy(root, tmp_path), name
    # A body edit after a relink: the pages that read it, found in the new plan.
    edit(root, "content/articles/one.md", "First paragraph", "Opening paragraph")
    outcome = build(root, memory)
    assert outcome.patched and sorted(outcome.rendered_paths) == ["/articles/one/", "/feed.xml"]
    assert site_files(root) == cold_copy(root, tmp_path)


def test_other_changes_are_built_in_full_with_the_cold_bytes(project, tmp_path):
    root, memory = built(project, SITE + ENTITIES)
    for name, change in FULL_BUILDS.items():
        edit(root, *change)
        outcome = build(root, memory)
        assert outcome.report.ok and not outcome.patched, name
        assert site_files(root) == cold_copy(root, tmp_path), name
    write_tree(root, "-- content/articles/three.md --\n---\ntitle: Three\n---\nNew.\n")
    assert not build(root, memory).patched


def test_a_broken_link_in_an_edited_body_fails_the_build_and_leaves_site_alone(project):
    root, memory = built(project)
    before = site_files(root)
    edit(root, "content/articles/one.md", "Second paragraph", "See [nothing](article:nothing).")
    outcome = build(root, memory)
    assert not outcome.patched and not outcome.report.ok
    assert any("nothing" in p.message for p in outcome.report.errors)
    assert site_files(root) == before
