"""The sample digest: a reader can walk every chain the seeds describe, both ways."""

import re

import pytest

from tests.golden_tool import build_sample

ARTICLE = "articles/russia-shuts-down-nato-mission-in-moscow-following-espionage/index.html"
STOLTENBERG = "articles/stoltenberg-russian-personnel-expelled-from-nato-hq/index.html"
EXPULSION = "incidents/nato-expels-eight-russian-mission-staff/index.html"
CLOSURE = "incidents/russia-closes-nato-liaison-mission-in-moscow/index.html"
OWN_MISSION = "incidents/russia-suspends-its-mission-to-nato/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    outcome, folder = build_sample(tmp_path_factory.mktemp("sample"))
    assert outcome.report.ok, [str(p) for p in outcome.report.errors]
    return lambda name: (folder / name).read_text()


def section(html: str, title: str) -> str:
    """The HTML of the <section> whose heading is `title`."""
    match = re.search(r"<section[^>]*>\s*<h2[^>]*>" + re.escape(title) + r"</h2>(.*?)</section>", html, re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def test_article_leads_to_the_incidents_it_reports(site):
    covers = section(site(ARTICLE), "Incidents this article covers")
    assert "/digest/incidents/nato-expels-eight-russian-mission-staff/" in covers
    assert "/digest/incidents/russia-closes-nato-liaison-mission-in-moscow/" in covers


def test_incident_lists_every_article_that_covers_it(site):
    coverage = section(site(EXPULSION), "Coverage")
    assert "russia-shuts-down-nato-mission-in-moscow-following-espionage" in coverage
    assert "stoltenberg-russian-personnel-expelled-from-nato-hq" in coverage


def test_retaliation_reads_right_from_both_sides(site):
    expulsion = section(site(EXPULSION), "In the chain of events")
    closure = section(site(CLOSURE), "In the chain of events")
    assert re.search(r"Answered by</span> <a href=\"/digest/incidents/russia-closes-nato-liaison-mission-in-moscow/\"", expulsion)
    assert re.search(r"Retaliated for</span> <a href=\"/digest/incidents/nato-expels-eight-russian-mission-staff/\"", closure)


def test_same_case_reads_the_same_from_both_sides(site):
    assert "Same case as</span> <a href=\"/digest/incidents/russia-suspends-its-mission-to-nato/\"" in site(EXPULSION)
    assert "Same case as</span> <a href=\"/digest/incidents/nato-expels-eight-russian-mission-staff/\"" in site(OWN_MISSION)


def test_czech_expulsion_answers_the_depot_explosion(site):
    assert "Responded to</span>" in site("incidents/czech-republic-expels-18-russian-diplomats/index.html")
    assert "Answered by</span>" in site("incidents/czech-munition-depot-explosion/index.html")


def test_undated_things_are_shown_as_unknown(site):
    page = site(STOLTENBERG)
    assert "Date unknown" in page and "Author unknown" in page and "publication not stated" in page
    assert "Date unknown" in site("incidents/russian-personnel-expelled-from-nato-headquarters/index.html")


def test_entity_page_gathers_incidents_and_coverage(site):
    page = site("entities/sergei-lavrov/index.html")
    assert "russia-closes-nato-liaison-mission-in-moscow" in section(page, "Incidents")
    assert "russia-shuts-down-nato-mission-in-moscow-following-espionage" in section(page, "Articles and briefs")


def test_first_mention_links_to_the_entity(site):
    body = site(ARTICLE).split('<div class="body">', 1)[1].split('<section class="briefs-with"', 1)[0]
    assert body.count('href="/digest/entities/sergei-lavrov/"') == 1


def test_briefs_stay_with_the_article_they_came_with(site):
    teased = section(site(ARTICLE), "Other stories teased in the same source text")
    assert len(re.findall(r"<li>", teased)) == 12
    brief = site("briefs/czech-government-officials-said-they-would-welcome-the/index.html")
    assert "Found with the article" in brief


def test_timeline_places_dated_incidents_and_lists_undated_articles(site):
    page = site("timeline/index.html")
    year_2021, year_2026 = page.index('id="year-2021"'), page.index('id="year-2026"')
    assert year_2021 < page.index("NATO expels eight members") < year_2026
    assert year_2021 < page.index("Russia suspends NATO") < year_2026
    assert "stoltenberg-russian-personnel-expelled-from-nato-hq" in section(page, "Undated articles")
