"""Presentation of target numbers: formatting, rate tables and ECharts options (no ORM work)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.periods import month_label
from opscenter.targets.solver import FALLBACK_SOURCES, MIXES, RATE_KEYS, RATE_LABELS, RATE_UNITS, Rates
from opscenter.targets.solving import ChannelLine, ChannelMonth, Solution
from opscenter.targets.units import Unit

# Short on purpose: the rate table sits in half the page; the note above it says why a fallback
# level was used (the unit has no history for that rate).
SOURCE_LABELS = {
    "month": gettext_lazy("月度目标"),
    "override": gettext_lazy("手工设定"),
    "unit": gettext_lazy("本单位近12个月"),
    "team": gettext_lazy("小组口径"),
    "department": gettext_lazy("部门口径"),
    "site": gettext_lazy("院区口径"),
    "missing": gettext_lazy("缺失"),
}
# The marks of the by-channel table, where each rate cell carries one.
SOURCE_SHORT = {
    "month": gettext_lazy("月度目标"),
    "override": gettext_lazy("手工设定"),
    "unit": gettext_lazy("本单位"),
    "team": gettext_lazy("小组"),
    "department": gettext_lazy("部门"),
    "site": gettext_lazy("院区"),
    "missing": gettext_lazy("缺失"),
}
LEVEL_LABELS = {
    "team": gettext_lazy("小组"),
    "department": gettext_lazy("部门"),
    "site": gettext_lazy("院区"),
}


def source_css(source: str) -> str:
    """CSS modifier of a source mark: every fallback level shares the site's warning colour."""
    return "site" if source in FALLBACK_SOURCES else source


def fmt_value(value: int | None, money: bool) -> str:
    if value is None:
        return "—"
    if money:
        # Whole yuan stay compact (¥12,800); an amount with cents keeps them (¥12,800.50) —
        # rounding them away made a grid whose cells add up look as if it did not.
        yuan, cents = divmod(abs(int(value)), 100)
        sign = "-" if value < 0 else ""
        return f"{sign}¥{yuan:,}.{cents:02d}" if cents else f"{sign}¥{yuan:,}"
    return f"{value:,}"


