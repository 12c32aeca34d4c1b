"""Writes of target decomposition: plans, their monthly and unit splits, versions, rate overrides.

Every function checks the actor's permission and that the plan's site is one they write to
(`require_site(..., write=True)`: out of scope is 403). Allocation rows written in bulk (a whole
split) record one audit event on the plan, as imports do; single edits are audited field by field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.core.scoping import Scope
from opscenter.org.models import Department, Site, Staff, Team
from opscenter.org.selectors import scope_for
from opscenter.pipeline.models import Channel
from opscenter.targets import actuals, solver
from opscenter.targets.choices import TRANSITIONS, PlanStatus, SplitMethod, UnitKind
from opscenter.targets.constants import MONEY_METRIC, SOLVED_METRICS
from opscenter.targets.metrics import get_metric, metric_label
from opscenter.targets.models import (
    Allocation,
    Notification,
    PlanMetric,
    RateOverride,
    RateTarget,
    TargetPlan,
)
from opscenter.targets.splitting import history_weights, split_by_weights
from opscenter.targets.units import UNIT_DEPTH, Unit, parse_unit_key

SITE_UNIT = Unit(UnitKind.SITE, None, gettext_lazy("全院区"))


def _scope(actor, perm: str) -> Scope:
    scope = scope_for(actor)
    scope.require(perm)
    return scope


def _plan_for_write(scope: Scope, plan_id: int, *, draft: bool = False) -> TargetPlan:
    plan = (
        TargetPlan.objects.select_related("site").select_for_update(of=("self",)).filter(pk=plan_id).first()
    )
    if plan is None:
        raise NotFound(_("目标计划不存在"), log_message=f"plan {plan_id} missing")
    scope.require_site(plan.site_id, write=True)
    if draft and plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("该计划为“%(get_status_display)s”状态，不能修改；请先“修订”生成新的草稿版本")
            % {"get_status_display": plan.get_status_display()},
            field="plan",
        )
    return plan


def _months(year: int) -> list[int]:
    return [year * 100 + m for m in range(1, 13)]


def _check_target(value: int, label: str) -> int:
    if value is None or int(value) < 0:
        raise ValidationError(_("%(label)s的目标不能为负数") % {"label": label}, field="target")
    return int(value)


@as_actor
@transaction.atomic
def plan_create(
    *,
    actor,
    site_id: int,
    year: int,
    targets: Mapping[str, int],
    month_split: str = SplitMethod.SEASONAL,
    manual_months: Mapping[str, Sequence[int]] | None = None,
    solve_from_revenue: bool = False,
    name: str = "",
    today=None,
) -> TargetPlan:
    """A new draft version of the site's plan for `year`: each metric's yearly target (money in
    fen) split into the site's 12 months evenly, by last year's shape, or by hand (`manual_months`).
    With `solve_from_revenue`, the deals, visits, consultations by mode and walk-ins the revenue
    needs are back-solved month by month from the site's trailing funnel rates.
    """
    scope = _scope(actor, "targets.add_targetplan")
    scope.require_site(site_id, write=True)
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("院区不存在"))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年度应在 2000 到 2100 之间"), field="year")
    if month_split not in SplitMethod.values:
        raise ValidationError(_("按月分解方式不正确"), field="month_split")
    wanted = {
        key: _check_target(value, metric_label(key)) for key, value in targets.items() if value is not None
    }
    for key in wanted:
        get_metric(key, site_kind=site.kind)
    if solve_from_revenue and not wanted.get(MONEY_METRIC):
        raise ValidationError(_("根据营收反推需要填写年度营收目标（大于 0）"), field="revenue")
    if not wanted:
        raise ValidationError(_("请至少填写一个指标的年度目标"), field="revenue")

    monthly: dict[str, list[int]] = {}
    if month_split == SplitMethod.MANUAL:
        for key in wanted:
            values = list((manual_months or {}).get(key) or [])
            if len(values) != 12:
                raise ValidationError(
                    _("%(metric_label)s需要填写 12 个月的目标") % {"metric_label": metric_label(key)},
                    field="manual_months",
                )
            monthly[key] = [_check_target(v, metric_label(key)) for v in values]
    else:
        history = {}
        if month_split == SplitMethod.SEASONAL:
            history = actuals.seasonal_history(
                user=actor, site_id=site_id, units=[SITE_UNIT], metrics=list(wanted), today=today
            )[SITE_UNIT.key]
        for key, annual in wanted.items():
            monthly[key] = split_by_weights(annual, history.get(key) or [1] * 12)

    if solve_from_revenue:
        resolved = solver.resolve_rates(actuals.trailing_rates(user=actor, site_id=site_id, units=[SITE_UNIT],
                                                               today=today)[SITE_UNIT.key])  # fmt: skip
        needs = [solver.back_solve(value, resolved.rates) for value in monthly[MONEY_METRIC]]
        solved = {
            "deals": [n.deals for n in needs],
            "visits": [n.visits for n in needs],
            "consultations_phone": [n.consultations_phone for n in needs],
            "consultations_online_local": [n.consultations_online for n in needs],
            "visits_walk_in": [n.visits_walk_in for n in needs],
        }
        for key in SOLVED_METRICS:
            monthly.setdefault(key, solved[key])

    version = (
        TargetPlan.objects.filter(site_id=site_id, year=year).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    plan = TargetPlan.objects.create(
        site=site,
        year=year,
        version=version,
        name=name.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for order, (key, values) in enumerate(monthly.items()):
        split = month_split if key in wanted else SplitMethod.MANUAL
        metric = PlanMetric.objects.create(
            plan=plan, metric=key, annual_target=sum(values), month_split=split, sort_order=order
        )
        Allocation.objects.bulk_create(
            Allocation(
                plan_metric=metric, month=month, unit_kind=UnitKind.SITE, unit_key=SITE_UNIT.key, target=v
            )
            for month, v in zip(_months(plan.year), values, strict=True)
        )
    how = SplitMethod(month_split).label + (_("，按漏斗反推咨询/上门/成交") if solve_from_revenue else "")
    audit.record_event(
        plan,
        gettext_noop("新建目标计划：%(len)s 项指标按月分解（%(how)s）") % {"len": len(monthly), "how": how},
    )
    return plan


def _units_for(plan: TargetPlan, parent: Unit, keys: Sequence[str]) -> list[Unit]:
    """Check the units: departments or teams of the plan's site under the site, teams of the
    department under a department, staff of the site (of the parent department or team). A unit
    and one inside it cannot share a parent: the same work would be counted twice."""
    if not keys:
        raise ValidationError(_("请选择至少一个分解对象"), field="units")
    units: list[Unit] = []
    departments: set[int] = set()
    inside: dict[str, int] = {}  # unit key → its department (teams and staff)
    for key in dict.fromkeys(keys):
        kind, pk = parse_unit_key(key)
        if kind == UnitKind.DEPARTMENT and parent.kind == UnitKind.SITE:
            department = Department.objects.filter(pk=pk, site_id=plan.site_id).first()
            if department is None:
                raise ValidationError(_("所选部门不属于该院区"), field="units")
            units.append(Unit(UnitKind.DEPARTMENT, department.pk, department.name))
            departments.add(department.pk)
        elif kind == UnitKind.TEAM and parent.kind in (UnitKind.SITE, UnitKind.DEPARTMENT):
            team = Team.objects.filter(pk=pk, department__site_id=plan.site_id).first()
            if team is None or (parent.kind == UnitKind.DEPARTMENT and team.department_id != parent.pk):
                raise ValidationError(_("所选小组不属于该院区或该部门"), field="units")
            units.append(Unit(UnitKind.TEAM, team.pk, team.name))
            inside[key] = team.department_id
        elif kind == UnitKind.STAFF:
            staff = Staff.objects.filter(pk=pk, department__site_id=plan.site_id, is_active=True).first()
            if (
                staff is None
                or (parent.kind == UnitKind.TEAM and staff.team_id != parent.pk)
                or (parent.kind == UnitKind.DEPARTMENT and staff.department_id != parent.pk)
            ):
                raise ValidationError(_("所选员工不属于该院区、该部门或该小组"), field="units")
            units.append(Unit(UnitKind.STAFF, staff.pk, staff.name, staff.team_id))
            inside[key] = staff.department_id
        elif parent.kind == UnitKind.DEPARTMENT:
            raise ValidationError(_("部门的目标只能分解到其小组或员工"), field="units")
        else:
            raise ValidationError(_("小组的目标只能分解到其组员"), field="units")
    if any(department in departments for department in inside.values()):
        raise ValidationError(
            _("不能同时分解到部门和该部门下的小组或员工，请先分到部门再往下分"), field="units"
        )
    return units


@as_actor
@transaction.atomic
def plan_split_units(
    *,
    actor,
    plan_id: int,
    units: Sequence[str],
    method: str = SplitMethod.SEASONAL,
    parent: str = "site",
    metrics: Sequence[str] | None = None,
    today=None,
) -> int:
    """Split each month of the parent's targets (the site's, a department's or a team's) among
    `units`, evenly or by each unit's share of last year's actuals in that calendar month; the
    parts add up exactly. Replaces an earlier split of the same parent. Returns the number of
    allocations written."""
    scope = _scope(actor, "targets.change_allocation")
    plan = _plan_for_write(scope, plan_id, draft=True)
    if method not in (SplitMethod.EVEN, SplitMethod.SEASONAL):
        raise ValidationError(_("分解方式不正确"), field="method")
    parent_kind, parent_pk = parse_unit_key(parent)
    parent_unit = SITE_UNIT if parent_kind == UnitKind.SITE else Unit(parent_kind, parent_pk, "")
    if parent_kind == UnitKind.STAFF:
        raise ValidationError(_("员工的目标不能再分解"), field="parent")
    children = _units_for(plan, parent_unit, units)
    plan_metrics = list(plan.metrics.all())
    if metrics:
        plan_metrics = [m for m in plan_metrics if m.metric in set(metrics)]
    history = {}
    if method == SplitMethod.SEASONAL:
        history = actuals.seasonal_history(
            user=actor,
            site_id=plan.site_id,
            units=children,
            metrics=[m.metric for m in plan_metrics],
            today=today,
        )
    created: list[Allocation] = []
    for metric in plan_metrics:
        parents = list(metric.allocations.filter(unit_key=parent_unit.key).order_by("month"))
        if not parents:
            raise ValidationError(
                _("%(metric_label)s在上级单位没有目标，请先分解上级")
                % {"metric_label": metric_label(metric.metric)},
                field="parent",
            )
        # A unit appears once per metric and month: an earlier split to these units goes too.
        Allocation.objects.filter(plan_metric=metric, parent__in=parents).delete()
        Allocation.objects.filter(plan_metric=metric, unit_key__in=[u.key for u in children]).delete()
        if method == SplitMethod.SEASONAL:
            weights = history_weights([history[u.key][metric.metric] for u in children])
        else:
            weights = [[1] * 12 for _ in children]
        for allocation in parents:
            m = allocation.month % 100 - 1
            parts = split_by_weights(allocation.target, [w[m] for w in weights])
            for unit, part in zip(children, parts, strict=True):
                created.append(
                    Allocation(
                        plan_metric=metric, month=allocation.month, unit_kind=unit.kind, unit_key=unit.key,
                        department_id=unit.pk if unit.kind == UnitKind.DEPARTMENT else None,
                        team_id=unit.pk if unit.kind == UnitKind.TEAM else None,
                        staff_id=unit.pk if unit.kind == UnitKind.STAFF else None,
                        parent=allocation, target=part,
                    )
                )  # fmt: skip
    Allocation.objects.bulk_create(created)
    names = _("、").join(u.label for u in children)
    audit.record_event(
        plan,
        gettext_noop("目标分解到 %(names)s（%(label)s），共 %(len)s 条")
        % {"names": names, "label": SplitMethod(method).label, "len": len(created)},
    )
    return len(created)


@as_actor
@transaction.atomic
def allocation_update(*, actor, allocation_id: int, target: int) -> Allocation:
    """Set one month's target of one unit by hand (money in fen). Children and parents are left as
    they are: the plan page shows by how much they no longer add up."""
    scope = _scope(actor, "targets.change_allocation")
    allocation = Allocation.objects.select_related("plan_metric__plan").filter(pk=allocation_id).first()
    if allocation is None:
        raise NotFound(_("目标分解不存在"))
    _plan_for_write(scope, allocation.plan_metric.plan_id, draft=True)
    allocation.target = _check_target(target, metric_label(allocation.plan_metric.metric))
    allocation.save(update_fields=["target"])
    return allocation


@as_actor
@transaction.atomic
def plan_metric_sync_annual(*, actor, plan_metric_id: int) -> PlanMetric:
    """Make a metric's yearly target the sum of the site's months (after editing months by hand)."""
    scope = _scope(actor, "targets.change_planmetric")
    metric = PlanMetric.objects.filter(pk=plan_metric_id).first()
    if metric is None:
        raise NotFound(_("计划指标不存在"))
    _plan_for_write(scope, metric.plan_id, draft=True)
    metric.annual_target = sum(
        metric.allocations.filter(unit_key=SITE_UNIT.key).values_list("target", flat=True)
    )
    metric.save(update_fields=["annual_target"])
    return metric


def _transition(plan: TargetPlan, to: str) -> None:
    if to not in TRANSITIONS[plan.status]:
        raise ValidationError(
            _("计划状态不能从“%(get_status_display)s”变为“%(label)s”")
            % {"get_status_display": plan.get_status_display(), "label": PlanStatus(to).label},
            field="status",
        )
    now = timezone.now()
    plan.status = to
    fields = ["status"]
    if to == PlanStatus.ACTIVE:
        plan.activated_at, fields = now, [*fields, "activated_at"]
    if to == PlanStatus.SUPERSEDED:
        plan.superseded_at, fields = now, [*fields, "superseded_at"]
    plan.save(update_fields=fields)


@as_actor
@transaction.atomic
def plan_transition(*, actor, plan_id: int, to: str) -> TargetPlan:
    """Move a plan along its lifecycle. Activating supersedes the site's active plan of the year."""
    scope = _scope(actor, "targets.change_targetplan")
    plan = _plan_for_write(scope, plan_id)
    if to == PlanStatus.ACTIVE and plan.status == PlanStatus.DRAFT:
        for old in TargetPlan.objects.select_for_update().filter(
            site_id=plan.site_id, year=plan.year, status=PlanStatus.ACTIVE
        ):
            _transition(old, PlanStatus.SUPERSEDED)
    _transition(plan, to)
    return plan


