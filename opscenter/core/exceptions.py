"""Domain errors. Messages are for the user (Chinese); `log_message` is the English for logs."""


class DomainError(Exception):
    """A business rule refused an operation. `field` names the offending input when there is one."""

    def __init__(self, message: str, *, field: str | None = None, log_message: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.log_message = log_message or message


class ValidationError(DomainError):
    """Input that cannot be accepted as given."""


class PermissionDenied(DomainError):
    """The acting user may not do this (out of role or out of their sites)."""


class NotFound(DomainError):
    """The record does not exist or is outside the user's scope (we do not tell which)."""
