"""Tier rule sets as plain data: validation (the one place) and level matching. No database.

A rule set definition is a dict (stored as JSON on `TierRuleSet.definition`):

    tiers     [{code, label, benefits}]                 best tier first
    benefits  {followup_days, birthday: [kinds], coupon_fen, coupon_name, discount, member_discount,
               quarterly_gift, gift, salon, note}   (discounts in 折 as text: "8.8" = rate 0.88)
    criteria  [{code, label, combine: all|any, conditions: [condition, …]}]
    levels    [{tier, match: all|any|at_least|none, criteria: [codes], k, priority}]

A condition is `metric op threshold` over a window: {metric, op, threshold, window: {kind,
months}, categories, outcomes}. Money thresholds are integer fen; satisfaction is 1–5 (非常不满意
… 非常满意); counts are integers. A customer's tier is the matching level with the lowest
priority number. Two levels that can hold at the same time must have different priorities, and
every combination of criteria must match some level — so an evaluation always has one answer.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from opscenter.core.exceptions import ValidationError
from opscenter.members.choices import (
    CATEGORY_METRICS,
    MONEY_METRICS,
    UNWINDOWED_METRICS,
    CareTaskKind,
    Combine,
    Match,
    Metric,
    Op,
    WindowKind,
)
from opscenter.pipeline.choices import DisputeOutcome, ItemCategory

MAX_CRITERIA = 10
MAX_CONDITIONS = 8
MAX_LEVELS = 20
MAX_BENEFIT_NAME = 40
MAX_BENEFIT_TEXT = 100
COUNT_METRICS = frozenset(
    {
        Metric.PURCHASE_DAYS,
        Metric.CATEGORY_SESSIONS,
        Metric.COURSE_SESSIONS,
        Metric.OPEN_DISPUTE,
        Metric.SETTLED_DISPUTE,
        Metric.REFUND_COUNT,
    }
)
BIRTHDAY_KINDS = (
    CareTaskKind.BIRTHDAY_CALL,
    CareTaskKind.BIRTHDAY_SMS,
    CareTaskKind.BIRTHDAY_COUPON,
    CareTaskKind.BIRTHDAY_DISCOUNT,
)


class RuleSetError(ValidationError):
    """A rule set that cannot be used; `errors` lists every problem found, each fit for the user."""

    def __init__(self, errors: list[str]):
        super().__init__(_("；").join(errors), field="definition", log_message=f"invalid rule set: {errors}")
        self.errors = errors


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _threshold(metric: str, value: Any, where: str, errors: list[str]) -> int | float | None:
    """The threshold if its type fits the metric, else an error (never coerced from text)."""
    if metric == Metric.SATISFACTION_AVG:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            errors.append(_("%(where)s：平均满意度的标准值必须是 1–5 之间的数字") % {"where": where})
            return None
        try:
            tenths = Decimal(str(value)) * 10
        except InvalidOperation:
            tenths = Decimal("NaN")
        if not tenths.is_finite() or tenths != tenths.to_integral_value() or not 10 <= tenths <= 50:
            errors.append(_("%(where)s：平均满意度的标准值必须在 1–5 之间，最多一位小数") % {"where": where})
            return None
        return int(tenths) / 10
    if not _is_int(value):
        unit = _("以分为单位的整数金额") if metric in MONEY_METRICS else _("整数")
        errors.append(
            _("%(where)s：标准值必须是%(unit)s（收到 %(value)s）")
            % {"where": where, "unit": unit, "value": repr(value)}
        )
        return None
    if metric == Metric.SATISFACTION_LATEST and not 1 <= value <= 5:
        errors.append(
            _("%(where)s：满意度标准值必须在 1（非常不满意）到 5（非常满意）之间") % {"where": where}
        )
        return None
    if value < 0:
        errors.append(_("%(where)s：标准值不能为负数") % {"where": where})
        return None
    return value


def _window(raw: Any, where: str, errors: list[str]) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {"kind": WindowKind.ALL}
    kind = raw.get("kind") or WindowKind.ALL
    if kind not in WindowKind.values:
        errors.append(_("%(where)s：时间范围不正确") % {"where": where})
        return {"kind": WindowKind.ALL}
    if kind == WindowKind.MONTHS:
        months = raw.get("months")
        if not _is_int(months) or not 1 <= months <= 120:
            errors.append(_("%(where)s：最近月数必须是 1–120 的整数") % {"where": where})
            return {"kind": WindowKind.ALL}
        return {"kind": kind, "months": months}
    return {"kind": kind}


def _condition(raw: Any, where: str, errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        errors.append(_("%(where)s：格式不正确") % {"where": where})
        return None
    metric, op = raw.get("metric"), raw.get("op", Op.GTE)
    if metric not in Metric.values:
        errors.append(_("%(where)s：指标“%(metric)s”不存在") % {"where": where, "metric": metric})
        return None
    if op not in Op.values:
        errors.append(_("%(where)s：比较方式“%(op)s”不正确") % {"where": where, "op": op})
        return None
    threshold = _threshold(metric, raw.get("threshold"), where, errors)
    out: dict[str, Any] = {"metric": metric, "op": op, "threshold": threshold}
    out["window"] = (
        {"kind": WindowKind.ALL}
        if metric in UNWINDOWED_METRICS
        else _window(raw.get("window"), where, errors)
    )
    if metric in CATEGORY_METRICS or (metric == Metric.SPEND and raw.get("categories")):
        categories = raw.get("categories") or []
        if not categories or not isinstance(categories, list) or set(categories) - set(ItemCategory.values):
            errors.append(_("%(where)s：请选择有效的项目类别") % {"where": where})
        out["categories"] = sorted(set(categories)) if isinstance(categories, list) else []
    if metric == Metric.SETTLED_DISPUTE:
        outcomes = raw.get("outcomes") or []
        if not outcomes or not isinstance(outcomes, list) or set(outcomes) - set(DisputeOutcome.values):
            errors.append(_("%(where)s：请选择纠纷处理结果") % {"where": where})
        out["outcomes"] = sorted(set(outcomes)) if isinstance(outcomes, list) else []
    return out if threshold is not None else None


def _benefits(raw: Any, where: str, errors: list[str]) -> dict[str, Any]:
    """A tier's benefits, normalized: the follow-up interval (days, 0 = none), the birthday
    benefits (kinds, in BIRTHDAY_KINDS order), the birthday coupon (amount in fen and its name),
    the birthday-month discount and the standing member discount in 折 (a Decimal strictly between
    0 and 10 — a rate between 0 and 1 — kept as text such as "8.8" since JSON has no decimals),
    the quarterly gift (and what it is) and the salon invitation. Each bad value is an error
    naming the field."""
    raw = raw if isinstance(raw, dict) else {}
    days = raw.get("followup_days")
    if days in (None, ""):
        days = 0
    if not _is_int(days) or not 0 <= days <= 366:
        errors.append(
            _("%(where)s：随访间隔（天）必须是 0–366 的整数（收到 %(days)s）")
            % {"where": where, "days": repr(days)}
        )
        days = 0
    birthday = raw.get("birthday") or []
    if not isinstance(birthday, list) or set(birthday) - set(BIRTHDAY_KINDS):
        errors.append(
            _("%(where)s：生日权益只能选择%(join)s")
            % {"where": where, "join": _("、").join(str(CareTaskKind(k).label) for k in BIRTHDAY_KINDS)}
        )
        birthday = []
    coupon = raw.get("coupon_fen")
    if coupon in ("", None):
        coupon = None
    elif not _is_int(coupon) or coupon < 0:
        errors.append(
            _("%(where)s：生日礼券金额必须是不小于 0 的金额，最多两位小数（收到 %(coupon)s）")
            % {"where": where, "coupon": repr(coupon)}
        )
        coupon = None
    return {
        "followup_days": days,
        "birthday": [k for k in BIRTHDAY_KINDS if k in birthday],
        "coupon_fen": coupon,
        "coupon_name": _text(raw.get("coupon_name"), _("生日礼券名称"), MAX_BENEFIT_NAME, where, errors),
        "discount": _discount(raw.get("discount"), _("生日当月折扣"), where, errors),
        "member_discount": _discount(raw.get("member_discount"), _("会员消费折扣"), where, errors),
        "quarterly_gift": bool(raw.get("quarterly_gift")),
        "gift": _text(raw.get("gift"), _("季度礼品说明"), MAX_BENEFIT_TEXT, where, errors),
        "salon": bool(raw.get("salon")),
        "note": str(raw.get("note") or "")[:200],
    }


def _text(value: Any, label: str, limit: int, where: str, errors: list[str]) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        errors.append(
            _("%(where)s：%(label)s最多 %(limit)s 个字（现有 %(len)s 个）")
            % {"where": where, "label": label, "limit": limit, "len": len(text)}
        )
        return text[:limit]
    return text


def _discount(value: Any, label: str, where: str, errors: list[str]) -> str | None:
    """A discount in 折 as normalized text ("8.8" = rate 0.88), None when not set. 10 折 is no
    discount at all and 0 折 free, so both are refused: the rate is strictly between 0 and 1."""
    if value in (None, ""):
        return None
    message = _(
        "%(where)s：%(label)s必须大于 0 折且小于 10 折（即折扣率在 0 与 1 之间，不含 0 和 1），最多两位小数（例如 8.8）（收到 %(value)s）"
    ) % {"where": where, "label": label, "value": repr(value)}
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        errors.append(message)
        return None
    try:
        discount = Decimal(str(value).strip().removesuffix(_("折")))
    except InvalidOperation:
        errors.append(message)
        return None
    if not discount.is_finite() or not 0 < discount < 10 or discount != discount.quantize(Decimal("0.01")):
        errors.append(message)
        return None
    return format(discount.normalize(), "f")


def discount_rate(discount: str | None) -> Decimal | None:
    """A normalized discount in 折 ("8.8") as a rate (Decimal("0.88")); None when not set."""
    return None if discount in (None, "") else Decimal(discount) / 10


def discount_label(rate: Decimal | None) -> str:
    """A rate as staff say it: Decimal("0.88") → "8.8折", Decimal("0.9") → "9折"; "" when None."""
    if rate is None:
        return ""
    return _("%(format)s折") % {"format": format((Decimal(rate) * 10).normalize(), "f")}


def validate_rule_set(definition: Any) -> dict[str, Any]:
    """The normalized definition, or RuleSetError listing every problem. Used by the editor form,
    the API and the activation service alike, so an invalid rule set can never become active."""
    errors: list[str] = []
    if not isinstance(definition, dict):
        raise RuleSetError([_("规则定义格式不正确")])
    definition = copy.deepcopy(definition)

    tiers, tier_codes = [], set()
    for n, raw in enumerate(definition.get("tiers") or [], start=1):
        code = str((raw or {}).get("code") or "").strip() if isinstance(raw, dict) else ""
        if not code:
            errors.append(_("第 %(n)s 个等级缺少代码") % {"n": n})
            continue
        if code in tier_codes:
            errors.append(_("等级代码“%(code)s”重复") % {"code": code})
            continue
        tier_codes.add(code)
        label = str(raw.get("label") or code)
        benefits = _benefits(raw.get("benefits"), _("等级“%(label)s”的权益") % {"label": label}, errors)
        tiers.append({"code": code, "label": label, "benefits": benefits})
    if not tiers:
        errors.append(_("至少需要一个等级"))

    criteria, criterion_codes = [], []
    raw_criteria = definition.get("criteria") or []
    if len(raw_criteria) > MAX_CRITERIA:
        errors.append(_("判定标准最多 %(MAX_CRITERIA)s 个") % {"MAX_CRITERIA": MAX_CRITERIA})
    for n, raw in enumerate(raw_criteria[:MAX_CRITERIA], start=1):
        if not isinstance(raw, dict):
            errors.append(_("第 %(n)s 个判定标准格式不正确") % {"n": n})
            continue
        code = str(raw.get("code") or "").strip()
        label = str(raw.get("label") or code)
        where = _("判定标准“%(value)s”") % {"value": code or n}
        if not code:
            errors.append(_("第 %(n)s 个判定标准缺少代码") % {"n": n})
            continue
        if code in criterion_codes:
            errors.append(_("判定标准代码“%(code)s”重复") % {"code": code})
            continue
        combine = raw.get("combine") or Combine.ALL
        if combine not in Combine.values:
            errors.append(_("%(where)s：组合方式不正确") % {"where": where})
        conditions_raw = raw.get("conditions") or []
        if not conditions_raw:
            errors.append(_("%(where)s没有任何条件") % {"where": where})
        if len(conditions_raw) > MAX_CONDITIONS:
            errors.append(
                _("%(where)s：条件最多 %(MAX_CONDITIONS)s 个")
                % {"where": where, "MAX_CONDITIONS": MAX_CONDITIONS}
            )
        conditions = []
        for i, raw_condition in enumerate(conditions_raw[:MAX_CONDITIONS], start=1):
            condition = _condition(
                raw_condition, _("%(where)s第 %(i)s 个条件") % {"where": where, "i": i}, errors
            )
            if condition is not None:
                conditions.append(condition)
        criterion_codes.append(code)
        criteria.append({"code": code, "label": label, "combine": combine, "conditions": conditions})

    levels = []
    raw_levels = definition.get("levels") or []
    if not raw_levels:
        errors.append(_("至少需要一条定级规则"))
    if len(raw_levels) > MAX_LEVELS:
        errors.append(_("定级规则最多 %(MAX_LEVELS)s 条") % {"MAX_LEVELS": MAX_LEVELS})
    for n, raw in enumerate(raw_levels[:MAX_LEVELS], start=1):
        if not isinstance(raw, dict):
            errors.append(_("第 %(n)s 条定级规则格式不正确") % {"n": n})
            continue
        where = _("第 %(n)s 条定级规则（%(value)s）") % {"n": n, "value": raw.get("tier") or "?"}
        tier, match = raw.get("tier"), raw.get("match") or Match.ALL
        codes = raw.get("criteria") or []
        if tier not in tier_codes:
            errors.append(_("%(where)s：等级“%(tier)s”不存在") % {"where": where, "tier": tier})
        if match not in Match.values:
            errors.append(_("%(where)s：匹配方式不正确") % {"where": where})
        if not codes or not isinstance(codes, list):
            errors.append(_("%(where)s没有引用任何判定标准") % {"where": where})
            codes = []
        unknown = [c for c in codes if c not in criterion_codes]
        if unknown:
            errors.append(
                _("%(where)s：判定标准“%(join)s”不存在")
                % {"where": where, "join": _("、").join(map(str, unknown))}
            )
        k = raw.get("k")
        if match == Match.AT_LEAST:
            if not _is_int(k) or not 1 <= k <= max(len(codes), 1):
                errors.append(
                    _("%(where)s：k 必须是 1 到 %(len)s 之间的整数") % {"where": where, "len": len(codes)}
                )
        else:
            k = None
        priority = raw.get("priority")
        if priority in ("", None):
            priority = None
        elif not _is_int(priority):
            errors.append(_("%(where)s：判定顺序必须是整数（数字小者优先）") % {"where": where})
            priority = None
        levels.append(
            {
                "tier": tier,
                "match": match,
                "criteria": list(dict.fromkeys(codes)),
                "k": k,
                "priority": priority,
            }
        )

    if not errors:
        errors.extend(_overlaps_and_gaps(levels, criterion_codes))
    if errors:
        raise RuleSetError(errors)
    return {"tiers": tiers, "criteria": criteria, "levels": levels}


def level_holds(level: dict[str, Any], truths: dict[str, bool]) -> bool:
    hits = sum(1 for code in level["criteria"] if truths.get(code))
    match = level["match"]
    if match == Match.ALL:
        return hits == len(level["criteria"])
    if match == Match.ANY:
        return hits > 0
    if match == Match.AT_LEAST:
        return hits >= level["k"]
    return hits == 0


def _describe(truths: dict[str, bool]) -> str:
    held = [c for c, v in truths.items() if v]
    return _("%(join)s成立时") % {"join": _("、").join(held)} if held else _("所有判定标准都不成立时")


def _overlaps_and_gaps(levels: list[dict[str, Any]], codes: list[str]) -> list[str]:
    """Every combination of criteria outcomes: two levels with no strict priority order that both
    hold, or none holding, is an error (reported once per pair, with an example)."""
    errors, seen = [], set()
    for values in itertools.product((False, True), repeat=len(codes)):
        truths = dict(zip(codes, values, strict=True))
        hits = [i for i, level in enumerate(levels) if level_holds(level, truths)]
        if not hits and "gap" not in seen:
            seen.add("gap")
            errors.append(_("%(describe)s没有任何定级规则成立，请补充规则") % {"describe": _describe(truths)})
        for i, j in itertools.combinations(hits, 2):
            a, b = levels[i], levels[j]
            unordered = a["priority"] is None or b["priority"] is None or a["priority"] == b["priority"]
            if unordered and (i, j) not in seen:
                seen.add((i, j))
                errors.append(
                    _(
                        "定级规则 %(value)s（%(tier)s）与 %(value2)s（%(tier2)s）可能同时成立（例如%(describe)s），请为它们设置不同的判定顺序"
                    )
                    % {
                        "value": i + 1,
                        "tier": a["tier"],
                        "value2": j + 1,
                        "tier2": b["tier"],
                        "describe": _describe(truths),
                    }
                )
    return errors


def ordered_levels(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Levels in the order they are tried: by priority (lowest first), unprioritised last.
    Validation guarantees unprioritised levels never overlap, so their order does not matter."""
    return sorted(definition["levels"], key=lambda lv: (lv["priority"] is None, lv["priority"] or 0))


