"""Set-based tier evaluation: one rule set compiled into one SQL statement.

For a site (or one customer) the statement aggregates the member's summary rows per customer,
turns each condition into a 0/1 column, each criterion into a 0/1 column, and picks the tier with
a CASE over the levels in priority order — the same text on SQLite and PostgreSQL. Two sources:

* fast: the `MemberMonth` running aggregates (month 0 = all-time totals), used when evaluating
  as of today or later (no transaction, follow-up or dispute can be dated in the future);
* raw: the same monthly rows computed from the raw tables up to `as_of` (past dates; tests).

A member is a customer of the site with at least one purchase up to `as_of` (seed 004: 凡是有过
消费记录的顾客均是会员).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from opscenter.members import aggregates
from opscenter.members.choices import Combine, Match, Metric, Op, WindowKind
from opscenter.members.models import MemberMonth
from opscenter.members.rules import ordered_levels, resolve_window
from opscenter.pipeline.models import Dispute

DISPUTE_METRICS = frozenset({Metric.OPEN_DISPUTE, Metric.SETTLED_DISPUTE})


@dataclass
class _Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"


def _window_pred(window: dict[str, Any], as_of_month: int, fast: bool) -> str:
    resolved = resolve_window(window, as_of_month)
    if resolved.lo is None:
        return "f.month = 0" if fast else "f.month > 0"
    return f"f.month BETWEEN {int(resolved.lo)} AND {int(resolved.hi)}"


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
    metrics: list[str] = []  # inner aggregate expressions
    dispute_cols: list[str] = []
    criteria_sql: list[str] = []

    def metric(expr: str) -> str:
        metrics.append(f"{expr} AS m{len(metrics)}")
        return f"c.m{len(metrics) - 1}"

    def dispute(expr: str) -> str:
        dispute_cols.append(f"SUM(CASE WHEN {expr} THEN 1 ELSE 0 END) AS d{len(dispute_cols)}")
        return f"COALESCE(d.d{len(dispute_cols) - 1}, 0)"

    as_of_param = p.add(connection.ops.adapt_datefield_value(as_of))
    for criterion in definition["criteria"]:
        bits = []
        for cond in criterion["conditions"]:
            name, op = cond["metric"], _op(cond["op"])
            wp = _window_pred(cond["window"], as_of_month, fast)
            threshold = cond["threshold"]
            if name == Metric.PURCHASE_DAYS:
                bit = (
                    f"{metric(f'SUM(CASE WHEN {wp} THEN f.purchase_days ELSE 0 END)')} {op} {int(threshold)}"
                )
            elif name == Metric.CATEGORY_SESSIONS:
                cols = " + ".join(f"f.sessions_{c}" for c in cond["categories"])
                bit = f"{metric(f'SUM(CASE WHEN {wp} THEN {cols} ELSE 0 END)')} {op} {int(threshold)}"
            elif name == Metric.SPEND:
                cols = (
                    " + ".join(f"f.net_fen_{c}" for c in cond["categories"])
                    if cond.get("categories")
                    else "f.purchase_fen - f.refund_fen"
                )
                bit = f"{metric(f'SUM(CASE WHEN {wp} THEN {cols} ELSE 0 END)')} {op} {int(threshold)}"
            elif name == Metric.REFUND_COUNT:
                bit = f"{metric(f'SUM(CASE WHEN {wp} THEN f.refund_count ELSE 0 END)')} {op} {int(threshold)}"
            elif name == Metric.SATISFACTION_LATEST:
                key = metric(f"MAX(CASE WHEN {wp} THEN f.sat_latest_key END)")
                bit = f"({key} %% 10) {op} {int(threshold)}"
            elif name == Metric.SATISFACTION_AVG:
                total = metric(f"SUM(CASE WHEN {wp} THEN f.sat_sum ELSE 0 END)")
                count = metric(f"SUM(CASE WHEN {wp} THEN f.sat_count ELSE 0 END)")
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
            bits.append(f"(CASE WHEN {bit} THEN 1 ELSE 0 END)")
        need = len(bits) if criterion["combine"] == Combine.ALL else 1
        criteria_sql.append(f"CASE WHEN ({' + '.join(bits)}) >= {need} THEN 1 ELSE 0 END")

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
        windows = [
            resolve_window(cond["window"], as_of_month)
            for crit in definition["criteria"]
            for cond in crit["conditions"]
            if cond["metric"] not in DISPUTE_METRICS  # read from the dispute table, not the facts
        ]
        los = [w.lo for w in windows if w.lo is not None]
        months = f"(f.month = 0 OR f.month BETWEEN {min(los)} AND {as_of_month})" if los else "f.month = 0"
        source = f"{MemberMonth._meta.db_table} f WHERE f.site_id = {site_param} AND {months}{only}"
        population = "SUM(CASE WHEN f.month = 0 THEN f.purchase_count ELSE 0 END) > 0"
    else:
        t_only = only.replace("f.customer_id", "t.customer_id")
        f_only = only.replace("f.customer_id", "f.customer_id")
        raw = aggregates.monthly_facts_sql(
            f"t.site_id = {site_param} AND t.occurred_on <= {as_of_param}{t_only}",
            f"f.site_id = {site_param} AND f.done_on <= {as_of_param}{f_only}",
        )
        source = f"({raw}) f WHERE 1 = 1"
        population = "SUM(f.purchase_count) > 0"
    if not metrics:
        metrics.append("0 AS m0")
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
            FROM (SELECT f.customer_id, {", ".join(metrics)} FROM {source}
                  GROUP BY f.customer_id HAVING {population}) c
            {disputes}
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


WINDOW_LABELS = {WindowKind.ALL: "全部时间", WindowKind.YEAR: "本自然年"}
