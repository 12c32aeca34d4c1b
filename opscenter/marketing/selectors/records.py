"""Scoped reads of marketing records (campaigns, invitations, touches, cost lines, partners…)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from opscenter.appraisal.models import Partner
from opscenter.core.exceptions import NotFound
from opscenter.marketing.choices import InvitationStatus
from opscenter.marketing.models import (
    Campaign,
    ChannelGrade,
    CommissionRule,
    CommissionStatement,
    ContentPost,
    CostLine,
    GradeScheme,
    GroupTour,
    Invitation,
    PartnerContact,
    Touch,
)
from opscenter.org.selectors import scope_for


def _scoped(user, qs: QuerySet, perm: str, site_field: str = "site") -> QuerySet:
    scope = scope_for(user)
    if not scope.can(perm):
        return qs.none()
    return scope.filter_sites(qs, site_field)


def campaign_list(*, user, site_id: int | None = None) -> QuerySet[Campaign]:
    """Campaigns with their invitation counts (one query)."""
    qs = _scoped(user, Campaign.objects.select_related("site", "channel", "owner"), "marketing.view_campaign")
    if site_id:
        qs = qs.filter(site_id=site_id)
    return qs.annotate(
        invited=Count("invitations", distinct=True),
        attended=Count("invitations", filter=Q(invitations__status=InvitationStatus.ATTENDED), distinct=True),
    )


def campaign_get(*, user, campaign_id: int) -> Campaign:
    campaign = campaign_list(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("活动不存在或无权访问"))
    return campaign


def invitation_list(*, user, campaign_id: int) -> QuerySet[Invitation]:
    return _scoped(
        user,
        Invitation.objects.select_related("customer", "invited_by").filter(campaign_id=campaign_id),
        "marketing.view_invitation",
        "campaign__site",
    ).order_by("customer__name", "pk")


def touch_list(*, user, campaign_id: int | None = None, customer_id: int | None = None) -> QuerySet[Touch]:
    qs = _scoped(
        user,
        Touch.objects.select_related("campaign", "customer", "consultation", "deal"),
        "marketing.view_touch",
    )
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-touched_on", "-pk")


def cost_line_list(
    *,
    user,
    site_id: int | None = None,
    campaign_id: int | None = None,
    channel_id: int | None = None,
    month_from: int | None = None,
    month_to: int | None = None,
    unassigned_channel: bool = False,
) -> QuerySet[CostLine]:
    """Cost lines (reversals included, so totals reconcile); `channel_id` matches the line's channel."""
    qs = _scoped(
        user,
        CostLine.objects.select_related("campaign", "channel", "site", "reversal_of"),
        "marketing.view_costline",
    )
    if site_id:
        qs = qs.filter(site_id=site_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if unassigned_channel:
        qs = qs.filter(channel__isnull=True)
    if month_from:
        qs = qs.filter(month__gte=month_from)
    if month_to:
        qs = qs.filter(month__lte=month_to)
    return qs.order_by("-spent_on", "-pk")


def cost_total(qs: QuerySet[CostLine]) -> int:
    return qs.aggregate(total=Sum("amount_fen"))["total"] or 0


def partner_list(*, user, site_id: int | None = None) -> QuerySet[Partner]:
    qs = _scoped(user, Partner.objects.select_related("site", "channel"), "marketing.view_commissionrule")
    if site_id:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("site", "name")


def partner_get(*, user, partner_id: int) -> Partner:
    partner = partner_list(user=user).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(_("合作机构不存在或无权访问"))
    return partner


def partner_contacts(*, partner: Partner) -> QuerySet[PartnerContact]:
    return PartnerContact.objects.filter(partner=partner)


def partner_rules(*, partner: Partner) -> QuerySet[CommissionRule]:
    return CommissionRule.objects.filter(partner=partner).order_by("-valid_from", "-pk")


def partner_tours(*, partner: Partner) -> QuerySet[GroupTour]:
    return (
        GroupTour.objects.filter(partner=partner)
        .select_related("guide", "campaign")
        .order_by("-toured_on", "-pk")
    )


def statement_list(*, user, partner_id: int | None = None) -> QuerySet[CommissionStatement]:
    qs = _scoped(
        user,
        CommissionStatement.objects.select_related("partner", "generated_by"),
        "marketing.view_commissionstatement",
        "partner__site",
    )
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    return qs.order_by("-month", "-pk")


def statement_get(*, user, statement_id: int) -> CommissionStatement:
    statement = statement_list(user=user).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("结算单不存在或无权访问"))
    return statement


def statement_line_list(*, statement: CommissionStatement):
    return statement.lines.select_related("rule", "deal__customer", "tour").order_by("pk")


def tour_list(*, user, site_id: int | None = None) -> QuerySet[GroupTour]:
    qs = _scoped(
        user, GroupTour.objects.select_related("partner", "guide", "site"), "marketing.view_grouptour"
    )
    if site_id:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("-toured_on", "-pk")


def content_post_list(*, user, site_id: int | None = None) -> QuerySet[ContentPost]:
    qs = _scoped(user, ContentPost.objects.select_related("campaign", "site"), "marketing.view_contentpost")
    if site_id:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("-published_on", "-pk")


def channel_grade_list(*, user, site_id: int | None = None) -> QuerySet[ChannelGrade]:
    qs = _scoped(
        user, ChannelGrade.objects.select_related("channel", "scheme", "site"), "marketing.view_channelgrade"
    )
    if site_id:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("-month", "grade", "channel__name")


def grade_scheme_list(*, user, site_id: int | None = None) -> QuerySet[GradeScheme]:
    qs = _scoped(user, GradeScheme.objects.select_related("site"), "marketing.view_gradescheme")
    if site_id:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("site", "-version")


def channel_protection(*, site_id: int, channel_id: int):
    """Ownership protection for customers of a channel by its latest grade, when the grade scheme
    it was graded under sets one for that grade (渠道分级 → 渠道归属保护), with its source in words;
    None: the site's default applies. Registered as a source of `pipeline.protection` (one query)."""
    from opscenter.pipeline.protection import Protection

    graded = (
        ChannelGrade.objects.select_related("scheme")
        .filter(site_id=site_id, channel_id=channel_id)
        .order_by("-month")
        .first()
    )
    if graded is None:
        return None
    days = graded.scheme.protection_days.get(graded.grade)
    if days is None:
        return None
    month = f"{graded.month // 100}-{graded.month % 100:02d}"
    source = _("渠道分级 %(grade)s 级（%(month)s，分级方案 v%(version)s）") % {
        "grade": graded.grade,
        "month": month,
        "version": graded.scheme.version,
    }
    return Protection(int(days), source)


def channel_protection_days(*, site_id: int, channel_id: int) -> int | None:
    """Days of `channel_protection`, None when the site's default applies."""
    found = channel_protection(site_id=site_id, channel_id=channel_id)
    return found.days if found is not None else None
