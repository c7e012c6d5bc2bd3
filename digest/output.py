"""Write the site all-or-nothing: build into a staging folder, then swap it for site/ at once.

A build that fails or is killed never touches site/; the swap is one atomic rename where the
system has renameat2(RENAME_EXCHANGE) (Linux), and two quick renames elsewhere. A lock file
keeps two builds from interleaving.

After the swap the staging folder holds the previous site; it is kept as `.site.spare` and is
the next build's staging folder, so a rebuild neither creates nor deletes the thousands of
folders that pretty URLs need. Nothing in it is trusted: links and odd entries are removed
first, a page is kept only if it is the very file (same inode) the current site/ has, every
other page is written anew (to a temporary name, then renamed: files are shared with site/ by
hard links and must never be written through), and whatever the plan does not name is deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import stat
from pathlib import Path

from .cache import remove
from .plan import static_files
from .urls import output_file

RENAME_EXCHANGE = 2
AT_FDCWD = -100


class Staging:
    """A folder beside site/ (the previous site, or a fresh one) that becomes site/ on commit."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.dir = site_dir.with_name(f".{site_dir.name}.staging")
        self.spare = site_dir.with_name(f".{site_dir.name}.spare")
        remove(site_dir.with_name(f".{site_dir.name}.old"))
        if not _is_real_folder(self.dir):  # a leftover staging folder (killed build) serves as well
            remove(self.dir)
            if _is_real_folder(self.spare):
                os.rename(self.spare, self.dir)
            else:
                remove(self.spare)
                self.dir.mkdir(parents=True)
        remove(self.spare)
        self.present, self.folders, self.empty = _inventory(self.dir)
        self.kept: set[str] = set()  # files outside the pages this build placed: static, search index

    def write(self, site_path: str, data: bytes) -> None:
        """Write one page's bytes at the file its site path maps to, never outside the folder."""
        relative = _inside(site_path)
        # The staging folder holds no links (see _inventory), so a path without `..` stays in it.
        if relative is None:
            raise ValueError(f"refusing to write outside the site: {site_path}")
        self._folder_for(relative)
        target = os.path.join(self.dir, relative)  # plain strings and os calls: thousands of pages
        if relative not in self.present:  # a new file: no link to site/ to write through
            _write_new(target, data)
            return
        _replace(target, lambda temporary: _write_new(temporary, data))

    def identity(self, site_path: str, staged: bool = True) -> str | None:
        """Size, modification time and inode of a page's file, staged or in the current site/:
        a page is carried over only while its file in site/ is still the one this build wrote."""
        return file_identity(self.dir if staged else self.site_dir, site_path)

    def reuse(self, site_path: str) -> None:
        """Carry a page over from the current site/ unchanged (a hard link: no copy, no render)."""
        self._link(output_file(site_path))

    def reuse_folder(self, name: str) -> bool:
        """Carry a whole folder over from the current site/ (the search index); False if absent."""
        source = self.site_dir / name
        if not _is_real_folder(source):
            return False
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                relative = path.relative_to(self.site_dir).as_posix()
                self._link(relative)
                self.kept.add(relative)
        return True

    def folder_identity(self, name: str, staged: bool = True) -> str:
        """A digest of every file's path, size, modification time and inode under a folder,
        staged or in site/: the search index is carried over only while it is the one written."""
        folder = (self.dir if staged else self.site_dir) / name
        if not _is_real_folder(folder):
            return "absent"
        digest = hashlib.sha256()
        for path in sorted(folder.rglob("*")):
            info = path.lstat()
            if stat.S_ISDIR(info.st_mode):
                continue  # folders are made afresh in each staging folder; their files are what count
            digest.update(f"{path.relative_to(folder).as_posix()}\0{info.st_size}:{info.st_mtime_ns}:{info.st_ino}:{info.st_mode}\0".encode())
        return digest.hexdigest()

    def clear_folder(self, name: str) -> None:
        """Empty a folder before a tool writes into it (its files may be shared with site/)."""
        remove(self.dir / name)
        self.folders = {f for f in self.folders if f != name and not f.startswith(name + "/")}
        self.present = {f: inode for f, inode in self.present.items() if not f.startswith(name + "/")}

    def keep_folder(self, name: str) -> None:
        """Keep every file a tool wrote under a folder."""
        folder = self.dir / name
        for path in folder.rglob("*") if _is_real_folder(folder) else ():
            if path.is_file():
                self.kept.add(path.relative_to(self.dir).as_posix())

    def copy_static(self, static_dir: Path) -> None:
        """Copy layouts/static/ to the site root, skipping links that leave it."""
        for relative in static_files(static_dir):
            source = static_dir / relative
            self._folder_for(relative)
            target = self.dir / relative
            _replace(target, lambda temporary: shutil.copyfile(source, temporary))
            self.kept.add(relative)

    def prune(self, pages: list[str]) -> None:
        """Delete every file neither a page of the plan nor kept, and the folders left empty."""
        wanted = {output_file(path) for path in pages} | self.kept
        emptied = set(self.empty)
        for relative in set(self.present) - wanted:
            _unlink_quietly(self.dir / relative)
            emptied.add(relative.rpartition("/")[0])
            del self.present[relative]
        for folder in sorted(emptied, key=lambda f: f.count("/"), reverse=True):
            while folder:
                try:
                    os.rmdir(self.dir / folder)
                except OSError:  # not empty (still holds pages), or gone already
                    break
                folder = folder.rpartition("/")[0]

    def commit(self) -> None:
        """Make the staged folder the site, atomically where the system allows; keep the old one as spare."""
        if self.site_dir.exists() and _exchange(self.dir, self.site_dir):
            os.rename(self.dir, self.spare)
            return
        old = self.site_dir.with_name(f".{self.site_dir.name}.old")
        if self.site_dir.exists():
            os.rename(self.site_dir, old)
        os.rename(self.dir, self.site_dir)
        if old.exists():
            os.rename(old, self.spare)

    def abandon(self) -> None:
        """Leave site/ as it was; the staged folder stays as spare for the next build."""
        os.rename(self.dir, self.spare)

    def _link(self, relative: str) -> None:
        """Make the staged file the very file site/ has (unless it already is)."""
        source = self.site_dir / relative
        if self.present.get(relative) == os.stat(source).st_ino:
            return
        self._folder_for(relative)
        target = self.dir / relative
        _replace(target, lambda temporary: _link_or_copy(source, temporary))

    def _folder_for(self, relative: str) -> None:
        folder = relative.rpartition("/")[0]
        if folder and folder not in self.folders:
            try:
                os.mkdir(os.path.join(self.dir, folder))
            except (FileNotFoundError, FileExistsError):  # its parent is missing too, or it is there
                os.makedirs(os.path.join(self.dir, folder), exist_ok=True)
            self.folders.add(folder)


