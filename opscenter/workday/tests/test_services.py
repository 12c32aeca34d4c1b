import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.core.models import AuditEntry
from opscenter.metrics import metric_values
from opscenter.targets.models import Notification
from opscenter.workday import services
from opscenter.workday.choices import HolidayShift, ScheduleKind, SubmissionStatus
from opscenter.workday.examples import MARKETING_TEMPLATES, install_marketing_templates
from opscenter.workday.models import Submission, SubmissionEvent
from opscenter.workday.tests.factories import marketing_setup, summary_template

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=TZ)


def _mine(personas, user, day):
    return Submission.objects.get(staff=user.staff, period=day)


def test_materialize_creates_one_item_per_department_member_on_workdays_only(personas):
    template = summary_template(personas)
    created = services.submissions_materialize(day_from=dt.date(2026, 10, 5), day_to=dt.date(2026, 10, 10))
    members = {personas.marketing_a.staff.pk, personas.consultant_a.staff.pk, personas.consultant_a2.staff.pk}
    days = sorted({s.period for s in Submission.objects.filter(template=template)})
    assert days == [dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)]
    assert created == 3 * len(members)
    assert set(Submission.objects.values_list("staff_id", flat=True)) == members
    sat = Submission.objects.filter(period=dt.date(2026, 10, 10)).first()
    assert sat.due_at == _at(dt.date(2026, 10, 10), 16, 30)
    assert services.submissions_materialize(day_from=dt.date(2026, 10, 5), day_to=dt.date(2026, 10, 10)) == 0


def test_template_whose_schedule_never_falls_on_a_workday_is_rejected(personas):
    with pytest.raises(ValidationError) as err:
        summary_template(personas, schedule_kind=ScheduleKind.MONTHLY, business_day=25)
    assert err.value.field == "schedule"


def test_consultant_may_not_create_templates(personas):
    with pytest.raises(PermissionDenied):
        summary_template(personas, actor=personas.consultant_a)


def test_empty_required_field_is_refused_naming_the_field(personas):
    summary_template(personas)
    day = dt.date(2026, 10, 8)
    services.submissions_materialize(day_from=day, day_to=day)
    sub = _mine(personas, personas.consultant_a, day)
    with pytest.raises(ValidationError) as err:
        services.submission_submit(
            actor=personas.consultant_a,
            submission_id=sub.pk,
            values={"visits": ""},
            text="拜访三家",
            now=_at(day, 15),
        )
    assert "拜访数" in err.value.message and err.value.field == "visits"
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.PENDING and sub.submitted_at is None


def test_late_submission_is_flagged_and_counted_as_late_metric(personas):
    summary_template(personas)
    day = dt.date(2026, 10, 8)
    services.submissions_materialize(day_from=day, day_to=day)
    on_time = _mine(personas, personas.consultant_a, day)
    late = _mine(personas, personas.consultant_a2, day)
    services.submission_submit(
        actor=personas.consultant_a,
        submission_id=on_time.pk,
        values={"visits": "3"},
        text="ok",
        now=_at(day, 16, 30),
    )
    services.submission_submit(
        actor=personas.consultant_a2,
        submission_id=late.pk,
        values={"visits": "1"},
        text="ok",
        now=_at(day, 16, 31),
    )
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.late, late.late) == (False, True)
    assert on_time.values == {"visits": 3}
    values = metric_values(
        "workday.submissions_late",
        grain="staff",
        period="month",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
    )
    assert {k: v.numerator for k, v in values.items()} == {
        (personas.consultant_a2.staff.pk, dt.date(2026, 10, 1)): 1
    }


