"""Partner commission rules, monthly commission statements and group-tour receptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.appraisal.models import Partner
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.marketing.choices import STATEMENT_TRANSITIONS, CommissionKind, StatementStatus, TouchMethod
from opscenter.marketing.commission import parse_pct, parse_tiers, percent_of, tier_for
from opscenter.marketing.models import (
    Campaign,
    ChannelGrade,
    CommissionLine,
    CommissionRule,
    CommissionStatement,
    GroupTour,
    PartnerContact,
    Touch,
)
from opscenter.marketing.services._common import a_date, money, scope_requiring, site_staff_or_none
from opscenter.pipeline import services as pipeline_services
from opscenter.pipeline.choices import DealStatus
from opscenter.pipeline.exceptions import DuplicateCustomer
from opscenter.pipeline.models import Deal
from opscenter.pipeline.periods import month_add, month_label, month_start


def partner_for_write(scope, partner_id: int) -> Partner:
    partner = scope.filter_sites(Partner.objects.select_related("site"), "site").filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(_("合作机构不存在或无权访问"), log_message=f"partner {partner_id} not in scope")
    scope.require_site(partner.site_id, write=True)
    return partner


@as_actor
@transaction.atomic
def partner_contact_add(
    *, actor, partner_id: int, name: str, role: str = "", phone: str = ""
) -> PartnerContact:
    scope = scope_requiring(actor, "marketing.add_partnercontact")
    partner = partner_for_write(scope, partner_id)
    if not (name or "").strip():
        raise ValidationError(_("请填写联系人姓名"), field="name")
    return PartnerContact.objects.create(partner=partner, name=name.strip(), role=role, phone=phone)


@as_actor
@transaction.atomic
def commission_rule_create(
    *,
    actor,
    partner_id: int,
    kind: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    rate_pct: Any = None,
    fixed_fen: Any = None,
    tiers: Iterable[Mapping[str, Any]] = (),
) -> CommissionRule:
    """Add a commission rule. Overlapping tiers, a negative amount or a missing rate are rejected."""
    scope = scope_requiring(actor, "marketing.add_commissionrule")
    partner = partner_for_write(scope, partner_id)
    if kind not in CommissionKind.values:
        raise ValidationError(_("佣金规则类型不正确"), field="kind")
    valid_from = a_date(valid_from, field="valid_from", label=_("生效日期"))
    if valid_to is not None:
        valid_to = a_date(valid_to, field="valid_to", label=_("失效日期"))
        if valid_to < valid_from:
            raise ValidationError(_("失效日期不能早于生效日期"), field="valid_to")
    values: dict[str, Any] = {"rate_pct": None, "fixed_fen": None, "tiers": []}
    if kind == CommissionKind.PERCENT_FIRST_YEAR:
        if rate_pct in (None, ""):
            raise ValidationError(_("请填写提成比例"), field="rate_pct")
        values["rate_pct"] = parse_pct(rate_pct, field="rate_pct", label=_("提成比例"))
    elif kind == CommissionKind.TIERED:
        tiers = list(tiers)
        parse_tiers(tiers)
        values["tiers"] = [
            {
                "from": int(t["from"]),
                "to": None if t.get("to") in (None, "") else int(t["to"]),
                "fen": int(t["fen"]),
            }
            for t in tiers
        ]
    else:
        if fixed_fen in (None, ""):
            raise ValidationError(_("请填写固定金额"), field="fixed_fen")
        values["fixed_fen"] = money(fixed_fen, field="fixed_fen", label=_("固定金额"))
    return CommissionRule.objects.create(
        partner=partner, kind=kind, valid_from=valid_from, valid_to=valid_to, **values
    )


def _rules_in_month(partner: Partner, month: int) -> list[CommissionRule]:
    first = month_start(month)
    last = month_start(month_add(month, 1)) - dt.timedelta(days=1)
    return list(
        CommissionRule.objects.filter(partner=partner, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .order_by("pk")
    )


def statement_lines(partner: Partner, month: int) -> list[CommissionLine]:
    """The unsaved lines of a partner's statement for `month` (see CommissionRule for the kinds).

    Referred deals are signed deals in the month of customers whose source channel is the
    partner's channel. A rule counts only deals signed inside its validity dates.
    """
    first = month_start(month)
    last = month_start(month_add(month, 1)) - dt.timedelta(days=1)
    rules = _rules_in_month(partner, month)
    deals: list[Deal] = []
    if partner.channel_id and any(r.kind != CommissionKind.TOUR_FEE for r in rules):
        deals = list(
            Deal.objects.filter(
                site_id=partner.site_id,
                customer__channel_id=partner.channel_id,
                status=DealStatus.SIGNED,
                signed_on__gte=first,
                signed_on__lte=last,
            )
            .annotate(
                first_deal_on=Min(
                    "customer__deals__signed_on", filter=Q(customer__deals__status=DealStatus.SIGNED)
                )
            )
            .select_related("customer")
            .order_by("signed_on", "pk")
        )
    tours = list(
        GroupTour.objects.filter(partner=partner, toured_on__gte=first, toured_on__lte=last).order_by(
            "toured_on", "pk"
        )
    )
    lines: list[CommissionLine] = []
    for rule in rules:
        until = rule.valid_to or last
        in_rule = [d for d in deals if rule.valid_from <= d.signed_on <= until]
        admissions = [d for d in in_rule if d.is_new_customer]
        if rule.kind == CommissionKind.PERCENT_FIRST_YEAR:
            for deal in in_rule:
                if deal.first_deal_on and deal.signed_on < _one_year_after(deal.first_deal_on):
                    lines.append(
                        CommissionLine(
                            rule=rule,
                            deal=deal,
                            base_fen=deal.amount_fen,
                            amount_fen=percent_of(deal.amount_fen, rule.rate_pct),
                            explanation=_("%(name)s 首年收入 × %(rate)s%%")
                            % {"name": deal.customer.name, "rate": rule.rate_pct},
                        )
                    )
        elif rule.kind == CommissionKind.FIXED_PER_ADMISSION:
            for deal in admissions:
                lines.append(
                    CommissionLine(
                        rule=rule,
                        deal=deal,
                        base_fen=deal.amount_fen,
                        amount_fen=rule.fixed_fen,
                        explanation=_("%(name)s 成交入住，每人固定金额") % {"name": deal.customer.name},
                    )
                )
        elif rule.kind == CommissionKind.TIERED:
            tier = tier_for(parse_tiers(rule.tiers), len(admissions))
            for deal in admissions:
                lines.append(
                    CommissionLine(
                        rule=rule,
                        deal=deal,
                        base_fen=deal.amount_fen,
                        amount_fen=tier.fen if tier else 0,
                        explanation=_("%(name)s 成交入住，当月第 %(count)s 人档")
                        % {"name": deal.customer.name, "count": len(admissions)},
                    )
                )
        elif rule.kind == CommissionKind.TOUR_FEE:
            for tour in tours:
                if rule.valid_from <= tour.toured_on <= until:
                    lines.append(
                        CommissionLine(
                            rule=rule,
                            tour=tour,
                            amount_fen=rule.fixed_fen,
                            explanation=_("%(team)s %(day)s 团队参观讲解费")
                            % {"team": tour.team_name, "day": tour.toured_on.isoformat()},
                        )
                    )
    factor = _grade_factor(partner, month)
    if factor is not None:
        grade, pct = factor
        for line in lines:
            line.amount_fen = percent_of(line.amount_fen, pct)
            line.explanation = _("%(text)s（渠道 %(grade)s 级系数 %(pct)s%%）") % {
                "text": line.explanation,
                "grade": grade,
                "pct": pct,
            }
    return lines


def _grade_factor(partner: Partner, month: int) -> tuple[str, Decimal] | None:
    """The commission factor of the partner channel's latest grade up to `month`, when the grade
    scheme it was graded under sets one for that grade (渠道分级 affecting commission)."""
    if not partner.channel_id:
        return None
    graded = (
        ChannelGrade.objects.select_related("scheme")
        .filter(site_id=partner.site_id, channel_id=partner.channel_id, month__lte=month)
        .order_by("-month")
        .first()
    )
    if graded is None or graded.grade not in graded.scheme.commission_factor_pct:
        return None
    return graded.grade, Decimal(graded.scheme.commission_factor_pct[graded.grade])


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@as_actor
@transaction.atomic
def statement_generate(*, actor, partner_id: int, month: int) -> CommissionStatement:
    """Generate (or regenerate) a partner's commission statement for a month. A current statement
    is superseded, never overwritten, so the statement that was paid stays readable."""
    scope = scope_requiring(actor, "marketing.add_commissionstatement")
    partner = partner_for_write(scope, partner_id)
    if month > int(timezone.localdate().strftime("%Y%m")):
        raise ValidationError(_("不能为未来月份生成结算单"), field="month")
    for old in (
        CommissionStatement.objects.select_for_update()
        .filter(partner=partner, month=month)
        .exclude(status=StatementStatus.SUPERSEDED)
    ):
        if StatementStatus.SUPERSEDED not in STATEMENT_TRANSITIONS[old.status]:
            raise ValidationError(_("结算单状态不允许重算"), field="month")
        old.status = StatementStatus.SUPERSEDED
        old.save(update_fields=["status"])
    lines = statement_lines(partner, month)
    statement = CommissionStatement.objects.create(
        partner=partner,
        month=month,
        total_fen=sum(line.amount_fen for line in lines),
        generated_at=timezone.now(),
        generated_by=actor if getattr(actor, "pk", None) else None,
    )
    for line in lines:
        line.statement = statement
    CommissionLine.objects.bulk_create(lines)
    return statement


@as_actor
@transaction.atomic
def statement_confirm(*, actor, statement_id: int) -> CommissionStatement:
    scope = scope_requiring(actor, "marketing.change_commissionstatement")
    statement = (
        scope.filter_sites(CommissionStatement.objects.select_for_update(), "partner__site")
        .filter(pk=statement_id)
        .first()
    )
    if statement is None:
        raise NotFound(_("结算单不存在或无权访问"))
    scope.require_site(statement.partner.site_id, write=True)
    if StatementStatus.CONFIRMED not in STATEMENT_TRANSITIONS[statement.status]:
        raise ValidationError(_("只有草稿状态的结算单可以确认"), field="status")
    statement.status = StatementStatus.CONFIRMED
    statement.save(update_fields=["status"])
    return statement


@as_actor
@transaction.atomic
def group_tour_record(
    *,
    actor,
    partner_id: int,
    team_name: str,
    toured_on: dt.date,
    headcount: int,
    guide_id: int | None = None,
    campaign_id: int | None = None,
    visitors: Iterable[Mapping[str, str]] = (),
    note: str = "",
) -> GroupTour:
    """Record a partner team's group tour (团队参观). Each visitor (name, phone) becomes a prospect
    of the partner's channel (or is found by phone) with an on-site consultation on the tour day —
    the follow-up consultations the tour produced — credited to the tour's campaign when given."""
    scope = scope_requiring(actor, "marketing.add_grouptour")
    partner = partner_for_write(scope, partner_id)
    toured_on = a_date(toured_on, field="toured_on", label=_("参观日期"))
    if toured_on > timezone.localdate():
        raise ValidationError(_("参观日期不能晚于今天"), field="toured_on")
    try:
        headcount = int(headcount)
    except (TypeError, ValueError):
        raise ValidationError(_("人数应为整数"), field="headcount") from None
    if headcount <= 0:
        raise ValidationError(_("人数应大于零"), field="headcount")
    visitors = [v for v in visitors if (v.get("name") or "").strip() or (v.get("phone") or "").strip()]
    if len(visitors) > headcount:
        raise ValidationError(_("登记的来访人数多于团队人数"), field="visitors")
    campaign = None
    if campaign_id:
        campaign = Campaign.objects.filter(pk=campaign_id, site_id=partner.site_id).first()
        if campaign is None:
            raise ValidationError(_("活动不属于该院区"), field="campaign_id")
    tour = GroupTour.objects.create(
        site_id=partner.site_id,
        partner=partner,
        team_name=(team_name or "").strip() or partner.name,
        toured_on=toured_on,
        headcount=headcount,
        guide=site_staff_or_none(partner.site_id, guide_id, field="guide_id", label=_("讲解员")),
        campaign=campaign,
        note=note,
    )
    occurred_at = timezone.make_aware(dt.datetime.combine(toured_on, dt.time(10, 0)))
    for number, visitor in enumerate(visitors, start=1):
        name, phone = (visitor.get("name") or "").strip(), (visitor.get("phone") or "").strip()
        if not name or not phone:
            raise ValidationError(
                _("第 %(number)s 位来访人需要姓名和电话") % {"number": number}, field="visitors"
            )
        try:
            customer = pipeline_services.customer_register(
                actor=actor, site_id=partner.site_id, name=name, phone=phone, channel_id=partner.channel_id
            )
            customer_id = customer.pk
        except DuplicateCustomer as exc:
            customer_id = exc.customer_id
        consultation = pipeline_services.consultation_record(
            actor=actor,
            customer_id=customer_id,
            mode="onsite",
            occurred_at=occurred_at,
            content=_("%(team)s 团队参观") % {"team": tour.team_name},
        )
        if campaign is not None:
            Touch.objects.create(
                site_id=partner.site_id,
                campaign=campaign,
                customer_id=customer_id,
                touched_on=toured_on,
                method=TouchMethod.GROUP_TOUR,
                consultation=consultation,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    return tour


def month_title(month: int) -> str:
    return month_label(month)