def fmt_pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def fmt_rate(key: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if key == "revenue_per_deal_fen":
        return fmt_value(int(value), True)
    return fmt_pct(value)


def input_value(key: str, value: Decimal | None) -> str:
    """The rate as typed in the form: percent, or yuan for 单笔贡献额."""
    if value is None:
        return ""
    if key == "revenue_per_deal_fen":
        return str((Decimal(value) / 100).quantize(Decimal("0.01")))
    return str((Decimal(value) * 100).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    unit: str  # what the rate divides (solver.RATE_UNITS)
    unit_value: str
    parents: list[tuple[str, str]]  # (小组 / 部门 / 院区, value), nearest first
    site_value: str
    effective: str
    source: str
    source_label: str
    source_css: str
    override: str
    is_percent: bool


def parent_columns(solution: Solution) -> list[str]:
    """Headers of the parents' columns of the rate table: 小组 / 部门 / 院区."""
    return [LEVEL_LABELS[str(unit.kind)] for unit, _rates in solution.parents]


def rate_rows(solution: Solution, overrides: dict[str, Decimal]) -> list[RateRow]:
    rates: Rates = solution.resolved.rates
    return [
        RateRow(
            key=key,
            label=RATE_LABELS[key],
            unit=RATE_UNITS[key],
            unit_value=fmt_rate(key, getattr(solution.unit_rates, key)),
            parents=[
                (LEVEL_LABELS[str(unit.kind)], fmt_rate(key, getattr(r, key))) for unit, r in solution.parents
            ],
            site_value=fmt_rate(key, getattr(solution.site_rates, key)),
            effective=fmt_rate(key, getattr(rates, key)),
            source=solution.resolved.sources[key],
            source_label=SOURCE_LABELS[solution.resolved.sources[key]],
            source_css=source_css(solution.resolved.sources[key]),
            override=input_value(key, overrides.get(key)),
            is_percent=key != "revenue_per_deal_fen",
        )
        for key in RATE_KEYS
    ]


@dataclass(frozen=True)
class FallbackNote:
    """Rates a unit has no history for, taken from one parent level."""

    level: str
    level_label: str
    unit_label: str  # the parent's name; empty for the site
    labels: list[str]


def fallback_notes(solution: Solution) -> list[FallbackNote]:
    notes = []
    for level, keys in solution.resolved.fallbacks_by_level().items():
        parent = solution.parent(level)
        notes.append(
            FallbackNote(
                level=level,
                level_label=LEVEL_LABELS[level],
                unit_label="" if level == "site" or parent is None else parent.label,
                labels=[RATE_LABELS[key] for key in keys],
            )
        )
    return notes


def solve_chart_option(solution: Solution) -> dict[str, Any]:
    """Bars: revenue target and the revenue the planned consultations bring (forward); line:
    the consultations the target needs (back), phone + online."""
    labels = [_("%(value)s月") % {"value": m.month % 100} for m in solution.months]

    def yuan(fen: int | None) -> float | None:
        return None if fen is None else round(fen / 100, 2)

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 64, "right": 56, "top": 36, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [
            {"type": "value", "name": _("营收(元)")},
            {"type": "value", "name": _("咨询量"), "minInterval": 1, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": _("营收目标"),
                "type": "bar",
                "barMaxWidth": 18,
                "data": [yuan(m.revenue_fen) for m in solution.months],
            },
            {
                "name": _("按计划咨询预计营收"),
                "type": "bar",
                "barMaxWidth": 18,
                "data": [yuan(m.expected.revenue_fen) if m.expected else None for m in solution.months],
            },
            {
                "name": _("需要咨询量(电话+网络)"),
                "type": "line",
                "yAxisIndex": 1,
                "smooth": True,
                "data": [
                    (m.need.consultations_phone + m.need.consultations_online) if m.need else None
                    for m in solution.months
                ],
            },
        ],
    }


NEED_KEYS = ("deals", "visits", "consultations_phone", "consultations_online")
CHANNEL_RATE_KEYS = ("revenue_per_deal_fen", "conversion_rate", "phone_visit_rate", "online_visit_rate")


@dataclass(frozen=True)
class RateCell:
    """One effective rate of a channel with its source mark and the rows it was measured on."""

    key: str
    label: str
    value: str
    source: str
    mark: str
    title: str
    css: str
    url: str


@dataclass(frozen=True)
class ChannelRow:
    channel_id: int
    name: str
    url: str  # the unit's funnel in this channel over the trailing window
    share: str
    revenue_fen: int
    cells: list[RateCell]
    mix: RateCell
    totals: dict[str, int | None]
    months: list[ChannelMonth]
    error: str
    fallback_text: str  # "成交率取部门口径；电话上门率取院区口径"; empty when all its own
    form: list[tuple[str, str, str, bool]]  # override inputs: key, label, current value, percent?


def _funnel_url(solution: Solution, unit: Unit, channel_id: int) -> str:
    if solution.site_id is None or solution.window is None:
        return ""
    filters = replace(
        unit.filters(solution.site_id, *solution.window, FunnelView.COHORT), channel_id=channel_id
    )
    return f"{reverse('pipeline:funnel')}?{urlencode(filters.as_params())}"


def _level_unit(solution: Solution, level: str) -> Unit | None:
    return solution.unit if level == "unit" else solution.parent(level)


# A visit rate only matters when the channel's visits come partly from that mode.
_USED_WHEN = {"phone_visit_rate": "mix_phone", "online_visit_rate": "mix_online"}


def _cell(solution: Solution, line: ChannelLine, key: str, label: str, value: str) -> RateCell:
    source = line.resolved.sources[key]
    unit = _level_unit(solution, source)
    mark, title = SOURCE_SHORT[source], SOURCE_LABELS[source]
    if source == "missing" and key in _USED_WHEN and not getattr(line.resolved.rates, _USED_WHEN[key]):
        # No history anywhere, but the channel brings no visits of this mode: nothing is missing.
        mark, title, source = _("不需要"), _("该渠道没有此类上门，反推用不到"), "unused"
    return RateCell(
        key=key, label=label, value=value, source=source, mark=mark, title=title,
        css=source_css(source), url=_funnel_url(solution, unit, line.channel_id) if unit is not None else "",
    )  # fmt: skip


def _mix_text(rates: Rates) -> str:
    if all(getattr(rates, key) is None for key in MIXES):
        return "—"
    phone, online, walk_in = (fmt_pct(getattr(rates, key) or Decimal(0)) for key in MIXES)
    return _("电话 %(phone)s / 网络 %(online)s / 自然 %(walk_in)s") % {
        "phone": phone,
        "online": online,
        "walk_in": walk_in,
    }


def _fallback_text(line: ChannelLine) -> str:
    parts = []
    for level, keys in line.resolved.fallbacks_by_level().items():
        labels = [str(RATE_LABELS[key]) for key in keys if key not in MIXES]
        if any(key in MIXES for key in keys):
            labels.append(_("上门构成"))
        parts.append(
            _("%(join)s取%(value)s口径")
            % {"join": _("、").join(str(label) for label in labels), "value": LEVEL_LABELS[level]}
        )
    return _("；").join(parts)


def channel_rows(solution: Solution) -> list[ChannelRow]:
    """The by-channel section of the solve screen, one row per channel."""
    if solution.channels is None:
        return []
    rows = []
    for line in solution.channels.lines:
        rates = line.resolved.rates
        cells = [_cell(solution, line, key, RATE_LABELS[key], fmt_rate(key, getattr(rates, key)))
                 for key in CHANNEL_RATE_KEYS]  # fmt: skip
        rows.append(
            ChannelRow(
                channel_id=line.channel_id,
                name=line.name,
                url=_funnel_url(solution, solution.unit, line.channel_id),
                share=fmt_pct(Decimal(line.share.numerator) / Decimal(line.share.denominator)),
                revenue_fen=line.revenue_fen,
                cells=cells,
                mix=_cell(solution, line, "mix_phone", _("上门构成"), _mix_text(rates)),
                totals={key: line.total(key) for key in NEED_KEYS},
                months=line.months,
                error=line.error,
                fallback_text=_fallback_text(line),
                form=[
                    (
                        key,
                        RATE_LABELS[key],
                        input_value(key, line.overrides.get(key)),
                        key != "revenue_per_deal_fen",
                    )
                    for key in RATE_KEYS
                ],
            )
        )
    return rows


@dataclass(frozen=True)
class ChannelMonthTotal:
    month: int
    label: str
    revenue_fen: int
    needs: dict[str, int | None]


def channel_month_totals(solution: Solution) -> list[ChannelMonthTotal]:
    plan = solution.channels
    if plan is None:
        return []
    return [
        ChannelMonthTotal(
            month=month,
            label=month_label(month),
            revenue_fen=plan.month_revenue(month),
            needs={key: plan.month_total(month, key) for key in NEED_KEYS},
        )
        for month in plan.months
    ]


@dataclass(frozen=True)
class ChannelSummary:
    """The lines around the by-channel table: where the shares come from and the totals."""

    share_note: str
    unlabeled: str  # share of revenue from customers without a channel, "" when none
    revenue_fen: int
    totals: dict[str, int | None]


def channel_summary(solution: Solution) -> ChannelSummary | None:
    plan = solution.channels
    if plan is None:
        return None
    level = plan.share_level
    if level == "unit":
        note = _("营收占比取本单位近 12 个月各渠道成交营收")
    elif level == "site" and solution.unit.kind == "site":
        note = _("营收占比取院区近 12 个月各渠道成交营收")
    elif level:
        parent = solution.parent(level)
        name = f"“{parent.label}”" if parent is not None and level != "site" else ""
        note = _("本单位近 12 个月没有成交，营收占比改用%(value)s%(name)s各渠道成交营收") % {
            "value": LEVEL_LABELS[level],
            "name": name,
        }
    else:
        note = ""
    unlabeled = ""
    if plan.unlabeled_share:
        share = plan.unlabeled_share
        unlabeled = fmt_pct(Decimal(share.numerator) / Decimal(share.denominator))
    return ChannelSummary(
        share_note=note,
        unlabeled=unlabeled,
        revenue_fen=plan.revenue_fen,
        totals={key: plan.total(key) for key in NEED_KEYS},
    )


def channel_chart_option(solution: Solution) -> dict[str, Any]:
    """Stacked bars: the consultations (phone + online) each channel needs, month by month."""
    plan = solution.channels
    months = plan.months if plan else []
    lines = plan.lines if plan else []

    def consultations(need) -> int | None:
        return None if need is None else need.consultations_phone + need.consultations_online

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 56, "right": 24, "top": 36, "bottom": 56},
        "xAxis": {"type": "category", "data": [_("%(value)s月") % {"value": m % 100} for m in months]},
        "yAxis": {"type": "value", "name": _("需要咨询量"), "minInterval": 1},
        "series": [
            {
                "name": line.name,
                "type": "bar",
                "stack": "consultations",
                "barMaxWidth": 28,
                "emphasis": {"focus": "series"},
                "data": [consultations(m.need) for m in line.months],
            }
            for line in lines
        ],
    }


