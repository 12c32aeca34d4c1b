"""Reads of the member tiers, scoped by the acting user (`user=`): members and their tiers,
explanations, history, rule-set versions, what-if previews, care tasks and completion rates."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.exceptions import NotFound
from opscenter.members import sources
from opscenter.members.choices import CareTaskKind, CareTaskStatus, Metric, RuleSetStatus
from opscenter.members.evaluation import compile_rule_set
from opscenter.members.models import CareTask, MemberTier, TierChange, TierEvaluation, TierRuleSet
from opscenter.members.reference import DisputeFact, Explanation, Rating, Txn, evaluate_member, yuan
from opscenter.members.rules import discount_label, discount_rate, tier_labels, tier_rank
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline.choices import DealStatus
from opscenter.pipeline.models import Customer, Dispute, FollowUp, Transaction

PREVIEW_LIST_LIMIT = 500


def _customers(user) -> QuerySet[Customer]:
    return pipeline_selectors.customer_list(user=user)


def member_list(
    *, user, site_id: int | None = None, tier: str | None = None, search: str = ""
) -> QuerySet[MemberTier]:
    """Members (customers with a tier) the user may see, best-known first by name."""
    scope = scope_for(user)
    if not scope.can("members.view_membertier"):
        return MemberTier.objects.none()
    customers = pipeline_selectors.customer_list(user=user, site_id=site_id, search=search)
    # The rule set is shown by name and version: its JSON definition (every criterion, level and
    # benefit) is left out, else each row of a page decoded it again (half the page's time).
    qs = (
        MemberTier.objects.filter(customer__in=customers.values("pk"))
        .select_related("customer", "customer__owner", "rule_set", "site")
        .defer("rule_set__definition")
    )
    if tier:
        qs = qs.filter(tier=tier)
    return qs.order_by("customer__name", "customer_id")


def member_get(*, user, customer_id: int) -> Customer:
    """The customer (visible to the user, who must be allowed to view members)."""
    if not scope_for(user).can("members.view_membertier"):
        raise NotFound(_("客户不存在或无权访问"))
    return pipeline_selectors.customer_get(user=user, customer_id=customer_id)


def tier_of(*, customer_id: int) -> MemberTier | None:
    return MemberTier.objects.select_related("rule_set").filter(customer_id=customer_id).first()


def tier_history(*, user, customer_id: int) -> QuerySet[TierChange]:
    member_get(user=user, customer_id=customer_id)
    return (
        TierChange.objects.filter(customer_id=customer_id)
        .select_related("rule_set")
        .order_by("-changed_at", "-id")
    )


def explain(*, customer_id: int, rule_set: TierRuleSet, as_of: dt.date | None = None) -> Explanation:
    """Which criteria held for this customer and the numbers behind them, which level matched —
    computed from their raw rows (call after scoping the customer: `member_get`)."""
    as_of = as_of or timezone.localdate()
    txns = [
        Txn(*row)
        for row in Transaction.objects.filter(customer_id=customer_id, site_id=rule_set.site_id)
        .exclude(deal__status=DealStatus.CANCELLED)
        .order_by("occurred_on", "id")
        .values_list("occurred_on", "kind", "category", "sessions", "amount_fen")
    ]
    ratings = [
        Rating(*row)
        for row in FollowUp.objects.filter(
            customer_id=customer_id,
            site_id=rule_set.site_id,
            done_on__isnull=False,
            satisfaction__isnull=False,
        ).values_list("id", "done_on", "satisfaction")
    ]
    disputes = [
        DisputeFact(*row)
        for row in Dispute.objects.filter(customer_id=customer_id, site_id=rule_set.site_id).values_list(
            "opened_on", "settled_on", "outcome"
        )
    ]
    uses = sources.facts(Metric.COURSE_SESSIONS, site_id=rule_set.site_id, customer_id=customer_id)
    return evaluate_member(
        rule_set.definition, as_of=as_of, txns=txns, ratings=ratings, disputes=disputes, uses=uses
    )


def tier_benefits(*, rule_set: TierRuleSet | None, tier: str | None) -> list[str]:
    """The benefits of a tier in words, with their amounts (no query): what the member page shows
    next to the tier and what the care tasks are generated from."""
    if rule_set is None or not tier:
        return []
    found = next((t for t in rule_set.definition.get("tiers", []) if t.get("code") == tier), None)
    b = (found or {}).get("benefits") or {}
    lines = []
    if b.get("followup_days"):
        lines.append(_("定期随访：每 %(followup_days)s 天") % {"followup_days": b["followup_days"]})
    if b.get("member_discount"):
        lines.append(
            _("会员消费折扣：%(discount_label)s")
            % {"discount_label": discount_label(discount_rate(b["member_discount"]))}
        )
    birthday = []
    for kind in b.get("birthday") or []:
        if kind == CareTaskKind.BIRTHDAY_COUPON:
            amount = yuan(b["coupon_fen"]) if isinstance(b.get("coupon_fen"), int) else _("金额未设定")
            birthday.append(
                _("生日礼券 %(amount)s%(value)s")
                % {
                    "amount": amount,
                    "value": _("（") + b["coupon_name"] + _("）") if b.get("coupon_name") else "",
                }
            )
        elif kind == CareTaskKind.BIRTHDAY_DISCOUNT:
            rate = discount_label(discount_rate(b.get("discount")))
            birthday.append(_("生日当月 %(rate)s") % {"rate": rate} if rate else _("生日当月折扣（未设定）"))
        else:
            birthday.append(str(CareTaskKind(kind).label))
    if birthday:
        lines.append(_("生日：") + _("、").join(birthday))
    if b.get("quarterly_gift"):
        lines.append(_("季度礼品") + (_("：%(gift)s") % {"gift": b["gift"]} if b.get("gift") else ""))
    if b.get("salon"):
        lines.append(_("会员沙龙邀请（每季度）"))
    if b.get("note"):
        lines.append(b["note"])
    return lines


def rule_set_list(*, user, site_id: int | None = None) -> QuerySet[TierRuleSet]:
    scope = scope_for(user)
    if not scope.can("members.view_tierruleset"):
        return TierRuleSet.objects.none()
    qs = scope.filter_sites(TierRuleSet.objects.select_related("site", "created_by"))
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs.order_by("site__name", "-status", "name", "-version")


def rule_set_get(*, user, rule_set_id: int) -> TierRuleSet:
    row = rule_set_list(user=user).filter(pk=rule_set_id).first()
    if row is None:
        raise NotFound(_("规则版本不存在或无权访问"))
    return row


def active_rule_set(*, site_id: int) -> TierRuleSet | None:
    return TierRuleSet.objects.filter(site_id=site_id, status=RuleSetStatus.ACTIVE).first()


def evaluation_list(*, user, site_id: int | None = None) -> QuerySet[TierEvaluation]:
    scope = scope_for(user)
    if not scope.can("members.view_membertier"):
        return TierEvaluation.objects.none()
    qs = scope.filter_sites(TierEvaluation.objects.select_related("rule_set"))
    return qs.filter(site_id=site_id) if site_id is not None else qs


@dataclass
class Preview:
    """What activating a version would do: from-tier × to-tier counts and the members who move."""

    rule_set: TierRuleSet
    from_tiers: list[str]
    to_tiers: list[str]
    matrix: dict[tuple[str, str], int]
    movers: list[dict[str, Any]]
    moving: int
    members: int
    labels: dict[str, str]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "from": f,
                "cells": [{"to": t, "n": self.matrix.get((f, t), 0), "moves": f != t} for t in self.to_tiers],
                "total": sum(self.matrix.get((f, t), 0) for t in self.to_tiers),
            }
            for f in self.from_tiers
        ]


def tier_preview(*, user, rule_set_id: int, as_of: dt.date | None = None) -> Preview:
    """Evaluate a (draft) version set-based into a temporary table, without writing anything,
    and compare with the members' current tiers: the transition matrix and the movers."""
    rule_set = rule_set_get(user=user, rule_set_id=rule_set_id)
    scope_for(user).require_site(rule_set.site_id)
    as_of = as_of or timezone.localdate()
    compiled = compile_rule_set(rule_set.definition, site_id=rule_set.site_id, as_of=as_of)
    tmp = f"members_preview_{uuid.uuid4().hex[:12]}"
    mt, cu = MemberTier._meta.db_table, Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {tmp} AS SELECT e.customer_id, e.tier FROM ({compiled.sql}) e",
            compiled.params,
        )
        try:
            # Only the customers the user may see (a consultant: their own), like every other list.
            scoped_sql, scoped_params = (
                _customers(user)
                .filter(site_id=rule_set.site_id)
                .order_by()
                .values("pk")
                .query.sql_with_params()
            )
            cursor.execute(f"DELETE FROM {tmp} WHERE customer_id NOT IN ({scoped_sql})", scoped_params)
            cursor.execute(
                f"SELECT COALESCE(m.tier, ''), t.tier, COUNT(*) FROM {tmp} t "
                f"LEFT JOIN {mt} m ON m.customer_id = t.customer_id GROUP BY COALESCE(m.tier, ''), t.tier"
            )
            matrix = {(f, t): int(n) for f, t, n in cursor.fetchall()}
            cursor.execute(
                f"SELECT t.customer_id, c.name, c.phone, COALESCE(m.tier, ''), t.tier FROM {tmp} t "
                f"JOIN {cu} c ON c.id = t.customer_id LEFT JOIN {mt} m ON m.customer_id = t.customer_id "
                f"WHERE m.tier IS NULL OR m.tier <> t.tier ORDER BY c.name, t.customer_id LIMIT {PREVIEW_LIST_LIMIT}"
            )
            movers = [
                {"customer_id": pk, "name": name, "phone": phone, "from": f, "to": t}
                for pk, name, phone, f, t in cursor.fetchall()
            ]
        finally:
            cursor.execute(f"DROP TABLE {tmp}")
    rank = tier_rank(rule_set.definition)
    current = active_rule_set(site_id=rule_set.site_id)
    old_rank = tier_rank(current.definition) if current else {}
    from_tiers = sorted({f for f, _ in matrix}, key=lambda c: (c == "", old_rank.get(c, rank.get(c, 99)), c))
    to_tiers = sorted({t for _, t in matrix}, key=lambda c: (rank.get(c, 99), c))
    labels = {
        **(tier_labels(current.definition) if current else {}),
        **tier_labels(rule_set.definition),
        "": _("（无）"),
    }
    return Preview(
        rule_set=rule_set,
        from_tiers=from_tiers,
        to_tiers=to_tiers,
        matrix=matrix,
        movers=movers,
        moving=sum(n for (f, t), n in matrix.items() if f != t),
        members=sum(matrix.values()),
        labels=labels,
    )


