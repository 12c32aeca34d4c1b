"""Member screens: list with tier filter (query count pinned), member page with explanation and
history, the rule editor (bad input shown, a save is a new version), preview and activation,
care tasks, disputes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opscenter.members import services
from opscenter.members.constants import LADDER
from opscenter.members.models import CareTask, MemberTier, TierRuleSet
from opscenter.members.tests.conftest import buy, rate

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def members(personas, member, seed_rules):
    made = []
    for n in range(5):
        c = member(f"会员{n}")
        buy(c, D(2025, 1, 5), 10_000 * n)
        buy(c, D(2025, 2, 5), 1_000)
        rate(c, D(2025, 3, 1), 5)
        made.append(c)
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    return made


def test_member_list_filters_by_tier_in_a_fixed_number_of_queries(
    client, personas, members, django_assert_max_num_queries
):
    client.force_login(personas.ops_b)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("members:member_list"), {"tier": "AAA"})
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count('data-tier="AAA"') >= 2 and "会员4" in text and "会员0" not in text


def test_member_page_explains_the_tier_with_its_numbers(client, personas, members):
    client.force_login(personas.ops_b)
    response = client.get(reverse("members:member_detail", args=[members[3].pk]))
    text = response.content.decode()
    assert "2 个消费日：2025-01-05、2025-02-05" in text
    assert "净消费 ¥31,000" in text and "AAA级" in text


def test_a_consultant_of_another_site_cannot_see_the_member(client, personas, members):
    client.force_login(personas.consultant_a)
    assert client.get(reverse("members:member_detail", args=[members[0].pk])).status_code == 404


def test_the_editor_rejects_a_bad_threshold_with_a_clear_message_and_saves_nothing(
    client, personas, seed_rules
):
    client.force_login(personas.ops_b)
    url = reverse("members:ruleset_edit", args=[seed_rules.pk])
    page = client.get(url).content.decode()
    assert 'name="crit-1-cond-0-threshold" value="28000"' in page
    data = _form_data(page)
    data["crit-1-cond-0-threshold"] = "两万八"
    response = client.post(url, data)
    assert "标准值必须是以分为单位的整数金额（收到 &#x27;两万八&#x27;）" in response.content.decode()
    assert TierRuleSet.objects.count() == 1
    data["crit-1-cond-0-threshold"] = "20000"
    response = client.post(url, data)
    new = TierRuleSet.objects.get(version=2)
    assert response.url == reverse("members:ruleset_preview", args=[new.pk])
    assert new.definition["criteria"][1]["conditions"][0]["threshold"] == 2_000_000
    assert new.definition == {**seed_rules.definition, "criteria": new.definition["criteria"]}


def test_preview_then_activate_moves_members(client, personas, members, seed_rules):
    client.force_login(personas.ops_b)
    ladder = services.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name="消费折扣等级", definition=LADDER
    )
    page = client.get(reverse("members:ruleset_preview", args=[ladder.pk])).content.decode()
    assert 'id="moving-count">5<' in page
    response = client.post(reverse("members:ruleset_activate", args=[ladder.pk]))
    assert response.status_code == 302
    assert set(MemberTier.objects.values_list("tier", flat=True)) == {"fashion", "crystal", "jade"}


def test_care_tasks_list_and_completion(client, personas, members):
    services.care_tasks_generate(site_id=personas.site_b.pk)
    client.force_login(personas.consultant_b)
    page = client.get(reverse("members:caretask_list")).content.decode()
    task = CareTask.objects.filter(status="open").first()
    assert task.customer.name in page
    client.post(reverse("members:caretask_close", args=[task.pk]), {"status": "done", "note": "已电话"})
    task.refresh_from_db()
    assert task.status == "done"
    client.force_login(personas.ops_b)
    assert "咨询乙" in client.get(reverse("members:care_completion")).content.decode()


def test_dispute_opened_on_the_member_page_puts_the_member_in_c(
    client, personas, members, django_capture_on_commit_callbacks
):
    client.force_login(personas.ops_b)
    c = members[4]
    with django_capture_on_commit_callbacks(execute=True):  # the tier is refreshed after the commit
        client.post(
            reverse("members:dispute_open", args=[c.pk]),
            {"opened_on": dt.date.today().isoformat(), "category": "service", "description": "等待太久"},
        )
    assert MemberTier.objects.get(customer=c).tier == "C"
    assert "等待太久" in client.get(reverse("members:dispute_list")).content.decode()


def test_dispute_date_fields_render_their_value_in_the_format_date_inputs_read(client, personas, members):
    """In Chinese the locale's date format is 2026/12/08, which <input type=date> shows as empty."""
    client.force_login(personas.ops_b)
    today = timezone.localdate().isoformat()
    client.post(
        reverse("members:dispute_open", args=[members[0].pk]),
        {"opened_on": today, "category": "service", "description": "等待太久"},
    )  # an open dispute: the page now offers to settle it
    page = client.get(reverse("members:member_detail", args=[members[0].pk])).content.decode()
    assert f'type="date" name="opened_on" value="{today}"' in page
    assert f'type="date" name="settled_on" value="{today}"' in page


