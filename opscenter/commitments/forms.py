"""Forms of the commitments screens: they parse input; services judge it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import (
    AllowanceKind,
    Channel,
    Comparison,
    Event,
    Priority,
    Severity,
    ValueComparison,
)


class ComplaintForm(forms.Form):
    department = forms.TypedChoiceField(label=_("被投诉部门"), coerce=int)
    customer_name = forms.CharField(label=_("投诉人"), max_length=50)
    customer_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    category = forms.CharField(label=_("类别"), max_length=50)
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}))
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    escalated = forms.BooleanField(label=_("投诉升级"), required=False)
    escalated_to = forms.CharField(label=_("升级至"), max_length=100, required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, str(d)) for d in departments]


class WorkOrderForm(forms.Form):
    department = forms.TypedChoiceField(label=_("责任部门"), coerce=int)
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("描述"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.NORMAL)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, str(d)) for d in departments]


class TransitionForm(forms.Form):
    to_status = forms.CharField()
    version = forms.IntegerField()
    note = forms.CharField(required=False)
    resolution = forms.CharField(required=False)
    feedback = forms.CharField(required=False)
    satisfaction = forms.IntegerField(required=False, min_value=1, max_value=5)


class DueChangeForm(forms.Form):
    version = forms.IntegerField()
    due_at = forms.DateTimeField(
        label=_("新的协商时限"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("协商说明"), max_length=300)


class AnomalyRuleForm(forms.Form):
    site = forms.TypedChoiceField(label=_("院区"), coerce=int)
    name = forms.CharField(label=_("名称"), max_length=100)
    metric = forms.CharField(label=_("指标"), max_length=80)
    grain = forms.ChoiceField(
        label=_("统计单位"),
        choices=[
            ("site", _("院区")),
            ("department", _("部门")),
            ("team", _("小组")),
            ("staff", _("员工")),
            ("channel", _("渠道")),
        ],
    )
    period = forms.ChoiceField(
        label=_("统计周期"),
        choices=[("day", _("日")), ("week", _("周")), ("month", _("月")), ("interval", _("半小时"))],
    )
    comparison = forms.ChoiceField(label=_("比较"), choices=Comparison.choices)
    bound = forms.DecimalField(label=_("界限（比率填小数，如 0.2 = 20%）"), max_digits=14, decimal_places=4)
    consecutive = forms.IntegerField(label=_("连续周期数"), min_value=1, max_value=12, initial=2)
    department = forms.TypedChoiceField(label=_("工单派往部门"), coerce=int)

    def __init__(self, *args, sites=(), departments=(), metrics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]
        self.fields["department"].choices = [(d.pk, str(d)) for d in departments]
        self.fields["metric"].widget = forms.Select(
            choices=[
                (m.code, gettext("%(label)s（%(code)s）") % {"label": m.label, "code": m.code})
                for m in metrics
            ]
        )


class MeetingForm(forms.Form):
    site = forms.TypedChoiceField(label=_("院区"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=[("weekly", _("周会商")), ("adhoc", _("不定期会商"))])
    held_on = forms.DateField(label=_("会商日期"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("主题"), max_length=200, required=False)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, s.name) for s in sites]


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("决定事项"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.TypedChoiceField(label=_("负责人"), coerce=int)
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    open_work_order = forms.BooleanField(label=_("同时开工单派给负责人所在部门"), required=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (s.pk, gettext("%(name)s（%(department)s）") % {"name": s.name, "department": s.department.name})
            for s in staff
        ]


class CommitmentNodeForm(forms.Form):
    """A promise added under another one (tree screen)."""

    parent = forms.TypedChoiceField(label=_("上级承诺"), coerce=int)
    name = forms.CharField(label=_("名称"), max_length=100)
    wording = forms.CharField(label=_("对客户的承诺用语"), max_length=200, required=False)
    start_event = forms.ChoiceField(label=_("起始事件"), choices=Event.choices)
    end_event = forms.ChoiceField(label=_("结束事件"), choices=Event.choices)
    allowance_kind = forms.ChoiceField(label=_("时限口径"), choices=AllowanceKind.choices)
    allowance_hours = forms.DecimalField(
        label=_("时限(小时)"), min_value=0, max_digits=8, decimal_places=2, required=False
    )
    warning_pct = forms.IntegerField(label=_("预警点(%)"), initial=80, min_value=1, max_value=99)
    department = forms.TypedChoiceField(label=_("责任部门"), coerce=int, required=False, empty_value=None)
    position = forms.TypedChoiceField(label=_("责任岗位"), coerce=int, required=False, empty_value=None)
    opens_work_order = forms.BooleanField(label=_("超时自动开工单"), required=False)
    value_key = forms.CharField(label=_("测量项（数值界限）"), max_length=40, required=False)
    value_comparison = forms.ChoiceField(
        label=_("界限方向"), choices=[("", "—"), *ValueComparison.choices], required=False
    )
    value_bound = forms.DecimalField(label=_("数值界限"), max_digits=14, decimal_places=4, required=False)
    value_unit = forms.CharField(label=_("数值单位"), max_length=20, required=False)

    def __init__(self, *args, parents=(), departments=(), positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [
            (c.pk, gettext("%(name)s（%(level)s级）") % {"name": c.name, "level": c.level}) for c in parents
        ]
        self.fields["department"].choices = [("", "—")] + [(d.pk, str(d)) for d in departments]
        self.fields["position"].choices = [("", "—")] + [(p.pk, str(p)) for p in positions]


class PerceptionPointForm(forms.Form):
    site = forms.TypedChoiceField(label=_("院区"), coerce=int)
    touchpoint = forms.CharField(label=_("接触点"), max_length=100)
    perception = forms.CharField(label=_("客户感知"), max_length=200)
    importance = forms.IntegerField(label=_("重要度(1-5)"), min_value=1, max_value=5, initial=3)
    satisfaction_pct = forms.DecimalField(
        label=_("当前满意度(%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, str(s)) for s in sites]
