from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    ELDER_CARE = "elder_care", _("养老社区")
    HOSPITAL = "hospital", _("医院")
    HEALTH_CHECK = "health_check", _("体检中心")
    AESTHETICS = "aesthetics", _("医疗美容")
    CALL_CENTER = "call_center", _("客服中心")
    OTHER = "other", _("其他")


class DepartmentKind(models.TextChoices):
    MANAGEMENT = "management", _("管理层")
    OPERATIONS = "operations", _("运营管理部")
    MARKETING = "marketing", _("市场部")
    CUSTOMER = "customer", _("客户管理部")
    NURSING = "nursing", _("护理部")
    MEDICAL = "medical", _("医务/临床")
    CALL_CENTER = "call_center", _("客服中心")
    FINANCE = "finance", _("财务部")
    HR = "hr", _("人力资源部")
    LOGISTICS = "logistics", _("后勤/行政")
    OTHER = "other", _("其他")
