"""Forms of the pipeline screens. They parse input only; the services judge it (domain errors are
put back on the form next to their field by `add_domain_error`).

Quick-entry forms are built for tablets: big radio "buttons" for modes, sensible defaults (now,
today, the current consultant), as few required fields as the services allow.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.bounds import MAX_AMOUNT_FEN
from opscenter.core.exceptions import DomainError
from opscenter.pipeline.choices import (
    AppointmentMode,
    AppointmentStatus,
    CareZone,
    ConsultationMode,
    CustomerStatus,
    DealStatus,
    FollowUpChannel,
    FollowUpOutcome,
    Gender,
    IntentLevel,
    ItemCategory,
    Satisfaction,
    StayType,
    VisitKind,
    VisitOutcome,
    VisitSource,
)
from opscenter.pipeline.constants import PROFESSION_SUGGESTIONS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class ButtonRadios(forms.RadioSelect):
    """Radio inputs drawn as a row of large touch buttons by `pipeline/partials/_field.html`."""

    is_button_group = True


def button_choices(label, choices, **kwargs) -> forms.ChoiceField:
    """A choice drawn as a row of touch buttons (modes, intent, outcome, care zone…)."""
    return forms.ChoiceField(label=label, choices=choices, widget=ButtonRadios, **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def now_local() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def staff_label(staff) -> str:
    return staff.name


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return staff_label(obj)


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error next to the field it names (`channel_id` → `channel`), else on top."""
    field = exc.field or ""
    for name in (field, field.removesuffix("_id"), FIELD_ALIASES.get(field, "")):
        if name and name in form.fields:
            form.add_error(name, exc.message)
            return
    form.add_error(None, exc.message)


# Service argument names that differ from the form field showing them.
FIELD_ALIASES = {
    "amount_fen": "amount",
    "monthly_fee_fen": "monthly_fee",
    "deposit_fen": "deposit",
    "lines": "amount",
    "onsite_consultant_id": "consultant",
    "consultant_id": "consultant",
    "to_owner_id": "owner",
}


def yuan_to_fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


