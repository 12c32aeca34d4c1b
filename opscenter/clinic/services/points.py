"""The points ledger (积分): earned per yuan by tier, granted as a benefit, redeemed on an order,
expired by rule. Rows are only ever added; a balance is the sum of a member's rows.

Expiry (written down next to the formula): redemptions and expiries use the soonest-expiring
points first, so on a date D what must expire is max(0, E − U), where E is every earned/granted
point with `expires_on` ≤ D and U is every point already redeemed or expired. One grouped query
finds it for all members of a site; running it again the same day writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.clinic.choices import PointsKind
from opscenter.clinic.constants import MAX_POINTS
from opscenter.clinic.models import PointsEntry, PointsRule
from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.pipeline.models import Deal
from opscenter.pipeline.services._common import customer_for_write, scope_requiring


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rule_for(*, site_id: int, tier: str, on: dt.date) -> PointsRule | None:
    """The points rule in force: the tier's own, else the site's default (blank tier)."""
    rules = PointsRule.objects.filter(site_id=site_id, tier__in=[tier, ""], valid_from__lte=on)
    return (
        rules.order_by("-tier", "-valid_from", "-version").first()
        if tier
        else rules.filter(tier="").order_by("-valid_from", "-version").first()
    )


def balance(customer_id: int) -> int:
    return PointsEntry.objects.filter(customer_id=customer_id).aggregate(s=Sum("points"))["s"] or 0


def _current_tier(customer_id: int) -> str:
    from opscenter.members.selectors import tier_of

    current = tier_of(customer_id=customer_id)
    return current.tier if current else ""


def points_earn_for_deal(*, deal: Deal) -> PointsEntry | None:
    """Points for a signed order: floor(yuan × points per yuan of the member's tier rule), valid
    for the rule's months. Called inside `order_place`'s transaction."""
    rule = rule_for(site_id=deal.site_id, tier=_current_tier(deal.customer_id), on=deal.signed_on)
    if rule is None:
        return None
    points = int((Decimal(deal.amount_fen) / 100 * rule.points_per_yuan).to_integral_value(ROUND_FLOOR))
    if points <= 0:
        return None
    return PointsEntry.objects.create(
        site_id=deal.site_id, customer_id=deal.customer_id, kind=PointsKind.EARN, points=points,
        occurred_on=deal.signed_on, expires_on=add_months(deal.signed_on, rule.expiry_months), deal=deal,
        rule=rule, note=_("消费 ¥%(yuan).2f × %(rate)s 分/元") % {"yuan": deal.amount_fen / 100, "rate": rule.points_per_yuan},
    )  # fmt: skip


def _positive_points(points) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= MAX_POINTS:
        raise ValidationError(_("积分应为正整数"), field="points")
    return points


@as_actor
@transaction.atomic
def points_grant(
    *, actor, customer_id: int, points: int, on: dt.date | None = None, note: str = ""
) -> PointsEntry:
    """Points given as a benefit (赠送积分, e.g. the B-tier choice), valid by the member's rule."""
    scope = scope_requiring(actor, "clinic.add_pointsentry")
    customer = customer_for_write(scope, customer_id)
    points = _positive_points(points)
    on = on or timezone.localdate()
    rule = rule_for(site_id=customer.site_id, tier=_current_tier(customer.pk), on=on)
    months = rule.expiry_months if rule else 12
    return PointsEntry.objects.create(
        site_id=customer.site_id, customer=customer, kind=PointsKind.GRANT, points=points, occurred_on=on,
        expires_on=add_months(on, months), rule=rule, note=note[:200] or _("权益赠送积分"),
    )  # fmt: skip


@as_actor
@transaction.atomic
def points_redeem(
    *, actor, customer_id: int, points: int, deal_id: int, on: dt.date | None = None
) -> PointsEntry:
    """Redeem points on an order (积分抵扣): the value (points × the rule's fen per point) pays
    part of that order and may not exceed it; more points than the balance is rejected."""
    scope = scope_requiring(actor, "clinic.add_pointsentry")
    customer = customer_for_write(scope, customer_id)
    points = _positive_points(points)
    deal = Deal.objects.filter(pk=deal_id, customer=customer).first()
    if deal is None:
        raise ValidationError(_("成交记录不属于该客户"), field="deal_id")
    on = on or timezone.localdate()
    points_expire(site_id=customer.site_id, on=on, customer_ids=[customer.pk])
    have = balance(customer.pk)
    if points > have:
        raise ValidationError(
            _("积分余额不足：可用 %(have)s 分，本次抵扣 %(points)s 分") % {"have": have, "points": points},
            field="points", log_message=f"redeem {points} > balance {have}",
        )  # fmt: skip
    rule = rule_for(site_id=customer.site_id, tier=_current_tier(customer.pk), on=on)
    value = points * (rule.fen_per_point if rule else 1)
    already = (
        PointsEntry.objects.filter(deal=deal, kind=PointsKind.REDEEM).aggregate(s=Sum("value_fen"))["s"] or 0
    )
    if value + already > deal.amount_fen:
        raise ValidationError(_("积分抵扣金额不能超过订单金额"), field="points")
    return PointsEntry.objects.create(
        site_id=customer.site_id, customer=customer, kind=PointsKind.REDEEM, points=-points, occurred_on=on,
        deal=deal, rule=rule, value_fen=value, note=_("订单抵扣 ¥%(yuan).2f") % {"yuan": value / 100},
    )  # fmt: skip


@transaction.atomic
def points_expire(*, site_id: int | None = None, on: dt.date | None = None, customer_ids=None) -> int:
    """Expire what is due on `on` for every member (of a site, or the given customers), set-based:
    one grouped read and one bulk insert. Idempotent. Returns how many members had points expire."""
    on = on or timezone.localdate()
    qs = PointsEntry.objects.all()
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=customer_ids)
    rows = (
        qs.values("customer_id", "site_id")
        .annotate(
            due=Sum("points", filter=Q(kind__in=[PointsKind.EARN, PointsKind.GRANT], expires_on__lte=on)),
            used=Sum("points", filter=Q(kind__in=[PointsKind.REDEEM, PointsKind.EXPIRE])),
        )
        .order_by()
    )
    entries = []
    for row in rows:
        lapsed = (row["due"] or 0) + (row["used"] or 0)  # used is negative
        if lapsed > 0:
            entries.append(
                PointsEntry(
                    site_id=row["site_id"], customer_id=row["customer_id"], kind=PointsKind.EXPIRE,
                    points=-lapsed, occurred_on=on, note=_("积分到期"),
                )
            )  # fmt: skip
    PointsEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


