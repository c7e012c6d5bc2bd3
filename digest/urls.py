"""The one place URLs are made: pretty paths, the base URL's sub-path, absolute links for feeds."""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

SECTIONS = {"article": "articles", "brief": "briefs", "incident": "incidents",
            "entity": "entities", "tag": "tags", "page": ""}


@functools.lru_cache(maxsize=65536)  # tags repeat on thousands of items, and each build slugs them again
def slugify(text: str) -> str:
    """A URL-safe slug: lowercase ASCII words joined by hyphens; never empty, never a path."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = "-".join(words)[:80].strip("-")
    if not slug and text.strip():
        # Tags written only in non-Latin script still need a stable, distinct slug.
        slug = "u-" + "-".join(f"{ord(c):x}" for c in unicodedata.normalize("NFC", text.strip().casefold())[:16])
    return slug or "untitled"


class Urls:
    """Turns site paths like `/articles/x/` into links that work under the configured base URL."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/") + "/"
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = "/" + parts.path.strip("/") if parts.path.strip("/") else ""

    def item(self, content_type: str, item_id: str) -> str:
        """The site path of an item: /articles/<id>/, /about/, …"""
        section = SECTIONS[content_type]
        return f"/{section}/{item_id}/" if section else f"/{item_id}/"

    def tag(self, name: str) -> str:
        return f"/tags/{slugify(name)}/"

    def paged(self, path: str, page: int) -> str:
        """Page n of a listing: /tags/x/ then /tags/x/page/2/."""
        return path if page <= 1 else f"{path}page/{page}/"

    def href(self, path: str) -> str:
        """A link from any page of the site: the path under the base URL's sub-path."""
        return self.prefix + path

    def absolute(self, path: str) -> str:
        """A full URL for feeds, sitemaps and canonical links."""
        return self.origin + self.prefix + path


def output_file(path: str) -> str:
    """The file a site path is written to: /a/b/ → a/b/index.html, /feed.xml → feed.xml."""
    relative = path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative
