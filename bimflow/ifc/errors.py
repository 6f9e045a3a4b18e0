"""Errors raised when a file cannot be read as an IFC model.

The message of an :class:`IfcReadError` is shown to BIM coordinators as is (upload
answers, a failed version's reason), so it is one plain sentence about the file,
never a stack trace or an internal name. ``code`` is a stable machine-readable
identifier for the same condition, for callers that branch on it.
"""

from __future__ import annotations


class IfcReadError(Exception):
    """A file that is not a readable IFC model, with a sentence saying why."""

    def __init__(self, message: str, *, code: str = "unreadable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message
