"""Template versions (rules as data): a new version takes effect from a date; submissions record
the version they were made under; past deadlines and late/missing counts keep the old version;
the history says what changed; two editors do not overwrite each other; a draft is previewed."""

import datetime as dt

import pytest
from django.urls import reverse

from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.metrics import metric_values
from opscenter.workday import selectors, services
from opscenter.workday.choices import HolidayShift, ScheduleKind, SubmissionStatus
from opscenter.workday.models import Submission, SubmissionTemplateVersion
from opscenter.workday.tests.factories import summary_template

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
D = dt.date
FIELDS = [
    {"key": "visits", "label": "拜访数", "kind": "number", "required": True},
    {"key": "notes", "label": "竞品动态", "kind": "text", "required": False},
]


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=TZ)


def _draft(personas, template, **overrides):
    kwargs = {
        "actor": personas.ops_a,
        "template_id": template.pk,
        "effective_from": D(2026, 10, 12),
        "schedule_kind": ScheduleKind.DAILY,
        "due_time": dt.time(17, 0),
        "fields": FIELDS,
        "today": D(2026, 10, 9),
    }
    kwargs.update(overrides)
    return services.template_version_draft(**kwargs)


def _publish(personas, version, today=None):
    return services.template_version_publish(
        actor=personas.ops_a, version_id=version.pk, today=today or D(2026, 10, 9)
    )


def test_deadline_follows_the_old_version_before_the_effective_date_and_the_new_one_after(personas):
    template = summary_template(personas)  # v1: every workday 16:30, from 2026-10-01
    _publish(personas, _draft(personas, template))  # v2: 17:00 from Monday 2026-10-12
    # Materialized only now, after the change: the past Friday still gets v1's deadline.
    services.submissions_materialize(day_from=D(2026, 10, 9), day_to=D(2026, 10, 13))
    mine = {
        s.period: (s.template_version.number, s.due_at)
        for s in Submission.objects.filter(staff=personas.consultant_a.staff).select_related(
            "template_version"
        )
    }
    assert mine == {
        D(2026, 10, 9): (1, _at(D(2026, 10, 9), 16, 30)),
        D(2026, 10, 10): (1, _at(D(2026, 10, 10), 16, 30)),  # the adjusted Saturday, still v1
        D(2026, 10, 12): (2, _at(D(2026, 10, 12), 17, 0)),
        D(2026, 10, 13): (2, _at(D(2026, 10, 13), 17, 0)),
    }


def test_late_and_missing_counts_keep_the_version_in_force_at_their_date(personas):
    template = summary_template(personas)
    services.submissions_materialize(day_from=D(2026, 10, 9), day_to=D(2026, 10, 9))
    _publish(personas, _draft(personas, template))
    services.submissions_materialize(day_from=D(2026, 10, 12), day_to=D(2026, 10, 12))
    old = Submission.objects.get(staff=personas.consultant_a.staff, period=D(2026, 10, 9))
    new = Submission.objects.get(staff=personas.consultant_a.staff, period=D(2026, 10, 12))
    for sub, day in ((old, D(2026, 10, 9)), (new, D(2026, 10, 12))):
        services.submission_submit(
            actor=personas.consultant_a,
            submission_id=sub.pk,
            values={"visits": "2"},
            text="ok",
            now=_at(day, 16, 45),  # after v1's 16:30, before v2's 17:00
        )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.late, new.late) == (True, False)
    late = metric_values(
        "workday.submissions_late",
        grain="staff",
        period="month",
        start=D(2026, 10, 1),
        end=D(2026, 10, 31),
        unit_ids=[personas.consultant_a.staff.pk],
    )
    assert {k: v.value for k, v in late.items()} == {(personas.consultant_a.staff.pk, D(2026, 10, 1)): 1}
    # Missing: at 16:45 on the 12th the others' items of the 9th (v1, due 16:30) are missing,
    # their items of the 12th (v2, due 17:00) not yet.
    assert services.submissions_mark_missing(now=_at(D(2026, 10, 12), 16, 45)) == 2
    missing = Submission.objects.filter(status=SubmissionStatus.MISSING)
    assert set(missing.values_list("period", flat=True)) == {D(2026, 10, 9)}
    assert services.submissions_mark_missing(now=_at(D(2026, 10, 12), 17, 1)) == 2
    assert missing.filter(period=D(2026, 10, 12)).count() == 2


