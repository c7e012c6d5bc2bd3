"""Dates as news pages write them: "October 19, 2021", "19 Oct 2021", "Jan. 4, 2023", "2021-10-19"."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_PATTERNS = [
    # ISO first: 2021-10-19, 2021-10-19T08:30:00Z, 2021/10/19
    re.compile(r"\b(?P<year>(?:19|20)\d\d)[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"
               r"(?:[T ]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?\b"),
    re.compile(r"\b" + _WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b", re.IGNORECASE),
    re.compile(r"\b" + _WEEKDAY + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR + r"\b", re.IGNORECASE),
    # 19/10/2021 and 19.10.2021: day first unless that is impossible
    re.compile(r"\b(?P<first>\d{1,2})[/.](?P<second>\d{1,2})[/.](?P<year>(?:19|20)\d\d)\b"),
    # October 2021: a month, on a date line only
    re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b", re.IGNORECASE),
]


@dataclass(frozen=True)
class FoundDate:
    """A date read from the text, to the day or to the month, with where it was in the line."""

    year: int
    month: int
    day: int = 0
    start: int = 0
    end: int = 0
    ambiguous: bool = False

    def value(self) -> datetime.date | str:
        """A date object (written unquoted in YAML), or `YYYY-MM` when only the month is known."""
        if self.day:
            return datetime.date(self.year, self.month, self.day)
        return f"{self.year:04d}-{self.month:02d}"

    def iso(self) -> str:
        return self.value().isoformat() if self.day else str(self.value())


def find_dates(text: str) -> list[FoundDate]:
    """Every date written in the text, left to right, none overlapping."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            date = _to_date(match)
            if date is not None:
                found.append(date)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


def _to_date(match: re.Match) -> FoundDate | None:
    groups = match.groupdict()
    year = int(groups["year"])
    ambiguous = False
    if groups.get("first"):
        first, second = int(groups["first"]), int(groups["second"])
        # Day first (most of the world) unless the first number cannot be a month day pair that way.
        day, month = (first, second) if second <= 12 else (second, first)
        ambiguous = first <= 12 and second <= 12 and first != second
    else:
        month_text = groups["month"].lower().rstrip(".")
        month = MONTHS[month_text] if month_text in MONTHS else int(month_text)
        day = int(groups["day"]) if groups.get("day") else 0
    try:
        datetime.date(year, month, day or 1)
    except ValueError:
        return None
    return FoundDate(year, month, day, match.start(), match.end(), ambiguous)
