"""Input forms of the appraisal screens (parsing only; rules live in the services)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.appraisal.choices import (
    CurveKind,
    ItemKind,
    ItemMethod,
    PartnerGrade,
    PartnerKind,
    PlanKind,
    RuleKind,
    SubjectKind,
)


def parse_pairs(text: str, field: str) -> list[tuple[str, str]]:
    """Lines "a:b" (full-width colon accepted) → [(a, b)]."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace("：", ":")  # i18n: data (full-width colon typed by users)
        if not line:
            continue
        left, sep, right = line.rpartition(":")
        if not sep or not left.strip() or not right.strip():
            raise forms.ValidationError(_("第 %(n)s 行应写成 左:右") % {"n": n})
        out.append((left.strip(), right.strip()))
    return out


class ScorecardForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("方案名称"), max_length=100)
    subject_kind = forms.ChoiceField(label=gettext_lazy("考核对象"), choices=SubjectKind.choices)
    site = forms.TypedChoiceField(label=gettext_lazy("院区"), coerce=int, choices=())
    department = forms.TypedChoiceField(
        label=gettext_lazy("适用部门"), coerce=int, required=False, empty_value=None, choices=()
    )
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, sites, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]
        self.fields["department"].choices = [("", "—")] + [(d.pk, str(d)) for d in departments]


class ItemForm(forms.Form):
    order = forms.IntegerField(label=gettext_lazy("顺序"), min_value=0, initial=0)
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=ItemKind.choices)
    weight = forms.DecimalField(label=gettext_lazy("权重(%)"), required=False, min_value=0, max_value=100)
    method = forms.ChoiceField(label=gettext_lazy("计分方式"), choices=ItemMethod.choices)
    metric_code = forms.ChoiceField(label=gettext_lazy("指标"), required=False, choices=())
    denominator_code = forms.ChoiceField(label=gettext_lazy("分母指标"), required=False, choices=())
    curve = forms.ChoiceField(
        label=gettext_lazy("计分曲线"), required=False, choices=[("", "—"), *CurveKind.choices]
    )
    zero_at = forms.DecimalField(label=gettext_lazy("零分值"), required=False)
    full_at = forms.DecimalField(label=gettext_lazy("满分值"), required=False)
    target = forms.DecimalField(label=gettext_lazy("目标值"), required=False)
    steps = forms.CharField(
        label=gettext_lazy("阶梯表"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行 门槛:得分，如 90:100"),
    )
    higher_is_better = forms.BooleanField(label=gettext_lazy("越高越好"), required=False, initial=True)
    appraiser = forms.TypedChoiceField(
        label=gettext_lazy("考核人"), coerce=int, required=False, empty_value=None, choices=()
    )
    checklist = forms.CharField(
        label=gettext_lazy("检查项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行 检查内容:分值，合计 100"),
    )
    description = forms.CharField(
        label=gettext_lazy("考核标准"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, metrics, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric_code"].choices = [("", "—"), *metrics]
        self.fields["denominator_code"].choices = [("", "—"), *metrics]
        self.fields["appraiser"].choices = [("", "—")] + [(s.pk, s.name) for s in staff]

    def clean_steps(self):
        return [list(p) for p in parse_pairs(self.cleaned_data["steps"], "steps")]

    def clean_checklist(self):
        out = []
        for label, points in parse_pairs(self.cleaned_data["checklist"], "checklist"):
            try:
                out.append({"label": label, "points": str(Decimal(points))})
            except InvalidOperation as exc:
                raise forms.ValidationError(_("“%(v)s”不是数字") % {"v": points}) from exc
        return out

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["appraiser_id"] = data.pop("appraiser")
        return data


class RuleForm(forms.Form):
    order = forms.IntegerField(label=gettext_lazy("顺序"), min_value=0, initial=0)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=RuleKind.choices)
    name = forms.CharField(label=gettext_lazy("规则"), max_length=200)
    points_min = forms.DecimalField(label=gettext_lazy("每次最少扣分"), required=False, min_value=0)
    points_max = forms.DecimalField(label=gettext_lazy("每次最多扣分"), required=False, min_value=0)
    grades = forms.IntegerField(label=gettext_lazy("降级数"), required=False, min_value=0, max_value=4)
    links_complaint = forms.BooleanField(label=gettext_lazy("须关联投诉"), required=False)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["grades"] = data["grades"] or 0
        return data


class PlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("方案名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=PlanKind.choices)
    site = forms.TypedChoiceField(label=gettext_lazy("院区"), coerce=int, choices=())
    scorecard_name = forms.CharField(label=gettext_lazy("关联考核方案"), required=False, max_length=100)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]


class PartnerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("机构名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("机构类型"), choices=PartnerKind.choices)
    grade = forms.ChoiceField(
        label=gettext_lazy("当前等级"), required=False, choices=[("", "—"), *PartnerGrade.choices]
    )
    site = forms.TypedChoiceField(label=gettext_lazy("院区"), coerce=int, choices=())
    address = forms.CharField(label=gettext_lazy("地址"), required=False, max_length=200)
    notes = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]


class ContractForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("合同编号"), required=False, max_length=50)
    signed_on = forms.DateField(
        label=gettext_lazy("签约日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_on = forms.DateField(
        label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    grade_at_signing = forms.ChoiceField(label=gettext_lazy("签约时等级"), choices=PartnerGrade.choices)
