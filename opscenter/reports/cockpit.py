"""The role cockpit (运营驾驶舱): "what needs me now, and how are we doing" in one screen.

Figures come from the metric registry (by code) and from the apps' selectors; a section whose app
or metrics are not installed is left out. The number of queries depends on the number of visible
sites (the targets adapter asks per site), never on the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from opscenter.metrics import MetricUnit, all_metrics, metric_values
from opscenter.org.selectors import scope_for, site_list


@dataclass
class Tile:
    key: str
    label: str
    value: str
    url: str
    tone: str = ""
    note: str = ""
    raw: int = 0


@dataclass
class Section:
    key: str
    title: str
    tiles: list[Tile] = field(default_factory=list)


def _fmt(n: int, unit: str, d: int | None = None) -> str:
    """A figure as the cockpit shows it; with a denominator `d` the value is n ÷ d (a rate, or
    money per unit such as the cost per deal), "—" when d is 0."""
    if d is not None:
        if d == 0:
            return "—"
        value = Decimal(n) / Decimal(d)
        if unit == MetricUnit.RATE:
            return f"{(value * 100).quantize(Decimal('0.1'))}%"
        n = int(value.quantize(Decimal("1")))
    if unit == MetricUnit.MONEY_FEN:
        return f"¥{Decimal(n) / 100:,.0f}"
    return f"{n:,}"


def _drill_url(metric, period: str, start: dt.date, site_ids: list[int]) -> str:
    url = metric.drill("site", site_ids[0], period, start)
    if len(site_ids) > 1:
        # Every visible site: the same list without the site filter (lists are scoped to the
        # user's sites, so it holds exactly the rows summed here).
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "site"]
        url = urlunsplit(parts._replace(query=urlencode(query)))
    return url


def _metric_tile(
    key: str, code: str, label: str, *, period: str, day: dt.date, site_ids: list[int]
) -> Tile | None:
    """Sum of a registered metric over the visible sites for the period holding `day`, with the
    drill-down to the rows behind it."""
    metric = all_metrics().get(code)
    if metric is None or not metric.supports("site", period) or not site_ids:
        return None
    start = day if period == "day" else day.replace(day=1)
    values = metric_values(code, grain="site", period=period, start=start, end=day, unit_ids=site_ids)
    current = [v for (unit, p), v in values.items() if p == start]
    total = sum(v.numerator for v in current)
    # A ratio (rate, cost per deal) over several sites: the sum of numerators ÷ the sum of
    # denominators, not an average of the sites' ratios.
    ratio = any(v.denominator is not None for v in current) or metric.unit == MetricUnit.RATE
    base = sum(v.denominator or 0 for v in current) if ratio else None
    value = _fmt(total, metric.unit, base)
    return Tile(key, label, value, _drill_url(metric, period, start, site_ids), raw=total)


def _day_and_month(
    key: str, code: str, label: str, *, day: dt.date, site_ids: list[int]
) -> tuple[Tile, Tile] | None:
    """Today's and this month's value of a day-grained metric from one query (days of the month)."""
    metric = all_metrics().get(code)
    if metric is None or not metric.supports("site", "day") or not site_ids:
        return None
    first = day.replace(day=1)
    values = metric_values(code, grain="site", period="day", start=first, end=day, unit_ids=site_ids)
    today_n = sum(v.numerator for (unit, p), v in values.items() if p == day)
    month_n = sum(v.numerator for v in values.values())
    return (
        Tile(
            f"day-{key}",
            label,
            _fmt(today_n, metric.unit),
            _drill_url(metric, "day", day, site_ids),
            raw=today_n,
        ),
        Tile(
            f"month-{key}",
            label,
            _fmt(month_n, metric.unit),
            _drill_url(metric, "month", first, site_ids),
            raw=month_n,
        ),
    )


# (tile key, metric code, label, period of the day the cockpit shows). Call-center and care
# metrics answer the site grain only; the cockpit asks every metric at the site grain.
FUNNEL_CODES = ("targets.consultations", "targets.visits", "targets.deals", "targets.revenue_fen")
CALLCENTER_TILES = (
    ("sl", "callcenter.service_level", gettext_lazy("今日服务水平"), "day"),
    ("abandon", "callcenter.abandon_rate", gettext_lazy("今日放弃率"), "day"),
    ("offered", "callcenter.offered", gettext_lazy("今日呼入量"), "day"),
)
CARE_TILES = (
    ("occupancy", "care.occupancy", gettext_lazy("本月床位入住率"), "month"),
    ("incidents", "care.incidents", gettext_lazy("本月护理事件"), "month"),
    ("overdue-reviews", "care.overdue_reviews", gettext_lazy("逾期风险复评"), "month"),
)
MARKETING_TILES = (
    ("spend", "marketing.spend", gettext_lazy("本月营销费用"), "month"),
    ("cost-per-deal", "marketing.cost_per_deal", gettext_lazy("本月单笔成交成本"), "month"),
)
# Every metric the cockpit reads, with the period asked (tests check they exist and answer it).
COCKPIT_METRICS = (
    *((code, "day") for code in FUNNEL_CODES),
    ("targets.target.revenue_fen", "month"),
    ("commitments.breaches", "month"),
    *(
        (code, period)
        for tiles in (CALLCENTER_TILES, CARE_TILES, MARKETING_TILES)
        for _k, code, _x, period in tiles
    ),
)


def _site_figures(today: dt.date, site_ids: list[int]) -> dict:
    """The registry's figures of the executive sections: sums over `site_ids` for the day and
    month of `today`, no user-scoped row in them (work orders and anomalies, which are scoped to
    the user, are read apart in `_commitment_tiles`).

    Cached for `OPSCENTER_COCKPIT_CACHE_SECONDS` (60 s by default; 0 turns it off) because every
    home page loads the cockpit and these aggregates were most of its time (issue 11). The key is
    everything the figures depend on — the visible sites, the day and the language of the labels —
    so a user only ever gets the figures of exactly their own sites. Writes do not invalidate it:
    the cockpit says its figures may be up to that long old. The cache is per process (Django's
    default local-memory cache), so no other process or server can fill it."""
    seconds = settings.OPSCENTER_COCKPIT_CACHE_SECONDS
    key = f"cockpit-figures:{get_language()}:{today.isoformat()}:{','.join(map(str, sorted(site_ids)))}"
    if seconds > 0:
        cached = cache.get(key)
        if cached is not None:
            return cached
    funnel = zip(
        ("consultations", "visits", "deals", "amount"),
        FUNNEL_CODES,
        (_("咨询"), _("上门"), _("成交"), _("成交金额")),
        strict=True,
    )
    pairs = {k: _day_and_month(k, c, lbl, day=today, site_ids=site_ids) for k, c, lbl in funnel}
    figures = {
        "pairs": {k: v for k, v in pairs.items() if v},
        "target": _metric_tile(
            "target",
            "targets.target.revenue_fen",
            _("营收目标"),
            period="month",
            day=today,
            site_ids=site_ids,
        ),
        "breaches": _metric_tile(
            "breaches",
            "commitments.breaches",
            _("本月承诺超时"),
            period="month",
            day=today,
            site_ids=site_ids,
        ),
        "groups": {
            key: [
                tile
                for k, code, label, period in tiles
                if (tile := _metric_tile(k, code, str(label), period=period, day=today, site_ids=site_ids))
            ]
            for key, tiles in (
                ("callcenter", CALLCENTER_TILES),
                ("care", CARE_TILES),
                ("marketing", MARKETING_TILES),
            )
        },
    }
    if seconds > 0:
        cache.set(key, figures, seconds)
    return figures


def _executive(user, today: dt.date, site_ids: list[int]) -> list[Section]:
    sections = []
    figures = _site_figures(today, site_ids)
    pairs = figures["pairs"]
    if pairs:
        sections.append(Section("funnel-day", _("今日"), [v[0] for v in pairs.values()]))
        sections.append(Section("funnel-month", _("本月"), [v[1] for v in pairs.values()]))
    # Revenue is the signed deals' amount (the targets' revenue, event view): this month's amount
    # against the active plan's monthly target.
    target = figures["target"]
    if "amount" in pairs and target:
        month_amount = pairs["amount"][1]
        revenue = Tile("revenue", _("本月营收"), month_amount.value, month_amount.url, raw=month_amount.raw)
        if target.raw:
            revenue.note = _("完成 %(pct)s%%") % {
                "pct": (Decimal(revenue.raw) * 100 / target.raw).quantize(Decimal("0.1"))
            }
            revenue.tone = "success" if revenue.raw >= target.raw else "warning"
        sections.append(Section("targets", _("目标"), [revenue, target]))
    if apps.is_installed("opscenter.commitments"):
        sections.append(
            Section("commitments", _("服务承诺与工单"), _commitment_tiles(user, figures["breaches"]))
        )
    for key, title in (("callcenter", _("客服中心")), ("care", _("照护与风险")), ("marketing", _("营销"))):
        if figures["groups"][key]:
            sections.append(Section(key, title, figures["groups"][key]))
    return sections


def _commitment_tiles(user, breaches: Tile | None) -> list[Tile]:
    from opscenter.commitments import selectors as commitments
    from opscenter.commitments.choices import OPEN_WORK_ORDER_STATUSES

    now = timezone.now()
    counts = commitments.work_order_list(user=user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_WORK_ORDER_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_WORK_ORDER_STATUSES, due_at__lte=now)),
    )
    anomalies = commitments.anomaly_list(user=user).filter(closed_at__isnull=True).count()
    base = reverse("commitments:work_order_list")
    tiles = [
        Tile("wo-open", _("未关闭工单"), f"{counts['open']:,}", f"{base}?{urlencode({'list': 'all'})}"),
        Tile(
            "wo-overdue",
            _("超期工单"),
            f"{counts['overdue']:,}",
            f"{base}?{urlencode({'list': 'overdue'})}",
            "danger" if counts["overdue"] else "",
        ),
        Tile("anomalies", _("未关闭异动"), f"{anomalies:,}", reverse("commitments:anomaly_rule_list")),
    ]
    if breaches:
        tiles.insert(0, breaches)
    return tiles


def _own(user, today: dt.date, *, pipeline_queues: bool = True) -> list[Section]:
    tiles = []
    if (
        pipeline_queues
        and apps.is_installed("opscenter.pipeline")
        and user.has_perm("pipeline.view_customer")
    ):
        from opscenter.pipeline import selectors as pipeline

        followups = pipeline.followup_list(user=user, done=False, due_by=today).count()
        appointments = pipeline.appointment_list(user=user, scheduled_on=today).count()
        tiles += [
            Tile("followups", _("今日待回访"), f"{followups:,}", reverse("pipeline:followups_due")),
            Tile(
                "appointments",
                _("今日预约"),
                f"{appointments:,}",
                f"{reverse('pipeline:appointment_calendar')}?view=day&date={today:%Y-%m-%d}",
            ),
        ]
    if apps.is_installed("opscenter.workday") and user.has_perm("workday.view_submission"):
        from opscenter.workday import selectors as workday

        due = workday.due_today(user=user)
        open_ = sum(1 for s in due if s.status in workday.OPEN)
        tiles.append(
            Tile(
                "submissions",
                _("待提交事项"),
                f"{open_:,}",
                reverse("workday:today"),
                "warning" if open_ else "",
            )
        )
    return [Section("mine", _("我的今日"), tiles)] if tiles else []


def _team(user, today: dt.date) -> list[Section]:
    if not apps.is_installed("opscenter.workday"):
        return []
    from opscenter.workday import selectors as workday

    scope = scope_for(user)
    if scope.staff_id is None:
        return []
    week_start = today - dt.timedelta(days=today.weekday())
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(week_start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    team = (
        workday.submission_list(user=user)
        .exclude(staff_id=scope.staff_id)
        .filter(due_at__gte=lo, due_at__lt=hi)
    )
    counts = team.aggregate(
        waiting=Count("pk", filter=Q(status="submitted")),
        late=Count("pk", filter=Q(late=True)),
        missing=Count("pk", filter=Q(status="missing")),
    )
    if not any(counts.values()) and not team.exists():
        return []
    grid = reverse("workday:grid")
    listing = reverse("workday:submission_list")
    span = {"from": week_start.isoformat(), "to": today.isoformat()}
    return [
        Section(
            "team",
            _("团队本周提交"),
            [
                Tile(
                    "waiting",
                    _("待审批"),
                    f"{counts['waiting']:,}",
                    f"{listing}?{urlencode({**span, 'status': 'submitted'})}",
                ),
                Tile(
                    "late",
                    _("迟交"),
                    f"{counts['late']:,}",
                    f"{listing}?{urlencode({**span, 'late': '1'})}",
                    "warning",
                ),
                Tile(
                    "missing",
                    _("缺交"),
                    f"{counts['missing']:,}",
                    f"{listing}?{urlencode({**span, 'status': 'missing'})}",
                    "danger",
                ),
                Tile("grid", _("团队提交表"), "→", grid),
            ],
        )
    ]


def cockpit(*, user, today: dt.date | None = None) -> dict:
    """Sections for the user's role: executives and operations see the sites' figures; everyone
    sees their own day; supervisors also their team's submissions."""
    today = today or timezone.localdate()
    scope = scope_for(user)
    wide = scope.is_superuser or scope.all_sites or "operations" in scope.roles
    sections: list[Section] = []
    if wide:
        site_ids = list(site_list(user=user).filter(is_active=True).values_list("pk", flat=True))
        sections += _executive(user, today, site_ids)
    sections += _team(user, today)
    # Executives and operations see the sites' figures instead of a consultant's queues.
    sections += _own(user, today, pipeline_queues=not wide)
    return {
        "role": "executive" if wide else "staff",
        "sections": sections,
        "today": today,
        "cached_seconds": settings.OPSCENTER_COCKPIT_CACHE_SECONDS if wide else 0,
    }
