"""Forms of the care screens; choices of staff, beds and deals are scoped by the view."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from opscenter.care import scales
from opscenter.care.choices import IncidentKind, RiskKind, Severity, Shift
from opscenter.care.models import CareSettings
from opscenter.core.exceptions import ValidationError as DomainValidationError
from opscenter.pipeline.choices import CareZone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def add_domain_error(form: forms.Form, exc: DomainValidationError) -> None:
    """Show a service's error on its field when the form has it, else on the form."""
    field = (exc.field or "").split(".")[0]
    field = field.removesuffix("_id") if field.removesuffix("_id") in form.fields else field
    if field in form.fields:
        form.add_error(field, exc.message)
    elif exc.field and exc.field.replace(".", "__") in form.fields:
        form.add_error(exc.field.replace(".", "__"), exc.message)
    else:
        form.add_error(None, exc.message)


def scale_fields(scale: scales.Scale, prefix: str) -> dict[str, forms.Field]:
    """One integer choice per item, named `<prefix>__<item>`. Choices are offered, but the value is
    checked by the scorer (so a tampered answer gets the scorer's message)."""
    return {
        f"{prefix}__{item.code}": forms.CharField(
            label=item.label,
            widget=forms.Select(
                choices=[("", "—")] + [(str(v), f"{v} · {label}") for v, label in item.options]
            ),
        )
        for item in scale.items
    }


def scale_answers(data: dict, prefix: str) -> dict[str, str]:
    start = f"{prefix}__"
    return {k.removeprefix(start): v for k, v in data.items() if k.startswith(start)}


class AdmissionRequestForm(forms.Form):
    customer = forms.ChoiceField(label=_("客户"))
    deal = forms.ChoiceField(label=_("签约"), required=False)
    panel = forms.MultipleChoiceField(label=_("评估小组"), widget=forms.CheckboxSelectMultiple)
    arbiter = forms.ChoiceField(label=_("裁定人"))
    materials = forms.MultipleChoiceField(
        label=_("已收材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=300)


class AdmissionViewForm(forms.Form):
    """Barthel + the site's cognitive screen + Morse, then the zone (blank: the suggested one)."""

    zone = forms.ChoiceField(
        label=_("评估意见分区"), required=False, choices=[("", _("按量表建议")), *list(CareZone.choices)]
    )
    notes = forms.CharField(
        label=_("说明(与对方意见不同时必填)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, cognitive_screen: str = "minicog", **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for prefix, scale in (
            ("barthel", scales.BARTHEL),
            ("cognitive", scales.SCALES[cognitive_screen]),
            ("morse", scales.MORSE),
        ):
            fields = scale_fields(scale, prefix)
            self.fields.update(fields)
            self.groups.append((scale.label, list(fields)))

    def answers(self) -> dict:
        data = self.cleaned_data
        return {p: scale_answers(data, p) for p in ("barthel", "cognitive", "morse")}

    def grouped(self):
        return [(label, [self[name] for name in names]) for label, names in self.groups]


class ResolveForm(forms.Form):
    zone = forms.ChoiceField(label=_("裁定分区"), choices=CareZone.choices)
    reason = forms.CharField(label=_("裁定理由"), widget=forms.Textarea(attrs={"rows": 2}))


class LostForm(forms.Form):
    reason = forms.CharField(label=_("流失原因"), max_length=300)


class AdmitForm(forms.Form):
    deal = forms.ChoiceField(label=_("签约"))
    bed = forms.ChoiceField(label=_("床位"))
    started_on = forms.DateField(label=_("入住日期"), widget=DATE)
    nurse = forms.ChoiceField(label=_("责任护理员"), required=False)


class TransferForm(forms.Form):
    bed = forms.ChoiceField(label=_("新床位"))
    moved_on = forms.DateField(label=_("转移日期"), widget=DATE)
    reason = forms.CharField(label=_("转移原因"), max_length=300)
    decided_by = forms.ChoiceField(label=_("决定人"))


class DischargeForm(forms.Form):
    ended_on = forms.DateField(label=_("离院日期"), widget=DATE)
    exit_reason = forms.ChoiceField(label=_("退出原因(客户退出时选择)"), required=False)
    note = forms.CharField(label=_("离院说明"), required=False, max_length=300)


class RiskForm(forms.Form):
    assessed_on = forms.DateField(label=_("评估日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields.update(scale_fields(scales.RISK_SCALE[kind], "risk"))

    def answers(self) -> dict:
        return scale_answers(self.cleaned_data, "risk")


class MeasureForm(forms.Form):
    description = forms.CharField(label=_("措施"), max_length=300)
    owner = forms.ChoiceField(label=_("负责人"))
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)


class IncidentForm(forms.Form):
    residency = forms.ChoiceField(label=_("长者"))
    kind = forms.ChoiceField(label=_("事件类型"), choices=IncidentKind.choices)
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=100)
    people = forms.CharField(label=_("相关人员"), required=False, max_length=200)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    immediate_action = forms.CharField(label=_("现场处置"), widget=forms.Textarea(attrs={"rows": 2}))
    family_informed_at = forms.DateTimeField(label=_("通知家属时间"), required=False, widget=DATETIME)
    family_informed_by = forms.ChoiceField(label=_("通知人"), required=False)
    follow_up = forms.CharField(label=_("后续跟进"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    after_return_care = forms.CharField(
        label=_("返院后照护(送医时)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ChoiceField(label=_("责任部门"), required=False)


class RoomForm(forms.Form):
    zone = forms.ChoiceField(label=_("分区"))
    number = forms.CharField(label=_("房号"), max_length=20)
    floor = forms.CharField(label=_("楼层"), required=False, max_length=20)
    beds = forms.IntegerField(label=_("床位数"), min_value=1, max_value=20, initial=2)


class ZoneForm(forms.Form):
    zone = forms.ChoiceField(label=_("分区"))
    name = forms.CharField(label=_("名称"), max_length=50)
    max_day = forms.DecimalField(
        label=_("白班配比上限"), max_digits=5, decimal_places=1, min_value=Decimal("0.1")
    )
    max_night = forms.DecimalField(
        label=_("夜班配比上限"), max_digits=5, decimal_places=1, min_value=Decimal("0.1")
    )


class MaterialForm(forms.Form):
    name = forms.CharField(label=_("材料名称"), max_length=100)
    is_required = forms.BooleanField(label=_("必需"), required=False, initial=True)


class NurseForm(forms.Form):
    zone = forms.ChoiceField(label=_("分区"))
    staff = forms.ChoiceField(label=_("护理员"))
    shift = forms.ChoiceField(label=_("班次"), choices=Shift.choices)


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = CareSettings
        fields = [
            "cognitive_screen",
            "minicog_cutoff",
            "mmse_cutoff",
            "barthel_rehab_max",
            "review_days_high",
            "review_days_medium",
            "review_days_low",
        ]


RISK_KIND_CHOICES = RiskKind.choices
