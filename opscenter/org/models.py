"""Organization: sites, departments, teams (grids), positions, staff and department liaisons."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from opscenter.core import audit
from opscenter.org.choices import DepartmentKind, SiteKind


@audit.register()
class Site(models.Model):
    """A campus or community (院区/社区). A group may run several; data is scoped by site."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=SiteKind.choices, default=SiteKind.OTHER)
    city = models.CharField("所在城市", max_length=50, blank=True, help_text="本市 for the online visit rate")
    address = models.CharField("地址", max_length=200, blank=True)
    calendar = models.ForeignKey(
        "core.BusinessCalendar", null=True, blank=True, on_delete=models.PROTECT, verbose_name="工作日历"
    )
    ownership_protection_days = models.PositiveIntegerField(
        "渠道保护期(天)", default=30, help_text="another consultant cannot take a customer in this window"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "院区"
        verbose_name_plural = "院区"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@audit.register()
class Department(models.Model):
    """A department of one site (市场部, 客户管理部, 护理部 …)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="departments", verbose_name="院区")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField(
        "类型", max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.OTHER
    )
    manager = models.ForeignKey(
        "Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="负责人"
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["site__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="department_unique_name_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.site.name} · {self.name}"


@audit.register()
class Team(models.Model):
    """A team (小组) inside a department; with a territory it is a grid (网格)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name="部门"
    )
    name = models.CharField("名称", max_length=100)
    territory = models.CharField(
        "网格区域", max_length=200, blank=True, help_text="non-empty makes this a grid"
    )
    leader = models.ForeignKey(
        "Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="组长"
    )

    class Meta:
        verbose_name = "小组"
        verbose_name_plural = "小组"
        ordering = ["department__site__code", "department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_unique_name_per_department")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_grid(self) -> bool:
        return bool(self.territory)


@audit.register()
class Position(models.Model):
    """A job position (岗位): 咨询师, 护士长, 客服专员 …"""

    name = models.CharField("名称", max_length=100, unique=True)
    is_manager = models.BooleanField("管理岗", default=False)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audit.register()
class Staff(models.Model):
    """An employee. Sees their department's site plus any extra sites granted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name="登录账号",
    )
    employee_no = models.CharField("工号", max_length=30, unique=True)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机", max_length=20, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", verbose_name="部门"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name="小组"
    )
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="岗位"
    )
    extra_sites = models.ManyToManyField(Site, blank=True, related_name="+", verbose_name="兼管院区")
    hired_on = models.DateField("入职日期", null=True, blank=True)
    left_on = models.DateField("离职日期", null=True, blank=True)
    is_active = models.BooleanField("在职", default=True)

    class Meta:
        verbose_name = "员工"
        verbose_name_plural = "员工"
        ordering = ["employee_no"]
        indexes = [models.Index(fields=["department", "is_active"], name="staff_department_active_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.team_id and self.team.department_id != self.department_id:
            raise ValidationError({"team": "小组必须属于该员工所在部门"})

    @property
    def site(self) -> Site:
        return self.department.site


@audit.register()
class Liaison(models.Model):
    """The one staff member of a department who receives its work orders (联络员)."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="liaison", verbose_name="部门"
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="liaison_for", verbose_name="联络员"
    )
    since = models.DateField("任职日期", null=True, blank=True)

    class Meta:
        verbose_name = "联络员"
        verbose_name_plural = "联络员"

    def __str__(self) -> str:
        return f"{self.department.name}: {self.staff.name}"

    def clean(self) -> None:
        if self.staff_id and self.department_id and self.staff.department_id != self.department_id:
            raise ValidationError({"staff": "联络员必须是该部门的员工"})
