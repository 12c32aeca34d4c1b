"""The shared metric registry: the targets' metrics through the adapter, the commitments' own."""

import datetime as dt

import pytest

from opscenter.commitments import services
from opscenter.commitments.choices import Event
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.businesstime import SHANGHAI
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department
from opscenter.metrics import all_metrics, get_metric, metric_values

pytestmark = pytest.mark.django_db


def test_the_targets_metrics_are_exposed_through_the_registry():
    from opscenter.targets.metrics import all_metrics as target_metrics

    codes = set(all_metrics())
    assert {f"targets.{key}" for key in target_metrics()} <= codes
    assert get_metric("targets.revenue_fen").unit == "money_fen"
    assert get_metric("targets.visits").periods == frozenset({"day", "week", "month"})
    # Counted by month only on its own side: no day / week from the adapter.
    assert get_metric("targets.followups_done").periods == frozenset({"month"})


def test_unknown_metric_and_unsupported_grain_are_refused():
    with pytest.raises(ValidationError, match="未知的指标"):
        get_metric("nope")
    with pytest.raises(ValidationError, match="不支持"):
        metric_values(
            "targets.followups_done",
            grain="team",
            period="week",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 1, 31),
        )
    with pytest.raises(ValidationError, match="不支持"):
        metric_values(
            "targets.visits",
            grain="channel",
            period="week",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 1, 31),
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


def test_targets_visits_by_team_and_week_and_revenue_by_day_in_one_query(
    personas, make_customer, django_assert_max_num_queries
):
    from opscenter.pipeline import services as pipeline

    a = personas.consultant_a
    team = a.staff.team
    days = [dt.datetime(2026, 3, d, 10, tzinfo=SHANGHAI) for d in (2, 4, 11)]  # two in week 10, one in 11
    for moment in days:
        c = make_customer()
        pipeline.consultation_record(actor=a, customer_id=c.pk, mode="phone", occurred_at=moment)
        pipeline.visit_register(actor=a, customer_id=c.pk, arrived_at=moment)
    pipeline.deal_sign(actor=a, customer_id=c.pk, signed_on=dt.date(2026, 3, 11), amount_fen=123_45)
    with django_assert_max_num_queries(2):
        weekly = metric_values(
            "targets.visits", grain="team", period="week", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 22)
        )
    assert {p: v.value for (u, p), v in weekly.items() if u == team.pk} == {
        dt.date(2026, 3, 2): 2,
        dt.date(2026, 3, 9): 1,
        dt.date(2026, 3, 16): 0,  # no rows: 0, as the months answer
    }
    monthly = metric_values(
        "targets.visits", grain="team", period="month", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    assert monthly[(team.pk, dt.date(2026, 3, 1))].value == 3  # the same rows, by month
    daily = metric_values(
        "targets.revenue_fen",
        grain="staff",
        period="day",
        start=dt.date(2026, 3, 10),
        end=dt.date(2026, 3, 11),
    )
    assert daily[(a.staff.pk, dt.date(2026, 3, 11))].value == 123_45
    assert daily[(a.staff.pk, dt.date(2026, 3, 10))].value == 0


def test_commitments_metrics_answer_staff_team_and_channel(client, personas, make_customer, channels):
    from opscenter.org.models import Liaison

    nursing = make_department(personas.site_a, "nursing")
    Liaison.objects.create(department=nursing, staff=personas.nursing_a.staff)
    at = dt.datetime(2026, 11, 3, 10, tzinfo=SHANGHAI)
    for title in ("呼叫器故障", "热水"):
        services.work_order_open(department_id=nursing.pk, title=title, now=at)
    services.work_order_open(
        department_id=make_department(personas.site_a, "logistics").pk, title="x", now=at
    )
    staff = personas.nursing_a.staff
    values = metric_values(
        "commitments.work_orders_opened",
        grain="staff",
        period="week",
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 11, 8),
        unit_ids=[staff.pk],
    )
    assert values == {(staff.pk, dt.date(2026, 11, 2)): values[(staff.pk, dt.date(2026, 11, 2))]}
    assert values[(staff.pk, dt.date(2026, 11, 2))].value == 2
    url = get_metric("commitments.work_orders_opened").drill("staff", staff.pk, "week", dt.date(2026, 11, 2))
    client.force_login(personas.ops_a)
    page = client.get(url)
    assert sorted(wo.title for wo in page.context["page"]) == ["呼叫器故障", "热水"]

    customer = make_customer(kind="phone")
    services.complaint_register(
        actor=None,
        department_id=nursing.pk,
        customer_name=customer.name,
        customer_id=customer.pk,
        channel="phone",
        category="服务态度",
        content="态度差",
        received_at=at,
    )
    by_channel = metric_values(
        "commitments.complaints",
        grain="channel",
        period="month",
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
    )
    assert by_channel[(customer.channel_id, dt.date(2026, 11, 1))].value == 1
    by_staff = metric_values(
        "commitments.complaints",
        grain="staff",
        period="month",
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
    )
    assert by_staff[(customer.owner_id, dt.date(2026, 11, 1))].value == 1
    drill = get_metric("commitments.complaints").drill(
        "channel", customer.channel_id, "month", dt.date(2026, 11, 1)
    )
    assert "customer_channel=" in drill
    assert len(client.get(drill).context["page"].object_list) == 1
    assert "channel" not in get_metric("commitments.on_time_rate").grains
    assert {"staff", "team"} <= get_metric("commitments.on_time_rate").grains