def test_missed_deadline_is_marked_missing_once_and_counted(personas):
    summary_template(personas)
    day = dt.date(2026, 10, 8)
    services.submissions_materialize(day_from=day, day_to=day)
    sub = _mine(personas, personas.consultant_a, day)
    services.submission_submit(
        actor=personas.consultant_a, submission_id=sub.pk, values={"visits": "2"}, text="ok", now=_at(day, 10)
    )
    assert services.submissions_mark_missing(now=_at(day, 16, 29)) == 0
    assert services.submissions_mark_missing(now=_at(day, 16, 31)) == 2
    assert services.submissions_mark_missing(now=_at(day, 17)) == 0
    assert SubmissionEvent.objects.filter(kind="missing").count() == 2
    values = metric_values(
        "workday.submissions_missing", grain="department", period="day", start=day, end=day
    )
    assert [v.numerator for v in values.values()] == [2]
    # a missing item can still be handed in, late
    other = _mine(personas, personas.consultant_a2, day)
    services.submission_submit(
        actor=personas.consultant_a2,
        submission_id=other.pk,
        values={"visits": "0"},
        text="补交",
        now=_at(day, 18),
    )
    other.refresh_from_db()
    assert other.status == SubmissionStatus.SUBMITTED and other.late


def test_approved_submission_cannot_be_edited_until_reopened_and_reopen_is_audited(personas):
    summary_template(personas)
    day = dt.date(2026, 10, 8)
    services.submissions_materialize(day_from=day, day_to=day)
    sub = _mine(personas, personas.consultant_a, day)
    services.submission_submit(
        actor=personas.consultant_a, submission_id=sub.pk, values={"visits": "2"}, text="ok", now=_at(day, 10)
    )
    with pytest.raises((NotFound, PermissionDenied)):
        services.submission_review(actor=personas.consultant_a2, submission_id=sub.pk, approve=True)
    services.submission_review(actor=personas.marketing_a, submission_id=sub.pk, approve=True)
    with pytest.raises(ValidationError) as err:
        services.submission_submit(
            actor=personas.consultant_a,
            submission_id=sub.pk,
            values={"visits": "5"},
            text="改",
            now=_at(day, 11),
        )
    assert "重开" in err.value.message
    sub.refresh_from_db()
    assert sub.values == {"visits": 2} and sub.status == SubmissionStatus.APPROVED
    with pytest.raises(ValidationError):
        services.submission_reopen(actor=personas.marketing_a, submission_id=sub.pk, reason=" ")
    services.submission_reopen(actor=personas.marketing_a, submission_id=sub.pk, reason="拜访数填错")
    ct = ContentType.objects.get_for_model(Submission)
    entry = AuditEntry.objects.filter(content_type=ct, object_id=str(sub.pk)).order_by("-pk").first()
    assert entry.actor == personas.marketing_a and entry.changes["status"] == ["approved", "reopened"]
    assert SubmissionEvent.objects.filter(submission=sub, kind="reopened", comment="拜访数填错").exists()
    services.submission_submit(
        actor=personas.consultant_a, submission_id=sub.pk, values={"visits": "5"}, text="改", now=_at(day, 11)
    )
    sub.refresh_from_db()
    assert sub.values == {"visits": 5} and sub.status == SubmissionStatus.SUBMITTED and not sub.late


def test_send_back_needs_a_comment_and_notifies_the_submitter(personas):
    summary_template(personas)
    day = dt.date(2026, 10, 8)
    services.submissions_materialize(day_from=day, day_to=day)
    sub = _mine(personas, personas.consultant_a, day)
    services.submission_submit(
        actor=personas.consultant_a, submission_id=sub.pk, values={"visits": "2"}, text="ok", now=_at(day, 10)
    )
    with pytest.raises(ValidationError):
        services.submission_review(
            actor=personas.marketing_a, submission_id=sub.pk, approve=False, comment=""
        )
    services.submission_review(
        actor=personas.marketing_a, submission_id=sub.pk, approve=False, comment="请补充竞品"
    )
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SENT_BACK and sub.review_comment == "请补充竞品"
    assert Notification.objects.filter(recipient=personas.consultant_a, title__contains="请补充竞品").exists()


def test_stale_version_is_refused(personas):
    summary_template(personas)
    day = dt.date(2026, 10, 8)
    services.submissions_materialize(day_from=day, day_to=day)
    sub = _mine(personas, personas.consultant_a, day)
    with pytest.raises(services.ConflictError):
        services.submission_submit(
            actor=personas.consultant_a, submission_id=sub.pk, values={"visits": "2"}, text="ok", version=7
        )


def test_consultant_cannot_submit_or_see_someone_elses_item(personas):
    summary_template(personas)
    day = dt.date(2026, 10, 8)
    services.submissions_materialize(day_from=day, day_to=day)
    other = _mine(personas, personas.consultant_a2, day)
    with pytest.raises(NotFound):
        services.submission_submit(
            actor=personas.consultant_a, submission_id=other.pk, values={"visits": "1"}, text="x"
        )


