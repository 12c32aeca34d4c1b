"""Moved to `opscenter.pipeline.import_kinds.events` (the customer columns of event rows); this
path keeps working for kinds written against it."""

from opscenter.pipeline.import_kinds.events import EVENT_COLUMNS, customer_fields, event_values  # noqa: F401