def care_task_list(
    *, user, assignee_id: int | None = None, status: str | None = None, due_by: dt.date | None = None
) -> QuerySet[CareTask]:
    """Care tasks: a consultant sees those assigned to them; managers see their sites'."""
    scope = scope_for(user)
    if not scope.can("members.view_caretask"):
        return CareTask.objects.none()
    qs = CareTask.objects.filter(customer__is_deleted=False).select_related("customer", "assignee")
    if scope.own_only and not scope.is_superuser:
        qs = qs.filter(assignee_id=scope.staff_id) if scope.staff_id else qs.none()
    else:
        qs = scope.filter_sites(qs)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if status:
        qs = qs.filter(status=status)
    if due_by is not None:
        qs = qs.filter(due_on__lte=due_by)
    return qs.order_by("due_on", "id")


def care_completion(*, user, due_by: dt.date | None = None) -> list[dict[str, Any]]:
    """Per consultant: tasks due by the date (or closed early), done, skipped, still open;
    completion rate = done ÷ that total."""
    due_by = due_by or timezone.localdate()
    qs = care_task_list(user=user).filter(Q(due_on__lte=due_by) | ~Q(status=CareTaskStatus.OPEN)).order_by()
    rows = (
        qs.values("assignee_id", "assignee__name")
        .annotate(
            due=Count("id"),
            done=Count("id", filter=Q(status=CareTaskStatus.DONE)),
            skipped=Count("id", filter=Q(status=CareTaskStatus.SKIPPED)),
            open=Count("id", filter=Q(status=CareTaskStatus.OPEN)),
        )
        .order_by("assignee__name")
    )
    return [{**row, "rate": (row["done"] / row["due"]) if row["due"] else None} for row in rows]


