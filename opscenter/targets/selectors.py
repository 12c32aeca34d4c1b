"""Reads of target plans, scoped by the acting user (their sites; executives read all)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opscenter.core.exceptions import NotFound
from opscenter.org.selectors import scope_for
from opscenter.targets.choices import UnitKind
from opscenter.targets.metrics import is_money, metric_label
from opscenter.targets.models import Allocation, Notification, PlanMetric, TargetPlan
from opscenter.targets.units import UNIT_DEPTH, Unit, unit_of


def plan_list(*, user, site_id: int | None = None, year: int | None = None) -> QuerySet[TargetPlan]:
    scope = scope_for(user)
    if not scope.can("targets.view_targetplan"):
        return TargetPlan.objects.none()
    qs = scope.filter_sites(TargetPlan.objects.select_related("site", "created_by"), "site")
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "site__code", "-version")


def plan_get(*, user, plan_id: int) -> TargetPlan:
    """The plan, or NotFound; a plan of a site the user cannot see is refused (403)."""
    scope = scope_for(user)
    scope.require("targets.view_targetplan")
    plan = TargetPlan.objects.select_related("site", "revised_from", "created_by").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("目标计划不存在"))
    scope.require_site(plan.site_id)
    return plan


def plan_versions(*, plan: TargetPlan) -> list[TargetPlan]:
    return list(TargetPlan.objects.filter(site_id=plan.site_id, year=plan.year).order_by("-version"))


def plan_metrics(*, plan: TargetPlan) -> list[PlanMetric]:
    return list(plan.metrics.order_by("sort_order", "pk"))


@dataclass
class GridRow:
    """One unit's 12 months of one metric; `check` rows compare children with their parent."""

    unit: Unit
    depth: int
    cells: list[Allocation | None]
    parent_key: str | None = None
    total: int = 0
    check: list[int] | None = None  # parent − sum(children) per month (only on parents with children)
    check_total: int = 0
    children_label: str = ""


@dataclass
class Grid:
    metric: PlanMetric
    months: list[int]
    rows: list[GridRow] = field(default_factory=list)
    annual_difference: int = 0  # yearly target − sum of the site's months

    @property
    def money(self) -> bool:
        return is_money(self.metric.metric)

    @property
    def label(self) -> str:
        return metric_label(self.metric.metric)

    @property
    def balanced(self) -> bool:
        return self.annual_difference == 0 and all(not any(r.check or []) for r in self.rows)


def allocation_grid(*, metric: PlanMetric) -> Grid:
    """The metric's allocations as a tree of unit rows (site, its departments / teams / staff, and
    theirs), each parent followed by how far its children are from it, month by month. One query."""
    year = metric.plan.year
    months = [year * 100 + m for m in range(1, 13)]
    allocations = list(
        Allocation.objects.filter(plan_metric=metric)
        .select_related("department", "team", "staff", "parent")
        .order_by("pk")
    )
    by_unit: dict[str, GridRow] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for a in allocations:
        row = by_unit.get(a.unit_key)
        if row is None:
            row = by_unit[a.unit_key] = GridRow(unit=unit_of(a), depth=0, cells=[None] * 12)
            parent_key = a.parent.unit_key if a.parent_id else None
            row.parent_key = parent_key
            if parent_key:
                children[parent_key].append(a.unit_key)
        row.cells[a.month % 100 - 1] = a
        row.total += a.target
    grid = Grid(metric=metric, months=months)
    site_row = by_unit.get(UnitKind.SITE)
    grid.annual_difference = metric.annual_target - (site_row.total if site_row else 0)

    def visit(key: str, depth: int) -> None:
        row = by_unit[key]
        row.depth = depth
        grid.rows.append(row)
        kids = children.get(key, [])
        if kids:
            row.check = [
                (row.cells[m].target if row.cells[m] else 0)
                - sum(by_unit[k].cells[m].target for k in kids if by_unit[k].cells[m])
                for m in range(12)
            ]
            row.check_total = sum(row.check)
            row.children_label = _("、").join(by_unit[k].unit.label for k in kids)
        for kid in kids:
            visit(kid, depth + 1)

    roots = [k for k, r in by_unit.items() if r.parent_key is None]
    for key in sorted(roots, key=lambda k: (k != UnitKind.SITE, k)):
        visit(key, 0)
    return grid


def plan_units(*, plan: TargetPlan) -> list[Unit]:
    """Every unit the plan allocates to, site first, then departments, teams, staff."""
    rows = (
        Allocation.objects.filter(plan_metric__plan=plan)
        .select_related("department", "team", "staff")
        .order_by("unit_kind", "unit_key")
        .distinct()
    )
    seen: dict[str, Unit] = {}
    fields = ("unit_kind", "unit_key", "department__name", "team__name", "staff__name", "staff__team_id")
    for a in rows.only(*fields):
        seen.setdefault(a.unit_key, unit_of(a))
    return sorted(seen.values(), key=lambda u: (UNIT_DEPTH[u.kind], u.label))


def version_comparison(*, plan: TargetPlan) -> list[dict]:
    """Each metric's yearly target in this version and the one it was revised from."""
    if plan.revised_from_id is None:
        return []
    previous = {m.metric: m.annual_target for m in plan.revised_from.metrics.all()}
    rows = []
    for metric in plan.metrics.order_by("sort_order", "pk"):
        before = previous.get(metric.metric)
        rows.append(
            {
                "metric": metric.metric,
                "label": metric_label(metric.metric),
                "money": is_money(metric.metric),
                "before": before,
                "after": metric.annual_target,
                "change": None if before is None else metric.annual_target - before,
            }
        )
    return rows


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=getattr(user, "pk", None)).order_by("-created_at", "-pk")


def unread_notification_count(*, user) -> int:
    """The badge count for the page shell (one COUNT on an index)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
