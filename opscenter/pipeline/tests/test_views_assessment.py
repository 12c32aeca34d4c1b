"""Admission assessment screens: record, second opinion, resolution; roles, scope, bad input and the
customer page's query count with assessments on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opscenter.pipeline import services
from opscenter.pipeline.models import Assessment

pytestmark = [pytest.mark.django_db]

HX = {"HTTP_HX_REQUEST": "true"}


def now_field() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def record_url(customer) -> str:
    return reverse("pipeline:assessment_record", args=[customer.pk])


def page_of(client, customer) -> str:
    return client.get(reverse("pipeline:customer_detail", args=[customer.pk])).content.decode()


def dispute(personas, customer, *, resolve: bool = False):
    """Marketing assesses assisted care, nursing disagrees (dementia); operations may settle it."""
    original = services.assessment_record(
        actor=personas.marketing_a, customer_id=customer.pk, zone="assisted", notes="自理较好"
    )
    opinion = services.assessment_second_opinion(
        actor=personas.nursing_a, assessment_id=original.pk, zone="dementia", notes="认知评估异常"
    )
    if resolve:
        services.assessment_resolve(
            actor=personas.ops_a, second_opinion_id=opinion.pk, zone="rehab", resolution="评估小组讨论决定"
        )
    return original, opinion


# --- recording an assessment ------------------------------------------------------------------------


def test_nursing_records_an_assessment_and_it_shows_on_the_timeline(client, personas, make_customer):
    customer = make_customer(name="钱奶奶")
    client.force_login(personas.nursing_a)
    page = page_of(client, customer)
    assert record_url(customer) in page and "入住评估" in page
    assert "记录咨询" not in page  # nursing assesses; it does not log consultations
    form = client.get(record_url(customer)).content.decode()
    assert "护理甲" in form and "协助照料区" in form and "失智区" in form

    response = client.post(
        record_url(customer), {"zone": "rehab", "assessed_at": now_field(), "notes": "术后康复期"}
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(customer=customer)
    assert (assessment.zone, assessment.assessor, assessment.assessor_role) == (
        "rehab",
        personas.nursing_a.staff,
        "nursing",
    )
    page = page_of(client, customer)
    assert "护理部评估：康复护理区" in page and "术后康复期" in page
    assert reverse("pipeline:assessment_second_opinion", args=[assessment.pk]) in page


def test_an_assessment_over_htmx_answers_with_a_redirect_to_the_customer(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.nursing_a)
    response = client.post(record_url(customer), {"zone": "assisted", "assessed_at": now_field()}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("pipeline:customer_detail", args=[customer.pk])


def test_roles_without_assessment_permission_get_no_form_and_are_refused(client, personas, make_customer):
    customer = make_customer()
    for user in (personas.callcenter_a, personas.executive):
        client.force_login(user)
        assert record_url(customer) not in page_of(client, customer)
        assert client.get(record_url(customer)).status_code == 403
        response = client.post(record_url(customer), {"zone": "rehab", "assessed_at": now_field()})
        assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_consultant_cannot_assess_a_colleagues_customer(client, personas, make_customer):
    colleague = make_customer(personas.consultant_a2)
    client.force_login(personas.consultant_a)
    assert client.get(record_url(colleague)).status_code == 404
    response = client.post(record_url(colleague), {"zone": "rehab", "assessed_at": now_field()})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_operations_of_another_site_cannot_touch_the_assessments_of_site_a(client, personas, make_customer):
    customer = make_customer()
    original, opinion = dispute(personas, customer)
    client.force_login(personas.ops_b)
    assert client.get(record_url(customer)).status_code == 404
    assert client.post(record_url(customer), {"zone": "rehab", "assessed_at": now_field()}).status_code == 404
    second = reverse("pipeline:assessment_second_opinion", args=[original.pk])
    assert client.post(second, {"zone": "rehab", "notes": "x"}).status_code == 404
    resolve = reverse("pipeline:assessment_resolve", args=[opinion.pk])
    assert client.post(resolve, {"zone": "rehab", "resolution": "x"}).status_code == 404
    assert Assessment.objects.count() == 2
    opinion.refresh_from_db()
    assert not opinion.resolved_zone


def test_an_unknown_care_zone_is_rejected_and_nothing_is_saved(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.nursing_a)
    response = client.post(record_url(customer), {"zone": "icu", "assessed_at": now_field()})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="row-zone"' in html and "errorlist" in html
    assert html.index("errorlist") > html.index('id="row-zone"')
    assert not Assessment.objects.exists()


def test_an_assessment_in_the_future_is_rejected_with_the_services_message(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.nursing_a)
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(record_url(customer), {"zone": "rehab", "assessed_at": tomorrow}).content.decode()
    assert "时间不能晚于当前时间" in html
    assert not Assessment.objects.exists()


def test_assessment_is_not_offered_on_a_clinic_customer(client, personas, make_customer):
    clinic_customer = make_customer(personas.consultant_b)
    client.force_login(personas.ops_b)
    assert record_url(clinic_customer) not in page_of(client, clinic_customer)
    assert client.get(record_url(clinic_customer)).status_code == 403


# --- second opinion ---------------------------------------------------------------------------------


def test_a_second_opinion_keeps_the_original_and_both_show_on_the_timeline(client, personas, make_customer):
    customer = make_customer()
    original = services.assessment_record(
        actor=personas.marketing_a, customer_id=customer.pk, zone="assisted", notes="自理较好"
    )
    client.force_login(personas.nursing_a)
    url = reverse("pipeline:assessment_second_opinion", args=[original.pk])
    form = client.get(url).content.decode()
    assert "原评估" in form and "协助照料区" in form and "自理较好" in form

    response = client.post(url, {"zone": "dementia", "notes": "认知评估异常"})
    assert response.status_code == 302
    original.refresh_from_db()
    assert (original.zone, original.notes, original.resolved_zone) == ("assisted", "自理较好", "")
    opinion = Assessment.objects.get(second_opinion_of=original)
    assert (opinion.zone, opinion.assessor) == ("dementia", personas.nursing_a.staff)

    page = page_of(client, customer)
    assert "市场部评估：协助照料区" in page
    assert "异议意见：失智区" in page and "待裁定" in page
    # Nursing records opinions but does not arbitrate: no resolution button for them.
    assert reverse("pipeline:assessment_resolve", args=[opinion.pk]) not in page


def test_a_second_opinion_without_a_reason_shows_the_message_and_saves_nothing(
    client, personas, make_customer
):
    customer = make_customer()
    original = services.assessment_record(
        actor=personas.marketing_a, customer_id=customer.pk, zone="assisted"
    )
    client.force_login(personas.nursing_a)
    url = reverse("pipeline:assessment_second_opinion", args=[original.pk])
    html = client.post(url, {"zone": "dementia", "notes": "  "}).content.decode()
    assert "提出异议必须说明理由" in html
    assert html.index("提出异议必须说明理由") > html.index('id="row-notes"')
    html = client.post(url, {"zone": "assisted", "notes": "同意"}).content.decode()
    assert "意见与原评估结果一致" in html
    assert Assessment.objects.count() == 1


def test_a_second_opinion_on_a_second_opinion_is_not_found(client, personas, make_customer):
    customer = make_customer()
    original, opinion = dispute(personas, customer)
    client.force_login(personas.ops_a)
    assert client.get(reverse("pipeline:assessment_second_opinion", args=[opinion.pk])).status_code == 404
    assert client.get(reverse("pipeline:assessment_resolve", args=[original.pk])).status_code == 404


# --- resolution -------------------------------------------------------------------------------------


def test_operations_resolves_a_disagreement_and_both_opinions_stay(client, personas, make_customer):
    customer = make_customer()
    original, opinion = dispute(personas, customer)
    client.force_login(personas.ops_a)
    url = reverse("pipeline:assessment_resolve", args=[opinion.pk])
    assert url in page_of(client, customer)
    form = client.get(url).content.decode()
    assert "自理较好" in form and "认知评估异常" in form

    response = client.post(url, {"zone": "rehab", "resolution": "评估小组讨论决定"})
    assert response.status_code == 302
    original.refresh_from_db()
    opinion.refresh_from_db()
    assert (original.zone, original.resolved_zone) == ("assisted", "")
    assert (opinion.zone, opinion.resolved_zone, opinion.resolved_by) == ("dementia", "rehab", personas.ops_a)

    page = page_of(client, customer)
    assert 'data-kind="resolution"' in page
    assert "评估分歧裁定：康复护理区" in page and "评估小组讨论决定" in page and "裁定人：运营甲" in page
    assert "裁定：康复护理区" in page and url not in page
    # Settled: the form is not offered again.
    response = client.get(url)
    assert response.status_code == 302


def test_a_resolution_without_an_explanation_is_rejected(client, personas, make_customer):
    customer = make_customer()
    _original, opinion = dispute(personas, customer)
    client.force_login(personas.ops_a)
    url = reverse("pipeline:assessment_resolve", args=[opinion.pk])
    html = client.post(url, {"zone": "rehab", "resolution": ""}).content.decode()
    assert "请填写裁定说明" in html
    opinion.refresh_from_db()
    assert not opinion.resolved_zone


def test_nursing_may_not_resolve_a_disagreement(client, personas, make_customer):
    customer = make_customer()
    _original, opinion = dispute(personas, customer)
    client.force_login(personas.nursing_a)
    url = reverse("pipeline:assessment_resolve", args=[opinion.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"zone": "rehab", "resolution": "我来定"}).status_code == 403
    opinion.refresh_from_db()
    assert not opinion.resolved_zone


# --- query count ------------------------------------------------------------------------------------


def _customer_page_queries(client, customer) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pipeline:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    return len(queries)


def test_customer_page_query_count_does_not_grow_with_assessments(
    client, personas, make_customer, django_assert_max_num_queries
):
    customer = make_customer()
    dispute(personas, customer, resolve=True)
    client.force_login(personas.ops_a)
    few = _customer_page_queries(client, customer)
    for resolve in (True, False, True, False):
        dispute(personas, customer, resolve=resolve)
    many = _customer_page_queries(client, customer)
    assert many == few
    with django_assert_max_num_queries(20):
        client.get(reverse("pipeline:customer_detail", args=[customer.pk]))


def test_an_english_user_gets_the_assessment_screens_in_english(client, personas, make_customer):
    customer = make_customer()
    original, _opinion = dispute(personas, customer)
    user = personas.ops_a
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = page_of(client, customer)
    assert "Admission assessment" in page and "Reassign" in page and "Settle disagreement" in page
    assert "Timeline" in page and "Change history" in page
    form = client.get(reverse("pipeline:assessment_second_opinion", args=[original.pk])).content.decode()
    assert "Original assessment" in form and "Reason for disagreeing" in form
    assert "提出评估异议" not in form
