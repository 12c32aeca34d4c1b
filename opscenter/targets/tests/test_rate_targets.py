"""Monthly rate assumptions and rate targets with actual vs target (issue 12, item 3; seed 004's
指标分解 table sets 电话预约率, 上门率, 成交率 month by month)."""

from decimal import Decimal as D
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from opscenter.core.exceptions import ValidationError
from opscenter.pipeline import selectors as pipeline
from opscenter.targets import services
from opscenter.targets.models import RateTarget
from opscenter.targets.progress import rate_progress
from opscenter.targets.solving import SITE_UNIT, plan_solution
from opscenter.targets.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_2026(personas, history, frozen_today):
    return services.plan_create(actor=personas.ops_a, site_id=history.pk, year=2026,
                                targets={"revenue_fen": 60_000_000}, month_split="seasonal",
                                solve_from_revenue=True, today=TODAY)  # fmt: skip


def test_a_monthly_rate_is_that_months_assumption_and_no_other_months(personas, plan_2026):
    before = {
        m.month: m.need for m in plan_solution(user=personas.ops_a, plan=plan_2026, unit=SITE_UNIT).months
    }
    services.rate_targets_set(actor=personas.ops_a, plan_id=plan_2026.pk, unit_key="site",
                              values={("phone_visit_rate", 202603): D("0.8")})  # fmt: skip
    solution = plan_solution(user=personas.ops_a, plan=plan_2026, unit=SITE_UNIT)
    after = {m.month: m.need for m in solution.months}
    # March needs half the phone consultations at 80% instead of the trailing 40%; June is unchanged.
    assert after[202603].visits_phone == before[202603].visits_phone
    assert after[202603].consultations_phone < before[202603].consultations_phone
    assert abs(after[202603].consultations_phone * 2 - before[202603].consultations_phone) <= 2
    assert after[202606] == before[202606]
    assert next(m for m in solution.months if m.month == 202603).monthly == {"phone_visit_rate": D("0.8")}


def test_monthly_rate_targets_are_validated_and_cleared(personas, plan_2026):
    with pytest.raises(ValidationError, match="3月：电话上门率应在 0 到 100% 之间"):
        services.rate_targets_set(actor=personas.ops_a, plan_id=plan_2026.pk, unit_key="site",
                                  values={("phone_visit_rate", 202603): D("1.5")})  # fmt: skip
    with pytest.raises(ValidationError, match="计划年度"):
        services.rate_targets_set(actor=personas.ops_a, plan_id=plan_2026.pk, unit_key="site",
                                  values={("phone_visit_rate", 202703): D("0.5")})  # fmt: skip
    with pytest.raises(ValidationError, match="未知的转化率"):
        services.rate_targets_set(actor=personas.ops_a, plan_id=plan_2026.pk, unit_key="site",
                                  values={("mix_phone", 202603): D("0.5")})  # fmt: skip
    assert RateTarget.objects.count() == 0
    n = services.rate_targets_set(actor=personas.ops_a, plan_id=plan_2026.pk, unit_key="site",
                                  values={("conversion_rate", 202603): D("0.6"), ("conversion_rate", 202604): D("0.5")})  # fmt: skip
    assert n == 2
    assert services.rate_targets_set(actor=personas.ops_a, plan_id=plan_2026.pk, unit_key="site",
                                     values={("conversion_rate", 202604): None}) == 1  # fmt: skip


def test_rate_targets_against_actual_rates_drill_down_to_their_numerators(personas, plan_2026):
    services.rate_targets_set(actor=personas.ops_a, plan_id=plan_2026.pk, unit_key="site", values={
        ("phone_visit_rate", 202603): D("0.3"), ("conversion_rate", 202603): D("0.6"),
        ("revenue_per_deal_fen", 202606): D(2_000_000), ("online_visit_rate", 202605): D("0.2"),
    })  # fmt: skip
    lines = {(r.month, r.rate): r for r in rate_progress(user=personas.ops_a, plan=plan_2026, unit=SITE_UNIT)}
    phone = lines[(202603, "phone_visit_rate")]
    assert (phone.actual, phone.numerator, phone.denominator, phone.met) == (D("0.4"), 4, 10, True)
    conversion = lines[(202603, "conversion_rate")]
    assert (conversion.actual, conversion.met) == (D("0.5"), False)  # 2 deals ÷ 4 visits < 60%
    money = lines[(202606, "revenue_per_deal_fen")]
    assert money.actual == D(2_500_000) and money.met  # (¥30,000 + ¥20,000) ÷ 2 deals
    assert lines[(202605, "online_visit_rate")].actual is None  # nothing happened in May
    query = {k: v[0] for k, v in parse_qs(urlsplit(phone.url).query).items()}
    rows = pipeline.funnel_rows(
        user=personas.ops_a, metric=query["metric"], filters=pipeline.parse_funnel_filters(query)
    )
    assert rows.count() == 4


def test_solve_page_sets_monthly_targets_and_progress_page_shows_actual_vs_target(
    client, personas, plan_2026
):
    client.force_login(personas.ops_a)
    solve = reverse("targets:plan_solve", args=[plan_2026.pk]) + "?unit=site"
    assert 'id="monthly-rates-table"' in client.get(solve).content.decode()
    client.post(solve, {"unit": "site", "form": "monthly", "m-phone_visit_rate-202603": "50",
                        "m-revenue_per_deal_fen-202603": "30000"})  # fmt: skip
    assert dict(RateTarget.objects.values_list("rate", "value")) == {
        "phone_visit_rate": D("0.5"), "revenue_per_deal_fen": D(3_000_000)
    }  # fmt: skip
    bad = client.post(
        solve, {"unit": "site", "form": "monthly", "m-phone_visit_rate-202603": "abc"}, follow=True
    )
    assert "3月电话上门率应为数字" in bad.content.decode()
    page = client.get(reverse("targets:plan_progress", args=[plan_2026.pk]) + "?period=2026&unit=site")
    body = page.content.decode()
    assert 'id="rate-progress-table"' in body
    row = next(r for r in page.context["rate_lines"] if r.rate == "phone_visit_rate")
    assert row.actual == D("0.4") and row.met is False and "未达标" in body
