"""Issue 12 item 5 (work queues) and item 8 (lists people can work with): the appointment calendar
by day and week per consultant and site, the visits and deals lists with filters and export, the
assessments awaiting a ruling with their age, the home page's counts; sorting, saved filters, the
print view and the bulk actions of the customer list. Query counts are pinned."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from opscenter.core.models import AuditEntry, SavedFilter
from opscenter.pipeline import services
from opscenter.pipeline.models import Assessment, Customer, FollowUp, OwnershipChange
from opscenter.pipeline.tests.conftest import SHANGHAI

pytestmark = [pytest.mark.django_db]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def booked(customer, actor, when: dt.datetime):
    services.consultation_record(
        actor=actor, customer_id=customer.pk, mode="phone", occurred_at=timezone.now() - dt.timedelta(days=3)
    )
    return services.appointment_book(
        actor=actor,
        customer_id=customer.pk,
        mode="phone",
        scheduled_for=when,
        booked_at=timezone.now() - dt.timedelta(days=2),
    )


@pytest.fixture
def week(personas, make_customer):
    """Appointments in this week: two today at 10:00 (consultant_a) and 15:30 (consultant_a2),
    one tomorrow (consultant_a); one at the clinic (site B) today."""
    today = timezone.localdate()
    a, a2, b = personas.consultant_a, personas.consultant_a2, personas.consultant_b
    rows = {
        "a_today": booked(make_customer(a, name="早上客户"), a, local(today, 10)),
        "a2_today": booked(make_customer(a2, name="下午客户"), a2, local(today, 15, 30)),
        "a_tomorrow": booked(make_customer(a, name="明天客户"), a, local(today + dt.timedelta(days=1), 9)),
        "b_today": booked(make_customer(b, name="诊所客户"), b, local(today, 11)),
    }
    return today, rows


def test_the_day_view_has_a_lane_per_consultant_with_each_appointment_at_its_hour(client, personas, week):
    _today, rows = week
    client.force_login(personas.ops_a)
    response = client.get(reverse("pipeline:appointment_calendar"), {"view": "day"})
    assert response.status_code == 200
    calendar = response.context["calendar"]
    lanes = {lane.label: lane for lane in calendar.lanes}
    assert set(lanes) == {"咨询甲", "咨询甲二"}  # site A only: the clinic's row is not ops_a's
    assert [a.pk for a in lanes["咨询甲"].by_hour[10]] == [rows["a_today"].pk]
    assert [a.pk for a in lanes["咨询甲二"].by_hour[15]] == [rows["a2_today"].pk]
    assert calendar.total == 2
    assert "早上客户" in response.content.decode()


def test_the_week_view_lists_each_day_and_filters_per_consultant(client, personas, week):
    today, rows = week
    client.force_login(personas.ops_a)
    url = reverse("pipeline:appointment_calendar")
    response = client.get(url, {"view": "week", "date": today.isoformat()})
    calendar = response.context["calendar"]
    assert calendar.first.weekday() == 0 and len(calendar.days) == 7
    by_day = {d.day: [a.pk for a in d.appointments] for d in calendar.days}
    assert by_day[today] == [rows["a_today"].pk, rows["a2_today"].pk]
    if today + dt.timedelta(days=1) in by_day:  # tomorrow is in this week unless today is Sunday
        assert by_day[today + dt.timedelta(days=1)] == [rows["a_tomorrow"].pk]
    only_a2 = client.get(
        url, {"view": "week", "date": today.isoformat(), "consultant": personas.consultant_a2.staff.pk}
    )
    assert only_a2.context["calendar"].total == 1


def test_an_executive_sees_every_site_per_site_and_the_site_on_each_appointment(client, personas, week):
    _today, _rows = week
    client.force_login(personas.executive)
    url = reverse("pipeline:appointment_calendar")
    everything = client.get(url, {"view": "day"})
    assert everything.context["calendar"].total == 3
    assert "美莱医疗美容" in everything.content.decode()  # the site shows on a mixed calendar
    site_b = client.get(url, {"view": "day", "site": personas.site_b.pk})
    assert [lane.label for lane in site_b.context["calendar"].lanes] == ["咨询乙"]


def test_a_consultant_sees_only_their_own_appointments(client, personas, week):
    client.force_login(personas.consultant_a)
    response = client.get(reverse("pipeline:appointment_calendar"), {"view": "week"})
    names = {a.customer.name for d in response.context["calendar"].days for a in d.appointments}
    assert names <= {"早上客户", "明天客户"} and "早上客户" in names


def test_the_appointment_list_sorts_and_exports_with_its_filters(client, personas, week):
    today, rows = week
    client.force_login(personas.ops_a)
    url = reverse("pipeline:appointment_calendar")
    params = {
        "view": "list",
        "date_from": today.isoformat(),
        "date_to": (today + dt.timedelta(days=1)).isoformat(),
    }
    response = client.get(url, {**params, "sort": "-scheduled"})
    assert [a.pk for a in response.context["list"].rows] == [
        rows["a_tomorrow"].pk,
        rows["a2_today"].pk,
        rows["a_today"].pk,
    ]
    export = client.get(url, {**params, "format": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(
        0
    )
    data = sheet.to_python()
    assert data[0][:4] == ["预约到院时间", "客户", "电话", "院区"]
    assert {row[1] for row in data[1:]} == {"早上客户", "明天客户", "下午客户"}


@pytest.mark.parametrize("count", [1, 6])
def test_calendar_and_lists_query_counts_do_not_grow(
    client, personas, make_customer, django_assert_max_num_queries, count
):
    today = timezone.localdate()
    for n in range(count):
        actor = personas.consultant_a if n % 2 else personas.consultant_a2
        booked(make_customer(actor, name=f"客户{n}"), actor, local(today, 9 + n))
    client.force_login(personas.ops_a)
    url = reverse("pipeline:appointment_calendar")
    for params in ({"view": "day"}, {"view": "week"}, {"view": "list"}):
        with django_assert_max_num_queries(12):
            assert client.get(url, params).status_code == 200
    for name in ("pipeline:visit_list", "pipeline:deal_list", "pipeline:assessment_queue"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def _arrive(customer, actor, when, *, triage: bool):
    return services.visit_register(
        actor=actor,
        customer_id=customer.pk,
        arrived_at=when,
        onsite_consultant_id=actor.staff.pk if triage else None,
    )


def test_the_visit_list_filters_the_untriaged_arrivals_of_a_day(client, personas, make_customer):
    a = personas.consultant_a
    now = timezone.now()
    waiting = make_customer(a, name="待分诊客户")
    services.consultation_record(
        actor=a, customer_id=waiting.pk, mode="phone", occurred_at=now - dt.timedelta(days=2)
    )
    _arrive(waiting, a, now - dt.timedelta(minutes=20), triage=False)
    served = make_customer(a, name="已分诊客户")
    services.consultation_record(
        actor=a, customer_id=served.pk, mode="phone", occurred_at=now - dt.timedelta(days=2)
    )
    _arrive(served, a, now - dt.timedelta(minutes=10), triage=True)
    client.force_login(personas.ops_a)
    url = reverse("pipeline:visit_list")
    day = timezone.localdate().isoformat()
    everyone = client.get(url, {"date_from": day, "date_to": day})
    assert {v.customer.name for v in everyone.context["list"].rows} == {"待分诊客户", "已分诊客户"}
    queue = client.get(url, {"date_from": day, "date_to": day, "untriaged": "on"})
    assert [v.customer.name for v in queue.context["list"].rows] == ["待分诊客户"]
    export = client.get(url, {"untriaged": "on", "format": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(
        0
    )
    assert [row[1] for row in rows.to_python()[1:]] == ["待分诊客户"]


def test_the_deal_list_filters_by_status_and_shows_yuan_with_cents(client, personas, make_customer):
    a = personas.consultant_a
    customer = make_customer(a, name="签约客户")
    services.consultation_record(
        actor=a, customer_id=customer.pk, mode="phone", occurred_at=timezone.now() - dt.timedelta(days=5)
    )
    kept = services.deal_sign(
        actor=a, customer_id=customer.pk, signed_on=timezone.localdate(), amount_fen=1_280_050
    )
    gone = services.deal_sign(
        actor=a, customer_id=customer.pk, signed_on=timezone.localdate(), amount_fen=100
    )
    services.deal_transition(actor=a, deal_id=gone.pk, to_status="cancelled", reason="录入重复")
    client.force_login(personas.ops_a)
    url = reverse("pipeline:deal_list")
    signed = client.get(url, {"status": "signed"})
    assert [d.pk for d in signed.context["list"].rows] == [kept.pk]
    assert "12,800.50" in signed.content.decode()
    cancelled = client.get(url, {"status": "cancelled"})
    assert [d.pk for d in cancelled.context["list"].rows] == [gone.pk]


@pytest.fixture
def disputed(personas, make_customer):
    """Two applicants at site A whose assessment is disputed: one 5 days ago, one today."""
    rows = []
    for name, days in (("老张", 5), ("老李", 0)):
        customer = make_customer(personas.marketing_a, name=name)
        original = services.assessment_record(
            actor=personas.nursing_a, customer_id=customer.pk, zone="assisted"
        )
        opinion = services.assessment_second_opinion(
            actor=personas.marketing_a, assessment_id=original.pk, zone="dementia", notes="夜间游走"
        )
        Assessment.objects.filter(pk=opinion.pk).update(assessed_at=timezone.now() - dt.timedelta(days=days))
        rows.append(opinion)
    return rows


def test_the_assessment_queue_lists_unresolved_second_opinions_oldest_first_with_their_age(
    client, personas, disputed
):
    old, new = disputed
    services.assessment_resolve(
        actor=personas.ops_a, second_opinion_id=new.pk, zone="dementia", resolution="同意"
    )
    client.force_login(personas.ops_a)
    response = client.get(reverse("pipeline:assessment_queue"))
    assert [a.pk for a in response.context["list"].rows] == [old.pk]
    html = response.content.decode()
    assert 'data-age-days="5"' in html
    assert reverse("pipeline:assessment_resolve", args=[old.pk]) in html
    # An executive reads the queue of every site but rules on none.
    client.force_login(personas.executive)
    html = client.get(reverse("pipeline:assessment_queue")).content.decode()
    assert "老张" in html and reverse("pipeline:assessment_resolve", args=[old.pk]) not in html


def test_the_home_page_counts_each_queue_and_links_to_it(client, personas, week, disputed):
    client.force_login(personas.ops_a)
    response = client.get(reverse("core:home"))
    counters = {c.key: c for c in response.context["counters"]}
    assert counters["appointments"].count == 2
    assert counters["assessments"].count == 2
    assert counters["assessments"].url == reverse("pipeline:assessment_queue")
    assert reverse("pipeline:appointment_calendar") in counters["appointments"].url


def test_each_queue_is_reachable_from_the_pipeline_navigation(client, personas):
    client.force_login(personas.ops_a)
    html = client.get(reverse("pipeline:customer_list")).content.decode()
    for name in (
        "pipeline:appointment_calendar",
        "pipeline:visit_list",
        "pipeline:deal_list",
        "pipeline:assessment_queue",
    ):
        assert f'href="{reverse(name)}"' in html


# --- item 8: sorting, saved filters, print view, bulk actions -----------------------------------


def test_the_customer_list_sorts_by_a_column_in_both_directions(client, personas, make_customer):
    for name in ("乙", "甲", "丙"):
        make_customer(personas.consultant_a, name=name)
    client.force_login(personas.ops_a)
    url = reverse("pipeline:customer_list")
    ascending = [c.name for c in client.get(url, {"sort": "name"}).context["list"].rows]
    descending = [c.name for c in client.get(url, {"sort": "-name"}).context["list"].rows]
    assert ascending == sorted(ascending) and descending == ascending[::-1]
    html = client.get(url, {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in html and "sort=-name" in html


def test_a_saved_filter_is_private_and_reopens_the_list_as_filtered(client, personas):
    client.force_login(personas.ops_a)
    response = client.post(
        reverse("core:saved_filter_save"),
        {
            "list_key": "pipeline:customer_list",
            "name": "本月电话",
            "query": "status=prospect&sort=-name&page=3",
        },
    )
    saved = SavedFilter.objects.get(user=personas.ops_a)
    assert saved.query == "status=prospect&sort=-name"  # the page number is not a filter
    assert response["Location"] == f"{reverse('pipeline:customer_list')}?status=prospect&sort=-name"
    listing = client.get(reverse("pipeline:customer_list")).context["list"]
    assert [s.name for s in listing.saved_filters] == ["本月电话"]
    client.force_login(personas.marketing_a)
    assert client.get(reverse("pipeline:customer_list")).context["list"].saved_filters == []
    assert client.post(reverse("core:saved_filter_delete", args=[saved.pk])).status_code == 404
    assert (
        client.post(
            reverse("core:saved_filter_save"), {"list_key": "no:such_list", "name": "x", "query": ""}
        ).status_code
        == 404
    )


def test_the_print_view_shows_every_row_on_one_page(client, personas, make_customer):
    for n in range(55):
        Customer.objects.create(
            site=personas.site_a, name=f"批量{n}", phone=f"1370000{n:04d}", cohort_month=202601
        )
    client.force_login(personas.ops_a)
    url = reverse("pipeline:customer_list")
    assert len(client.get(url).context["list"].rows) == 50
    printed = client.get(url, {"print": "1"})
    assert len(printed.context["list"].rows) == 55
    assert "print-view" in printed.content.decode()


def test_a_manager_reassigns_ticked_customers_with_one_reason(client, personas, make_customer):
    mine = [make_customer(personas.consultant_a, name=f"客户{n}") for n in range(3)]
    client.force_login(personas.marketing_a)
    response = client.post(
        reverse("pipeline:customer_bulk"),
        {
            "action": "reassign",
            "customers": [c.pk for c in mine[:2]],
            "owner": personas.consultant_a2.staff.pk,
            "reason": "咨询甲休产假",
            "query": "status=prospect",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?status=prospect")
    owners = dict(Customer.objects.filter(pk__in=[c.pk for c in mine]).values_list("name", "owner__name"))
    assert owners == {"客户0": "咨询甲二", "客户1": "咨询甲二", "客户2": "咨询甲"}
    changes = OwnershipChange.objects.filter(kind="reassign", reason="咨询甲休产假")
    assert changes.count() == 2
    assert AuditEntry.objects.filter(message__contains="咨询甲休产假").count() == 2


def test_bulk_reassignment_keeps_the_rules_all_or_nothing(client, personas, make_customer):
    a_customer = make_customer(personas.consultant_a, name="甲的客户")
    b_customer = make_customer(personas.consultant_b, name="乙的客户")
    # A consultant is no manager.
    client.force_login(personas.consultant_a)
    client.post(
        reverse("pipeline:customer_bulk"),
        {
            "action": "reassign",
            "customers": [a_customer.pk],
            "owner": personas.consultant_a2.staff.pk,
            "reason": "x",
        },
    )
    assert Customer.objects.get(pk=a_customer.pk).owner == personas.consultant_a.staff
    # A manager of site A cannot touch site B's customer; nothing is written for either.
    client.force_login(personas.marketing_a)
    response = client.post(
        reverse("pipeline:customer_bulk"),
        {
            "action": "reassign",
            "customers": [a_customer.pk, b_customer.pk],
            "owner": personas.consultant_a2.staff.pk,
            "reason": "调整",
        },
    )
    assert response.status_code == 404
    assert Customer.objects.get(pk=a_customer.pk).owner == personas.consultant_a.staff
    # The reason is required.
    client.post(
        reverse("pipeline:customer_bulk"),
        {
            "action": "reassign",
            "customers": [a_customer.pk],
            "owner": personas.consultant_a2.staff.pk,
            "reason": "",
        },
    )
    assert Customer.objects.get(pk=a_customer.pk).owner == personas.consultant_a.staff
    assert not OwnershipChange.objects.filter(kind="reassign").exists()


def test_bulk_follow_ups_are_scheduled_for_each_ticked_customer_by_its_owner(client, personas, make_customer):
    customers = [make_customer(personas.consultant_a, name=f"回访{n}") for n in range(2)]
    day = timezone.localdate() + dt.timedelta(days=3)
    client.force_login(personas.customer_a)
    client.post(
        reverse("pipeline:customer_bulk"),
        {
            "action": "followup",
            "customers": [c.pk for c in customers],
            "scheduled_on": day.isoformat(),
            "channel": "phone",
            "note": "节日问候",
        },
    )
    rows = FollowUp.objects.filter(customer__in=customers)
    assert rows.count() == 2
    assert {(f.scheduled_on, f.staff_id, f.note) for f in rows} == {
        (day, personas.consultant_a.staff.pk, "节日问候")
    }


# --- item 9: forms that fit the site's kind ------------------------------------------------------


def test_the_elder_care_deal_form_asks_for_the_contract_terms_and_no_clinic_category(
    client, personas, make_customer
):
    customer = make_customer(personas.consultant_a)
    services.consultation_record(
        actor=personas.consultant_a,
        customer_id=customer.pk,
        mode="phone",
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    client.force_login(personas.consultant_a)
    url = reverse("pipeline:deal_record", args=[customer.pk])
    form = client.get(url).context["form"]
    assert {"contract_months", "monthly_fee", "deposit", "stay_type"} <= set(form.fields)
    assert "category" not in form.fields and "item" not in form.fields
    assert "皮肤美容" not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "signed_on": timezone.localdate().isoformat(),
            "stay_type": "long",
            "care_zone": "rehab",
            "contract_months": "12",
            "monthly_fee": "6,800.50",
            "deposit": "20000",
        },
    )
    assert response.status_code == 302
    deal = customer.deals.get()
    assert (deal.contract_months, deal.monthly_fee_fen, deal.deposit_fen) == (12, 680_050, 2_000_000)
    assert deal.amount_fen == 680_050 * 12  # fee × term; the deposit is not revenue


def test_the_clinic_deal_form_has_no_stay_fields_and_no_preselected_category(client, personas, make_customer):
    customer = make_customer(personas.consultant_b)
    services.consultation_record(
        actor=personas.consultant_b,
        customer_id=customer.pk,
        mode="phone",
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    client.force_login(personas.consultant_b)
    url = reverse("pipeline:deal_record", args=[customer.pk])
    form = client.get(url).context["form"]
    assert not {"stay_type", "contract_months", "deposit"} & set(form.fields)
    assert form["category"].value() in (None, "")
    response = client.post(
        url, {"signed_on": timezone.localdate().isoformat(), "amount": "3800", "item": "水光针"}
    )
    assert "请选择项目类别" in response.content.decode()
    assert not customer.deals.exists()


def test_drill_down_rows_of_several_sites_show_the_site(client, personas, make_customer):
    for actor in (personas.consultant_a, personas.consultant_b):
        customer = make_customer(actor, name=f"{actor.username}的客户")
        services.consultation_record(
            actor=actor,
            customer_id=customer.pk,
            mode="phone",
            occurred_at=timezone.now() - dt.timedelta(hours=2),
        )
    month = timezone.localdate().strftime("%Y-%m")
    params = {"metric": "consultations", "month_from": month, "month_to": month, "view": "event"}
    client.force_login(personas.executive)
    html = client.get(reverse("pipeline:funnel_rows"), params).content.decode()
    assert "<th>院区</th>" in html and "阳光养老社区" in html and "美莱医疗美容" in html
    # One site's rows (or a one-site user) need no site column.
    client.force_login(personas.ops_a)
    assert "<th>院区</th>" not in client.get(reverse("pipeline:funnel_rows"), params).content.decode()
