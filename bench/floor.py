"""The issue's reference floor: the least a Python generator on our fixed dependencies can do.

For each article of a corpus: read the file, load its front matter with PyYAML (libyaml's C
loader where present), render its body with markdown-it-py (plain CommonMark, no plugins), fill
one small Jinja template and write the page. Nothing else: no listings, tags, feeds, links,
related items, checks or cache. With --workers 2 the articles are split over two forked
processes. `make bench` times this as a whole process beside our build and the peers', so
every run shows how much of a target this floor alone already takes.

Usage: python -m bench.floor CORPUS OUT [--workers N]   (OUT is replaced)
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
from pathlib import Path

import yaml
from jinja2 import Environment
from markdown_it import MarkdownIt

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ meta.title }}</title></head>
<body><main><article><h1>{{ meta.title }}</h1><p>{{ meta.date }} · {{ meta.author }}</p>
{{ body }}</article></main></body></html>
"""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def build_pages(paths: list[Path], out: Path) -> int:
    """Read, parse, render and write one page per article; the number written."""
    markdown = MarkdownIt("commonmark")
    template = Environment(autoescape=True).from_string(TEMPLATE)
    for path in paths:
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(head, Loader=_LOADER)
        html = template.render(meta=meta, body=markdown.render(body))
        page = out / "articles" / path.stem
        page.mkdir(parents=True)
        (page / "index.html").write_text(html, encoding="utf-8")
    return len(paths)


def _share(args: tuple[list[Path], Path]) -> int:
    return build_pages(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    paths = sorted((args.corpus / "content" / "articles").glob("*.md"))
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "articles").mkdir(parents=True)
    if args.workers <= 1:
        build_pages(paths, args.out)
        return
    shares = [(paths[start::args.workers], args.out) for start in range(args.workers)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        pool.map(_share, shares)


if __name__ == "__main__":
    main()
