"""The readable history: labels, choice labels, names for ids, local time, no internal columns."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from opscenter.core import audit
from opscenter.core.audit import audit_context
from opscenter.core.history import history_page, is_internal, readable
from opscenter.core.testing import make_department, make_site, make_staff
from opscenter.org.models import Team

pytestmark = pytest.mark.django_db


def _changes(row):
    return {c.label: (c.before, c.after) for c in row.changes}


def test_foreign_keys_read_as_names_and_fields_by_their_labels(personas):
    dept = make_department(personas.site_a, "marketing")
    one, two = (Team.objects.create(department=dept, name=n) for n in ("销售一组", "销售二组"))
    staff = make_staff(department=dept, name="李四", team=one)
    with audit_context(personas.ops_a, "web"):
        staff.team = two
        staff.is_active = False
        staff.left_on = dt.date(2026, 3, 31)
        staff.save()
    row = history_page(staff)[0]
    assert _changes(row) == {
        "小组": ("销售一组", "销售二组"),
        "在职": ("是", "否"),
        "离职日期": ("—", "2026-03-31"),
    }
    assert row.actor == str(personas.ops_a) and row.source == "网页" and row.action == "修改"


def test_choices_show_their_labels_and_the_primary_key_is_hidden(db):
    site = make_site("east", "东院")
    site.kind = "aesthetics"
    site.save()
    create, update = reversed(history_page(site))
    assert _changes(update) == {"类型": ("养老社区", "医疗美容")}
    assert "id" not in _changes(create) and "ID" not in _changes(create)
    assert _changes(create)["名称"] == ("—", "东院")


def test_datetimes_show_in_shanghai_time_not_utc(db):
    from django.contrib.contenttypes.models import ContentType

    from opscenter.core.models import AuditEntry
    from opscenter.pipeline.models import Customer

    # As the trail stores a datetime (ISO, UTC): 02:30 UTC is 10:30 in Shanghai.
    entry = AuditEntry(
        action="update",
        content_type=ContentType.objects.get_for_model(Customer),
        object_id="1",
        changes={"owner_since": [None, "2026-05-01T02:30:00+00:00"], "is_deleted": [False, False]},
    )
    (row,) = readable([entry])
    assert _changes(row) == {"归属起始时间": ("—", "2026-05-01 10:30")}


def test_a_deleted_related_record_still_reads_by_its_id(personas):
    dept = make_department(personas.site_a, "marketing")
    gone = Team.objects.create(department=dept, name="临时组")
    staff = make_staff(department=dept, name="王五", team=gone)
    staff.team = None
    staff.save()
    gone_pk = gone.pk
    gone.delete()
    assert _changes(history_page(staff)[0]) == {"小组": (f"#{gone_pk}（已不存在）", "—")}


def test_english_users_read_english_labels(personas):
    site = make_site("east", "东院")
    site.kind = "aesthetics"
    site.save()
    with translation.override("en"):
        row = history_page(site)[0]
        assert _changes(row) == {"Type": ("Elder-care community", "Medical aesthetics")}
        assert row.action == "Updated"


@pytest.mark.parametrize("count", [3, 30])
def test_names_of_a_page_resolve_in_a_bounded_number_of_queries(
    personas, django_assert_max_num_queries, count
):
    dept = make_department(personas.site_a, "marketing")
    teams = [Team.objects.create(department=dept, name=f"组{i}") for i in range(count)]
    staff = make_staff(department=dept, name="赵六")
    for team in teams:
        staff.team = team
        staff.save()
    # the entries, then one query per related model on the page (team, department), however many entries
    with django_assert_max_num_queries(3):
        rows = history_page(staff)
    assert len(rows) == count + 1
    assert {c.after for r in rows for c in r.changes if c.label == "小组"} == {t.name for t in teams}


def test_every_audited_field_shown_in_history_has_a_chinese_label():
    """New apps get a readable history for free only if their audited fields carry verbose names."""
    missing = []
    for model in audit._REGISTRY:
        for f in model._meta.concrete_fields:
            if is_internal(model, f):
                continue
            label = str(f.verbose_name)
            if label == f.name.replace("_", " "):
                missing.append(f"{model._meta.label}.{f.name}")
    assert not missing, missing


def test_the_staff_page_shows_the_readable_history(client, personas):
    dept = make_department(personas.site_a, "marketing")
    one, two = (Team.objects.create(department=dept, name=n) for n in ("东区组", "西区组"))
    staff = make_staff(department=dept, name="钱七", team=one)
    staff.team = two
    staff.save()
    client.force_login(personas.ops_a)
    html = client.get(reverse("org:staff_detail", args=[staff.pk])).content.decode()
    assert "小组</span>：东区组 → 西区组" in html
    assert "team_id" not in html and "<code>" not in html


def test_readable_accepts_entries_of_mixed_models(personas):
    site = make_site("east", "东院")
    staff = make_staff(department=make_department(site, "nursing"), name="孙八")
    from opscenter.core.models import AuditEntry

    rows = readable(
        AuditEntry.objects.select_related("content_type", "actor").filter(object_id__in=[site.pk, staff.pk])
    )
    labels = {c.label for r in rows for c in r.changes}
    assert "部门" in labels and "名称" in labels and "department_id" not in labels
