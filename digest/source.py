"""Read one file of the editor's: decode it, split front matter from body, load YAML safely.

YAML is loaded with a strict, line-aware reader: only plain data (mappings with text keys,
lists, text, integers, floats, true/false, null), no tags, no aliases, no duplicate keys. The
YAML 1.1 surprises are switched off: `no`, `yes`, `on`, `off` stay text, dates stay text (the
loader parses them with precision and good errors). Every value keeps the line it came from,
so a problem deep in front matter is reported at its own line of the file.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

MAX_FILE_BYTES = 2_000_000  # entities.yaml may be big; a Markdown body has its own, smaller limit
# Pathological Markdown (a long run of `[` or `![`) costs markdown-it-py ~20 µs a character: this
# keeps the worst body under about two seconds, and is ~25 times the longest sample article.
MAX_BODY_CHARS = 100_000
MAX_YAML_DEPTH = 20
# libyaml composes nodes recursively on the C stack: ~25,000 nesting levels crash the process
# (a segfault, not an exception). Text that could nest deeper than this is checked event by event first.
C_SAFE_NESTING = 200
# Invisible characters that XML (the feeds), YAML or HTML refuse: C0 controls except tab and line
# feed, DEL, C1 controls, the non-characters U+FFFE/U+FFFF (and lone surrogates, in values).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_UNSAFE_VALUE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_YAML_LINE_BREAKS = re.compile("[\u2028\u2029]")  # YAML 1.1 counts these as line breaks
STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


class SourceError(Exception):
    """A file cannot be read at all; carries the line where reading stopped."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Located:
    """Plain data loaded from YAML, with the file line of every key and list item."""

    value: object
    lines: dict[tuple, int] = field(default_factory=dict)
    line: int = 1
    problems: list[tuple[int, str]] = field(default_factory=list)

    def line_of(self, *path) -> int:
        """The line of a key path like ('source', 'url') or ('tags', 2), or the nearest parent's."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.line


@dataclass
class ContentFile:
    """A content file split into its front matter and its Markdown body."""

    path: Path
    front: Located
    body: str
    body_line: int


class _StrictResolver(yaml.resolver.BaseResolver):
    """Resolves plain scalars by the YAML 1.2 core schema: no yes/no booleans, no dates."""


_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _PureStrictLoader(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
    _StrictResolver,
):
    """Composes YAML into nodes only; values are built by `_build`, never by PyYAML."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _StrictResolver.__init__(self)


