"""Demo step: seed 004's rules active at the clinic (meilai), the discount ladder as a draft to
preview, a few disputes, members evaluated and care tasks generated. Idempotent and fast."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from opscenter.members import aggregates, services
from opscenter.members.constants import LADDER, LADDER_NAME, SEED_004, SEED_004_NAME
from opscenter.members.models import TierRuleSet
from opscenter.org.models import Site
from opscenter.pipeline.models import Customer, Dispute, Transaction

SITE_CODE = "meilai"
DISPUTES = (
    ("treatment", "术后肿胀消退慢，要求复诊", None),
    ("service", "等候时间过长", "repaired"),
    ("price", "对套餐收费有异议", "refunded"),
)


def generate(*, seed: int, stdout) -> None:
    site = Site.objects.filter(code=SITE_CODE).first()
    if site is None:
        stdout.write(f"院区 {SITE_CODE} 不存在，跳过会员分级")
        return
    with transaction.atomic():
        if not TierRuleSet.objects.filter(site=site, name=SEED_004_NAME).exists():
            rule_set = services.tier_rules_create(
                actor=None, site_id=site.pk, name=SEED_004_NAME, definition=SEED_004
            )
            services.tier_rules_transition(actor=None, rule_set_id=rule_set.pk, to_status="active")
        if not TierRuleSet.objects.filter(site=site, name=LADDER_NAME).exists():
            services.tier_rules_create(actor=None, site_id=site.pk, name=LADDER_NAME, definition=LADDER)
        _disputes(site, random.Random(f"opscenter-members-{seed}"))
        rows = aggregates.rebuild()  # the pipeline demo bulk-inserts (no signals): every site
        run = services.tiers_evaluate(actor=None, site_id=site.pk)
        tasks = services.care_tasks_generate(site_id=site.pk)
    counts = "，".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
    stdout.write(
        f"{site.name}：汇总 {rows} 行，会员 {run.members}（{counts}），等级变动 {run.changes}，关怀任务 {tasks}"
    )


def _disputes(site: Site, rng: random.Random) -> None:
    if Dispute.objects.filter(site=site).exists():
        return
    buyers = list(
        Customer.objects.filter(
            site=site, is_deleted=False, pk__in=Transaction.objects.filter(site=site).values("customer_id")
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    today = timezone.localdate()
    for (category, text, outcome), customer_id in zip(
        DISPUTES, rng.sample(buyers, min(len(buyers), len(DISPUTES))), strict=False
    ):
        opened = today - dt.timedelta(days=rng.randint(20, 60))
        Dispute.objects.create(
            site=site,
            customer_id=customer_id,
            opened_on=opened,
            category=category,
            description=text,
            status="settled" if outcome else "open",
            outcome=outcome or "",
            settled_on=opened + dt.timedelta(days=10) if outcome else None,
        )
