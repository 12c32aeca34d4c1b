"""The scheduler page: operations staff see and edit jobs; consultants do not."""

import pytest
from django.urls import reverse

from opscenter.scheduler import services
from opscenter.scheduler.models import ScheduledJob

pytestmark = pytest.mark.django_db


def test_operations_staff_see_the_jobs_with_next_due_and_can_change_the_cadence(client, personas):
    services.scheduled_jobs_sync()
    client.force_login(personas.ops_a)
    page = client.get(reverse("scheduler:job_list"))
    assert page.status_code == 200
    assert "members.tiers_nightly" in page.content.decode()
    job = ScheduledJob.objects.get(code="targets.check_alerts")
    response = client.post(
        reverse("scheduler:job_edit", args=[job.pk]),
        {"enabled": "on", "cadence_kind": "daily", "at_time": "07:30", "version": job.version},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.cadence_kind == "daily" and job.at_time.hour == 7 and job.version == 2


def test_consultants_get_no_scheduler_page(client, personas):
    client.force_login(personas.consultant_a)
    assert client.get(reverse("scheduler:job_list")).status_code == 403


def test_executives_read_but_cannot_edit(client, personas):
    services.scheduled_jobs_sync()
    job = ScheduledJob.objects.get(code="targets.check_alerts")
    client.force_login(personas.executive)
    assert client.get(reverse("scheduler:job_list")).status_code == 200
    assert client.get(reverse("scheduler:job_edit", args=[job.pk])).status_code == 403
