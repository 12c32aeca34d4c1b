"""The pipeline's import kinds, one module per kind, registered from `PipelineConfig.ready`
(STYLE.md: each app owns its import kinds; the `imports` app owns the engine only).

`refs` (customers, channels, staff resolved by name or phone) and `events` (the customer columns
of event rows) are the shared helpers other apps' kinds use too (`members.import_kinds`).
"""

from opscenter.pipeline.import_kinds import (  # noqa: F401  (each module registers its kind)
    consultations,
    customers,
    deals,
    exits,
    followups,
    staff,
    transactions,
    visits,
)
