import pytest

from opscenter.core.audit import audit_context, history_for
from opscenter.core.models import AuditEntry
from opscenter.core.testing import make_site

pytestmark = pytest.mark.django_db


def test_create_update_delete_are_recorded_with_actor_and_before_after(personas):
    with audit_context(personas.ops_a, "cli"):
        site = make_site("east", "东院")
        site.city = "杭州"
        site.save()
        site_pk = site.pk
        site.delete()
    entries = list(
        AuditEntry.objects.filter(object_id=str(site_pk), content_type__model="site").order_by("id")
    )
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[1].changes == {"city": ["宁波", "杭州"]}
    assert all(e.actor == personas.ops_a and e.source == "cli" for e in entries)
    assert entries[2].changes["name"] == ["东院", None]


def test_saving_without_changes_writes_no_entry(personas):
    site = personas.site_a
    before = AuditEntry.objects.count()
    site.save()
    assert AuditEntry.objects.count() == before


def test_changes_outside_any_request_are_attributed_to_the_system(db):
    site = make_site("west", "西院")
    entry = history_for(site).get()
    assert entry.actor is None and entry.actor_label == "系统" and entry.source == "system"


def test_web_requests_record_the_signed_in_user(client, personas):
    from django.urls import reverse

    from opscenter.core.testing import make_department, make_staff

    staff = make_staff(department=make_department(personas.site_a, "nursing"), name="护士丙")
    client.force_login(personas.ops_a)
    response = client.post(reverse("org:liaison_assign", args=[staff.department_id]), {"staff_id": staff.pk})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(content_type__model="liaison").get()
    assert (entry.actor, entry.source, entry.action) == (personas.ops_a, "web", "create")
