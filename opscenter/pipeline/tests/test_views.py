"""Pipeline screens: list, search and filters, scoping, customer page, quick entry, bad input,
export, follow-ups due, funnel and drill-down, and pinned query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from opscenter.pipeline import selectors, services
from opscenter.pipeline.models import (
    Appointment,
    Consultation,
    Customer,
    Deal,
    Exit,
    ExitReason,
    FollowUp,
    Visit,
)
from opscenter.pipeline.selectors import parse_funnel_filters

pytestmark = [pytest.mark.django_db]

HX = {"HTTP_HX_REQUEST": "true"}


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def consult(customer, actor, *, when=None, mode="phone"):
    return services.consultation_record(
        actor=actor, customer_id=customer.pk, mode=mode, occurred_at=when or ago(hours=2)
    )


def full_journey(customer, actor, *, amount_fen=880000):
    """Consultation → appointment → arrival (triaged) → deal, all today (the current month)."""
    consult(customer, actor, when=ago(hours=3))
    appointment = services.appointment_book(
        actor=actor, customer_id=customer.pk, mode="phone", scheduled_for=ago(hours=1), booked_at=ago(hours=2)
    )
    visit = services.visit_register(
        actor=actor,
        customer_id=customer.pk,
        arrived_at=ago(minutes=30),
        appointment_id=appointment.pk,
        onsite_consultant_id=actor.staff.pk,
    )
    deal = services.deal_sign(
        actor=actor,
        customer_id=customer.pk,
        signed_on=timezone.localdate(),
        amount_fen=amount_fen,
        visit_id=visit.pk,
    )
    return appointment, visit, deal


@pytest.fixture
def three_owners(personas, make_customer):
    """One customer each for consultant_a, consultant_a2 (same site) and consultant_b (site B)."""
    mine = make_customer(name="王阿姨", phone="13900000001")
    colleague = make_customer(personas.consultant_a2, name="李大爷", phone="13900000002")
    other_site = make_customer(personas.consultant_b, name="赵女士", phone="13900000003")
    for customer, actor in ((mine, personas.consultant_a), (colleague, personas.consultant_a2)):
        consult(customer, actor)
    consult(other_site, personas.consultant_b)
    return mine, colleague, other_site


# --- list, search, filters, scoping ---------------------------------------------------------------


def test_consultant_lists_only_their_own_customers(client, personas, three_owners):
    client.force_login(personas.consultant_a)
    page = client.get(reverse("pipeline:customer_list")).content.decode()
    assert "王阿姨" in page
    assert "李大爷" not in page and "赵女士" not in page


def test_operations_lists_every_customer_of_their_site_only(client, personas, three_owners):
    client.force_login(personas.ops_a)
    page = client.get(reverse("pipeline:customer_list")).content.decode()
    assert "王阿姨" in page and "李大爷" in page
    assert "赵女士" not in page


def test_search_finds_a_customer_by_name_or_by_phone_typed_any_way(client, personas, three_owners):
    client.force_login(personas.ops_a)
    url = reverse("pipeline:customer_list")
    by_phone = client.get(url, {"q": "139-0000-0002"}).content.decode()
    assert "李大爷" in by_phone and "王阿姨" not in by_phone
    by_name = client.get(url, {"q": "王"}).content.decode()
    assert "王阿姨" in by_name and "李大爷" not in by_name


def test_filters_by_status_channel_consultant_and_first_contact_dates(
    client, personas, channels, make_customer, three_owners
):
    mine, _colleague, _ = three_owners
    referral = make_customer(name="钱先生", kind="referral")
    consult(referral, personas.consultant_a, when=ago(days=40))
    services.deal_sign(
        actor=personas.consultant_a, customer_id=mine.pk, signed_on=timezone.localdate(), amount_fen=100
    )
    client.force_login(personas.ops_a)
    url = reverse("pipeline:customer_list")

    page = client.get(url, {"status": "customer"}).content.decode()
    assert "王阿姨" in page and "钱先生" not in page and "李大爷" not in page

    page = client.get(url, {"channel": channels["referral"].pk}).content.decode()
    assert "钱先生" in page and "王阿姨" not in page

    page = client.get(url, {"owner": personas.consultant_a2.staff.pk}).content.decode()
    assert "李大爷" in page and "王阿姨" not in page

    since = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    page = client.get(url, {"date_from": since}).content.decode()
    assert "王阿姨" in page and "钱先生" not in page
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    page = client.get(url, {"date_to": until}).content.decode()
    assert "钱先生" in page and "王阿姨" not in page


def test_filtering_over_htmx_answers_with_the_table_only(client, personas, three_owners):
    client.force_login(personas.ops_a)
    response = client.get(reverse("pipeline:customer_list"), {"q": "王"}, **HX)
    html = response.content.decode()
    assert 'id="customer-table"' in html and "王阿姨" in html
    assert "<html" not in html and "site-nav" not in html


def test_customer_page_of_another_consultant_or_site_is_not_found(client, personas, three_owners):
    mine, colleague, other_site = three_owners
    client.force_login(personas.consultant_a)
    assert client.get(reverse("pipeline:customer_detail", args=[mine.pk])).status_code == 200
    for customer in (colleague, other_site):
        response = client.get(reverse("pipeline:customer_detail", args=[customer.pk]))
        assert response.status_code == 404
        assert customer.name not in response.content.decode()
        # Quick forms of someone else's customer are out of reach too.
        assert client.get(reverse("pipeline:consultation_quick", args=[customer.pk])).status_code == 404
        response = client.post(
            reverse("pipeline:consultation_quick", args=[customer.pk]),
            {"mode": "phone", "intent": "high", "occurred_at": "2026-01-01T10:00"},
        )
        assert response.status_code == 404
    assert Consultation.objects.filter(customer=colleague).count() == 1


def test_executive_may_read_a_customer_but_not_write(client, personas, three_owners):
    mine, _, _ = three_owners
    client.force_login(personas.executive)
    page = client.get(reverse("pipeline:customer_detail", args=[mine.pk])).content.decode()
    assert "王阿姨" in page and "记录咨询" not in page
    response = client.post(
        reverse("pipeline:consultation_quick", args=[mine.pk]),
        {"mode": "phone", "intent": "high", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 403


# --- customer page --------------------------------------------------------------------------------


def test_customer_page_shows_every_kind_of_event_on_the_timeline(client, personas, make_customer):
    customer = make_customer(name="孙奶奶")
    actor = personas.consultant_a
    full_journey(customer, actor)
    services.followup_schedule(
        actor=actor, customer_id=customer.pk, scheduled_on=timezone.localdate(), note="问候"
    )
    services.transaction_record(
        actor=actor,
        customer_id=customer.pk,
        occurred_on=timezone.localdate(),
        item="护理套餐",
        category="care",
        amount_fen=50000,
    )
    services.assessment_record(actor=personas.nursing_a, customer_id=customer.pk, zone="rehab")
    services.exit_record(
        actor=actor,
        customer_id=customer.pk,
        exited_on=timezone.localdate(),
        reason_id=ExitReason.objects.get(code="price").pk,
    )
    client.force_login(personas.ops_a)
    page = client.get(reverse("pipeline:customer_detail", args=[customer.pk])).content.decode()
    for kind in (
        "consultation",
        "appointment",
        "visit",
        "assessment",
        "deal",
        "transaction",
        "followup",
        "exit",
    ):
        assert f'data-kind="{kind}"' in page, kind
    assert (
        "电话咨询" in page and "签约 ¥8,800.00" in page and "退出：价格原因" in page and "康复护理区" in page
    )


def test_customer_page_history_tab_shows_the_audit_trail(client, personas, make_customer):
    customer = make_customer(name="周先生")
    services.customer_update(actor=personas.consultant_a, customer_id=customer.pk, city="杭州")
    client.force_login(personas.consultant_a)
    response = client.get(reverse("pipeline:customer_detail", args=[customer.pk]), {"tab": "history"}, **HX)
    html = response.content.decode()
    assert "变更历史" in html and "所在城市" in html and "杭州" in html
    assert "<html" not in html


def test_history_tab_names_the_owner_hides_internal_columns_and_shows_local_time(
    client, personas, make_customer
):
    customer = make_customer(name="钱女士")
    services.customer_reassign(
        actor=personas.ops_a,
        customer_id=customer.pk,
        to_owner_id=personas.consultant_a2.staff.pk,
        reason="调岗",
    )
    client.force_login(personas.ops_a)
    response = client.get(reverse("pipeline:customer_detail", args=[customer.pk]), {"tab": "history"}, **HX)
    html = response.content.decode()
    owner_before, owner_after = personas.consultant_a.staff.name, personas.consultant_a2.staff.name
    assert f"归属咨询师</span>：{owner_before} → {owner_after}" in html
    for raw in ("owner_id", "is_deleted", "cohort_month", "channel_kind", "created_at", "+00:00"):
        assert raw not in html, raw


# --- registration and duplicates ------------------------------------------------------------------


def _register(client, **data):
    payload = {
        "name": "吴阿姨",
        "phone": "13612345678",
        "mode": "phone",
        "intent": "high",
        "gender": "female",
    }
    payload.update(data)
    return client.post(reverse("pipeline:customer_register"), payload)


def test_registering_a_prospect_records_the_first_phone_consultation(client, personas, channels):
    client.force_login(personas.consultant_a)
    response = _register(client, channel=channels["phone"].pk, content="咨询长住价格")
    customer = Customer.objects.get(phone="13612345678")
    assert response.status_code == 302 and response["Location"] == reverse(
        "pipeline:customer_detail", args=[customer.pk]
    )
    assert customer.owner == personas.consultant_a.staff and customer.site == personas.site_a
    consultation = Consultation.objects.get(customer=customer)
    assert consultation.mode == "phone" and consultation.is_first and consultation.content == "咨询长住价格"


def test_second_consultant_registering_the_same_phone_sees_who_owns_it_and_nothing_is_created(
    client, personas, channels
):
    client.force_login(personas.consultant_a)
    _register(client)
    client.force_login(personas.consultant_a2)
    response = _register(client, phone="136 1234 5678", name="吴阿姨")
    html = response.content.decode()
    until = timezone.localtime(Customer.objects.get().protected_until()).strftime("%Y-%m-%d")
    assert response.status_code == 200
    assert f"该客户已由 咨询甲（阳光养老社区）跟进，保护期至 {until}" in html
    assert Customer.objects.count() == 1 and Consultation.objects.count() == 1


def test_duplicate_after_the_protection_window_offers_a_claim(client, personas):
    client.force_login(personas.consultant_a)
    _register(client)
    customer = Customer.objects.get()
    Customer.objects.filter(pk=customer.pk).update(owner_since=ago(days=60))
    client.force_login(personas.consultant_a2)
    html = _register(client).content.decode()
    assert "已过保护期" in html and reverse("pipeline:customer_claim", args=[customer.pk]) in html
    response = client.post(reverse("pipeline:customer_claim", args=[customer.pk]))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == personas.consultant_a2.staff


def test_invalid_phone_is_rejected_on_the_form_and_nothing_is_saved(client, personas):
    client.force_login(personas.consultant_a)
    response = _register(client, phone="12345")
    html = response.content.decode()
    assert response.status_code == 200
    assert "电话号码“12345”格式不正确" in html
    assert 'id="row-phone"' in html and "has-error" in html
    assert not Customer.objects.exists() and not Consultation.objects.exists()


def test_register_form_over_htmx_re_renders_only_the_form_with_the_error(client, personas):
    client.force_login(personas.consultant_a)
    response = client.post(
        reverse("pipeline:customer_register"),
        {"name": "", "phone": "13612345678", "mode": "phone", "intent": "high", "gender": "unknown"},
        **HX,
    )
    html = response.content.decode()
    assert 'id="register-form"' in html and "<html" not in html and "errorlist" in html
    assert not Customer.objects.exists()


# --- quick entry and bad input ---------------------------------------------------------------------


def test_quick_consultation_over_htmx_saves_and_redirects_to_the_customer(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.consultant_a)
    form = client.get(reverse("pipeline:consultation_quick", args=[customer.pk])).content.decode()
    assert 'value="phone"' in form and 'type="datetime-local"' in form
    response = client.post(
        reverse("pipeline:consultation_quick", args=[customer.pk]),
        {
            "mode": "online",
            "intent": "high",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "content": "问试住",
        },
        **HX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("pipeline:customer_detail", args=[customer.pk])
    assert Consultation.objects.get(customer=customer).mode == "online"


def test_deal_dated_before_the_first_consultation_is_rejected_and_nothing_is_saved(
    client, personas, make_customer
):
    customer = make_customer()
    consult(customer, personas.consultant_a, when=ago(days=3))
    client.force_login(personas.consultant_a)
    early = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = client.post(
        reverse("pipeline:deal_record", args=[customer.pk]),
        {"signed_on": early, "amount": "8800", "stay_type": "long"},
    )
    html = response.content.decode()
    assert "早于客户首次咨询日期" in html and 'id="row-signed_on"' in html
    assert not Deal.objects.exists()


def test_negative_amount_is_rejected_and_nothing_is_saved(client, personas, make_customer):
    customer = make_customer()
    consult(customer, personas.consultant_a)
    client.force_login(personas.consultant_a)
    response = client.post(
        reverse("pipeline:deal_record", args=[customer.pk]),
        {"signed_on": timezone.localdate().isoformat(), "amount": "-500", "stay_type": "long"},
    )
    html = response.content.decode()
    assert "金额不能为负数" in html
    assert html.index("金额不能为负数") > html.index('id="row-amount"')
    assert not Deal.objects.exists()


def test_an_amount_that_is_not_a_number_is_explained(client, personas, make_customer):
    customer = make_customer()
    consult(customer, personas.consultant_a)
    client.force_login(personas.consultant_a)
    response = client.post(
        reverse("pipeline:deal_record", args=[customer.pk]),
        {"signed_on": timezone.localdate().isoformat(), "amount": "八千", "stay_type": "long"},
    )
    assert "请输入金额数字" in response.content.decode()
    assert not Deal.objects.exists()


def test_exit_without_a_reason_is_rejected_and_nothing_is_saved(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.consultant_a)
    response = client.post(
        reverse("pipeline:exit_record", args=[customer.pk]), {"exited_on": timezone.localdate().isoformat()}
    )
    html = response.content.decode()
    assert "请选择退出原因" in html and 'id="row-reason"' in html
    assert not Exit.objects.exists()
    customer.refresh_from_db()
    assert customer.status == "prospect"


def test_deal_with_an_item_records_the_order_line_and_its_transaction(client, personas, make_customer):
    customer = make_customer(personas.consultant_b)
    consult(customer, personas.consultant_b)
    client.force_login(personas.consultant_b)
    response = client.post(
        reverse("pipeline:deal_record", args=[customer.pk]),
        {
            "signed_on": timezone.localdate().isoformat(),
            "amount": "12,800.50",
            "item": "光子嫩肤疗程",
            "category": "skin",
        },
    )
    assert response.status_code == 302
    deal = Deal.objects.get(customer=customer)
    assert deal.amount_fen == 1280050 and deal.lines.get().item == "光子嫩肤疗程"
    assert deal.transactions.get().amount_fen == 1280050


def test_appointment_no_show_from_the_timeline(client, personas, make_customer):
    customer = make_customer()
    consult(customer, personas.consultant_a)
    client.force_login(personas.consultant_a)
    client.post(
        reverse("pipeline:appointment_book", args=[customer.pk]),
        {
            "mode": "phone",
            "scheduled_for": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    appointment = Appointment.objects.get(customer=customer)
    response = client.post(
        reverse("pipeline:appointment_transition", args=[appointment.pk]), {"to_status": "no_show"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "no_show"


def test_a_walk_in_arrival_can_be_triaged_afterwards(client, personas, make_customer):
    customer = make_customer()
    client.force_login(personas.ops_a)
    response = client.post(
        reverse("pipeline:visit_quick", args=[customer.pk]),
        {"kind": "tour", "arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "consultant": ""},
    )
    assert response.status_code == 302
    visit = Visit.objects.get(customer=customer)
    assert visit.source == "walk_in" and visit.onsite_consultant is None
    page = client.get(reverse("pipeline:customer_detail", args=[customer.pk])).content.decode()
    assert reverse("pipeline:visit_triage", args=[visit.pk]) in page
    client.post(
        reverse("pipeline:visit_triage", args=[visit.pk]), {"consultant": personas.consultant_a2.staff.pk}
    )
    visit.refresh_from_db()
    assert visit.onsite_consultant == personas.consultant_a2.staff


# --- follow-ups due -------------------------------------------------------------------------------


def test_followups_due_lists_overdue_and_today_per_consultant(client, personas, make_customer):
    today = timezone.localdate()
    mine = make_customer(name="郑阿姨")
    theirs = make_customer(personas.consultant_a2, name="冯大爷")
    services.followup_schedule(
        actor=personas.consultant_a, customer_id=mine.pk, scheduled_on=today - dt.timedelta(days=2)
    )
    services.followup_schedule(actor=personas.consultant_a2, customer_id=theirs.pk, scheduled_on=today)
    services.followup_schedule(
        actor=personas.consultant_a,
        customer_id=mine.pk,
        scheduled_on=today + dt.timedelta(days=3),
        note="以后再说",
    )
    client.force_login(personas.ops_a)
    page = client.get(reverse("pipeline:followups_due")).content.decode()
    assert "咨询甲" in page and "咨询甲二" in page and "郑阿姨" in page and "冯大爷" in page
    assert "逾期" in page and "以后再说" not in page
    client.force_login(personas.consultant_a)
    page = client.get(reverse("pipeline:followups_due")).content.decode()
    assert "郑阿姨" in page and "冯大爷" not in page


def test_completing_a_followup_requires_satisfaction_when_reached(client, personas, make_customer):
    customer = make_customer()
    followup = services.followup_schedule(
        actor=personas.consultant_a, customer_id=customer.pk, scheduled_on=timezone.localdate()
    )
    client.force_login(personas.consultant_a)
    url = reverse("pipeline:followup_complete", args=[followup.pk])
    html = client.post(
        url, {"outcome": "reached", "done_on": timezone.localdate().isoformat()}
    ).content.decode()
    assert "已回访请选择满意度" in html
    client.post(url, {"outcome": "reached", "satisfaction": "4", "done_on": timezone.localdate().isoformat()})
    followup = FollowUp.objects.get(pk=followup.pk)
    assert followup.done_on == timezone.localdate() and followup.satisfaction == 4


# --- export ---------------------------------------------------------------------------------------


def _sheet(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("客户").to_python()


def test_export_is_scoped_filtered_and_escapes_formula_like_text(
    client, personas, make_customer, three_owners
):
    make_customer(name='=HYPERLINK("http://evil")', note="+1 备注", phone="13900000009")
    client.force_login(personas.consultant_a)
    rows = _sheet(client.get(reverse("pipeline:customer_export")))
    assert rows[0][:3] == ["客户编号", "姓名", "电话"]
    names = [row[1] for row in rows[1:]]
    assert "王阿姨" in names and "李大爷" not in names and "赵女士" not in names
    assert '\'=HYPERLINK("http://evil")' in names
    assert "'+1 备注" in [row[16] for row in rows[1:]]

    filtered = _sheet(client.get(reverse("pipeline:customer_export"), {"q": "王"}))
    assert [row[1] for row in filtered[1:]] == ["王阿姨"]
    assert isinstance(filtered[1][13], dt.date)  # 首次咨询日期 is a real date cell


# --- funnel and drill-down ------------------------------------------------------------------------


def _total(user, metric, **params):
    result = selectors.funnel(user=user, filters=parse_funnel_filters(params))
    return result.total.counts[metric]


def test_funnel_page_shows_labelled_numbers_that_link_to_their_rows(client, personas, make_customer):
    customer = make_customer(name="陈奶奶")
    full_journey(customer, personas.consultant_a)
    client.force_login(personas.consultant_a)
    page = client.get(reverse("pipeline:funnel")).content.decode()
    assert "按首次咨询月份（同期群）" in page
    assert "人均贡献额" in page and "¥8,800.00" in page and "网络上门率" in page and "爽约率" in page
    assert 'data-metric="deals"' in page and reverse("pipeline:funnel_rows") in page

    event_page = client.get(reverse("pipeline:funnel"), {"view": "event"}).content.decode()
    assert "按发生月份" in event_page


def test_funnel_drill_down_lists_exactly_the_counted_rows_and_respects_scope(client, personas, make_customer):
    a1 = make_customer(name="甲一")
    a2 = make_customer(name="甲二")
    colleague = make_customer(personas.consultant_a2, name="同事的客户")
    full_journey(a1, personas.consultant_a)
    full_journey(a2, personas.consultant_a, amount_fen=120000)
    full_journey(colleague, personas.consultant_a2)
    client.force_login(personas.consultant_a)
    html = client.get(reverse("pipeline:funnel_rows"), {"metric": "deals"}).content.decode()
    assert _total(personas.consultant_a, "deals") == 2
    assert 'id="row-count">2<' in html
    assert "甲一" in html and "甲二" in html and "同事的客户" not in html

    client.force_login(personas.ops_a)
    html = client.get(reverse("pipeline:funnel_rows"), {"metric": "visits_phone"}).content.decode()
    assert 'id="row-count">3<' in html and "同事的客户" in html
    html = client.get(
        reverse("pipeline:funnel_rows"), {"metric": "deals", "consultant": personas.consultant_a2.staff.pk}
    ).content.decode()
    assert 'id="row-count">1<' in html and "同事的客户" in html and "甲一" not in html


def test_funnel_rate_drills_down_to_its_numerator_rows(client, personas, make_customer):
    customer = make_customer(name="蒋先生")
    full_journey(customer, personas.consultant_a)
    client.force_login(personas.consultant_a)
    html = client.get(reverse("pipeline:funnel_rows"), {"metric": "phone_appointment_rate"}).content.decode()
    assert "电话预约率" in html and "分子" in html and "蒋先生" in html


def test_unknown_funnel_metric_is_not_found(client, personas):
    client.force_login(personas.ops_a)
    assert client.get(reverse("pipeline:funnel_rows"), {"metric": "nope"}).status_code == 404


def test_funnel_data_is_an_echarts_option_whose_items_link_to_rows(client, personas, make_customer):
    full_journey(make_customer(), personas.consultant_a)
    client.force_login(personas.consultant_a)
    option = client.get(reverse("pipeline:funnel_data"), {"chart": "funnel"}).json()
    stages = option["series"][0]["data"]
    assert [s["value"] for s in stages] == [1, 1, 1, 1]
    assert all(s["url"].startswith(reverse("pipeline:funnel_rows")) for s in stages)
    trend = client.get(reverse("pipeline:funnel_data"), {"chart": "trend"}).json()
    assert len(trend["xAxis"]["data"]) == 12 and trend["series"][0]["data"][-1]["value"] == 1


def test_share_tables_show_percentages_and_drill_down(client, personas, make_customer):
    for n in range(3):
        consult(make_customer(name=f"转介{n}", kind="referral", profession="教师"), personas.consultant_a)
    consult(make_customer(name="电话客", kind="phone"), personas.consultant_a)
    client.force_login(personas.consultant_a)
    page = client.get(reverse("pipeline:funnel")).content.decode()
    assert (
        "75.0%</strong> 转介绍/口碑" in page
        and "25.0%</strong> 电话" in page
        and "75.0%</strong> 教师" in page
    )
    html = client.get(
        reverse("pipeline:funnel_rows"), {"table": "source", "key": "referral"}
    ).content.decode()
    assert 'id="row-count">3<' in html and "电话客" not in html


def test_bad_funnel_period_falls_back_with_a_message(client, personas):
    client.force_login(personas.ops_a)
    html = client.get(reverse("pipeline:funnel"), {"month_from": "2026-13"}).content.decode()
    assert "格式不正确" in html and "最近 12 个月" in html


# --- query counts ---------------------------------------------------------------------------------


def _grow(personas, make_customer, count: int) -> Customer:
    customer = None
    for n in range(count):
        actor = personas.consultant_a if n % 2 == 0 else personas.consultant_a2
        customer = make_customer(actor, name=f"客户{n}")
        full_journey(customer, actor)
        services.followup_schedule(actor=actor, customer_id=customer.pk, scheduled_on=timezone.localdate())
        consult(customer, actor, when=ago(minutes=10), mode="online")
    return customer


@pytest.mark.parametrize("count", [2, 12])
def test_list_page_query_count_does_not_grow_with_data(
    client, personas, make_customer, django_assert_max_num_queries, count
):
    _grow(personas, make_customer, count)
    client.force_login(personas.ops_a)
    # 14: the list, its count and filters, plus the user's saved filters and the bulk form's staff.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("pipeline:customer_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_customer_page_query_count_does_not_grow_with_events(
    client, personas, make_customer, django_assert_max_num_queries, count
):
    customer = make_customer(name="老客户")
    consult(customer, personas.consultant_a, when=ago(days=1))
    for _ in range(count):
        full_journey(customer, personas.consultant_a)
        services.followup_schedule(
            actor=personas.consultant_a, customer_id=customer.pk, scheduled_on=timezone.localdate()
        )
    client.force_login(personas.consultant_a)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("pipeline:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    # + one query per related model named in the history (owner, site, channel), not per entry
    # 14: the events, plus one query for the channel grade that sets the protection window.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("pipeline:customer_detail", args=[customer.pk]), {"tab": "history"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 12])
def test_funnel_page_and_data_query_counts_do_not_grow_with_data(
    client, personas, make_customer, django_assert_max_num_queries, count
):
    _grow(personas, make_customer, count)
    client.force_login(personas.ops_a)
    with django_assert_max_num_queries(21):
        response = client.get(reverse("pipeline:funnel"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        client.get(reverse("pipeline:funnel_data"), {"chart": "trend"})
    with django_assert_max_num_queries(10):
        client.get(reverse("pipeline:funnel_rows"), {"metric": "deals"})


def test_a_followup_completed_from_the_due_list_returns_to_it(client, personas, make_customer):
    customer = make_customer()
    followup = services.followup_schedule(
        actor=personas.consultant_a, customer_id=customer.pk, scheduled_on=timezone.localdate()
    )
    client.force_login(personas.consultant_a)
    due = client.get(reverse("pipeline:followups_due")).content.decode()
    link = f"{reverse('pipeline:followup_complete', args=[followup.pk])}?next=due"
    assert link in due
    response = client.post(link, {"outcome": "unreachable", "done_on": timezone.localdate().isoformat()})
    assert response["Location"] == reverse("pipeline:followups_due")
    assert "今天没有到期或逾期的回访" in client.get(reverse("pipeline:followups_due")).content.decode()


def test_funnel_filters_over_htmx_re_render_the_body_with_period_shortcuts(client, personas, make_customer):
    full_journey(make_customer(name="褚先生"), personas.consultant_a)
    client.force_login(personas.ops_a)
    this_month = timezone.localdate().strftime("%Y-%m")
    response = client.get(
        reverse("pipeline:funnel"), {"view": "event", "month_from": this_month, "month_to": this_month}, **HX
    )
    html = response.content.decode()
    assert 'id="funnel-body"' in html and "<html" not in html
    assert "按发生月份" in html and 'id="funnel-filters"' in html
    assert 'aria-current="true">本月<' in html
    assert 'data-metric="deals"' in html
