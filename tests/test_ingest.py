"""The importer end to end: the two real seeds, pages from other sites, provenance, never overwriting."""

from __future__ import annotations

import datetime
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from digest.ingest import check_seeds, import_seeds, pending_seeds
from digest.problems import Report

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
SEED_000 = "000_3846c52a1771aafc.txt"
SEED_001 = "001_a9c4924a5e16bbd3.txt"


def make_project(tmp_path: Path, seeds: dict[str, str | bytes]) -> Path:
    """A project folder with the given seeds (name → text or bytes) and an empty content/."""
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    for name, text in seeds.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (root / "seeds" / name).write_bytes(data)
    return root


def run_import(root: Path, names: list[str] | None = None, force: bool = False) -> tuple[list[Path], Report]:
    """Import the named seeds (default: the pending ones) and return the files written and the report."""
    report = Report(root=root)
    seeds = [root / "seeds" / n for n in names] if names is not None else pending_seeds(root / "seeds", root / "content")
    return import_seeds(seeds, root / "content", report, force=force), report


def read_item(path: Path) -> tuple[dict, str]:
    """A written file's front matter (loaded with the safe loader) and body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def import_text(tmp_path: Path, text: str, name: str = "page.txt") -> dict[str, list[tuple[dict, str]]]:
    """Import one seed text: {'articles': [(front, body)…], 'briefs': […]}, in the seed's order."""
    root = make_project(tmp_path, {name: text})
    written, _ = run_import(root)
    result: dict[str, list[tuple[dict, str]]] = {"articles": [], "briefs": []}
    for path in written:
        result[path.parent.name].append(read_item(path))
    return result


def messages(report: Report) -> list[str]:
    return [str(p) for p in report.warnings + report.errors]


# -- the two real seeds ------------------------------------------------------------------------

@pytest.fixture
def seeded(tmp_path):
    root = make_project(tmp_path, {})
    for name in (SEED_000, SEED_001):
        shutil.copy(REPO / "seeds" / name, root / "seeds" / name)
    written, report = run_import(root)
    return root, written, report


def test_seed_000_gives_two_articles_and_twelve_briefs(seeded):
    root, written, report = seeded
    articles = [p for p in written if p.parent.name == "articles" and SEED_000[:3] in read_item(p)[0]["source"]["seed"]]
    briefs = [p for p in written if p.parent.name == "briefs"]
    assert [p.stem for p in articles] == ["russia-shuts-down-nato-mission-in-moscow-following-espionage",
                                          "intelligence-tensions-rock-nato-as-danish-government-issues"]
    assert len(briefs) == 12
    sha = hashlib.sha256((REPO / "seeds" / SEED_000).read_bytes()).hexdigest()

    first, body = read_item(articles[0])
    assert first == {
        "title": "Russia shuts down NATO mission in Moscow following espionage allegations",
        "subtitle": None,
        "date": datetime.date(2021, 10, 19),
        "author": "Joseph Fitsanakis",
        "source": {"name": None, "url": None, "seed": f"seeds/{SEED_000}", "seed_sha256": sha},
        "summary": None, "tags": [], "incidents": [], "status": "published", "further_reading": [],
        "unsure": ["no publication name found in the text"],
    }
    paragraphs = body.strip().split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("THE MILITARY LIAISON MISSION of the North Atlantic Treaty Organization (NATO)")
    assert paragraphs[2].endswith("it may contact our ambassador in Belgium on these issues”.")

    second, body = read_item(articles[1])
    assert second["title"] == "Intelligence tensions rock NATO as Danish government issues espionage advisory"
    assert second["date"] == datetime.date(2026, 1, 26)
    assert second["author"] == "Joseph Fitsanakis"
    assert second["tags"] == ["Danish National Police", "DDIS (Denmark)", "Denmark", "intelligence cooperation",
                              "intelligence sharing", "NATO", "News"]
    assert second["subtitle"] is None and second["further_reading"] == []
    assert body.startswith("One British outlet cited an unnamed “senior NATO insider”")
    assert len(body.strip().split("\n\n")) == 4
    for text in (read_item(p)[1] for p in articles):
        for clutter in ("Permalink", "Leave a comment", "1 Comment", "Author:", "Filed under", "Tagged with", "►"):
            assert clutter not in text


