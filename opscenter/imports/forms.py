"""Forms of the import screens: the upload, and the column mapping editor (header → field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.imports.choices import JobStatus, OnError
from opscenter.imports.kinds import all_kinds


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"))
    site = forms.ModelChoiceField(label=_("院区"), queryset=None, empty_label=None)
    file = forms.FileField(label=_("文件"), help_text=_("Excel（.xlsx / .xls）或 CSV（UTF-8、GBK 均可）"))
    sheet = forms.CharField(label=_("工作表"), required=False, help_text=_("留空为第一个工作表"))
    on_error = forms.ChoiceField(label=_("有错误时"), choices=OnError.choices, initial=OnError.STOP)
    create_missing_channels = forms.BooleanField(label=_("自动创建缺少的渠道"), required=False)
    create_missing_customers = forms.BooleanField(label=_("自动登记缺少的客户（按电话）"), required=False)
    default_year = forms.IntegerField(
        label=_("缺省年份"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("日期只写了月日时使用"),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, gettext(k.label_zh)) for k in all_kinds()]
        self.fields["site"].queryset = sites


class JobFilterForm(forms.Form):
    """The job list's filters (GET): kind, site, status; the export applies the same."""

    kind = forms.ChoiceField(label=_("导入类型"), required=False)
    site = forms.ModelChoiceField(label=_("院区"), queryset=None, required=False, empty_label=_("全部院区"))
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *JobStatus.choices]
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", gettext("全部类型")),
            *((k.name, gettext(k.label_zh)) for k in all_kinds()),
        ]
        self.fields["site"].queryset = sites


class MappingForm(forms.Form):
    """One select per header of the file: which field it fills ("" = ignore the column)."""

    def __init__(self, *args, headers: list[str], kind, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", gettext("（忽略此列）")), *((f.name, f.label_zh) for f in kind.fields)]
        self.headers = headers
        for i, header in enumerate(headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=current.get(header, "")
            )

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"col_{i}") or "" for i, header in enumerate(self.headers)}

    def rows(self):
        return [(header, self[f"col_{i}"]) for i, header in enumerate(self.headers)]
