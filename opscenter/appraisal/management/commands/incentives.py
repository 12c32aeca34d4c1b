"""`opscenter incentives payout --period 2026 [--plan NAME] [--json]` computes the payouts of every
incentive plan (or one) for a published period; refused when the period is not published."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from opscenter.appraisal import services
from opscenter.appraisal.choices import PlanKind
from opscenter.appraisal.models import IncentivePlan
from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError

YEARLY = {PlanKind.CONTRACT_BONUS, PlanKind.COST_SAVING, PlanKind.PROFIT_SHARE, PlanKind.PROFIT_BRACKETS}


class Command(BaseCommand):
    help = "Incentives: compute payouts for a published period"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        payout = sub.add_parser("payout", help="compute payouts of a published period")
        payout.add_argument(
            "--period", required=True, help="2026 (year-end plans) or 2026-10 (monthly plans)"
        )
        payout.add_argument("--plan", default="", help="only this plan (name)")
        payout.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        try:
            kind, label, _s, _e = services.parse_period(opts["period"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        plans = IncentivePlan.objects.order_by("site_id", "name", "-version")
        if opts["plan"]:
            plans = plans.filter(name=opts["plan"])
        latest = {}
        for plan in plans:
            latest.setdefault((plan.site_id, plan.name), plan)
        wanted = [p for p in latest.values() if (p.kind in YEARLY) == (kind == "year")]
        out = []
        try:
            with audit_context(None, "cli"):
                for plan in wanted:
                    payout = services.payout_compute(actor=None, plan=plan, period_label=label)
                    lines = list(payout.lines.all())
                    out.append(
                        {
                            "plan": f"{plan.name} v{plan.version}",
                            "kind": plan.kind,
                            "period": payout.period_label,
                            "total_fen": payout.total_fen,
                            "lines": len(lines),
                            "reconciles": sum(x.amount_fen for x in lines) == payout.total_fen,
                        }
                    )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        if not out:
            self.stdout.write(f"{label}: no incentive plans of this period kind")
        for row in out:
            yuan, fen = divmod(row["total_fen"], 100)
            self.stdout.write(f"{row['period']} {row['plan']}: ¥{yuan:,}.{fen:02d} in {row['lines']} lines")
