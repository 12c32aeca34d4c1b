"""Bookkeeping that other apps keep over imported rows (e.g. members' running aggregates).

Bulk writes bypass model signals on purpose, so an app that derives data from rows registers
here. Two moments:

* `on_rows_written`: called inside the import's own transaction (the derived data commits or
  rolls back with the rows) — for cheap bookkeeping only, it lengthens every commit;
* `register_followup`: work done *after* the commit by a background task (`ImportFollowUp`, one
  row per job and follow-up, shown on the job's page while it runs). It must be idempotent —
  recomputed from the rows as stored, so running it twice, late, or after an undo is harmless —
  because the commit never waits for it. Members refresh their aggregates and tiers this way.

`imports` knows nothing of the apps that register.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
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


def has_written_hooks() -> bool:
    """Whether any app wants `rows_written` (the engine then collects the customers it wrote)."""
    return bool(_written)


def rows_written(*, kind: str, site_id: int | None, customer_ids: set[int]) -> None:
    for hook in _written:
        hook(kind=kind, site_id=site_id, customer_ids=customer_ids)


@contextlib.contextmanager
def undoing(*, kind: str, job_id: int) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for hook in _undo:
            stack.enter_context(hook(kind=kind, job_id=job_id))
        yield


@dataclass(frozen=True)
class FollowUp:
    """Work after an import's commit: `run(job_id=, kind=, site_id=)`, idempotent. `label` is
    the Chinese name shown on the job's page (marked with gettext_noop, translated there)."""

    name: str
    label: str
    kinds: frozenset[str]
    run: Callable[..., None]


_followups: dict[str, FollowUp] = {}


def register_followup(*, name: str, label: str, kinds: Collection[str], run: Callable[..., None]) -> None:
    """Register follow-up work for committed imports of these kinds (re-registering replaces)."""
    _followups[name] = FollowUp(name=name, label=label, kinds=frozenset(kinds), run=run)


def followups_for(kind: str) -> list[FollowUp]:
    return [f for f in _followups.values() if kind in f.kinds]


def followup(name: str) -> FollowUp | None:
    return _followups.get(name)
