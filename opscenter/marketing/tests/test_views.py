"""The marketing screens end to end through the test client: every page renders, forms call the
services and show their errors, scoping holds, query counts are pinned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opscenter.appraisal.models import Partner
from opscenter.marketing import services
from opscenter.marketing.models import CostLine, Invitation

D = dt.date


@pytest.fixture
def campaign(personas, channels):
    return services.campaign_create(
        actor=personas.marketing_a,
        site_id=personas.site_a.pk,
        name="重阳开放日",
        code="double-ninth",
        kind="open_day",
        channel_id=channels["offline"].pk,
        starts_on=D(2026, 10, 29),
        ends_on=D(2026, 10, 29),
    )


@pytest.fixture
def client_a(client, personas):
    client.force_login(personas.marketing_a)
    return client


@pytest.mark.parametrize(
    "name",
    [
        "campaign_list",
        "campaign_create",
        "roi",
        "cost_line_list",
        "budget",
        "partner_list",
        "tour_list",
        "content_list",
        "grading",
        "landing",
    ],
)
def test_every_page_renders(client_a, campaign, name):
    response = client_a.get(reverse(f"marketing:{name}"))
    assert response.status_code == 200


@pytest.mark.parametrize("tab", ["campaign", "channel", "month"])
@pytest.mark.parametrize("view", ["cohort", "event"])
def test_roi_tabs_and_chart_data(client_a, campaign, tab, view):
    params = {"tab": tab, "view": view, "month_from": "2026-01", "month_to": "2026-12"}
    assert client_a.get(reverse("marketing:roi"), params).status_code == 200
    data = client_a.get(reverse("marketing:roi_data"), params).json()
    assert [s["type"] for s in data["series"]] == ["bar", "bar", "line"]


def test_create_campaign_through_the_form(client_a, personas, channels):
    response = client_a.post(
        reverse("marketing:campaign_create"),
        {
            "site": personas.site_a.pk,
            "name": "社区讲座",
            "code": "talk-1",
            "kind": "seminar",
            "channel": channels["offline"].pk,
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-01",
            "budget": "1500",
        },
    )
    assert response.status_code == 302
    detail = client_a.get(response["Location"])
    assert "社区讲座" in detail.content.decode()


def test_cost_line_form_without_campaign_or_channel_shows_the_message(client_a, personas):
    response = client_a.post(
        reverse("marketing:cost_line_list"),
        {
            "site": personas.site_a.pk,
            "item": "海报",
            "quantity": 100,
            "unit_price": "5",
            "spent_on": "2026-11-02",
        },
    )
    assert response.status_code == 400
    assert "费用必须归属一个活动或一个渠道" in response.content.decode()
    assert not CostLine.objects.exists()


def test_invite_and_mark_attendance_through_the_detail_page(client_a, campaign, customer_at_a):
    guests = [customer_at_a(name=f"宾客{i}") for i in range(2)]
    url = reverse("marketing:campaign_action", args=[campaign.pk, "invite"])
    assert client_a.post(url, {"customer_ids": [g.pk for g in guests]}).status_code == 302
    ids = list(Invitation.objects.values_list("pk", flat=True))
    url = reverse("marketing:campaign_action", args=[campaign.pk, "status"])
    assert client_a.post(url, {"invitation_ids": ids, "status": "attended"}).status_code == 302
    assert set(Invitation.objects.values_list("status", flat=True)) == {"attended"}


def test_campaign_of_another_site_is_not_found(client, personas, campaign):
    client.force_login(personas.ops_b)
    assert client.get(reverse("marketing:campaign_detail", args=[campaign.pk])).status_code == 404
    url = reverse("marketing:campaign_action", args=[campaign.pk, "invite"])
    assert client.post(url, {"customer_ids": []}).status_code == 404


def test_consultant_cannot_open_marketing(client, personas):
    client.force_login(personas.consultant_a)
    assert client.get(reverse("marketing:campaign_list")).status_code == 403


def test_commission_rule_with_overlapping_tiers_is_rejected_on_the_page(client_a, personas):
    partner = Partner.objects.create(site=personas.site_a, name="泰康团队", kind="insurer_team")
    response = client_a.post(
        reverse("marketing:partner_action", args=[partner.pk, "rule"]),
        {"kind": "tiered", "tiers": "1-5:1000\n4-:1500", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "人数区间重叠" in response.content.decode()


def test_campaign_list_query_count_does_not_grow(client_a, personas, channels, django_assert_max_num_queries):
    for i in range(15):
        services.campaign_create(
            actor=personas.marketing_a,
            site_id=personas.site_a.pk,
            name=f"活动{i}",
            code=f"c-{i}",
            kind="print",
            channel_id=channels["offline"].pk,
            starts_on=D(2026, 1, 1),
            ends_on=D(2026, 1, 2),
        )
    with django_assert_max_num_queries(15):
        assert client_a.get(reverse("marketing:campaign_list")).status_code == 200


def test_partner_contact_tour_and_statement_through_the_partner_page(client_a, personas):
    partner = Partner.objects.create(site=personas.site_a, name="泰康团队", kind="insurer_team")
    url = reverse("marketing:partner_action", args=[partner.pk, "contact"])
    assert client_a.post(url, {"name": "刘经理", "role": "团队长", "phone": "13900009999"}).status_code == 302
    url = reverse("marketing:partner_action", args=[partner.pk, "tour"])
    response = client_a.post(
        url,
        {
            "team_name": "泰康江东",
            "toured_on": "2026-11-20",
            "headcount": 3,
            "visitors": "陈一 13900001234\n坏行",
        },
    )
    assert response.status_code == 400 and "应为“姓名 电话”" in response.content.decode()
    page = client_a.get(reverse("marketing:partner_detail", args=[partner.pk])).content.decode()
    assert "刘经理" in page
    response = client_a.post(
        reverse("marketing:partner_action", args=[partner.pk, "statement"]), {"month": "2026-11"}
    )
    assert response.status_code == 302
    assert "佣金结算单" in client_a.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/marketing/roi/rows/?campaign=abc&metric=deals",
        "/marketing/roi/rows/?metric=nope",
        "/marketing/roi/?month_from=2026-13",
        "/marketing/roi/data.json?month_from=garbage",
        "/marketing/costs/?month_from=x&campaign=y",
        "/marketing/budget/?site=x&month_to=bad",
    ],
)
def test_bad_query_parameters_never_fail_with_a_server_error(client_a, campaign, url):
    assert client_a.get(url).status_code < 500


def test_drill_down_with_an_unknown_metric_is_a_clear_400(client_a, campaign):
    response = client_a.get(f"/marketing/roi/rows/?campaign={campaign.pk}&metric=nope")
    assert response.status_code == 400
    assert "未知的归因指标" in response.content.decode()


def test_campaign_page_query_count_does_not_grow_with_invitations(
    client_a, campaign, customer_at_a, django_assert_max_num_queries
):
    guests = [customer_at_a(name=f"宾客{i}") for i in range(12)]
    services.invitation_bulk_create(
        actor=campaign_owner(campaign), campaign_id=campaign.pk, customer_ids=[g.pk for g in guests]
    )
    with django_assert_max_num_queries(40):
        response = client_a.get(reverse("marketing:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200 and response.content.decode().count('name="invitation_ids"') == 12


def campaign_owner(campaign):
    from opscenter.core.models import User

    return User.objects.get(username="marketing_a")
