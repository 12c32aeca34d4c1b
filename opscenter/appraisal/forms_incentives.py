"""Input forms of the incentive screens: stages, contests, allocations (parsing only; the rules
live in the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.appraisal import points
from opscenter.appraisal.forms import parse_pairs


def parse_month(value: str, *, end: bool = False) -> dt.date:
    """ "2026-10" → 2026-10-01 (or 2026-10-31 with `end`)."""
    try:
        year, month = (int(x) for x in value.strip().split("-")[:2])
        first = dt.date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise forms.ValidationError(_("“%(v)s”不是年月（如 2026-10）") % {"v": value}) from exc
    if not end:
        return first
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def yuan_to_fen(value: str, *, label: str) -> int:
    """ "1,234.56" → 123456; more than two decimals or not a number is refused, naming `label`."""
    try:
        amount = Decimal(str(value).replace(",", "").strip() or "0") * 100
    except InvalidOperation as exc:
        raise forms.ValidationError(_("%(l)s：“%(v)s”不是金额") % {"l": label, "v": value}) from exc
    if amount != amount.to_integral_value():
        raise forms.ValidationError(_("%(l)s：金额最多两位小数") % {"l": label})
    return int(amount)


def parse_stages(text: str) -> list[points.Stage]:
    """Lines "名称:开始年月:结束年月:单价(元)"; 结束年月 empty = still running."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace("：", ":")  # i18n: data (full-width colon typed by users)
        if not line:
            continue
        parts = [p.strip() for p in line.split(":")]
        if len(parts) != 4:
            raise forms.ValidationError(_("第 %(n)s 行应写成 名称:开始年月:结束年月:单价(元)") % {"n": n})
        label = _("第 %(n)s 行") % {"n": n}
        out.append(
            points.Stage(
                parts[0],
                parse_month(parts[1]),
                parse_month(parts[2], end=True) if parts[2] else None,
                yuan_to_fen(parts[3], label=label),
            )
        )
    return out


class StagesForm(forms.Form):
    stages = forms.CharField(
        label=gettext_lazy("积分单价阶段"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "每行 名称:开始年月:结束年月:单价(元)，如 四季度冲刺:2026-10:2026-12:6.00；最后一行结束年月可留空"
        ),
    )

    def clean_stages(self):
        return parse_stages(self.cleaned_data["stages"])


class ContestForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("竞赛名称"), max_length=100)
    plan = forms.TypedChoiceField(label=gettext_lazy("计入积分方案"), coerce=int, choices=())
    starts_on = forms.CharField(
        label=gettext_lazy("开始月份"), widget=forms.TextInput(attrs={"type": "month"})
    )
    ends_on = forms.CharField(label=gettext_lazy("结束月份"), widget=forms.TextInput(attrs={"type": "month"}))
    unit_price = forms.CharField(
        label=gettext_lazy("竞赛积分单价(元)"),
        required=False,
        help_text=gettext_lazy("留空则按结束当月的阶段积分单价"),
    )
    rules = forms.CharField(
        label=gettext_lazy("竞赛积分规则"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行 指标代码:每件积分，如 targets.deals:20"),
    )
    eligible = forms.TypedMultipleChoiceField(
        label=gettext_lazy("参赛员工"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, plans, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.pk, f"{p.name} v{p.version}") for p in plans]
        self.fields["eligible"].choices = [(s.pk, f"{s.employee_no} {s.name}") for s in staff]

    def clean_starts_on(self):
        return parse_month(self.cleaned_data["starts_on"])

    def clean_ends_on(self):
        return parse_month(self.cleaned_data["ends_on"], end=True)

    def clean_unit_price(self):
        value = self.cleaned_data["unit_price"]
        return None if not (value or "").strip() else yuan_to_fen(value, label=_("竞赛积分单价"))

    def clean_rules(self):
        return [{"metric": m, "points": p} for m, p in parse_pairs(self.cleaned_data["rules"], "rules")]

    def service_fields(self) -> dict:
        d = dict(self.cleaned_data)
        return {
            "name": d["name"],
            "plan_id": d["plan"],
            "starts_on": d["starts_on"],
            "ends_on": d["ends_on"],
            "unit_price_fen": d["unit_price"],
            "rules": d["rules"],
            "eligible_ids": d["eligible"],
            "notes": d["notes"],
        }


def parse_allocation(post, parts, eligible: dict[str, dict[int, str]]) -> dict[str, dict[int, int]]:
    """POSTed "<part>-<staff id>" amounts in yuan → {part: {staff: fen}} for the parts posted."""
    out: dict[str, dict[int, int]] = {}
    for part in parts:
        if f"{part}-submitted" not in post:
            continue
        amounts = {}
        for staff_id, name in eligible[part].items():
            raw = post.get(f"{part}-{staff_id}", "")
            amounts[staff_id] = yuan_to_fen(raw, label=name) if raw.strip() else 0
        out[part] = amounts
    return out
