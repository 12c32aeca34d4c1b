"""The POSTed buttons of the commitments screens (one `core.htmx.post_action` each): the success
message and where it goes, a refused action as a message on the same page, a foreign row as 404."""

import pytest
from django.contrib.messages import get_messages

from opscenter.commitments import services
from opscenter.commitments.choices import TreeStatus
from opscenter.commitments.models import CommitmentTree, PerceptionPoint, WorkOrderEvent
from opscenter.commitments.tests.factories import delivery_tree
from opscenter.core.testing import make_department

pytestmark = pytest.mark.django_db


def _said(response) -> list[str]:
    """The messages this response left for the next page (then dropped, as the page would)."""
    said = [str(m) for m in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return said


@pytest.fixture
def order(personas):
    return services.work_order_open(
        department_id=make_department(personas.site_a, "nursing").pk, title="漏水"
    )


def test_work_order_transition_refused_is_a_message_and_foreign_is_404(client, personas, order):
    client.force_login(personas.ops_a)
    url = f"/commitments/work-orders/{order.pk}/transition/"
    detail = f"/commitments/work-orders/{order.pk}/"
    incomplete = client.post(url, {"to_status": "verified"})
    assert incomplete["Location"] == detail and _said(incomplete) == ["提交的内容不完整，请重试"]
    refused = client.post(url, {"to_status": "verified", "version": order.version})
    assert refused["Location"] == detail and len(_said(refused)) == 1
    order.refresh_from_db()
    assert order.status != "verified"
    client.force_login(personas.ops_b)
    assert client.post(url, {"to_status": "verified", "version": order.version}).status_code == 404


def test_a_successful_action_from_htmx_answers_with_hx_redirect(client, personas, order):
    client.force_login(personas.ops_a)
    response = client.post(
        f"/commitments/work-orders/{order.pk}/due/",
        {"version": order.version, "due_at": "2030-01-02T10:00", "note": "家属同意"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response["HX-Redirect"] == f"/commitments/work-orders/{order.pk}/"
    assert _said(response) == ["协商时限已调整"]


def test_work_order_comment_needs_text_and_adds_no_message_when_done(client, personas, order):
    client.force_login(personas.ops_a)
    url = f"/commitments/work-orders/{order.pk}/comment/"
    assert _said(client.post(url, {"note": " "})) == ["请填写备注内容"]
    done = client.post(url, {"note": "已联系物业"})
    assert _said(done) == [] and done.status_code == 302
    assert WorkOrderEvent.objects.filter(work_order=order, kind="comment", note="已联系物业").exists()


def test_work_order_due_change_and_attach_without_file(client, personas, order):
    client.force_login(personas.ops_a)
    due = f"/commitments/work-orders/{order.pk}/due/"
    assert _said(client.post(due, {"version": order.version})) == ["请填写新的时限和协商说明"]
    ok = client.post(due, {"version": order.version, "due_at": "2030-01-02T10:00", "note": "家属同意"})
    assert _said(ok) == ["协商时限已调整"]
    stale = client.post(due, {"version": order.version, "due_at": "2030-01-03T10:00", "note": "再延"})
    assert len(_said(stale)) == 1 and _said(stale) != ["协商时限已调整"]
    attach = client.post(f"/commitments/work-orders/{order.pk}/attach/")
    assert _said(attach) == ["请选择要上传的文件"]


def test_tree_buttons_go_to_the_version_they_made(client, personas):
    v1 = delivery_tree(personas.site_a)
    client.force_login(personas.ops_a)
    revised = client.post(f"/commitments/trees/{v1.pk}/revise/")
    v2 = CommitmentTree.objects.get(family=v1.family, version=2)
    assert revised["Location"] == f"/commitments/trees/{v2.pk}/" and _said(revised) == ["已创建新的草稿版本"]
    node = v2.commitments.get(name="录单")
    bad = client.post(f"/commitments/trees/{v2.pk}/commitments/{node.pk}/", {"allowance_hours": "两小时"})
    assert bad["Location"] == f"/commitments/trees/{v2.pk}/" and _said(bad) == ["时限必须是数字（小时）"]
    good = client.post(
        f"/commitments/trees/{v2.pk}/commitments/{node.pk}/", {"allowance_hours": "3", "warning_pct": "80"}
    )
    assert _said(good) == ["承诺已修改"]
    node.refresh_from_db()
    assert node.allowance_minutes == 180
    removed = client.post(f"/commitments/trees/{v2.pk}/commitments/{node.pk}/remove/")
    assert _said(removed) == ["承诺「录单」已删除"] and removed["Location"] == f"/commitments/trees/{v2.pk}/"
    activated = client.post(f"/commitments/trees/{v2.pk}/activate/")
    assert _said(activated) == ["新版本已生效，旧版本已停用"]
    v2.refresh_from_db()
    assert v2.status == TreeStatus.ACTIVE
    # Removing from the active version makes a new draft and says so.
    node = v2.commitments.get(name="物流")
    moved = client.post(f"/commitments/trees/{v2.pk}/commitments/{node.pk}/remove/")
    v3 = CommitmentTree.objects.get(family=v1.family, version=3)
    assert moved["Location"] == f"/commitments/trees/{v3.pk}/"
    assert _said(moved) == ["已在新的草稿版本中删除承诺「物流」；生效前现有测量仍按原版本"]
    client.force_login(personas.ops_b)
    assert client.post(f"/commitments/trees/{v3.pk}/activate/").status_code == 404


def test_perception_point_edit_message_either_way(client, personas):
    point = services.perception_point_create(
        actor=personas.ops_a, site_id=personas.site_a.pk, touchpoint="入院接待", perception="等待短"
    )
    client.force_login(personas.ops_a)
    url = f"/commitments/perception-points/{point.pk}/"
    form = {"touchpoint": "入院接待", "perception": "等待不超过 10 分钟", "importance": "9"}
    assert _said(client.post(url, form)) == ["重要度应为 1–5"]
    assert _said(client.post(url, {**form, "importance": "4"})) == ["客户感知点已修改"]
    assert PerceptionPoint.objects.get(pk=point.pk).importance == 4
