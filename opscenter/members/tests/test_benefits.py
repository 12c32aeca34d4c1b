"""Benefits with real amounts: the shipped rule sets carry seed 004's coupon (260元元祖消费券) and
8.8折 as fields, the editor edits them, validation names the field, and the care tasks generated
from them carry and show the amount / discount on the list page and in the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from opscenter.members import services
from opscenter.members.constants import LADDER, SEED_004
from opscenter.members.models import CareTask, TierRuleSet
from opscenter.members.rules import RuleSetError, discount_label, discount_rate, validate_rule_set
from opscenter.members.tests.conftest import buy, rate
from opscenter.members.tests.test_views import _form_data

D = dt.date
AS_OF = D(2025, 6, 20)


def _benefits(definition) -> dict[str, dict]:
    return {t["code"]: t["benefits"] for t in validate_rule_set(definition)["tiers"]}


def test_seed_004_ships_the_coupon_and_the_birthday_discount_as_fields():
    b = _benefits(SEED_004)
    assert (b["AAA"]["coupon_fen"], b["AAA"]["coupon_name"]) == (26_000, "元祖消费券")
    assert [b[t]["discount"] for t in ("AAA", "AA", "A", "B")] == ["8.8", "8.8", "8.8", None]
    assert b["AAA"]["gift"] == b["A"]["gift"] == "医院备有两种品牌礼品、两种不定期礼品"
    assert b["B"]["gift"] == "" and "580元皮肤护理" in b["B"]["note"]


def test_the_discount_ladder_ships_its_member_discounts_as_fields():
    b = _benefits(LADDER)
    assert {code: v["member_discount"] for code, v in b.items()} == {
        "diamond": "8.5",
        "platinum": "8.8",
        "jade": "9",
        "crystal": "9.5",
        "fashion": "9.8",
    }


@pytest.mark.parametrize(
    ("zhe", "rate", "label"),
    [("8.8", Decimal("0.88"), "8.8折"), ("9", Decimal("0.9"), "9折"), ("8.85", Decimal("0.885"), "8.85折")],
)
def test_a_discount_in_zhe_is_a_rate_between_zero_and_one(zhe, rate, label):
    assert discount_rate(zhe) == rate and discount_label(rate) == label
    assert discount_rate(None) is None and discount_label(None) == ""


def test_over_long_names_are_rejected_naming_the_field():
    d = validate_rule_set(SEED_004)
    d["tiers"][0]["benefits"]["coupon_name"] = "券" * 41
    with pytest.raises(RuleSetError, match="等级“AAA级”的权益：生日礼券名称最多 40 个字"):
        validate_rule_set(d)


@pytest.fixture
def aaa_with_birthday(personas, member, seed_rules):
    c = member("王富", birthday=D(1980, 7, 10))
    buy(c, D(2025, 1, 5), 20_000)
    buy(c, D(2025, 3, 2), 8_000)
    rate(c, D(2025, 4, 1), 5)
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    services.care_tasks_generate(site_id=personas.site_b.pk, as_of=AS_OF)
    return c


@pytest.mark.django_db
def test_care_tasks_carry_the_coupon_amount_the_discount_rate_and_the_gift(aaa_with_birthday):
    tasks = {t.kind: t for t in CareTask.objects.filter(customer=aaa_with_birthday)}
    coupon, discount, gift = tasks["birthday_coupon"], tasks["birthday_discount"], tasks["quarterly_gift"]
    assert (coupon.amount_fen, coupon.detail, coupon.benefit) == (26_000, "元祖消费券", "¥260 元祖消费券")
    assert (discount.discount_rate, discount.discount_label, discount.benefit) == (
        Decimal("0.88"),
        "8.8折",
        "8.8折",
    )
    assert gift.benefit == "医院备有两种品牌礼品、两种不定期礼品" and gift.amount_fen is None
    assert tasks["followup"].benefit == "" and tasks["birthday_call"].discount_rate is None


@pytest.mark.django_db
def test_a_task_keeps_the_value_it_was_generated_with_after_the_rules_change(personas, aaa_with_birthday):
    edited = validate_rule_set(SEED_004)
    edited["tiers"][0]["benefits"].update({"coupon_fen": 50_000, "discount": "8"})
    v2 = services.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name="会员分级（seed 004）", definition=edited
    )
    services.tier_rules_activate(actor=personas.ops_b, rule_set_id=v2.pk)
    services.care_tasks_generate(site_id=personas.site_b.pk, as_of=AS_OF)  # same keys: nothing new
    assert CareTask.objects.get(kind="birthday_coupon").amount_fen == 26_000
    next_year = services.care_tasks_generate(site_id=personas.site_b.pk, as_of=D(2026, 6, 20))
    assert next_year > 0
    newest = CareTask.objects.filter(kind="birthday_discount").order_by("-due_on").first()
    assert (newest.due_on, newest.discount_label) == (D(2026, 7, 10), "8折")


@pytest.mark.django_db
def test_the_database_refuses_a_rate_of_one_or_a_negative_amount(aaa_with_birthday):
    task = CareTask.objects.get(kind="birthday_discount")
    for field, value in (("discount_rate", Decimal("1")), ("amount_fen", -1)):
        with pytest.raises(IntegrityError), transaction.atomic():
            CareTask.objects.filter(pk=task.pk).update(**{field: value})


@pytest.mark.django_db
def test_my_care_tasks_show_the_amount_and_the_discount(
    client, personas, aaa_with_birthday, django_assert_max_num_queries
):
    client.force_login(personas.consultant_b)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("members:caretask_list"), {"status": "open"}).content.decode()
    assert "<th>权益</th>" in page
    assert '<td class="care-benefit">¥260 元祖消费券</td>' in page
    assert '<td class="care-benefit">8.8折</td>' in page


@pytest.mark.django_db
def test_the_api_lists_care_tasks_with_their_amount_and_discount(client, personas, aaa_with_birthday):
    client.force_login(personas.consultant_b)
    rows = {r["kind"]: r for r in client.get("/api/members/care-tasks?limit=50").json()["items"]}
    coupon, discount = rows["birthday_coupon"], rows["birthday_discount"]
    assert (coupon["amount_fen"], coupon["detail"], coupon["benefit"]) == (
        26_000,
        "元祖消费券",
        "¥260 元祖消费券",
    )
    assert Decimal(str(discount["discount_rate"])) == Decimal("0.88")
    assert (discount["discount_label"], discount["amount_fen"]) == ("8.8折", None)


@pytest.mark.django_db
def test_coupon_name_member_discount_and_gift_are_edited_in_the_editor(client, personas, seed_rules):
    client.force_login(personas.ops_b)
    url = reverse("members:ruleset_edit", args=[seed_rules.pk])
    page = client.get(url).content.decode()
    assert 'name="tier-0-coupon_name" value="元祖消费券"' in page
    assert 'name="tier-0-discount" value="8.8"' in page and 'name="tier-0-coupon_yuan" value="260"' in page
    data = _form_data(page)
    data.update(
        {
            "tier-0-coupon_name": "蛋糕券",
            "tier-1-member_discount": "9.5折",
            "tier-1-gift": "护肤礼盒",
            "tier-3-coupon_yuan": "58.5",
        }
    )
    client.post(url, data)
    new = TierRuleSet.objects.get(version=2)
    aaa, aa, _, b = (t["benefits"] for t in new.definition["tiers"][:4])
    assert (aaa["coupon_name"], aaa["coupon_fen"], aaa["discount"]) == ("蛋糕券", 26_000, "8.8")
    assert (aa["member_discount"], aa["gift"], b["coupon_fen"]) == ("9.5", "护肤礼盒", 5_850)
    assert seed_rules.definition["tiers"][0]["benefits"]["coupon_name"] == "元祖消费券"  # v1 unchanged


@pytest.mark.django_db
def test_the_member_page_lists_the_tiers_benefits_with_their_amounts(client, personas, aaa_with_birthday):
    client.force_login(personas.ops_b)
    page = client.get(reverse("members:member_detail", args=[aaa_with_birthday.pk])).content.decode()
    assert "<li>生日：生日电话祝福、生日礼券 ¥260（元祖消费券）、生日当月 8.8折</li>" in page
    assert "<li>季度礼品：医院备有两种品牌礼品、两种不定期礼品</li>" in page
    assert "<li>定期随访：每 30 天</li>" in page
