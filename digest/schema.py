"""Checking loaded YAML against the fields a file may have, with messages an editor understands."""

from __future__ import annotations

import datetime
import difflib
import re
from pathlib import Path

from .model import PartialDate
from .problems import Report
from .source import Located

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_TYPE_NAMES = {bool: "true/false", int: "a number", float: "a number", list: "a list",
               dict: "a mapping", str: "text", type(None): "nothing"}


class Fields:
    """The fields of one mapping (front matter, a config file, an entity), checked one by one.

    Each getter records a problem and returns the default when the value is wrong, so that
    one run reports every problem in the file. `finish()` reports keys nobody asked for.
    """

    def __init__(self, located: Located, path: Path, report: Report, prefix: tuple = (),
                 what: str = "front matter", unknown_is_error: bool = True):
        self.located, self.path, self.report, self.prefix = located, path, report, prefix
        self.what, self.unknown_is_error = what, unknown_is_error
        value = located.value
        for key in prefix:
            value = value.get(key) if isinstance(value, dict) else None
        self.data = value if isinstance(value, dict) else {}
        if value is not None and not isinstance(value, dict):
            self._error((), f"{self._name(())} should be a mapping of `key: value` lines, "
                             f"but is {_TYPE_NAMES.get(type(value), 'something else')}")
        self.asked: set[str] = set()
        if not prefix:
            for line, message in located.problems:
                report.error(path, line, message)

    def line(self, *key) -> int:
        return self.located.line_of(*self.prefix, *key)

    def text(self, key: str, required: bool = False, default: str | None = None) -> str | None:
        """A single line or paragraph of text; numbers and booleans are refused, not converted."""
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            return self._wrong_type(key, value, "text", default, hint=f'put it in quotes: {key}: "{_show(value)}"')
        if required and not value.strip():
            self._error((key,), f"`{key}` is empty")
            return default
        return value.strip()

    def text_list(self, key: str) -> tuple[str, ...]:
        """A list of text items; a single text is accepted as a list of one."""
        value = self._get(key, False)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return self._wrong_type(key, value, "a list", ())
        items = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                items.append(item.strip())
            elif isinstance(item, str):
                self._error((key, index), f"item {index + 1} of `{key}` is empty; remove it or write the text")
            else:
                self._error((key, index), f"item {index + 1} of `{key}` should be text, but is "
                                          f"{_TYPE_NAMES.get(type(item), 'something else')}"
                                          + ("" if isinstance(item, (dict, list)) else f' ({_show(item)}); quote it'))
        return tuple(items)

    def integer(self, key: str, default: int, minimum: int = 0, maximum: int = 10**6) -> int:
        """A whole number within bounds."""
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            return self._wrong_type(key, value, "a whole number", default)
        if not minimum <= value <= maximum:
            self._error((key,), f"`{self._name((key,))}` should be between {minimum} and {maximum}, not {value}")
            return default
        return value

    def number(self, key: str, default: float, minimum: float = 0.0, maximum: float = 1e6) -> float:
        """A number (whole or decimal) within bounds."""
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self._wrong_type(key, value, "a number", default)
        if not minimum <= value <= maximum:
            self._error((key,), f"`{self._name((key,))}` should be between {minimum:g} and {maximum:g}, not {value}")
            return default
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        """true or false (YAML 1.1's yes/no/on/off are refused as ambiguous)."""
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            return self._wrong_type(key, value, "true or false", default)
        return value

    def choice(self, key: str, options, default: str | None, required: bool = False) -> str | None:
        """One of a fixed set of words."""
        value = self.text(key, required=required)
        if value is None:
            return default
        if value not in options:
            self._error((key,), f"`{self._name((key,))}: {value}` is not one of: {', '.join(sorted(options))}"
                                + did_you_mean(value, options))
            return default
        return value

    def date(self, key: str, required: bool = False) -> PartialDate | None:
        """A date as YYYY-MM-DD, YYYY-MM or YYYY; an impossible date is an error."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return self._wrong_type(key, value, "a date like 2021-10-19, 2021-10 or 2021", None)
        return parse_date(value.strip(), lambda message: self._error((key,), message))

    def url(self, key: str) -> str | None:
        """An absolute http(s) URL."""
        value = self.text(key)
        if value is not None and not _URL.match(value):
            self._error((key,), f"`{self._name((key,))}` should be an http:// or https:// address, not `{value}`")
            return None
        return value

    def section(self, key: str) -> "Fields":
        """The fields of a nested mapping."""
        self.asked.add(key)
        return Fields(self.located, self.path, self.report, self.prefix + (key,),
                      self.what, self.unknown_is_error)

    def raw(self, key: str):
        """The value as loaded, for shapes the caller checks itself."""
        return self._get(key, False)

    def finish(self) -> None:
        """Report keys that no getter asked for: usually typos."""
        for key in self.data:
            if key not in self.asked:
                message = f"unknown key `{self._name((key,))}` in {self.what}" + did_you_mean(key, self.asked)
                if self.unknown_is_error:
                    self.report.error(self.path, self.line(key), message)
                else:
                    self.report.warning(self.path, self.line(key), message)

    def error(self, key: tuple, message: str) -> None:
        self._error(key, message)

    def _get(self, key: str, required: bool):
        self.asked.add(key)
        value = self.data.get(key)
        if value is None and required:
            self._error((), f"`{self._name((key,))}` is required")
        return value

    def _wrong_type(self, key, value, expected, default, hint: str = ""):
        got = _TYPE_NAMES.get(type(value), "something else")
        shown = "" if isinstance(value, (dict, list)) else f" ({_show(value)})"
        self._error((key,), f"`{self._name((key,))}` should be {expected}, but YAML read {got}{shown}"
                            + (f"; {hint}" if hint else ""))
        return default

    def _error(self, key: tuple, message: str) -> None:
        self.report.error(self.path, self.line(*key), message)

    def _name(self, key: tuple) -> str:
        return ".".join(str(k) for k in self.prefix + key) or self.what


def is_web_url(text: str) -> bool:
    """An absolute http(s) address, as `Fields.url` accepts it (used for --base-url too)."""
    return bool(_URL.match(text))


def parse_date(text: str, complain) -> PartialDate | None:
    """2021-10-19 → day precision, 2021-10 → month, 2021 → year; complain() about anything else."""
    match = _DATE.match(text)
    if not match:
        complain(f"`{text}` is not a date; write it as 2021-10-19, 2021-10 or 2021")
        return None
    year, month, day = (int(part) if part else 0 for part in match.groups())
    if (match.group(2) and not month) or (match.group(3) and not day):
        complain(f"`{text}` is not a real date (months and days count from 1)")
        return None
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError as exc:
        complain(f"`{text}` is not a real date ({exc})")
        return None
    return PartialDate(year, month, day)


def did_you_mean(word: str, options, cutoff: float = 0.7) -> str:
    """" (did you mean `x`?)" with the closest option, or "" if none is close."""
    close = difflib.get_close_matches(str(word), sorted(str(o) for o in options), n=1, cutoff=cutoff)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
