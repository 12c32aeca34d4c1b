from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opscenter.scheduler.cadence import MAX_INTERVAL_MINUTES
from opscenter.scheduler.choices import CadenceKind


class ScheduledJobForm(forms.Form):
    enabled = forms.BooleanField(label=_("启用"), required=False)
    cadence_kind = forms.ChoiceField(label=_("周期"), choices=CadenceKind.choices)
    interval_minutes = forms.IntegerField(
        label=_("间隔（分钟）"), required=False, min_value=1, max_value=MAX_INTERVAL_MINUTES
    )
    at_time = forms.TimeField(label=_("时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def clean(self):
        data = super().clean()
        kind = data.get("cadence_kind")
        if kind == CadenceKind.INTERVAL and not data.get("interval_minutes"):
            self.add_error("interval_minutes", _("按间隔运行时请填写间隔分钟数"))
        if kind in (CadenceKind.DAILY, CadenceKind.WORKDAYS) and not data.get("at_time"):
            self.add_error("at_time", _("定时运行时请填写时间"))
        return data
