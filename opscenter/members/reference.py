"""A member's tier computed the plain way, in Python over their raw rows — with the numbers
behind every condition. It is the explanation shown on the member page and by
`opscenter tiers explain`, and the reference the property test holds the SQL evaluation to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from opscenter.members.choices import Combine, Metric, Op, WindowKind
from opscenter.members.rules import Window, compare, match_level, resolve_window
from opscenter.members.sources import Fact
from opscenter.pipeline.choices import DisputeOutcome, ItemCategory, Satisfaction, TransactionKind

MAX_LISTED = 12


@dataclass(frozen=True)
class Txn:
    occurred_on: dt.date
    kind: str
    category: str
    sessions: int
    amount_fen: int


@dataclass(frozen=True)
class Rating:
    id: int
    done_on: dt.date
    satisfaction: int


@dataclass(frozen=True)
class DisputeFact:
    opened_on: dt.date
    settled_on: dt.date | None
    outcome: str


@dataclass
class ConditionResult:
    text: str  # "消费天数 ≥ 2"
    holds: bool
    value: str  # "3"
    detail: str  # "3 个消费日：2024-01-05、…"


@dataclass
class CriterionResult:
    code: str
    label: str
    combine: str
    holds: bool
    conditions: list[ConditionResult] = field(default_factory=list)


@dataclass
class Explanation:
    is_member: bool
    tier: str | None
    level: dict[str, Any] | None
    criteria: list[CriterionResult]

    def as_json(self) -> dict[str, Any]:
        return {
            "is_member": self.is_member,
            "tier": self.tier,
            "level": self.level,
            "criteria": [
                {
                    "code": c.code,
                    "label": c.label,
                    "combine": c.combine,
                    "holds": c.holds,
                    "conditions": [vars(x) for x in c.conditions],
                }
                for c in self.criteria
            ],
        }


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}" + (f".{fen % 100:02d}" if fen % 100 else "")


def _in(day: dt.date, window: Window, as_of: dt.date) -> bool:
    month = day.year * 100 + day.month
    return day <= as_of and (window.lo is None or window.lo <= month <= window.hi)


def _window_text(window: dict[str, Any]) -> str:
    if window["kind"] == WindowKind.MONTHS:
        return _("（最近%(months)s个月）") % {"months": window["months"]}
    if window["kind"] == WindowKind.YEAR:
        return _("（本自然年）")
    return ""


def _dates(days: list[dt.date]) -> str:
    shown = _("、").join(d.isoformat() for d in days[:MAX_LISTED])
    return shown + (_(" 等 %(len)s 天") % {"len": len(days)} if len(days) > MAX_LISTED else "")


def threshold_text(condition: dict[str, Any]) -> str:
    metric, t = condition["metric"], condition["threshold"]
    if metric == Metric.SPEND:
        return yuan(t)
    if metric == Metric.SATISFACTION_LATEST:
        return Satisfaction(t).label
    return str(t)


def condition_text(condition: dict[str, Any]) -> str:
    metric = condition["metric"]
    name = Metric(metric).label
    if condition.get("categories"):
        name += _("（") + _("、").join(str(ItemCategory(c).label) for c in condition["categories"]) + _("）")
    if condition.get("outcomes"):
        name += _("（") + _("、").join(str(DisputeOutcome(o).label) for o in condition["outcomes"]) + _("）")
    return (
        f"{name}{_window_text(condition['window'])} {Op(condition['op']).label} {threshold_text(condition)}"
    )


def _measure(
    condition: dict[str, Any],
    *,
    as_of: dt.date,
    txns: list[Txn],
    ratings: list[Rating],
    disputes: list[DisputeFact],
    uses: list[Fact],
) -> tuple[Any, str, str]:
    """(comparable value, shown value, detail) of one condition for one member."""
    metric = condition["metric"]
    window = resolve_window(condition["window"], as_of.year * 100 + as_of.month)
    if metric == Metric.COURSE_SESSIONS:
        hits = [u for u in uses if u.category in condition["categories"] and _in(u.day, window, as_of)]
        detail = _("；").join(f"{u.day} {u.text}" for u in hits[:MAX_LISTED])
        return (
            len(hits),
            str(len(hits)),
            _("已消耗 %(total)s 次：%(detail)s") % {"total": len(hits), "detail": detail}
            if hits
            else _("没有该类别的疗程消耗"),
        )
    rows = [t for t in txns if _in(t.occurred_on, window, as_of)]
    purchases = [t for t in rows if t.kind == TransactionKind.PURCHASE]
    refunds = [t for t in rows if t.kind == TransactionKind.REFUND]
    if metric == Metric.PURCHASE_DAYS:
        days = sorted({t.occurred_on for t in purchases})
        return (
            len(days),
            str(len(days)),
            _("%(len)s 个消费日：%(dates)s") % {"len": len(days), "dates": _dates(days)}
            if days
            else _("没有消费记录"),
        )
    if metric == Metric.CATEGORY_SESSIONS:
        hits = [t for t in purchases if t.category in condition["categories"]]
        total = sum(t.sessions for t in hits)
        detail = _("；").join(
            _("%(occurred_on)s %(label)s %(sessions)s 次")
            % {"occurred_on": t.occurred_on, "label": ItemCategory(t.category).label, "sessions": t.sessions}
            for t in hits[:MAX_LISTED]
        )
        return (
            total,
            str(total),
            _("共 %(total)s 次：%(detail)s") % {"total": total, "detail": detail}
            if hits
            else _("没有该类别的消费"),
        )
    if metric == Metric.SPEND:
        cats = condition.get("categories") or None
        bought = sum(t.amount_fen for t in purchases if cats is None or t.category in cats)
        refunded = sum(t.amount_fen for t in refunds if cats is None or t.category in cats)
        net = bought - refunded
        detail = _("净消费 %(yuan)s（消费 %(yuan2)s，%(len)s 笔") % {
            "yuan": yuan(net),
            "yuan2": yuan(bought),
            "len": len(purchases),
        }
        detail += _("；退款 %(yuan)s 不计入）") % {"yuan": yuan(refunded)} if refunded else _("）")
        return net, yuan(net), detail
    if metric == Metric.REFUND_COUNT:
        return (
            len(refunds),
            str(len(refunds)),
            _("退款 %(len)s 笔，共 %(yuan)s")
            % {"len": len(refunds), "yuan": yuan(sum(t.amount_fen for t in refunds))},
        )
    rated = sorted((r for r in ratings if _in(r.done_on, window, as_of)), key=lambda r: (r.done_on, r.id))
    if metric == Metric.SATISFACTION_LATEST:
        if not rated:
            return None, "—", _("没有回访满意度记录")
        last = rated[-1]
        label = Satisfaction(last.satisfaction).label
        return (
            last.satisfaction,
            label,
            _("最近一次回访（%(done_on)s）：%(label)s") % {"done_on": last.done_on, "label": label},
        )
    if metric == Metric.SATISFACTION_AVG:
        if not rated:
            return None, "—", _("没有回访满意度记录")
        avg = Fraction(sum(r.satisfaction for r in rated), len(rated))
        return (
            avg,
            f"{float(avg):.2f}",
            _("%(len)s 次回访平均 %(float)s") % {"len": len(rated), "float": format(float(avg), ".2f")},
        )
    if metric == Metric.OPEN_DISPUTE:
        open_ = [
            d for d in disputes if d.opened_on <= as_of and (d.settled_on is None or d.settled_on > as_of)
        ]
        detail = (
            _("、").join(_("%(opened_on)s 起") % {"opened_on": d.opened_on} for d in open_)
            if open_
            else _("没有未解决的纠纷")
        )
        return (
            len(open_),
            str(len(open_)),
            _("未解决纠纷 %(len)s 起") % {"len": len(open_)}
            + (_("（%(detail)s）") % {"detail": detail} if open_ else ""),
        )
    lo = None if window.lo is None else dt.date(window.lo // 100, window.lo % 100, 1)
    settled = [
        d
        for d in disputes
        if d.settled_on is not None
        and d.settled_on <= as_of
        and (lo is None or d.settled_on >= lo)
        and d.outcome in condition["outcomes"]
    ]
    detail = _("、").join(f"{d.settled_on} {DisputeOutcome(d.outcome).label}" for d in settled)
    return (
        len(settled),
        str(len(settled)),
        _("已解决纠纷 %(len)s 起") % {"len": len(settled)}
        + (_("（%(detail)s）") % {"detail": detail} if settled else ""),
    )


def _holds(condition: dict[str, Any], value: Any) -> bool:
    if condition["metric"] == Metric.SATISFACTION_AVG:
        return value is not None and compare(
            value, condition["op"], Fraction(round(condition["threshold"] * 10), 10)
        )
    return compare(value, condition["op"], condition["threshold"])


def evaluate_member(
    definition: dict[str, Any],
    *,
    as_of: dt.date,
    txns: list[Txn],
    ratings: list[Rating],
    disputes: list[DisputeFact],
    uses: list[Fact] | None = None,
) -> Explanation:
    """The member's tier under a validated definition, as of a date, with every number behind it."""
    is_member = any(t.kind == TransactionKind.PURCHASE and t.occurred_on <= as_of for t in txns)
    criteria, truths = [], {}
    for criterion in definition["criteria"]:
        results = []
        for condition in criterion["conditions"]:
            value, shown, detail = _measure(
                condition, as_of=as_of, txns=txns, ratings=ratings, disputes=disputes, uses=uses or []
            )
            results.append(
                ConditionResult(condition_text(condition), _holds(condition, value), shown, detail)
            )
        held = [r.holds for r in results]
        holds = all(held) if criterion["combine"] == Combine.ALL else any(held)
        truths[criterion["code"]] = holds
        criteria.append(
            CriterionResult(criterion["code"], criterion["label"], criterion["combine"], holds, results)
        )
    level = match_level(definition, truths) if is_member else None
    return Explanation(is_member, level["tier"] if level else None, level, criteria)