def match_level(definition: dict[str, Any], truths: dict[str, bool]) -> dict[str, Any]:
    """The level that decides the tier for these criterion outcomes."""
    for level in ordered_levels(definition):
        if level_holds(level, truths):
            return level
    raise RuleSetError([_("没有任何定级规则成立")])  # unreachable for a validated definition


def tier_rank(definition: dict[str, Any]) -> dict[str, int]:
    """Tier code → position (0 = best): an upgrade moves to a lower number."""
    return {t["code"]: i for i, t in enumerate(definition["tiers"])}


def tier_labels(definition: dict[str, Any]) -> dict[str, str]:
    return {t["code"]: t["label"] for t in definition["tiers"]}


@dataclass(frozen=True)
class Window:
    """A window resolved against an evaluation date: months `lo`..`hi` (yyyymm), None = all time."""

    lo: int | None
    hi: int


def shift_month(key: int, months: int) -> int:
    index = (key // 100) * 12 + (key % 100 - 1) + months
    return (index // 12) * 100 + index % 12 + 1


def resolve_window(window: dict[str, Any], as_of_month: int) -> Window:
    if window["kind"] == WindowKind.MONTHS:
        return Window(shift_month(as_of_month, -(window["months"] - 1)), as_of_month)
    if window["kind"] == WindowKind.YEAR:
        return Window((as_of_month // 100) * 100 + 1, as_of_month)
    return Window(None, as_of_month)


def compare(value: int | float | None, op: str, threshold: int | float) -> bool:
    """`value op threshold`; a missing value (no satisfaction recorded) never holds."""
    if value is None:
        return False
    return {
        Op.GTE: value >= threshold,
        Op.GT: value > threshold,
        Op.LTE: value <= threshold,
        Op.LT: value < threshold,
        Op.EQ: value == threshold,
    }[op]
