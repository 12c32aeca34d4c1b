import datetime as dt
import io

import pytest
from django.utils import timezone

from opscenter.reports.models import Report
from opscenter.workday import demo
from opscenter.workday.models import Announcement, Submission, SubmissionTemplate
from opscenter.workday.tests.factories import marketing_setup

pytestmark = pytest.mark.django_db


def test_demo_step_loads_templates_submissions_reports_once(personas):
    marketing_setup(personas)
    out = io.StringIO()
    demo.generate(seed=1, stdout=out, today=dt.date(2026, 12, 8))
    site = personas.site_a
    assert SubmissionTemplate.objects.filter(site=site).count() == 10
    subs = Submission.objects.filter(site=site)
    assert subs.filter(status="approved").exists() and subs.filter(status="missing").exists()
    assert subs.filter(late=True).exists()
    assert Announcement.objects.filter(site=site, pinned=True).count() == 1
    # The daily summary changed from 16:30 to 17:00 on Monday 2026-11-23: items before keep 16:30.
    summary = SubmissionTemplate.objects.get(site=site, name="当日工作总结（工作日清表）")
    assert [(v.number, v.status) for v in summary.versions.order_by("number")] == [
        (1, "published"),
        (2, "published"),
        (3, "draft"),
    ]
    due = {
        s.period: (s.template_version.number, timezone.localtime(s.due_at).time())
        for s in subs.filter(template=summary).select_related("template_version")
    }
    assert due[dt.date(2026, 11, 20)] == (1, dt.time(16, 30))
    assert due[dt.date(2026, 11, 23)] == (2, dt.time(17, 0))
    labels = set(Report.objects.filter(site=site, status="published").values_list("label", flat=True))
    assert labels == {"2026-W49", "2026-11"}
    before = (Submission.objects.count(), Report.objects.count())
    demo.generate(seed=1, stdout=io.StringIO(), today=dt.date(2026, 12, 8))
    assert (Submission.objects.count(), Report.objects.count()) == before
