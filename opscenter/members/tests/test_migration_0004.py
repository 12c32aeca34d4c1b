"""Data migration members.0004: rule sets created from the shipped examples before the benefits
had fields get a successor version with the seed's values as fields; nothing else changes."""

from __future__ import annotations

import copy
import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from opscenter.core.models import AuditEntry
from opscenter.members.constants import LADDER, LADDER_NAME, SEED_004, SEED_004_NAME, SEED_004_OLD_NAME
from opscenter.members.models import CareTask, MemberTier, TierRuleSet
from opscenter.members.rules import validate_rule_set

migration = importlib.import_module("opscenter.members.migrations.0004_structured_benefits")
pytestmark = pytest.mark.django_db


def as_shipped_before(name: str, definition: dict) -> dict:
    """The example as it was shipped before 0003: values only in the notes, no new keys."""
    old = copy.deepcopy(validate_rule_set(definition))
    for tier in old["tiers"]:
        b = tier["benefits"]
        for key in ("coupon_name", "member_discount", "gift"):
            del b[key]
        b["coupon_fen"] = b["discount"] = None
        if tier["code"] in migration.FILLS[name]:
            b["note"] = migration.FILLS[name][tier["code"]][0]
    return old


@pytest.fixture
def old_active(personas, member):
    rule_set = TierRuleSet.objects.create(
        site=personas.site_b,
        name=SEED_004_OLD_NAME,
        version=1,
        status="active",
        definition=as_shipped_before(SEED_004_OLD_NAME, SEED_004),
    )
    c = member("旧会员")
    MemberTier.objects.create(
        customer=c, site=personas.site_b, tier="AAA", rule_set=rule_set, since=dt.date(2025, 1, 1)
    )
    for kind in ("birthday_coupon", "birthday_discount", "quarterly_gift", "followup"):
        CareTask.objects.create(
            site=personas.site_b, customer=c, kind=kind, tier="AAA", due_on=dt.date(2025, 7, 10), key=kind
        )
    return rule_set


def test_the_active_version_gets_an_active_successor_with_the_values_as_fields(personas, old_active):
    migration.forwards(apps, None)
    old_active.refresh_from_db()
    new = TierRuleSet.objects.get(site=personas.site_b, status="active")
    assert (old_active.status, new.version, new.based_on_id) == ("retired", 2, old_active.pk)
    tiers = {t["code"]: t["benefits"] for t in new.definition["tiers"]}
    assert (tiers["AAA"]["coupon_fen"], tiers["AAA"]["coupon_name"], tiers["AAA"]["discount"]) == (
        26_000,
        "元祖消费券",
        "8.8",
    )
    assert tiers["AA"]["discount"] == tiers["A"]["discount"] == "8.8" and tiers["B"]["discount"] is None
    assert tiers["AAA"]["gift"] == "医院备有两种品牌礼品、两种不定期礼品"
    assert tiers["AAA"]["note"] == "生日当月折扣为折上折；每季度邀请参加一次会员沙龙"
    # Same rules otherwise: the successor is what the example ships today, and still valid.
    assert validate_rule_set(new.definition) == validate_rule_set(SEED_004)
    assert new.definition["criteria"] == old_active.definition["criteria"]
    assert list(new.events.values_list("from_status", "to_status")) == [("", "draft"), ("draft", "active")]
    assert list(old_active.events.values_list("from_status", "to_status")) == [("active", "retired")]
    assert AuditEntry.objects.filter(object_id=str(new.pk), action="create", source="system").exists()
    assert MemberTier.objects.get().rule_set == new
    tasks = {t.kind: t for t in CareTask.objects.all()}
    assert tasks["birthday_coupon"].benefit == "¥260 元祖消费券"
    assert tasks["birthday_discount"].discount_rate == Decimal("0.88")
    assert tasks["quarterly_gift"].detail == "医院备有两种品牌礼品、两种不定期礼品"
    assert tasks["followup"].benefit == ""


def test_running_it_again_changes_nothing(personas, old_active):
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    assert TierRuleSet.objects.filter(site=personas.site_b).count() == 2


def test_values_and_notes_staff_have_edited_are_left_alone(personas, old_active):
    definition = copy.deepcopy(old_active.definition)
    definition["tiers"][0]["benefits"]["discount"] = "8.5"  # AAA: set by staff, shipped note kept
    definition["tiers"][1]["benefits"]["note"] = "生日当月9折"  # AA: note rewritten by staff
    TierRuleSet.objects.filter(pk=old_active.pk).update(definition=definition)
    migration.forwards(apps, None)
    tiers = {t["code"]: t["benefits"] for t in TierRuleSet.objects.get(status="active").definition["tiers"]}
    assert (tiers["AAA"]["discount"], tiers["AAA"]["coupon_fen"]) == ("8.5", 26_000)
    assert (tiers["AA"]["discount"], tiers["AA"]["note"]) == (None, "生日当月9折")


def test_a_ladder_draft_gets_a_draft_successor_with_its_member_discounts(personas):
    draft = TierRuleSet.objects.create(
        site=personas.site_b, name=LADDER_NAME, version=1, definition=as_shipped_before(LADDER_NAME, LADDER)
    )
    migration.forwards(apps, None)
    new = TierRuleSet.objects.get(site=personas.site_b, name=LADDER_NAME, version=2)
    assert (new.status, new.based_on_id) == ("draft", draft.pk)
    assert [t["benefits"]["member_discount"] for t in new.definition["tiers"]] == [
        "8.5",
        "8.8",
        "9",
        "9.5",
        "9.8",
    ]
    assert validate_rule_set(new.definition) == validate_rule_set(LADDER)


def test_migration_0006_names_the_shipped_set_for_what_it_is(personas):
    """Issue 12 item 9: the shipped rule set was called "会员分级（seed 004）"."""
    renaming = importlib.import_module("opscenter.members.migrations.0006_rename_shipped_rule_set")
    TierRuleSet.objects.create(
        site=personas.site_b, name=SEED_004_OLD_NAME, version=1, status="draft", definition=SEED_004
    )
    renaming.rename(apps, None)
    assert list(TierRuleSet.objects.values_list("name", flat=True)) == [SEED_004_NAME]
    assert "seed" not in SEED_004_NAME.lower()