def file_identity(folder: Path, site_path: str) -> str | None:
    """Size, modification time and inode of a page's file under folder; None if it is absent."""
    try:
        info = os.stat(folder / output_file(site_path))
    except OSError:
        return None
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def _inventory(folder: Path) -> tuple[dict[str, int], set[str], set[str]]:
    """The regular files (relative path → inode), the folders and the empty folders under folder;
    anything else is removed: a link or device left there could lead a write elsewhere."""
    files: dict[str, int] = {}
    folders: set[str] = set()
    empty: set[str] = set()
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        entries = list(os.scandir(path))
        if not entries and prefix:
            empty.add(prefix[:-1])
        for entry in entries:
            relative = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.add(relative)
                pending.append((relative + "/", entry.path))
            elif entry.is_file(follow_symlinks=False) and not entry.name.endswith(".tmp"):
                files[relative] = entry.inode()
            else:
                _unlink_quietly(Path(entry.path))
    return files, folders, empty


@contextlib.contextmanager
def build_lock(root: Path):
    """Hold an exclusive lock for the whole build, so two builds never interleave."""
    lock_dir = root / ".digest-cache"
    # The build's own folder, never a link out of the project: everything cached is written there.
    if lock_dir.is_symlink():
        lock_dir.unlink()
    lock_dir.mkdir(exist_ok=True)
    lock = lock_dir / "build.lock"
    if lock.is_symlink() or lock.is_dir():
        remove(lock)
    with os.fdopen(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o666), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def replace_page(site_dir: Path, site_path: str, data: bytes, new: bool = False) -> bool:
    """Replace one page of the live site/ in place (a patch), or with `new` add it and the
    folders it needs; False, writing nothing, unless the page is (or will be) a plain file
    reached through plain folders inside site/."""
    relative = _inside(site_path)
    if relative is None:
        return False
    target = site_dir / relative
    try:
        if new:
            folder = os.path.dirname(relative)
            existing = folder
            while existing and not os.path.lexists(site_dir / existing):
                existing = os.path.dirname(existing)
            # Checked before any folder is made: a link in the way could lead the making elsewhere.
            if not _plainly_inside(site_dir, site_dir / existing, existing) or os.path.lexists(target):
                return False
            target.parent.mkdir(parents=True, exist_ok=True)
        elif not _plainly_inside(site_dir, target, relative) or not stat.S_ISREG(os.lstat(target).st_mode):
            return False
        _replace(target, lambda temporary: _write_new(temporary, data))
    except OSError:
        return False
    return True


def remove_page(site_dir: Path, site_path: str) -> bool:
    """Delete one page of the live site/ (a patch), and the folders it leaves empty."""
    relative = _inside(site_path)
    if relative is None:
        return False
    target = site_dir / relative
    try:
        if not _plainly_inside(site_dir, target, relative) or not stat.S_ISREG(os.lstat(target).st_mode):
            return False
        target.unlink()
    except OSError:
        return False
    folder = os.path.dirname(relative)
    while folder:
        try:
            os.rmdir(site_dir / folder)
        except OSError:  # not empty: it holds other pages
            break
        folder = os.path.dirname(folder)
    return True


def _inside(site_path: str) -> str | None:
    """The file a site path maps to, relative to site/, if it can only be inside it."""
    relative = output_file(site_path)
    if relative.startswith("/") or ".." in relative.split("/") or "\0" in relative:
        return None
    return relative


def _plainly_inside(site_dir: Path, path: Path, relative: str) -> bool:
    """No link on the way from site/ to path: it is where its relative path says."""
    return os.path.realpath(path) == os.path.normpath(os.path.join(os.path.realpath(site_dir), relative))


def _write_new(path: str, data: bytes) -> None:
    """Write a file that is not there (or replace it), with the system's calls and no buffering;
    a failed write (a full disk) names the file, as a failed open does."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
    except OSError as exc:
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror, path) from exc


def _replace(target: str | Path, make) -> None:
    """Put a new file at target by making it under a temporary name and renaming it over: the
    old file may be shared with site/ by a hard link, and must never be written through."""
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    make(temporary)
    os.replace(temporary, target)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False if unsupported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    return renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0


@functools.lru_cache(maxsize=1)
def _renameat2():
    """libc's renameat2 from the symbols this process already has, looked up once; None if absent.
    (ctypes is imported here: a build that swaps no folder, a patch, need not load it.)"""
    import ctypes

    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except OSError:
        return None


def _is_real_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()