class YuanField(forms.CharField):
    """An amount typed in yuan (“12,800.50”, “¥3000”) → Decimal. Sign and range are the service's call."""

    default_error_messages = {"invalid": _("请输入金额数字，例如 12800 或 12800.50")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        cleaned = (
            value.replace(",", "")
            .replace(gettext("，"), "")
            .replace("¥", "")
            .replace("￥", "")
            .replace(gettext("元"), "")
            .strip()
        )
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            raise forms.ValidationError(_("金额最多保留两位小数"), code="invalid")
        if abs(amount) * 100 > MAX_AMOUNT_FEN:
            raise forms.ValidationError(
                _("金额不能超过 ¥%(limit)s") % {"limit": f"{MAX_AMOUNT_FEN // 100:,}"}, code="max_value"
            )
        return amount


# --- customers --------------------------------------------------------------------------------


class CustomerFilterForm(forms.Form):
    """The list's search and filters (GET). Every field is optional."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("姓名或电话"), "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *CustomerStatus.choices]
    )
    channel = forms.ModelChoiceField(
        label=_("来源渠道"), required=False, queryset=None, empty_label=_("全部渠道")
    )
    owner = StaffChoiceField(
        label=_("归属咨询师"), required=False, queryset=None, empty_label=_("全部咨询师")
    )
    site = forms.ModelChoiceField(label=_("院区"), required=False, queryset=None, empty_label=_("全部院区"))
    date_from = forms.DateField(label=_("首次咨询自"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("至"), required=False, widget=DateInput())

    def __init__(self, *args, channels, staff, sites, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels
        self.fields["owner"].queryset = staff
        self.fields["site"].queryset = sites

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data


class CustomerBulkForm(forms.Form):
    """A bulk action on the customers ticked in the list (`customers` checkboxes, read by the view):
    reassign (managers) or schedule a follow-up for each. The other action's fields are ignored."""

    ACTIONS = (("reassign", _("改派归属咨询师")), ("followup", _("安排回访")))

    action = forms.ChoiceField(
        label=_("批量操作"), choices=ACTIONS, widget=forms.Select(attrs={"data-bulk-action": ""})
    )
    owner = StaffChoiceField(
        label=_("新归属咨询师"), required=False, queryset=None, empty_label=_("（请选择）")
    )
    reason = forms.CharField(label=_("改派原因"), required=False, max_length=300)
    scheduled_on = forms.DateField(label=_("回访日期"), required=False, widget=DateInput())
    channel = forms.ChoiceField(
        label=_("回访方式"), required=False, choices=FollowUpChannel.choices, initial=FollowUpChannel.PHONE
    )
    note = forms.CharField(label=_("回访要点"), required=False, max_length=300)

    def __init__(self, *args, staff, actions, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff
        self.fields["action"].choices = [c for c in self.ACTIONS if c[0] in actions]
        self.can_reassign = "reassign" in actions
        self.fields["scheduled_on"].initial = lambda: timezone.localdate() + dt.timedelta(days=1)

    def clean(self):
        data = super().clean()
        if data.get("action") == "reassign" and not data.get("owner"):
            self.add_error("owner", _("请选择新归属咨询师"))
        if data.get("action") == "followup" and not data.get("scheduled_on"):
            self.add_error("scheduled_on", _("请填写回访日期"))
        return data


class CustomerRegisterForm(forms.Form):
    """Register a prospect and, in the same step, the first consultation (mode buttons)."""

    name = forms.CharField(
        label=_("客户姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("电话"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text=_("11位手机号，或带区号的固定电话"),
    )
    mode = button_choices(_("咨询方式"), ConsultationMode.choices, initial=ConsultationMode.PHONE)
    channel = forms.ModelChoiceField(
        label=_("来源渠道"), required=False, queryset=None, empty_label=_("（请选择）")
    )
    intent = button_choices(_("意向程度"), IntentLevel.choices, initial=IntentLevel.MEDIUM)
    content = forms.CharField(
        label=_("咨询内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("客户关心的问题、需求")}),
    )
    gender = button_choices(_("性别"), Gender.choices, initial=Gender.UNKNOWN)
    age = forms.IntegerField(
        label=_("年龄"), required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    city = forms.CharField(
        label=_("所在城市"), required=False, max_length=50, help_text=_("非本市客户的网络上门率单独统计")
    )
    profession = forms.CharField(
        label=_("职业"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"list": "profession-options"}),
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    site = forms.ModelChoiceField(label=_("院区"), queryset=None, empty_label=None)
    owner = StaffChoiceField(
        label=_("归属咨询师"), required=False, queryset=None, empty_label=_("（暂不指定）")
    )

    profession_suggestions = PROFESSION_SUGGESTIONS

    def __init__(self, *args, channels, sites, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels
        self.fields["site"].queryset = sites
        self.only_site = None
        if len(sites) == 1:
            # One site to write: nothing to choose, and posting without it is fine.
            self.only_site = sites[0]
            self.fields["site"].widget = forms.HiddenInput()
            self.fields["site"].required = False
            self.fields["site"].initial = self.only_site.pk
        if staff is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = staff

    def clean_site(self):
        return self.cleaned_data.get("site") or self.only_site


class ConsultationQuickForm(forms.Form):
    mode = button_choices(_("咨询方式"), ConsultationMode.choices, initial=ConsultationMode.PHONE)
    intent = button_choices(_("意向程度"), IntentLevel.choices, initial=IntentLevel.MEDIUM)
    occurred_at = forms.DateTimeField(label=_("咨询时间"), widget=DateTimeLocalInput())
    content = forms.CharField(label=_("咨询内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("下一步"), required=False, max_length=200)
    next_step_on = forms.DateField(label=_("下一步日期"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = now_local


class VisitQuickForm(forms.Form):
    kind = button_choices(_("类型"), VisitKind.choices, initial=VisitKind.CONSULTATION)
    arrived_at = forms.DateTimeField(label=_("到院时间"), widget=DateTimeLocalInput())
    appointment = forms.ModelChoiceField(
        label=_("对应预约"), required=False, queryset=None, empty_label=_("无预约")
    )
    consultant = StaffChoiceField(
        label=_("现场咨询师（分诊）"), required=False, queryset=None, empty_label=_("暂不分诊")
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=300)

    def __init__(self, *args, appointments, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrived_at"].initial = now_local
        self.fields["appointment"].queryset = appointments
        self.fields["appointment"].label_from_instance = lambda a: (
            f"{timezone.localtime(a.scheduled_for):%m-%d %H:%M} {a.get_mode_display()}"
        )
        self.fields["consultant"].queryset = staff


class AppointmentBookForm(forms.Form):
    mode = button_choices(_("预约方式"), AppointmentMode.choices, initial=AppointmentMode.PHONE)
    scheduled_for = forms.DateTimeField(label=_("预约到院时间"), widget=DateTimeLocalInput())
    note = forms.CharField(label=_("备注"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        self.fields["scheduled_for"].initial = dt.datetime.combine(tomorrow, dt.time(10, 0))


class VisitTriageForm(forms.Form):
    consultant = StaffChoiceField(
        label=_("现场咨询师"), required=False, queryset=None, empty_label=_("归属咨询师")
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = staff


class DealRecordForm(forms.Form):
    """Record a deal in the words of the site's kind: an elder-care admission contract (stay type,
    care zone, term, monthly fee, deposit) or a clinic order (item and category, chosen — never
    defaulted). The fields of the other kind are not on the form at all."""

    signed_on = forms.DateField(label=_("签约日期"), widget=DateInput())
    amount = YuanField(
        label=_("成交金额（元）"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    # elder care
    stay_type = button_choices(_("入住类型"), StayType.choices)
    care_zone = forms.ChoiceField(
        label=_("入住区域"), required=False, choices=[("", _("（请选择）")), *CareZone.choices]
    )
    contract_months = forms.IntegerField(
        label=_("合同期限（月）"),
        required=False,
        min_value=1,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    monthly_fee = YuanField(
        label=_("月费（元）"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    deposit = YuanField(
        label=_("押金（元）"),
        required=False,
        help_text=_("押金单独记录，不计入成交金额"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    # clinics
    item = forms.CharField(
        label=_("项目"), required=False, max_length=100, help_text=_("填写项目即同时登记消费记录")
    )
    category = forms.ChoiceField(
        label=_("项目类别"), required=False, choices=[("", _("（请选择）")), *ItemCategory.choices]
    )
    visit = forms.ModelChoiceField(
        label=_("对应上门"), required=False, queryset=None, empty_label=_("（不关联）")
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=300)

    ELDER_CARE_ONLY = ("stay_type", "care_zone", "contract_months", "monthly_fee", "deposit")
    CLINIC_ONLY = ("item", "category")

    def __init__(self, *args, visits, elder_care: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.elder_care = elder_care
        self.fields["signed_on"].initial = timezone.localdate
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda v: (
            f"{timezone.localtime(v.arrived_at):%Y-%m-%d %H:%M} {v.get_source_display()}"
        )
        for name in self.CLINIC_ONLY if elder_care else self.ELDER_CARE_ONLY:
            del self.fields[name]
        if elder_care:
            self.fields["amount"].label = _("合同金额（元）")
            self.fields["amount"].required = False
            self.fields["amount"].help_text = _("不填则按月费 × 合同期限计算")
        # Clinic categories exclude the elder-care ones (入住/床位, 护理服务) and vice versa.
        elif "category" in self.fields:
            self.fields["category"].choices = [
                c for c in self.fields["category"].choices if c[0] not in ("accommodation", "care")
            ]

    def clean(self):
        data = super().clean()
        if self.elder_care:
            if data.get("amount") is None and not (
                data.get("monthly_fee") is not None and data.get("contract_months")
            ):
                self.add_error("amount", _("请填写合同金额，或填写月费和合同期限"))
        elif (data.get("item") or "").strip() and not data.get("category"):
            self.add_error("category", _("请选择项目类别"))
        return data


class FollowUpScheduleForm(forms.Form):
    channel = button_choices(_("回访方式"), FollowUpChannel.choices, initial=FollowUpChannel.PHONE)
    scheduled_on = forms.DateField(label=_("计划日期"), widget=DateInput())
    note = forms.CharField(label=_("回访要点"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheduled_on"].initial = lambda: timezone.localdate() + dt.timedelta(days=7)


class FollowUpCompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("回访结果"),
        choices=[c for c in FollowUpOutcome.choices if c[0] != FollowUpOutcome.PENDING],
        initial=FollowUpOutcome.REACHED,
        widget=ButtonRadios,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=Satisfaction.choices,
        widget=ButtonRadios,
    )
    done_on = forms.DateField(label=_("完成日期"), widget=DateInput())
    note = forms.CharField(label=_("回访记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate


class ExitRecordForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("退出原因"), required=False, queryset=None, empty_label=_("（请选择）")
    )
    exited_on = forms.DateField(label=_("退出日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons
        self.fields["exited_on"].initial = timezone.localdate


class CustomerReassignForm(forms.Form):
    """A manager's reassignment: the new owner and the reason (the service requires one)."""

    owner = StaffChoiceField(label=_("新归属咨询师"), queryset=None, empty_label=_("（请选择）"))
    reason = forms.CharField(
        label=_("改派原因"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：客户要求更换咨询师")}),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class CustomerEditForm(forms.Form):
    """Edit a customer's details. `expected_version` is the optimistic-lock token the form was
    drawn with; `reason` is required when the source channel (the channel attribution) changes."""

    name = forms.CharField(label=_("客户姓名"), max_length=50)
    phone = forms.CharField(
        label=_("电话"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    gender = button_choices(_("性别"), Gender.choices)
    birthday = forms.DateField(label=_("出生日期"), required=False, widget=DateInput())
    age = forms.IntegerField(
        label=_("年龄"), required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    city = forms.CharField(label=_("所在城市"), required=False, max_length=50)
    profession = forms.CharField(label=_("职业"), required=False, max_length=50)
    channel = forms.ModelChoiceField(
        label=_("来源渠道"), required=False, queryset=None, empty_label=_("（未指定）")
    )
    tags = forms.CharField(label=_("标签"), required=False, help_text=_("多个标签用逗号分隔"))
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label=_("修改原因"),
        required=False,
        max_length=300,
        help_text=_("修改来源渠道时必填（影响渠道归属与漏斗统计），记入变更历史"),
    )
    expected_version = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels

    @staticmethod
    def initial_for(customer, version: str) -> dict:
        return {
            "name": customer.name,
            "phone": customer.phone,
            "gender": customer.gender,
            "birthday": customer.birthday,
            "age": customer.age,
            "city": customer.city,
            "profession": customer.profession,
            "channel": customer.channel_id,
            "tags": ", ".join(customer.tags or []),
            "note": customer.note,
            "expected_version": version,
        }


class DealCancelForm(forms.Form):
    """Cancel (作废) a signed deal: the reason is required and kept with the deal."""

    reason = forms.CharField(
        label=_("作废原因"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：客户退订，已全额退款")}),
    )


# --- elder-care admission assessment -----------------------------------------------------------


class AssessmentRecordForm(forms.Form):
    """An admission assessment by the signed-in staff member: the care zone the applicant needs."""

    zone = button_choices(_("评估结果（入住区域）"), CareZone.choices)
    assessed_at = forms.DateTimeField(label=_("评估时间"), widget=DateTimeLocalInput())
    notes = forms.CharField(label=_("评估说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_at"].initial = now_local


class AssessmentSecondOpinionForm(forms.Form):
    """Disagree with an assessment: another zone and why (the original stays as it was given)."""

    zone = button_choices(_("异议意见（入住区域）"), CareZone.choices)
    notes = forms.CharField(
        label=_("异议理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("例如：认知评估异常，建议入住失智区")}),
    )


class AssessmentResolveForm(forms.Form):
    """A manager settles a disagreement: the zone decided and the reasoning."""

    zone = button_choices(_("裁定结果（入住区域）"), CareZone.choices)
    resolution = forms.CharField(
        label=_("裁定说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- work queues: appointments, visits, deals ---------------------------------------------------


class QueueFilterForm(forms.Form):
    """The filters every work-queue list shares (GET, all optional): a date range, the site and
    the consultant. Subclasses add their own; the site field is dropped for single-site users."""

    date_from = forms.DateField(label=_("日期自"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("至"), required=False, widget=DateInput())
    site = forms.ModelChoiceField(label=_("院区"), required=False, queryset=None, empty_label=_("全部院区"))
    consultant = StaffChoiceField(
        label=_("咨询师"), required=False, queryset=None, empty_label=_("全部咨询师")
    )

    def __init__(self, *args, sites, staff, show_site: bool, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["consultant"].queryset = staff
        if not show_site:
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data

    def value(self, name: str):
        """A cleaned filter value (None when the form is unbound, invalid or the field is absent)."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data.get(name) or None

    def pk(self, name: str) -> int | None:
        obj = self.value(name)
        return obj.pk if obj is not None else None


class AppointmentCalendarForm(QueueFilterForm):
    VIEWS = (("day", _("日")), ("week", _("周")), ("list", _("列表")))

    view = forms.ChoiceField(label=_("视图"), required=False, choices=VIEWS)
    date = forms.DateField(label=_("日期"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *[c for c in AppointmentStatus.choices if c[0] != "rescheduled"]],
    )


class VisitFilterForm(QueueFilterForm):
    source = forms.ChoiceField(
        label=_("上门来源"), required=False, choices=[("", _("全部来源")), *VisitSource.choices]
    )
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部结果")), *VisitOutcome.choices]
    )
    untriaged = forms.BooleanField(label=_("只看待分诊"), required=False)


class DealFilterForm(QueueFilterForm):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *DealStatus.choices]
    )
    stay_type = forms.ChoiceField(
        label=_("入住类型"), required=False, choices=[("", _("全部入住类型")), *StayType.choices]
    )
    new_only = forms.BooleanField(label=_("只看新顾客成交"), required=False)

    def __init__(self, *args, elder_care: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not elder_care:
            del self.fields["stay_type"]
