"""Problems found in the editor's files, collected so that one run reports them all."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) at `path:line`."""

    path: str
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


def problem_from_data(data) -> Problem:
    """A problem back from its cached form [path, line, message, severity]; ValueError if it is not one."""
    if not (isinstance(data, (list, tuple)) and len(data) == 4):
        raise ValueError("not a remembered problem")
    path, line, message, severity = data
    if not (isinstance(path, str) and type(line) is int and isinstance(message, str) and severity in (ERROR, WARNING)):
        raise ValueError("not a remembered problem")
    return Problem(path, line, message, severity)


def problem_to_data(problem: Problem) -> list:
    return [problem.path, problem.line, problem.message, problem.severity]


@dataclass
class Report:
    """Collects problems from every stage; the build fails if any is an error."""

    root: Path | None = None
    problems: list[Problem] = field(default_factory=list)

    def error(self, path: Path | str, line: int, message: str) -> None:
        """Record an error: the build will not write `site/`."""
        self.problems.append(Problem(self.shown(path), max(line, 1), _one_line(message), ERROR))

    def warning(self, path: Path | str, line: int, message: str) -> None:
        """Record a doubt: the build goes on (and fails only with --strict)."""
        self.problems.append(Problem(self.shown(path), max(line, 1), _one_line(message), WARNING))

    def extend(self, other: "Report") -> None:
        """Take over another report's problems (from a worker process)."""
        self.problems.extend(other.problems)

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in set(self.problems) if p.severity == ERROR)

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in set(self.problems) if p.severity == WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors

    def print(self, stream=None) -> None:
        """Print every problem, warnings first, sorted by file and line."""
        stream = stream or sys.stderr
        for problem in self.warnings + self.errors:
            print(problem, file=stream)

    def shown(self, path: Path | str) -> str:
        """Paths are shown relative to the project, as the editor knows them. The folder is
        resolved, the name is not: a symbolic link is named as itself, even one that loops."""
        path = Path(path)
        if self.root is not None:
            try:
                located = Path(os.path.realpath(path.parent)) / path.name
                return located.relative_to(os.path.realpath(self.root)).as_posix()
            except ValueError:
                pass
        return path.as_posix()


def _one_line(message: str) -> str:
    """Messages quote the editor's text, which may hold line breaks: `path:line: message` stays one line."""
    return message.replace("\r", "\\r").replace("\n", "\\n").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