def tier_counts(*, user) -> list[dict[str, Any]]:
    """Members per tier the user may see (one GROUP BY), each linking to the filtered list."""
    rows = member_list(user=user).order_by().values("tier").annotate(n=Count("id")).order_by("tier")
    return list(rows)


def upgrade_condition(*, site_ids=None) -> Q:
    """The tier changes that are upgrades: from a tier to a better one (lower rank) under the
    change's rule-set version; a member's first tier is not an upgrade. One query over the rule-set
    versions (a handful per site); the metric and its drill-down list share this condition."""
    rule_sets = TierRuleSet.objects.all()
    if site_ids is not None:
        rule_sets = rule_sets.filter(site_id__in=site_ids)
    condition = Q(pk__in=[])
    for rule_set_id, definition in rule_sets.values_list("pk", "definition"):
        rank = tier_rank(definition)
        for from_tier, from_rank in rank.items():
            better = [tier for tier, r in rank.items() if r < from_rank]
            if better:
                condition |= Q(rule_set_id=rule_set_id, from_tier=from_tier, to_tier__in=better)
    return condition


def tier_upgrade_list(
    *, user, site_id: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[TierChange]:
    """Upgrades (by evaluation date `as_of`) of members the user may see: the rows behind
    `members.tier_upgrades`."""
    scope = scope_for(user)
    if not scope.can("members.view_membertier"):
        return TierChange.objects.none()
    qs = scope.filter_sites(TierChange.objects.filter(customer__is_deleted=False))
    if scope.own_only and not scope.is_superuser:
        qs = qs.filter(customer__owner_id=scope.staff_id) if scope.staff_id else qs.none()
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if date_from is not None:
        qs = qs.filter(as_of__gte=date_from)
    if date_to is not None:
        qs = qs.filter(as_of__lte=date_to)
    qs = qs.filter(upgrade_condition(site_ids=[site_id] if site_id is not None else None))
    return qs.select_related("customer", "rule_set").order_by("-as_of", "-id")


def done_between(
    qs: QuerySet[CareTask], date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[CareTask]:
    """Care tasks done on the dates [date_from, date_to] (Asia/Shanghai days of `done_at`)."""
    tz = timezone.get_default_timezone()
    qs = qs.filter(status=CareTaskStatus.DONE)
    if date_from is not None:
        qs = qs.filter(done_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to is not None:
        qs = qs.filter(
            done_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs
