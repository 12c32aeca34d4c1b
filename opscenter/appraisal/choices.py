from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    TARGET_HOSPITAL = "target_hospital", _("目标医院")
    REFERRAL_CLINIC = "referral_clinic", _("转诊诊所")
    INSURER_TEAM = "insurer_team", _("保险渠道团队")
    COMMUNITY = "community", _("社区/街道")
    OTHER = "other", _("其他机构")


class PartnerGrade(models.TextChoices):
    A = "A", _("A 类")
    B = "B", _("B 类")
    C = "C", _("C 类")


class SubjectKind(models.TextChoices):
    STAFF = "staff", _("员工")
    TEAM = "team", _("小组/网格")
    DEPARTMENT = "department", _("部门")
    SITE = "site", _("院区/中心")
    PARTNER = "partner", _("合作机构")


# the metric registry's grain for each subject kind (partners have no grain: manual/checklist items)
SUBJECT_GRAIN = {"staff": "staff", "team": "team", "department": "department", "site": "site"}


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


SCORECARD_TRANSITIONS = {
    ScorecardStatus.DRAFT: {ScorecardStatus.PUBLISHED},
    ScorecardStatus.PUBLISHED: {ScorecardStatus.RETIRED},
    ScorecardStatus.RETIRED: set(),
}


class ItemKind(models.TextChoices):
    SCORED = "scored", _("考核项目")
    OBSERVED = "observed", _("考察项目")


class ItemMethod(models.TextChoices):
    METRIC = "metric", _("按指标自动计分")
    MANUAL = "manual", _("考核人打分")
    CHECKLIST = "checklist", _("检查清单")


class CurveKind(models.TextChoices):
    LINEAR = "linear", _("区间线性")
    STEP = "step", _("阶梯表")
    TARGET = "target", _("达标满分")


class RuleKind(models.TextChoices):
    DEDUCTION = "deduction", _("扣分")
    DOWNGRADE = "downgrade", _("降级")
    VETO = "veto", _("单项否决")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("未计算")
    COMPUTING = "computing", _("计算中")
    DRAFT = "draft", _("草稿待审")
    PUBLISHED = "published", _("已发布")


PERIOD_TRANSITIONS = {
    PeriodStatus.OPEN: {PeriodStatus.COMPUTING},
    PeriodStatus.COMPUTING: {PeriodStatus.DRAFT, PeriodStatus.OPEN},
    PeriodStatus.DRAFT: {PeriodStatus.COMPUTING, PeriodStatus.PUBLISHED},
    PeriodStatus.PUBLISHED: set(),
}


class ScoreStatus(models.TextChoices):
    AUTO = "auto", _("自动计分")
    PENDING = "pending", _("待打分")
    ENTERED = "entered", _("已打分")
    REOPENED = "reopened", _("申诉重评中")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


class InterviewStatus(models.TextChoices):
    DUE = "due", _("待面谈")
    HELD = "held", _("已面谈")


class PlanKind(models.TextChoices):
    MONTHLY_PAY = "monthly_pay", _("月度绩效工资")
    POINTS = "points", _("积分×积分单价")
    REFERRAL = "referral", _("全员营销奖罚")
    CONTRACT_BONUS = "contract_bonus", _("年终签约奖金")
    COST_SAVING = "cost_saving", _("成本节约奖励")
    PROFIT_SHARE = "profit_share", _("利润分成")
    PROFIT_BRACKETS = "profit_brackets", _("利润分档提成")


class BracketMode(models.TextChoices):
    WHOLE = "whole", _("全额累进（整笔适用所在档比例）")
    MARGINAL = "marginal", _("超额累进（各档只计本档部分）")


class PayoutStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class InstalmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待发放")
    PAID = "paid", _("已发放")
    FORFEITED = "forfeited", _("离职作废")
    SETTLED = "settled", _("辞退提前结算")


class LeaveReason(models.TextChoices):
    RESIGNED = "resigned", _("主动离职")
    DISMISSED = "dismissed", _("公司辞退")


SHARE_PARTS = {
    "gm": _("总经理 30%"),
    "mk_manager": _("市场部经理 40%"),
    "mk_allocated": _("市场部分配权 25%（按月度考核分）"),
    "mk_equal": _("市场部员工平分 35%"),
    "other_equal": _("其他部门平分 65%"),
    "other_gm": _("其他部门总经理分配部分"),
    "amount": _("金额"),
    "points": _("积分 × 积分单价"),
    "per_deal": _("一单一奖励"),
    "contest": _("销售竞赛奖励"),
}
