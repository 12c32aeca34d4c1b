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


class PasswordChangeForm(forms.Form):
    """Self-service password change: the current password and the new one twice."""

    old_password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


class PasswordResetForm(forms.Form):
    """An administrator sets a staff member's new password."""

    new_password = forms.CharField(
        label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
