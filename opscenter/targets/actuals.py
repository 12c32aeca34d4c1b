"""What happened, read from the pipeline's funnel selector (never a second calculation).

* Default rates: the trailing 12 months (ending with the current month) of each unit, in the
  funnel's **cohort view** — conversion is a property of the prospects a month brought in; per
  source channel from the same window (`trailing_channel_funnels`, one grouped read per unit).
* Seasonality: the same window in the **event view**, by calendar month.
* Actuals against targets: the plan year in the event view (a March target is met in March).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from opscenter.core.scoping import Scope
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.periods import month_add, month_key
from opscenter.pipeline.selectors import ChannelFunnel, Funnel, FunnelRow
from opscenter.targets.constants import TRAILING_MONTHS
from opscenter.targets.metrics import TargetMetric, get_metric, metric_actuals
from opscenter.targets.solver import Rates
from opscenter.targets.units import Unit


class SystemReader:
    """Reads every site: the acting "user" of the CLI and the scheduled alert check, which act
    for no one person. `scope_for` finds its Scope already resolved."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    _opscenter_scope = Scope(user_id=None, all_sites=True, is_superuser=True)

    def __str__(self) -> str:
        return "系统"  # i18n: data


SYSTEM = SystemReader()


def trailing_window(today=None) -> tuple[int, int]:
    last = month_key(today or timezone.localdate())
    return month_add(last, -(TRAILING_MONTHS - 1)), last


def unit_funnel(*, user, site_id: int, unit: Unit, month_from: int, month_to: int, view: str) -> Funnel:
    return pipeline.funnel(user=user, filters=unit.filters(site_id, month_from, month_to, view))


def _exact(part: int, whole: int) -> Decimal | None:
    """part ÷ whole at full Decimal precision (28 digits): the solver chains several rates, and
    rounding each to a shown precision would make back and forward disagree with the history."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def rates_from_row(row: FunnelRow) -> Rates:
    """A unit's funnel rates from its trailing funnel totals (None where there is no history).

    Every rate is per event row (solver module docstring): 成交率 = signed deals ÷ visits and
    单笔贡献额 = revenue ÷ signed deals, so forward-solving the unit's own consultations gives back
    its own revenue, repeat buyers included."""
    counts = row.counts
    mix_whole = counts["visits_phone"] + counts["visits_online_local"] + counts["visits_walk_in"]
    return Rates(
        revenue_per_deal_fen=_exact(row.revenue_fen, counts["deals"]) or None,
        conversion_rate=_exact(counts["deals"], counts["visits"]) or None,
        phone_visit_rate=_exact(counts["visits_phone"], counts["consultations_phone"]) or None,
        online_visit_rate=_exact(counts["visits_online_local"], counts["consultations_online_local"]) or None,
        phone_appointment_rate=_exact(counts["appointments_phone"], counts["consultations_phone"]),
        online_appointment_rate=_exact(
            counts["appointments_online_local"], counts["consultations_online_local"]
        ),
        mix_phone=_exact(counts["visits_phone"], mix_whole),
        mix_online=_exact(counts["visits_online_local"], mix_whole),
        mix_walk_in=_exact(counts["visits_walk_in"], mix_whole),
    )


def trailing_rates(*, user, site_id: int, units: Iterable[Unit], today=None) -> dict[str, Rates]:
    """Trailing-12-month rates of each unit (cohort view), by unit key."""
    first, last = trailing_window(today)
    return {
        unit.key: rates_from_row(
            unit_funnel(user=user, site_id=site_id, unit=unit, month_from=first, month_to=last,
                        view=FunnelView.COHORT).total
        )
        for unit in units
    }  # fmt: skip


def trailing_channel_funnels(
    *, user, site_id: int, units: Iterable[Unit], today=None
) -> dict[str, ChannelFunnel]:
    """Trailing-12-month funnel totals of each unit per source channel (cohort view), by unit key.
    `.total` of each is the unit's funnel total, so its aggregate rates come from the same read."""
    first, last = trailing_window(today)
    return {
        unit.key: pipeline.funnel_by_channel(
            user=user, filters=unit.filters(site_id, first, last, FunnelView.COHORT)
        )
        for unit in units
    }


def seasonal_history(
    *, user, site_id: int, units: Iterable[Unit], metrics: Iterable[str], today=None
) -> dict[str, dict[str, list[int]]]:
    """unit key → metric → 12 values by calendar month (Jan…Dec) from the trailing window (event
    view). Per unit: the funnel once if a funnel cell is wanted, plus one query per other counter."""
    first, last = trailing_window(today)
    wanted: list[TargetMetric] = [get_metric(key) for key in metrics]
    history: dict[str, dict[str, list[int]]] = {}
    for unit in units:
        filters = unit.filters(site_id, first, last, FunnelView.EVENT)
        actual = metric_actuals(user=user, filters=filters, metrics=wanted)
        per_metric: dict[str, list[int]] = {}
        for metric in wanted:
            values = [0] * 12
            for month, n in actual[metric.key].by_month.items():
                values[month % 100 - 1] += n
            per_metric[metric.key] = values
        history[unit.key] = per_metric
    return history
