"""Forms of the marketing screens: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.marketing.choices import CampaignKind, CommissionKind, InvitationStatus
from opscenter.pipeline.forms import YuanField, add_domain_error, yuan_to_fen

__all__ = ["add_domain_error", "yuan_to_fen"]

DATE = forms.DateInput(attrs={"type": "date"})


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class CampaignForm(forms.Form):
    site = SiteChoiceField(label=_("院区"), queryset=None)
    name = forms.CharField(label=_("活动名称"), max_length=100)
    code = forms.SlugField(
        label=_("来源码"), max_length=40, help_text=_("字母、数字或连字符，例如 open-day-0315")
    )
    kind = forms.ChoiceField(label=_("活动类型"), choices=CampaignKind.choices)
    channel = forms.ModelChoiceField(label=_("渠道"), queryset=None, required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    budget = YuanField(label=_("预算(元)"), required=False)
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=None, required=False)
    audience = forms.CharField(label=_("目标人群"), max_length=200, required=False)
    notes = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, sites, channels, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["channel"].queryset = channels
        self.fields["owner"].queryset = staff
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()


class InviteForm(forms.Form):
    customer_ids = forms.TypedMultipleChoiceField(
        label=_("邀约客户"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_ids"].choices = [(c.pk, f"{c.name} {c.phone}") for c in customers]


class InvitationStatusForm(forms.Form):
    invitation_ids = forms.TypedMultipleChoiceField(label=_("邀约记录"), coerce=int)
    status = forms.ChoiceField(label=_("改为"), choices=InvitationStatus.choices)

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitation_ids"].choices = [(i.pk, str(i.pk)) for i in invitations]


class AttributeConsultationForm(forms.Form):
    consultation = forms.TypedChoiceField(label=_("咨询记录"), coerce=int)
    code = forms.CharField(label=_("来源码"), max_length=40)

    def __init__(self, *args, consultations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].choices = [
            (
                c.pk,
                f"{c.customer.name} · {c.get_mode_display()} · {timezone.localtime(c.occurred_at):%Y-%m-%d}",
            )
            for c in consultations
        ]


class AttributeDealForm(forms.Form):
    deal = forms.TypedChoiceField(label=_("成交记录"), coerce=int)

    def __init__(self, *args, deals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].choices = [
            (d.pk, f"{d.customer.name} · {d.signed_on:%Y-%m-%d} · ¥{d.amount_fen / 100:,.2f}") for d in deals
        ]


class CostLineForm(forms.Form):
    site = SiteChoiceField(label=_("院区"), queryset=None)
    campaign = forms.ModelChoiceField(label=_("市场活动"), queryset=None, required=False)
    channel = forms.ModelChoiceField(
        label=_("渠道"), queryset=None, required=False, help_text=_("活动与渠道至少填一个")
    )
    item = forms.CharField(label=_("费用项目"), max_length=100)
    quantity = forms.IntegerField(label=_("数量"))
    unit_price = YuanField(label=_("单价(元)"))
    supplier = forms.CharField(label=_("供应商"), max_length=100, required=False)
    invoice_no = forms.CharField(label=_("发票号"), max_length=50, required=False)
    spent_on = forms.DateField(label=_("费用日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, sites, campaigns, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["campaign"].queryset = campaigns
        self.fields["channel"].queryset = channels
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲销原因"), max_length=200)


class BudgetForm(forms.Form):
    site = SiteChoiceField(label=_("院区"), queryset=None)
    channel = forms.ModelChoiceField(label=_("渠道"), queryset=None)
    month = forms.CharField(label=_("月份"), max_length=7, help_text=_("例如 2026-07"))
    amount = YuanField(label=_("预算(元)"))

    def __init__(self, *args, sites, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["channel"].queryset = channels
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()


def parse_tier_lines(text: str) -> list[dict]:
    """ "1-5:1000" / "6-:1500" lines (admissions from-to : yuan per admission) → tier rows."""
    rows = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().replace("：", ":").replace("－", "-")  # i18n: data (full-width input)
        if not line:
            continue
        try:
            span, yuan = line.split(":", 1)
            low, _dash, high = span.partition("-")
            rows.append(
                {"from": int(low), "to": int(high) if high.strip() else None, "fen": int(float(yuan) * 100)}
            )
        except ValueError:
            raise forms.ValidationError(
                gettext("第 %(number)s 行格式不正确，应为“1-5:1000”（人数区间:每人金额）")
                % {"number": number}
            ) from None
    return rows


class CommissionRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("规则类型"), choices=CommissionKind.choices)
    rate_pct = forms.DecimalField(label=_("提成比例(%)"), required=False, max_digits=6, decimal_places=2)
    fixed = YuanField(label=_("固定金额(元)"), required=False)
    tiers = forms.CharField(
        label=_("阶梯"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "1-5:1000\n6-:1500"}),
        help_text=_("每行一档：当月成交人数区间:每人金额(元)，如 1-5:1000，末档可写 6-:1500"),
    )
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE)
    valid_to = forms.DateField(label=_("失效日期"), widget=DATE, required=False)

    def clean_tiers(self):
        return parse_tier_lines(self.cleaned_data.get("tiers", ""))


class ContactForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.CharField(label=_("职务"), max_length=50, required=False)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)


class StatementForm(forms.Form):
    month = forms.CharField(label=_("结算月份"), max_length=7, help_text=_("例如 2026-07"))


class GroupTourForm(forms.Form):
    team_name = forms.CharField(label=_("来访团队"), max_length=100)
    toured_on = forms.DateField(label=_("参观日期"), widget=DATE)
    headcount = forms.IntegerField(label=_("人数"))
    guide = forms.ModelChoiceField(label=_("讲解员"), queryset=None, required=False)
    campaign = forms.ModelChoiceField(label=_("对应活动"), queryset=None, required=False)
    visitors = forms.CharField(
        label=_("有意向的来访人"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人：姓名 电话；将登记为客户并生成现场咨询"),
    )

    def __init__(self, *args, staff, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = staff
        self.fields["campaign"].queryset = campaigns

    def clean_visitors(self):
        rows = []
        for number, raw in enumerate(self.cleaned_data.get("visitors", "").splitlines(), start=1):
            parts = raw.replace("，", " ").replace(",", " ").split()  # i18n: data (full-width comma)
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(gettext("第 %(number)s 行应为“姓名 电话”") % {"number": number})
            rows.append({"name": parts[0], "phone": parts[1]})
        return rows


class ContentPostForm(forms.Form):
    site = SiteChoiceField(label=_("院区"), queryset=None)
    title = forms.CharField(label=_("标题"), max_length=200)
    published_on = forms.DateField(label=_("发布日期"), widget=DATE)
    reads = forms.IntegerField(label=_("阅读数"), min_value=0, initial=0)
    shares = forms.IntegerField(label=_("分享数"), min_value=0, initial=0)
    new_followers = forms.IntegerField(label=_("新增关注"), initial=0)
    campaign_code = forms.CharField(label=_("来源码"), max_length=40, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()


class GradeSchemeForm(forms.Form):
    site = SiteChoiceField(label=_("院区"), queryset=None)
    window_months = forms.IntegerField(label=_("统计月数"), min_value=1, max_value=24, initial=3)
    a_min_consultations = forms.IntegerField(label=_("A 级：最少咨询量"), min_value=0, required=False)
    a_min_conversion_pct = forms.DecimalField(label=_("A 级：最低成交率(%)"), min_value=0, required=False)
    a_min_revenue = YuanField(label=_("A 级：最低成交金额(元)"), required=False)
    a_max_cost_per_deal = YuanField(label=_("A 级：最高单笔获客成本(元)"), required=False)
    b_min_consultations = forms.IntegerField(label=_("B 级：最少咨询量"), min_value=0, required=False)
    b_min_conversion_pct = forms.DecimalField(label=_("B 级：最低成交率(%)"), min_value=0, required=False)
    b_min_revenue = YuanField(label=_("B 级：最低成交金额(元)"), required=False)
    b_max_cost_per_deal = YuanField(label=_("B 级：最高单笔获客成本(元)"), required=False)
    factor_a = forms.DecimalField(label=_("A 级佣金系数(%)"), min_value=0, required=False)
    factor_b = forms.DecimalField(label=_("B 级佣金系数(%)"), min_value=0, required=False)
    factor_c = forms.DecimalField(label=_("C 级佣金系数(%)"), min_value=0, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()

    def thresholds(self) -> dict:
        data = self.cleaned_data
        out: dict[str, dict] = {}
        for grade in ("a", "b"):
            limits = {}
            if data.get(f"{grade}_min_consultations") is not None:
                limits["min_consultations"] = data[f"{grade}_min_consultations"]
            if data.get(f"{grade}_min_conversion_pct") is not None:
                limits["min_conversion_pct"] = data[f"{grade}_min_conversion_pct"]
            if data.get(f"{grade}_min_revenue") is not None:
                limits["min_revenue_fen"] = yuan_to_fen(data[f"{grade}_min_revenue"])
            if data.get(f"{grade}_max_cost_per_deal") is not None:
                limits["max_cost_per_deal_fen"] = yuan_to_fen(data[f"{grade}_max_cost_per_deal"])
            if limits:
                out[grade.upper()] = limits
        return out

    def factors(self) -> dict:
        return {
            grade.upper(): self.cleaned_data[f"factor_{grade}"]
            for grade in ("a", "b", "c")
            if self.cleaned_data.get(f"factor_{grade}") is not None
        }


class GradeRunForm(forms.Form):
    site = SiteChoiceField(label=_("院区"), queryset=None)
    month = forms.CharField(label=_("评级月份"), max_length=7, help_text=_("例如 2026-07"))

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()


class LandingForm(forms.Form):
    site = SiteChoiceField(label=_("院区"), queryset=None)
    code = forms.CharField(label=_("来源码"), max_length=40)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=20)
    content = forms.CharField(label=_("留言"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()
