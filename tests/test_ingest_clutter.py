"""Clutter by shape and vocabulary, related-links lists, and how a text is split into articles and teasers."""

from __future__ import annotations

import datetime

import pytest

from digest.ingest import clutter
from digest.ingest.segment import split_seed
from digest.ingest.text import seed_lines
from tests.test_ingest import import_text


@pytest.mark.parametrize("line", [
    "Share", "Share this:", "Tweet", "Facebook Twitter LinkedIn Email", "Share on WhatsApp", "Print this page",
    "Follow us on Telegram", "Skip to main content", "Back to top", "Advertisement", "ADVERTISEMENT",
    "Story continues below advertisement", "Scroll to continue with content", "3 Comments", "No Comments",
    "1 Comment", "Leave a comment", "Leave a Reply", "Comments are closed.", "Post Comment", "Name *",
    "Your email address will not be published. Required fields are marked *",
    "Save my name, email, and website in this browser for the next time I comment.",
    "Home › World › Europe", "Home » News » Politics", "News / Europe / Baltics", "Home | News | Sport | Weather",
    "5 min read", "2 hours ago", "Listen to this article", "Image source, Getty Images", "Photo: AFP",
    "We use cookies to give you the best experience.", "Sign up for our daily newsletter", "Donate now",
    "Become a member", "12", "★★★★★", "Restack",
])
def test_interface_lines_are_sure_clutter(line):
    found = clutter.classify_clutter(line)
    assert found is not None and not found.guessed


@pytest.mark.parametrize("line", [
    "Share prices fell sharply in Moscow after the announcement.",
    "Home Secretary Suella Braverman said the expulsions were justified.",
    "Comments by the minister were widely criticised.",
    "NATO allies share intelligence on Russian diplomats.",
    "The embassy in Riga / Tallinn",
    "Ukraine leaves NATO birthday party with promises of air defense",
])
def test_news_lines_with_interface_words_are_not_clutter(line):
    assert clutter.classify_clutter(line) is None


@pytest.mark.parametrize("paragraph", [
    "You could close this page. Or you could join our community and help us produce more materials like this.",
    "Independent journalism needs your support. Become a member today for just €5 a month.",
    "If you value our reporting, please consider a one-off donation: every contribution helps keep our newsroom running.",
    "Thanks for reading The Counterspy Letter! Subscribe for free to receive new posts and support my work.",
    "Get the best of our coverage delivered to your inbox every Friday.",
    "Our journalism is funded by readers like you. Chip in from as little as $3 and become a supporter.",
])
def test_pleas_are_guessed_clutter(paragraph):
    found = clutter.classify_prose(paragraph)
    assert found is not None and found.guessed and "plea" in found.kind


@pytest.mark.parametrize("paragraph", [
    "NATO members pledged new contributions to the support fund for Ukraine on Tuesday, officials said.",
    "“We will support you for as long as it takes,” the secretary general told the Ukrainian delegation.",
    "The charity said donations had fallen by a third, and that membership of its volunteer network had shrunk.",
    "Subscriptions to Russian state media were banned across the EU in March.",
    "We have seen that Russian intelligence services have operated across European countries for many years.",
])
def test_news_about_money_or_support_is_not_a_plea(paragraph):
    assert clutter.classify_prose(paragraph) is None


def test_cookie_banners_are_guessed_clutter():
    found = clutter.classify_prose("This site uses cookies to personalise content. By browsing you agree to our privacy policy.")
    assert found is not None


@pytest.mark.parametrize("line, inline", [
    ("Read also:", ""), ("See also", ""), ("Related articles", ""), ("More on this story", ""),
    ("You may also like", ""), ("Most read", ""), ("Further reading:", ""),
    ("READ MORE: Germany arrests two men suspected of spying", "Germany arrests two men suspected of spying"),
    ("See also: Vienna summons Russian envoy", "Vienna summons Russian envoy"),
])
def test_related_links_headings(line, inline):
    assert clutter.read_list_heading(line)[1] == inline


def test_sentences_starting_like_headings_are_not_headings():
    assert clutter.read_list_heading("Latest figures show a rise in expulsions across Europe.") is None
    assert clutter.read_list_heading("Related to the case, two men were arrested.") is None


# -- splitting a text -----------------------------------------------------------------------------

def parse(text: str):
    return split_seed(seed_lines(text))