def test_a_submission_is_checked_against_the_fields_of_its_own_version(personas):
    template = summary_template(personas)
    services.submissions_materialize(day_from=D(2026, 10, 9), day_to=D(2026, 10, 9))
    fields = [*FIELDS, {"key": "deals", "label": "签约数", "kind": "number", "required": True}]
    _publish(personas, _draft(personas, template, fields=fields, due_time=dt.time(16, 30)))
    services.submissions_materialize(day_from=D(2026, 10, 12), day_to=D(2026, 10, 12))
    old = Submission.objects.get(staff=personas.consultant_a.staff, period=D(2026, 10, 9))
    services.submission_submit(
        actor=personas.consultant_a,
        submission_id=old.pk,
        values={"visits": "1"},
        text="ok",
        now=_at(D(2026, 10, 9), 9),
    )
    new = Submission.objects.get(staff=personas.consultant_a.staff, period=D(2026, 10, 12))
    with pytest.raises(ValidationError) as err:
        services.submission_submit(
            actor=personas.consultant_a,
            submission_id=new.pk,
            values={"visits": "1"},
            text="ok",
            now=_at(D(2026, 10, 12), 9),
        )
    assert err.value.field == "deals" and "签约数" in err.value.message


def test_weekly_version_applies_from_the_first_week_starting_on_or_after_its_date(personas):
    template = summary_template(
        personas,
        schedule_kind=ScheduleKind.WEEKLY,
        weekday=4,
        due_time=dt.time(12, 0),
        holiday_shift=HolidayShift.PREVIOUS,
    )
    # v2 from Wednesday 2026-10-14: the week of Monday 10-12 keeps Thursday, the next is Friday.
    _publish(
        personas,
        _draft(
            personas,
            template,
            schedule_kind=ScheduleKind.WEEKLY,
            weekday=5,
            due_time=dt.time(12, 0),
            effective_from=D(2026, 10, 14),
        ),
    )
    services.submissions_materialize(day_from=D(2026, 10, 12), day_to=D(2026, 10, 25))
    dues = sorted(set(Submission.objects.values_list("due_at", flat=True)))
    assert dues == [_at(D(2026, 10, 15), 12), _at(D(2026, 10, 23), 12)]


def test_a_new_version_must_start_after_today_and_after_the_latest_published_one(personas):
    template = summary_template(personas)
    with pytest.raises(ValidationError) as err:
        _draft(personas, template, effective_from=D(2026, 10, 9))
    assert err.value.field == "effective_from" and "晚于今天" in err.value.message
    _publish(personas, _draft(personas, template, effective_from=D(2026, 10, 20)))
    with pytest.raises(ValidationError) as err:
        _draft(personas, template, effective_from=D(2026, 10, 15), due_time=dt.time(18, 0))
    assert "第 2 版" in err.value.message
    # A draft whose date has passed by publication day is refused then, not silently backdated.
    draft = _draft(personas, template, effective_from=D(2026, 10, 22), due_time=dt.time(18, 0))
    with pytest.raises(ValidationError):
        _publish(personas, draft, today=D(2026, 10, 22))
    assert SubmissionTemplateVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_draft_identical_to_the_published_rule_or_never_on_a_workday_is_refused(personas):
    template = summary_template(personas)
    with pytest.raises(ValidationError) as err:
        _draft(personas, template, due_time=dt.time(16, 30))
    assert "相同" in err.value.message
    with pytest.raises(ValidationError) as err:
        _draft(personas, template, schedule_kind=ScheduleKind.MONTHLY, business_day=25)
    assert err.value.field == "schedule"


def test_two_editors_do_not_overwrite_each_other(personas):
    template = summary_template(personas)
    seen = template.revision
    _draft(personas, template, revision=seen)
    with pytest.raises(services.ConflictError):
        _draft(personas, template, revision=seen, due_time=dt.time(18, 0))
    draft = template.versions.get(status="draft")
    with pytest.raises(services.ConflictError):
        services.template_version_publish(
            actor=personas.ops_a, version_id=draft.pk, revision=seen, today=D(2026, 10, 9)
        )
    template.refresh_from_db()
    services.template_version_publish(
        actor=personas.ops_a, version_id=draft.pk, revision=template.revision, today=D(2026, 10, 9)
    )
    draft.refresh_from_db()
    assert draft.status == "published" and draft.due_time == dt.time(17, 0)


