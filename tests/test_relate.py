"""The link stage: relations both ways with the right words, coverage, tags, mentions."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import build

INCIDENTS = """-- content/incidents/first.md --
---
title: First
date: 2021-10-06
kind: expulsion
---
-- content/incidents/second.md --
---
title: Second
date: 2021-10-18
kind: closure
relations:
  - {relation}: first
---
"""

WORDING = {
    "retaliation-for": ("Retaliated for", "Answered by"),
    "response-to": ("Responded to", "Answered by"),
    "follow-up": ("Follows up", "Followed up by"),
    "same-case": ("Same case as", "Same case as"),
    "part-of": ("Part of", "Includes"),
}


@pytest.mark.parametrize("relation", sorted(WORDING))
def test_a_relation_declared_on_one_side_shows_on_both_with_its_own_words(project, relation):
    root = project(INCIDENTS.format(relation=relation))
    assert build(root).report.ok
    declared, answered = WORDING[relation]
    second = (root / "site/incidents/second/index.html").read_text()
    first = (root / "site/incidents/first/index.html").read_text()
    assert f'<span class="relation">{declared}</span> <a href="/incidents/first/">First</a>' in second
    assert f'<span class="relation">{answered}</span> <a href="/incidents/second/">Second</a>' in first


def test_a_relation_declared_on_both_sides_is_listed_once(project):
    root = project(INCIDENTS.format(relation="same-case").replace(
        "kind: expulsion\n", "kind: expulsion\nrelations:\n  - same-case: second\n"))
    assert build(root).report.ok
    page = (root / "site/incidents/first/index.html").read_text()
    chain = page.split('id="relations-title"', 1)[1].split("</section>", 1)[0]
    assert chain.count('<a href="/incidents/second/">Second</a>') == 1


def test_coverage_is_derived_from_the_articles(project):
    root = project(INCIDENTS.format(relation="response-to") + """-- content/articles/a.md --
---
title: Report A
date: 2021-10-19
incidents: [first, second]
---
-- content/briefs/b.md --
---
title: Teaser B
incidents: [first]
---
""")
    assert build(root).report.ok
    first = (root / "site/incidents/first/index.html").read_text()
    coverage = first.split('id="coverage-title"', 1)[1].split("</section>", 1)[0]
    assert "Report A" in coverage and "Teaser B" in coverage
    second = (root / "site/incidents/second/index.html").read_text()
    assert "Teaser B" not in second.split('id="coverage-title"', 1)[1].split("</section>", 1)[0]


def test_tag_pages_list_articles_briefs_and_incidents(project):
    root = project("""-- content/articles/a.md --
---
title: Tagged article
date: 2021
tags: [Espionage]
---
-- content/briefs/b.md --
---
title: Tagged brief
tags: [espionage]
---
-- content/incidents/i.md --
---
title: Tagged incident
kind: leak
tags: [Espionage]
---
""")
    assert build(root).report.ok
    page = (root / "site/tags/espionage/index.html").read_text()
    assert "3 items" in page
    pages = page + (root / "site/tags/espionage/page/2/index.html").read_text()
    for title in ("Tagged article", "Tagged brief", "Tagged incident"):
        assert title in pages


def test_editor_can_add_and_suppress_entities(project):
    root = project("""-- content/entities.yaml --
nato:
  name: NATO
  type: organization
russia:
  name: Russia
  type: country
  demonyms: [Russian]
-- content/articles/a.md --
---
title: A
date: 2021
entities: [nato]
hide_entities: [russia]
---
Russian diplomats left.
""")
    assert build(root).report.ok
    page = (root / "site/articles/a/index.html").read_text()
    names = page.split('class="entities"', 1)[1].split("</p>", 1)[0]
    assert "NATO" in names and "Russia" not in names
    assert 'href="/entities/russia/"' not in page
    assert not (root / "site/entities/russia/index.html").exists()


def test_companions_count_items_named_together_most_first_then_by_id():
    from digest.relate import collect_companions

    mentions = {("article", "a"): ("nato", "russia", "belgium"), ("article", "b"): ("russia", "nato"),
                ("incident", "c"): ("russia", "svr"), ("brief", "d"): ("lonely",), ("article", "e"): ()}
    companions = collect_companions(mentions, limit=2)
    assert companions == {"nato": [("russia", 2), ("belgium", 1)], "russia": [("nato", 2), ("belgium", 1)],
                          "belgium": [("nato", 1), ("russia", 1)], "svr": [("russia", 1)]}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from(["article", "brief", "incident"]), st.text("abc", min_size=1, max_size=3)),
                       st.lists(st.sampled_from(["e1", "e2", "e3", "e4", "e5", "e6"]), unique=True).map(tuple)),
       st.integers(0, 6))
def test_companions_agree_with_counting_every_pair(mentions, limit):
    from digest.relate import collect_companions

    expected = {}
    for entity in {e for ids in mentions.values() for e in ids}:
        counts = Counter(other for ids in mentions.values() if entity in ids for other in ids if other != entity)
        if counts:
            expected[entity] = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    assert collect_companions(mentions, limit) == expected
