"""Bookkeeping that other apps keep over imported rows (e.g. members' running aggregates).

Bulk writes bypass model signals on purpose, so an app that derives data from rows registers
here and the engine calls it inside the import's own transaction: the derived data commits or
rolls back with the rows. `imports` knows nothing of the apps that register.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

WrittenHook = Callable[..., None]  # (*, kind: str, site_id: int | None, customer_ids: set[int]) -> None
UndoHook = Callable[..., contextlib.AbstractContextManager[Any]]  # (*, kind: str, job_id: int)

_written: list[WrittenHook] = []
_undo: list[UndoHook] = []


def on_rows_written(hook: WrittenHook) -> WrittenHook:
    """Register `hook(kind=, site_id=, customer_ids=)`, called after an import's rows are written."""
    if hook not in _written:
        _written.append(hook)
    return hook


def on_undo(hook: UndoHook) -> UndoHook:
    """Register a context-manager factory `hook(kind=, job_id=)` wrapped around an undo: code before
    its `yield` sees the job's rows, code after sees them gone."""
    if hook not in _undo:
        _undo.append(hook)
    return hook


def rows_written(*, kind: str, site_id: int | None, customer_ids: set[int]) -> None:
    for hook in _written:
        hook(kind=kind, site_id=site_id, customer_ids=customer_ids)


@contextlib.contextmanager
def undoing(*, kind: str, job_id: int) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for hook in _undo:
            stack.enter_context(hook(kind=kind, job_id=job_id))
        yield
