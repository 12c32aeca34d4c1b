"""The unread-notification badge in the page header: the right number, linked to the notifications
page, gone at zero, and one COUNT per page — for signed-in users only, never for htmx partials."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opscenter.targets.models import Notification

pytestmark = pytest.mark.django_db

BADGE = re.compile(
    r'<a class="badge badge--danger" id="notification-badge" href="([^"]+)"[^>]*>[^<]*<strong>(\d+)</strong>'
)


def _notify(user, n: int, *, read: bool = False) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=user, title=f"目标预警 {i}", read_at=timezone.now() if read else None)
        for i in range(n)
    )


def _get(client, url: str, **headers) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries]


def _notification_queries(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "targets_notification" in sql]


def test_badge_shows_the_users_unread_count_and_links_to_the_notifications(client, personas):
    _notify(personas.ops_a, 3)
    _notify(personas.ops_a, 2, read=True)
    _notify(personas.ops_b, 4)
    client.force_login(personas.ops_a)
    page, queries = _get(client, reverse("core:home"))
    match = BADGE.search(page)
    assert match is not None
    assert (match.group(1), match.group(2)) == (reverse("targets:notification_list"), "3")
    assert "3 条未读通知" in page
    assert len(_notification_queries(queries)) == 1


def test_no_badge_at_zero_and_reading_them_clears_it(client, personas):
    client.force_login(personas.ops_a)
    page, _queries = _get(client, reverse("core:home"))
    assert 'id="notification-badge"' not in page
    assert f'href="{reverse("targets:notification_list")}"' in page  # still reachable from the user menu
    _notify(personas.ops_a, 1)
    assert BADGE.search(_get(client, reverse("core:home"))[0]).group(2) == "1"
    client.post(reverse("targets:notification_read"))
    assert 'id="notification-badge"' not in _get(client, reverse("core:home"))[0]


def test_a_pages_queries_do_not_grow_with_the_notifications(client, personas):
    client.force_login(personas.consultant_a)
    _page, before = _get(client, reverse("core:home"))
    _notify(personas.consultant_a, 25)
    page, after = _get(client, reverse("core:home"))
    assert BADGE.search(page).group(2) == "25"
    assert len(after) == len(before)
    assert len(_notification_queries(after)) == 1


def test_anonymous_pages_and_htmx_partials_do_not_count(client, personas):
    _page, queries = _get(client, reverse("login"))
    assert _notification_queries(queries) == []
    _notify(personas.ops_a, 2)
    client.force_login(personas.ops_a)
    _body, queries = _get(client, reverse("pipeline:customer_list"), HTTP_HX_REQUEST="true")
    assert _notification_queries(queries) == []
