"""Shared fixtures: small projects written inline, Hugo-style, as `-- path --` sections."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from digest import pipeline

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = "title: Test digest\nbase_url: https://example.org/\nitems_per_page: 2\n"


def write_tree(root: Path, text: str) -> None:
    """Write files given as `-- path --` headers each followed by the file's text."""
    current, lines = None, []
    for line in text.splitlines(keepends=True):
        if line.startswith("-- ") and line.rstrip().endswith(" --"):
            if current:
                _write(root / current, "".join(lines))
            current, lines = line.strip()[3:-3].strip(), []
        else:
            lines.append(line)
    if current:
        _write(root / current, "".join(lines))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    """A factory: project(files_text, config=...) → a project folder with the real layouts."""
    def make(files: str = "", config: str = DEFAULT_CONFIG) -> Path:
        root = tmp_path / "project"
        if not root.exists():
            shutil.copytree(REPO / "layouts", root / "layouts")
            (root / "content").mkdir()
        (root / "site.yaml").write_text(config, encoding="utf-8")
        write_tree(root, files)
        return root
    return make


def build(root: Path, **overrides):
    """Build a project in-process and return the outcome (no search index unless asked for)."""
    overrides.setdefault("search", False)
    return pipeline.build(root, overrides)


def messages(outcome) -> list[str]:
    """Every problem of a build as printed: `path:line: severity: message`."""
    return [str(p) for p in outcome.report.warnings + outcome.report.errors]


def site_files(root: Path) -> dict[str, bytes]:
    """Every file under site/, by relative path."""
    site = root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def living_children() -> set[int]:
    """This process's living children (a forked copy or worker left behind would be one)."""
    children = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as listed:
            children |= {int(pid) for pid in listed.read().split()}
    return children
