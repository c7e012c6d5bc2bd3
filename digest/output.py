"""Write the site all-or-nothing: build into a staging folder, then swap it for site/ at once.

A build that fails or is killed never touches site/; the swap is one atomic rename where the
system has renameat2(RENAME_EXCHANGE) (Linux), and two quick renames elsewhere. A lock file
keeps two builds from interleaving.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
from pathlib import Path

from .urls import output_file

RENAME_EXCHANGE = 2
AT_FDCWD = -100


class Staging:
    """A fresh folder beside site/ that becomes site/ on commit."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.dir = site_dir.with_name(f".{site_dir.name}.staging")
        _remove(self.dir)
        _remove(site_dir.with_name(f".{site_dir.name}.old"))
        self.dir.mkdir(parents=True)
        self.written: dict[str, str] = {}

    def write(self, site_path: str, data: bytes) -> None:
        """Write one page's bytes at the file its site path maps to, never outside the folder."""
        relative = output_file(site_path)
        target = (self.dir / relative).resolve()
        if not target.is_relative_to(self.dir.resolve()):
            raise ValueError(f"refusing to write outside the site: {site_path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def identity(self, site_path: str, staged: bool = True) -> str | None:
        """Size, modification time and inode of a page's file, staged or in the current site/:
        a page is carried over only while its file in site/ is still the one this build wrote."""
        try:
            info = os.stat((self.dir if staged else self.site_dir) / output_file(site_path))
        except OSError:
            return None
        return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"

    def reuse(self, site_path: str) -> None:
        """Carry a page over from the current site/ unchanged (a hard link: no copy, no render)."""
        relative = output_file(site_path)
        target = self.dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(self.site_dir / relative, target)

    def reuse_folder(self, name: str) -> bool:
        """Carry a whole folder over from the current site/ (the search index); False if absent."""
        source = self.site_dir / name
        if not source.is_dir() or source.is_symlink():
            return False
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                target = self.dir / name / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(path, target)
        return True

    def copy_static(self, static_dir: Path) -> None:
        """Copy layouts/static/ to the site root, skipping links that leave it."""
        if not static_dir.is_dir():
            return
        root = static_dir.resolve()
        for source in sorted(static_dir.rglob("*")):
            if not source.is_file() or not source.resolve().is_relative_to(root):
                continue
            target = self.dir / source.relative_to(static_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def commit(self) -> None:
        """Make the staged folder the site, atomically where the system allows."""
        if self.site_dir.exists() and _exchange(self.dir, self.site_dir):
            _remove(self.dir)
            return
        old = self.site_dir.with_name(f".{self.site_dir.name}.old")
        if self.site_dir.exists():
            os.rename(self.site_dir, old)
        os.rename(self.dir, self.site_dir)
        _remove(old)

    def abandon(self) -> None:
        """Drop the staged folder; site/ stays as it was."""
        _remove(self.dir)


@contextlib.contextmanager
def build_lock(root: Path):
    """Hold an exclusive lock for the whole build, so two builds never interleave."""
    lock_dir = root / ".digest-cache"
    lock_dir.mkdir(exist_ok=True)
    with open(lock_dir / "build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    return result == 0


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
