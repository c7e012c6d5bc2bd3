"""Content files: slugs, front matter through a YAML emitter, Markdown-escaped bodies, no overwriting."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

SLUG_LIMIT = 60
# Letters NFKD does not split into a base letter and an accent.
_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                                "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "œ": "oe", "Œ": "OE", "ı": "i",
                                "ð": "d", "Ð": "D", "ħ": "h", "Ħ": "H"})
# Plain scalars that a YAML 1.2 reader (the project's loader) would read as something other than
# text. PyYAML quotes YAML 1.1's surprises itself; these it would leave bare ("0o17", "1e5").
_TYPED_SCALAR = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+|0b[01]+)"
    r"|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|~|null|Null|NULL"
    r"|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<|~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START_MARKUP = re.compile(r"^([#>+=:-])")
_ORDERED_ITEM = re.compile(r"^(\d{1,9})([.)])")


class _Dumper(yaml.SafeDumper):
    """The safe emitter, quoting every text that another YAML reader could take for a number,
    a boolean or null, so that each title loads back as the same text."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if _TYPED_SCALAR.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def slugify(text: str, limit: int = SLUG_LIMIT) -> str:
    """Lowercase ASCII words joined by hyphens, at most `limit` characters cut at a word; never empty."""
    text = re.sub(r"[’'‘`]", "", text)  # "Belgium’s" → belgiums, not belgium-s
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:limit]
    return slug or "untitled"


def unique_stem(folder: Path, base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … : the first not used by a file in the folder or in this run."""
    stem, number = base, 1
    while stem in taken or (folder / f"{stem}.md").exists() or (folder / f"{stem}.md").is_symlink():
        number += 1
        stem = f"{base}-{number}"
    taken.add(stem)
    return stem


def front_matter(data: dict) -> str:
    """The front matter block for data: YAML from the safe emitter, keys in the given order."""
    text = yaml.dump(data, Dumper=_Dumper, default_flow_style=False, allow_unicode=True, sort_keys=False,
                     width=10**6)
    return f"---\n{text}---\n"


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that renders as that same text: no emphasis, links, HTML, lists,
    headings, quotes, tables or code come out of characters that were just text."""
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _LINE_START_MARKUP.sub(r"\\\1", text)
    return _ORDERED_ITEM.sub(r"\1\\\2", text)


def render_file(data: dict, paragraphs: list[str]) -> str:
    """A whole content file: front matter, then the paragraphs separated by blank lines."""
    body = "\n\n".join(escape_markdown(p) for p in paragraphs)
    return front_matter(data) + (body + "\n" if body else "")


def write_new(path: Path, text: str) -> None:
    """Create the file; FileExistsError if anything is already there (the editor's files are sacred)."""
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
