"""The admission assessment workflow: materials, panel, views, dispute, arbiter, due time,
disagreement analysis; the staffing-ratio warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opscenter.care import admission_commitment, services
from opscenter.care.models import AdmissionRequest, AdmissionView, MaterialItem, NurseAssignment
from opscenter.care.selectors.admissions import disagreement_analysis
from opscenter.care.selectors.census import staffing
from opscenter.commitments.models import StageMeasurement, WorkOrder
from opscenter.commitments.monitor import run_monitor
from opscenter.commitments.services.trees import commitment_tree_revise, commitment_tree_transition, tree_spec
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.pipeline.models import Assessment

from .conftest import BARTHEL_55, MINICOG_OK, answers


def open_request(care, customer, **kw):
    p = care.personas
    return services.admission_request_open(
        actor=p.marketing_a,
        customer_id=customer.pk,
        panel_ids=[p.marketing_a.staff.pk, p.nursing_a.staff.pk],
        arbiter_id=kw.pop("arbiter_id", p.ops_a.staff.pk),
        material_ids=kw.pop(
            "material_ids", MaterialItem.objects.filter(site=care.site).values_list("pk", flat=True)
        ),
        **kw,
    )


def test_missing_required_material_is_named(care, signed):
    deal = signed()
    first = MaterialItem.objects.filter(site=care.site).order_by("sort_order").first()
    with pytest.raises(ValidationError) as err:
        open_request(care, deal.customer, material_ids=[])
    assert first.name in err.value.message
    assert AdmissionRequest.objects.count() == 0


def _stage(request):
    return StageMeasurement.objects.select_related("commitment__tree").get(
        measurement__subject_kind=admission_commitment.SUBJECT,
        measurement__subject_ref=str(request.pk),
        level=1,
    )


def test_due_time_is_the_admission_commitment_on_the_business_clock_and_breach_opens_a_work_order(
    care, signed
):
    # Friday 2026-03-06 16:00 + 3 business days (9 h each) → Wednesday 11 March 16:00
    now = dt.datetime(2026, 3, 6, 16, 0, tzinfo=timezone.get_default_timezone())
    request = open_request(care, signed().customer, now=now)
    assert timezone.localtime(request.due_at) == now.replace(day=11)
    stage = _stage(request)
    assert stage.due_at == request.due_at and stage.status == "open"
    assert stage.commitment.tree.family == admission_commitment.FAMILY
    assert stage.commitment.tree.status == "active"
    run_monitor(now.replace(day=11, hour=12), sync=False)
    stage.refresh_from_db()
    assert stage.status == "warning"  # 80 % of the allowance has passed
    result = run_monitor(now.replace(day=12), sync=False)
    stage.refresh_from_db()
    assert (stage.status, result.work_orders) == ("breached", 1)
    order = WorkOrder.objects.get(source="breach", source_ref=str(stage.pk))
    assert order.department.kind == "nursing" and order.site_id == care.site.pk
    assert admission_commitment.stages_for([request.pk])[request.pk]["breached"]


def test_a_late_decision_closes_the_stage_as_a_breach_with_its_overrun(care, signed):
    now = dt.datetime(2026, 3, 6, 16, 0, tzinfo=timezone.get_default_timezone())
    request = open_request(care, signed().customer, now=now)
    p = care.personas
    services.admission_view_record(actor=p.marketing_a, request_id=request.pk, answers=answers())
    services.admission_view_record(actor=p.nursing_a, request_id=request.pk, answers=answers())
    request.refresh_from_db()
    stage = _stage(request)
    assert request.status == "decided" and stage.ended_at == request.decided_at
    assert stage.status == "breached" and stage.overrun_minutes > 0
    assert "一级承诺超时" in stage.attribution


def test_an_on_time_decision_keeps_the_commitment(care, signed):
    request = open_request(care, signed().customer)
    p = care.personas
    services.admission_view_record(actor=p.marketing_a, request_id=request.pk, answers=answers())
    services.admission_view_record(actor=p.nursing_a, request_id=request.pk, answers=answers())
    assert _stage(request).status == "on_time"


def test_the_allowance_is_data_edited_as_a_new_commitment_version(care, signed):
    first = open_request(care, signed("甲").customer)
    tree = _stage(first).commitment.tree
    spec = tree_spec(tree)
    spec.allowance_minutes = 9 * 60  # one business day
    draft = commitment_tree_revise(actor=care.personas.ops_a, tree_id=tree.pk, root=spec)
    commitment_tree_transition(actor=care.personas.ops_a, tree_id=draft.pk, to_status="active")
    now = dt.datetime(2026, 3, 6, 16, 0, tzinfo=timezone.get_default_timezone())
    second = open_request(care, signed("乙").customer, now=now)
    assert timezone.localtime(second.due_at) == now.replace(day=9)  # Monday 16:00
    assert _stage(second).commitment.tree.version == 2
    assert _stage(first).commitment.tree.version == 1  # measured under the version it started in


def test_agreeing_views_decide_the_zone(care, signed):
    request = open_request(care, signed().customer)
    p = care.personas
    services.admission_view_record(actor=p.marketing_a, request_id=request.pk, answers=answers())
    services.admission_view_record(actor=p.nursing_a, request_id=request.pk, answers=answers())
    request.refresh_from_db()
    assert (request.status, request.decided_zone, request.disputed) == ("decided", "assisted", False)
    assert request.cycle_minutes is not None


def test_dispute_is_recorded_separately_and_resolved_by_the_named_arbiter(care, signed):
    request = open_request(care, signed().customer)
    p = care.personas
    mkt = services.admission_view_record(actor=p.marketing_a, request_id=request.pk, answers=answers())
    nur = services.admission_view_record(
        actor=p.nursing_a, request_id=request.pk, answers=answers(barthel=BARTHEL_55), notes="需要康复护理"
    )
    assert (mkt.suggested_zone, nur.suggested_zone) == ("assisted", "rehab")
    request.refresh_from_db()
    assert request.status == "disputed"
    assert (
        nur.assessment.second_opinion_of_id == mkt.assessment_id
    )  # pipeline second opinion, not overwritten
    with pytest.raises(PermissionDenied):
        services.admission_resolve(actor=p.nursing_a, request_id=request.pk, zone="rehab", reason="x")
    with pytest.raises(ValidationError):
        services.admission_resolve(actor=p.ops_a, request_id=request.pk, zone="rehab", reason=" ")
    services.admission_resolve(actor=p.ops_a, request_id=request.pk, zone="rehab", reason="Barthel 55 分")
    request.refresh_from_db()
    assert (request.status, request.decided_zone, request.decision_reason) == (
        "decided",
        "rehab",
        "Barthel 55 分",
    )
    original = Assessment.objects.get(pk=mkt.assessment_id)
    assert original.zone == "assisted" and not original.resolved_zone
    assert Assessment.objects.get(pk=nur.assessment_id).resolved_zone == "rehab"


def test_scale_answer_out_of_range_rejects_the_view_and_writes_nothing(care, signed):
    request = open_request(care, signed().customer)
    bad = answers(cognitive={**MINICOG_OK, "recall": 4})
    with pytest.raises(ValidationError) as err:
        services.admission_view_record(actor=care.personas.marketing_a, request_id=request.pk, answers=bad)
    assert "三词回忆" in err.value.message and "超出范围" in err.value.message
    assert AdmissionView.objects.count() == 0 and Assessment.objects.count() == 0


def test_a_side_cannot_overwrite_its_view(care, signed):
    request = open_request(care, signed().customer)
    services.admission_view_record(actor=care.personas.marketing_a, request_id=request.pk, answers=answers())
    with pytest.raises(ValidationError):
        services.admission_view_record(
            actor=care.personas.marketing_a, request_id=request.pk, answers=answers()
        )


def test_disagreement_analysis_by_assessor_department_item_and_month(care, signed):
    p = care.personas
    lost = open_request(care, signed("甲").customer)
    services.admission_view_record(actor=p.marketing_a, request_id=lost.pk, answers=answers())
    services.admission_view_record(
        actor=p.nursing_a, request_id=lost.pk, answers=answers(barthel=BARTHEL_55), notes="康复"
    )
    services.admission_lost(actor=p.marketing_a, request_id=lost.pk, reason="不接受分区")
    agreed = open_request(care, signed("乙").customer)
    services.admission_view_record(actor=p.marketing_a, request_id=agreed.pk, answers=answers())
    services.admission_view_record(actor=p.nursing_a, request_id=agreed.pk, answers=answers())
    now = timezone.now()
    AdmissionRequest.objects.filter(pk=lost.pk).update(disputed_at=now - dt.timedelta(days=2))
    today = timezone.localdate()
    result = disagreement_analysis(site_id=care.site.pk, start=today, end=today, now=now)
    assert (result["requests"], result["disputed"], result["lost"]) == (2, 1, 1)
    assert result["days"] == Decimal("2.0")
    by_name = {r["name"]: r for r in result["assessors"]}
    assert by_name["市场甲"]["disputes"] == 1 and by_name["市场甲"]["views"] == 2
    assert {(i["item"], i["count"]) for i in result["items"]} == {
        ("洗澡", 1),
        ("穿衣", 1),
        ("如厕", 1),
        ("床椅转移", 1),
        ("平地行走", 1),
        ("上下楼梯", 1),
    }
    assert result["months"][0]["rate"] == Decimal("50.0")


def test_staffing_ratio_warns_when_planned_admissions_pass_the_limit(care, signed):
    zone = care.zones["assisted"]
    zone.max_residents_per_nurse_day = Decimal("1.0")
    zone.save()
    NurseAssignment.objects.create(site=care.site, zone=zone, staff=care.nurse_manager.staff, shift="day")
    services.residency_admit(
        actor=care.personas.ops_a,
        deal_id=signed("甲").pk,
        bed_id=care.beds["assisted"][0].pk,
        started_on=dt.date(2026, 2, 1),
    )
    row = next(
        r
        for r in staffing(site_id=care.site.pk, today=dt.date(2026, 2, 2))
        if r["zone"] == zone and r["nurses"]
    )
    assert (row["residents"], row["ratio"], row["warning"]) == (1, Decimal("1.0"), False)
    request = open_request(care, signed("乙").customer)
    services.admission_view_record(actor=care.personas.marketing_a, request_id=request.pk, answers=answers())
    services.admission_view_record(actor=care.personas.nursing_a, request_id=request.pk, answers=answers())
    row = next(
        r
        for r in staffing(site_id=care.site.pk, today=dt.date(2026, 2, 2))
        if r["zone"] == zone and r["nurses"]
    )
    assert (row["planned"], row["projected"], row["warning"]) == (1, Decimal("2.0"), True)
