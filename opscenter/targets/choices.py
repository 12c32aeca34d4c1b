"""Choices and the plan lifecycle of target decomposition (指标分解)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("执行中")
    SUPERSEDED = "superseded", _("已被替代")


# A draft is activated (the previous active plan of the site and year is superseded in the same
# step); a revision copies a plan into a new draft version, so old versions stay for comparison.
TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.DRAFT: {PlanStatus.ACTIVE},
    PlanStatus.ACTIVE: {PlanStatus.SUPERSEDED},
    PlanStatus.SUPERSEDED: set(),
}


class SplitMethod(models.TextChoices):
    EVEN = "even", _("平均分配")
    SEASONAL = "seasonal", _("按去年走势")
    MANUAL = "manual", _("手工填写")


class UnitKind(models.TextChoices):
    SITE = "site", _("院区")
    DEPARTMENT = "department", _("部门")
    TEAM = "team", _("小组")
    STAFF = "staff", _("员工")


class Light(models.TextChoices):
    """Traffic light of an allocation's run-rate projection against its target."""

    GREEN = "green", _("可完成")
    AMBER = "amber", _("有风险")
    RED = "red", _("预计完不成")
    NONE = "none", _("未开始")