def test_a_headline_with_a_date_line_starts_an_article_anywhere():
    parsed = parse("First story here today\nMay 1, 2022\nBody one is here.\nBody two is here.\n"
                   "Second story about spies\nBy Jane Doe\nBody three is here.\nBody four is here.\n")
    assert [a.title for a in parsed.articles] == ["First story here today", "Second story about spies"]
    assert [len(a.body) for a in parsed.articles] == [2, 2]


def test_paragraphs_after_a_footer_are_teasers_each_its_own_brief():
    text = ("Spies expelled from Brussels\nMay 1, 2022 Leave a comment\nThe body of the article is here.\n"
            "It has two paragraphs.\nAuthor: Jane Doe | Date: 1 May 2022 | Permalink\n"
            "A DIPLOMAT IN OSLO was expelled on Tuesday for spying, the foreign ministry said.\n"
            "Police in Vienna arrested a former intelligence officer who allegedly\n")
    parsed = parse(text)
    [article] = parsed.articles
    assert len(article.body) == 2 and article.authors == [("Jane Doe", "footer")]
    assert [t.text[:12] for t in parsed.teasers] == ["A DIPLOMAT I", "Police in Vi"]
    assert all(t.found_with == 0 for t in parsed.teasers)


def test_a_headline_followed_by_paragraphs_after_the_end_starts_the_next_article():
    text = ("Spies expelled from Brussels\nMay 1, 2022\nFirst body paragraph.\nTags: NATO, Belgium\n"
            "Norway shuts Russian consulate\nThe government in Oslo closed the consulate on Friday.\n"
            "It gave staff a week to leave the country.\n")
    parsed = parse(text)
    assert [a.title for a in parsed.articles] == ["Spies expelled from Brussels", "Norway shuts Russian consulate"]
    assert parsed.teasers == []


def test_a_headline_with_one_paragraph_after_the_end_is_a_titled_teaser():
    text = ("Spies expelled from Brussels\nMay 1, 2022\nFirst body paragraph.\nSecond body paragraph.\n"
            "Tags: NATO, Belgium\nNorway shuts Russian consulate\nThe government in Oslo closed the consulate on…\n")
    parsed = parse(text)
    [teaser] = parsed.teasers
    assert teaser.title == "Norway shuts Russian consulate"


def test_dek_directly_under_the_title_before_the_date_line():
    parsed = parse("Spies expelled from Brussels\nEight staff at Russia's mission were told to leave.\n"
                   "May 1, 2022\nThe body is here.\n")
    [article] = parsed.articles
    assert article.subtitle == "Eight staff at Russia's mission were told to leave."
    assert not any("subtitle" in note for note in article.notes)


def test_a_one_sentence_lede_after_the_date_line_stays_in_the_body():
    parsed = parse("Spies expelled from Brussels\nMay 1, 2022\nEight staff at Russia's mission were told to leave.\n"
                   "They have a week.\n")
    [article] = parsed.articles
    assert article.subtitle is None and len(article.body) == 2


def test_short_label_above_the_title_is_dropped_and_noted():
    parsed = parse("ANALYSIS\nWhy NATO keeps expelling Russian diplomats\nBy Jane Doe\nThe body.\nMore body.\n")
    [article] = parsed.articles
    assert article.title == "Why NATO keeps expelling Russian diplomats"
    assert any("ANALYSIS" in note for note in article.notes)


def test_header_and_footer_dates_that_disagree_keep_the_header_and_say_so(tmp_path):
    text = ("Spies expelled from Brussels\nOctober 19, 2021\nThe body is here.\nMore of it.\n"
            "Author: Jane Doe | Date: 20 October 2021\n")
    [(front, _)] = import_text(tmp_path, text)["articles"]
    assert front["date"] == datetime.date(2021, 10, 19)
    assert any("header gives the date 2021-10-19 but the footer gives 2021-10-20" in d for d in front["unsure"])


def test_footer_gives_author_and_date_when_the_header_does_not(tmp_path):
    text = "Spies expelled from Brussels\nThe body is here.\nMore of it.\n► Author: Jane Doe | Date: 20 October 2021 | Permalink\n"
    [(front, body)] = import_text(tmp_path, text)["articles"]
    assert (front["author"], front["date"]) == ("Jane Doe", datetime.date(2021, 10, 20))
    assert "Permalink" not in body


def test_dates_and_names_in_the_body_are_never_promoted(tmp_path):
    text = ("Spies expelled from Brussels\nOn Monday, October 18, 2021, Jane Doe of the foreign ministry said "
            "the diplomats had until October 31.\nBy Tuesday they had gone, said John Smith.\n")
    [(front, body)] = import_text(tmp_path, text)["articles"]
    assert front["date"] is None and front["author"] is None
    assert "By Tuesday they had gone" in body


