"""The documented maximum of every money, count and quantity input (docs/limits.md).

One place for the numbers: the models' validators and check constraints, the services, the forms,
the API schemas and the import value parser all read them from here. They are far above anything
real (one deal of ¥100,000,000) and far below what would overflow a sum of many rows in a 64-bit
column, so no single absurd row can take a dashboard down.
"""

from __future__ import annotations

import datetime as dt

# Money in fen: one deal, one order line, one transaction, one import amount — ¥100,000,000.
MAX_AMOUNT_FEN = 100_000_000 * 100
# Sessions / treatments on one order line or transaction.
MAX_SESSIONS = 999
# Lines of one deal (an order).
MAX_DEAL_LINES = 100
# Items of one batch request at the API (`api.limits.Batch`): a batch is written in one
# transaction, and a long one would hold SQLite's write lock for every other writer.
MAX_BATCH_ITEMS = 200
# Size of one request body (JSON or form) and of one uploaded file, in bytes.
MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024
MAX_FORM_FIELDS = 2000

# Business dates (contacts, deals, follow-ups, as-of dates): anything outside is a typing error,
# and year 1 or 9999 would overflow month arithmetic and poison cohort months.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def date_in_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE
