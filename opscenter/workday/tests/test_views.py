import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opscenter.core.testing import make_staff
from opscenter.workday import services
from opscenter.workday.choices import AnnouncementAudience, SubmissionStatus
from opscenter.workday.models import AnnouncementRead, CardIssue, OutboundVisit, Submission, WorkLog
from opscenter.workday.tests.factories import marketing_setup, summary_template

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_today_lists_own_due_items_and_submit_flow_through_review(client, personas):
    summary_template(personas, today=timezone.localdate())
    day = timezone.localdate()
    _login(client, personas.consultant_a)
    page = client.get(reverse("workday:today"))
    assert page.status_code == 200
    sub = Submission.objects.filter(staff=personas.consultant_a.staff).first()
    if sub is None:  # today is not a workday: nothing is due, which the page says
        assert "今天没有需要提交的事项" in page.content.decode()
        return
    assert "当日工作总结" in page.content.decode()
    url = reverse("workday:submission_submit", args=[sub.pk])
    response = client.post(url, {"f_visits": "", "text": "x", "version": sub.version})
    assert response.status_code == 302
    assert (
        "请填写「拜访数」" in client.get(reverse("workday:submission_detail", args=[sub.pk])).content.decode()
    )
    client.post(url, {"f_visits": "4", "text": "拜访四家", "version": sub.version})
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED and sub.values == {"visits": 4}
    assert day == timezone.localtime(sub.due_at).date()
    _login(client, personas.marketing_a)
    client.post(
        reverse("workday:submission_review", args=[sub.pk]), {"decision": "approve", "version": sub.version}
    )
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.APPROVED


def test_other_consultant_gets_404_on_someone_elses_submission(client, personas):
    summary_template(personas, today=dt.date(2026, 10, 1))
    services.submissions_materialize(day_from=dt.date(2026, 10, 8), day_to=dt.date(2026, 10, 8))
    sub = Submission.objects.get(staff=personas.consultant_a.staff)
    _login(client, personas.consultant_a2)
    assert client.get(reverse("workday:submission_detail", args=[sub.pk])).status_code == 404
    assert (
        client.post(reverse("workday:submission_review", args=[sub.pk]), {"decision": "approve"}).status_code
        == 404
    )


def test_grid_shows_statuses_with_bounded_queries(client, personas, django_assert_max_num_queries):
    department, _head = marketing_setup(personas)
    summary_template(personas, today=dt.date(2026, 10, 1))
    start = dt.date(2026, 10, 12)
    for i in range(6):
        make_staff(department=department, name=f"员工{i}")
    services.submissions_materialize(day_from=start, day_to=start + dt.timedelta(days=6))
    Submission.objects.filter(staff=personas.consultant_a.staff, period=start).update(
        status=SubmissionStatus.MISSING
    )
    _login(client, personas.marketing_a)
    url = reverse("workday:grid") + f"?start={start}"
    with django_assert_max_num_queries(14):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-status="missing"' in html
    assert html.count("wd-cell") == Submission.objects.count()


def test_submission_list_filters_late_as_the_metric_drill_down(client, personas):
    summary_template(personas, today=dt.date(2026, 10, 1))
    services.submissions_materialize(day_from=dt.date(2026, 10, 8), day_to=dt.date(2026, 10, 8))
    Submission.objects.filter(staff=personas.consultant_a2.staff).update(
        late=True, status=SubmissionStatus.SUBMITTED
    )
    _login(client, personas.ops_a)
    url = (
        reverse("workday:submission_list")
        + f"?late=1&staff={personas.consultant_a2.staff.pk}&from=2026-10-01&to=2026-10-31"
    )
    html = client.get(url).content.decode()
    late = Submission.objects.get(staff=personas.consultant_a2.staff)
    other = Submission.objects.get(staff=personas.consultant_a.staff)
    assert reverse("workday:submission_detail", args=[late.pk]) in html
    assert reverse("workday:submission_detail", args=[other.pk]) not in html


def test_registers_record_for_oneself(client, personas):
    _login(client, personas.consultant_a)
    client.post(
        reverse("workday:work_log"),
        {"day": "2026-10-08", "activity": "电话回访三位老人", "result": "约参观1位"},
    )
    client.post(
        reverse("workday:outbound_visits"),
        {"day": "2026-10-08", "target_kind": "community", "target_name": "白云社区", "purpose": "义诊宣传"},
    )
    client.post(
        reverse("workday:cards"),
        {"card_no": "TJ-0001", "issued_on": "2026-10-08", "recipient_name": "张阿姨"},
    )
    assert WorkLog.objects.get().staff == personas.consultant_a.staff
    assert OutboundVisit.objects.get().target_name == "白云社区"
    assert CardIssue.objects.get().card_no == "TJ-0001"
    response = client.post(
        reverse("workday:cards"), {"card_no": "TJ-0001", "issued_on": "2026-10-08", "recipient_name": "李"}
    )
    assert "已登记过" in response.content.decode()


def test_announcement_read_receipt_is_recorded_once(client, personas):
    a = services.announcement_post(
        actor=personas.ops_a,
        title="十月喜报",
        body="咨询甲本月签约第一",
        audience=AnnouncementAudience.SITE,
        site=personas.site_a,
    )
    _login(client, personas.consultant_a)
    assert "十月喜报" in client.get(reverse("workday:announcement_list")).content.decode()
    client.get(reverse("workday:announcement_detail", args=[a.pk]))
    client.get(reverse("workday:announcement_detail", args=[a.pk]))
    assert AnnouncementRead.objects.filter(announcement=a).count() == 1
    _login(client, personas.consultant_b)
    assert client.get(reverse("workday:announcement_detail", args=[a.pk])).status_code == 404


def test_template_settings_edit_is_immediate_audited_and_refuses_a_stale_form(client, personas):
    from opscenter.core.models import AuditEntry

    template = summary_template(personas, today=timezone.localdate())
    department = template.departments.get()
    _login(client, personas.ops_a)
    url = reverse("workday:template_edit", args=[template.pk])
    page = client.get(url).content.decode()
    assert template.name in page and 'name="due_time"' not in page  # the rule changes by version
    base = {
        "name": "当日总结",
        "departments": [department.pk],
        "approver": personas.marketing_a.staff.pk,
        "is_active": "on",
        "revision": template.revision,
    }
    assert client.post(url, base).status_code == 302
    template.refresh_from_db()
    assert (template.name, template.approver_id) == ("当日总结", personas.marketing_a.staff.pk)
    stale = client.post(url, {**base, "name": "别的名字"})
    assert "已被他人修改" in stale.content.decode()
    template.refresh_from_db()
    assert template.name == "当日总结"
    entry = AuditEntry.objects.filter(object_id=str(template.pk), action="update").latest("pk")
    assert entry.changes["name"] == ["当日工作总结", "当日总结"]
    _login(client, personas.consultant_a)
    assert client.get(url).status_code == 403
