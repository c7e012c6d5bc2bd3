"""The importer: raw news texts in seeds/ → one Markdown file with front matter per article and brief.

Stages, one module each:
- `text`: seed bytes → clean lines (size cap, binary and UTF-8 checks, line endings).
- `segment`: lines → articles, teasers, lists and clutter; it asks `dates`, `meta`, `bylines` and
  `fields` what metadata lines say, `clutter` what furniture looks like, `prose` about sentence
  shapes, and `teasers` for second looks; the results are the dataclasses of `drafts`.
- `items`: drafts → front matter and the doubts to report.
- `write`: slugs, YAML, Markdown escaping, never overwriting. `scan`: which seeds the content records.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..problems import Report
from . import scan
from .items import ARTICLE, BRIEF, Item, Provenance, make_items
from .scan import Record
from .segment import split_seed
from .text import SeedError, read_seed, seed_lines
from .write import render_file, slugify, unique_stem, write_new

__all__ = ["import_seeds", "pending_seeds", "check_seeds"]

# A seed's name is recorded in front matter: it must be text the loader accepts back.
_UNSAFE_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffe\uffff]")


def import_seeds(seed_paths: list[Path], content_dir: Path, report: Report, *, force: bool = False) -> list[Path]:
    """Import each seed not yet imported; return the files written. With force, re-import into side files."""
    root = _project_root(content_dir)
    records = scan.imported(content_dir)
    written: list[Path] = []
    for seed in seed_paths:
        written += _import_seed(Path(seed), content_dir, root, records, report, force)
    return written


def pending_seeds(seeds_dir: Path, content_dir: Path) -> list[Path]:
    """Seeds in seeds_dir (*.txt, sorted) that no content file records as its source."""
    root = _project_root(content_dir)
    recorded = scan.imported(content_dir)
    return [seed for seed in _seed_files(seeds_dir) if _seed_name(seed, root) not in recorded]


def check_seeds(seeds_dir: Path, content_dir: Path, report: Report) -> None:
    """Warn (report.warning) for each seed whose sha256 differs from the one recorded in the content files imported from it."""
    root = _project_root(content_dir)
    recorded = scan.imported(content_dir)
    for seed in _seed_files(seeds_dir):
        name = _seed_name(seed, root)
        if name not in recorded or _leaves_folder(seed):
            continue
        try:
            digest = _sha256(seed)
        except OSError as exc:
            report.error(seed, 1, f"cannot read the seed: {exc.strerror or exc}")
            continue
        _warn_if_changed(seed, name, digest, recorded[name], report)


# -- one seed -------------------------------------------------------------------------------

def _import_seed(seed: Path, content_dir: Path, root: Path, records: dict[str, list[Record]],
                 report: Report, force: bool) -> list[Path]:
    name = _checked_name(seed, root, report)
    if name is None:
        return []
    try:
        data, text = read_seed(seed)
    except SeedError as exc:
        report.error(seed, exc.line, exc.message)
        return []
    except OSError as exc:
        report.error(seed, 1, f"cannot read the seed: {exc.strerror or exc}")
        return []
    digest = hashlib.sha256(data).hexdigest()
    existing = records.get(name, [])
    if existing and not force:
        _warn_if_changed(seed, name, digest, existing, report)
        return []
    parsed = split_seed(seed_lines(text))
    articles, briefs = make_items(parsed, Provenance(name, digest))
    if not articles and not briefs:
        report.warning(seed, 1, "no article found in the text; nothing was imported")
        return []
    for note in parsed.notes:
        report.warning(seed, 1, note)
    folders = _content_folders(content_dir, report)
    if folders is None:
        return []
    written = _write_items(seed, articles, briefs, folders, existing, root, report)
    records.setdefault(name, []).extend(Record(path, name, digest, None) for path in written)
    return written


def _write_items(seed: Path, articles: list[Item], briefs: list[Item], folders: dict[str, Path],
                 existing: list[Record], root: Path, report: Report) -> list[Path]:
    """Give each item its file (a side file `<id>.md.new` when re-importing) and write it."""
    side = bool(existing)
    unmatched = list(existing)
    taken: dict[str, set[str]] = {ARTICLE: set(), BRIEF: set()}
    article_ids: list[str] = []
    written: list[Path] = []
    for item in articles + briefs:
        folder = folders[item.folder]
        match = _match_existing(item, folder, unmatched) if side else None
        stem = match.path.stem if match else unique_stem(folder, slugify(item.title), taken[item.folder])
        if item.folder == ARTICLE:
            article_ids.append(stem)
        else:
            item.front["found_with"] = article_ids[item.found_with] if item.found_with is not None else None
        path = folder / (f"{stem}.md.new" if side else f"{stem}.md")
        if _write_item(seed, item, path, root, report):
            written.append(path)
            if side:
                beside = f" beside {_shown(match.path, root)}" if match else ""
                report.warning(seed, item.line, f"the seed was imported before: wrote the fresh import to "
                                                f"{_shown(path, root)}{beside}; compare them (diff -u) and "
                                                "rename it to .md to use it")
    return written


def _write_item(seed: Path, item: Item, path: Path, root: Path, report: Report) -> bool:
    try:
        write_new(path, render_file(item.front, item.paragraphs))
    except FileExistsError:
        report.warning(path, 1, "already exists and is not overwritten; move it away to import again")
        return False
    except OSError as exc:
        report.error(path, 1, f"cannot write the file: {exc.strerror or exc}")
        return False
    if item.unsure:
        report.warning(seed, item.line, f"{_shown(path, root)}: " + "; ".join(item.unsure))
    return True


def _match_existing(item: Item, folder: Path, unmatched: list[Record]) -> Record | None:
    """The existing file from the same seed that this item re-imports: same title, else same slug."""
    slug = slugify(item.title)
    candidates = [r for r in unmatched if r.path.parent == folder]
    match = next((r for r in candidates if r.title is not None and r.title.strip() == item.title), None) or \
        next((r for r in candidates if re.fullmatch(re.escape(slug) + r"(?:-\d+)?", r.path.stem)), None)
    if match is not None:
        unmatched.remove(match)
    return match


def _warn_if_changed(seed: Path, name: str, digest: str, records: list[Record], report: Report) -> None:
    changed = [r for r in records if r.seed_sha256 and r.seed_sha256 != digest]  # no hash: nothing to compare
    if changed:
        first = changed[0].path
        more = f" and {len(records) - 1} more file(s)" if len(records) > 1 else ""
        report.warning(seed, 1, f"the seed changed since it was imported into {first.parent.name}/{first.name}{more}; "
                                f"run `python build.py import --force {name}` to write the fresh import beside them")


# -- paths ------------------------------------------------------------------------------------

def _project_root(content_dir: Path) -> Path:
    return Path(os.path.abspath(content_dir)).parent


def _seed_files(seeds_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        return []
    return [p for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith(".") and (p.is_file() or p.is_symlink())]


def _seed_name(seed: Path, root: Path) -> str:
    """The seed as content files record it: its path from the project root (`seeds/<name>`)."""
    return Path(os.path.relpath(os.path.abspath(seed), root)).as_posix()


def _leaves_folder(seed: Path) -> bool:
    """A symbolic link pointing outside the folder it sits in (or round in a loop, so nowhere)."""
    if not seed.is_symlink():
        return False
    try:
        return not seed.resolve().is_relative_to(Path(os.path.abspath(seed.parent)).resolve())
    except (OSError, RuntimeError):  # ELOOP: RuntimeError on Python 3.11, OSError later
        return True


def _is_loop(seed: Path) -> bool:
    try:
        seed.resolve(strict=True)
    except (RuntimeError, OSError) as exc:
        return not isinstance(exc, FileNotFoundError)
    return False


def _checked_name(seed: Path, root: Path, report: Report) -> str | None:
    """The seed's recorded name, or None after reporting why it cannot be imported."""
    if _leaves_folder(seed):
        # Named by the link, not by its target: Report would show the resolved, outside path.
        where = "round in a loop" if _is_loop(seed) else "outside the seeds folder"
        report.error(_seed_name(seed, root), 1, f"symbolic link points {where}; it is not imported")
        return None
    if not seed.exists():
        report.error(seed, 1, "no such seed file")
        return None
    if not seed.is_file():
        report.error(seed, 1, "not a text file (a folder or a device?)")
        return None
    name = _seed_name(seed, root)
    if _UNSAFE_NAME.search(name):
        report.error(seed, 1, "the file name has invisible control characters or bytes that are not UTF-8; "
                              "rename the seed")
        return None
    if name.startswith("../") or name == "..":
        report.error(seed, 1, "the seed is outside the project; copy it into seeds/ and import it from there")
        return None
    return name


def _content_folders(content_dir: Path, report: Report) -> dict[str, Path] | None:
    """content/articles and content/briefs, created if missing, refused if they lead outside content/."""
    folders = {ARTICLE: content_dir / ARTICLE, BRIEF: content_dir / BRIEF}
    inside = Path(os.path.abspath(content_dir)).resolve()
    for folder in folders.values():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            report.error(folder, 1, f"cannot create the folder: {exc.strerror or exc}")
            return None
        if not folder.resolve().is_relative_to(inside):
            report.error(folder, 1, "this folder leads outside content/ (a symbolic link?); nothing is written there")
            return None
    return folders


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _shown(path: Path, root: Path) -> str:
    """A path as the editor knows it: relative to the project."""
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
