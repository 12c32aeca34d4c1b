"""The run's inner loop at chain scale: a scorecard compiled once into a plan (curves memoised per
distinct metric value, weights and band bounds as integers), subjects scored with plain ints, and
the new rows written with one executemany per batch.

Exactness (why ints and memos, not floats): an item score is `scoring.Curve.score` of the metric
value — the Decimal function the unit tests pin — computed once per distinct value of that item and
then looked up (counts and 4-place rates repeat a lot: 10,000 staff have a few hundred distinct
values). Weighted totals are Σ score(cents) × weight(hundredths of a percent) as one integer,
rounded half up to cents exactly as `scoring.weighted_total`; a grade is the first band whose
lower bound in cents the total reaches, so 90.00 is 优秀 and 89.99 良好 as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import DEFAULT_DB_ALIAS, connections

from opscenter.appraisal import scoring
from opscenter.appraisal.choices import ItemKind, ItemMethod, ScoreStatus

_Q4 = Decimal("0.0001")
_CENT = Decimal("0.01")


def to_cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


_CURVE_MEMOS: dict = {}
_RATE_MEMO: dict = {}


def _param(value: Decimal | None):
    """A Decimal in the driver's type: SQLite stores a NUMERIC column's text as a number (the
    backend's own Decimal adapter is `str`), so the memo keeps the text; PostgreSQL takes Decimal."""
    if value is None or connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        return value
    return str(value)


def reset_memos() -> None:
    """Memos live for one run (curves are values, so sharing across scorecards is safe)."""
    _CURVE_MEMOS.clear()
    _RATE_MEMO.clear()


class CompiledItem:
    """One automatic item of a plan: where its value comes from and its memoised curve."""

    __slots__ = ("curve", "den", "item_id", "memo", "num", "rate_memo", "scored", "weight_h")

    def __init__(self, item, grain: str, curve: scoring.Curve):
        self.item_id = item.pk
        self.num = (item.metric_code, grain)
        self.den = (item.denominator_code, grain) if item.denominator_code else None
        self.scored = item.kind == ItemKind.SCORED
        self.weight_h = to_cents(item.weight) if self.scored else 0
        self.curve = curve
        # value → (score param, score cents), shared by the items of every scorecard with this curve
        self.memo: dict = _CURVE_MEMOS.setdefault((curve, self.scored), {})
        self.rate_memo: dict = _RATE_MEMO  # (num, den) → value param

    def value(self, data, unit_id: int) -> tuple[int, int | None, Decimal | None, object]:
        """(numerator, denominator, value, value as a parameter) for one unit — the same numbers as
        `runs._metric_value`."""
        num, den = data[self.num].get(unit_id, (0, None))
        if self.den is not None:
            den = data[self.den].get(unit_id, (0, None))[0]
        key = (num, den)
        got = self.rate_memo.get(key)
        if got is None:
            if den is None:
                value = Decimal(num)
            elif not den:
                value = None
            else:
                value = (Decimal(num) / Decimal(den)).quantize(_Q4)
            got = self.rate_memo[key] = (value, _param(value))
        return num, den, got[0], got[1]

    def score(self, value: Decimal | None) -> tuple[object, int]:
        """(score as a parameter, score in cents) through `scoring.Curve.score`, once per value."""
        got = self.memo.get(value)
        if got is None:
            s = self.curve.score(value)
            got = self.memo[value] = (_param(s), to_cents(s)) if self.scored else (None, 0)
        return got


class Plan:
    """A published scorecard compiled for one run."""

    def __init__(self, card, items: list, bands: list, curves: dict[int, scoring.Curve], grain: str | None):
        self.card = card
        self.items = items
        self.auto = [CompiledItem(i, grain, curves[i.pk]) for i in items if i.pk in curves]
        auto_ids = {c.item_id for c in self.auto}
        self.other = [i for i in items if i.pk not in auto_ids]
        self.other_scored = [(i.pk, to_cents(i.weight)) for i in self.other if i.kind == ItemKind.SCORED]
        self.bands = [scoring.Band(b.name, b.min_score, b.coefficient) for b in bands]
        self.ordered = scoring.sorted_bands(self.bands)
        self.bounds = [to_cents(b.min_score) for b in self.ordered]
        self.label = f"{card.name} v{card.version}"
        self.band_list = [[b.name, str(b.min_score), str(b.coefficient)] for b in self.ordered]
        self._grades: dict[int, tuple[str, Decimal]] = {}
        fixed = json.dumps({"scorecard": self.label, "rules": [], "bands": self.band_list})
        self._prefix = fixed[:-1] if connections[DEFAULT_DB_ALIAS].vendor == "sqlite" else None

    def grade(self, cents: int) -> tuple[str, Decimal]:
        """Band (name, coefficient) of a total in cents, with no rule events."""
        got = self._grades.get(cents)
        if got is None:
            index = len(self.ordered) - 1
            for i, bound in enumerate(self.bounds):
                if cents >= bound:
                    index = i
                    break
            got = self._grades[cents] = (self.ordered[index].name, self.ordered[index].coefficient)
        return got

    def fresh_explanation(self, weighted: Decimal, grade: str):
        """The stored explanation of a new appraisal (no rule events yet) as the column's parameter.
        On SQLite (a JSON text column) the constant part is encoded once per scorecard and the
        total and grade spliced in — json.dumps of 10,000 near-identical dicts was a tenth of a run."""
        if self._prefix is None:
            from opscenter.appraisal.models import Appraisal

            return prep(Appraisal, "explanation", self.explanation(weighted, weighted, grade, []))
        text = str(weighted)
        return f'{self._prefix}, "weighted": "{text}", "score": "{text}", "grade": {json.dumps(grade)}}}'

    def explanation(self, weighted: Decimal, score: Decimal, grade: str, fired: list) -> dict:
        return {
            "scorecard": self.label,
            "weighted": str(weighted),
            "rules": fired,
            "score": str(score),
            "grade": grade,
            "bands": self.band_list,
        }


def weighted_from(parts_h: Iterable[int]) -> Decimal:
    """Σ (score cents × weight hundredths) → points, half up to cents (= scoring.weighted_total)."""
    total = sum(parts_h)
    return from_cents((total + 5000) // 10000)


def hits_for(events) -> list[scoring.RuleHit]:
    return [
        scoring.RuleHit(
            kind=e.rule.kind,
            rule=e.rule.name,
            order=e.rule.order,
            points=e.points,
            grades=e.rule.grades,
            reason=e.reason + (f" [#{e.complaint_id}]" if e.complaint_id else ""),
        )
        for e in events
    ]


def pending_status(row_status: str | None) -> str:
    return ScoreStatus.PENDING if row_status in (None, ScoreStatus.AUTO) else row_status


def is_auto(item, grain: str | None) -> bool:
    return item.method == ItemMethod.METRIC and bool(grain)


def without_gc(func):
    """Run without the cyclic garbage collector: a chain's run allocates a few million small,
    acyclic objects (rows, tuples, Decimals) and every full collection walks all of them again, so
    collection time grows with the square of the run. Reference counting still frees them."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        was = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return wrapper


# ---------------------------------------------------------------- raw inserts
def insert_rows(model, columns: tuple[str, ...], rows: list[tuple], batch: int = 5000) -> None:
    """INSERT the rows (values already in the driver's types) with one executemany per batch:
    the ORM's insert compiler costs more than the database at 200,000 rows."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def prep(model, field: str, value):
    """A value in the driver's type for one column (JSON, datetimes), as the ORM would send it."""
    return model._meta.get_field(field).get_db_prep_save(value, connections[DEFAULT_DB_ALIAS])


def field_defaults(model, skip: set[str]) -> dict[str, object]:
    """Column → prepared default for the concrete fields the run does not set (so a column added
    later with a default is filled as the ORM would)."""
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in skip:
            continue
        out[f.column] = prep(model, f.name, f.get_default())
    return out


def now_prepared(now: dt.datetime):
    return connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value(now)
