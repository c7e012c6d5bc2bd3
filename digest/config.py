"""site.yaml → a typed, frozen Config; unknown keys are reported, wrong types are errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .problems import Report
from .schema import Fields
from .source import Located, SourceError, load_yaml, read_text

CONFIG_FILE = "site.yaml"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class RelatedWeights:
    """How related items are scored (see digest/relate.py for the formula)."""

    relation: float = 100.0
    same_incident: float = 40.0
    entity: float = 6.0
    tag: float = 3.0
    time: float = 4.0
    time_scale_days: float = 30.0
    threshold: float = 8.0
    rarity_cutoff: float = 0.5
    limit: int = 6


@dataclass(frozen=True)
class Config:
    """Everything the build needs to know about the site and where its files are."""

    root: Path
    title: str = "News digest"
    description: str = ""
    base_url: str = "http://127.0.0.1:8000/"
    language: str = "en"
    author: str | None = None
    items_per_page: int = 10
    feed_items: int = 20
    show_build_date: bool = False
    drafts: bool = False
    search: bool = True
    related: RelatedWeights = field(default_factory=RelatedWeights)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def static_dir(self) -> Path:
        return self.root / "layouts" / "static"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE


def load_config(root: Path, report: Report, overrides: dict | None = None) -> Config:
    """Read site.yaml under root; problems go to report, defaults stand in for bad values."""
    path = root / CONFIG_FILE
    try:
        located = load_yaml(read_text(path))
    except FileNotFoundError:
        report.error(path, 1, f"no {CONFIG_FILE}: the site configuration is missing")
        return Config(root=root)
    except SourceError as exc:
        report.error(path, exc.line, exc.message)
        return Config(root=root)
    config = _config_from(located, path, root, report)
    return replace(config, **(overrides or {}))


def _config_from(located: Located, path: Path, root: Path, report: Report) -> Config:
    fields = Fields(located, path, report, what=CONFIG_FILE, unknown_is_error=False)
    base_url = fields.url("base_url") or Config.base_url
    language = fields.text("language", default="en")
    if not _LANGUAGE.match(language):
        fields.error(("language",), f"`language: {language}` is not a language tag like en or en-GB")
        language = "en"
    config = Config(
        root=root,
        title=fields.text("title", required=True, default=Config.title),
        description=fields.text("description", default=""),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=language,
        author=fields.text("author"),
        items_per_page=fields.integer("items_per_page", Config.items_per_page, minimum=1, maximum=1000),
        feed_items=fields.integer("feed_items", Config.feed_items, minimum=1, maximum=10000),
        show_build_date=fields.boolean("show_build_date", False),
        drafts=fields.boolean("drafts", False),
        search=fields.boolean("search", True),
        related=_related_from(fields.section("related")),
    )
    fields.finish()
    return config


def _related_from(fields: Fields) -> RelatedWeights:
    defaults = RelatedWeights()
    weights = {
        name: fields.number(name, getattr(defaults, name))
        for name in ("relation", "same_incident", "entity", "tag", "time", "time_scale_days", "threshold")
    }
    weights["rarity_cutoff"] = fields.number("rarity_cutoff", defaults.rarity_cutoff, maximum=1.0)
    weights["limit"] = fields.integer("limit", defaults.limit, minimum=0, maximum=100)
    fields.finish()
    return RelatedWeights(**weights)
