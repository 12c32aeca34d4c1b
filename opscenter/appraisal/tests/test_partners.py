"""Partner grading with the same engine (seed 003 目标医院等级评价): the current grade follows the
published partner appraisal; contracts keep their class at signing."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from opscenter.appraisal import examples, services
from opscenter.appraisal.models import Appraisal, ItemScore, Partner, PartnerContract


def test_partner_grade_follows_the_published_partner_scorecard_and_contracts_keep_their_class(
    client, personas
):
    site = personas.site_a
    examples.scheme_partner(site)
    first = Partner.objects.create(site=site, name="第一医院", kind="target_hospital", grade="B")
    second = Partner.objects.create(site=site, name="第二医院", kind="target_hospital", grade="A")
    contract = PartnerContract.objects.create(
        partner=second, signed_on=dt.date(2026, 3, 1), starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2027, 2, 28), grade_at_signing="A",
    )  # fmt: skip
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    labels = [c["label"] for c in examples.scheme_partner(site).items.get().checklist]
    services.item_score_enter(
        actor=None, item_score=ItemScore.objects.get(appraisal__subject_id=first.pk), checked=labels
    )
    services.item_score_enter(
        actor=None, item_score=ItemScore.objects.get(appraisal__subject_id=second.pk), checked=labels[:2]
    )
    assert Appraisal.objects.get(subject_id=second.pk, subject_kind="partner").grade == "C"  # 30 + 20 = 50
    services.period_publish(actor=None, period=period)
    client.force_login(personas.ops_a)
    page = client.post(reverse("appraisal:period_partner_grades", args=["2026-10"]), follow=True)
    assert "已按评定结果更新 2 家合作机构的等级" in page.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    contract.refresh_from_db()
    assert (first.grade, second.grade, contract.grade_at_signing) == ("A", "C", "A")