def test_seed_000_teasers_are_briefs_found_with_the_first_article(seeded):
    root, written, report = seeded
    briefs = [read_item(p) for p in written if p.parent.name == "briefs"]
    expected = [  # (opening of the text, truncated)
        ("CZECH GOVERNMENT OFFICIALS SAID they would welcome", False),
        ("French authorities are reportedly investigating", True),
        ("Belgium’s spy services were aware", True),
        ("Russia’s security service has arrested", True),
        ("The government of Spain said on Tuesday", False),
        ("A man who rose through the ranks", False),
        ("Turkish President Recep Tayyip Erdoğan", True),
        ("A court in Estonia", True),
        ("Turkish authorities have charged a lawyer", True),
        ("A senior counterintelligence official", False),
        ("Sensitive information about the identities", True),
        ("In a rare moment of downturn", True),
    ]
    assert [(body[:len(opening)], front["truncated"]) for (front, body), (opening, _) in zip(briefs, expected)] == expected
    for front, body in briefs:
        assert list(front) == ["title", "date", "truncated", "found_with", "source", "tags", "incidents", "status", "unsure"]
        assert front["found_with"] == "russia-shuts-down-nato-mission-in-moscow-following-espionage"
        assert front["date"] is None
        assert "title made from the teaser's first words" in front["unsure"]
        assert body.count("\n\n") == 0  # one paragraph each
        words = front["title"].rstrip("…").split()
        assert body.startswith(" ".join(words[:3]))  # the title is the teaser's own first words
    assert briefs[1][0]["title"] == "French authorities are reportedly investigating a senior military officer…"
    assert briefs[0][1].rstrip().endswith("part of a Russian intelligence operation.")
    assert briefs[11][1].rstrip().endswith("in an act of solidarity with the United Kingdom. The")


def test_seed_001_gives_one_article_with_dek_reading_list_and_no_plea(seeded):
    root, written, report = seeded
    path = next(p for p in written if SEED_001 in read_item(p)[0]["source"]["seed"])
    front, body = read_item(path)
    assert path.stem == "stoltenberg-russian-personnel-expelled-from-nato-hq"
    assert front["title"] == "Stoltenberg: Russian personnel expelled from NATO HQ"
    assert front["subtitle"].startswith("NATO Secretary-General Jens Stoltenberg mentions the expulsion")
    assert front["date"] is None and front["author"] is None and front["source"]["name"] is None
    assert front["further_reading"] == [
        "Ukraine leaves NATO birthday party with promises of air defense, but not membership",
        "Polish President calls for NATO contribution increase to Cold War levels",
        "Politico: NATO eyes $100 billion Ukraine fund and Ramstein group takeover amid looming Trump presidency",
    ]
    unsure = " ".join(front["unsure"])
    for doubt in ("no publication date", "no author", "no publication name", "subtitle", "plea"):
        assert doubt in unsure
    paragraphs = body.strip().split("\n\n")
    assert len(paragraphs) == 7
    assert paragraphs[0].startswith("In an interview with BILD")
    assert paragraphs[-1] == "It is unclear if Stoltenberg means that those 10 were also expelled sometime later."
    for clutter in ("Read also", "Ukraine leaves NATO birthday", "close this page", "patron", "cup of coffee"):
        assert clutter not in body


def test_import_prints_its_doubts_at_the_seed_lines(seeded):
    root, written, report = seeded
    shown = messages(report)
    assert any(m.startswith(f"seeds/{SEED_001}:1: warning: content/articles/stoltenberg") and "no author" in m
               for m in shown)
    assert any(m.startswith(f"seeds/{SEED_000}:10: warning: content/briefs/") and "cut off" in m for m in shown)
    assert report.ok


