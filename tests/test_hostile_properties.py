"""Properties (Hypothesis) of the whole tool under arbitrary input:

- front matter the importer writes, whatever the text, loads back identically through the
  project's own strict loader and into the model;
- the build never raises (no traceback) on arbitrary content files, and every problem it reports
  is one `path:line: severity: message` line about a file of the project;
- a build after any sequence of edits, additions, renames, deletions, breakages, layout and
  config changes gives exactly the bytes of a cold build of the same sources in a fresh copy.

Neighbours: tests/test_ingest_property.py (the importer on arbitrary seeds).
"""

from __future__ import annotations

import datetime
import re
import shutil
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest import pipeline, uptodate
from digest.config import load_config
from digest.ingest.text import clean_line
from digest.ingest.write import render_file
from digest.load import load_content
from digest.patch import Memory
from digest.problems import Report
from digest.source import split_front_matter
from tests.conftest import REPO, site_files

LAYOUTS = REPO / "layouts"
PROBLEM = re.compile(r"[^\n/][^\n]*:[1-9][0-9]*: (error|warning): [^\n]+")
AWKWARD = ["no", "yes", "~", "null", "true", "0o17", "1e5", ".inf", "2021-10-19", "- dash", "# hash", "&anchor", "*alias",
           "!tag", "%directive", "key: value", "[x]", "{y}", "'", '"', "\\", "---", "...", "|", ">", "@", "`", "<script>",
           "{{ x }}", "Ελληνικά", "日本語", "🎉", "\u00a0", "\u2028", "\ufeff", "\x85", "\x01", "\ud7ff", "\U0010fffd"]


def clean_text(min_size: int = 0):
    """Text as the importer has it: arbitrary characters, cleaned line by line (clean_line)."""
    raw = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
                    st.lists(st.sampled_from(AWKWARD), min_size=1, max_size=4).map(" ".join))
    return raw.map(clean_line).filter(lambda text: len(text) >= min_size)


dates = st.one_of(st.none(), st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)),
                  st.builds(lambda d: f"{d.year:04d}-{d.month:02d}", st.dates(datetime.date(1000, 1, 1))),
                  st.integers(1000, 9999).map(str))
importer_front = st.fixed_dictionaries({
    "title": clean_text(1),
    "subtitle": st.one_of(st.none(), clean_text(1)),
    "date": dates,
    "author": st.one_of(st.none(), clean_text(1)),
    "source": st.fixed_dictionaries({
        "name": st.one_of(st.none(), clean_text(1)),
        "url": st.one_of(st.none(), st.from_regex(r"https://example\.org/[A-Za-z0-9._~%/-]{0,20}", fullmatch=True)),
        "seed": st.from_regex(r"seeds/[a-z0-9_]{1,12}\.txt", fullmatch=True),
        "seed_sha256": st.from_regex(r"[0-9a-f]{64}", fullmatch=True)}),
    "summary": st.none(),
    "tags": st.lists(clean_text(1), max_size=4),
    "incidents": st.just([]),
    "status": st.just("published"),
    "further_reading": st.lists(clean_text(1), max_size=3),
    "unsure": st.lists(clean_text(1), max_size=3),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=importer_front, paragraphs=st.lists(clean_text(1), max_size=3))
def test_importer_front_matter_loads_back_identically_into_the_model(front, paragraphs):
    text = render_file(front, paragraphs)
    loaded = split_front_matter(Path("a.md"), text).front.value
    expected = {**front, "date": front["date"].isoformat() if isinstance(front["date"], datetime.date) else front["date"]}
    assert loaded == expected  # a year alone is quoted by the importer, so it stays text
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "site.yaml").write_text("title: T\n", encoding="utf-8")
        (root / "content/articles").mkdir(parents=True)
        (root / "content/articles/a.md").write_text(text, encoding="utf-8")
        report = Report(root=root)
        article = load_content(load_config(root, report), report).articles["a"]
        assert report.errors == []
        assert (article.title, article.subtitle, article.author) == (front["title"], front["subtitle"], front["author"])
        assert (article.source.name, article.source.url, article.source.seed) == (
            front["source"]["name"], front["source"]["url"], front["source"]["seed"])
        assert list(article.tags) == front["tags"] and list(article.further_reading) == front["further_reading"]
        assert list(article.unsure) == front["unsure"]
        assert (article.date.iso() if article.date else None) == (expected["date"] if front["date"] else None)


# --- the build on arbitrary files -----------------------------------------------------------