MAX_POINTS_PER_YUAN = Decimal("100")
MAX_FEN_PER_POINT = 10_000
MAX_EXPIRY_MONTHS = 120


@as_actor
@transaction.atomic
def points_rule_save(
    *,
    actor,
    site_id: int,
    tier: str,
    expected_version: int,
    points_per_yuan: Decimal,
    fen_per_point: int,
    expiry_months: int,
    valid_from: dt.date,
    note: str = "",
) -> PointsRule:
    """A new version of a site's points rule for a tier (blank: every tier without its own rule):
    points per yuan, the value of a point, months of validity, in force from `valid_from` (today
    or later, not before the version it follows). Optimistic check: `expected_version` is the
    version the editor saw (0: none yet); if someone saved another since, nothing is written.
    Staff who may edit the site's member tier rules only; audited with the change in words."""
    from opscenter.clinic.selectors import points_rule_tiers
    from opscenter.org.models import Site
    from opscenter.pipeline.services._common import actor_staff

    scope = scope_requiring(actor, "clinic.change_pointsrule")
    # The points rules are part of the loyalty plan: edited by whoever edits the member tier rules
    # (customer management, operations), never by consultants or marketing.
    if scope.own_only or not scope.can("members.change_tierruleset") or not scope.writes_site(site_id):
        raise PermissionDenied(_("无权修改该院区的积分规则"), log_message=f"points rule at site {site_id}")
    # Lock the site row: two editors of the same site's rules queue up here.
    if Site.objects.select_for_update().filter(pk=site_id).first() is None:
        raise NotFound(_("院区不存在"))
    tier = (tier or "").strip()
    if tier and tier not in points_rule_tiers(site_id=site_id):
        raise ValidationError(
            _("会员等级“%(tier)s”不在本院区生效的会员规则中") % {"tier": tier}, field="tier"
        )
    if not isinstance(points_per_yuan, Decimal) or not Decimal(0) <= points_per_yuan <= MAX_POINTS_PER_YUAN:
        raise ValidationError(_("每元积分应在 0–100 之间"), field="points_per_yuan")
    if (
        isinstance(fen_per_point, bool)
        or not isinstance(fen_per_point, int)
        or not 1 <= fen_per_point <= MAX_FEN_PER_POINT
    ):
        raise ValidationError(_("每分抵扣应为 1–10000 分"), field="fen_per_point")
    if (
        isinstance(expiry_months, bool)
        or not isinstance(expiry_months, int)
        or not 1 <= expiry_months <= MAX_EXPIRY_MONTHS
    ):
        raise ValidationError(_("有效月数应为 1–120"), field="expiry_months")
    current = PointsRule.objects.filter(site_id=site_id, tier=tier).order_by("-version").first()
    have = current.version if current else 0
    if have != expected_version:
        raise ValidationError(
            _("该积分规则已被他人修改（当前为第 %(have)s 版，您看到的是第 %(seen)s 版），请刷新后再改")
            % {"have": have, "seen": expected_version},
            field="expected_version", log_message=f"points rule {site_id}/{tier!r}: {expected_version} != {have}",
        )  # fmt: skip
    if valid_from < timezone.localdate():
        raise ValidationError(_("生效日期不能早于今天（已发生的积分按当时的规则计）"), field="valid_from")
    if current is not None and valid_from < current.valid_from:
        raise ValidationError(
            _("生效日期不能早于上一版的生效日期 %(date)s") % {"date": current.valid_from}, field="valid_from"
        )
    rule = PointsRule.objects.create(
        site_id=site_id, tier=tier, version=have + 1, points_per_yuan=points_per_yuan, fen_per_point=fen_per_point,
        expiry_months=expiry_months, valid_from=valid_from, note=(note or "").strip()[:200],
        created_by=actor_staff(scope),
    )  # fmt: skip
    audit.record_event(
        rule,
        _("积分规则（%(tier)s）第 %(version)s 版：每元 %(rate)s 分，每分抵扣 %(fen)s 分，有效 %(months)s 个月，%(date)s 起生效")
        % {
            "tier": tier or _("全部等级"), "version": rule.version, "rate": points_per_yuan, "fen": fen_per_point,
            "months": expiry_months, "date": valid_from,
        },
    )  # fmt: skip
    return rule