def test_seed_output_loads_in_the_project_loader_without_errors(seeded):
    root, written, report = seeded
    from digest.config import Config
    from digest.load import load_content

    loaded = Report(root=root)
    content = load_content(Config(root=root), loaded)
    assert loaded.errors == []
    assert len(content.articles) == 3 and len(content.briefs) == 12


# -- pages from other sites (fixtures/ingest/*.txt) ----------------------------------------------

def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_wordpress_page_loses_breadcrumbs_share_rows_and_comments(tmp_path):
    items = import_text(tmp_path, fixture("wordpress_comments.txt"))
    [(front, body)] = items["articles"]
    assert items["briefs"] == []
    assert front["title"] == "Lithuania orders two Belarusian diplomats to leave within a week"
    assert front["date"] == datetime.date(2022, 3, 3)
    assert front["author"] == "Marta Zielinski"
    assert front["tags"] == ["Belarus", "Lithuania", "expulsions"]  # "Posted in" is a category, "3 Comments" a count
    assert body.count("\n\n") == 2
    for clutter in ("Home", "Share", "Twitter", "says:", "Reply", "About time", "email address", "Post Comment"):
        assert clutter not in body
    assert any("reader's comment" in doubt for doubt in front["unsure"])


def test_newspaper_page_gives_dek_two_authors_publication_and_reading_list(tmp_path):
    items = import_text(tmp_path, fixture("newspaper_dek_byline.txt"))
    [(front, body)] = items["articles"]
    assert front["title"] == 'Poland expels Russian consul over sabotage plot: "A clear line was crossed"'
    assert front["subtitle"] == "Warsaw says the consul coordinated arson attacks on shopping centres in two cities"
    assert front["author"] == "Anna Kowalska and Piotr Nowak"
    assert front["source"]["name"] == "The Warsaw Ledger"
    assert front["date"] == datetime.date(2023, 1, 4)
    assert front["further_reading"] == ["Germany arrests two men suspected of spying for Moscow",
                                        "Baltic states tighten border checks after drone incursions",
                                        "Czech police charge former officer with passing secrets",
                                        "What we know about the Poznań fires"]
    for clutter in ("EXCLUSIVE", "Advertisement", "advertisement", "min read", "cookies", "©", "READ MORE"):
        assert clutter not in body
    assert "In October 2021, Poland had already closed" in body  # a date in the body is not the date
    assert body.count("\n\n") == 3


def test_wire_story_gives_agency_and_author_from_the_credit_line(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("wire_service.txt"))["articles"]
    assert front["date"] == datetime.date(2023, 6, 14)
    assert front["source"]["name"] == "Reuters"
    assert front["author"] == "Sabine Siebold"
    assert "Editing by" not in body
    assert body.startswith("BRUSSELS (Reuters) - NATO allies agreed on Wednesday")


def test_wire_agency_page_with_timed_date_line_and_furniture_after_the_end(tmp_path):
    items = import_text(tmp_path, fixture("wire_agency_page.txt"))
    assert items["briefs"] == []  # the standards link and the topic list are not teasers
    [(front, body)] = items["articles"]
    assert front["title"] == "Poland arrests two suspected of spying for Russia on Ukraine aid hub"
    assert front["date"] == datetime.date(2025, 3, 3)  # "March 3, 2025 10:14 AM GMT+1 Updated 2 hours ago"
    assert front["author"] == "Alan Charlish"
    assert front["source"]["name"] == "Reuters"  # from the wire dateline "(Reuters)"
    assert front["tags"] == ["Europe", "Espionage"]  # the "Suggested Topics:" list
    paragraphs = body.strip().split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("WARSAW, March 3 (Reuters) - Polish authorities have arrested two people")
    assert paragraphs[3] == "Poland has arrested dozens of people in recent years on suspicion of acting on behalf of Russia."
    for furniture in ("Updated 2 hours ago", "Our Standards", "Suggested Topics", "Editing by", "Licensing"):
        assert furniture not in body
    assert any("wire dateline" in note for note in front["unsure"])


