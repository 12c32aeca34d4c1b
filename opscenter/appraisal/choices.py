from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    TARGET_HOSPITAL = "target_hospital", _("目标医院")
    REFERRAL_CLINIC = "referral_clinic", _("转诊诊所")
    INSURER_TEAM = "insurer_team", _("保险渠道团队")
    COMMUNITY = "community", _("社区/街道")
    OTHER = "other", _("其他机构")


class PartnerGrade(models.TextChoices):
    A = "A", _("A 类")
    B = "B", _("B 类")
    C = "C", _("C 类")
