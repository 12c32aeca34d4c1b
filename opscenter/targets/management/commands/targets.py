"""`opscenter targets solve --revenue 12000000 --year 2027 --site S [--split seasonal|even] [--by-channel]
[--json]` prints the monthly plan a yearly revenue (yuan) needs (with `--by-channel`, also split
across source channels, each back-solved with its own rates); `opscenter targets check-alerts` notifies the
managers of units whose month is at risk (schedule it, e.g. hourly, from cron or a systemd timer)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.management.base import BaseCommand, CommandError

from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError
from opscenter.org.selectors import site_by_code_or_name
from opscenter.targets import actuals
from opscenter.targets.alerts import check_alerts
from opscenter.targets.choices import SplitMethod
from opscenter.targets.solving import site_year_solution

COLUMNS = (
    ("营收(元)", None),
    ("成交", "deals"),
    ("上门", "visits"),
    ("电话上门", "visits_phone"),
    ("网络上门", "visits_online"),
    ("自然上门", "visits_walk_in"),
    ("电话咨询", "consultations_phone"),
    ("网络咨询", "consultations_online"),
)


def _yuan_to_fen(raw: str) -> int:
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise CommandError(f"营收“{raw}”不是数字") from exc
    if value < 0:
        raise CommandError("营收目标不能为负数")
    return int((value * 100).to_integral_value())


class Command(BaseCommand):
    help = "Target decomposition: solve a yearly revenue into a monthly plan; check targets at risk"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        solve = sub.add_parser(
            "solve", help="monthly plan (deals, visits, consultations) for a yearly revenue"
        )
        solve.add_argument("--revenue", required=True, help="yearly revenue target in yuan (元)")
        solve.add_argument("--year", type=int, required=True)
        solve.add_argument("--site", required=True, help="site code or name (院区)")
        solve.add_argument(
            "--split", choices=[SplitMethod.SEASONAL, SplitMethod.EVEN], default=SplitMethod.SEASONAL
        )
        solve.add_argument(
            "--by-channel", action="store_true", help="also split by source channel (each with its own rates)"
        )
        solve.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_parser("check-alerts", help="notify managers of units whose projection is below target")

    def handle(self, *args, **opts):
        if opts["action"] == "check-alerts":
            sent = check_alerts()
            self.stdout.write(f"已发送 {sent} 条目标预警通知")
            return
        try:
            site = site_by_code_or_name(opts["site"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        try:
            with audit_context(None, "cli", "targets solve"):
                solution = site_year_solution(
                    user=actuals.SYSTEM, site_id=site.pk, year=opts["year"],
                    revenue_fen=_yuan_to_fen(opts["revenue"]), split=opts["split"],
                    by_channel=opts["by_channel"],
                )  # fmt: skip
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if solution.error:
            raise CommandError(solution.error)
        if solution.channels is not None and solution.channels.error:
            raise CommandError(solution.channels.error)
        if opts["json"]:
            self.stdout.write(json.dumps(self._as_json(site, opts, solution), ensure_ascii=False, indent=2))
        else:
            self._print(site, opts, solution)

    def _as_json(self, site, opts, solution) -> dict:
        rates = solution.resolved.rates.as_dict()
        data = {
            "site": site.code,
            "year": opts["year"],
            "split": opts["split"],
            "rates": {k: (str(v) if v is not None else None) for k, v in rates.items()},
            "months": [{"month": m.month, **m.need.as_dict()} for m in solution.months],
            "total": {key: solution.total(key) for _label, key in COLUMNS if key}
            | {"revenue_fen": sum(m.revenue_fen for m in solution.months)},
        }
        if solution.channels is not None:
            data["channels"] = [_channel_json(line) for line in solution.channels.lines]
        return data

    def _print(self, site, opts, solution) -> None:
        split = SplitMethod(opts["split"]).label
        self.stdout.write(f"{site.name} {opts['year']} 年月度计划（{split}；转化率为近 12 个月实际）")
        rates = solution.resolved.rates
        parts = []
        for key in ("revenue_per_deal_fen", "conversion_rate", "phone_visit_rate", "online_visit_rate"):
            value = getattr(rates, key)
            if value is None:
                parts.append(f"{key}=—")
            elif key == "revenue_per_deal_fen":
                parts.append(f"单笔贡献额 ¥{value / 100:,.2f}")
            else:
                parts.append(f"{solver_label(key)} {value * 100:.1f}%")
        self.stdout.write("  ".join(parts))
        header = ["月份", *[label for label, _key in COLUMNS]]
        self.stdout.write(" ".join(f"{h:>10}" for h in header))
        for m in solution.months:
            cells = [f"{m.month // 100}-{m.month % 100:02d}", f"{m.revenue_fen / 100:,.0f}"]
            cells += [str(getattr(m.need, key)) for _label, key in COLUMNS if key]
            self.stdout.write(" ".join(f"{c:>10}" for c in cells))
        total = [f"{sum(m.revenue_fen for m in solution.months) / 100:,.0f}"]
        total += [str(solution.total(key)) for _label, key in COLUMNS if key]
        self.stdout.write(" ".join(f"{c:>10}" for c in ["合计", *total]))
        if solution.channels is not None:
            self._print_channels(solution.channels)

    def _print_channels(self, plan) -> None:
        unlabeled = (
            f"；未登记渠道的营收 {_pct(plan.unlabeled_share)} 已按占比分摊" if plan.unlabeled_share else ""
        )
        self.stdout.write("")
        self.stdout.write(f"按渠道分解（营收按各渠道近 12 个月成交营收占比分摊{unlabeled}）")
        for line in plan.lines:
            rates = line.resolved.rates
            own = "全部为本渠道数据" if not line.resolved.fallbacks else "部分取上级数据"
            self.stdout.write("")
            self.stdout.write(
                f"【{line.name}】占比 {_pct(line.share)}  营收 ¥{line.revenue_fen / 100:,.0f}  "
                f"单笔贡献额 {_rate(rates, 'revenue_per_deal_fen')}  成交率 {_rate(rates, 'conversion_rate')}  "
                f"电话上门率 {_rate(rates, 'phone_visit_rate')}  网络上门率 {_rate(rates, 'online_visit_rate')}（{own}）"
            )
            if line.error:
                self.stdout.write(f"  {line.error}")
                continue
            header = ["月份", "营收(元)", *[label for label, key in CHANNEL_COLUMNS]]
            self.stdout.write(" ".join(f"{h:>10}" for h in header))
            for m in line.months:
                cells = [f"{m.month // 100}-{m.month % 100:02d}", f"{m.revenue_fen / 100:,.0f}"]
                cells += [str(getattr(m.need, key)) for _label, key in CHANNEL_COLUMNS]
                self.stdout.write(" ".join(f"{c:>10}" for c in cells))
            total = [
                "合计",
                f"{line.revenue_fen / 100:,.0f}",
                *[str(line.total(key)) for _l, key in CHANNEL_COLUMNS],
            ]
            self.stdout.write(" ".join(f"{c:>10}" for c in total))


CHANNEL_COLUMNS = (
    ("成交", "deals"),
    ("上门", "visits"),
    ("电话咨询", "consultations_phone"),
    ("网络咨询", "consultations_online"),
)


def _pct(share: Fraction) -> str:
    return f"{Decimal(share.numerator) / Decimal(share.denominator) * 100:.1f}%"


def _rate(rates, key: str) -> str:
    value = getattr(rates, key)
    if value is None:
        return "—"
    if key == "revenue_per_deal_fen":
        return f"¥{value / 100:,.2f}"
    return f"{value * 100:.1f}%"


def _channel_json(line) -> dict:
    """One channel of `--by-channel --json`: share, effective rates with their source, months."""
    return {
        "channel_id": line.channel_id,
        "name": line.name,
        "share": str(
            (Decimal(line.share.numerator) / Decimal(line.share.denominator)).quantize(Decimal("0.0001"))
        ),
        "revenue_fen": line.revenue_fen,
        "rates": {k: (str(v) if v is not None else None) for k, v in line.resolved.rates.as_dict().items()},
        "sources": dict(line.resolved.sources),
        "error": line.error or None,
        "months": [
            {"month": m.month, "revenue_fen": m.revenue_fen, **(m.need.as_dict() if m.need else {})}
            for m in line.months
        ],
        "total": {key: line.total(key) for _label, key in CHANNEL_COLUMNS}
        | {"revenue_fen": line.revenue_fen},
    }


def solver_label(key: str) -> str:
    from opscenter.targets.solver import RATE_LABELS

    return RATE_LABELS[key]