def test_regional_page_drops_policy_links_and_label_lists_after_the_text(tmp_path):
    items = import_text(tmp_path, fixture("regional_daily_furniture.txt"))
    assert items["briefs"] == []
    [(front, body)] = items["articles"]
    assert front["title"] == "Council approves new cyber security unit after data breach"
    assert front["date"] == datetime.date(2024, 1, 12)  # published, not the "Updated" date
    assert front["author"] == "Hanna Kowalski"
    assert front["tags"] == ["Cybersecurity", "Privacy"]  # "Article topics:" names topics: they are tags
    assert front["further_reading"] == []  # "In this story:" names no topics: its list is dropped, and noted
    assert any("In this story:" in note and "Data Breach" in note for note in front["unsure"])
    paragraphs = body.strip().split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[-1] == "The breach, discovered in November, affected the records of about 40,000 people."
    for furniture in ("Editorial Standards", "corrections policy", "Local Government", "Advertisement"):
        assert furniture not in body


def test_related_cards_become_dated_titled_briefs(tmp_path):
    items = import_text(tmp_path, fixture("related_cards.txt"))
    [(article, body)] = items["articles"]
    assert article["date"] == datetime.date(2021, 10, 19)  # the cards' dates do not leak into the article
    assert article["author"] == "Erik Lindqvist"
    assert article["tags"] == ["Sweden", "GRU", "espionage"]
    assert [(b["title"], b["date"], b["truncated"]) for b, _ in items["briefs"]] == [
        ("Finland detains man suspected of photographing military sites", datetime.date(2022, 1, 3), True),
        ("Norway expels Russian embassy official over spying", datetime.date(2023, 4, 13), True),
    ]
    assert all("Read more" not in text for _, text in items["briefs"])
    assert all(b["found_with"] == "sweden-charges-brothers-with-spying-for-russian-military" for b, _ in items["briefs"])


def test_cut_off_paragraphs_without_a_footer_are_split_off_as_briefs(tmp_path):
    items = import_text(tmp_path, fixture("no_footer_teasers.txt"))
    [(article, body)] = items["articles"]
    assert body.strip().endswith("His lawyer said he would appeal the verdict.")
    assert len(items["briefs"]) == 3 and all(b["truncated"] for b, _ in items["briefs"])
    assert any("look like teasers" in doubt for doubt in article["unsure"])
    assert article["date"] == datetime.date(2024, 2, 21) and article["author"] == "Liis Tamm"


def test_pleas_and_newsletter_boxes_inside_the_body_are_removed(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("plea_midbody.txt"))["articles"]
    assert front["date"] == datetime.date(2024, 3, 27) and front["author"] == "Jana Novakova"
    assert front["subtitle"] is None
    assert front["tags"] == ["Czech Republic", "Russia", "disinformation", "sanctions"]
    for clutter in ("Become a member", "newsletter", "inbox", "Support our work", "Category"):
        assert clutter not in body
    assert "could not be reached for comment" in body
    assert sum("plea" in doubt for doubt in front["unsure"]) == 2


def test_text_without_headline_gets_a_title_from_its_first_words(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("bare_text.txt"))["articles"]
    assert front["title"] == "The Dutch military intelligence service said on Thursday it had stopped a Russian agent…"
    assert body.startswith("The Dutch military intelligence service said on Thursday")
    assert front["date"] is None and front["author"] is None
    assert any("no headline" in doubt for doubt in front["unsure"])


