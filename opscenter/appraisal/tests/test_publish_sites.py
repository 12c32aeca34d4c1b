"""Publishing a period for several sites at once, scoped by the publisher's sites, audited; a
published site is frozen while the others stay drafts; the period is published with the last site."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from opscenter.appraisal import services
from opscenter.appraisal.choices import ItemKind, ItemMethod, PeriodStatus
from opscenter.appraisal.models import Appraisal, PeriodPublication
from opscenter.appraisal.tests.conftest import make_card
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.models import AuditEntry
from opscenter.core.testing import make_department, make_staff


def _enter_all(period, site=None):
    rows = Appraisal.objects.filter(period=period)
    if site is not None:
        rows = rows.filter(site=site)
    for a in rows:
        for row in a.scores.select_related("item"):
            if row.item.method == ItemMethod.MANUAL and row.item.kind == ItemKind.SCORED:
                services.item_score_enter(actor=None, item_score=row, score="80")
            elif row.item.method == ItemMethod.CHECKLIST:
                services.item_score_enter(actor=None, item_score=row, checked=["上报报告"])


@pytest.fixture
def two_sites(personas, test_metric):
    a_dept = make_department(personas.site_a, "call_center")
    b_dept = make_department(personas.site_b, "call_center")
    make_card(personas.site_a, department=a_dept, appraiser=personas.callcenter_a.staff)
    make_card(personas.site_b, department=b_dept, appraiser=personas.ops_b.staff)
    a_people = [make_staff(department=a_dept, name=f"甲{i}") for i in range(2)]
    b_people = [make_staff(department=b_dept, name=f"乙{i}") for i in range(2)]
    test_metric.update({p.pk: 5 for p in a_people + b_people})
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    return period, a_people, b_people


def test_a_site_manager_publishes_their_site_which_freezes_while_the_other_site_stays_a_draft(
    personas, two_sites, test_metric
):
    period, a_people, b_people = two_sites
    _enter_all(period, personas.site_a)
    rows = services.period_publish(actor=personas.ops_a, period=period)
    # 2 agents + the persona 客服甲 of the same call-center department
    assert [(r.site_id, r.appraisals) for r in rows] == [(personas.site_a.pk, 3)]
    period.refresh_from_db()
    assert period.status == PeriodStatus.DRAFT  # site B is still open
    frozen = Appraisal.objects.get(period=period, staff=a_people[0])
    with pytest.raises(ValidationError, match="已发布"):
        services.item_score_enter(actor=None, item_score=frozen.scores.get(item__name="主要业务"), score="10")
    # an appeal is possible on the published site, not on the draft one
    services.appeal_file(actor=None, item_score=frozen.scores.get(item__name="服务质量"), reason="漏记")
    draft = Appraisal.objects.get(period=period, staff=b_people[0])
    with pytest.raises(ValidationError, match="发布后才能申诉"):
        services.appeal_file(actor=None, item_score=draft.scores.get(item__name="服务质量"), reason="漏记")
    # a rerun leaves the published site alone and recomputes the other
    before = frozen.final_score
    test_metric.update({p.pk: 10 for p in a_people + b_people})
    services.appraisal_run(period=period)
    frozen.refresh_from_db()
    draft.refresh_from_db()
    assert frozen.final_score == before
    assert draft.scores.get(item__name="服务质量").score == 100
    # the audit trail says who published which site
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(PeriodPublication), object_id=str(rows[0].pk)
    ).get()
    assert entry.actor_id == personas.ops_a.pk and entry.action == "create"
    assert (
        "发布 阳光养老社区 2026-10 考核结果 3 份" in AuditEntry.objects.filter(action="event").last().message
    )
    # the CLI's explanation says which appraisals are frozen
    for person, frozen_expected in ((a_people[0], True), (b_people[0], False)):
        out = io.StringIO()
        call_command(
            "appraisal", "explain", "--period", "2026-10", "--staff", person.employee_no, "--json", stdout=out
        )
        got = json.loads(out.getvalue())
        got = got[0] if isinstance(got, list) else got
        assert (got["period_status"], got["published"]) == ("draft", frozen_expected)
    # a published site cannot be published again; site B's manager publishing B completes the period
    with pytest.raises(ValidationError, match="没有待发布"):
        services.period_publish(actor=personas.admin, period=period, site_ids=[personas.site_a.pk])
    _enter_all(period, personas.site_b)
    services.period_publish(actor=personas.ops_b, period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.PUBLISHED and period.published_by_id == personas.ops_b.pk


def test_publishing_another_managers_site_is_refused(personas, two_sites):
    period, _a, _b = two_sites
    _enter_all(period)
    with pytest.raises(PermissionDenied):
        services.period_publish(actor=personas.ops_a, period=period, site_ids=[personas.site_b.pk])
    with pytest.raises(PermissionDenied):
        services.period_publish(actor=personas.consultant_a, period=period)
    assert not PeriodPublication.objects.exists()


def test_pending_items_block_only_their_site_and_the_message_names_it(personas, two_sites):
    period, _a, _b = two_sites
    _enter_all(period, personas.site_b)
    with pytest.raises(ValidationError, match="（阳光养老社区 3）"):
        services.period_publish(actor=personas.admin, period=period)
    services.period_publish(actor=personas.admin, period=period, site_ids=[personas.site_b.pk])
    assert set(services.published_site_ids(period)) == {personas.site_b.pk}


def test_a_group_manager_publishes_several_sites_at_once_on_the_page(client, personas, two_sites):
    period, _a, _b = two_sites
    _enter_all(period)
    client.force_login(personas.admin)
    page = client.get(reverse("appraisal:period_detail", args=[period.label]))
    assert page.status_code == 200
    assert page.content.decode().count('name="sites"') == 2
    client.post(
        reverse("appraisal:period_publish", args=[period.label]),
        {"sites": [personas.site_a.pk, personas.site_b.pk]},
    )
    period.refresh_from_db()
    assert period.status == PeriodStatus.PUBLISHED
    assert PeriodPublication.objects.filter(period=period).count() == 2
    page = client.get(reverse("appraisal:period_detail", args=[period.label])).content.decode()
    assert 'name="sites"' not in page and "已发布" in page
