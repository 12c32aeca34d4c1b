"""Forms of the workday app (input shape only; rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.workday.choices import (
    AnnouncementAudience,
    HolidayShift,
    ScheduleKind,
    VisitTargetKind,
)
from opscenter.workday.versions import WEEKDAY_NAMES

WEEKDAYS = list(WEEKDAY_NAMES.items())
DATE = forms.DateInput(attrs={"type": "date"})


class TemplateSettingsForm(forms.Form):
    """Who submits and who approves: changed in place (audited), effective at once."""

    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    departments = forms.ModelMultipleChoiceField(label=_("提交部门"), queryset=None, required=False)
    positions = forms.ModelMultipleChoiceField(label=_("提交岗位"), queryset=None, required=False)
    staff = forms.ModelMultipleChoiceField(label=_("指定员工"), queryset=None, required=False)
    approver = forms.ModelChoiceField(label=_("审批人"), queryset=None, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, departments, positions, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
        self.fields["positions"].queryset = positions
        self.fields["staff"].queryset = staff
        self.fields["approver"].queryset = staff


class VersionForm(forms.Form):
    """A version of the rule: from when, the schedule and the fields asked for."""

    # ISO format: a type=date input shows nothing for the locale's 2026/12/09.
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    schedule_kind = forms.ChoiceField(label=_("周期"), choices=ScheduleKind.choices)
    due_time = forms.TimeField(label=_("截止时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    weekday = forms.TypedChoiceField(
        label=_("星期几（每周）"),
        choices=[("", "—"), *WEEKDAYS],
        coerce=int,
        required=False,
        empty_value=None,
    )
    business_day = forms.IntegerField(
        label=_("第几个工作日（每月）"), required=False, min_value=1, max_value=31
    )
    holiday_shift = forms.ChoiceField(label=_("遇节假日"), choices=HolidayShift.choices)
    fields_text = forms.CharField(
        label=_("填报项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：编码,名称,类型(number/text),是否必填(1/0)，例如 visits,拜访数,number,1"),
    )
    text_required = forms.BooleanField(label=_("须填写文字说明"), required=False, initial=True)
    prefill_pipeline = forms.BooleanField(label=_("从客户管理预填当日工作量"), required=False)
    note = forms.CharField(
        label=_("变更说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("为什么改：写给提交人和审批人看"),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].help_text = _(
            "新版本从这一天起生效（须晚于今天）：周期的第一天（当天 / 该周周一 / 该月 1 日）在此之后的事项按新版本，之前的仍按原版本。"
        )

    @staticmethod
    def fields_as_text(fields: list[dict]) -> str:
        return "\n".join(
            f"{f['key']},{f['label']},{f['kind']},{1 if f.get('required') else 0}" for f in fields
        )

    def clean_fields_text(self) -> list[dict]:
        out = []
        for n, line in enumerate((self.cleaned_data.get("fields_text") or "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace(chr(0xFF0C), ",").split(",")]
            if len(parts) < 2:
                raise forms.ValidationError(_("第 %(n)s 行格式不正确") % {"n": n})
            kind = parts[2] if len(parts) > 2 and parts[2] else "number"
            out.append(
                {
                    "key": parts[0],
                    "label": parts[1],
                    "kind": kind,
                    "required": len(parts) > 3 and parts[3] == "1",
                }
            )
        return out


class TemplateForm(TemplateSettingsForm, VersionForm):
    """A new template: its settings and its first version."""

    field_order = ["name", "description", "effective_from"]

    def __init__(self, *args, departments, positions, staff, **kwargs):
        super().__init__(*args, departments=departments, positions=positions, staff=staff, **kwargs)
        del self.fields["note"], self.fields["revision"], self.fields["is_active"]
        self.fields["effective_from"].help_text = _("从这一天起按此模板生成待提交事项（不早于今天）")
        self.fields["effective_from"].initial = timezone.localdate


class WorkLogForm(forms.Form):
    day = forms.DateField(label=_("日期"), initial=timezone.localdate, widget=DATE)
    activity = forms.CharField(label=_("工作内容"), max_length=200)
    result = forms.CharField(label=_("结果"), max_length=200, required=False)


class OutboundVisitForm(forms.Form):
    day = forms.DateField(label=_("拜访日期"), initial=timezone.localdate, widget=DATE)
    target_kind = forms.ChoiceField(label=_("对象类型"), choices=VisitTargetKind.choices)
    target_name = forms.CharField(label=_("拜访对象"), max_length=100)
    contact = forms.CharField(label=_("联系人"), max_length=50, required=False)
    purpose = forms.CharField(label=_("拜访目的"), max_length=200)
    outcome = forms.CharField(label=_("拜访结果"), max_length=200, required=False)


class CardIssueForm(forms.Form):
    card_no = forms.CharField(label=_("卡号"), max_length=40)
    issued_on = forms.DateField(label=_("发放日期"), initial=timezone.localdate, widget=DATE)
    recipient_name = forms.CharField(label=_("领卡人"), max_length=50)
    recipient_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    place = forms.CharField(label=_("发放地点/活动"), max_length=100, required=False)


class CardUseForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("使用客户"), queryset=None)
    used_on = forms.DateField(label=_("使用日期"), initial=timezone.localdate, widget=DATE)

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    audience = forms.ChoiceField(label=_("发布范围"), choices=AnnouncementAudience.choices)
    site = forms.ModelChoiceField(label=_("院区"), queryset=None, required=False)
    department = forms.ModelChoiceField(label=_("部门"), queryset=None, required=False)
    pinned = forms.BooleanField(label=_("置顶"), required=False)

    def __init__(self, *args, sites, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["department"].queryset = departments
