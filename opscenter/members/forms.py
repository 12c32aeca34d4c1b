"""Forms of the member screens. The rule-set editor posts one flat set of fields (criteria with
their conditions, levels, tiers); `definition_from_post` turns them back into a definition, which
`rules.validate_rule_set` — the one place — judges. Money is entered in yuan, stored in fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.members.choices import MONEY_METRICS, CareTaskStatus, Combine, Match, Metric, Op, WindowKind
from opscenter.members.rules import BIRTHDAY_KINDS
from opscenter.pipeline.choices import DisputeCategory, DisputeOutcome, ItemCategory


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名/电话"), required=False)
    tier = forms.ChoiceField(label=_("会员等级"), required=False)

    def __init__(self, *args, tiers: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", gettext("全部等级")), *tiers]


def _number(raw: str, metric: str) -> Any:
    """The threshold as typed: a number when it reads as one (yuan → fen for money), else the
    text itself so that validation names the wrong type."""
    raw = (raw or "").strip().replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return raw
    if metric in MONEY_METRICS:
        fen = value * 100
        return int(fen) if fen == fen.to_integral_value() else raw
    if metric == Metric.SATISFACTION_AVG:
        return float(value)
    return int(value) if value == value.to_integral_value() else raw


def _int_or_none(raw: str | None) -> Any:
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.lstrip("-").isdigit() else raw


def _benefits(post: QueryDict, p: str) -> dict[str, Any]:
    """A tier's benefits as typed (coupon in yuan → fen, discounts in 折 as typed: "8.8");
    `rules.validate_rule_set` judges them."""
    return {
        "followup_days": _int_or_none(post.get(p + "followup_days")),
        "birthday": post.getlist(p + "birthday"),
        "coupon_fen": _number(post.get(p + "coupon_yuan", ""), Metric.SPEND)
        if post.get(p + "coupon_yuan", "").strip()
        else None,
        "coupon_name": (post.get(p + "coupon_name") or "").strip(),
        "discount": (post.get(p + "discount") or "").strip() or None,
        "member_discount": (post.get(p + "member_discount") or "").strip() or None,
        "quarterly_gift": bool(post.get(p + "quarterly_gift")),
        "gift": (post.get(p + "gift") or "").strip(),
        "salon": bool(post.get(p + "salon")),
        "note": (post.get(p + "note") or "").strip(),
    }


def definition_from_post(post: QueryDict, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rebuild a definition from the editor's fields (rows marked delete are dropped). Every
    benefit of every tier is a field of the editor, so nothing is carried over from `base`."""
    criteria = []
    for i in range(int(post.get("criteria-count") or 0)):
        p = f"crit-{i}-"
        if post.get(p + "delete"):
            continue
        conditions = []
        for j in range(int(post.get(p + "cond-count") or 0)):
            q = f"{p}cond-{j}-"
            if post.get(q + "delete"):
                continue
            metric = post.get(q + "metric", "")
            condition: dict[str, Any] = {
                "metric": metric,
                "op": post.get(q + "op", ">="),
                "threshold": _number(post.get(q + "threshold", ""), metric),
                "window": {"kind": post.get(q + "window", "all")},
            }
            if condition["window"]["kind"] == WindowKind.MONTHS:
                condition["window"]["months"] = _int_or_none(post.get(q + "months"))
            if post.getlist(q + "categories"):
                condition["categories"] = post.getlist(q + "categories")
            if post.getlist(q + "outcomes"):
                condition["outcomes"] = post.getlist(q + "outcomes")
            conditions.append(condition)
        criteria.append(
            {
                "code": post.get(p + "code", "").strip(),
                "label": post.get(p + "label", "").strip(),
                "combine": post.get(p + "combine", "all"),
                "conditions": conditions,
            }
        )
    levels = []
    for n in range(int(post.get("levels-count") or 0)):
        p = f"level-{n}-"
        if post.get(p + "delete"):
            continue
        level = {
            "tier": post.get(p + "tier", "").strip(),
            "match": post.get(p + "match", "all"),
            "criteria": [
                c.strip()
                for c in post.get(p + "criteria", "").replace(gettext("，"), ",").split(",")
                if c.strip()
            ],
            "priority": _int_or_none(post.get(p + "priority")),
        }
        if level["match"] == Match.AT_LEAST:
            level["k"] = _int_or_none(post.get(p + "k"))
        levels.append(level)
    tiers = []
    for n in range(int(post.get("tiers-count") or 0)):
        p = f"tier-{n}-"
        code = post.get(p + "code", "").strip()
        if post.get(p + "delete") or not code:
            continue
        tiers.append(
            {"code": code, "label": post.get(p + "label", "").strip() or code, "benefits": _benefits(post, p)}
        )
    return {"tiers": tiers, "criteria": criteria, "levels": levels}


def blank_criterion(n: int) -> dict[str, Any]:
    return {
        "code": f"N{n}",
        "label": "",
        "combine": "all",
        "conditions": [{"metric": "spend", "op": ">=", "threshold": 0, "window": {"kind": "all"}}],
    }


def editor_rows(definition: dict[str, Any]) -> dict[str, Any]:
    """Template-ready rows of a definition, money shown in yuan."""
    criteria = []
    for crit in definition.get("criteria", []):
        conds = []
        for cond in crit.get("conditions", []):
            t = cond.get("threshold")
            shown = t / 100 if cond.get("metric") in MONEY_METRICS and isinstance(t, int) else t
            if isinstance(shown, float) and shown.is_integer():
                shown = int(shown)
            conds.append(
                {
                    **cond,
                    "shown": "" if shown is None else shown,
                    "window": cond.get("window") or {"kind": "all"},
                }
            )
        criteria.append({**crit, "conditions": conds})
    levels = [
        {**lv, "criteria_text": ",".join(lv.get("criteria") or [])} for lv in definition.get("levels", [])
    ]
    tiers = []
    for tier in definition.get("tiers", []):
        benefits = tier.get("benefits") or {}
        coupon = benefits.get("coupon_fen")
        tiers.append(
            {
                **tier,
                "benefits": benefits,
                "coupon_yuan": _yuan(coupon) if isinstance(coupon, int) else (coupon or ""),
                "birthday": set(benefits.get("birthday") or []),
            }
        )
    return {"criteria": criteria, "levels": levels, "tiers": tiers}


def _yuan(fen: int) -> str:
    return str(fen // 100) if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


EDITOR_CHOICES = {
    "metrics": Metric.choices,
    "ops": Op.choices,
    "windows": WindowKind.choices,
    "combines": Combine.choices,
    "matches": Match.choices,
    "categories": ItemCategory.choices,
    "outcomes": DisputeOutcome.choices,
    "birthday": [(k.value, k.label) for k in BIRTHDAY_KINDS],
}


class CareTaskCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("处理结果"), choices=[(CareTaskStatus.DONE, _("已完成")), (CareTaskStatus.SKIPPED, _("跳过"))]
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=300)


class DateInput(forms.DateInput):
    """<input type=date> wants its value as yyyy-mm-dd whatever the language's date format;
    rendered in the locale's format (2026/12/08) the browser shows the field empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DisputeOpenForm(forms.Form):
    opened_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    category = forms.ChoiceField(label=_("纠纷类别"), choices=DisputeCategory.choices)
    description = forms.CharField(label=_("纠纷描述"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()


class DisputeSettleForm(forms.Form):
    settled_on = forms.DateField(label=_("解决日期"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("处理结果"), choices=DisputeOutcome.choices)
    resolution = forms.CharField(
        label=_("处理说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settled_on"].initial = timezone.localdate()


def today() -> dt.date:
    return timezone.localdate()
