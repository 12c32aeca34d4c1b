"""Event hooks: other apps hear of the pipeline's writes without the pipeline importing them.

A service that records a consultation, appointment, visit, assessment (or its resolution), deal or
a completed follow-up calls `pipeline_event(kind, row)` inside its transaction; every registered
hook runs with the row, so what the hook writes commits or rolls back with the pipeline's own
write. Commitments registers one (stage measurements, complaints from a follow-up with outcome
投诉) the way members registers its hand-over step (`services.handover.register_hand_over_step`).
"""

from __future__ import annotations

from collections.abc import Callable

# hook(kind, row): kind is one of EVENT_KINDS, row the model instance just written.
PipelineEventHook = Callable[[str, object], None]
EVENT_KINDS = ("consultation", "appointment", "visit", "assessment", "deal", "followup")
_HOOKS: list[PipelineEventHook] = []


def register_pipeline_event_hook(hook: PipelineEventHook) -> PipelineEventHook:
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def pipeline_event(kind: str, row: object) -> None:
    """Tell every registered hook that `row` (of `kind`) was just written."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown pipeline event {kind!r}")
    for hook in list(_HOOKS):
        hook(kind, row)