def test_marketing_template_set_from_seed_installs_with_its_weekly_deadlines(personas):
    department, head = marketing_setup(personas)
    created = install_marketing_templates(
        actor=personas.ops_a, department=department, approver=head, today=dt.date(2026, 9, 1)
    )
    assert len(created) == len(MARKETING_TEMPLATES)
    by_name = {t.name: t for t in created}
    thursday = by_name["下周各事业部宣传规划汇总"]
    v1 = thursday.versions.get()
    assert (v1.number, v1.status, v1.effective_from) == (1, "published", dt.date(2026, 9, 1))
    assert (v1.weekday, v1.due_time, v1.holiday_shift) == (
        4,
        dt.time(12, 0),
        HolidayShift.PREVIOUS,
    )
    services.submissions_materialize(day_from=dt.date(2026, 9, 28), day_to=dt.date(2026, 10, 4))
    dues = set(Submission.objects.filter(template=thursday).values_list("due_at", flat=True))
    assert dues == {_at(dt.date(2026, 9, 30), 12)}
    assert install_marketing_templates(actor=personas.ops_a, department=department) == []


def test_deadlines_command_marks_missing(personas):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from opscenter.core.calendars import default_work_calendar

    summary_template(personas, due_time=dt.time(0, 0), today=dt.date(2026, 1, 1))
    today = timezone.localdate()
    workdays = sum(default_work_calendar().is_workday(today - dt.timedelta(days=i)) for i in (0, 1))
    out = StringIO()
    call_command("workday", "deadlines", stdout=out)
    assert out.getvalue().strip() == f"created {3 * workdays}, marked missing {3 * workdays}"
    assert Submission.objects.filter(status=SubmissionStatus.MISSING).count() == 3 * workdays


def test_check_up_card_use_is_linked_to_a_customer_of_the_site_once(personas):
    from opscenter.pipeline.models import Channel
    from opscenter.pipeline.services import customer_register

    card = services.card_issue(
        actor=personas.consultant_a, card_no="TJ-9", issued_on=dt.date(2026, 10, 8), recipient_name="王阿姨"
    )
    channel = Channel.objects.filter(site__isnull=True, kind="phone").first()
    customer = customer_register(
        actor=personas.consultant_a,
        site_id=personas.site_a.pk,
        channel_id=channel.pk,
        name="王阿姨",
        phone="13812345678",
    )
    with pytest.raises(ValidationError):
        services.card_use(
            actor=personas.ops_a, card_id=card.pk, customer=customer, used_on=dt.date(2026, 10, 1)
        )
    services.card_use(actor=personas.ops_a, card_id=card.pk, customer=customer, used_on=dt.date(2026, 10, 12))
    card.refresh_from_db()
    assert (card.customer, card.used_on) == (customer, dt.date(2026, 10, 12))
    with pytest.raises(ValidationError):
        services.card_use(
            actor=personas.ops_a, card_id=card.pk, customer=customer, used_on=dt.date(2026, 10, 13)
        )
    with pytest.raises(NotFound):
        services.card_use(
            actor=personas.ops_b, card_id=card.pk, customer=customer, used_on=dt.date(2026, 10, 13)
        )


def test_other_apps_post_incentive_news_to_everyone_with_a_notice_each(personas):
    from opscenter.workday.choices import AnnouncementAudience, AnnouncementKind

    a = services.announcement_post(
        actor=None,
        title="十一月签约竞赛排名",
        body="第一名：咨询甲",
        audience=AnnouncementAudience.EVERYONE,
        kind=AnnouncementKind.INCENTIVE,
        source="appraisal",
    )
    staffed = {u.pk for u in services.announcement_recipients(a)}
    assert personas.consultant_b.pk in staffed and personas.consultant_a.pk in staffed
    assert Notification.objects.filter(title__contains="十一月签约竞赛排名").count() == len(staffed)
    with pytest.raises(PermissionDenied):
        services.announcement_post(
            actor=personas.marketing_a, title="x", body="y", audience=AnnouncementAudience.EVERYONE
        )
