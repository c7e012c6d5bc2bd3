"""Read one file of the editor's: decode it, split front matter from body, load YAML safely.

YAML is loaded with a strict, line-aware reader: only plain data (mappings with text keys,
lists, text, integers, floats, true/false, null), no tags, no aliases, no duplicate keys. The
YAML 1.1 surprises are switched off: `no`, `yes`, `on`, `off` stay text, dates stay text (the
loader parses them with precision and good errors). Every value keeps the line it came from,
so a problem deep in front matter is reported at its own line of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MAX_FILE_BYTES = 2_000_000  # above this the Markdown parser could take seconds; refuse early
MAX_YAML_DEPTH = 20
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
    """The file's text: size-capped, UTF-8 (BOM dropped), NUL-free, LF line endings."""
    data = path.read_bytes()
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
            return ContentFile(path, front, body, body_line=index + 2)
    raise SourceError(1, "front matter opened on line 1 is never closed; did you forget the closing `---`?")


def read_content_file(path: Path) -> ContentFile:
    """Read a content file into front matter and body, or raise SourceError."""
    return split_front_matter(path, read_text(path))


def load_yaml(text: str, first_line: int = 1) -> Located:
    """Load YAML text as plain data with lines; raise SourceError with the file line on failure."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the unfinished construct began: the line the editor must fix.
        mark = exc.context_mark or exc.problem_mark
        line = first_line + (mark.line if mark else 0)
        what = f"{exc.context}: {exc.problem}" if exc.context and exc.problem else (exc.problem or exc.context)
        raise SourceError(line, f"YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise SourceError(first_line, f"YAML: {exc}") from None
    except RecursionError:
        raise SourceError(first_line, "YAML nests too deeply") from None
    finally:
        loader.dispose()
    located = Located(None, {}, first_line)
    if node is not None:
        located.value = _build(node, (), located, first_line, set(), 0)
    return located


def _build(node, path: tuple, located: Located, first_line: int, seen: set, depth: int):
    """Turn a composed node into plain data, recording lines and refusing anything unusual."""
    line = first_line + node.start_mark.line
    if id(node) in seen:
        raise SourceError(line, "YAML aliases (`*name`) are not allowed; write the value out")
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
            items.append(_build(child, path + (index,), located, first_line, seen, depth + 1))
        return items
    return _scalar(node, line)


def _build_mapping(node, path, located, first_line, seen, depth) -> dict:
    """A mapping with unique text keys."""
    result: dict = {}
    for key_node, value_node in node.value:
        key_line = first_line + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            raise SourceError(key_line, "keys must be plain words (no merge keys `<<`, lists or mappings)")
        key = key_node.value
        if key in result:
            # Not fatal: report it and keep the first value, so the rest of the file is checked too.
            first = located.lines[path + (key,)]
            located.problems.append((key_line, f"duplicate key `{key}` (first given on line {first})"))
            continue
        located.lines[path + (key,)] = key_line
        result[key] = _build(value_node, path + (key,), located, first_line, seen, depth + 1)
    return result


def _scalar(node, line: int):
    """A scalar by its resolved tag; numbers that do not fit are errors, not infinities."""
    tag, text = node.tag, node.value
    if tag == "tag:yaml.org,2002:str":
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
    return float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                 .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))


def iter_files(folder: Path, suffix: str) -> list[Path]:
    """Files with a suffix under a folder, sorted; hidden files and symlinks out of it skipped."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    found = []
    for path in sorted(folder.rglob(f"*{suffix}")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_file() and path.resolve().is_relative_to(root):
            found.append(path)
    return found


def symlinks_leaving(folder: Path) -> list[Path]:
    """Symlinks under a folder that point outside it (reported, never followed)."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    return [p for p in sorted(folder.rglob("*")) if p.is_symlink() and not p.resolve().is_relative_to(root)]