def test_broadcaster_page_keeps_topics_as_tags_and_the_url(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("broadcaster_captions.txt"))["articles"]
    assert front["title"] == "Germany expels Russian diplomats after Berlin park murder verdict"
    assert front["date"] == datetime.date(2021, 12, 15)
    assert front["tags"] == ["Germany", "Russia"]
    assert front["further_reading"] == ["Berlin murder: Russian convicted of state-ordered killing",
                                        "What we know about the Tiergarten case"]
    assert front["source"]["url"] == "https://news.example.org/world-europe-59660210"
    for clutter in ("Skip to content", "Sport", "Image", "Share", "https://"):
        assert clutter not in body
    assert any("caption" in doubt for doubt in front["unsure"])


def test_two_labelled_articles_in_one_text(tmp_path):
    items = import_text(tmp_path, fixture("two_articles_labels.txt"))
    assert items["briefs"] == []
    (first, body1), (second, body2) = items["articles"]
    assert (first["author"], first["date"]) == ("Pieter de Vries", datetime.date(2020, 12, 10))
    assert first["tags"] == ["Netherlands", "Russia", "AIVD"]
    assert first["source"]["url"] == "https://example.nl/news/2020/12/10/expulsion"
    assert any("day-first" in doubt for doubt in first["unsure"])
    assert (second["author"], second["date"]) == ("Sophie Gruber", datetime.date(2020, 8, 25))
    assert second["further_reading"] == ["Vienna summons Russian envoy over hacking attack"]
    assert "See also" not in body2 and "Published in" not in body2


def test_newsletter_post_with_title_dek_and_buttons(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("substack_newsletter.txt"))["articles"]
    assert front["title"] == "The week in counter-intelligence"
    assert front["subtitle"] == "Five expulsions, two arrests and a leak"
    assert front["date"] == datetime.date(2021, 10, 19)
    assert front["source"]["name"] == "Counterspy Media"
    assert body.startswith("Good morning.")
    for clutter in ("Paid", "Restack", "Subscribe", "Thanks for reading", "\n12\n"):
        assert clutter not in body


def test_guardian_style_kicker_dek_byline_without_by_and_topics(tmp_path):
    items = import_text(tmp_path, fixture("guardian_style.txt"))
    assert items["briefs"] == []
    [(front, body)] = items["articles"]
    assert front["title"] == "Russian spy ship spotted off Irish coast, navy says"
    assert front["subtitle"] == "Vessel tracked for several days as it sailed close to undersea cables"
    assert front["date"] == datetime.date(2024, 11, 15)
    assert front["author"] == "Jane Doe"  # from "Jane Doe Ireland correspondent", with a doubt
    assert any("there is no “By”" in doubt for doubt in front["unsure"])
    assert front["tags"] == ["Russia", "Ireland", "Europe"]
    assert body.count("\n\n") == 2
    for clutter in ("Explore more", "Reuse this content", "Share", "correspondent"):
        assert clutter not in body


def test_blog_platform_buttons_and_unlabelled_topics_are_not_body(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("blog_platform.txt"))["articles"]
    assert front["title"] == "How a Dutch café became a listening post"
    assert front["subtitle"] == "A short history of the AIVD's most unusual operation"
    assert (front["author"], front["date"]) == ("Jane Doe", datetime.date(2021, 10, 19))
    assert front["tags"] == []  # unlabelled topic links are not tags; the note names them
    assert any("“Espionage”, “Netherlands”, “History”" in doubt for doubt in front["unsure"])
    assert body.startswith("In the spring of 1998") and body.count("\n\n") == 2
    for clutter in ("Follow", "Listen", "--", "Written by", "min read"):
        assert clutter not in body


def test_press_release_furniture(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("press_release.txt"))["articles"]
    assert front["title"] == "Ministry of Foreign Affairs announces expulsion of two diplomats"
    assert front["date"] == datetime.date(2023, 4, 12)
    for clutter in ("IMMEDIATE", "Press contact", "###", "Vilnius, 12 April"):
        assert clutter not in body


