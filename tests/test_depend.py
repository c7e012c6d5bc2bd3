"""Page fingerprints (depend.py): the memoized signature of a context is its plain definition."""

from __future__ import annotations

import pytest

from bench.generate import generate
from digest import depend, pipeline, workers
from digest.cache import stable_repr
from digest.model import Entity, Item
from digest.patch import Memory


def plain_signature(value, keys: set) -> str:
    """The signature as depend.py defines it, with no memo and no shortcut."""
    if isinstance(value, (Item, Entity)):
        key = (value.content_type, value.id)
        keys.add(key)
        return f"@{key}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{plain_signature(v, keys)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(plain_signature(v, keys) for v in value) + "]"
    return stable_repr(value)


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    root = tmp_path_factory.mktemp("depend") / "digest"
    generate(300, root)
    memory = Memory()
    outcome = pipeline.build(root, {"search": False}, memory=memory)
    assert outcome.report.ok and memory.kept is not None
    return memory.kept


def test_every_page_signature_is_the_plain_one_with_the_memo_shared_across_pages(kept):
    texts: dict = {}
    for page in kept.pages:
        keys, expected = set(), set()
        assert depend._signature(page.context, keys, texts) == plain_signature(page.context, expected), page.path
        assert keys == expected, page.path


def test_a_fingerprint_does_not_depend_on_the_pages_fingerprinted_before(kept):
    shared = {"cards": {}, "texts": {}, "entries": {}}
    digests = depend.item_digests(kept.site.content, kept.site.links)
    for page in kept.pages + kept.pages[::-1]:
        alone = depend.page_fingerprint(page, "site", digests, kept.site.content, kept.site.links)
        assert depend.page_fingerprint(page, "site", digests, kept.site.content, kept.site.links, **shared) == alone


def test_item_digests_taken_on_both_cores_are_those_taken_here(kept, monkeypatch):
    site = kept.site
    here = depend.item_digests(site.content, site.links, depend.Earlier({}, site.links, set()))  # a relink's way: here
    taken_by = []

    def on_both_cores(task, count):
        taken_by.append(count)
        return workers.parallel_map(task, count, minimum=0)

    monkeypatch.setattr(depend, "parallel_map", on_both_cores)
    assert depend.item_digests(site.content, site.links) == here
    assert taken_by == [len(here)] and len(here) > 300
