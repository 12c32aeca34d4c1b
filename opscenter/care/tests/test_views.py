"""Screens: every page renders for the site's staff with bounded queries; forms show the services'
Chinese messages; other sites and roles are kept out; the risk summary exports .xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from opscenter.care import services
from opscenter.care.models import AdmissionView, Incident

from .conftest import MORSE_HIGH


@pytest.fixture
def resident(care, signed):
    residency = services.residency_admit(
        actor=care.personas.ops_a,
        deal_id=signed("王爷爷").pk,
        bed_id=care.beds["assisted"][0].pk,
        started_on=timezone.localdate() - dt.timedelta(days=40),
    )
    risk = services.risk_assess(
        actor=care.personas.nursing_a,
        residency_id=residency.pk,
        kind="fall",
        answers=MORSE_HIGH,
        assessed_on=timezone.localdate() - dt.timedelta(days=30),
    )
    services.risk_measure_add(
        actor=care.personas.nursing_a,
        risk_id=risk.pk,
        description="床栏、夜灯",
        owner_id=care.personas.nursing_a.staff.pk,
        due_on=timezone.localdate(),
    )
    services.incident_record(
        actor=care.personas.nursing_a,
        residency_id=residency.pk,
        kind="fall",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        place="走廊",
        severity="minor",
        immediate_action="扶起",
    )
    return residency


PAGES = [
    ("care:home", {}),
    ("care:census", {}),
    ("care:census_data", {}),
    ("care:resident_list", {}),
    ("care:admission_list", {}),
    ("care:disagreements", {}),
    ("care:due_reviews", {}),
    ("care:risk_summary", {}),
    ("care:incident_list", {}),
    ("care:incident_rates", {}),
    ("care:incident_rates_data", {}),
    ("care:setup", {}),
    ("care:resident_admit", {}),
    ("care:incident_create", {}),
    ("care:admission_create", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_pages_render_with_bounded_queries(
    client, care, resident, name, kwargs, django_assert_max_num_queries
):
    client.force_login(care.personas.ops_a)
    with django_assert_max_num_queries(30):
        response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200


def test_resident_page_shows_risk_incident_and_work_order(client, care, resident):
    client.force_login(care.personas.nursing_a)
    page = client.get(reverse("care:resident_detail", args=[resident.pk])).content.decode()
    assert "王爷爷" in page and "床栏、夜灯" in page and "跌倒" in page
    incident = Incident.objects.get()
    assert reverse("commitments:work_order_detail", args=[incident.work_order_id]) in page


def test_risk_summary_lists_the_resident_and_exports_xlsx(client, care, resident):
    client.force_login(care.personas.ops_a)
    page = client.get(reverse("care:risk_summary")).content.decode()
    assert "王爷爷" in page and "床栏、夜灯" in page
    response = client.get(reverse("care:risk_summary") + "?format=xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "长者" and rows[1][0] == "王爷爷" and "跌倒 高" in rows[1][3]


def test_other_site_cannot_open_a_resident(client, care, resident):
    client.force_login(care.personas.ops_b)
    assert client.get(reverse("care:resident_detail", args=[resident.pk])).status_code == 404


def test_consultant_has_no_care_pages(client, care, resident):
    client.force_login(care.personas.consultant_a)
    assert client.get(reverse("care:incident_list")).status_code == 403


def test_out_of_range_scale_answer_is_shown_on_the_form(client, care, signed):
    p = care.personas
    from opscenter.care.models import MaterialItem

    request = services.admission_request_open(
        actor=p.marketing_a,
        customer_id=signed().customer_id,
        panel_ids=[p.marketing_a.staff.pk, p.nursing_a.staff.pk],
        arbiter_id=p.ops_a.staff.pk,
        material_ids=MaterialItem.objects.values_list("pk", flat=True),
    )
    client.force_login(p.nursing_a)
    data = {"action": "view", "zone": "", "notes": ""}
    data.update(
        {
            f"barthel__{k}": v
            for k, v in {
                "feeding": 10,
                "bathing": 5,
                "grooming": 5,
                "dressing": 10,
                "bowels": 10,
                "bladder": 10,
                "toilet": 10,
                "transfer": 15,
                "mobility": 15,
                "stairs": 10,
            }.items()
        }
    )
    data.update({"cognitive__recall": 3, "cognitive__clock": 2})
    data.update(
        {f"morse__{k}": 0 for k in ("history", "secondary_diagnosis", "ambulatory_aid", "iv", "gait")}
    )
    data["morse__mental_status"] = 16
    response = client.post(reverse("care:admission_detail", args=[request.pk]), data)
    assert response.status_code == 200
    assert "分值 16 超出范围" in response.content.decode()
    assert AdmissionView.objects.count() == 0


def test_zone_is_renamed_and_its_ratio_limit_edited_on_the_setup_page(client, care):
    from decimal import Decimal

    zone = care.zones["dementia"]
    client.force_login(care.personas.ops_a)
    response = client.post(
        reverse("care:setup"),
        {
            "action": "zone",
            "site": care.site.pk,
            "zone": zone.pk,
            "name": "认知照护区",
            "max_day": "5.0",
            "max_night": "10",
        },
    )
    assert response.status_code == 302
    zone.refresh_from_db()
    assert (zone.name, zone.max_residents_per_nurse_day, zone.care_zone) == (
        "认知照护区",
        Decimal("5.0"),
        "dementia",
    )
    client.post(
        reverse("care:setup"),
        {"action": "material", "site": care.site.pk, "name": "医保卡", "is_required": ""},
    )
    from opscenter.care.models import MaterialItem

    assert MaterialItem.objects.get(name="医保卡").is_required is False
