"""Benefits with real amounts in the shipped example rule sets.

Before 0003 the rule sets created from the shipped examples (seed 004's 会员分级 and the 消费折扣等级
ladder) held the coupon, the 8.8折 and the ladder's discounts only in each tier's note. Every
such version still in use — the active one, and the newest draft above it — gets a successor
version with those values as structured fields (nothing else changes: same criteria, levels and
benefits, so no member changes tier). Like an edit in the rule editor, a version that has been
active is never changed: the successor is created with `based_on`, the active one is retired in
its favour, the moves are written as rule-set events and audit entries, and members' tier rows
point at the successor. A tier is filled only while its note is still the shipped text and only
where the field is empty, so values staff have set are never overwritten. Open care tasks of
these tiers get the coupon amount, discount rate or gift description they were generated for.

The values are frozen here (a migration must not follow later edits of `members.constants`).
"""

from __future__ import annotations

import copy
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

SEED_004_NAME = "会员分级（seed 004）"
LADDER_NAME = "消费折扣等级"
GIFT = "医院备有两种品牌礼品、两种不定期礼品"
NOTE = "数据迁移：生日礼券金额、折扣与礼品说明改为结构化字段（权益内容不变）"
LABEL = "数据迁移 members.0004"

# name → tier code → (the note as shipped, the fields it stated, the note that remains)
FILLS: dict[str, dict[str, tuple[str, dict, str]]] = {
    SEED_004_NAME: {
        "AAA": (
            "生日赠送260元元祖消费券；生日当月医院消费8.8折（折上折）；每季度会员沙龙",
            {"coupon_fen": 26_000, "coupon_name": "元祖消费券", "discount": "8.8"},
            "生日当月折扣为折上折；每季度邀请参加一次会员沙龙",
        ),
        "AA": ("生日当月医院消费8.8折（折上折）", {"discount": "8.8"}, "生日当月折扣为折上折"),
        "A": ("生日当月医院消费8.8折（折上折）", {"discount": "8.8"}, "生日当月折扣为折上折"),
    },
    LADDER_NAME: {
        code: (f"消费折扣 {zhe}折", {"member_discount": zhe}, "示例折扣，请按实际修改")
        for code, zhe in (
            ("diamond", "8.5"),
            ("platinum", "8.8"),
            ("jade", "9"),
            ("crystal", "9.5"),
            ("fashion", "9.8"),
        )
    },
}
# The shape `rules.validate_rule_set` gives benefits since 0003 (keys it adds when absent).
NEW_KEYS = {"coupon_name": "", "member_discount": None, "gift": ""}


def _filled(name: str, definition: dict) -> dict | None:
    """The definition with the shipped tiers' values structured, or None when nothing to fill."""
    out, changed = copy.deepcopy(definition), False
    for tier in out.get("tiers", []):
        benefits = tier.setdefault("benefits", {})
        for key, default in NEW_KEYS.items():
            benefits.setdefault(key, default)
        fill = FILLS[name].get(tier.get("code"))
        if fill is None or benefits.get("note") != fill[0]:
            continue
        for key, value in fill[1].items():
            if benefits.get(key) in (None, ""):
                benefits[key] = value
        if name == SEED_004_NAME and benefits.get("quarterly_gift") and not benefits.get("gift"):
            benefits["gift"] = GIFT
        benefits["note"] = fill[2]
        changed = True
    return out if changed else None


def _audit(apps, obj, action: str, changes: dict, message: str = "") -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    ct, _ = ContentType.objects.get_or_create(app_label="members", model="tierruleset")
    AuditEntry.objects.create(
        actor_label=LABEL,
        source="system",
        action=action,
        content_type=ct,
        object_id=str(obj.pk),
        object_repr=f"{obj.name} v{obj.version}"[:200],
        changes=changes,
        message=message,
    )


def _successor(apps, old, definition: dict, *, active: bool, now):
    TierRuleSet = apps.get_model("members", "TierRuleSet")
    Event = apps.get_model("members", "TierRuleSetEvent")
    latest = (
        TierRuleSet.objects.filter(site_id=old.site_id, name=old.name)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    if active:  # at most one active version per site: retire first
        old.status, old.retired_at = "retired", now
        old.save(update_fields=["status", "retired_at"])
        Event.objects.create(rule_set=old, from_status="active", to_status="retired", at=now)
        _audit(apps, old, "update", {"status": ["active", "retired"]}, NOTE)
    new = TierRuleSet.objects.create(
        site_id=old.site_id,
        name=old.name,
        version=latest + 1,
        status="active" if active else "draft",
        definition=definition,
        based_on=old,
        note=NOTE,
        activated_at=now if active else None,
    )
    Event.objects.create(rule_set=new, from_status="", to_status="draft", at=now)
    if active:
        Event.objects.create(rule_set=new, from_status="draft", to_status="active", at=now)
    _audit(
        apps,
        new,
        "create",
        {"version": [None, new.version], "status": [None, new.status], "based_on_id": [None, old.pk]},
        NOTE,
    )
    return new


def _backfill_care_tasks(apps, rule_set) -> None:
    CareTask = apps.get_model("members", "CareTask")
    for tier in rule_set.definition.get("tiers", []):
        b = tier.get("benefits") or {}
        open_tasks = CareTask.objects.filter(site_id=rule_set.site_id, tier=tier["code"], status="open")
        if isinstance(b.get("coupon_fen"), int) and b["coupon_fen"] >= 0:
            open_tasks.filter(kind="birthday_coupon", amount_fen__isnull=True).update(
                amount_fen=b["coupon_fen"], detail=(b.get("coupon_name") or "")[:100]
            )
        if b.get("discount") and 0 < Decimal(b["discount"]) < 10:
            open_tasks.filter(kind="birthday_discount", discount_rate__isnull=True).update(
                discount_rate=Decimal(b["discount"]) / 10
            )
        if b.get("gift"):
            open_tasks.filter(kind="quarterly_gift", detail="").update(detail=b["gift"][:100])


def forwards(apps, schema_editor):
    TierRuleSet = apps.get_model("members", "TierRuleSet")
    MemberTier = apps.get_model("members", "MemberTier")
    now = timezone.now()
    pairs = TierRuleSet.objects.filter(name__in=FILLS).values_list("site_id", "name").distinct()
    for site_id, name in sorted(set(pairs)):
        versions = TierRuleSet.objects.filter(site_id=site_id, name=name)
        active = versions.filter(status="active").first()
        draft = versions.filter(status="draft").order_by("-version").first()
        if draft is not None and active is not None and draft.version < active.version:
            draft = None
        if active is not None and (definition := _filled(name, active.definition)) is not None:
            new = _successor(apps, active, definition, active=True, now=now)
            MemberTier.objects.filter(site_id=site_id, rule_set=active).update(rule_set=new)
            _backfill_care_tasks(apps, new)
        if draft is not None and (definition := _filled(name, draft.definition)) is not None:
            _successor(apps, draft, definition, active=False, now=now)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_caretask_benefit_values_nightly_attempts"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Backwards: the successor versions stay (they mean the same as their predecessors).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
