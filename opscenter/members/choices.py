"""Choices and lifecycle maps of the member tiers (会员分级)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("生效中")
    RETIRED = "retired", _("已停用")


# A draft is activated (only if valid), an active version is retired when the next one is
# activated; a draft may also be discarded (retired) without ever being active.
RULE_SET_TRANSITIONS: dict[str, set[str]] = {
    RuleSetStatus.DRAFT: {RuleSetStatus.ACTIVE, RuleSetStatus.RETIRED},
    RuleSetStatus.ACTIVE: {RuleSetStatus.RETIRED},
    RuleSetStatus.RETIRED: set(),
}


class Metric(models.TextChoices):
    """What a condition measures over a customer's data (the window applies where it says so)."""

    PURCHASE_DAYS = "purchase_days", _("消费天数（不同日期）")
    CATEGORY_SESSIONS = "category_sessions", _("指定类别消费次数")
    SPEND = "spend", _("消费金额（扣除退款）")
    SATISFACTION_LATEST = "satisfaction_latest", _("最近一次满意度")
    SATISFACTION_AVG = "satisfaction_avg", _("平均满意度")
    OPEN_DISPUTE = "open_dispute", _("未解决纠纷数")
    SETTLED_DISPUTE = "settled_dispute", _("已解决纠纷数（按处理结果）")
    REFUND_COUNT = "refund_count", _("退款笔数")
    # Read from the clinic's course sessions (疗程消耗) through its selectors (members.sources).
    COURSE_SESSIONS = "course_sessions", _("疗程已消耗次数（按类别）")


MONEY_METRICS = frozenset({Metric.SPEND})
SATISFACTION_METRICS = frozenset({Metric.SATISFACTION_LATEST, Metric.SATISFACTION_AVG})
CATEGORY_METRICS = frozenset({Metric.CATEGORY_SESSIONS, Metric.COURSE_SESSIONS})
UNWINDOWED_METRICS = frozenset({Metric.OPEN_DISPUTE})


class Op(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"
    EQ = "==", "="


class WindowKind(models.TextChoices):
    ALL = "all", _("全部时间")
    MONTHS = "months", _("最近 N 个月（含本月）")
    YEAR = "year", _("本自然年")


class Combine(models.TextChoices):
    ALL = "all", _("以下条件全部满足")
    ANY = "any", _("以下条件满足任一即可")


class Match(models.TextChoices):
    ALL = "all", _("全部满足")
    ANY = "any", _("任一满足")
    AT_LEAST = "at_least", _("至少满足几项")
    NONE = "none", _("全部不满足")


class ChangeSource(models.TextChoices):
    EVALUATION = "evaluation", _("批量评定")
    REFRESH = "refresh", _("单个客户重新评定")


class CareTaskKind(models.TextChoices):
    FOLLOWUP = "followup", _("定期随访")
    BIRTHDAY_CALL = "birthday_call", _("生日电话祝福")
    BIRTHDAY_SMS = "birthday_sms", _("生日短信祝福")
    BIRTHDAY_COUPON = "birthday_coupon", _("生日礼券")
    BIRTHDAY_DISCOUNT = "birthday_discount", _("生日当月折扣提醒")
    QUARTERLY_GIFT = "quarterly_gift", _("季度礼品")
    SALON = "salon", _("会员沙龙邀请")


class CareTaskStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    DONE = "done", _("已完成")
    SKIPPED = "skipped", _("已跳过")


CARE_TASK_TRANSITIONS: dict[str, set[str]] = {
    CareTaskStatus.OPEN: {CareTaskStatus.DONE, CareTaskStatus.SKIPPED},
    CareTaskStatus.DONE: set(),
    CareTaskStatus.SKIPPED: set(),
}


class NightlyRunStatus(models.TextChoices):
    PENDING = "pending", _("待运行")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