def _form_data(page: str) -> dict[str, str]:
    """The editor's current field values, read from its HTML (inputs, selected options)."""
    import html
    import re

    data: dict[str, str] = {}
    for name, value in re.findall(r'<input name="([^"]+)" value="([^"]*)"', page):
        data[name] = html.unescape(value)
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', body)
        if selected:
            data[name] = html.unescape(selected.group(1))
    for name, body in re.findall(r'<select multiple name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        data[name] = re.findall(r'<option value="([^"]*)" selected>', body)
    for name, value in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]*)" checked', page):
        data.setdefault(name, []).append(value)
    return data


def test_every_benefit_of_every_tier_is_editable_and_a_save_is_a_new_version(client, personas, seed_rules):
    client.force_login(personas.ops_b)
    url = reverse("members:ruleset_edit", args=[seed_rules.pk])
    page = client.get(url).content.decode()
    assert 'name="tier-0-discount"' in page and 'name="tier-3-salon"' in page
    assert 'name="tier-0-birthday" value="birthday_coupon" checked' in page
    data = _form_data(page)
    assert data["tier-0-quarterly_gift"] == ["1"] and "tier-3-quarterly_gift" not in data
    data.update({"tier-0-discount": "8.5", "tier-0-coupon_yuan": "260", "tier-3-salon": "1"})
    data["tier-1-birthday"] = ["birthday_sms"]
    data["tier-1-followup_days"] = "45"
    del data["tier-0-quarterly_gift"]
    response = client.post(url, data)
    new = TierRuleSet.objects.get(version=2)
    assert response.url == reverse("members:ruleset_preview", args=[new.pk])
    aaa, aa, _, b = (t["benefits"] for t in new.definition["tiers"][:4])
    assert (aaa["discount"], aaa["coupon_fen"], aaa["quarterly_gift"]) == ("8.5", 26_000, False)
    assert (aa["birthday"], aa["followup_days"]) == (["birthday_sms"], 45)
    assert b["salon"] is True
    assert (
        seed_rules.definition["tiers"][0]["benefits"]["quarterly_gift"] is True
    )  # the old version is unchanged
    page = client.get(reverse("members:ruleset_edit", args=[new.pk])).content.decode()
    assert 'name="tier-0-discount" value="8.5"' in page and 'name="tier-0-coupon_yuan" value="260"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tier-0-discount", "12", "等级“AAA级”的权益：生日当月折扣必须大于 0 折且小于 10 折"),
        ("tier-0-discount", "0", "等级“AAA级”的权益：生日当月折扣必须大于 0 折且小于 10 折"),
        ("tier-0-discount", "10", "等级“AAA级”的权益：生日当月折扣必须大于 0 折且小于 10 折"),
        ("tier-4-member_discount", "10.5", "等级“C级（纠纷）”的权益：会员消费折扣必须大于 0 折且小于 10 折"),
        ("tier-0-gift", "礼" * 101, "等级“AAA级”的权益：季度礼品说明最多 100 个字"),
        ("tier-2-followup_days", "-7", "等级“A级”的权益：随访间隔（天）必须是 0–366 的整数"),
        ("tier-1-coupon_yuan", "-10", "等级“AA级”的权益：生日礼券金额必须是不小于 0 的金额"),
    ],
)
def test_bad_benefits_are_rejected_with_a_message_naming_the_field(
    client, personas, seed_rules, field, value, message
):
    client.force_login(personas.ops_b)
    url = reverse("members:ruleset_edit", args=[seed_rules.pk])
    data = _form_data(client.get(url).content.decode())
    data[field] = value
    response = client.post(url, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert f'name="{field}" value="{value}"' in response.content.decode()
    assert TierRuleSet.objects.count() == 1
