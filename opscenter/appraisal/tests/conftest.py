"""Appraisal test fixtures: a set-based test metric by staff (one grouped query over org.Staff so a
run's query count can be pinned), scorecards built through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.appraisal import services
from opscenter.appraisal.choices import CurveKind, ItemKind, ItemMethod, RuleKind
from opscenter.metrics import Metric, MetricUnit, MetricValue, register
from opscenter.metrics.registry import _REGISTRY

TEST_VALUES: dict[int, int] = {}  # staff id → value for the month


def _values(query):
    from opscenter.org.models import Staff

    qs = Staff.objects.all()
    if query.unit_ids is not None:
        qs = qs.filter(pk__in=query.unit_ids)
    start = query.start.replace(day=1)
    return {(pk, start): MetricValue(TEST_VALUES.get(pk, 0)) for pk in qs.values_list("pk", flat=True)}


@pytest.fixture
def test_metric():
    """`test.deals`: a staff × month count answered by one query, values from TEST_VALUES."""
    TEST_VALUES.clear()
    register(
        Metric(
            code="test.deals",
            label="测试成交数",
            unit=MetricUnit.COUNT,
            values=_values,
            drill=lambda grain, unit_id, period, start: (
                f"/pipeline/deals/?consultant={unit_id}&month={start:%Y-%m}"
            ),
            grains=frozenset({"staff"}),
            periods=frozenset({"month"}),
            app="tests",
        )
    )
    yield TEST_VALUES
    _REGISTRY.pop("test.deals", None)


def make_card(site, *, name="95518 客服中心考评", department=None, appraiser=None, publish=True):
    """Seed 001's shape: service quality 40 (auto, deals as a stand-in), main business 40 (manual),
    key work 20 (checklist), an observed item and the veto / downgrade / deduction rules."""
    card = services.scorecard_create(
        actor=None,
        site_id=site.pk,
        name=name,
        subject_kind="staff",
        department_id=department.pk if department else None,
    )
    services.scorecard_item_save(
        actor=None,
        scorecard=card,
        name="服务质量",
        kind=ItemKind.SCORED,
        weight="40",
        method=ItemMethod.METRIC,
        metric_code="test.deals",
        curve=CurveKind.TARGET,
        target="10",
        order=1,
    )
    services.scorecard_item_save(
        actor=None,
        scorecard=card,
        name="主要业务",
        kind=ItemKind.SCORED,
        weight="40",
        method=ItemMethod.MANUAL,
        appraiser=appraiser,
        order=2,
    )
    services.scorecard_item_save(
        actor=None,
        scorecard=card,
        name="重点工作",
        kind=ItemKind.SCORED,
        weight="20",
        method=ItemMethod.CHECKLIST,
        checklist=[
            {"label": "上报报告", "points": 25},
            {"label": "组织竞赛", "points": 25},
            {"label": "队伍培训", "points": 25},
            {"label": "员工稳定", "points": 25},
        ],
        order=3,
    )
    services.scorecard_item_save(
        actor=None,
        scorecard=card,
        name="制度执行",
        kind=ItemKind.OBSERVED,
        method=ItemMethod.MANUAL,
        appraiser=appraiser,
        order=4,
    )
    services.scorecard_rule_save(
        actor=None, scorecard=card, kind=RuleKind.VETO, name="人为干预制造虚假报案", order=1
    )
    services.scorecard_rule_save(
        actor=None, scorecard=card, kind=RuleKind.DOWNGRADE, name="未将接报案业务全面上收", grades=2, order=2
    )
    services.scorecard_rule_save(
        actor=None,
        scorecard=card,
        kind=RuleKind.DEDUCTION,
        name="客户向总公司投诉",
        points_min="1",
        points_max="3",
        links_complaint=True,
        order=3,
    )
    if publish:
        services.scorecard_publish(actor=None, scorecard=card)
    return card


OCT = dt.date(2026, 10, 1)
D = Decimal
