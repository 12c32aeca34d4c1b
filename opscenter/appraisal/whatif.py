"""What-if: a draft scorecard version applied to the last computed period of the version it was
copied from, in memory (nothing is written), next to the stored result — each person's score,
grade and monthly pay before and after.

Items are matched by name: an automatic item reuses the stored metric value with the draft's curve;
a manual or checklist item keeps its entered score; a new item has no data yet and scores 0 (said so).
Rules are matched by name too (a rule removed in the draft no longer fires).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from opscenter.appraisal import pay, scoring
from opscenter.appraisal.choices import ItemKind, ItemMethod, PlanKind
from opscenter.appraisal.models import Appraisal, IncentivePlan, ItemScore, RuleEvent, Scorecard
from opscenter.appraisal.services.runs import checklist_score, curve_for


@dataclass
class WhatIfRow:
    appraisal: Appraisal
    before_score: Decimal
    before_grade: str
    after_score: Decimal
    after_grade: str
    before_pay: int | None
    after_pay: int | None
    missing: list[str]


def whatif(
    *, draft: Scorecard, float_pct: Decimal | None = None, limit: int = 500
) -> tuple[str, list[WhatIfRow]]:
    """(period label, rows) — empty when the source version was never computed."""
    source = draft.based_on
    if source is None:
        return "", []
    last = (
        Appraisal.objects.filter(scorecard=source)
        .order_by("-period__start")
        .values_list("period_id", flat=True)
        .first()
    )
    if last is None:
        return "", []
    appraisals = list(
        Appraisal.objects.filter(scorecard=source, period_id=last)
        .select_related("period")
        .order_by("subject_name")[:limit]
    )
    ids = [a.pk for a in appraisals]
    stored: dict[int, dict[str, ItemScore]] = {}
    for row in ItemScore.objects.filter(appraisal_id__in=ids).select_related("item"):
        stored.setdefault(row.appraisal_id, {})[row.item.name] = row
    events: dict[int, list[RuleEvent]] = {}
    for e in RuleEvent.objects.filter(appraisal_id__in=ids).select_related("rule"):
        events.setdefault(e.appraisal_id, []).append(e)
    items = list(draft.items.all())
    rules = {r.name: r for r in draft.rules.all()}
    bands = [scoring.Band(b.name, b.min_score, b.coefficient) for b in draft.bands.all()]
    plan = (
        IncentivePlan.objects.filter(
            site_id=draft.site_id, kind=PlanKind.MONTHLY_PAY, scorecard_name=draft.name
        )
        .order_by("-version")
        .first()
    )
    bases = dict(plan.bases.values_list("staff_id", "base_fen")) if plan else {}
    pct = (
        float_pct
        if float_pct is not None
        else (Decimal(str(plan.params.get("float_pct", 0))) if plan else None)
    )
    out = []
    for a in appraisals:
        mine = stored.get(a.pk, {})
        parts, missing = [], []
        for item in items:
            if item.kind != ItemKind.SCORED:
                continue
            old = mine.get(item.name)
            if old is None:
                missing.append(item.name)
                score = Decimal(0)
            elif item.method == ItemMethod.METRIC and old.item.method == ItemMethod.METRIC:
                score = curve_for(item).score(old.value)
            elif item.method == ItemMethod.CHECKLIST:
                score = checklist_score(item, old.checked)
            else:
                score = old.score or Decimal(0)
            parts.append((score, item.weight))
        hits = []
        for e in events.get(a.pk, []):
            rule = rules.get(e.rule.name)
            if rule is not None:
                hits.append(
                    scoring.RuleHit(rule.kind, rule.name, rule.order, e.points, rule.grades, e.reason)
                )
        outcome = scoring.apply_rules(scoring.weighted_total(parts), hits, bands)
        base = bases.get(a.staff_id)
        before_pay = after_pay = None
        if base is not None and pct is not None:
            before_pay = pay.monthly_pay(base_fen=base, float_pct=pct, score=a.final_score or 0)
            after_pay = pay.monthly_pay(base_fen=base, float_pct=pct, score=outcome.score)
        out.append(
            WhatIfRow(
                a,
                a.final_score or Decimal(0),
                a.grade,
                outcome.score,
                outcome.grade,
                before_pay,
                after_pay,
                missing,
            )
        )
    return appraisals[0].period.label, out
