"""Choices and lifecycle transition maps of the marketing app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    COMMUNITY_EVENT = "community_event", _("社区活动")
    SEMINAR = "seminar", _("讲座/沙龙")
    OPEN_DAY = "open_day", _("开放日")
    PRINT = "print", _("印刷宣传")
    ONLINE_AD = "online_ad", _("网络广告")
    PAID_SEARCH = "paid_search", _("竞价排名")
    WECHAT_ARTICLE = "wechat_article", _("微信图文")
    PARTNER_TOUR = "partner_tour", _("渠道团队参观")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("已邀约")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已婉拒")
    ATTENDED = "attended", _("已到场")
    NO_SHOW = "no_show", _("未到场")


# 集中邀约: invited → confirmed/declined; a confirmed guest attends or does not show; a guest who
# walks in without confirming is still marked attended.
INVITATION_TRANSITIONS: dict[str, set[str]] = {
    InvitationStatus.INVITED: {
        InvitationStatus.CONFIRMED,
        InvitationStatus.DECLINED,
        InvitationStatus.ATTENDED,
        InvitationStatus.NO_SHOW,
    },
    InvitationStatus.CONFIRMED: {
        InvitationStatus.ATTENDED,
        InvitationStatus.NO_SHOW,
        InvitationStatus.DECLINED,
    },
    InvitationStatus.DECLINED: {InvitationStatus.CONFIRMED},
    InvitationStatus.ATTENDED: set(),
    InvitationStatus.NO_SHOW: {InvitationStatus.ATTENDED},
}


class TouchMethod(models.TextChoices):
    """How a customer came to be credited to a campaign (归因方式)."""

    SOURCE_CODE = "source_code", _("来源码")
    LANDING = "landing", _("落地页表单")
    MANUAL = "manual", _("手工归因")
    ATTENDANCE = "attendance", _("活动到场")
    GROUP_TOUR = "group_tour", _("团队参观")


class AttributionModel(models.TextChoices):
    FIRST_TOUCH = "first", _("首次触达")
    LAST_TOUCH = "last", _("末次触达")


class CommissionKind(models.TextChoices):
    PERCENT_FIRST_YEAR = "percent_first_year", _("首年收入提成比例")
    FIXED_PER_ADMISSION = "fixed_per_admission", _("每成交一人固定金额")
    TIERED = "tiered", _("阶梯(按当月成交人数)")
    TOUR_FEE = "tour_fee", _("讲解费(每次团队参观)")


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONFIRMED = "confirmed", _("已确认")
    SUPERSEDED = "superseded", _("已作废重算")


STATEMENT_TRANSITIONS: dict[str, set[str]] = {
    StatementStatus.DRAFT: {StatementStatus.CONFIRMED, StatementStatus.SUPERSEDED},
    StatementStatus.CONFIRMED: {StatementStatus.SUPERSEDED},
    StatementStatus.SUPERSEDED: set(),
}


class Grade(models.TextChoices):
    A = "A", _("A 级")
    B = "B", _("B 级")
    C = "C", _("C 级")
