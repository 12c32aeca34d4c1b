"""Member facts owned by other apps, read through those apps' selectors (never their tables).

An app that owns a fact a tier condition can measure registers a `FactSource` for the metric
from its own `ready()`: the clinic registers `course_sessions` (疗程已消耗次数) with
`clinic.selectors.course_session_counts` and `course_session_facts`. The evaluation asks the
source for a grouped queryset — one row (customer_id, n) per customer — and joins it as a
subquery of its one SQL statement, so evaluation stays set-based; the explanation asks for the
member's rows. With no source registered (the app not installed) the metric is 0 for everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

# counts(site_id, categories, as_of, month_from, month_to, customer_ids) → QuerySet of
# {"customer_id", "n"} rows: what each customer has up to `as_of` (a date), within the months
# [month_from, month_to] when given (None: all time), of the given item categories.
Counts = Callable[..., QuerySet]


@dataclass(frozen=True)
class Fact:
    """One row behind a sourced number, for the member's explanation."""

    day: dt.date
    category: str
    text: str


# facts(site_id, customer_id) → [Fact] (every row of the customer, oldest first)
Facts = Callable[..., list[Fact]]


@dataclass(frozen=True)
class FactSource:
    metric: str
    counts: Counts
    facts: Facts


_SOURCES: dict[str, FactSource] = {}


def register(source: FactSource) -> FactSource:
    """Add (or replace, on re-import) the source of a metric."""
    _SOURCES[source.metric] = source
    return source


def source_for(metric: str) -> FactSource | None:
    return _SOURCES.get(metric)


def counts_sql(
    metric: str,
    *,
    site_id: int,
    categories: Iterable[str],
    as_of: dt.date,
    month_from: int | None,
    month_to: int | None,
    customer_ids: list[int] | None,
) -> tuple[str, list] | None:
    """The source's grouped query as SQL with its positional parameters (None: no source)."""
    source = _SOURCES.get(metric)
    if source is None:
        return None
    qs = source.counts(
        site_id=site_id, categories=list(categories), as_of=as_of, month_from=month_from,
        month_to=month_to, customer_ids=customer_ids,
    )  # fmt: skip
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def facts(metric: str, *, site_id: int, customer_id: int) -> list[Fact]:
    source = _SOURCES.get(metric)
    return [] if source is None else source.facts(site_id=site_id, customer_id=customer_id)