@as_actor
@transaction.atomic
def plan_revise(*, actor, plan_id: int) -> TargetPlan:
    """A new draft version copied from `plan` (metrics, allocations with their splits, rate
    overrides). The original is untouched and stays for comparison."""
    scope = _scope(actor, "targets.add_targetplan")
    plan = _plan_for_write(scope, plan_id)
    version = (
        TargetPlan.objects.filter(site_id=plan.site_id, year=plan.year).aggregate(v=Max("version"))["v"] + 1
    )
    new = TargetPlan.objects.create(
        site_id=plan.site_id, year=plan.year, version=version, name=plan.name, revised_from=plan,
        alert_share=plan.alert_share, note=plan.note, created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    for metric in plan.metrics.all():
        copy = PlanMetric.objects.create(
            plan=new, metric=metric.metric, annual_target=metric.annual_target,
            month_split=metric.month_split, sort_order=metric.sort_order,
        )  # fmt: skip
        old_rows = list(metric.allocations.order_by("parent_id", "pk"))
        new_ids: dict[int, Allocation] = {}
        # Parents first (site rows, departments, teams, staff) so children can point at the copies.
        for depth in UNIT_DEPTH:
            batch = [
                Allocation(
                    plan_metric=copy, month=a.month, unit_kind=a.unit_kind, unit_key=a.unit_key,
                    department_id=a.department_id, team_id=a.team_id, staff_id=a.staff_id,
                    parent=new_ids.get(a.parent_id) if a.parent_id else None, target=a.target,
                )
                for a in old_rows if a.unit_kind == depth
            ]  # fmt: skip
            sources = [a for a in old_rows if a.unit_kind == depth]
            for source, made in zip(sources, Allocation.objects.bulk_create(batch), strict=True):
                new_ids[source.pk] = made
    RateOverride.objects.bulk_create(
        RateOverride(plan=new, unit_key=o.unit_key, channel_id=o.channel_id, rate=o.rate, value=o.value)
        for o in plan.rate_overrides.all()
    )
    audit.record_event(new, gettext_noop("由 v%(version)s 修订生成") % {"version": plan.version})
    return new


def _override_channel(plan: TargetPlan, channel_id: int | None) -> Channel | None:
    """The channel of a by-channel override: a shared channel or one of the plan's site."""
    if channel_id is None:
        return None
    channel = Channel.objects.filter(Q(site__isnull=True) | Q(site_id=plan.site_id), pk=channel_id).first()
    if channel is None:
        raise ValidationError(_("渠道不存在或不属于该院区"), field="channel")
    return channel


@as_actor
@transaction.atomic
def rate_overrides_set(
    *,
    actor,
    plan_id: int,
    unit_key: str,
    values: Mapping[str, Decimal | None],
    channel_id: int | None = None,
) -> int:
    """Set (or, with None, clear) a unit's funnel rates by hand: its rates across all channels, or
    with `channel_id` the rates of one source channel (the by-channel back-solve). Proportions are
    fractions (0.35 = 35%), 单笔贡献额 is in fen. Returns how many overrides the unit (or the
    unit's channel) now has."""
    scope = _scope(actor, "targets.change_rateoverride")
    plan = _plan_for_write(scope, plan_id)
    if plan.status == PlanStatus.SUPERSEDED:
        raise ValidationError(_("已被替代的计划不能修改"), field="plan")
    parse_unit_key(unit_key)
    channel = _override_channel(plan, channel_id)
    unknown = set(values) - set(solver.RATE_KEYS)
    if unknown:
        raise ValidationError(
            _("未知的转化率：%(join)s") % {"join": ", ".join(sorted(unknown))}, field="rate"
        )
    try:
        solver.validate_rates(solver.Rates(**{k: v for k, v in values.items() if v is not None}))
    except ValidationError as exc:
        if channel is None:
            raise
        raise ValidationError(
            _("渠道“%(name)s”：%(message)s") % {"name": channel.name, "message": exc.message}, field=exc.field
        ) from exc
    existing = {o.rate: o for o in RateOverride.objects.filter(plan=plan, unit_key=unit_key, channel=channel)}
    for key, value in values.items():
        current = existing.get(key)
        if value is None:
            if current is not None:
                current.delete()
        elif current is None:
            RateOverride.objects.create(plan=plan, unit_key=unit_key, channel=channel, rate=key, value=value)
        elif current.value != value:
            current.value = value
            current.save(update_fields=["value"])
    return RateOverride.objects.filter(plan=plan, unit_key=unit_key, channel=channel).count()


@as_actor
@transaction.atomic
def rate_targets_set(
    *, actor, plan_id: int, unit_key: str, values: Mapping[tuple[str, int], Decimal | None]
) -> int:
    """Set (or, with None, clear) a unit's monthly rate targets: `values` maps (rate key, yyyymm of
    the plan's year) to a value (proportions as fractions, 单笔贡献额 in fen). Each is that month's
    solver assumption and its rate target. Returns how many the unit now has. Permission as for
    the plan-wide overrides; all or nothing."""
    scope = _scope(actor, "targets.change_rateoverride")
    plan = _plan_for_write(scope, plan_id)
    if plan.status == PlanStatus.SUPERSEDED:
        raise ValidationError(_("已被替代的计划不能修改"), field="plan")
    parse_unit_key(unit_key)
    by_month: dict[int, dict[str, Decimal]] = {}
    for (rate, month), value in values.items():
        if rate not in solver.TARGET_RATE_KEYS:
            raise ValidationError(_("未知的转化率：%(rate)s") % {"rate": rate}, field="rate")
        if month // 100 != plan.year or not 1 <= month % 100 <= 12:
            raise ValidationError(_("月份应在计划年度 %(year)s 内") % {"year": plan.year}, field="month")
        if value is not None:
            by_month.setdefault(month, {})[rate] = value
    for month, rates in by_month.items():
        try:
            solver.validate_rates(solver.Rates(**rates))
        except ValidationError as exc:
            raise ValidationError(
                _("%(year)s年%(month)s月：%(message)s")
                % {"year": month // 100, "month": month % 100, "message": exc.message},
                field=exc.field,
            ) from exc
    existing = {(t.rate, t.month): t for t in RateTarget.objects.filter(plan=plan, unit_key=unit_key)}
    for key, value in values.items():
        current = existing.get(key)
        if value is None:
            if current is not None:
                current.delete()
        elif current is None:
            RateTarget.objects.create(plan=plan, unit_key=unit_key, rate=key[0], month=key[1], value=value)
        elif current.value != value:
            current.value = value
            current.save(update_fields=["value"])
    return RateTarget.objects.filter(plan=plan, unit_key=unit_key).count()


def notification_mark_read(*, actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications (or, without an id, all of them) as read."""
    qs = Notification.objects.filter(recipient_id=getattr(actor, "pk", None), read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
