# ruff: noqa: F811  (the `company` fixture is imported from test_payouts)
"""Screens of the incentive side: the GM's allocation (scores beside each name, a sum off by a fen
refused with a message, saved lines on the statement), contests and their leaderboard drilling to
the rows, stages, the leave settlement statement and who may see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opscenter.appraisal import services
from opscenter.appraisal.choices import PeriodStatus, PlanKind
from opscenter.appraisal.models import Payout, Period
from opscenter.appraisal.tests.conftest import TEST_VALUES
from opscenter.appraisal.tests.test_payouts import company  # noqa: F401
from opscenter.core.testing import make_department, make_staff, make_user


def _publish(label):
    period = services.period_get_or_create(label=label)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.PUBLISHED)


@pytest.fixture
def gm_client(client, company):
    user = make_user("gm-view")
    company["gm"].user = user
    company["gm"].save()
    client.force_login(user)
    return client


def test_the_gm_allocates_on_the_screen_and_a_sum_off_by_a_fen_is_refused(gm_client, company):
    _publish("2026")
    payout = services.payout_compute(actor=None, plan=company["plan"], period_label="2026")
    url = reverse("appraisal:payout_allocate", args=[payout.pk])
    page = gm_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "32,500.00" in html and "18,200.00" in html  # the two parts to allocate
    assert "市场经理" not in html.split('id="part-mk_allocated"')[1].split("</section>")[0]
    m0, m1, m2 = company["mk"]
    data = {
        "version": "0",
        "mk_allocated-submitted": "1",
        f"mk_allocated-{m0.pk}": "20000",
        f"mk_allocated-{m1.pk}": "10000",
        f"mk_allocated-{m2.pk}": "2499.99",
    }
    refused = gm_client.post(url, data, follow=True)
    assert "还差 0.01 元" in refused.content.decode()
    data[f"mk_allocated-{m2.pk}"] = "2500.00"
    done = gm_client.post(url, data, follow=True)
    assert done.redirect_chain[-1][0] == url
    html = done.content.decode()
    result = html.split('id="allocation-result"')[1]
    assert (
        "由市场部经理与总经理参照月度考核分分配" in result and "20,000.00" in result and "2,500.00" in result
    )
    assert "第 1 版" in html
    payout.refresh_from_db()
    assert payout.total_fen == 260_000_00


def test_a_consultant_cannot_open_the_allocation_screen(client, company, personas):
    _publish("2026")
    payout = services.payout_compute(actor=None, plan=company["plan"], period_label="2026")
    client.force_login(personas.consultant_a)
    assert client.get(reverse("appraisal:payout_allocate", args=[payout.pk])).status_code in (403, 404)


def test_the_leave_form_settles_and_shows_the_statement_only_to_finance_and_the_person(
    client, company, personas
):
    _publish("2026")
    payout = services.payout_compute(actor=None, plan=company["plan"], period_label="2026")
    services.payout_publish(actor=None, payout=payout)
    fired = company["mk"][1]
    client.force_login(personas.admin)
    page = client.post(
        reverse("appraisal:staff_leave", args=[payout.pk]),
        {"staff": fired.pk, "reason": "dismissed", "on": "2027-01-20"},
        follow=True,
    )
    html = page.content.decode()
    assert "离职奖金结算单" in html and "公司辞退" in html
    # nothing paid yet: all of the equal line (15,166.67) settled, the allocated one (10,833.33) forfeited
    assert "15,166.67" in html and "10,833.33" in html
    settlement_url = page.redirect_chain[-1][0]
    assert "15,166.67" in client.get(reverse("appraisal:payout_detail", args=[payout.pk])).content.decode()
    assert settlement_url in client.get(reverse("appraisal:payout_detail", args=[payout.pk])).content.decode()
    own = make_user("fired-self")
    fired.user = own
    fired.save()
    client.force_login(own)
    assert client.get(settlement_url).status_code == 200
    client.force_login(personas.consultant_a)
    assert client.get(settlement_url).status_code == 404


@pytest.fixture
def points_site(personas, test_metric):
    site = personas.site_a
    dept = make_department(site, "marketing", name="网格营销部")
    people = [make_staff(department=dept, name=f"网格{i}") for i in range(4)]
    plan = services.plan_create(
        actor=None,
        site_id=site.pk,
        name="网格积分",
        kind=PlanKind.POINTS,
        params={"points": [{"metric": "test.deals", "points": "2"}]},
    )
    return {"plan": plan, "people": people}


def test_a_contest_is_created_on_screen_and_its_leaderboard_drills_to_the_rows(
    client, personas, points_site, django_assert_max_num_queries
):
    a, b, c, d = points_site["people"]
    TEST_VALUES.update({a.pk: 3, b.pk: 5, c.pk: 1})
    client.force_login(personas.ops_a)
    page = client.post(
        reverse("appraisal:contest_list"),
        {
            "site": personas.site_a.pk,
            "name": "十月冲刺",
            "plan": points_site["plan"].pk,
            "starts_on": "2026-10",
            "ends_on": "2026-10",
            "unit_price": "8.50",
            "rules": "test.deals:10",
            "eligible": [a.pk, b.pk, c.pk, d.pk],
        },
        follow=True,
    )
    html = page.content.decode()
    assert "十月冲刺" in html
    board = html.split('id="leaderboard"')[1]
    assert board.index("网格1") < board.index("网格0") < board.index("网格2")  # 50, 30, 10 points
    assert f"/pipeline/deals/?consultant={b.pk}&amp;month=2026-10" in board
    url = page.redirect_chain[-1][0]
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
    bad = client.post(
        reverse("appraisal:contest_list"),
        {
            "site": personas.site_a.pk,
            "name": "坏规则",
            "plan": points_site["plan"].pk,
            "starts_on": "2026-10",
            "ends_on": "2026-10",
            "rules": "no.such:1",
            "eligible": [a.pk],
        },
    )
    assert "第 1 条规则：指标 no.such 不存在" in bad.content.decode()


def test_stages_are_edited_on_the_plan_page_and_a_gap_is_named(client, personas, points_site):
    client.force_login(personas.ops_a)
    url = reverse("appraisal:plan_stages", args=[points_site["plan"].pk])
    bad = client.post(url, {"stages": "三季度:2026-07:2026-09:5\n冲刺:2026-11::6"}, follow=True)
    assert "第 2 个阶段之前有空档" in bad.content.decode()
    good = client.post(url, {"stages": "三季度:2026-07:2026-09:5\n四季度冲刺:2026-10::6.33"}, follow=True)
    html = good.content.decode()
    assert "四季度冲刺" in html and "6.33" in html
    assert list(points_site["plan"].stages.values_list("unit_price_fen", flat=True)) == [500, 633]


def test_points_lines_on_the_statement_link_to_the_rows(client, personas, points_site):
    a = points_site["people"][0]
    TEST_VALUES.update({a.pk: 3})
    _publish("2026-10")
    payout = services.payout_compute(actor=None, plan=points_site["plan"], period_label="2026-10")
    assert isinstance(payout, Payout)
    client.force_login(personas.admin)
    html = client.get(reverse("appraisal:payout_detail", args=[payout.pk])).content.decode()
    assert f"/pipeline/deals/?consultant={a.pk}&amp;month=2026-10" in html
    assert "测试成交数 3 × 2" in html and "30.00" in html  # 6 points × ¥5.00
