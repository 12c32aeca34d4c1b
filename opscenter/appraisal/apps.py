from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "opscenter.appraisal"
    label = "appraisal"
    verbose_name = _("绩效考核与激励")