def test_agency_byline_in_capitals_and_copyright_footer(tmp_path):
    [(front, body)] = import_text(tmp_path, fixture("agency_caps_byline.txt"))["articles"]
    assert front["author"] == "JOHN SMITH"
    assert front["source"]["name"] == "Associated Press"
    assert front["date"] == datetime.date(2023, 1, 23)
    assert "Copyright" not in body and "All rights reserved" not in body
    assert body.startswith("MOSCOW -- Russia on Monday")


# -- provenance, pending seeds, changed seeds ---------------------------------------------------

ONE_ARTICLE = "Spy ring broken up in Vienna\nBy Jane Doe\nMarch 1, 2024\nPolice arrested three people on Friday.\nThe suspects were remanded.\n"


def test_each_file_records_its_seed_and_the_seed_hash(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    [path], _ = run_import(root)
    source = read_item(path)[0]["source"]
    assert source["seed"] == "seeds/a.txt"
    assert source["seed_sha256"] == hashlib.sha256(ONE_ARTICLE.encode()).hexdigest()


def test_pending_seeds_are_those_no_content_file_records(tmp_path):
    root = make_project(tmp_path, {"b.txt": ONE_ARTICLE, "a.txt": ONE_ARTICLE, "notes.md": "x", ".hidden.txt": "x"})
    assert [p.name for p in pending_seeds(root / "seeds", root / "content")] == ["a.txt", "b.txt"]
    run_import(root, ["a.txt"])
    assert [p.name for p in pending_seeds(root / "seeds", root / "content")] == ["b.txt"]
    run_import(root)
    assert pending_seeds(root / "seeds", root / "content") == []


def test_an_edited_or_moved_content_file_still_counts_and_a_broken_one_is_skipped(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE, "b.txt": ONE_ARTICLE})
    [path], _ = run_import(root, ["a.txt"])
    moved = root / "content" / "articles" / "old" / "renamed.md"
    moved.parent.mkdir()
    path.rename(moved)
    moved.write_text(moved.read_text().replace("title: Spy ring broken up in Vienna", "title: 'Edited: spy ring'"))
    (root / "content" / "articles" / "broken.md").write_text("---\ntitle: [unclosed\nsource: {seed: seeds/b.txt\n---\n")
    assert [p.name for p in pending_seeds(root / "seeds", root / "content")] == ["b.txt"]


