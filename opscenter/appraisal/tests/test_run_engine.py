"""The run's compiled fast path (new appraisals) gives exactly what the ORM path (a rerun of the same
draft through `compute_outcome`) gives, keeps the inclusive grade boundaries, and issues a number of
queries that does not grow with the staff."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opscenter.appraisal import services
from opscenter.appraisal.choices import CurveKind, ItemKind, ItemMethod
from opscenter.appraisal.models import Appraisal, Interview, ItemScore
from opscenter.core.testing import make_department, make_staff


def _card(site, dept, items):
    card = services.scorecard_create(
        actor=None, site_id=site.pk, name="引擎测试", subject_kind="staff", department_id=dept.pk
    )
    for order, (name, weight, curve, extra) in enumerate(items, start=1):
        services.scorecard_item_save(
            actor=None,
            scorecard=card,
            name=name,
            kind=ItemKind.SCORED if weight else ItemKind.OBSERVED,
            weight=weight or "0",
            method=ItemMethod.METRIC,
            metric_code="test.deals",
            curve=curve,
            order=order,
            **extra,
        )
    services.scorecard_publish(actor=None, scorecard=card)
    return card


def test_grade_boundary_is_inclusive_through_the_fast_path_90_00_excellent_89_99_good(personas, test_metric):
    site = personas.site_a
    dept = make_department(site, "call_center")
    _card(site, dept, [("线性", "100", CurveKind.LINEAR, {"zero_at": "0", "full_at": "10000"})])
    at, below, zero = (make_staff(department=dept, name=n) for n in ("恰好九十", "差一点", "零"))
    test_metric.update({at.pk: 9000, below.pk: 8999, zero.pk: 0})
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    got = {a.staff_id: (a.final_score, a.grade) for a in Appraisal.objects.filter(period=period)}
    assert got[at.pk] == (D("90.00"), "优秀")
    assert got[below.pk] == (D("89.99"), "良好")
    assert got[zero.pk] == (D("0.00"), "不合格")
    row = ItemScore.objects.get(appraisal__staff=below)
    assert (row.numerator, row.value, row.score, row.status) == (8999, D("8999"), D("89.99"), "auto")


def test_fast_path_equals_the_orm_path_of_a_rerun_to_the_cent(personas, test_metric):
    """Weights 33.33 / 33.33 / 33.34 and three curves make half-cent ties; the first run scores new
    appraisals with the compiled plan, the rerun updates them through compute_outcome."""
    site = personas.site_a
    dept = make_department(site, "call_center")
    _card(
        site,
        dept,
        [
            ("线性", "33.33", CurveKind.LINEAR, {"zero_at": "3", "full_at": "11"}),
            ("目标", "33.33", CurveKind.TARGET, {"target": "7"}),
            ("阶梯", "33.34", CurveKind.STEP, {"steps": [["2", "60"], ["5", "80"], ["9", "100"]]}),
            ("考察", None, CurveKind.TARGET, {"target": "3"}),
        ],
    )
    people = [make_staff(department=dept, name=f"坐席{i}") for i in range(14)]
    test_metric.update({p.pk: i for i, p in enumerate(people)})
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)

    def snapshot():
        appraisals = {
            a.staff_id: (
                a.weighted_score,
                a.final_score,
                a.grade,
                a.coefficient,
                a.pending_items,
                a.explanation,
            )
            for a in Appraisal.objects.filter(period=period)
        }
        items = sorted(
            ItemScore.objects.filter(appraisal__period=period).values_list(
                "appraisal__staff_id", "item__name", "numerator", "value", "score", "status"
            )
        )
        return appraisals, items

    fast = snapshot()
    services.appraisal_run(period=period)  # every appraisal exists now: the ORM path
    assert snapshot() == fast
    # the numbers are the curves' own: staff with 7 deals → linear 50, target 100, step 80
    seven = fast[0][people[7].pk]
    assert seven[0] == D("76.67")  # 50×33.33% + 100×33.33% + 80×33.34% = 16.665 + 33.33 + 26.672 = 76.667
    # one interview per appraised staff member (the department also holds the persona 客服甲)
    assert Interview.objects.filter(appraisal__period=period).count() == len(fast[0]) == 15
    observed = [i for i in fast[1] if i[1] == "考察"]
    assert all(score is None for *_x, score, _s in observed)


@pytest.mark.parametrize("extra", [3, 30])
def test_a_run_issues_the_same_number_of_queries_for_3_or_33_staff(personas, test_metric, extra):
    site = personas.site_a
    dept = make_department(site, "call_center")
    _card(site, dept, [("目标", "100", CurveKind.TARGET, {"target": "10"})])
    for i in range(3 + extra):
        make_staff(department=dept, name=f"员工{i}")
    period = services.period_get_or_create(label="2026-10")
    with CaptureQueriesContext(connection) as captured:
        services.appraisal_run(period=period)
    # metric read, subjects, inserts (one per table per 5,000 rows), ids back, interviews…
    assert len(captured.captured_queries) <= 22, [q["sql"][:80] for q in captured.captured_queries]
