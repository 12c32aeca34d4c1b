"""Domain errors of the import engine (subclasses of the core ones, so views and the API map them)."""

from __future__ import annotations

from opscenter.core.exceptions import DomainError, ValidationError


class UnreadableFile(ValidationError):
    """The upload is not a spreadsheet we can read safely: wrong type, too big, a zip bomb, corrupt."""


class MappingError(ValidationError):
    """The columns cannot be mapped to the kind's fields (a required column is missing, bad mapping)."""


class ImportRefused(DomainError):
    """An import job cannot move as asked (wrong status, undo blocked by dependent records)."""


class ImportFailed(DomainError):
    """A step of an import stopped on an unexpected error; the job is failed with `message`."""
