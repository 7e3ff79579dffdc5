"""The exceptions kb raises; the CLI turns every one into a one-line message and exit 1."""

from __future__ import annotations

from dataclasses import dataclass


class KbError(Exception):
    """Base class: a problem the user can act on, with a message that says what to do."""


class CorpusError(KbError):
    """The corpus does not validate; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        first = errors[0] if errors else problems[0]
        more = f" (and {len(errors) - 1} more; run 'kb check')" if len(errors) > 1 else ""
        super().__init__(f"{first.format()}{more}")


class QueryError(KbError):
    """A query or filter that cannot be understood."""


class NotFound(KbError):
    """An id or phrase that matches nothing."""


class IndexBusy(KbError):
    """Another process holds the index write lock."""


@dataclass(frozen=True)
class Problem:
    """One validation finding: `path:line: field: message`."""

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"  # "error" or "warning"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        tag = "" if self.is_error else "warning: "
        return f"{self.path}:{self.line}: {self.field}: {tag}{self.message}"
