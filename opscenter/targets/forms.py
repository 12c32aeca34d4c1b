"""Forms of the target screens: they parse input (yuan → fen, percent → fraction); services judge it."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.org.choices import SiteKind
from opscenter.targets.choices import SplitMethod
from opscenter.targets.constants import MONEY_METRIC
from opscenter.targets.metrics import all_metrics
from opscenter.targets.solver import MIXES, RATE_KEYS, RATE_LABELS

METRIC_FIELD_PREFIX = "metric_"


def yuan_to_fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


class PlanCreateForm(forms.Form):
    site = forms.TypedChoiceField(label=_("院区"), coerce=int)
    year = forms.IntegerField(label=_("年度"))
    revenue = forms.DecimalField(
        label=_("年度营收目标（元）"), decimal_places=2, max_digits=14, required=False
    )
    month_split = forms.ChoiceField(
        label=_("按月分解"),
        choices=[(SplitMethod.SEASONAL, _("按去年走势（季节性）")), (SplitMethod.EVEN, _("平均分配"))],
        initial=SplitMethod.SEASONAL,
        widget=forms.RadioSelect,
    )
    solve_from_revenue = forms.BooleanField(
        label=_("根据漏斗转化率反推成交、上门和咨询目标"), required=False, initial=True
    )
    name = forms.CharField(label=_("名称"), max_length=100, required=False)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]
        # Every other registered metric may get a yearly target too (counts, not money); the
        # service refuses one the chosen site's kind is not offered (e.g. new residents at a clinic).
        for key, metric in all_metrics().items():
            if key == MONEY_METRIC or metric.money:
                continue
            only = gettext("、").join(str(SiteKind(kind).label) for kind in sorted(metric.site_kinds or ()))
            self.fields[METRIC_FIELD_PREFIX + key] = forms.IntegerField(
                label=metric.label,
                required=False,
                help_text=gettext("仅%(only)s") % {"only": only} if only else "",
            )

    def metric_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(METRIC_FIELD_PREFIX)]

    def targets(self) -> dict[str, int]:
        """metric key → yearly target (fen for revenue), only those filled in."""
        out: dict[str, int] = {}
        if self.cleaned_data.get("revenue") is not None:
            out[MONEY_METRIC] = yuan_to_fen(self.cleaned_data["revenue"])
        for name, value in self.cleaned_data.items():
            if name.startswith(METRIC_FIELD_PREFIX) and value is not None:
                out[name.removeprefix(METRIC_FIELD_PREFIX)] = value
        return out


class SplitForm(forms.Form):
    units = forms.MultipleChoiceField(label=_("分解到"), widget=forms.CheckboxSelectMultiple)
    method = forms.ChoiceField(
        label=_("分解方式"),
        choices=[(SplitMethod.SEASONAL, _("按去年各单位占比")), (SplitMethod.EVEN, _("平均分配"))],
        initial=SplitMethod.SEASONAL,
    )
    parent = forms.CharField(widget=forms.HiddenInput, initial="site")

    def __init__(self, *args, unit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = list(unit_choices)


class AllocationForm(forms.Form):
    target = forms.DecimalField(label=_("目标"), min_value=None, decimal_places=2, max_digits=16)


class RatesForm(forms.Form):
    """One optional field per rate: percent for proportions and mixes, yuan for 单笔贡献额."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in RATE_KEYS:
            self.fields[key] = forms.DecimalField(
                label=RATE_LABELS[key], required=False, decimal_places=4, max_digits=16
            )

    def values(self) -> dict[str, Decimal | None]:
        out: dict[str, Decimal | None] = {}
        for key in RATE_KEYS:
            raw = self.cleaned_data.get(key)
            if raw is None:
                out[key] = None
            elif key == "revenue_per_deal_fen":
                out[key] = Decimal(yuan_to_fen(raw))
            else:
                out[key] = (raw / 100).quantize(Decimal("0.0001"))
        return out


PERCENT_KEYS = tuple(k for k in RATE_KEYS if k != "revenue_per_deal_fen")
__all__ = ["MIXES", "PERCENT_KEYS"]
