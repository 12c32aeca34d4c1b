"""Choices and lifecycle maps of the member tiers (会员分级)."""

from django.db import models


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "生效中"
    RETIRED = "retired", "已停用"


# A draft is activated (only if valid), an active version is retired when the next one is
# activated; a draft may also be discarded (retired) without ever being active.
RULE_SET_TRANSITIONS: dict[str, set[str]] = {
    RuleSetStatus.DRAFT: {RuleSetStatus.ACTIVE, RuleSetStatus.RETIRED},
    RuleSetStatus.ACTIVE: {RuleSetStatus.RETIRED},
    RuleSetStatus.RETIRED: set(),
}


class Metric(models.TextChoices):
    """What a condition measures over a customer's data (the window applies where it says so)."""

    PURCHASE_DAYS = "purchase_days", "消费天数（不同日期）"
    CATEGORY_SESSIONS = "category_sessions", "指定类别消费次数"
    SPEND = "spend", "消费金额（扣除退款）"
    SATISFACTION_LATEST = "satisfaction_latest", "最近一次满意度"
    SATISFACTION_AVG = "satisfaction_avg", "平均满意度"
    OPEN_DISPUTE = "open_dispute", "未解决纠纷数"
    SETTLED_DISPUTE = "settled_dispute", "已解决纠纷数（按处理结果）"
    REFUND_COUNT = "refund_count", "退款笔数"


MONEY_METRICS = frozenset({Metric.SPEND})
SATISFACTION_METRICS = frozenset({Metric.SATISFACTION_LATEST, Metric.SATISFACTION_AVG})
CATEGORY_METRICS = frozenset({Metric.CATEGORY_SESSIONS})
UNWINDOWED_METRICS = frozenset({Metric.OPEN_DISPUTE})


class Op(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"
    EQ = "==", "="


class WindowKind(models.TextChoices):
    ALL = "all", "全部时间"
    MONTHS = "months", "最近 N 个月（含本月）"
    YEAR = "year", "本自然年"


class Combine(models.TextChoices):
    ALL = "all", "以下条件全部满足"
    ANY = "any", "以下条件满足任一即可"


class Match(models.TextChoices):
    ALL = "all", "全部满足"
    ANY = "any", "任一满足"
    AT_LEAST = "at_least", "至少满足几项"
    NONE = "none", "全部不满足"


class ChangeSource(models.TextChoices):
    EVALUATION = "evaluation", "批量评定"
    REFRESH = "refresh", "单个客户重新评定"


class CareTaskKind(models.TextChoices):
    FOLLOWUP = "followup", "定期随访"
    BIRTHDAY_CALL = "birthday_call", "生日电话祝福"
    BIRTHDAY_SMS = "birthday_sms", "生日短信祝福"
    BIRTHDAY_COUPON = "birthday_coupon", "生日礼券"
    BIRTHDAY_DISCOUNT = "birthday_discount", "生日当月折扣提醒"
    QUARTERLY_GIFT = "quarterly_gift", "季度礼品"
    SALON = "salon", "会员沙龙邀请"


class CareTaskStatus(models.TextChoices):
    OPEN = "open", "待完成"
    DONE = "done", "已完成"
    SKIPPED = "skipped", "已跳过"


CARE_TASK_TRANSITIONS: dict[str, set[str]] = {
    CareTaskStatus.OPEN: {CareTaskStatus.DONE, CareTaskStatus.SKIPPED},
    CareTaskStatus.DONE: set(),
    CareTaskStatus.SKIPPED: set(),
}


class NightlyRunStatus(models.TextChoices):
    PENDING = "pending", "待运行"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
