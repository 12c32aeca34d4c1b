"""规则设置: queues and business types edited by call-center managers only, with a version check
and an audit trail in people's words."""

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.callcenter import config
from opscenter.callcenter.models import Disposition, Queue
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.testing import make_person


@pytest.fixture
def lead(cc):
    return make_person("cc_lead", "call_center_manager", cc.site, "call_center", name="主管")


def _queue_form(queue, **changes):
    form = {
        "action": "queue",
        "site": queue.site_id,
        "queue": queue.pk,
        "version": queue.version,
        "name": queue.name,
        "sl_seconds": queue.sl_seconds,
        "sl_target": "80",
        "short_abandon_seconds": queue.short_abandon_seconds,
        "opens_at": "",
        "closes_at": "",
        "is_active": "1",
    }
    form.update(changes)
    return form


def test_a_manager_changes_the_service_level_rule_and_the_history_says_what_changed(cc, lead, client):
    client.force_login(lead)
    response = client.post(
        "/callcenter/rules/",
        _queue_form(cc.queue, sl_seconds=30, sl_target="85%", opens_at="08:00", closes_at="20:00"),
    )
    assert response.status_code == 302
    queue = Queue.objects.get(pk=cc.queue.pk)
    assert (queue.sl_seconds, queue.sl_target, queue.version) == (30, Decimal("0.85"), 2)
    assert (queue.opens_at, queue.closes_at) == (dt.time(8), dt.time(20))
    page = client.get("/callcenter/rules/").content.decode()
    assert "服务水平时限(秒)</span>：20 → 30" in page and "cc_lead" in page
    assert "服务水平目标</span>：0.8000 → 0.8500" in page


def test_an_edit_based_on_an_old_version_is_refused_and_nothing_changes(cc, lead):
    config.queue_update(
        actor=lead, queue_id=cc.queue.pk, version=1, name="96180 热线", sl_seconds=25, sl_target="0.8",
        short_abandon_seconds=5, opens_at=None, closes_at=None,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="已被他人修改"):
        config.queue_update(
            actor=lead, queue_id=cc.queue.pk, version=1, name="96180 热线", sl_seconds=40, sl_target="0.8",
            short_abandon_seconds=5, opens_at=None, closes_at=None,
        )  # fmt: skip
    assert Queue.objects.get(pk=cc.queue.pk).sl_seconds == 25


def test_bad_rule_values_are_refused_naming_the_field(cc, lead):
    def update(**kw):
        args = dict(
            actor=lead, queue_id=cc.queue.pk, version=1, name="96180 热线", sl_seconds=20, sl_target="0.8",
            short_abandon_seconds=5, opens_at=None, closes_at=None,
        )  # fmt: skip
        args.update(kw)
        return config.queue_update(**args)

    for kw, field in (
        ({"sl_target": "120"}, "sl_target"),
        ({"sl_target": "abc"}, "sl_target"),
        ({"sl_seconds": 0}, "sl_seconds"),
        ({"opens_at": dt.time(20), "closes_at": dt.time(8)}, "closes_at"),
        ({"opens_at": dt.time(8)}, "opens_at"),
    ):
        with pytest.raises(ValidationError) as exc:
            update(**kw)
        assert exc.value.field == field


def test_call_center_staff_cannot_open_or_post_the_rules_screen(cc, client):
    client.force_login(cc.manager)  # role 客服中心, not 主管
    assert client.get("/callcenter/rules/").status_code == 403
    response = client.post("/callcenter/rules/", _queue_form(cc.queue, sl_seconds=99))
    assert response.status_code == 403
    assert Queue.objects.get(pk=cc.queue.pk).sl_seconds == 20
    with pytest.raises(PermissionDenied):
        config.disposition_create(actor=cc.manager, site_id=cc.site.pk, name="咨询二")


def test_a_manager_of_another_site_cannot_change_this_sites_rules(cc, db):
    from opscenter.core.testing import make_site

    other = make_site("other-cc", "另一客服中心", kind="call_center")
    stranger = make_person("cc_other", "call_center_manager", other, "call_center")
    with pytest.raises(PermissionDenied):
        config.queue_update(
            actor=stranger, queue_id=cc.queue.pk, version=1, name="x", sl_seconds=20, sl_target="0.8",
            short_abandon_seconds=5, opens_at=None, closes_at=None,
        )  # fmt: skip


def test_business_types_are_added_and_edited_with_their_behaviour(cc, lead, client):
    client.force_login(lead)
    client.post(
        "/callcenter/rules/",
        {"action": "disposition_new", "site": cc.site.pk, "name": "满意度回访", "completes_followup": "1"},
    )
    new = Disposition.objects.get(site=cc.site, name="满意度回访")
    assert new.completes_followup and not new.opens_complaint and new.version == 1
    complaint = Disposition.objects.get(site=cc.site, name="投诉")
    form = {
        "action": "disposition", "site": cc.site.pk, "disposition": complaint.pk, "version": 1,
        "name": "投诉与建议", "position": 9, "opens_complaint": "1", "is_active": "1",
    }  # fmt: skip
    assert client.post("/callcenter/rules/", form).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.name, complaint.position, complaint.version) == ("投诉与建议", 9, 2)
    stale = client.post("/callcenter/rules/", {**form, "name": "又改"}, follow=True).content.decode()
    assert "已被他人修改" in stale
    duplicate = client.post(
        "/callcenter/rules/", {"action": "disposition_new", "site": cc.site.pk, "name": "咨询"}
    )
    assert Disposition.objects.filter(site=cc.site, name="咨询").count() == 1
    assert duplicate.status_code == 200 and "已存在" in duplicate.content.decode()
