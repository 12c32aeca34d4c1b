"""Daily work discipline (工作日清): recurring submissions, registers and announcements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opscenter.core import audit
from opscenter.workday.choices import (
    AnnouncementAudience,
    AnnouncementKind,
    EventKind,
    HolidayShift,
    ScheduleKind,
    SubmissionStatus,
    VersionStatus,
    VisitTargetKind,
)


@audit.register()
class SubmissionTemplate(models.Model):
    """What must be handed in, by whom and who approves. When it is due and what is asked (the
    schedule on the site's business calendar, the fields) is the rule, kept as dated versions in
    `SubmissionTemplateVersion`: a change is a new version taking effect from a date, and every
    submission records the version it was made under.

    `revision` counts changes to the template and its versions, for the optimistic check when two
    people edit it at once.
    """

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("提交部门")
    )
    positions = models.ManyToManyField(
        "org.Position", blank=True, related_name="+", verbose_name=_("提交岗位")
    )
    staff = models.ManyToManyField("org.Staff", blank=True, related_name="+", verbose_name=_("指定员工"))
    approver = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
        help_text=_("留空时由提交人所在部门负责人审批"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    revision = models.PositiveIntegerField(_("修订号"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("提交模板")
        verbose_name_plural = _("提交模板")
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="workday_template_name_uniq")]

    def __str__(self) -> str:
        return self.name


@audit.register()
class SubmissionTemplateVersion(models.Model):
    """One dated version of a template's rule: the schedule (daily on workdays / weekly on an ISO
    weekday / monthly on the N-th working day, at `due_time`, moved off holidays as
    `holiday_shift` says) and the fields asked for.

    `fields` is a list of {"key", "label", "kind": number|text, "required": bool}; with
    `prefill_pipeline` the number fields named consultations / visits / followups_done are filled
    from the day's pipeline work when the form opens.

    A draft can be edited and previewed; a published version is never changed. An occurrence
    follows the published version in force on the first day of its period (the day; the Monday of
    its week; the first of its month), so past submissions keep the deadline they were due under.
    """

    template = models.ForeignKey(
        SubmissionTemplate, on_delete=models.PROTECT, related_name="versions", verbose_name=_("模板")
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateField(_("生效日期"))
    schedule_kind = models.CharField(_("周期"), max_length=10, choices=ScheduleKind.choices)
    due_time = models.TimeField(_("截止时间"))
    weekday = models.PositiveSmallIntegerField(_("星期几"), null=True, blank=True, help_text="ISO 1..7")
    business_day = models.PositiveSmallIntegerField(_("第几个工作日"), null=True, blank=True)
    holiday_shift = models.CharField(
        _("遇节假日"), max_length=10, choices=HolidayShift.choices, default=HolidayShift.PREVIOUS
    )
    fields = models.JSONField(_("填报项"), default=list, blank=True)
    text_required = models.BooleanField(_("须填写文字说明"), default=True)
    prefill_pipeline = models.BooleanField(_("从客户管理预填当日工作量"), default=False)
    note = models.TextField(_("变更说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("起草人"),
    )
    created_at = models.DateTimeField(_("起草时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("模板版本")
        verbose_name_plural = _("模板版本")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="workday_tplver_number_uniq"),
            models.UniqueConstraint(
                fields=["template", "effective_from"],
                condition=Q(status="published"),
                name="workday_tplver_effective_uniq",
            ),
            models.UniqueConstraint(
                fields=["template"], condition=Q(status="draft"), name="workday_tplver_one_draft"
            ),
        ]
        indexes = [
            models.Index(fields=["template", "status", "effective_from"], name="workday_tplver_force_idx")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def rule_label(self) -> str:
        """The schedule in one line, e.g. 每周周四 12:00，遇节假日提前到前一个工作日."""
        from opscenter.workday.versions import schedule_label

        return schedule_label(self)


@audit.register()
class Submission(models.Model):
    """One occurrence of a template for one staff member: due time, answers, review state, and
    the template version it was made under (its deadline and fields come from that version).

    `period` identifies the occurrence (day / Monday of the nominal week / first of the month);
    `late` is set once, when first submitted after `due_at`. Editing an approved submission needs a
    reopen first (`submission_reopen`), which the event log and the audit trail record.
    """

    template = models.ForeignKey(
        SubmissionTemplate, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("模板")
    )
    template_version = models.ForeignKey(
        SubmissionTemplateVersion,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("规则版本"),
        help_text=_("生成该事项时有效的模板版本（截止时间与填报项按此版本）"),
    )
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("员工"))
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    period = models.DateField(_("期间"))
    due_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    late = models.BooleanField(_("迟交"), default=False)
    values = models.JSONField(_("填报内容"), default=dict, blank=True)
    text = models.TextField(_("文字说明"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reviewer = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    review_comment = models.TextField(_("审批意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("工作提交")
        verbose_name_plural = _("工作提交")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "staff", "period"], name="workday_submission_uniq")
        ]
        indexes = [
            models.Index(fields=["staff", "due_at"], name="workday_sub_staff_due_idx"),
            models.Index(fields=["department", "due_at"], name="workday_sub_dept_due_idx"),
            models.Index(fields=["status", "due_at"], name="workday_sub_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.period}"


class SubmissionEvent(models.Model):
    """One step in a submission's life (submitted, approved, sent back, reopened, marked missing)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name=_("工作提交")
    )
    kind = models.CharField(_("动作"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("提交记录")
        verbose_name_plural = _("提交记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


@audit.register()
class WorkLog(models.Model):
    """业务员工作日志: one line of what a staff member did (time, activity, result)."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("员工"))
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    day = models.DateField(_("日期"))
    activity = models.CharField(_("工作内容"), max_length=200)
    result = models.CharField(_("结果"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工作日志")
        verbose_name_plural = _("工作日志")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["staff", "day"], name="workday_log_staff_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.activity}"


@audit.register()
class OutboundVisit(models.Model):
    """客户拜访登记表: an outbound visit to a customer, partner or community, purpose and outcome."""

    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("员工"))
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    day = models.DateField(_("拜访日期"))
    target_kind = models.CharField(_("对象类型"), max_length=12, choices=VisitTargetKind.choices)
    target_name = models.CharField(_("拜访对象"), max_length=100)
    customer = models.ForeignKey(
        "pipeline.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("客户"),
    )
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    purpose = models.CharField(_("拜访目的"), max_length=200)
    outcome = models.CharField(_("拜访结果"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("客户拜访")
        verbose_name_plural = _("客户拜访")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["staff", "day"], name="workday_visit_staff_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.target_name}"


@audit.register()
class CardIssue(models.Model):
    """发放体检卡登记表: a free check-up card handed out; its later use is linked to the customer."""

    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("院区"))
    staff = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("发放人")
    )
    card_no = models.CharField(_("卡号"), max_length=40)
    issued_on = models.DateField(_("发放日期"))
    recipient_name = models.CharField(_("领卡人"), max_length=50)
    recipient_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    place = models.CharField(_("发放地点/活动"), max_length=100, blank=True)
    used_on = models.DateField(_("使用日期"), null=True, blank=True)
    customer = models.ForeignKey(
        "pipeline.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("使用客户"),
    )

    class Meta:
        verbose_name = _("体检卡发放")
        verbose_name_plural = _("体检卡发放")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "card_no"], name="workday_card_no_uniq"),
            models.CheckConstraint(
                condition=Q(used_on__isnull=True) | Q(customer__isnull=False),
                name="workday_card_used_has_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.card_no


@audit.register()
class Announcement(models.Model):
    """通告: a post to everyone, a site or a department; pinned ones stay on top; reads are receipted."""

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    kind = models.CharField(
        _("类别"), max_length=12, choices=AnnouncementKind.choices, default=AnnouncementKind.NOTICE
    )
    audience = models.CharField(_("发布范围"), max_length=12, choices=AnnouncementAudience.choices)
    site = models.ForeignKey(
        "org.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("院区")
    )
    department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    pinned = models.BooleanField(_("置顶"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发布人"),
    )
    source = models.CharField(
        _("来源"), max_length=50, blank=True, help_text="app that posted it, e.g. appraisal"
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通告")
        verbose_name_plural = _("通告")
        ordering = ["-pinned", "-published_at", "-pk"]
        indexes = [models.Index(fields=["audience", "published_at"], name="workday_ann_aud_idx")]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    """A read receipt: who opened an announcement, when (first time only)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="workday_ann_read_uniq")]

    def __str__(self) -> str:
        return f"{self.announcement_id}/{self.user_id}"
