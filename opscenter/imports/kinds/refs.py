"""Moved to `opscenter.pipeline.import_kinds.refs` (customers, channels and staff resolved by name or
phone); this path keeps working for kinds written against it."""

from opscenter.pipeline.import_kinds.refs import (  # noqa: F401
    CUSTOMER_COLUMNS,
    DEPARTED_STAND_IN,
    NEW,
    create_missing_customers,
    guess_channel_kind,
    remove_created_customers,
    resolve_channels,
    resolve_customers,
    resolve_staff,
)
