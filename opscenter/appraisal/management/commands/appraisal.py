"""`opscenter appraisal run --period 2026-10 [--scorecard NAME] [--json]` computes every appraisal
of the period as a draft; `opscenter appraisal explain --period 2026-10 --staff NAME [--json]`
prints how a staff member's score was made (items, data, rules, grade)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from opscenter.appraisal import services
from opscenter.appraisal.models import Appraisal
from opscenter.core.audit import audit_context
from opscenter.core.exceptions import DomainError


class Command(BaseCommand):
    help = "Appraisal: run a period's appraisals; explain one staff member's score"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="compute every appraisal of a period as a draft")
        run.add_argument("--period", required=True, help="2026-10, 2026-Q4 or 2026")
        run.add_argument("--scorecard", default="", help="only this scorecard (name)")
        run.add_argument("--json", action="store_true")
        explain = sub.add_parser("explain", help="how a staff member's score was made")
        explain.add_argument("--period", required=True)
        explain.add_argument("--staff", required=True, help="name or employee number")
        explain.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        try:
            with audit_context(None, "cli"):
                if opts["action"] == "run":
                    return self._run(opts)
                return self._explain(opts)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _run(self, opts) -> None:
        period = services.period_get_or_create(label=opts["period"])

        def progress(done, total):
            if not opts["json"]:
                self.stderr.write(f"\r{done}/{total}", ending="")

        summary = services.appraisal_run(
            period=period, scorecard_name=opts["scorecard"] or None, progress=progress
        )
        data = {
            "period": summary.period,
            "appraisals": summary.appraisals,
            "metric_calls": summary.metric_calls,
            "pending_items": summary.pending_items,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stderr.write("")
            self.stdout.write(
                f"{summary.period}: {summary.appraisals} appraisals (draft), "
                f"{summary.metric_calls} metric reads, {summary.pending_items} manual items pending"
            )

    def _explain(self, opts) -> None:
        _kind, label, _s, _e = services.parse_period(opts["period"])
        who = Q(staff__name=opts["staff"]) | Q(staff__employee_no=opts["staff"])
        rows = list(
            Appraisal.objects.filter(who, period__label=label).select_related("period", "scorecard", "staff")
        )
        if not rows:
            raise CommandError(f"没有 {opts['staff']} 在 {label} 的考核结果")
        out = []
        for a in rows:
            items = [
                {
                    "item": s.item.name,
                    "kind": s.item.kind,
                    "method": s.item.method,
                    "metric": s.item.metric_code,
                    "numerator": s.numerator,
                    "denominator": s.denominator,
                    "value": None if s.value is None else str(s.value),
                    "score": None if s.score is None else str(s.score),
                    "weight": str(s.item.weight),
                    "status": s.status,
                }
                for s in a.scores.select_related("item").order_by("item__order", "item_id")
            ]
            out.append(
                {
                    "period": a.period.label,
                    "period_status": a.period.status,
                    "published": services.is_published(a),  # the whole period or this site
                    "staff": a.staff.name,
                    "employee_no": a.staff.employee_no,
                    "scorecard": f"{a.scorecard.name} v{a.scorecard.version}",
                    "items": items,
                    "weighted": str(a.weighted_score),
                    "rules": a.explanation.get("rules", []),
                    "final": str(a.final_score),
                    "grade": a.grade,
                    "coefficient": str(a.coefficient),
                }
            )
        if opts["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for a in out:
            self.stdout.write(f"{a['staff']} ({a['employee_no']}) · {a['period']} · {a['scorecard']}")
            for i in a["items"]:
                data = f"{i['value']}" if i["method"] == "metric" else i["status"]
                self.stdout.write(
                    f"  {i['item']:<12} weight {i['weight']:>6}  data {data:<12} score {i['score']}"
                )
            self.stdout.write(f"  weighted {a['weighted']}")
            for r in a["rules"]:
                self.stdout.write(f"  rule {r['kind']}: {r['rule']} ({r['reason']}) → {r['effect']}")
            self.stdout.write(f"  final {a['final']} → {a['grade']} (coefficient {a['coefficient']})")