def test_published_versions_cannot_be_discarded_and_outsiders_cannot_publish(personas):
    template = summary_template(personas)
    v1 = template.versions.get()
    with pytest.raises(ValidationError):
        services.template_version_discard(actor=personas.ops_a, version_id=v1.pk)
    draft = _draft(personas, template)
    with pytest.raises(PermissionDenied):
        services.template_version_publish(
            actor=personas.consultant_a, version_id=draft.pk, today=D(2026, 10, 9)
        )
    with pytest.raises(NotFound):
        services.template_version_publish(actor=personas.ops_b, version_id=draft.pk, today=D(2026, 10, 9))
    services.template_version_discard(actor=personas.ops_a, version_id=draft.pk)
    assert list(template.versions.values_list("number", flat=True)) == [1]


def test_history_says_what_changed_in_words_and_who_published(personas):
    template = summary_template(personas)
    fields = [
        FIELDS[0] | {"required": False},
        {"key": "deals", "label": "签约数", "kind": "number", "required": True},
    ]
    _publish(personas, _draft(personas, template, fields=fields, note="月底冲刺"))
    rows = selectors.template_history(template=template)
    assert [r.version.number for r in rows] == [2, 1]
    assert rows[0].changes == [
        "截止规则：每个工作日 16:30 → 每个工作日 17:00",
        "填报项「拜访数」改为选填",
        "新增填报项「签约数」（必填）",
        "删除填报项「竞品动态」",
    ]
    assert rows[0].version.published_by == personas.ops_a and rows[0].version.note == "月底冲刺"
    assert rows[1].changes == ["首个版本：每个工作日 16:30"]


def test_preview_lists_the_next_deadlines_on_the_business_calendar_beside_the_current_ones(personas):
    template = summary_template(personas, today=D(2026, 9, 1))
    draft = _draft(personas, template, effective_from=D(2026, 9, 30), today=D(2026, 9, 20))
    rows = selectors.version_preview(version=draft, count=4, today=D(2026, 9, 20))
    # National Day week: 09-30, then nothing until the 10-08 workday, and the adjusted Saturday 10-10.
    assert [(r.period, r.due_at, r.current_due_at) for r in rows] == [
        (D(2026, 9, 30), _at(D(2026, 9, 30), 17), _at(D(2026, 9, 30), 16, 30)),
        (D(2026, 10, 8), _at(D(2026, 10, 8), 17), _at(D(2026, 10, 8), 16, 30)),
        (D(2026, 10, 9), _at(D(2026, 10, 9), 17), _at(D(2026, 10, 9), 16, 30)),
        (D(2026, 10, 10), _at(D(2026, 10, 10), 17), _at(D(2026, 10, 10), 16, 30)),
    ]
    assert all(r.changed for r in rows)
    assert Submission.objects.count() == 0  # a draft creates nothing


def test_template_page_previews_a_draft_and_publishes_it_with_the_revision(
    client, personas, django_assert_max_num_queries
):
    from django.utils import timezone

    today = timezone.localdate()
    template = summary_template(personas, today=today)
    client.force_login(personas.ops_a)
    draft_url = reverse("workday:template_draft", args=[template.pk])
    page = client.get(draft_url).content.decode()
    assert 'value="16:30"' in page or 'value="16:30:00"' in page
    effective = today + dt.timedelta(days=1)
    form = {
        "effective_from": effective.isoformat(),
        "schedule_kind": "daily",
        "due_time": "17:00",
        "holiday_shift": "previous",
        "fields_text": "visits,拜访数,number,1\nnotes,竞品动态,text,0",
        "text_required": "on",
        "note": "推迟半小时",
        "revision": template.revision,
    }
    assert client.post(draft_url, form).status_code == 302
    detail = reverse("workday:template_detail", args=[template.pk])
    with django_assert_max_num_queries(25):
        html = client.get(detail).content.decode()
    assert 'id="preview-table"' in html and "17:00" in html and "推迟半小时" in html
    assert "截止规则：每个工作日 16:30 → 每个工作日 17:00" in html
    # A stale form (someone saved in between) is refused with a message, nothing published.
    draft = template.versions.get(status="draft")
    publish = reverse("workday:template_version_publish", args=[template.pk, draft.pk])
    client.post(publish, {"revision": template.revision})
    assert "已被他人修改" in client.get(detail).content.decode()
    template.refresh_from_db()
    client.post(publish, {"revision": template.revision})
    draft.refresh_from_db()
    assert draft.status == "published"
    client.force_login(personas.consultant_a)
    assert client.get(draft_url).status_code == 403
    client.force_login(personas.ops_b)
    assert client.get(detail).status_code == 404
