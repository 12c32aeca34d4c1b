"""Set-based tier evaluation: one rule set compiled into one SQL statement.

For a site (or one customer) the statement reads the member's summary rows, turns each criterion
into a 0/1 column (its conditions joined by AND / OR), and picks the tier with a CASE over the
levels in priority order — the same text on SQLite and PostgreSQL. Two sources:

* fast: the `MemberMonth` running aggregates, used when evaluating as of today or later (no
  transaction, follow-up or dispute can be dated in the future). The member's month-0 row (the
  all-time totals) is read as it is — one row per member, no GROUP BY, which is most of the
  speed at a million members — and only metrics over a window of months (最近 N 个月, 本自然年)
  are summed from the monthly rows of that window, joined on;
* raw: the same monthly rows computed from the raw tables up to `as_of` (past dates; tests),
  aggregated per customer.

A member is a customer of the site with at least one purchase up to `as_of` (seed 004: 凡是有过
消费记录的顾客均是会员).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.members import aggregates, sources
from opscenter.members.choices import Combine, Match, Metric, Op, WindowKind
from opscenter.members.models import MemberMonth
from opscenter.members.rules import Window, ordered_levels, resolve_window
from opscenter.pipeline.models import Dispute


@dataclass
class _Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"


@dataclass
class _Fact:
    """A metric read from the member's summary rows: `agg` of `col` (over `f`) in `window`."""

    agg: str  # SUM or MAX
    col: str
    window: Window


def _windowed(fact: _Fact, all_time: str) -> str:
    """The aggregate of the fact over its window; `all_time` is the predicate of an unbounded one."""
    w = fact.window
    pred = all_time if w.lo is None else f"f.month BETWEEN {int(w.lo)} AND {int(w.hi)}"
    return f"{fact.agg}(CASE WHEN {pred} THEN {fact.col}{' ELSE 0' if fact.agg == 'SUM' else ''} END)"


def _fast_members(facts: list[_Fact], *, site_param: str, only: str, as_of_month: int) -> str:
    """SELECT customer_id, m0…mn per member from the running aggregates: all-time metrics straight
    from the month-0 row, windowed ones summed over the window's monthly rows (LEFT JOIN: none
    in the window is 0, or NULL for MAX). Members: a month-0 row with at least one purchase."""
    table = MemberMonth._meta.db_table
    cols, sums = [], []
    for i, fact in enumerate(facts):
        if fact.window.lo is None:
            cols.append(f"{fact.col} AS m{i}")
        else:
            sums.append(f"{_windowed(fact, '1 = 1')} AS m{i}")
            cols.append(f"COALESCE(w.m{i}, 0) AS m{i}" if fact.agg == "SUM" else f"w.m{i} AS m{i}")
    join = ""
    if sums:
        lo = min(int(f.window.lo) for f in facts if f.window.lo is not None)
        join = (
            f"LEFT JOIN (SELECT f.customer_id, {', '.join(sums)} FROM {table} f "
            f"WHERE f.site_id = {site_param} AND f.month BETWEEN {lo} AND {int(as_of_month)}{only} "
            f"GROUP BY f.customer_id) w ON w.customer_id = f.customer_id "
        )
    return (
        f"SELECT f.customer_id, {', '.join(cols) or '0 AS m0'} FROM {table} f {join}"
        f"WHERE f.site_id = {site_param} AND f.month = 0 AND f.purchase_count > 0{only}"
    )


def _op(op: str) -> str:
    return {Op.GTE: ">=", Op.GT: ">", Op.LTE: "<=", Op.LT: "<", Op.EQ: "="}[op]


@dataclass
class Compiled:
    sql: str
    params: dict[str, Any]
    criteria: list[str]


