"""Where imported items came from: warn when a seed changed after its items were imported."""

from __future__ import annotations

import hashlib

from .config import Config
from .model import Content
from .problems import Report


def check_seed_hashes(config: Config, content: Content, report: Report) -> None:
    """A seed whose bytes no longer match the hash its items recorded gets one warning."""
    recorded: dict[str, tuple] = {}
    for item in sorted(list(content.articles.values()) + list(content.briefs.values()), key=lambda i: i.path):
        if item.source.seed and item.source.seed_sha256:
            recorded.setdefault(item.source.seed, (item, item.source.seed_sha256))
    seeds_root = config.seeds_dir.resolve()
    for seed, (item, digest) in sorted(recorded.items()):
        path = config.root / seed
        if not path.is_file() or not path.resolve().is_relative_to(seeds_root):
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            shown = item.path.relative_to(config.root).as_posix() if item.path.is_relative_to(config.root) else item.path
            report.warning(path, 1, f"changed since it was imported into {shown} (and maybe other files); "
                                    f"`build.py import --force {seed}` writes the fresh result beside them as *.md.new")
