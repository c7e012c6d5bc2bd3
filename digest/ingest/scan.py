"""Which seeds the content files say they came from: read from front matter, tolerantly.

The editor's files are the only record of what was imported (no hidden manifest): a file that
cannot be read or parsed is simply not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..source import C_SAFE_NESTING, _nesting_bound

_FRONT_MATTER_LIMIT = 64_000  # front matter lives at the top; never read whole huge files
# libyaml's reader when PyYAML was built with it: the scan runs on every build.
_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class Record:
    """One content file that records its seed."""

    path: Path
    seed: str
    seed_sha256: str | None
    title: str | None


def imported(content_dir: Path) -> dict[str, list[Record]]:
    """Content files under content_dir by the seed (`seeds/<name>`) their front matter records."""
    records: dict[str, list[Record]] = {}
    if not content_dir.is_dir():
        return records
    for path in sorted(content_dir.rglob("*.md")):
        record = read_record(path)
        if record is not None:
            records.setdefault(record.seed, []).append(record)
    return records


def read_record(path: Path) -> Record | None:
    """The seed recorded by one file's front matter, or None (no front matter, no seed, unreadable)."""
    front = read_front_matter(path)
    source = front.get("source") if isinstance(front, dict) else None
    if not isinstance(source, dict) or not isinstance(source.get("seed"), str):
        return None
    sha = source.get("seed_sha256")
    title = front.get("title")
    return Record(path, source["seed"].strip(), sha.strip() if isinstance(sha, str) else None,
                  title if isinstance(title, str) else None)


def read_front_matter(path: Path) -> dict | None:
    """The front matter as plain strings, lists and mappings; None when there is none or it is broken."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_FRONT_MATTER_LIMIT)
    except OSError:
        return None
    lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].rstrip() != "---" or b"seed" not in head:
        return None
    closing = next((i for i, line in enumerate(lines[1:], start=1) if line.rstrip() in ("---", "...")), None)
    if closing is None:
        return None
    text = "\n".join(lines[1:closing])
    # libyaml composes on the C stack and crashes the process on very deep nesting; the pure
    # Python loader stops with a RecursionError instead.
    loader = _BaseLoader if _nesting_bound(text) <= C_SAFE_NESTING else yaml.BaseLoader
    try:
        data = yaml.load(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
