import datetime as dt

import pytest
from django.utils import timezone

from opscenter.core.models import ApiToken
from opscenter.workday import services
from opscenter.workday.models import Submission
from opscenter.workday.tests.factories import summary_template

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:8], digest=ApiToken.hash(raw))
    return {"Authorization": f"Bearer {raw}"}


def test_submit_through_the_api_names_the_missing_field_then_accepts(client, personas):
    summary_template(personas, today=dt.date(2026, 10, 1))
    day = timezone.localdate() - dt.timedelta(days=1)
    while services.work_calendar_for(None).is_workday(day) is False:
        day -= dt.timedelta(days=1)
    services.submissions_materialize(day_from=day, day_to=day)
    sub = Submission.objects.get(staff=personas.consultant_a.staff)
    headers = bearer(personas.consultant_a)
    due = client.get("/api/workday/due", headers=headers).json()
    assert [row["id"] for row in due] == [sub.pk]
    url = f"/api/workday/submissions/{sub.pk}/submit"
    bad = client.post(
        url, {"values": {"visits": ""}, "text": "x"}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 422 and bad.json() == {"detail": "请填写「拜访数」", "field": "visits"}
    ok = client.post(
        url, {"values": {"visits": 3}, "text": "三家"}, content_type="application/json", headers=headers
    )
    assert ok.status_code == 200 and ok.json()["status"] == "submitted" and ok.json()["late"] is True
    other = bearer(personas.consultant_a2)
    assert client.get(f"/api/workday/submissions/{sub.pk}", headers=other).status_code == 404
