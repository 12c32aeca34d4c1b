"""Forms of the call-center screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StaffingForm(forms.Form):
    calls = forms.IntegerField(label=_("时段来电量"), min_value=0, max_value=100_000, initial=100)
    interval_minutes = forms.TypedChoiceField(
        label=_("时段长度(分钟)"), choices=[(15, "15"), (30, "30"), (60, "60")], coerce=int, initial=30
    )
    aht_seconds = forms.IntegerField(label=_("平均处理时长(秒)"), min_value=1, max_value=36_000, initial=180)
    target_sl = forms.DecimalField(
        label=_("服务水平目标"), min_value=0.01, max_value=0.99, decimal_places=2, initial=0.8
    )
    target_seconds = forms.IntegerField(label=_("服务水平时限(秒)"), min_value=1, max_value=3600, initial=20)
    target_asa = forms.IntegerField(
        label=_("平均接起时间上限(秒，可空)"), min_value=1, max_value=3600, required=False
    )
    shrinkage = forms.DecimalField(
        label=_("缺勤/损耗率"), min_value=0, max_value=0.9, decimal_places=2, initial=0.3
    )


class SampleForm(forms.Form):
    start = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    per_agent = forms.IntegerField(label=_("每人抽样数"), min_value=1, max_value=100, initial=3)
    min_seconds = forms.IntegerField(label=_("最短通话(秒)"), min_value=0, max_value=3600, initial=30)
    seed = forms.IntegerField(label=_("随机种子(可空)"), min_value=1, max_value=2**31 - 1, required=False)


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    category = forms.CharField(label=_("分类"), max_length=60, required=False)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 6}))
    review_on = forms.DateField(
        label=_("复审日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
