"""Screens and services for gift orders, points redemption outside a quote and the points rules
(versioned data edited in the UI, audited, optimistic version check, permission and site scope)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opscenter.clinic import services
from opscenter.clinic.models import GiftOrder, PointsEntry, PointsRule
from opscenter.clinic.services import OrderLine
from opscenter.clinic.services.points import rule_for
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.models import AuditEntry
from opscenter.pipeline.models import Transaction

pytestmark = pytest.mark.django_db


def _save(actor, site, expected, rate="2", **kw):
    args = {"tier": "", "points_per_yuan": Decimal(rate), "fen_per_point": 1, "expiry_months": 12,
            "valid_from": timezone.localdate(), "note": "", **kw}  # fmt: skip
    return services.points_rule_save(actor=actor, site_id=site.pk, expected_version=expected, **args)


class TestPointsRules:
    def test_each_save_is_a_new_version_checked_against_the_version_seen(self, personas, clinic):
        v1 = _save(personas.ops_b, clinic.site, 0, rate="1", note="开业规则")
        v2 = _save(personas.ops_b, clinic.site, 1, rate="2", note="提高积分")
        assert (v1.version, v2.version) == (1, 2)
        assert rule_for(site_id=clinic.site.pk, tier="", on=timezone.localdate()) == v2
        # A second editor who still saw version 1 is refused; nothing is written.
        with pytest.raises(ValidationError, match="已被他人修改（当前为第 2 版，您看到的是第 1 版）"):
            _save(personas.ops_b, clinic.site, 1, rate="3")
        assert PointsRule.objects.filter(site=clinic.site).count() == 2
        entry = AuditEntry.objects.filter(message__contains="第 2 版").get()
        assert "每元 2 分" in entry.message and v2.created_by == personas.ops_b.staff

    def test_consultants_and_other_sites_may_not_edit(self, personas, clinic):
        with pytest.raises(PermissionDenied):
            _save(personas.consultant_b, clinic.site, 0)
        with pytest.raises(PermissionDenied):
            _save(personas.ops_a, clinic.site, 0)
        assert not PointsRule.objects.exists()

    def test_bad_values_are_named(self, personas, clinic):
        with pytest.raises(ValidationError, match="生效日期不能早于今天"):
            _save(personas.ops_b, clinic.site, 0, valid_from=timezone.localdate() - dt.timedelta(days=1))
        with pytest.raises(ValidationError, match="每元积分应在 0–100 之间"):
            _save(personas.ops_b, clinic.site, 0, rate="101")
        with pytest.raises(ValidationError, match="不在本院区生效的会员规则中"):
            _save(personas.ops_b, clinic.site, 0, tier="黄钻")

    def test_the_page_saves_a_version_and_refuses_a_stale_form(self, client, personas, clinic):
        url = reverse("clinic:points_rules") + f"?site={clinic.site.pk}"
        client.force_login(personas.ops_b)
        page = client.get(url).content.decode()
        assert 'name="expected_version"' in page and "还没有积分规则" in page
        post = {"tier": "", "expected_version": 0, "points_per_yuan": "1.5", "fen_per_point": 2, "expiry_months": 24,
                "valid_from": timezone.localdate().isoformat(), "note": "会员日"}  # fmt: skip
        assert client.post(url, post).status_code == 302
        rule = PointsRule.objects.get()
        assert (rule.version, rule.points_per_yuan, rule.fen_per_point, rule.note) == (
            1,
            Decimal("1.5"),
            2,
            "会员日",
        )
        stale = client.post(url, post)
        assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
        assert PointsRule.objects.count() == 1
        history = client.get(url).content.decode()
        assert "v1" in history and "会员日" in history and "运营乙" in history

    def test_consultants_see_the_rules_without_a_form(self, client, personas, clinic):
        _save(personas.ops_b, clinic.site, 0)
        client.force_login(personas.consultant_b)
        page = client.get(reverse("clinic:points_rules") + f"?site={clinic.site.pk}").content.decode()
        assert "v1" in page and 'name="expected_version"' not in page


def _order(personas, clinic, customer, amount_fen=500_000):
    return services.order_place(
        actor=personas.consultant_b, customer_id=customer.pk, signed_on=dt.date(2026, 3, 2),
        lines=[OrderLine(item="水光针", category="non_invasive", amount_fen=amount_fen, center_id=clinic.skin.pk)],
    )  # fmt: skip


class TestPointsRedemption:
    def test_points_redeemed_on_an_existing_order_from_the_customer_page(
        self, client, personas, clinic, customer
    ):
        PointsRule.objects.create(site=clinic.site, tier="", points_per_yuan=1, fen_per_point=1, expiry_months=120,
                                  valid_from=dt.date(2020, 1, 1))  # fmt: skip
        c = customer()
        deal = _order(personas, clinic, c)  # ¥5,000 → 5,000 points
        client.force_login(personas.consultant_b)
        url = reverse("clinic:customer_clinic", args=[c.pk])
        page = client.get(url).content.decode()
        assert 'id="points-redeem"' in page and f'value="{deal.pk}"' in page
        redeem = reverse("clinic:points_redeem", args=[c.pk])
        day = timezone.localdate().isoformat()
        response = client.post(redeem, {"deal": deal.pk, "points": 1200, "redeemed_on": day}, follow=True)
        assert "已抵扣 1200 积分（¥12.00）" in response.content.decode()
        entry = PointsEntry.objects.get(kind="redeem")
        assert (entry.points, entry.value_fen, entry.deal_id) == (-1200, 1200, deal.pk)
        response = client.post(redeem, {"deal": deal.pk, "points": 4000, "redeemed_on": day}, follow=True)
        assert "积分余额不足：可用 3800 分，本次抵扣 4000 分" in response.content.decode()
        assert PointsEntry.objects.filter(kind="redeem").count() == 1

    def test_another_consultants_customer_is_not_found(self, client, personas, clinic, customer):
        c = customer()
        deal = _order(personas, clinic, c)
        client.force_login(personas.consultant_a)
        url = reverse("clinic:points_redeem", args=[c.pk])
        assert (
            client.post(url, {"deal": deal.pk, "points": 1, "redeemed_on": "2026-03-03"}).status_code == 404
        )
        assert not PointsEntry.objects.filter(kind="redeem").exists()


def _gift_post(clinic, customer, **header):
    data = {"customer": customer.pk, "reason": "compensation", "benefit_choice": "", "approver": clinic.on_duty.pk,
            "given_on": "2026-03-05", "dispute": "", "note": "等候过久致歉",
            "line-TOTAL_FORMS": 1, "line-INITIAL_FORMS": 0,
            "line-0-item": "皮肤护理", "line-0-category": "skin", "line-0-center": clinic.skin.pk,
            "line-0-sessions": 1, "line-0-cost": "180"}  # fmt: skip
    data.update(header)
    return data


class TestGiftOrderScreens:
    def test_gift_order_form_list_and_detail(self, client, personas, clinic, customer):
        c = customer()
        client.force_login(personas.consultant_b)
        url = reverse("clinic:gift_create") + f"?customer={c.pk}"
        assert client.get(url).status_code == 200
        response = client.post(url, _gift_post(clinic, c))
        gift = GiftOrder.objects.get()
        assert response.status_code == 302 and response.url == reverse("clinic:gift_detail", args=[gift.pk])
        assert (gift.cost_fen, gift.approver_id, gift.requested_by_id) == (
            18_000,
            clinic.on_duty.pk,
            clinic.consultant.pk,
        )
        txn = Transaction.objects.get(kind="gift")
        assert (txn.amount_fen, txn.cost_fen) == (0, 18_000)
        listing = client.get(reverse("clinic:gift_list") + f"?site={clinic.site.pk}").content.decode()
        assert "皮肤护理" in listing and "周医生" in listing and "180.00" in listing
        detail = client.get(reverse("clinic:gift_detail", args=[gift.pk])).content.decode()
        assert "补偿" in detail and "等候过久致歉" in detail

    def test_a_gift_without_an_approver_is_refused_with_nothing_written(
        self, client, personas, clinic, customer
    ):
        c = customer()
        client.force_login(personas.consultant_b)
        response = client.post(
            reverse("clinic:gift_create") + f"?customer={c.pk}", _gift_post(clinic, c, approver="")
        )
        assert response.status_code == 200 and "赠送开单须指定审批人" in response.content.decode()
        assert not GiftOrder.objects.exists() and not Transaction.objects.filter(kind="gift").exists()

    def test_other_sites_do_not_see_the_gift(self, client, personas, clinic, customer):
        c = customer()
        client.force_login(personas.consultant_b)
        client.post(reverse("clinic:gift_create") + f"?customer={c.pk}", _gift_post(clinic, c))
        gift = GiftOrder.objects.get()
        client.force_login(personas.ops_a)
        assert client.get(reverse("clinic:gift_detail", args=[gift.pk])).status_code == 404
        assert "皮肤护理" not in client.get(reverse("clinic:gift_list")).content.decode()


def test_list_pages_read_a_bounded_number_of_queries(
    client, personas, clinic, customer, django_assert_max_num_queries
):
    """Gift orders, quote rows and the quote funnel: the query count does not grow with the rows."""
    for n in range(6):
        c = customer(name=f"客户{n}")
        services.gift_order_create(
            actor=personas.consultant_b, customer_id=c.pk, reason="benefit", approver_id=clinic.on_duty.pk,
            given_on=dt.date(2026, 3, 5), lines=[{"item": "皮肤护理", "category": "skin", "cost_fen": 100,
                                                  "center_id": clinic.skin.pk}],
        )  # fmt: skip
        services.quote_create(
            actor=personas.consultant_b, customer_id=c.pk, valid_until=timezone.localdate() + dt.timedelta(days=9),
            lines=[{"item": "水光针", "category": "non_invasive", "center_id": clinic.skin.pk, "list_price_fen": 100}],
        )  # fmt: skip
    client.force_login(personas.ops_b)
    today = timezone.localdate()
    for url in (
        reverse("clinic:gift_list") + f"?site={clinic.site.pk}",
        reverse("clinic:quote_rows")
        + f"?site={clinic.site.pk}&date_from={today.replace(day=1)}&date_to={today}",
        reverse("clinic:points_rules") + f"?site={clinic.site.pk}",
    ):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(40):  # the funnel's visits come from the pipeline funnel (5 queries)
        assert client.get(reverse("clinic:quote_funnel") + f"?site={clinic.site.pk}").status_code == 200