def progress_chart_option(lines, money: bool) -> dict[str, Any]:
    """Target, actual and projection of each unit (horizontal bars), actual bars link to their rows."""
    names = [line.unit.label for line in lines]
    scale = 100 if money else 1

    def v(value):
        return None if value is None else round(value / scale, 2)

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 96, "right": 24, "top": 16, "bottom": 48},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "xAxis": {"type": "value", "name": _("元") if money else ""},
        "series": [
            {"name": _("目标"), "type": "bar", "barMaxWidth": 14, "data": [v(line.target) for line in lines]},
            {
                "name": _("实际"),
                "type": "bar",
                "barMaxWidth": 14,
                "data": [{"value": v(line.actual), "url": line.url} for line in lines],
            },
            {
                "name": _("预计"),
                "type": "bar",
                "barMaxWidth": 14,
                "data": [v(line.projection) for line in lines],
            },
        ],
    }


@dataclass(frozen=True)
class MonthlyRateRow:
    """A row of the monthly rate targets grid: one rate, an input per month of the plan."""

    key: str
    label: str
    unit: str
    is_percent: bool
    cells: list[tuple[int, str, str]]  # (yyyymm, input name, current value as typed)


def monthly_rate_rows(solution: Solution, year: int) -> list[MonthlyRateRow]:
    from opscenter.targets.solver import TARGET_RATE_KEYS

    months = [year * 100 + m for m in range(1, 13)]
    return [
        MonthlyRateRow(
            key=key,
            label=str(RATE_LABELS[key]),
            unit=str(RATE_UNITS[key]),
            is_percent=key != "revenue_per_deal_fen",
            cells=[
                (m, f"m-{key}-{m}", input_value(key, solution.monthly.get(m, {}).get(key))) for m in months
            ],
        )
        for key in TARGET_RATE_KEYS
    ]


def parse_monthly_rates(post, year: int) -> dict[tuple[str, int], Decimal | None]:
    """The grid's inputs as service values: percent → fraction, yuan → fen; empty clears."""
    from decimal import InvalidOperation

    from opscenter.core.exceptions import ValidationError
    from opscenter.targets.solver import TARGET_RATE_KEYS

    values: dict[tuple[str, int], Decimal | None] = {}
    for key in TARGET_RATE_KEYS:
        for m in range(1, 13):
            month = year * 100 + m
            raw = (post.get(f"m-{key}-{month}") or "").strip()
            if not raw:
                values[(key, month)] = None
                continue
            try:
                number = Decimal(raw)
            except InvalidOperation:
                raise ValidationError(
                    _("%(m)s月%(rate)s应为数字") % {"m": m, "rate": RATE_LABELS[key]}, field=key
                ) from None
            if not number.is_finite():
                raise ValidationError(
                    _("%(m)s月%(rate)s应为数字") % {"m": m, "rate": RATE_LABELS[key]}, field=key
                )
            if key == "revenue_per_deal_fen":
                values[(key, month)] = (number * 100).quantize(Decimal(1), ROUND_HALF_UP)
            else:
                values[(key, month)] = (number / 100).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return values
