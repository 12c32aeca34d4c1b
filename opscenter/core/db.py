"""Running a whole transaction again when the database refused it only because of a concurrent one.

PostgreSQL aborts one of two transactions that wait on each other ("deadlock detected", SQLSTATE
40P01) or that cannot be serialized (40001); SQLite gives up with "database is locked" when another
writer held the lock past `busy_timeout`. In each case the transaction was rolled back as a whole
and nothing of it was written, so running it again is safe — but only when it was the outermost
one: inside an enclosing `atomic` block the caller's earlier work is gone too and must decide.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 3
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def is_conflict(exc: BaseException) -> bool:
    """A deadlock, serialization failure or lock timeout: the transaction lost a race, nothing more."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in RETRYABLE_SQLSTATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(exc)


def retrying(func: Callable[..., T], *args, **kwargs) -> T:
    """`func(*args, **kwargs)`, run again (up to RETRIES times, with a short random pause) when it
    fails with a conflict and no transaction encloses it."""
    if connection.in_atomic_block:
        return func(*args, **kwargs)
    for attempt in range(1, RETRIES + 1):
        try:
            return func(*args, **kwargs)
        except OperationalError as exc:
            if attempt == RETRIES or not is_conflict(exc):
                raise
            logger.warning("%s lost a race (%s), attempt %d of %d", func.__qualname__, exc, attempt, RETRIES)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
