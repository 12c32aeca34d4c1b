"""members.tier_upgrades and members.care_tasks_done: exact counts from the registry, and the
drill-down lists exactly the counted rows."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from opscenter.members.models import CareTask, TierChange
from opscenter.metrics import metric_values

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _change(customer, rule_set, as_of, from_tier, to_tier):
    return TierChange.objects.create(
        customer=customer,
        site_id=customer.site_id,
        rule_set=rule_set,
        from_tier=from_tier,
        to_tier=to_tier,
        source="evaluation",
        as_of=as_of,
        changed_at=dt.datetime.combine(as_of, dt.time(2), tzinfo=SH),
    )


def _task(customer, key, *, done_at=None):
    return CareTask.objects.create(
        site_id=customer.site_id,
        customer=customer,
        kind="followup",
        tier="A",
        due_on=dt.date(2026, 11, 1),
        key=key,
        status="done" if done_at else "open",
        done_at=done_at,
    )


def test_tier_upgrades_count_better_tiers_only_by_evaluation_date(client, personas, member, seed_rules):
    a, b, c = member("甲"), member("乙"), member("丙")
    _change(a, seed_rules, dt.date(2026, 11, 3), "B", "A")  # upgrade
    _change(b, seed_rules, dt.date(2026, 11, 3), "", "AA")  # first tier: not an upgrade
    _change(c, seed_rules, dt.date(2026, 11, 4), "AA", "B")  # downgrade
    _change(c, seed_rules, dt.date(2026, 11, 20), "C", "AAA")  # upgrade
    _change(b, seed_rules, dt.date(2026, 10, 31), "A", "AA")  # upgrade, previous month
    site = personas.site_b.pk
    month = metric_values(
        "members.tier_upgrades",
        grain="site",
        period="month",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 11, 30),
        unit_ids=[site],
    )
    assert month[(site, dt.date(2026, 11, 1))].numerator == 2
    assert month[(site, dt.date(2026, 10, 1))].numerator == 1
    days = metric_values(
        "members.tier_upgrades",
        grain="site",
        period="day",
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
        unit_ids=[site],
    )
    assert {p: v.numerator for (u, p), v in days.items()} == {
        dt.date(2026, 11, 3): 1,
        dt.date(2026, 11, 20): 1,
    }

    from opscenter.metrics import get_metric

    url = get_metric("members.tier_upgrades").drill("site", site, "month", dt.date(2026, 11, 1))
    client.force_login(personas.ops_b)
    html = client.get(url).content.decode()
    assert html.count("data-change=") == 2
    assert "AAA" in html and "2026-10-31" not in html


def test_care_tasks_done_by_shanghai_day_and_drill_down(client, personas, member):
    m = member()
    _task(m, "t1", done_at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=SH))  # November in Shanghai
    _task(m, "t2", done_at=dt.datetime(2026, 12, 1, 0, 30, tzinfo=SH))  # December
    _task(m, "t3", done_at=dt.datetime(2026, 11, 2, 9, tzinfo=SH))
    _task(m, "t4")  # open
    site = personas.site_b.pk
    values = metric_values(
        "members.care_tasks_done",
        grain="site",
        period="month",
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 12, 31),
        unit_ids=[site],
    )
    assert values[(site, dt.date(2026, 11, 1))].numerator == 2
    assert values[(site, dt.date(2026, 12, 1))].numerator == 1

    from opscenter.metrics import get_metric

    url = get_metric("members.care_tasks_done").drill("site", site, "month", dt.date(2026, 11, 1))
    assert url.startswith(reverse("members:caretask_list"))
    client.force_login(personas.ops_b)
    response = client.get(url)
    assert sorted(t.key for t in response.context["page"]) == ["t1", "t3"]
