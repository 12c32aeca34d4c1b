"""Screens: scoping, bad input shown in Chinese, drill-downs that match the numbers, query counts."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from opscenter.commitments import examples, services
from opscenter.commitments.choices import Event
from opscenter.commitments.models import WorkOrder
from opscenter.commitments.monitor import run_monitor
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.testing import make_department
from opscenter.org.models import Liaison

pytestmark = pytest.mark.django_db


def _complaints(personas, n=3):
    nursing = make_department(personas.site_a, "nursing")
    Liaison.objects.get_or_create(department=nursing, defaults={"staff": personas.nursing_a.staff})
    examples.complaint_tree(personas.site_a)
    for i in range(n):
        services.complaint_register(
            actor=personas.callcenter_a,
            department_id=nursing.pk,
            customer_name=f"客户{i}",
            channel="phone",
            category="护理服务",
            content="内容",
        )
    return nursing


def test_work_order_of_another_site_is_404(client, personas):
    _complaints(personas, 1)
    wo = WorkOrder.objects.get()
    client.force_login(personas.ops_b)
    assert client.get(f"/commitments/work-orders/{wo.pk}/").status_code == 404
    assert (
        client.post(
            f"/commitments/work-orders/{wo.pk}/transition/",
            {"to_status": "in_progress", "version": wo.version},
        ).status_code
        == 404
    )


def test_a_forbidden_transition_posted_shows_the_allowed_ones(client, personas):
    _complaints(personas, 1)
    wo = WorkOrder.objects.get()
    client.force_login(personas.ops_a)
    response = client.post(
        f"/commitments/work-orders/{wo.pk}/transition/",
        {"to_status": "verified", "version": wo.version},
        follow=True,
    )
    assert "允许的操作：已派发、处理中" in response.content.decode()
    wo.refresh_from_db()
    assert wo.status == "dispatched"


def test_complaint_form_names_the_missing_field(client, personas):
    nursing = make_department(personas.site_a, "nursing")
    client.force_login(personas.callcenter_a)
    response = client.post(
        "/commitments/complaints/new/",
        {
            "department": nursing.pk,
            "customer_name": "张",
            "channel": "phone",
            "category": "护理",
            "content": "x",
            "severity": "low",
            "escalated": "on",
            "escalated_to": "",
        },
    )
    assert response.status_code == 200
    assert "投诉升级时请填写升级至何处" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_anomaly_rule_form_rejects_an_unknown_metric(client, personas):
    dept = make_department(personas.site_a, "operations")
    client.force_login(personas.ops_a)
    response = client.post(
        "/commitments/anomalies/",
        {
            "site": personas.site_a.pk,
            "name": "x",
            "metric": "no.such",
            "grain": "department",
            "period": "week",
            "comparison": "below",
            "bound": "0.5",
            "consecutive": "2",
            "department": dept.pk,
        },
    )
    assert response.status_code == 200
    assert "未知的指标：no.such" in response.content.decode()


def test_lists_and_monitor_have_bounded_queries(client, personas, django_assert_max_num_queries):
    _complaints(personas, 3)
    client.force_login(personas.ops_a)
    limits = {
        "/commitments/?list=all": 15,
        "/commitments/complaints/": 15,
        "/commitments/monitor/": 15,
        "/commitments/stages/": 15,
        "/commitments/report/": 30,  # four sections × this period and the previous one
        "/commitments/trees/": 15,
    }
    for url, limit in limits.items():
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url
    _complaints(personas, 10)
    for url, limit in limits.items():
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_monitor_number_drills_down_to_exactly_its_rows(client, personas):
    tree = delivery_tree(personas.site_a)
    now = timezone.now()
    for i in range(3):
        services.measurement_record(
            tree=tree,
            subject_kind="order",
            subject_ref=f"D{i}",
            events={Event.ORDER_PLACED: now - dt.timedelta(days=30)},
        )
    run_monitor(now, sync=False)
    client.force_login(personas.ops_a)
    page = client.get("/commitments/monitor/").content.decode()
    assert "/commitments/stages/?commitment=" in page
    root = tree.commitments.get(level=1)
    rows = client.get(f"/commitments/stages/?commitment={root.pk}&status=breached").content.decode()
    assert sorted(re.findall(r">(D[0-9])</a>", rows)) == ["D0", "D1", "D2"]


def test_monitor_chart_json(client, personas):
    _complaints(personas, 1)
    client.force_login(personas.ops_a)
    weeks = client.get("/commitments/monitor/data.json?chart=weeks").json()
    assert weeks["series"][0]["type"] == "line" and len(weeks["xAxis"]["data"]) == 12
    departments = client.get("/commitments/monitor/data.json?chart=departments").json()
    assert departments["series"][0]["type"] == "bar"


def test_report_exports_xlsx(client, personas):
    _complaints(personas, 2)
    client.force_login(personas.ops_a)
    response = client.get("/commitments/report/?period=month&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
