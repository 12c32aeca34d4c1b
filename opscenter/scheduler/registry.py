"""The in-memory list of jobs the apps declared (`register`), synced into `ScheduledJob` rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opscenter.scheduler.cadence import Cadence


@dataclass(frozen=True)
class Registration:
    code: str
    label: Any  # str or lazy translation
    target: str
    cadence: Cadence
    enabled: bool = True


_JOBS: dict[str, Registration] = {}


def register(*, code: str, label: Any, target: str, cadence: Cadence, enabled: bool = True) -> Registration:
    """Declare a periodic job (call from your app's `AppConfig.ready`). Registering the same code
    twice with a different target is an error; the same declaration again is a no-op."""
    if not code or len(code) > 80:
        raise ValueError(f"scheduled job code must be 1..80 characters, got {code!r}")
    entry = Registration(code=code, label=label, target=target, cadence=cadence, enabled=enabled)
    existing = _JOBS.get(code)
    if existing is not None and existing.target != target:
        raise ValueError(f"scheduled job {code!r} is already registered for {existing.target}")
    _JOBS[code] = entry
    return entry


def registered() -> dict[str, Registration]:
    return dict(_JOBS)


def unregister(code: str) -> None:
    """For tests that register a job of their own."""
    _JOBS.pop(code, None)
