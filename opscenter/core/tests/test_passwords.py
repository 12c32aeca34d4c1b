"""Self-service password change with the validators, an administrator's reset from the staff
page, both audited without the password."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from opscenter.core.models import AuditEntry

pytestmark = pytest.mark.django_db
NEW = "Winter-harbour-2027"


def test_a_user_changes_their_own_password_and_stays_signed_in(client, personas, password):
    client.force_login(personas.consultant_a)
    assert client.get(reverse("core:password_change")).status_code == 200
    response = client.post(
        reverse("core:password_change"),
        {"old_password": password, "new_password": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.check_password(NEW)
    assert client.get(reverse("core:home")).status_code == 200  # this session kept
    entry = AuditEntry.objects.filter(object_id=str(personas.consultant_a.pk), action="event").latest("at")
    assert "修改了登录密码" in entry.message and NEW not in str(entry.changes)


@pytest.mark.parametrize(
    ("old", "new", "field_message"),
    [
        ("wrong", NEW, "当前密码不正确"),
        (None, "12345678901", "数字"),
        (None, "short", "10"),
    ],
)
def test_a_bad_password_change_is_refused_with_the_reason(
    client, personas, password, old, new, field_message
):
    client.force_login(personas.consultant_a)
    response = client.post(
        reverse("core:password_change"),
        {"old_password": old or password, "new_password": new, "new_password2": new},
    )
    assert response.status_code == 400
    assert field_message in response.content.decode()
    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.check_password(password)


def test_operations_reset_a_staff_members_password_of_their_site_only(client, personas, password):
    client.force_login(personas.ops_a)
    staff = personas.consultant_a.staff
    page = client.get(reverse("org:staff_detail", args=[staff.pk])).content.decode()
    assert "重置登录密码" in page
    response = client.post(reverse("org:staff_password_reset", args=[staff.pk]), {"new_password": NEW})
    assert response.status_code == 302
    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.check_password(NEW)
    history = client.get(reverse("org:staff_detail", args=[staff.pk])).content.decode()
    assert "登录密码已由管理员重置" in history
    # Another site's staff: not found; a consultant may not reset anyone.
    other = personas.consultant_b.staff
    assert (
        client.post(reverse("org:staff_password_reset", args=[other.pk]), {"new_password": NEW}).status_code
        == 404
    )
    client.force_login(personas.consultant_a2)
    denied = client.post(
        reverse("org:staff_password_reset", args=[staff.pk]), {"new_password": "Another-pass-2027"}
    )
    assert denied.status_code == 404
    assert get_user_model().objects.get(pk=personas.consultant_a.pk).check_password(NEW)


def test_a_reset_password_must_pass_the_validators(client, personas, password):
    client.force_login(personas.ops_a)
    response = client.post(
        reverse("org:staff_password_reset", args=[personas.consultant_a.staff.pk]), {"new_password": "123"}
    )
    assert response.status_code == 400
    personas.consultant_a.refresh_from_db()
    assert personas.consultant_a.check_password(password)
