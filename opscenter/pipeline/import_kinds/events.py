"""What the funnel-event kinds (visits, deals) share: the columns copied from the customer, and
the customer fields every event row names (phone, or a unique name)."""

from __future__ import annotations

from typing import Any

from opscenter.imports.constants import CUSTOMER_NAME_ALIASES, CUSTOMER_PHONE_ALIASES
from opscenter.imports.engine import Field, ImportContext

# The denormalized columns of a funnel event row (`pipeline.services._common.event_fields`).
EVENT_COLUMNS = (
    "site_id",
    "customer_id",
    "month",
    "cohort_month",
    "channel_id",
    "channel_kind",
    "is_local",
    "owner_id",
    "team_id",
    "import_job_id",
    "created_at",
)


def customer_fields() -> tuple[Field, Field]:
    return (
        Field("phone", "电话", CUSTOMER_PHONE_ALIASES, type="phone"),  # i18n: data
        Field("customer_name", "客户姓名", CUSTOMER_NAME_ALIASES, max_length=50),  # i18n: data
    )


def event_values(customer: dict[str, Any], month: int, ctx: ImportContext) -> tuple:
    """EVENT_COLUMNS for one row, copied from the customer now (as `event_fields` does)."""
    return (
        ctx.site_id,
        customer["id"],
        month,
        customer["cohort_month"],
        customer["channel_id"],
        customer["channel_kind"],
        customer["is_local"],
        customer["owner_id"],
        customer["owner__team_id"],
        ctx.job_id,
        ctx.now,
    )