def compile_rule_set(
    definition: dict[str, Any],
    *,
    site_id: int,
    as_of: dt.date,
    customer_ids: list[int] | None = None,
    fast: bool | None = None,
) -> Compiled:
    """SELECT customer_id, tier, k0…kn (criterion outcomes) for every member of the site."""
    if fast is None:
        fast = as_of >= timezone.localdate()
    p = _Params()
    as_of_month = as_of.year * 100 + as_of.month
    facts: list[_Fact] = []
    dispute_cols: list[str] = []
    criteria_sql: list[str] = []

    def metric(agg: str, col: str, window: dict[str, Any]) -> str:
        """A fact metric: `agg` (SUM, MAX) of the expression `col` over `f` rows in the window."""
        facts.append(_Fact(agg, col, resolve_window(window, as_of_month)))
        return f"c.m{len(facts) - 1}"

    source_joins: list[str] = []

    def sourced(name: str, categories: list[str], window: dict[str, Any]) -> str:
        """A metric another app owns (members.sources): its grouped query joined as a subquery
        (its positional parameters renamed into this statement's named ones)."""
        w = resolve_window(window, as_of_month)
        found = sources.counts_sql(
            name, site_id=site_id, categories=categories, as_of=as_of, month_from=w.lo, month_to=w.hi,
            customer_ids=customer_ids,
        )  # fmt: skip
        if found is None:
            return "0"
        sql, params = found
        values = iter(params)
        named = re.sub(r"%%|%s", lambda m: "%%" if m.group(0) == "%%" else p.add(next(values)), sql)
        alias = f"s{len(source_joins)}"
        source_joins.append(f"LEFT JOIN ({named}) {alias} ON {alias}.customer_id = c.customer_id")
        return f"COALESCE({alias}.n, 0)"

    def dispute(expr: str) -> str:
        dispute_cols.append(f"SUM(CASE WHEN {expr} THEN 1 ELSE 0 END) AS d{len(dispute_cols)}")
        return f"COALESCE(d.d{len(dispute_cols) - 1}, 0)"

    as_of_param = p.add(connection.ops.adapt_datefield_value(as_of))
    for criterion in definition["criteria"]:
        bits = []
        for cond in criterion["conditions"]:
            name, op = cond["metric"], _op(cond["op"])
            window, threshold = cond["window"], cond["threshold"]
            if name == Metric.PURCHASE_DAYS:
                bit = f"{metric('SUM', 'f.purchase_days', window)} {op} {int(threshold)}"
            elif name == Metric.CATEGORY_SESSIONS:
                cols = " + ".join(f"f.sessions_{c}" for c in cond["categories"])
                bit = f"{metric('SUM', cols, window)} {op} {int(threshold)}"
            elif name == Metric.COURSE_SESSIONS:
                bit = f"{sourced(name, cond['categories'], window)} {op} {int(threshold)}"
            elif name == Metric.SPEND:
                cols = (
                    " + ".join(f"f.net_fen_{c}" for c in cond["categories"])
                    if cond.get("categories")
                    else "f.purchase_fen - f.refund_fen"
                )
                bit = f"{metric('SUM', cols, window)} {op} {int(threshold)}"
            elif name == Metric.REFUND_COUNT:
                bit = f"{metric('SUM', 'f.refund_count', window)} {op} {int(threshold)}"
            elif name == Metric.SATISFACTION_LATEST:
                key = metric("MAX", "f.sat_latest_key", window)
                bit = f"({key} %% 10) {op} {int(threshold)}"
            elif name == Metric.SATISFACTION_AVG:
                total = metric("SUM", "f.sat_sum", window)
                count = metric("SUM", "f.sat_count", window)
                tenths = round(threshold * 10)
                bit = f"{count} > 0 AND {total} * 10 {op} {int(tenths)} * {count}"
            elif name == Metric.OPEN_DISPUTE:
                col = dispute(
                    f"x.opened_on <= {as_of_param} AND (x.settled_on IS NULL OR x.settled_on > {as_of_param})"
                )
                bit = f"{col} {op} {int(threshold)}"
            else:  # settled dispute with one of the outcomes, settled inside the window
                resolved = resolve_window(cond["window"], as_of_month)
                since = (
                    ""
                    if resolved.lo is None
                    else f" AND x.settled_on >= {p.add(connection.ops.adapt_datefield_value(dt.date(resolved.lo // 100, resolved.lo % 100, 1)))}"
                )
                outcomes = ", ".join(p.add(o) for o in cond["outcomes"])
                col = dispute(
                    f"x.settled_on IS NOT NULL AND x.settled_on <= {as_of_param}{since} AND x.outcome IN ({outcomes})"
                )
                bit = f"{col} {op} {int(threshold)}"
            bits.append(f"({bit})")
        # A condition with no value (no rating yet: NULL) never holds: NULL OR x is true only
        # when x is, NULL AND x is never true, and CASE takes anything but true as 0.
        joiner = " AND " if criterion["combine"] == Combine.ALL else " OR "
        criteria_sql.append(f"CASE WHEN {joiner.join(bits)} THEN 1 ELSE 0 END")

    codes = [c["code"] for c in definition["criteria"]]
    index = {code: i for i, code in enumerate(codes)}
    whens = []
    for level in ordered_levels(definition):
        hits = " + ".join(f"e.k{index[c]}" for c in level["criteria"])
        n = len(level["criteria"])
        cond = {
            Match.ALL: f"({hits}) = {n}",
            Match.ANY: f"({hits}) > 0",
            Match.AT_LEAST: f"({hits}) >= {int(level['k'] or 0)}",
            Match.NONE: f"({hits}) = 0",
        }[level["match"]]
        whens.append(f"WHEN {cond} THEN {p.add(level['tier'])}")

    site_param = p.add(site_id)
    only = ""
    if customer_ids is not None:
        only = f" AND f.customer_id IN ({', '.join(p.add(int(pk)) for pk in customer_ids) or 'NULL'})"
    if fast:
        members = _fast_members(facts, site_param=site_param, only=only, as_of_month=as_of_month)
    else:
        raw = aggregates.monthly_facts_sql(
            f"t.site_id = {site_param} AND t.occurred_on <= {as_of_param}{only.replace('f.customer_id', 't.customer_id')}",
            f"f.site_id = {site_param} AND f.done_on <= {as_of_param}{only}",
        )
        sums = [f"{_windowed(fact, 'f.month > 0')} AS m{i}" for i, fact in enumerate(facts)] or ["0 AS m0"]
        members = (
            f"SELECT f.customer_id, {', '.join(sums)} FROM ({raw}) f "
            f"GROUP BY f.customer_id HAVING SUM(f.purchase_count) > 0"
        )
    d_only = only.replace("f.customer_id", "x.customer_id")
    disputes = (
        f"LEFT JOIN (SELECT x.customer_id, {', '.join(dispute_cols)} FROM {Dispute._meta.db_table} x "
        f"WHERE x.site_id = {site_param}{d_only} GROUP BY x.customer_id) d ON d.customer_id = c.customer_id"
        if dispute_cols
        else ""
    )
    k_cols = ", ".join(f"{sql} AS k{i}" for i, sql in enumerate(criteria_sql)) or "0 AS k0"
    sql = f"""
        SELECT e.customer_id, CASE {" ".join(whens)} END AS tier, {", ".join(f"e.k{i}" for i in range(len(codes)))}
        FROM (
            SELECT c.customer_id, {k_cols}
            FROM ({members}) c
            {disputes}
            {" ".join(source_joins)}
        ) e
    """
    return Compiled(sql=sql, params=p.values, criteria=codes)


def evaluate_rows(
    definition: dict[str, Any],
    *,
    site_id: int,
    as_of: dt.date,
    customer_ids: list[int] | None = None,
    fast=None,
) -> list[tuple[int, str, dict[str, bool]]]:
    """(customer_id, tier, criterion outcomes) per member — for small sets (one customer, tests)."""
    compiled = compile_rule_set(
        definition, site_id=site_id, as_of=as_of, customer_ids=customer_ids, fast=fast
    )
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params)
        rows = cursor.fetchall()
    return [
        (row[0], row[1], {code: bool(row[2 + i]) for i, code in enumerate(compiled.criteria)}) for row in rows
    ]


WINDOW_LABELS = {WindowKind.ALL: _("全部时间"), WindowKind.YEAR: _("本自然年")}