YAML_BITS = [
    "title: T", "title: ", "title: 2024", "date: 2021-10-19", "date: 2021-02-30", "date: [1]", "tags: [a, b]", "tags: ['', CON]",
    "tags: x", "incidents: [i]", "incidents: [nope]", "entities: [e]", "status: draft", "status: no",
    "source:\n  url: javascript:x\n  name: N", "source: 5", "summary: <script>", "kind: arrest", "kind: x",
    "relations:\n  - response-to: i", "relations: [1]", "found_with: a", "truncated: yes", "a: &x 1\nb: *x",
    "x: !!python/object:os.system 1", "k: [[[[[", 'title: "\\x01"', "? [a]\n: b", "- list", "just text",
    "title: x\ntitle: y", "title: {a: b}", "places: [e]", "actors: [zz]", "hide_entities: [e]", "author: A",
    '"a\\nb": 1', 'tags: ["a\\nb"]', "date: 1e400", "\t", "  indented: x", "title: \u2028",
]
MD_BITS = ["# Head", "## Main", "[x](javascript:alert(1))", "<script>x</script>", "[^1]\n\n[^1]: note",
           "::: context\nx\n:::", "::: bogus\nx\n:::", "[a](incident:i)", "[a](article:zz)", "[a](entity:e)",
           "![i](data:x)", "| a |\n|---|\n| b |", "{{ 7*7 }}", "*", "[", "`", "Entity", "- a\n- b", "> q", "&amp;"]
NAMES = ["content/articles/a.md", "content/articles/b.md", "content/briefs/b.md", "content/incidents/i.md",
         "content/pages/about.md", "content/pages/tags.md", "content/articles/con.md", "content/articles/Bad Name.md",
         "content/articles/x.MD", "content/incidents/j.md", "content/entities.yaml"]


def _front(bits: list[str]) -> str:
    return "---\n" + "\n".join(bits) + "\n---\n"


any_file = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(st.lists(st.sampled_from(YAML_BITS), max_size=6), st.lists(st.sampled_from(MD_BITS), max_size=6))
      .map(lambda parts: (_front(parts[0]) + "\n\n".join(parts[1])).encode()),
    st.tuples(st.lists(st.sampled_from(YAML_BITS), max_size=6), st.text(max_size=60))
      .map(lambda parts: (_front(parts[0]) + parts[1]).encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(["e:\n  name: Entity\n  type: country", "CON:\n  name: X\n  type: person", "g: 5", "- x",
                              'h:\n  name: "\\0"\n  type: person', "e:\n  name: Other\n  type: place"]), max_size=3)
      .map(lambda parts: "\n".join(parts).encode()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.dictionaries(st.sampled_from(NAMES), any_file, max_size=5))
