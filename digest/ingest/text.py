"""Seed bytes → clean lines: size cap, binary and encoding checks, line endings, odd characters."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_SEED_BYTES = 5_000_000
# Characters that carry no text but break matching (zero-width space, BOMs inside the text,
# soft hyphens, word joiners, the non-characters U+FFFE/U+FFFF, which XML feeds refuse).
# Zero-width (non-)joiners are kept: some scripts need them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff\u00ad\u2060\ufffe\uffff"), None)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Runs of spaces of any kind (no-break, thin, ideographic …) and control characters: one space.
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


class SeedError(Exception):
    """A seed that cannot be imported at all, with the line where reading stopped."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Line:
    """One paragraph-sized line of a seed: its text, its line number and the blank lines before it."""

    number: int
    text: str
    gap: int = 0


def read_seed(path: Path) -> tuple[bytes, str]:
    """The seed's bytes and decoded text; SeedError when it is too big, binary, empty or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_SEED_BYTES:
        raise SeedError(1, f"seed is {size:,} bytes; the limit is {MAX_SEED_BYTES:,} bytes (5 MB): "
                           "split it or remove what is not the article")
    with path.open("rb") as handle:
        # Read one byte past the limit: the file may have grown since stat().
        data = handle.read(MAX_SEED_BYTES + 1)
    if len(data) > MAX_SEED_BYTES:
        raise SeedError(1, f"seed is over the limit of {MAX_SEED_BYTES:,} bytes (5 MB)")
    return data, decode_seed(data)


def decode_seed(data: bytes) -> str:
    """Decode seed bytes as UTF-8 (a BOM is dropped; UTF-16 with a BOM is accepted)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise SeedError(_line_at(data, data.index(b"\x00")),
                        "this looks like a binary file (it contains NUL bytes), not text copied from a page")
    text = _decode(data, "utf-8")
    if not text.strip():
        raise SeedError(1, "seed is empty: there is no text to import")
    if _control_share(text) > 0.05:
        raise SeedError(1, "this looks like a binary file (many control characters), not text copied from a page")
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SeedError(_line_at(data, exc.start),
                        f"not valid {encoding.upper()} (byte 0x{data[exc.start]:02x} at line "
                        f"{_line_at(data, exc.start)}); save the file as UTF-8") from None


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset, counting CRLF, CR and LF each as one line break."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _control_share(text: str) -> float:
    sample = text[:8192]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return controls / max(len(sample), 1)


def clean_line(text: str) -> str:
    """One line as plain single-spaced text: NFC, no invisible or control characters."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _BLANKS.sub(" ", text).strip()


def seed_lines(text: str) -> list[Line]:
    """The non-blank lines of a seed with their numbers; hard-wrapped lines joined back."""
    lines: list[Line] = []
    gap = 0
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        cleaned = clean_line(raw)
        if not cleaned:
            gap += 1
            continue
        lines.append(Line(number, cleaned, gap))
        gap = 0
    return _unwrap(lines)


def _unwrap(lines: list[Line]) -> list[Line]:
    """Join lines a copy broke mid-sentence back into one paragraph.

    Pages copy as one line per paragraph; text from e-mail or PDF is hard-wrapped at a fixed
    width. A line is joined to the next when the next starts in lowercase (a sentence cannot
    start there) or when the text as a whole is hard-wrapped and this line fills the width.
    """
    width = _wrap_width(lines)
    groups: list[list[Line]] = []
    for line in lines:
        previous = groups[-1][-1] if groups else None
        if previous is not None and line.gap == 0 and _continues(previous.text, line.text, width):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [Line(group[0].number, " ".join(part.text for part in group), group[0].gap) for group in groups]


def _continues(previous: str, text: str, width: int | None) -> bool:
    if previous.endswith((".", "!", "?", ":", ";", "”", '"', "’", ")", "]", "…", "|")):
        return False
    if re.match(r"^[-–—•*►▶·]\s|^\d+[.)]\s", text):
        return False  # a list item starts a new line on purpose
    if re.match(r"^(?:by|via|posted|updated|published|source|photo|image|https?:|www\.)\b", text, re.IGNORECASE):
        return False  # a byline or a link under a headline, not the rest of a sentence
    if text[0].islower() and len(previous.split()) >= 8:
        return True
    return width is not None and len(previous) >= 0.75 * width


def _wrap_width(lines: list[Line]) -> int | None:
    """The fixed width of hard-wrapped text, or None when lines are paragraphs."""
    if len(lines) < 6:
        return None
    lengths = [len(line.text) for line in lines]
    width = max(lengths)
    if not 50 <= width <= 100:
        return None
    full = sum(1 for n in lengths if n >= 0.75 * width)
    return width if full >= 0.6 * len(lengths) else None
