"""The customer funnel (seed 004, 指标分解) for any period, site, channel, team and consultant.

Counting model — every number counts rows of one event table, so each cell has a drill-down:

* Views. **Cohort** (default): a row counts in the month of the customer's first contact
  (`cohort_month`, the first consultation; a walk-in's first visit), so a visit or deal is
  credited to the month and channel that produced the prospect. **Event**: a row counts in its own
  month (`month`: consultation, booking, arrival, signing). The UI always says which.
* Consultations: every consultation, by mode; online split into local (本市) and out-of-town.
* Appointments: bookings by mode (online split likewise), not counting rows closed as
  rescheduled — the replacement booking keeps the original booking month, so a booking counts once.
* Visits: by source — phone, online (local / out-of-town), walk-in (自然上门); `visits_new` are
  visits of customers with no signed deal yet.
* Deals: signed deals; `deals_new` are customers' first deals (新顾客成交). Revenue is their amount.
* New residents (elder care, 新入住): by stay type (试住/短住/长住) each resident's first signed
  contract of that type (a trial resident signing long-stay counts as a new long-stay resident),
  by care zone new-customer signed deals; 试住转长住 the first long-stay contracts after a trial. Not computed by `funnel()` (the covering indexes do not carry those columns) but by
  `metric_counts`, under the same scope and filters, and drilled down by `funnel_rows` alike.
* Rates: 电话预约率 = phone appointments ÷ phone consultations; 网络预约率 = online local
  appointments ÷ online local consultations; 电话上门率 / 网络上门率 likewise with visits (online
  on local prospects only, as seed 004 does); 爽约率 = no-shows ÷ (arrived + no-shows);
  新顾客成交率 = new-customer deals ÷ new-customer visits; 总成交率 = deals ÷ visits;
  人均贡献额 = revenue ÷ distinct customers with a deal; 单笔贡献额 = revenue ÷ signed deals (the
  per-row money rate `targets` chains with 总成交率). A rate with a zero denominator is None.
* Scope and filters: the user's sites; a consultant sees the work credited to them (the event's
  `owner`, the customer's owner when it happened); team / consultant filters use the same
  columns (`team`: the owner's team when it happened); a department filter is the events credited
  to its teams (`team_id IN (its teams)`, an uncorrelated subquery the database resolves once per
  query, so the funnel stays five queries and reads no team row per event); channel filters use
  the customer's source channel copied onto every row.

The whole funnel is five aggregate queries (one GROUP BY month per event table plus one distinct
count), each answered from the covering index `(month | cohort_month, site, …)` of its table
(an index-only scan on PostgreSQL, a covering-index search on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError
from opscenter.org.models import Team
from opscenter.org.selectors import scope_for
from opscenter.pipeline.choices import (
    AppointmentMode,
    AppointmentStatus,
    CareZone,
    ChannelKind,
    ConsultationMode,
    DealStatus,
    FunnelView,
    StayType,
    VisitSource,
)
from opscenter.pipeline.constants import RATE_PLACES
from opscenter.pipeline.models import Appointment, Consultation, Deal, Visit
from opscenter.pipeline.periods import (
    is_month_key,
    month_add,
    month_key,
    month_label,
    month_span,
    parse_month,
)

_NOT_RESCHEDULED = ~Q(status=AppointmentStatus.RESCHEDULED)
_SIGNED = Q(status=DealStatus.SIGNED)


@dataclass(frozen=True)
class Metric:
    """A counted cell: the rows of `model` matching `condition` (plus the funnel's filters).

    `in_funnel=False`: a count `funnel()` leaves out — its condition reads columns the covering
    indexes do not carry (stay type, care zone), so computing it there would cost every funnel an
    index-only scan. It is counted on demand by `metric_counts` and drills down like any cell.
    """

    key: str
    label: str
    model: type[Model]
    condition: Q
    in_funnel: bool = True


_NEW_SIGNED = _SIGNED & Q(is_new_customer=True)
_HISTORY = Q(is_history=True)
_NOT_HISTORY = Q(is_history=False)


def _resident(value: str, label: str, condition: Q) -> Metric:
    return Metric(
        f"residents_new_{value}",
        # Built when the module loads: translated when shown, not now.
        lazy(lambda: gettext("新入住 · %(label)s") % {"label": label}, str)(),
        Deal,
        _NEW_SIGNED & condition,
        in_funnel=False,
    )


def _signed_before(**same: Any) -> Exists:
    """A signed deal of the same customer matching `same`, signed before this one (same day: lower id)."""
    earlier = Q(signed_on__lt=OuterRef("signed_on")) | Q(
        signed_on=OuterRef("signed_on"), pk__lt=OuterRef("pk")
    )
    return Exists(
        Deal.objects.filter(earlier, customer_id=OuterRef("customer_id"), status=DealStatus.SIGNED, **same)
    )


def _first_stay(value: str, label: str) -> Metric:
    """新入住 by stay type: each resident's first signed contract of that stay type, whatever came
    before — a 试住 resident who later signs 长住 counts once toward the long-stay target (seed 000)."""
    first = _SIGNED & Q(stay_type=value) & ~Q(_signed_before(stay_type=value))
    return Metric(
        f"residents_new_{value}",
        lazy(lambda: gettext("新入住 · %(label)s") % {"label": label}, str)(),
        Deal,
        first,
        in_funnel=False,
    )


# 试住转长住: a resident's first long-stay contract after a signed trial stay; its rate (in the
# targets registry) divides by 新入住·试住 of the same period — exact per prospect in the cohort view.
_TRIAL_CONVERTED = Metric(
    "residents_trial_converted",
    _("试住转长住"),
    Deal,
    _first_stay(StayType.LONG, "").condition & Q(_signed_before(stay_type=StayType.TRIAL)),
    in_funnel=False,
)


ALL_METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("consultations", _("咨询量"), Consultation, Q()),
        Metric("consultations_phone", _("电话咨询量"), Consultation, Q(mode=ConsultationMode.PHONE)),
        Metric(
            "consultations_online_local",
            _("网络咨询量(本市)"),
            Consultation,
            Q(mode=ConsultationMode.ONLINE, is_local=True),
        ),
        Metric(
            "consultations_online_remote",
            _("网络咨询量(外地)"),
            Consultation,
            Q(mode=ConsultationMode.ONLINE, is_local=False),
        ),
        Metric("consultations_onsite", _("现场咨询量"), Consultation, Q(mode=ConsultationMode.ONSITE)),
        Metric("appointments", _("预约量"), Appointment, _NOT_RESCHEDULED),
        Metric(
            "appointments_phone",
            _("电话预约量"),
            Appointment,
            _NOT_RESCHEDULED & Q(mode=AppointmentMode.PHONE),
        ),
        Metric(
            "appointments_online_local",
            _("网络预约量(本市)"),
            Appointment,
            _NOT_RESCHEDULED & Q(mode=AppointmentMode.ONLINE, is_local=True),
        ),
        Metric(
            "appointments_online_remote",
            _("网络预约量(外地)"),
            Appointment,
            _NOT_RESCHEDULED & Q(mode=AppointmentMode.ONLINE, is_local=False),
        ),
        Metric("appointments_arrived", _("预约到院"), Appointment, Q(status=AppointmentStatus.ARRIVED)),
        Metric("appointments_no_show", _("爽约"), Appointment, Q(status=AppointmentStatus.NO_SHOW)),
        Metric(
            "appointments_due",
            _("已到期预约(到院+爽约)"),
            Appointment,
            Q(status__in=[AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW]),
        ),
        Metric("visits", _("总上门量"), Visit, Q()),
        Metric("visits_phone", _("电话上门量"), Visit, Q(source=VisitSource.PHONE)),
        Metric(
            "visits_online_local", _("网络上门量(本市)"), Visit, Q(source=VisitSource.ONLINE, is_local=True)
        ),
        Metric(
            "visits_online_remote", _("网络上门量(外地)"), Visit, Q(source=VisitSource.ONLINE, is_local=False)
        ),
        Metric("visits_walk_in", _("自然上门量"), Visit, Q(source=VisitSource.WALK_IN)),
        Metric("visits_new", _("新顾客上门量"), Visit, Q(is_new_customer=True)),
        Metric("deals", _("成交量"), Deal, _SIGNED & _NOT_HISTORY),
        Metric("deals_new", _("新顾客成交量"), Deal, _NEW_SIGNED & _NOT_HISTORY),
        # Imported history (a ledger's contracts with no consultation or visit before them): in
        # revenue, apart from the conversion rates, which read `deals` and `deals_new` only.
        Metric("deals_history", _("导入的历史成交"), Deal, _SIGNED & _HISTORY),
        # Elder care: new residents by stay type (each resident's first contract of that type)
        # and by care zone (a new customer's signed stay contract), and trial → long-stay
        # conversions, dated like any deal (the signing month in the event view); a clinic's
        # deals have neither and never count here.
        *(_first_stay(value, label) for value, label in StayType.choices),
        *(_resident(value, label, Q(care_zone=value)) for value, label in CareZone.choices),
        _TRIAL_CONVERTED,
    )
}
# The cells `funnel()` computes (and `FunnelRow.counts` holds).
METRICS: dict[str, Metric] = {key: m for key, m in ALL_METRICS.items() if m.in_funnel}

# rate key → (label, numerator metric, denominator metric)
RATES: dict[str, tuple[str, str, str]] = {
    "phone_appointment_rate": (_("电话预约率"), "appointments_phone", "consultations_phone"),
    "online_appointment_rate": (_("网络预约率"), "appointments_online_local", "consultations_online_local"),
    "phone_visit_rate": (_("电话上门率"), "visits_phone", "consultations_phone"),
    "online_visit_rate": (_("网络上门率"), "visits_online_local", "consultations_online_local"),
    "no_show_rate": (_("爽约率"), "appointments_no_show", "appointments_due"),
    "new_customer_conversion_rate": (_("新顾客成交率"), "deals_new", "visits_new"),
    "total_conversion_rate": (_("总成交率"), "deals", "visits"),
}

# Money cells drill down to the signed deals they add up.
MONEY_LABELS = {
    "revenue_fen": _("成交金额"),
    "revenue_per_customer_fen": _("人均贡献额"),
    "revenue_per_deal_fen": _("单笔贡献额"),
    "deal_customers": _("成交客户数"),
}
DRILL_METRIC = {key: "deals" for key in MONEY_LABELS}
DRILL_METRIC.update({key: numerator for key, (_label, numerator, _den) in RATES.items()})

_MODELS: tuple[type[Model], ...] = (Consultation, Appointment, Visit, Deal)


@dataclass(frozen=True)
class FunnelFilters:
    """What the funnel covers: months `month_from`..`month_to` (yyyymm, inclusive) in `view`."""

    month_from: int
    month_to: int
    view: str = FunnelView.COHORT
    site_id: int | None = None
    channel_id: int | None = None
    channel_kind: str | None = None
    team_id: int | None = None
    consultant_id: int | None = None
    department_id: int | None = None

    def __post_init__(self) -> None:
        if not (is_month_key(self.month_from) and is_month_key(self.month_to)):
            raise ValidationError(gettext("月份格式不正确，应为 2026-07"), field="month_from")
        if self.month_from > self.month_to:
            raise ValidationError(gettext("开始月份不能晚于结束月份"), field="month_from")
        if self.view not in FunnelView.values:
            raise ValidationError(gettext("统计口径不正确"), field="view")
        if self.channel_kind is not None and self.channel_kind not in ChannelKind.values:
            raise ValidationError(gettext("渠道类型不正确"), field="channel_kind")

    @property
    def month_field(self) -> str:
        return "cohort_month" if self.view == FunnelView.COHORT else "month"

    @property
    def view_label(self) -> str:
        return FunnelView(self.view).label

    def for_month(self, month: int) -> FunnelFilters:
        """The same filters narrowed to one month (a cell of the monthly table)."""
        return replace(self, month_from=month, month_to=month)

    def as_params(self) -> dict[str, str]:
        """Query parameters that `parse_funnel_filters` reads back (for drill-down links)."""
        params = {
            "view": self.view,
            "month_from": f"{self.month_from // 100}-{self.month_from % 100:02d}",
            "month_to": f"{self.month_to // 100}-{self.month_to % 100:02d}",
            "site": self.site_id,
            "channel": self.channel_id,
            "channel_kind": self.channel_kind,
            "department": self.department_id,
            "team": self.team_id,
            "consultant": self.consultant_id,
        }
        return {k: str(v) for k, v in params.items() if v is not None}


def _parse_period(raw: str) -> tuple[int, int]:
    """ "2026" (year), "2026Q3" (quarter) or "2026-07" (month)."""
    text = str(raw).strip().upper()
    if len(text) == 4 and text.isdigit():
        return int(text) * 100 + 1, int(text) * 100 + 12
    if len(text) == 6 and text[4] == "Q" and text[:4].isdigit() and text[5] in "1234":
        first = int(text[:4]) * 100 + (int(text[5]) - 1) * 3 + 1
        return first, first + 2
    key = parse_month(text, "period")
    return key, key


def _parse_id(params: Mapping[str, Any], name: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(gettext("参数 %(name)s 应为数字") % {"name": name}, field=name) from None
    if value <= 0:
        raise ValidationError(gettext("参数 %(name)s 应为正数") % {"name": name}, field=name)
    return value


def parse_funnel_filters(params: Mapping[str, Any]) -> FunnelFilters:
    """Filters from query parameters: `view` (cohort|event), `period` (2026, 2026Q3, 2026-07) or
    `month_from`/`month_to` (2026-01), `site`, `channel`, `channel_kind`, `department`, `team`,
    `consultant`.
    Without a period: the twelve months up to the current one.
    """
    if params.get("period"):
        first, last = _parse_period(params["period"])
    elif params.get("month_from") or params.get("month_to"):
        current = month_key(timezone.localdate())
        last = parse_month(params["month_to"], "month_to") if params.get("month_to") else current
        first = (
            parse_month(params["month_from"], "month_from")
            if params.get("month_from")
            else month_add(last, -11)
        )
    else:
        last = month_key(timezone.localdate())
        first = month_add(last, -11)
    return FunnelFilters(
        month_from=first,
        month_to=last,
        view=params.get("view") or FunnelView.COHORT,
        site_id=_parse_id(params, "site"),
        channel_id=_parse_id(params, "channel"),
        channel_kind=params.get("channel_kind") or None,
        team_id=_parse_id(params, "team"),
        consultant_id=_parse_id(params, "consultant"),
        department_id=_parse_id(params, "department"),
    )


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-RATE_PLACES), ROUND_HALF_UP
    )


@dataclass
class FunnelRow:
    """The funnel numbers of one month (or of the whole period when `month` is None)."""

    month: int | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    revenue_fen: int = 0
    deal_customers: int = 0

    @property
    def label(self) -> str:
        return month_label(self.month) if self.month else gettext("合计")

    @property
    def rates(self) -> dict[str, Decimal | None]:
        return {key: _rate(self.counts[num], self.counts[den]) for key, (_l, num, den) in RATES.items()}

    @property
    def revenue_per_customer_fen(self) -> int | None:
        if not self.deal_customers:
            return None
        return int((Decimal(self.revenue_fen) / self.deal_customers).quantize(Decimal(1), ROUND_HALF_UP))

    @property
    def revenue_per_deal_fen(self) -> int | None:
        """单笔贡献额: revenue ÷ signed deals, the money rate the target solver chains with 总成交率."""
        if not self.counts["deals"]:
            return None
        return int((Decimal(self.revenue_fen) / self.counts["deals"]).quantize(Decimal(1), ROUND_HALF_UP))

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "label": self.label,
            **self.counts,
            **{k: (float(v) if v is not None else None) for k, v in self.rates.items()},
            "revenue_fen": self.revenue_fen,
            "deal_customers": self.deal_customers,
            "revenue_per_customer_fen": self.revenue_per_customer_fen,
            "revenue_per_deal_fen": self.revenue_per_deal_fen,
        }


@dataclass
class Funnel:
    """Funnel result: one row per month of the period (zeros included) and the total."""

    filters: FunnelFilters
    months: list[FunnelRow]
    total: FunnelRow

    def as_dict(self) -> dict[str, Any]:
        return {
            "view": self.filters.view,
            "view_label": self.filters.view_label,
            "filters": self.filters.as_params(),
            "total": self.total.as_dict(),
            "months": [row.as_dict() for row in self.months],
        }


def _base(user, model: type[Model], filters: FunnelFilters) -> QuerySet:
    """Scoped, filtered rows of one event table for the period (no metric condition yet)."""
    scope = scope_for(user)
    if not scope.can(f"pipeline.view_{model._meta.model_name}"):
        return model.objects.none()
    qs = scope.filter_sites(model.objects.all(), "site")
    if scope.own_only and not scope.is_superuser:
        qs = qs.filter(owner_id=scope.staff_id) if scope.staff_id else qs.none()
    month_field = filters.month_field
    qs = qs.filter(**{f"{month_field}__gte": filters.month_from, f"{month_field}__lte": filters.month_to})
    wanted = {
        "site_id": filters.site_id,
        "channel_id": filters.channel_id,
        "channel_kind": filters.channel_kind,
        "team_id": filters.team_id,
        "owner_id": filters.consultant_id,
    }
    qs = qs.filter(**{k: v for k, v in wanted.items() if v is not None})
    if filters.department_id is not None:
        # Events store the owner's team, not its department: filter on the department's team ids
        # (a subquery on the small team table) instead of joining every event row to its team.
        qs = qs.filter(team_id__in=Team.objects.filter(department_id=filters.department_id).values("pk"))
    return qs


def grouped_funnel_rows(
    *, user, filters: FunnelFilters, group_by: str, rows: dict[Any, FunnelRow]
) -> FunnelRow:
    """Fill `rows` (group value → FunnelRow; missing groups are added) with the funnel's counts
    grouped by the event column `group_by` — one aggregate query per event table — and return
    their total. Shared by `funnel()` (by month) and `funnel_by_channel()` (by source channel)."""
    for model in _MODELS:
        # COUNT(site_id), not COUNT(id): site_id is in both covering indexes and never null, so
        # PostgreSQL answers with an index-only scan (its indexes do not carry the primary key).
        annotations: dict[str, Any] = {
            key: Count("site_id", filter=metric.condition)
            for key, metric in METRICS.items()
            if metric.model is model
        }
        if model is Deal:
            annotations["revenue_fen"] = Sum("amount_fen", filter=_SIGNED)
            # Distinct within the group: a channel's 人均贡献额 equals `funnel(channel_id=c).total`'s.
            annotations["deal_customers"] = Count("customer_id", distinct=True, filter=_SIGNED)
        grouped = _base(user, model, filters).values(group_by).annotate(**annotations).order_by(group_by)
        for values in grouped:
            row = rows.get(values[group_by])
            if row is None:
                row = rows[values[group_by]] = FunnelRow(month=None)
            for key in annotations:
                if key in METRICS:
                    row.counts[key] = values[key]
            if model is Deal:
                row.revenue_fen = values["revenue_fen"] or 0
                row.deal_customers = values["deal_customers"]
    total = FunnelRow(month=None)
    for row in rows.values():
        for key in METRICS:
            total.counts[key] += row.counts[key]
        total.revenue_fen += row.revenue_fen
    # A customer with deals in two months (or channels) counts once in the period: one more aggregate.
    total.deal_customers = (
        _base(user, Deal, filters).filter(_SIGNED).aggregate(n=Count("customer_id", distinct=True))["n"]
        if total.counts["deals"]
        else 0
    )
    return total


def funnel(*, user, filters: FunnelFilters) -> Funnel:
    """The funnel for `filters`, month by month and in total (see the module docstring)."""
    rows = {month: FunnelRow(month=month) for month in month_span(filters.month_from, filters.month_to)}
    total = grouped_funnel_rows(user=user, filters=filters, group_by=filters.month_field, rows=rows)
    return Funnel(filters=filters, months=list(rows.values()), total=total)


def metric_counts(*, user, filters: FunnelFilters, keys: Iterable[str]) -> dict[int, dict[str, int]]:
    """Counts of any count keys of ALL_METRICS (typically those `funnel()` leaves out), month by
    month: {yyyymm: {key: n}} for every month of the period, zeros included. One grouped query
    per event table involved, under exactly the scope and filters of `funnel()` and `funnel_rows`.
    """
    wanted = list(dict.fromkeys(keys))
    unknown = [key for key in wanted if key not in ALL_METRICS]
    if unknown:
        raise ValidationError(
            gettext("未知的漏斗指标：%(join)s") % {"join": gettext("、").join(unknown)}, field="metric"
        )
    months = {month: dict.fromkeys(wanted, 0) for month in month_span(filters.month_from, filters.month_to)}
    month_field = filters.month_field
    for model in _MODELS:
        annotations = {
            key: Count("site_id", filter=ALL_METRICS[key].condition)
            for key in wanted
            if ALL_METRICS[key].model is model
        }
        if not annotations:
            continue
        grouped = (
            _base(user, model, filters).values(month_field).annotate(**annotations).order_by(month_field)
        )
        for values in grouped:
            row = months[values[month_field]]
            for key in annotations:
                row[key] = values[key]
    return months


# The moment of each event table a day / week figure is taken from (event view).
EVENT_MOMENT = {Consultation: "occurred_at", Appointment: "booked_at", Visit: "arrived_at", Deal: "signed_on"}


def on_dates(qs: QuerySet, date_from, date_to) -> QuerySet:
    """Event rows whose own moment (EVENT_MOMENT, Asia/Shanghai days) is on [date_from, date_to]."""
    import datetime as dt

    moment = EVENT_MOMENT[qs.model]
    tz = timezone.get_default_timezone()
    timed = moment.endswith("_at")
    if date_from is not None:
        qs = qs.filter(
            **{
                f"{moment}__gte": dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
                if timed
                else date_from
            }
        )
    if date_to is not None:
        upper = date_to + dt.timedelta(days=1)
        qs = qs.filter(
            **{f"{moment}__lt": dt.datetime.combine(upper, dt.time.min, tzinfo=tz) if timed else upper}
        )
    return qs


def funnel_rows(*, user, metric: str, filters: FunnelFilters, date_from=None, date_to=None) -> QuerySet:
    """Exactly the rows counted in a funnel cell: `metric` is a count key (ALL_METRICS, whether
    `funnel()` computes it or `metric_counts` does), a rate key (its numerator's rows) or a money
    key (the signed deals). Narrow to one month with `filters.for_month(m)`; to days (the registry's
    day / week figures, event view) with `date_from` / `date_to`.
    """
    key = DRILL_METRIC.get(metric, metric)
    if key not in ALL_METRICS:
        raise ValidationError(gettext("未知的漏斗指标：%(metric)s") % {"metric": metric}, field="metric")
    spec = ALL_METRICS[key]
    qs = _base(user, spec.model, filters).filter(spec.condition)
    if date_from is not None or date_to is not None:
        qs = on_dates(qs, date_from, date_to)
    return qs.select_related("customer", "owner").order_by(filters.month_field, "pk")


def metric_label(metric: str) -> str:
    """The Chinese label of any funnel cell key (count, rate or money)."""
    if metric in ALL_METRICS:
        return ALL_METRICS[metric].label
    if metric in RATES:
        return RATES[metric][0]
    return MONEY_LABELS.get(metric, metric)
