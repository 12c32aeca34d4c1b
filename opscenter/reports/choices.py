from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


REPORT_TRANSITIONS = {ReportStatus.DRAFT: {ReportStatus.PUBLISHED}, ReportStatus.PUBLISHED: set()}
