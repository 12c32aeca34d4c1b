"""Forms of the commitments screens: they parse input; services judge it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import Channel, Comparison, Priority, Severity


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
        choices=[("site", _("院区")), ("department", _("部门")), ("team", _("小组")), ("staff", _("员工"))],
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
