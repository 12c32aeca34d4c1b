from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opscenter.core.models import ApiToken


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("界面语言"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("写明用途，例如“报表同步脚本”，便于日后识别和吊销。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("例如：报表同步脚本")}),
    )
