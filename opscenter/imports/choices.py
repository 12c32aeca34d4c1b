"""Import job lifecycle (explicit transition map, STYLE.md §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("待校验")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("已校验")
    COMMITTING = "committing", _("导入中")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("失败")
    UNDONE = "undone", _("已撤销")
    CANCELLED = "cancelled", _("已取消")


# A failed or validated job may be validated again (e.g. after editing the mapping). A job that
# has not committed may be cancelled (and then deleted); a running job whose worker died is
# failed (services.import_job_reclaim) and may then be run again.
TRANSITIONS: dict[str, set[str]] = {
    JobStatus.PENDING: {JobStatus.VALIDATING, JobStatus.COMMITTING, JobStatus.FAILED, JobStatus.CANCELLED},
    JobStatus.VALIDATING: {JobStatus.VALIDATED, JobStatus.FAILED},
    JobStatus.VALIDATED: {JobStatus.VALIDATING, JobStatus.COMMITTING, JobStatus.FAILED, JobStatus.CANCELLED},
    JobStatus.COMMITTING: {JobStatus.COMMITTED, JobStatus.FAILED},
    JobStatus.COMMITTED: {JobStatus.UNDONE},
    JobStatus.FAILED: {JobStatus.VALIDATING, JobStatus.COMMITTING, JobStatus.CANCELLED},
    JobStatus.UNDONE: set(),
    JobStatus.CANCELLED: set(),
}

RUNNING = (JobStatus.VALIDATING, JobStatus.COMMITTING)
# Jobs that wrote nothing and may be deleted (with their stored file).
DELETABLE = (JobStatus.PENDING, JobStatus.VALIDATED, JobStatus.FAILED, JobStatus.CANCELLED)


class OnError(models.TextChoices):
    STOP = "stop", _("有错误则全部不导入")
    SKIP = "skip", _("跳过错误行，导入其余行")


class FollowUpStatus(models.TextChoices):
    """Work another app does after an import's commit (`ImportFollowUp`)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
