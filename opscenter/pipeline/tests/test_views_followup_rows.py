"""The follow-ups behind a completion number (`pipeline:followup_rows`): the rows the selector
counts, the done ÷ scheduled summary, the Excel download, scoping and permissions."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from opscenter.core.testing import make_user
from opscenter.pipeline.tests.aftercare import build_followups

pytestmark = pytest.mark.django_db

MARCH = "?view=event&month_from=2026-03&month_to=2026-03"


@pytest.fixture
def followups(personas):
    build_followups(personas)


def _url(query: str = "") -> str:
    return reverse("pipeline:followup_rows") + MARCH + query


def test_page_lists_the_done_follow_ups_with_the_completion_rate(client, personas, followups):
    client.force_login(personas.ops_a)
    page = client.get(_url(f"&site={personas.site_a.pk}"))
    assert page.status_code == 200
    assert [f.customer.name for f in page.context["page"].object_list] == ["回访客户一", "回访客户二"]
    assert (page.context["done"], page.context["scheduled"], page.context["rate"]) == (2, 4, "50.0%")
    body = page.content.decode()
    assert 'id="completion-rate">50.0%<' in body and "format=xlsx" in body
    scheduled = client.get(_url("&metric=followups_scheduled"))
    assert scheduled.context["page"].paginator.count == 4
    assert [f.outcome for f in scheduled.context["page"].object_list].count("pending") == 1


def test_page_queries_do_not_grow_with_the_rows(client, personas, followups, django_assert_max_num_queries):
    client.force_login(personas.ops_a)
    # Session, user, scope (5), the summary counts, the paginator count, the rows, the badge.
    with django_assert_max_num_queries(11):
        client.get(_url("&metric=followups_scheduled"))


def test_export_downloads_every_row_of_the_number(client, personas, followups):
    client.force_login(personas.ops_a)
    response = client.get(_url("&format=xlsx"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["客户", "计划日期", "完成日期", "结果"]
    assert [(row[0], row[3]) for row in rows[1:]] == [("回访客户一", "已回访"), ("回访客户二", "已回访")]


def test_consultant_sees_only_follow_ups_assigned_to_them(client, personas, followups):
    client.force_login(personas.consultant_a2)
    page = client.get(_url("&metric=followups_scheduled"))
    assert [f.customer.name for f in page.context["page"].object_list] == ["回访客户三"]
    assert page.context["done"] == 0 and page.context["rate"] == "0.0%"


def test_another_sites_manager_sees_none_and_a_user_without_the_permission_is_refused(
    client, personas, followups
):
    client.force_login(personas.ops_b)
    page = client.get(_url(f"&site={personas.site_a.pk}"))
    assert page.status_code == 200 and page.context["page"].paginator.count == 0
    assert page.context["scheduled"] == 0 and page.context["rate"] == "—"
    client.force_login(make_user("nobody"))
    assert client.get(_url()).status_code == 403
    assert client.get(_url("&format=xlsx")).status_code == 403


def test_bad_filters_or_metric_are_not_found(client, personas):
    client.force_login(personas.ops_a)
    assert client.get(_url("&metric=followups_lost")).status_code == 404
    assert client.get(reverse("pipeline:followup_rows") + "?month_from=2026-13").status_code == 404


def test_an_english_users_export_has_english_headers_and_labels(client, personas, followups):
    personas.ops_a.language = "en"
    personas.ops_a.save(update_fields=["language"])
    client.force_login(personas.ops_a)
    body = b"".join(client.get(_url("&format=xlsx")).streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["Customers", "Planned for", "Done on", "Outcome"]
    assert [row[3] for row in rows[1:]] == ["Reached", "Reached"]