def test_already_imported_seed_is_skipped_and_a_changed_one_warns(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    run_import(root)
    written, report = run_import(root, ["a.txt"])
    assert written == [] and messages(report) == []
    (root / "seeds" / "a.txt").write_text(ONE_ARTICLE + "A new paragraph.\n")
    report = Report(root=root)
    check_seeds(root / "seeds", root / "content", report)
    [warning] = messages(report)
    assert warning.startswith("seeds/a.txt:1: warning: the seed changed since it was imported")
    assert "--force seeds/a.txt" in warning
    written, report = run_import(root, ["a.txt"])
    assert written == [] and any("changed" in m for m in messages(report))


def test_unchanged_seeds_give_no_warning(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    run_import(root)
    report = Report(root=root)
    check_seeds(root / "seeds", root / "content", report)
    assert messages(report) == []


# -- the editor's files are sacred ------------------------------------------------------------

def test_import_never_overwrites_an_existing_file(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    existing = root / "content" / "articles" / "spy-ring-broken-up-in-vienna.md"
    existing.parent.mkdir(parents=True)
    existing.write_text("---\ntitle: The editor's own article\n---\nMine.\n")
    [path], _ = run_import(root)
    assert path.name == "spy-ring-broken-up-in-vienna-2.md"
    assert existing.read_text() == "---\ntitle: The editor's own article\n---\nMine.\n"


def test_force_writes_side_files_beside_the_editors_files(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    [path], _ = run_import(root)
    edited = path.read_text().replace("Police arrested", "Police (says the editor) arrested")
    path.write_text(edited)
    (root / "seeds" / "a.txt").write_text(ONE_ARTICLE.replace("three", "four"))
    [side], report = run_import(root, ["a.txt"], force=True)
    assert side == path.with_name(path.name + ".new")
    assert path.read_text() == edited
    assert "four people" in side.read_text()
    assert any("beside content/articles/spy-ring-broken-up-in-vienna.md" in m for m in messages(report))
    assert [p.name for p in sorted(path.parent.iterdir())] == [path.name, side.name]
    # a second forced import does not overwrite the side file either
    written, report = run_import(root, ["a.txt"], force=True)
    assert written == [] and any("already exists" in m for m in messages(report))


def test_force_on_a_seed_never_imported_is_a_plain_import(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    [path], _ = run_import(root, ["a.txt"], force=True)
    assert path.suffix == ".md"


def test_briefs_point_to_side_file_ids_when_forced(tmp_path):
    seed = fixture("related_cards.txt")
    root = make_project(tmp_path, {"cards.txt": seed})
    first, _ = run_import(root)
    second, _ = run_import(root, ["cards.txt"], force=True)
    assert [p.name for p in second] == [p.name + ".new" for p in first]
    brief = read_item(second[1])[0]
    assert brief["found_with"] == first[0].stem


def test_nothing_is_written_outside_content(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "content" / "articles").symlink_to(outside, target_is_directory=True)
    written, report = run_import(root)
    assert written == [] and list(outside.iterdir()) == []
    assert any("outside content/" in m for m in messages(report))


def test_symlinked_seed_pointing_outside_the_seeds_folder_is_refused(tmp_path):
    root = make_project(tmp_path, {"good.txt": ONE_ARTICLE})
    secret = tmp_path / "secret.txt"
    secret.write_text(ONE_ARTICLE)
    (root / "seeds" / "link.txt").symlink_to(secret)
    written, report = run_import(root)
    assert [p.name for p in written] == ["spy-ring-broken-up-in-vienna.md"]
    assert [str(e) for e in report.errors] == [
        "seeds/link.txt:1: error: symbolic link points outside the seeds folder; it is not imported"]


def test_seed_outside_the_project_is_refused_with_a_hint(tmp_path):
    root = make_project(tmp_path, {})
    stray = tmp_path / "stray.txt"
    stray.write_text(ONE_ARTICLE)
    report = Report(root=root)
    assert import_seeds([stray], root / "content", report) == []
    assert "copy it into seeds/" in messages(report)[0]


def test_missing_seed_is_an_error_and_the_others_still_import(tmp_path):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    written, report = run_import(root, ["missing.txt", "a.txt"])
    assert len(written) == 1
    assert [str(e) for e in report.errors] == ["seeds/missing.txt:1: error: no such seed file"]


def test_text_with_only_clutter_imports_nothing_and_says_so(tmp_path):
    root = make_project(tmp_path, {"a.txt": "Share\nTweet\n3 Comments\nAdvertisement\n"})
    written, report = run_import(root)
    assert written == []
    assert messages(report) == ["seeds/a.txt:1: warning: no article found in the text; nothing was imported"]


def test_file_names_are_safe_ids_and_unique(tmp_path):
    text = "Ça s’arrête ici: l’affaire Müller\nBy Jane Doe\nMarch 1, 2024\nFirst paragraph here.\nSecond one.\n"
    root = make_project(tmp_path, {"a.txt": text, "b.txt": text})
    written, _ = run_import(root)
    assert [p.name for p in written] == ["ca-sarrete-ici-laffaire-muller.md", "ca-sarrete-ici-laffaire-muller-2.md"]


def test_relative_paths_record_the_seed_relative_to_the_project(tmp_path, monkeypatch):
    root = make_project(tmp_path, {"a.txt": ONE_ARTICLE})
    report = Report(root=root)
    monkeypatch.chdir(tmp_path)
    [path] = import_seeds([Path("project/seeds/a.txt")], Path("project/content"), report)
    assert read_item(path)[0]["source"]["seed"] == "seeds/a.txt"