if getattr(yaml, "__with_libyaml__", False):
    class _CStrictLoader(yaml.cyaml.CParser, _StrictResolver):
        """The same composer in libyaml's C code: about ten times faster on large sites."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            _StrictResolver.__init__(self)

    _StrictLoader = _CStrictLoader
else:
    _StrictLoader = _PureStrictLoader


def read_text(path: Path) -> str:
    """The file's text: size-capped, UTF-8 (BOM dropped), free of control characters, LF line endings."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:  # unreadable, a folder, a symlink loop …: the editor's problem, not a crash
        raise SourceError(1, f"cannot read the file: {exc.strerror or exc}") from None
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """Decode bytes as the editor's text, or raise SourceError naming the line."""
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(1, f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise SourceError(text[: text.index("\x00")].count("\n") + 1, "contains a NUL byte; is this a binary file?")
    control = _CONTROL.search(text)
    if control:
        start = text.rfind("\n", 0, control.start()) + 1
        raise SourceError(text.count("\n", 0, control.start()) + 1,
                          f"contains the invisible control character U+{ord(control.group()):04X} "
                          f"(column {control.start() - start + 1}); delete it")
    return text


def split_front_matter(path: Path, text: str) -> ContentFile:
    """Split `---` front matter from the body; the front matter must come first."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        hint = "the file is empty" if not text.strip() else "did you forget the opening `---` line?"
        raise SourceError(1, f"no front matter: a content file starts with a line `---` ({hint})")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            front_text = "\n".join(lines[1:index])
            front = load_yaml(front_text, first_line=2)
            body = "\n".join(lines[index + 1:])
            if len(body) > MAX_BODY_CHARS:
                raise SourceError(index + 2, f"the body is {len(body):,} characters long; the limit is "
                                             f"{MAX_BODY_CHARS:,} (about 15,000 words), as longer Markdown can "
                                             "make the build very slow: split it into several files")
            return ContentFile(path, front, body, body_line=index + 2)
    raise SourceError(1, "front matter opened on line 1 is never closed; did you forget the closing `---`?")


def read_content_file(path: Path) -> ContentFile:
    """Read a content file into front matter and body, or raise SourceError."""
    return split_front_matter(path, read_text(path))


def load_yaml(text: str, first_line: int = 1) -> Located:
    """Load YAML text as plain data with lines; raise SourceError with the file line on failure."""
    separator = _YAML_LINE_BREAKS.search(text)
    if separator:
        raise SourceError(first_line + text.count("\n", 0, separator.start()),
                          f"contains an invisible line separator (U+{ord(separator.group()):04X}), which YAML "
                          "reads as a line break; replace it with a space")
    if _nesting_bound(text) > C_SAFE_NESTING:
        _refuse_deep_nesting(text, first_line)
    loader = None
    try:
        loader = _StrictLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the unfinished construct began: the line the editor must fix.
        mark = exc.context_mark or exc.problem_mark
        line = first_line + (mark.line if mark else 0)
        what = f"{exc.context}: {exc.problem}" if exc.context and exc.problem else (exc.problem or exc.context)
        raise SourceError(line, f"YAML: {what}") from None
    except yaml.reader.ReaderError as exc:
        line = first_line + text.count("\n", 0, max(exc.position, 0))
        raise SourceError(line, f"YAML: {exc.reason}") from None
    except yaml.YAMLError as exc:
        raise SourceError(first_line, f"YAML: {exc}") from None
    except RecursionError:
        raise SourceError(first_line, "YAML nests too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    located = Located(None, {}, first_line)
    if node is not None:
        located.value = _build(node, (), located, first_line, set(), 0)
    return located


def _nesting_bound(text: str) -> int:
    """How deep the text can nest at most: a block level needs more indentation or an indicator
    (`-`, `?`, `:`) on its line, a flow level an opening bracket. Cheap, and never below the truth."""
    lines = text.split("\n")
    indent = max((len(line) - len(line.lstrip(" ")) for line in lines), default=0)
    indicators = max((line.count("-") + line.count("?") + line.count(":") for line in lines), default=0)
    return 2 * indent + indicators + text.count("[") + text.count("{") + 1


def _refuse_deep_nesting(text: str, first_line: int) -> None:
    """Walk the parser's events (no recursion) and stop at the first level past the limit, so the
    recursive composer never sees deep input. Syntax errors are left to the composer to report."""
    loader = None
    depth = 0
    try:
        loader = _StrictLoader(text)
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH + 1:
                    raise SourceError(first_line + event.start_mark.line, f"YAML nests deeper than {MAX_YAML_DEPTH} levels")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except (yaml.YAMLError, RecursionError):
        return
    finally:
        if loader is not None:
            loader.dispose()


def _build(node, path: tuple, located: Located, first_line: int, seen: set, depth: int, used_at: int | None = None):
    """Turn a composed node into plain data, recording lines and refusing anything unusual.
    `used_at` is the line that refers to the node (an alias there is reported there, not at its anchor)."""
    line = first_line + node.start_mark.line
    if id(node) in seen:
        raise SourceError(used_at or line, "YAML aliases (`*name`) are not allowed; write the value out")
    seen.add(id(node))
    if depth > MAX_YAML_DEPTH:
        raise SourceError(line, f"YAML nests deeper than {MAX_YAML_DEPTH} levels")
    if node.tag not in STANDARD_TAGS:
        raise SourceError(line, f"YAML tag `{node.tag}` is not allowed; only plain data is")
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, located, first_line, seen, depth)
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, child in enumerate(node.value):
            located.lines[path + (index,)] = first_line + child.start_mark.line
            items.append(_build(child, path + (index,), located, first_line, seen, depth + 1, used_at=line))
        return items
    return _scalar(node, line)


def _build_mapping(node, path, located, first_line, seen, depth) -> dict:
    """A mapping with unique text keys."""
    result: dict = {}
    for key_node, value_node in node.value:
        key_line = first_line + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            raise SourceError(key_line, "keys must be plain words (no merge keys `<<`, lists or mappings)")
        if key_node.tag not in STANDARD_TAGS:
            raise SourceError(key_line, f"YAML tag `{key_node.tag}` is not allowed; only plain data is")
        key = key_node.value
        _check_text(key, key_line)
        if key in result:
            # Not fatal: report it and keep the first value, so the rest of the file is checked too.
            first = located.lines[path + (key,)]
            located.problems.append((key_line, f"duplicate key `{key}` (first given on line {first})"))
            continue
        located.lines[path + (key,)] = key_line
        result[key] = _build(value_node, path + (key,), located, first_line, seen, depth + 1, used_at=key_line)
    return result


def _scalar(node, line: int):
    """A scalar by its resolved tag; numbers that do not fit are errors, not infinities."""
    tag, text = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
        _check_text(text, line)
        return text
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        if len(text) > 30:
            raise SourceError(line, f"number `{text[:20]}…` is too large")
        return int(text, 0) if not re.match(r"^[-+]?0[0-9]", text) else int(text)
    if len(text) > 50:
        raise SourceError(line, f"number `{text[:20]}…` is too long")
    value = float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                  .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
    if math.isinf(value) and "inf" not in text.lower():
        raise SourceError(line, f"number `{text}` is too large")
    return value


def _check_text(text: str, line: int) -> None:
    """Text from YAML escapes (`"\\x01"`, `"\\0"`) may hold what a file may not: refuse it at its line."""
    unsafe = _UNSAFE_VALUE.search(text)
    if unsafe:
        raise SourceError(line, f"text contains the invisible control character U+{ord(unsafe.group()):04X} "
                                "(from a YAML escape?); remove it")


def iter_files(folder: Path, suffix: str) -> list[Path]:
    """Files with a suffix under a folder, sorted; hidden files and symlinks out of it skipped.
    Links to folders are not followed (as os.walk does not); a link to a file counts if it
    leads to one inside the folder."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    found = []
    for entry in _entries(folder):
        if not entry.name.endswith(suffix) or _is_dir(entry):
            continue
        if entry.is_symlink():
            # A link to nothing or round in a loop is no file; one out of the folder is skipped.
            if not os.path.isfile(entry.path) or not Path(entry.path).resolve().is_relative_to(root):
                continue
        elif not entry.is_file(follow_symlinks=False):
            continue
        found.append(Path(entry.path))
    return sorted(found)


def symlink_problems(folder: Path) -> list[tuple[Path, str]]:
    """Symlinks under a folder that lead "outside" it, "nowhere" or round in a "loop", sorted; hidden
    names (editor lock files such as `.#a.md`) are left alone. None is ever followed."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    found = []
    for path in sorted(Path(entry.path) for entry in _entries(folder) if entry.is_symlink()):
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            target = Path(os.path.realpath(path))
            found.append((path, "outside" if not target.is_relative_to(root) else "nowhere"))
            continue
        except (OSError, RuntimeError):  # ELOOP: Python 3.11 raises RuntimeError, later ones OSError
            found.append((path, "loop"))
            continue
        if not target.is_relative_to(root):
            found.append((path, "outside"))
    return found


def _entries(folder: Path) -> Iterator[os.DirEntry]:
    """Every entry under a folder but hidden ones and what lies in them, never through a link
    to a folder; each entry's type comes with its folder's listing, not from a call per file.
    A folder that cannot be listed is passed over."""
    pending = [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                entries = [entry for entry in listing if not entry.name.startswith(".")]
        except OSError:
            continue
        for entry in entries:
            yield entry
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)


def _is_dir(entry: os.DirEntry) -> bool:
    """A folder, or a link to one (a link round in a loop is neither)."""
    try:
        return entry.is_dir()
    except OSError:
        return False
