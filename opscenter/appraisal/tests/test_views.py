"""Screens: scoping (own statement, a unit's manager, finance sees pay), the statement's content,
bad input messages, examples installed and published, query counts pinned."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from opscenter.appraisal import examples, services
from opscenter.appraisal.models import Appraisal, ItemScore, Scorecard
from opscenter.appraisal.tests.conftest import TEST_VALUES, make_card
from opscenter.core.testing import make_department, make_staff


@pytest.fixture
def published(personas, test_metric):
    site = personas.site_a
    dept = make_department(site, "marketing")  # consultant_a and consultant_a2 work here
    make_card(site, name="咨询师月度考核", department=dept, appraiser=personas.ops_a.staff)
    TEST_VALUES.update({personas.consultant_a.staff.pk: 8})
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    for row in ItemScore.objects.filter(appraisal__period=period, item__method="manual", item__kind="scored"):
        services.item_score_enter(actor=None, item_score=row, score="70")
    for row in ItemScore.objects.filter(appraisal__period=period, item__method="checklist"):
        services.item_score_enter(actor=None, item_score=row, checked=["上报报告"])
    services.period_publish(actor=None, period=period)
    return period


def _statement(personas, user):
    return Appraisal.objects.get(staff=user.staff)


def test_a_consultant_sees_their_own_statement_and_not_a_colleagues(client, personas, published):
    mine = _statement(personas, personas.consultant_a)
    theirs = _statement(personas, personas.consultant_a2)
    client.force_login(personas.consultant_a)
    page = client.get(reverse("appraisal:statement", args=[mine.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # 8/10 → 80 × 40% + 70 × 40% + 25 × 20% = 32 + 28 + 5 = 65 → 基本合格
    assert "65.00" in html and "基本合格" in html
    assert "/pipeline/deals/?consultant=" in html  # the drill-down URL asked from the metric
    assert client.get(reverse("appraisal:statement", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("appraisal:statement_export", args=[theirs.pk])).status_code == 404


def test_operations_of_the_site_see_every_statement_and_other_sites_do_not(client, personas, published):
    a = _statement(personas, personas.consultant_a2)
    client.force_login(personas.ops_a)
    assert client.get(reverse("appraisal:statement", args=[a.pk])).status_code == 200
    client.force_login(personas.ops_b)
    assert client.get(reverse("appraisal:statement", args=[a.pk])).status_code == 404


def test_a_department_manager_sees_their_units_appraisals(client, personas, published):
    dept = personas.consultant_a.staff.department
    manager = personas.marketing_a.staff
    dept.manager = manager
    dept.save()
    client.force_login(personas.marketing_a)
    a = _statement(personas, personas.consultant_a2)
    assert client.get(reverse("appraisal:statement", args=[a.pk])).status_code == 200
    page = client.get(reverse("appraisal:period_detail", args=["2026-10"]))
    assert "咨询甲二" in page.content.decode()


def test_appeal_and_upheld_recompute_through_the_screens(client, personas, published):
    a = _statement(personas, personas.consultant_a)
    row = a.scores.get(item__name="主要业务")
    client.force_login(personas.consultant_a)
    client.post(reverse("appraisal:appeal_file", args=[row.pk]), {"reason": "漏记两单"})
    appeal = row.appeals.get()
    # the consultant cannot decide their own appeal
    client.post(
        reverse("appraisal:appeal_decide", args=[appeal.pk]),
        {"upheld": "1", "new_score": "100", "decision": "x"},
    )
    appeal.refresh_from_db()
    assert appeal.status == "open"
    client.force_login(personas.ops_a)
    client.post(
        reverse("appraisal:appeal_decide", args=[appeal.pk]),
        {"upheld": "1", "new_score": "100", "decision": "核实"},
    )
    a.refresh_from_db()
    assert str(a.final_score) == "77.00"  # 32 + 40 + 5


def test_manual_scores_outside_0_100_are_refused_with_a_message(client, personas, test_metric):
    site = personas.site_a
    make_card(
        site,
        name="客服",
        department=make_department(site, "call_center"),
        appraiser=personas.callcenter_a.staff,
    )
    period = services.period_get_or_create(label="2026-11")
    services.appraisal_run(period=period)
    row = ItemScore.objects.filter(item__name="主要业务").first()
    client.force_login(personas.callcenter_a)
    page = client.post(
        reverse("appraisal:item_score_enter", args=[row.pk]),
        {"score": "120", "next": "/appraisal/queue/"},
        follow=True,
    )
    assert "超出 0–100" in page.content.decode()
    row.refresh_from_db()
    assert row.score is None
    queue = client.get(reverse("appraisal:queue")).content.decode()
    assert "主要业务" in queue


def test_publishing_a_scorecard_with_weights_off_says_by_how_much(client, personas):
    card = services.scorecard_create(
        actor=None, site_id=personas.site_a.pk, name="草稿方案", subject_kind="staff"
    )
    services.scorecard_item_save(
        actor=None, scorecard=card, name="甲", weight="70", method="manual", appraiser=personas.ops_a.staff
    )
    client.force_login(personas.ops_a)
    detail = client.get(reverse("appraisal:scorecard_detail", args=[card.pk])).content.decode()
    assert "还差 30% 才到 100%" in detail
    page = client.post(reverse("appraisal:scorecard_publish", args=[card.pk]), follow=True)
    assert "还差 30%" in page.content.decode()
    card.refresh_from_db()
    assert card.status == "draft"


def test_period_detail_query_count_does_not_grow_with_rows(
    client, personas, published, django_assert_max_num_queries
):
    client.force_login(personas.ops_a)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("appraisal:period_detail", args=["2026-10"])).status_code == 200


def test_examples_install_and_publish(personas):
    site = personas.site_a
    cc = make_department(site, "call_center")
    card = examples.scheme_95518(site, department=cc, appraiser=personas.ops_a.staff)
    assert card.status == "published"
    assert [i.weight for i in card.items.filter(kind="scored")] == [40, 40, 20]
    assert card.items.filter(kind="observed").count() == 6
    assert card.rules.filter(kind="veto").count() == 3
    assert card.rules.filter(kind="downgrade", grades=2).count() == 3
    customer = examples.scheme_customer_department(site, department=make_department(site, "customer"))
    assert sorted(customer.items.values_list("name", flat=True)) == sorted(
        ["预约率", "上门率", "成交率", "单体销售额"]
    )
    partner = examples.scheme_partner(site)
    assert list(partner.bands.values_list("name", flat=True)) == ["A", "B", "C"]
    gm = make_staff(department=make_department(site, "management"))
    plans = examples.incentive_plans(site, gm=gm, marketing=make_department(site, "marketing"))
    assert {p.kind for p in plans} == {
        "monthly_pay",
        "points",
        "referral",
        "contract_bonus",
        "cost_saving",
        "profit_share",
        "profit_brackets",
    }
    assert Scorecard.objects.filter(site=site, status="published").count() == 3


def test_pay_is_seen_by_finance_and_by_the_consultant_only_for_themselves(client, personas, published):
    plan = services.plan_create(
        actor=None,
        site_id=personas.site_a.pk,
        name="月度绩效工资",
        kind="monthly_pay",
        scorecard_name="咨询师月度考核",
    )
    services.plan_bases_set(
        actor=None,
        plan=plan,
        bases={personas.consultant_a.staff.pk: 500_000, personas.consultant_a2.staff.pk: 400_000},
    )
    payout = services.payout_compute(actor=None, plan=plan, period_label="2026-10")
    line = payout.lines.get(staff=personas.consultant_a.staff)
    assert line.amount_fen == 500_000 + 500_000 * 30 * 65 // 10000  # 基本 + 基本 × 30% × 65%
    client.force_login(personas.finance_a)
    page = client.get(reverse("appraisal:payout_detail", args=[payout.pk])).content.decode()
    assert "咨询甲二" in page and "咨询甲" in page
    client.force_login(personas.consultant_a)
    page = client.get(reverse("appraisal:payout_detail", args=[payout.pk])).content.decode()
    assert "5,975.00" in page and "咨询甲二" not in page
    assert client.get(reverse("appraisal:payout_export", args=[payout.pk])).status_code == 200


def test_api_scopes_results_statements_and_pay(client, personas, published):
    from opscenter.api.tests.test_org_api import bearer

    mine = _statement(personas, personas.consultant_a)
    theirs = _statement(personas, personas.consultant_a2)
    listed = client.get("/api/appraisal/results?period=2026-10", headers=bearer(personas.consultant_a)).json()
    assert [r["id"] for r in listed] == [mine.pk]
    st = client.get(f"/api/appraisal/results/{mine.pk}", headers=bearer(personas.consultant_a)).json()
    assert st["grade"] == "基本合格" and st["items"][0]["drill_url"].startswith("/pipeline/deals/")
    assert (
        client.get(f"/api/appraisal/results/{theirs.pk}", headers=bearer(personas.consultant_a)).status_code
        == 404
    )
    assert (
        len(client.get("/api/appraisal/results?period=2026-10", headers=bearer(personas.ops_a)).json()) >= 2
    )
    row = mine.scores.get(item__name="主要业务")
    r = client.post(
        f"/api/appraisal/scores/{row.pk}/appeal",
        {"reason": "漏记"},
        content_type="application/json",
        headers=bearer(personas.consultant_a),
    )
    assert r.status_code == 201
    plan = services.plan_create(actor=None, site_id=personas.site_a.pk, name="月度", kind="monthly_pay")
    services.plan_bases_set(
        actor=None,
        plan=plan,
        bases={personas.consultant_a.staff.pk: 100_000, personas.consultant_a2.staff.pk: 100_000},
    )
    payout = services.payout_compute(actor=None, plan=plan, period_label="2026-10")
    own = client.get(f"/api/appraisal/payouts/{payout.pk}", headers=bearer(personas.consultant_a)).json()
    assert [x["staff_id"] for x in own["lines"]] == [personas.consultant_a.staff.pk] and own[
        "total_fen"
    ] is None
    full = client.get(f"/api/appraisal/payouts/{payout.pk}", headers=bearer(personas.finance_a)).json()
    assert len(full["lines"]) >= 2 and full["total_fen"] == sum(x["amount_fen"] for x in full["lines"])


def test_every_staff_member_finds_appraisal_in_the_navigation_and_their_own_pay(client, personas, published):
    client.force_login(personas.consultant_a)
    home = client.get("/").content.decode()
    assert 'href="/appraisal/"' in home
    assert client.get(reverse("appraisal:plan_list")).status_code == 200
    assert client.get(reverse("appraisal:scorecard_list")).status_code == 403


def test_what_if_shows_each_persons_score_and_pay_before_and_after_a_draft_change(
    client, personas, published
):
    card = Scorecard.objects.get(name="咨询师月度考核", status="published")
    plan = services.plan_create(
        actor=None, site_id=personas.site_a.pk, name="月度", kind="monthly_pay", scorecard_name=card.name
    )
    services.plan_bases_set(actor=None, plan=plan, bases={personas.consultant_a.staff.pk: 500_000})
    draft = services.scorecard_new_version(actor=None, scorecard=card)
    auto = draft.items.get(name="服务质量")
    manual = draft.items.get(name="主要业务")
    services.scorecard_item_save(actor=None, scorecard=draft, item_id=auto.pk, weight="60", target="8")
    services.scorecard_item_save(actor=None, scorecard=draft, item_id=manual.pk, weight="20")
    from opscenter.appraisal.whatif import whatif

    _label, rows = whatif(draft=draft)
    row = next(r for r in rows if r.appraisal.staff_id == personas.consultant_a.staff.pk)
    # before 65 (80×40% + 70×40% + 25×20%); after 8/8 → 100×60% + 70×20% + 25×20% = 79
    assert (row.before_score, row.after_score, row.after_grade) == (
        Decimal("65.00"),
        Decimal("79.00"),
        "合格",
    )
    assert (row.before_pay, row.after_pay) == (597_500, 618_500)
    client.force_login(personas.ops_a)
    page = client.get(reverse("appraisal:scorecard_whatif", args=[draft.pk])).content.decode()
    assert "79.00" in page and "6,185.00" in page
    # nothing written: the stored appraisal keeps its score
    assert Appraisal.objects.get(pk=row.appraisal.pk).final_score == Decimal("65.00")
