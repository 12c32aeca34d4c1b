"""Choices and the plan lifecycle of target decomposition (指标分解)."""

from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "执行中"
    SUPERSEDED = "superseded", "已被替代"


# A draft is activated (the previous active plan of the site and year is superseded in the same
# step); a revision copies a plan into a new draft version, so old versions stay for comparison.
TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.DRAFT: {PlanStatus.ACTIVE},
    PlanStatus.ACTIVE: {PlanStatus.SUPERSEDED},
    PlanStatus.SUPERSEDED: set(),
}


class SplitMethod(models.TextChoices):
    EVEN = "even", "平均分配"
    SEASONAL = "seasonal", "按去年走势"
    MANUAL = "manual", "手工填写"


class UnitKind(models.TextChoices):
    SITE = "site", "院区"
    DEPARTMENT = "department", "部门"
    TEAM = "team", "小组"
    STAFF = "staff", "员工"


class Light(models.TextChoices):
    """Traffic light of an allocation's run-rate projection against its target."""

    GREEN = "green", "可完成"
    AMBER = "amber", "有风险"
    RED = "red", "预计完不成"
    NONE = "none", "未开始"
