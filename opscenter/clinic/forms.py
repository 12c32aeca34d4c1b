"""Forms of the clinic screens: they parse input; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.pipeline.choices import ItemCategory
from opscenter.pipeline.forms import DateInput, StaffChoiceField, YuanField, yuan_to_fen

CLINIC_CATEGORIES = [
    (v, label)
    for v, label in ItemCategory.choices
    if v in ("skin", "skin_package", "non_invasive", "plastic", "dental", "other")
]


class CenterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class QuoteHeaderForm(forms.Form):
    quoted_on = forms.DateField(label=_("报价日期"), widget=DateInput())
    valid_until = forms.DateField(label=_("有效期至"), widget=DateInput())
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class QuoteLineForm(forms.Form):
    item = forms.CharField(label=_("项目"), max_length=100)
    # A blank first choice: an untouched extra row posts nothing new and is skipped.
    category = forms.ChoiceField(label=_("类别"), choices=[("", "---------"), *CLINIC_CATEGORIES])
    center = CenterChoiceField(label=_("科室/中心"), queryset=None)
    doctor = StaffChoiceField(label=_("医生"), queryset=None, required=False)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=999, initial=1)
    sessions = forms.IntegerField(label=_("疗程次数"), min_value=1, max_value=999, initial=1)
    valid_days = forms.IntegerField(label=_("疗程有效天数"), min_value=1, max_value=3660, required=False)
    list_price = YuanField(label=_("单价（元）"))
    campaign_price = YuanField(label=_("活动价（元）"), required=False)

    def __init__(self, *args, centers, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers
        self.fields["doctor"].queryset = staff

    def as_input(self) -> dict:
        d = self.cleaned_data
        return {
            "item": d["item"],
            "category": d["category"],
            "center_id": d["center"].pk,
            "doctor_id": d["doctor"].pk if d.get("doctor") else None,
            "quantity": d["quantity"],
            "sessions": d["sessions"],
            "valid_days": d.get("valid_days"),
            "list_price_fen": yuan_to_fen(d["list_price"]),
            "campaign_price_fen": yuan_to_fen(d["campaign_price"])
            if d.get("campaign_price") is not None
            else None,
        }


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, centers, staff, **kwargs):
        self.centers, self.staff = centers, staff
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"centers": self.centers, "staff": self.staff}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, centers=self.centers, staff=self.staff)  # fmt: skip
        self.add_fields(form, None)
        return form


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, formset=BaseLineFormSet, extra=3, max_num=20)


class QuoteAcceptForm(forms.Form):
    accepted_on = forms.DateField(label=_("成交日期"), widget=DateInput(), initial=timezone.localdate)
    redeem_points = forms.IntegerField(label=_("积分抵扣（分）"), min_value=0, required=False)


class SessionConsumeForm(forms.Form):
    performed_by = StaffChoiceField(label=_("治疗人"), queryset=None)
    used_on = forms.DateField(label=_("治疗日期"), widget=DateInput(), initial=timezone.localdate)
    used_time = forms.TimeField(label=_("时间"), initial=lambda: timezone.localtime().strftime("%H:%M"),
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))  # fmt: skip
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["performed_by"].queryset = staff

    def used_at(self) -> dt.datetime:
        d = self.cleaned_data
        return timezone.make_aware(dt.datetime.combine(d["used_on"], d["used_time"]))


class ClinicalAskForm(forms.Form):
    question = forms.CharField(label=_("客户问题"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    center = CenterChoiceField(label=_("科室/中心"), queryset=None, required=False)

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers


class ClinicalAnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RefundForm(forms.Form):
    transaction = forms.IntegerField(widget=forms.HiddenInput)
    amount = YuanField(label=_("退费金额（元）"))
    dispute = forms.ModelChoiceField(label=_("关联纠纷"), queryset=None, required=False)
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=[("refunded", _("退费")), ("compensated", _("赔偿"))]
    )
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, disputes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispute"].queryset = disputes
        self.fields["dispute"].label_from_instance = lambda d: (
            f"{d.opened_on:%Y-%m-%d} {d.get_category_display()}"
        )


class PointsRedeemForm(forms.Form):
    """积分抵扣 on an order outside a quote (a manual order, a later visit)."""

    deal = forms.TypedChoiceField(label=_("抵扣订单"), coerce=int, choices=())
    points = forms.IntegerField(label=_("抵扣积分"), min_value=1)
    redeemed_on = forms.DateField(label=_("抵扣日期"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, deals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].choices = [
            (
                d.pk,
                _("%(day)s ¥%(amount).2f（尚可抵扣 ¥%(left).2f）")
                % {"day": d.signed_on.isoformat(), "amount": d.amount_fen / 100, "left": d.left_fen / 100},
            )
            for d in deals
        ]


class PointsGrantForm(forms.Form):
    points = forms.IntegerField(label=_("赠送积分"), min_value=1)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class PointsRuleForm(forms.Form):
    """A new version of a points rule; `expected_version` is the version the editor saw."""

    tier = forms.CharField(widget=forms.HiddenInput, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    points_per_yuan = forms.DecimalField(label=_("每元积分"), min_value=0, max_digits=6, decimal_places=2)
    fen_per_point = forms.IntegerField(label=_("每分抵扣（分）"), min_value=1)
    expiry_months = forms.IntegerField(label=_("有效月数"), min_value=1)
    valid_from = forms.DateField(label=_("生效日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)


class GiftOrderForm(forms.Form):
    """赠送开单: the header; the lines come from GiftLineFormSet."""

    customer = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("赠送原因"), choices=())
    benefit_choice = forms.ChoiceField(label=_("权益选项"), choices=(), required=False)
    approver = StaffChoiceField(label=_("审批人"), queryset=None, required=False)
    given_on = forms.DateField(label=_("赠送日期"), widget=DateInput(), initial=timezone.localdate)
    dispute = forms.ModelChoiceField(label=_("关联纠纷"), queryset=None, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, approvers, disputes, **kwargs):
        from opscenter.clinic.choices import BenefitChoice, GiftReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "---------"), *GiftReason.choices]
        self.fields["benefit_choice"].choices = [("", "---------"), *BenefitChoice.choices]
        self.fields["approver"].queryset = approvers
        self.fields["dispute"].queryset = disputes
        self.fields["dispute"].label_from_instance = lambda d: (
            f"{d.opened_on:%Y-%m-%d} {d.get_category_display()}"
        )


class GiftLineForm(forms.Form):
    item = forms.CharField(label=_("项目"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=[("", "---------"), *CLINIC_CATEGORIES])
    center = CenterChoiceField(label=_("科室/中心"), queryset=None)
    sessions = forms.IntegerField(label=_("次数"), min_value=1, max_value=999, initial=1)
    cost = YuanField(label=_("成本（元）"))

    def __init__(self, *args, centers, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers

    def as_input(self) -> dict:
        d = self.cleaned_data
        return {
            "item": d["item"], "category": d["category"], "center_id": d["center"].pk,
            "sessions": d["sessions"], "cost_fen": yuan_to_fen(d["cost"]),
        }  # fmt: skip


GiftLineFormSet = forms.formset_factory(GiftLineForm, formset=BaseLineFormSet, extra=3, max_num=20)
