"""Perception points and the versioned commitment tree (seed 001 §8 承诺体系)."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import AllowanceKind, Event, Process, TreeStatus, ValueComparison
from opscenter.core import audit


@audit.register()
class PerceptionPoint(models.Model):
    """A customer perception point (客户感知点): what the customer perceives at a touchpoint, how
    much it matters and how satisfied customers are today. A level-1 commitment answers one."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    touchpoint = models.CharField(_("接触点"), max_length=100)
    perception = models.CharField(_("客户感知"), max_length=200)
    importance = models.PositiveSmallIntegerField(
        _("重要度"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_pct = models.DecimalField(
        _("当前满意度(%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    is_example = models.BooleanField(_("示例"), default=False)

    class Meta:
        verbose_name = _("客户感知点")
        verbose_name_plural = _("客户感知点")
        ordering = ["site", "-importance", "touchpoint"]

    def __str__(self) -> str:
        return gettext("%(touchpoint)s：%(perception)s") % {
            "touchpoint": self.touchpoint,
            "perception": self.perception,
        }


@audit.register()
class CommitmentTree(models.Model):
    """One version of a commitment tree: a level-1 promise and the level-2/3 promises under it.

    Versioned like the tier rules: `family` ties the versions together; editing an active tree
    makes a new draft version, activating it retires the previous one. Measurements keep the
    version they were measured under.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    family = models.CharField(_("承诺编码"), max_length=60)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    perception_point = models.ForeignKey(
        PerceptionPoint, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("客户感知点")
    )
    process = models.CharField(_("流程"), max_length=20, choices=Process.choices, default=Process.EXTERNAL)
    qualifying_event = models.CharField(
        _("计入条件"),
        max_length=30,
        choices=Event.choices,
        blank=True,
        help_text="pipeline trees: only customers who reached this event are measured",
    )
    status = models.CharField(_("状态"), max_length=10, choices=TreeStatus.choices, default=TreeStatus.DRAFT)
    is_example = models.BooleanField(_("示例"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务承诺体系")
        verbose_name_plural = _("服务承诺体系")
        ordering = ["site", "family", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "family", "version"], name="commitment_tree_version_unique"
            ),
            models.UniqueConstraint(
                fields=["site", "family"], condition=Q(status="active"), name="commitment_tree_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


@audit.register()
class Commitment(models.Model):
    """A promise of a tree (服务承诺): level 1 to the customer, levels 2/3 inside.

    It measures a stage from `start_event` to `end_event` against an allowance in business time
    (the site calendar) or calendar time; `warning_pct` of the allowance is the warning point.
    Owned by a department and a position, whose staff and liaison hear of warnings and breaches.
    """

    tree = models.ForeignKey(
        CommitmentTree, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("承诺体系")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("上级承诺"),
    )
    level = models.PositiveSmallIntegerField(
        _("级别"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    position_in_tree = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("名称"), max_length=100)
    wording = models.CharField(_("对客户的承诺用语"), max_length=200, blank=True)
    start_event = models.CharField(_("起始事件"), max_length=30, choices=Event.choices)
    end_event = models.CharField(_("结束事件"), max_length=30, choices=Event.choices)
    allowance_kind = models.CharField(
        _("时限口径"), max_length=10, choices=AllowanceKind.choices, default=AllowanceKind.BUSINESS
    )
    allowance_minutes = models.PositiveIntegerField(
        _("时限(分钟)"), validators=[MinValueValidator(0)], help_text="0 for value commitments"
    )
    value_key = models.SlugField(
        _("测量项"),
        max_length=40,
        blank=True,
        help_text="value commitments: the key of the measured value in the instance's values",
    )
    value_comparison = models.CharField(
        _("界限方向"), max_length=10, choices=ValueComparison.choices, blank=True
    )
    value_bound = models.DecimalField(_("数值界限"), max_digits=14, decimal_places=4, null=True, blank=True)
    value_unit = models.CharField(_("数值单位"), max_length=20, blank=True)
    warning_pct = models.PositiveSmallIntegerField(
        _("预警点(%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    position = models.ForeignKey(
        "org.Position",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任岗位"),
    )
    opens_work_order = models.BooleanField(_("超时自动开工单"), default=False)

    class Meta:
        verbose_name = _("服务承诺")
        verbose_name_plural = _("服务承诺")
        ordering = ["tree", "level", "position_in_tree", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="commitment_level_1_to_3"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="commitment_level_1_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_value(self) -> bool:
        """Measured as a value against a bound (e.g. 送达温度 ≤ 8 ℃), not as a duration."""
        return self.allowance_kind == AllowanceKind.VALUE

    @property
    def bound_text(self) -> str:
        """ "≤ 8 ℃": the bound as shown in attributions and on the tree screen."""
        sign = "≤" if self.value_comparison == ValueComparison.AT_MOST else "≥"
        return (
            f"{sign} {self.value_bound.normalize():f}{self.value_unit}"
            if self.value_bound is not None
            else ""
        )

    @property
    def allowance(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.allowance_minutes)

    @property
    def warning_after(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.allowance_minutes * self.warning_pct / 100)
