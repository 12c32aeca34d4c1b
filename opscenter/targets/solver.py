"""Back-solving and forward-solving through the funnel (seed 004, 指标分解; DESIGN.md).

**One unit throughout: the event row** (a consultation, a visit, a signed deal), exactly what the
funnel counts and drills down to. 成交率 is signed deals ÷ visits and the money rate is
单笔贡献额 = revenue ÷ signed deals, so forward and back are inverses on any history: a clinic
whose customers buy twice is neither over-promised revenue nor under-planned visits. (人均贡献额,
revenue ÷ distinct customers, is still shown on the funnel page; chained with a per-row 成交率 it
would double-count repeat buyers, so the solver never uses it.) `RATE_UNITS` names each rate's unit.

Pure arithmetic over plain values, exact with `Fraction`:

    back:    deals = revenue ÷ 单笔贡献额;  visits = deals ÷ 成交率;
             visits by source = visits × mix (电话 / 网络本市 / 自然上门, normalised to 1);
             电话咨询 = 电话上门 ÷ 电话上门率;  网络咨询(本市) = 网络上门 ÷ 网络上门率;
             预约 = 咨询 × 预约率
    forward: 电话上门 = 电话咨询 × 电话上门率;  网络上门 = 网络咨询 × 网络上门率;
             visits = 电话上门 + 网络上门 + 自然上门;  deals = visits × 成交率;  revenue = deals × 单笔贡献额

Back-solved counts are what is *needed*, so each shown count is the exact value rounded up; the
chain itself stays exact (rounding a month's deals up does not inflate its visits twice). Forward
counts are expectations, shown to one decimal; expected revenue is rounded half-up to the fen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError

# key → label. Rates are fractions (0.3142 = 31.42%); 单笔贡献额 is in fen; mixes are shares.
RATE_LABELS: dict[str, str] = {
    "revenue_per_deal_fen": _("单笔贡献额"),
    "conversion_rate": _("成交率"),
    "phone_visit_rate": _("电话上门率"),
    "online_visit_rate": _("网络上门率"),
    "phone_appointment_rate": _("电话预约率"),
    "online_appointment_rate": _("网络预约率"),
    "mix_phone": _("上门构成·电话"),
    "mix_online": _("上门构成·网络(本市)"),
    "mix_walk_in": _("上门构成·自然上门"),
}
# key → what the rate divides (every count is of event rows, see the module docstring).
RATE_UNITS: dict[str, str] = {
    "revenue_per_deal_fen": _("元/笔：成交金额 ÷ 签约成交笔数"),
    "conversion_rate": _("笔/人次：签约成交笔数 ÷ 上门人次"),
    "phone_visit_rate": _("人次/次：电话上门人次 ÷ 电话咨询次数"),
    "online_visit_rate": _("人次/次：网络上门人次(本市) ÷ 网络咨询次数(本市)"),
    "phone_appointment_rate": _("次/次：电话预约次数 ÷ 电话咨询次数"),
    "online_appointment_rate": _("次/次：网络预约次数(本市) ÷ 网络咨询次数(本市)"),
    "mix_phone": _("电话上门人次 ÷ 上门人次(电话+网络本市+自然)"),
    "mix_online": _("网络上门人次(本市) ÷ 上门人次(电话+网络本市+自然)"),
    "mix_walk_in": _("自然上门人次 ÷ 上门人次(电话+网络本市+自然)"),
}
PROPORTIONS = (
    "conversion_rate",
    "phone_visit_rate",
    "online_visit_rate",
    "phone_appointment_rate",
    "online_appointment_rate",
)
MIXES = ("mix_phone", "mix_online", "mix_walk_in")
# 成交率 counts signed deals per visit: a clinic customer may sign several orders in one visit, so
# it may pass 100% (a bound still catches a typo).
MAX_DEALS_PER_VISIT = Decimal(5)


@dataclass(frozen=True)
class Rates:
    """Funnel assumptions of one unit. None = unknown (no history and no override)."""

    revenue_per_deal_fen: Decimal | None = None
    conversion_rate: Decimal | None = None
    phone_visit_rate: Decimal | None = None
    online_visit_rate: Decimal | None = None
    phone_appointment_rate: Decimal | None = None
    online_appointment_rate: Decimal | None = None
    mix_phone: Decimal | None = None
    mix_online: Decimal | None = None
    mix_walk_in: Decimal | None = None

    def as_dict(self) -> dict[str, Decimal | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


RATE_KEYS = tuple(f.name for f in fields(Rates))


# The rates a plan may set month by month as targets (models.RateTarget): the funnel's rates, not
# the visit mix (a share, not a rate anyone is measured on).
TARGET_RATE_KEYS = (
    "phone_appointment_rate",
    "online_appointment_rate",
    "phone_visit_rate",
    "online_visit_rate",
    "conversion_rate",
    "revenue_per_deal_fen",
)


# Where an effective rate came from. The fallback levels are the unit's parents, nearest first:
# staff → team → department → site (targets/units.py).
FALLBACK_SOURCES = ("team", "department", "site")
SOURCES = ("month", "override", "unit", *FALLBACK_SOURCES, "missing")


@dataclass(frozen=True)
class ResolvedRates:
    """Rates with where each came from: "override", "unit" (its own trailing actuals), a
    fallback level ("team", "department", "site": the unit has no history for it, the nearest
    parent that has one is used) or "missing"."""

    rates: Rates
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def fallbacks(self) -> list[str]:
        return [key for key, source in self.sources.items() if source in FALLBACK_SOURCES]

    def fallbacks_by_level(self) -> dict[str, list[str]]:
        """Fallback rate keys grouped by the level they came from, nearest level first."""
        grouped: dict[str, list[str]] = {}
        for level in FALLBACK_SOURCES:
            keys = [key for key, source in self.sources.items() if source == level]
            if keys:
                grouped[level] = keys
        return grouped


def _has_mix(rates: Rates) -> bool:
    return any(getattr(rates, key) for key in MIXES)


def resolve_rates(
    unit: Rates,
    site: Rates | None = None,
    overrides: Mapping[str, Decimal | None] | None = None,
    *,
    parents: Sequence[tuple[str, Rates]] = (),
) -> ResolvedRates:
    """Override, else the unit's own actual, else the nearest parent's actual (`parents`, nearest
    first, e.g. [("department", …)]), else the site's; the screen says which.

    The visit mix falls back as a whole: a unit with no visits at all takes the mix of the nearest
    level that has visits, so its three shares always come from one place and add up to 1.
    """
    overrides = overrides or {}
    chain = [*parents, *([("site", site)] if site is not None else [])]
    mix_level = next(((level, rates) for level, rates in chain if _has_mix(rates)), None)
    unit_has_mix = _has_mix(unit)
    values: dict[str, Decimal | None] = {}
    sources: dict[str, str] = {}
    for key in RATE_KEYS:
        if overrides.get(key) is not None:
            values[key], sources[key] = Decimal(overrides[key]), "override"
            continue
        if key in MIXES:
            if unit_has_mix:
                values[key], sources[key] = getattr(unit, key), "unit"
            elif mix_level is not None:
                values[key], sources[key] = getattr(mix_level[1], key), mix_level[0]
            else:
                values[key], sources[key] = None, "missing"
            continue
        own = getattr(unit, key)
        if own is not None:
            values[key], sources[key] = own, "unit"
            continue
        found = next(
            ((level, getattr(rates, key)) for level, rates in chain if getattr(rates, key) is not None), None
        )
        if found is None:
            values[key], sources[key] = None, "missing"
        else:
            sources[key], values[key] = found
    return ResolvedRates(rates=Rates(**values), sources=sources)


def for_month(resolved: ResolvedRates, monthly: Mapping[str, Decimal] | None) -> ResolvedRates:
    """The month's rates: its monthly targets (source "month") over the unit's resolved rates."""
    if not monthly:
        return resolved
    return ResolvedRates(
        rates=replace(resolved.rates, **{k: Decimal(v) for k, v in monthly.items()}),
        sources={**resolved.sources, **dict.fromkeys(monthly, "month")},
    )


def validate_rates(rates: Rates) -> None:
    """Refuse rates that make no sense, with the message a person can act on."""
    for key in PROPORTIONS:
        value = getattr(rates, key)
        top = MAX_DEALS_PER_VISIT if key == "conversion_rate" else 1
        if value is not None and (value < 0 or value > top):
            raise ValidationError(
                gettext("%(rate)s应在 0 到 %(top)s%% 之间（当前 %(pct)s）")
                % {"rate": RATE_LABELS[key], "top": int(top * 100), "pct": _pct(value)},
                field=key,
            )
    for key in (*MIXES, "revenue_per_deal_fen"):
        value = getattr(rates, key)
        if value is not None and value < 0:
            raise ValidationError(gettext("%(value)s不能为负数") % {"value": RATE_LABELS[key]}, field=key)


def _pct(value: Decimal) -> str:
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _required(rates: Rates, key: str) -> Fraction:
    value = getattr(rates, key)
    if value is None:
        raise ValidationError(
            gettext("缺少%(value)s：没有历史数据，请手工填写") % {"value": RATE_LABELS[key]}, field=key
        )
    if value == 0:
        raise ValidationError(
            gettext("%(value)s为 0，无法反推，请填写大于 0 的值") % {"value": RATE_LABELS[key]}, field=key
        )
    return Fraction(value)


def _mix(rates: Rates) -> tuple[Fraction, Fraction, Fraction]:
    values = [Fraction(getattr(rates, key) or 0) for key in MIXES]
    total = sum(values)
    if total == 0:
        raise ValidationError(
            gettext("缺少上门构成（电话 / 网络 / 自然上门的占比），请手工填写"), field="mix_phone"
        )
    return tuple(v / total for v in values)  # type: ignore[return-value]


# Rates read from history carry 28 significant digits (targets.actuals), so an exact count comes
# back as e.g. 7.000…01: an excess this small is representation noise, not a part of a visit.
_NOISE = Fraction(1, 10**9)


def _up(value: Fraction) -> int:
    return math.ceil(value - _NOISE)


def _one_place(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Need:
    """What a revenue target needs (back-solved), each count rounded up."""

    revenue_fen: int
    deals: int
    visits: int
    visits_phone: int
    visits_online: int
    visits_walk_in: int
    consultations_phone: int
    consultations_online: int
    appointments_phone: int | None
    appointments_online: int | None

    def as_dict(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def back_solve(revenue_fen: int, rates: Rates) -> Need:
    """The deals, visits, consultations and appointments a revenue target needs."""
    if revenue_fen < 0:
        raise ValidationError(gettext("营收目标不能为负数"), field="revenue")
    validate_rates(rates)
    if revenue_fen == 0:
        return Need(0, 0, 0, 0, 0, 0, 0, 0, 0 if rates.phone_appointment_rate is not None else None,
                    0 if rates.online_appointment_rate is not None else None)  # fmt: skip
    deals = Fraction(revenue_fen) / _required(rates, "revenue_per_deal_fen")
    visits = deals / _required(rates, "conversion_rate")
    mix_phone, mix_online, mix_walk_in = _mix(rates)
    v_phone, v_online, v_walk_in = visits * mix_phone, visits * mix_online, visits * mix_walk_in
    c_phone = v_phone / _required(rates, "phone_visit_rate") if v_phone else Fraction(0)
    c_online = v_online / _required(rates, "online_visit_rate") if v_online else Fraction(0)
    par, oar = rates.phone_appointment_rate, rates.online_appointment_rate
    return Need(
        revenue_fen=revenue_fen,
        deals=_up(deals),
        visits=_up(visits),
        visits_phone=_up(v_phone),
        visits_online=_up(v_online),
        visits_walk_in=_up(v_walk_in),
        consultations_phone=_up(c_phone),
        consultations_online=_up(c_online),
        appointments_phone=_up(c_phone * Fraction(par)) if par is not None else None,
        appointments_online=_up(c_online * Fraction(oar)) if oar is not None else None,
    )


@dataclass(frozen=True)
class Expected:
    """What planned consultations (and walk-ins) should bring (forward), to one decimal."""

    consultations_phone: int
    consultations_online: int
    visits_walk_in: int
    visits_phone: Decimal
    visits_online: Decimal
    visits: Decimal
    deals: Decimal
    revenue_fen: int

    def as_dict(self) -> dict[str, int | str]:
        return {
            f.name: (str(v) if isinstance(v, Decimal) else v)
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }


def forward_solve(
    *, consultations_phone: int, consultations_online: int, visits_walk_in: int, rates: Rates
) -> Expected:
    """Expected visits, deals and revenue from planned consultations by mode and walk-ins."""
    for key, value in (
        ("consultations_phone", consultations_phone),
        ("consultations_online", consultations_online),
        ("visits_walk_in", visits_walk_in),
    ):
        if value < 0:
            raise ValidationError(gettext("计划咨询量和自然上门量不能为负数"), field=key)
    validate_rates(rates)

    def rate(key: str, count: int) -> Fraction:
        if not count:
            return Fraction(0)
        value = getattr(rates, key)
        if value is None:
            raise ValidationError(
                gettext("缺少%(value)s：没有历史数据，请手工填写") % {"value": RATE_LABELS[key]}, field=key
            )
        return Fraction(value)

    v_phone = consultations_phone * rate("phone_visit_rate", consultations_phone)
    v_online = consultations_online * rate("online_visit_rate", consultations_online)
    visits = v_phone + v_online + visits_walk_in
    deals = visits * rate("conversion_rate", 1 if visits else 0)
    revenue = deals * rate("revenue_per_deal_fen", 1 if deals else 0)
    revenue_fen = int(
        (Decimal(revenue.numerator) / Decimal(revenue.denominator)).quantize(Decimal(1), ROUND_HALF_UP)
    )
    return Expected(
        consultations_phone=consultations_phone,
        consultations_online=consultations_online,
        visits_walk_in=visits_walk_in,
        visits_phone=_one_place(v_phone),
        visits_online=_one_place(v_online),
        visits=_one_place(visits),
        deals=_one_place(deals),
        revenue_fen=revenue_fen,
    )


def with_overrides(rates: Rates, **values: Decimal | None) -> Rates:
    return replace(rates, **values)