def test_the_build_never_crashes_and_reports_one_line_per_problem(files):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(LAYOUTS, root / "layouts")
        (root / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n", encoding="utf-8")
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        outcome = pipeline.build(root, {"search": False})  # raising here is the traceback the editor would see
        for problem in outcome.report.problems:
            assert PROBLEM.fullmatch(str(problem)), str(problem)
            assert not Path(problem.path).is_absolute(), str(problem)
        assert outcome.written == outcome.report.ok
        assert (root / "site").exists() == outcome.report.ok


# --- incremental equals cold ----------------------------------------------------------------

BASE = {
    "site.yaml": "title: Digest\nbase_url: https://example.org/sub/\nitems_per_page: 3\n",
    "content/entities.yaml": "nato:\n  name: NATO\n  type: organization\nrussia:\n  name: Russia\n  type: country\n"
                             "  demonyms: [Russian]\n",
    "content/incidents/i1.md": "---\ntitle: First incident\ndate: 2021-10\nkind: expulsion\nactors: [nato]\n---\nNATO acted.\n",
    "content/incidents/i2.md": "---\ntitle: Second incident\ndate: 2021-11-02\nkind: closure\nrelations:\n"
                               "  - retaliation-for: i1\n---\nRussia answered.\n",
    "content/articles/seed-one.md": "---\ntitle: Seed one\ndate: 2021-10-19\ntags: [NATO]\nincidents: [i1]\n---\n"
                                    "NATO expelled eight Russian staff.\n",
    "content/pages/about.md": "---\ntitle: About\n---\nThis digest.\n",
}
TITLES = ["Spies expelled", "Mission closed", "Spies expelled", "A Russian answer", "Undated note", "NATO statement"]
BODIES = ["NATO said so.", "Russia denied it.[^1]\n\n[^1]: A note.", "::: context\nBackground on NATO.\n:::",
          "See [the first](incident:i1) and [about](page:about).", "# Heading\n\nRussian officials left.", ""]
TAGS = [[], ["NATO"], ["nato", "Russia"], ["Spy games"], ["Russia", "Espionage"]]
OPS = ["add", "add", "edit", "retitle", "rebody", "reword", "reword", "rename", "delete", "break", "layout", "config", "entities",
       "static", "brief"]


def _article(title: int, body: int, tags: int, incident: int, dated: bool) -> str:
    date = f"date: 2021-{1 + title:02d}-{10 + body:02d}\n" if dated else ""
    incidents = ["[]", "[i1]", "[i2]", "[i1, i2]"][incident]
    return (f"---\ntitle: {TITLES[title]}\n{date}tags: [{', '.join(TAGS[tags])}]\nincidents: {incidents}\n---\n"
            f"{BODIES[body]}\n")


article_spec = st.tuples(st.integers(0, len(TITLES) - 1), st.integers(0, len(BODIES) - 1),
                         st.integers(0, len(TAGS) - 1), st.integers(0, 3), st.booleans())
step = st.tuples(st.sampled_from(OPS), st.integers(0, 99), article_spec, st.booleans())


def _apply(root: Path, op: str, pick: int, spec, broken: set[Path]) -> None:
    articles = sorted((root / "content/articles").glob("*.md"))
    chosen = articles[pick % len(articles)] if articles else None
    if op == "add" or chosen is None:
        (root / f"content/articles/new-{pick}.md").write_text(_article(*spec), encoding="utf-8")
    elif op == "edit":
        chosen.write_text(_article(*spec), encoding="utf-8")
        broken.discard(chosen)
    elif op == "retitle" and chosen not in broken:
        chosen.write_text(chosen.read_text(encoding="utf-8").replace("title: ", f"title: {pick} ", 1), encoding="utf-8")
    elif op == "rebody" and chosen not in broken:  # the body alone: what the preview patches
        front, _, _ = chosen.read_text(encoding="utf-8").partition("\n---\n")
        chosen.write_text(f"{front}\n---\n{BODIES[spec[1]]}\n\nEdit {pick}.\n", encoding="utf-8")
    elif op == "reword" and chosen not in broken:  # a sentence more, naming nobody: patched in the preview
        chosen.write_text(chosen.read_text(encoding="utf-8") + f"\nEdit {pick}.\n", encoding="utf-8")
    elif op == "rename":
        target = chosen.with_name(f"renamed-{pick}.md")
        if not target.exists():
            chosen.rename(target)
            if chosen in broken:
                broken.discard(chosen)
                broken.add(target)
    elif op == "delete" and len(articles) > 1:
        chosen.unlink()
        broken.discard(chosen)
    elif op == "break":
        chosen.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
        broken.add(chosen)
    elif op == "layout":
        meta = root / "layouts/partials/meta.html"
        meta.write_text(meta.read_text(encoding="utf-8") + f"<!-- edit {pick % 3} -->\n", encoding="utf-8")
    elif op == "config":
        (root / "site.yaml").write_text(BASE["site.yaml"].replace("Digest", f"Digest {pick % 3}")
                                        .replace("items_per_page: 3", f"items_per_page: {2 + pick % 3}"), encoding="utf-8")
    elif op == "entities":
        extra = "" if pick % 2 else "espionage:\n  name: Espionage\n  type: organization\n  aliases: [spy games]\n"
        (root / "content/entities.yaml").write_text(BASE["content/entities.yaml"] + extra, encoding="utf-8")
    elif op == "static":
        css = root / "layouts/static/style.css"
        css.write_text(css.read_text(encoding="utf-8") + f"/* {pick} */\n", encoding="utf-8")
    elif op == "brief":
        (root / "content/briefs").mkdir(exist_ok=True)
        found_with = f"\nfound_with: {chosen.stem}" if chosen not in broken else ""
        (root / f"content/briefs/b-{pick % 4}.md").write_text(
            f"---\ntitle: Teaser {pick}{found_with}\ntags: [NATO]\n---\nRussian teaser.\n", encoding="utf-8")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(steps=st.lists(step, min_size=1, max_size=8), preview=st.booleans())
def test_repeated_builds_after_any_edits_equal_a_cold_build(steps, preview):
    """Also as the preview builds (`preview`): with its memory, body edits are patched in; the
    files here are fresh, so they are taken as settled at once (uptodate.SETTLE_NS), as an
    editor's files are by the time of the next save."""
    memory = Memory() if preview else None
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(uptodate, "SETTLE_NS", 0 if preview else uptodate.SETTLE_NS):
        root, cold = Path(folder) / "project", Path(folder) / "cold"
        shutil.copytree(LAYOUTS, root / "layouts")
        for name, text in BASE.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        assert pipeline.build(root, {"search": False}, memory=memory).report.ok
        broken: set[Path] = set()
        for op, pick, spec, build_now in steps:
            _apply(root, op, pick, spec, broken)
            if build_now:
                before = site_files(root)
                outcome = pipeline.build(root, {"search": False}, memory=memory)
                if not outcome.report.ok:
                    assert site_files(root) == before  # a failed build changes nothing
        for path in broken:  # the final state must build: repair what was broken
            path.write_text(_article(0, 0, 0, 0, True), encoding="utf-8")
        brief_targets = {p.stem for p in (root / "content/articles").glob("*.md")}
        for brief in (root / "content/briefs").glob("*.md") if (root / "content/briefs").exists() else []:
            if not any(f"found_with: {t}\n" in brief.read_text(encoding="utf-8") for t in brief_targets):
                brief.write_text("---\ntitle: Orphan teaser\n---\nText.\n", encoding="utf-8")
        incremental = pipeline.build(root, {"search": False}, memory=memory)
        assert incremental.report.ok, [str(p) for p in incremental.report.errors]
        shutil.copytree(root, cold, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.*"))
        fresh = pipeline.build(cold, {"search": False})
        assert fresh.report.ok
        assert site_files(root) == site_files(cold)
        assert sorted(map(str, incremental.report.problems)) == sorted(map(str, fresh.report.problems))