def test_read_also_list_becomes_further_reading_not_body(tmp_path):
    text = ("Spies expelled\nMay 1, 2022\nBody here.\nSee also:\n• Norway shuts consulate\n• Finland tightens borders\n"
            "More body after the box.\n")
    [(front, body)] = import_text(tmp_path, text)["articles"]
    assert front["further_reading"] == ["Norway shuts consulate", "Finland tightens borders"]
    assert "Norway" not in body and "More body after the box." in body


def test_comment_sections_are_removed_and_their_dates_ignored(tmp_path):
    text = ("Spies expelled\nMay 1, 2022\nBody here.\nMore body.\n2 Comments\nAnna says:\nMay 3, 2022 at 9:00 am\n"
            "Great piece, thanks.\nReply\n")
    [(front, body)] = import_text(tmp_path, text)["articles"]
    assert front["date"] == datetime.date(2022, 5, 1)
    assert "Great piece" not in body and "Anna" not in body


def test_an_unbulleted_see_also_box_inside_the_body(tmp_path):
    text = ("Spies expelled\nMay 1, 2022\nBody here.\nSee also:\nNorway shuts Russian consulate\n"
            "More body after the box, which goes on.\n")
    [(front, body)] = import_text(tmp_path, text)["articles"]
    assert front["further_reading"] == ["Norway shuts Russian consulate"]
    assert body == "Body here.\n\nMore body after the box, which goes on.\n"


def test_a_byline_after_the_lede_does_not_end_the_article(tmp_path):
    text = ("Spies expelled\nMay 1, 2022\nThe lede paragraph is here.\nBy Jane Doe\nThe second paragraph.\n"
            "The third one.\n")
    [(front, body)] = import_text(tmp_path, text)["articles"]
    assert front["author"] == "Jane Doe"
    assert body.count("\n\n") == 2


@pytest.mark.parametrize("line", [
    "Our Standards: The Thomson Reuters Trust Principles.", "Editorial Standards: How The Northern Ledger Reports",
    "Read our corrections policy", "Learn more about our editorial guidelines", "Ethics: Code of Conduct",
    "The Thomson Reuters Trust Principles.", "Daily Ledger Editorial Standards",
])
def test_links_to_the_publishers_standards_are_furniture(line):
    assert clutter.is_policy_line(line)
    assert clutter.classify_clutter(line) == clutter.Clutter(clutter.POLICY_LINK)


@pytest.mark.parametrize("line", [
    "Our standards: we check every fact twice before publishing.",
    "Our standards have slipped, the editor admitted.",
    "The code of ethics was broken by the mayor.",
    "Corrections: An earlier version of this story misstated the date.",
    "The agency said its principles forbid paying sources.",
])
def test_sentences_about_standards_are_not_furniture(line):
    assert not clutter.is_policy_line(line)


def _split(text: str):
    return split_seed(seed_lines(text))


_BODY = ("Harbour authorities said on Friday that the new radar system would be ready in the spring.\n"
         "The contract, worth about 4 million euros, was signed after a two-year tender process.\n")


def test_a_policy_link_ends_the_body_and_a_label_list_after_it_is_dropped():
    parsed = _split("Harbour radar contract signed after long tender\nBy Ola Berg\n5 May 2024 08:10 CEST\n" + _BODY
                    + "Journalism Principles: The Coastal Herald Code\nMore in:\nShipping\nDefence\nNorway\n"
                      "Local Ports\n")
    [draft] = parsed.articles
    assert [line.text for line in draft.body] == _BODY.splitlines()
    assert parsed.teasers == [] and draft.tags == [] and draft.further == []
    assert any("More in:" in note and "Local Ports" in note for note in draft.notes)


def test_a_label_naming_topics_gives_tags():
    parsed = _split("Harbour radar contract signed after long tender\nBy Ola Berg\n5 May 2024\n" + _BODY
                    + "Reporting by Ola Berg\nRelated Topics:\nShipping\nCoastal Defence\nShare\nFacebook\n")
    [draft] = parsed.articles
    assert draft.tags == ["Shipping", "Coastal Defence"]
    assert parsed.teasers == []


def test_a_colon_list_inside_the_text_is_kept():
    text = ("Harbour radar contract signed after long tender\nBy Ola Berg\n5 May 2024\n" + _BODY
            + "The tender named three sites:\nBergen\nTromso\nBodo\nThe radar is due to be running by June.\n")
    [draft] = _split(text).articles
    assert "Tromso" in [line.text for line in draft.body]
