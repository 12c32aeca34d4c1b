"""The shared metric registry: the targets' metrics through the adapter, the commitments' own."""

import datetime as dt

import pytest

from opscenter.commitments import services
from opscenter.commitments.choices import Event
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.exceptions import ValidationError
from opscenter.metrics import all_metrics, get_metric, metric_values

pytestmark = pytest.mark.django_db


def test_the_targets_metrics_are_exposed_through_the_registry():
    from opscenter.targets.metrics import all_metrics as target_metrics

    codes = set(all_metrics())
    assert {f"targets.{key}" for key in target_metrics()} <= codes
    assert get_metric("targets.revenue_fen").unit == "money_fen"
    assert get_metric("targets.visits").periods == frozenset({"month"})


def test_unknown_metric_and_unsupported_grain_are_refused():
    with pytest.raises(ValidationError, match="未知的指标"):
        get_metric("nope")
    with pytest.raises(ValidationError, match="不支持"):
        metric_values(
            "targets.visits", grain="team", period="week", start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)
        )


def test_targets_visits_by_site_and_month(personas, make_customer):
    from opscenter.pipeline import services as pipeline

    c = make_customer()
    pipeline.visit_register(
        actor=personas.consultant_a, customer_id=c.pk, arrived_at=dt.datetime(2026, 3, 5, 10, tzinfo=SHANGHAI)
    )
    values = metric_values(
        "targets.visits",
        grain="site",
        period="month",
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 4, 30),
        unit_ids=[personas.site_a.pk],
    )
    assert values[(personas.site_a.pk, dt.date(2026, 3, 1))].value == 1
    assert values[(personas.site_a.pk, dt.date(2026, 4, 1))].value == 0


def test_on_time_rate_by_department_and_week_in_bounded_queries(personas, django_assert_max_num_queries):
    tree = delivery_tree(personas.site_a)
    at = lambda d, h: dt.datetime(2026, 11, d, h, tzinfo=SHANGHAI)  # noqa: E731
    for i in range(5):
        services.measurement_record(
            tree=tree,
            subject_kind="order",
            subject_ref=str(i),
            events={Event.ORDER_PLACED: at(2, 9), Event.ORDER_ENTERED: at(2, 10 + i)},
        )
    customer = tree.commitments.get(name="录单").department
    with django_assert_max_num_queries(1):
        values = metric_values(
            "commitments.on_time_rate",
            grain="department",
            period="week",
            start=dt.date(2026, 11, 2),
            end=dt.date(2026, 11, 8),
        )
    v = values[(customer.pk, dt.date(2026, 11, 2))]
    assert (v.numerator, v.denominator) == (2, 5)  # 1 h and 2 h are on time; 3, 4, 5 h are not
    url = get_metric("commitments.on_time_rate").drill(
        "department", customer.pk, "week", dt.date(2026, 11, 2)
    )
    assert url.startswith("/commitments/stages/?") and "from=2026-11-02" in url and "to=2026-11-08" in url
